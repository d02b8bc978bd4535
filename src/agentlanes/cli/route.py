"""``agentlanes route``."""

from __future__ import annotations

from pathlib import Path

import click

from agentlanes import api
from agentlanes.analysis.artifact import BacklogAnalysis
from agentlanes.artifacts import ANALYSIS_FILE, ARTIFACT_DIR, PLAN_FILE, PLAN_SUMMARY_FILE, read_model, write_model, write_text
from agentlanes.cli.console import info
from agentlanes.cli.options import config_options, make_config
from agentlanes.render.routing_md import render_plan_markdown


@click.command("route")
@click.option("--analysis", "analysis_file", type=click.Path(dir_okay=False), default=str(ARTIFACT_DIR / ANALYSIS_FILE),
              show_default=True, help="Backlog analysis written by `agentlanes analyze`.")
@config_options
@click.option("--solver", type=click.Choice(["greedy", "optimal"]), default="greedy", show_default=True,
              help="greedy: best pairings first; optimal: CP-SAT, proven optimal within the time limit.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=str(ARTIFACT_DIR / PLAN_FILE),
              show_default=True, help="Where to write the plan JSON.")
@click.option("--summary", "summary_file", type=click.Path(dir_okay=False), default=str(ARTIFACT_DIR / PLAN_SUMMARY_FILE),
              show_default=True, help="Where to write the Markdown summary.")
def command(analysis_file: str, config_file: str | None, agents_file: str | None, solver: str, output: str,
            summary_file: str) -> None:
    """Choose the ready tasks to start now, one agent each, so that nothing in
    flight conflicts, within every agent's capacity."""
    config = make_config(config_file, agents_file)
    analysis = read_model(analysis_file, BacklogAnalysis, "backlog analysis")
    plan = api.route(analysis, config=config, solver=solver)
    path = write_model(Path(output), plan)
    summary = write_text(Path(summary_file), render_plan_markdown(plan))
    info(f"selected {len(plan.selected)} tasks to start now; {len(plan.not_selected)} wait "
         f"(solver {plan.solver.name}, {plan.solver.status})")
    info(f"wrote {path} and {summary}")
