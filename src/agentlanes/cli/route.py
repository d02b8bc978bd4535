"""``agentlanes route``."""

from __future__ import annotations

from pathlib import Path

import click

from agentlanes import api
from agentlanes.analysis.artifact import BacklogAnalysis
from agentlanes.artifacts import ANALYSIS_FILE, ARTIFACT_DIR, PLAN_FILE, PLAN_SUMMARY_FILE, model_json, read_model
from agentlanes.cli.console import info, status, write_output
from agentlanes.cli.options import check_stdout_free, config_options, make_config
from agentlanes.render.routing_md import render_plan_markdown
from agentlanes.routing.dispatched import read_dispatched
from agentlanes.routing.optimal import DEFAULT_TIME_LIMIT
from agentlanes.routing.plan import DEFAULT_SOLVER, SOLVERS, RoutingPlan
from agentlanes.textutil import counted


@click.command("route", short_help="Choose the tasks to start now, one agent each, without conflicts.")
@click.option("--analysis", "analysis_file", type=click.Path(dir_okay=False), default=str(ARTIFACT_DIR / ANALYSIS_FILE),
              show_default=True, help="Backlog analysis written by `agentlanes analyze`.")
@config_options
@click.option("--solver", type=click.Choice(SOLVERS), default=DEFAULT_SOLVER, show_default=True,
              help="optimal: CP-SAT, proven optimal within the time limit; greedy: best pairings first.")
@click.option("--time-limit", type=click.FloatRange(min=0.01), default=DEFAULT_TIME_LIMIT, show_default=True,
              metavar="SECONDS", help="Maximum time the optimal solver may search, in seconds.")
@click.option("--dispatched", "dispatched_file", type=click.Path(dir_okay=False),
              help='Issues already dispatched, as JSON Lines: {"issue": 12, "agent": "codex", "at": "2026-01-05T10:00:00Z"}.')
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=str(ARTIFACT_DIR / PLAN_FILE),
              show_default=True, help="Where to write the plan JSON, or - for stdout.")
@click.option("--summary", "summary_file", type=click.Path(dir_okay=False), default=None,
              help="Where to write the Markdown summary, or - for stdout (e.g. to append it to "
              "$GITHUB_STEP_SUMMARY). Default: beside --output with the suffix .md, so "
              f"{ARTIFACT_DIR / PLAN_SUMMARY_FILE} by default, or that path when --output is -.")
def command(analysis_file: str, config_file: str | None, agents_file: str | None, solver: str, time_limit: float,
            dispatched_file: str | None, output: str, summary_file: str | None) -> RoutingPlan:
    """Choose the ready tasks to start now, one agent each, so that nothing in
    flight conflicts, within every agent's capacity; plan the rest in waves."""
    if summary_file is None:
        # A plan written elsewhere keeps its summary beside it, not over the default one.
        summary_file = str(ARTIFACT_DIR / PLAN_SUMMARY_FILE) if output == "-" else str(Path(output).with_suffix(".md"))
    check_stdout_free(output, summary_file)
    if output == "-" and summary_file == "-":
        raise click.UsageError("--output and --summary cannot both be -; write one of them to a file")
    config = make_config(config_file, agents_file)
    analysis = read_model(analysis_file, BacklogAnalysis, "backlog analysis", "agentlanes analyze --from DIR")
    dispatched = read_dispatched(dispatched_file) if dispatched_file else ()
    with status("routing the ready tasks"):
        plan = api.route(analysis, config=config, solver=solver, time_limit=time_limit, dispatched=dispatched)
    path = write_output(output, model_json(plan))
    summary = write_output(summary_file, render_plan_markdown(plan))
    s = plan.solver
    ratio = "" if s.ratio_to_greedy is None else f", {s.ratio_to_greedy:.3f} x greedy"
    info(f"selected {counted(len(plan.selected), 'task')} to start now; {len(plan.not_selected)} wait "
         f"(solver {s.name}, {s.status}, value {s.objective:g}{ratio}, {s.seconds:.2f} s)")
    waves = plan.wave_plan
    info(f"wave plan: {counted(waves.count, 'wave')} for the backlog "
         f"({'proven minimal' if waves.minimal else f'lower bound {waves.lower_bound}'})")
    info(f"wrote {path} and {summary}")
    return plan
