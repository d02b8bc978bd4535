"""``agentlanes analyze``."""

from __future__ import annotations

from pathlib import Path

import click

from agentlanes import api
from agentlanes.artifacts import ANALYSIS_FILE, ARTIFACT_DIR, write_model
from agentlanes.cli.console import info
from agentlanes.cli.options import config_options, pass_common, source_options
from agentlanes.timeutil import parse_duration


@click.command("analyze")
@source_options
@config_options
@click.option("--tasks-from", type=click.Choice(["issues", "pulls"]), default="issues", show_default=True,
              help="Backlog source: open issues, or (with --as-of) the PRs opened after it, replayed as unstarted tasks.")
@click.option("--horizon", default="14d", show_default=True, metavar="DURATION",
              help="With --tasks-from pulls: how far after --as-of PRs are replayed (h, d or w, e.g. 14d).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=str(ARTIFACT_DIR / ANALYSIS_FILE),
              show_default=True, help="Where to write the analysis JSON.")
@pass_common
def command(source: api.Source, config, as_of: str | None, tasks_from: str, horizon: str, output: str) -> None:
    """Analyse every open issue: type, components, size, dependencies, readiness,
    predicted files, conflicts, parallel groups and the best-suited agent."""
    analysis = api.analyze(source, config=config, as_of=as_of, tasks_from=tasks_from, horizon=parse_duration(horizon))
    path = write_model(Path(output), analysis)
    s = analysis.summary
    info(f"analyzed {s.open_issues} open tasks of {analysis.repository} as of {analysis.now}: "
         f"{s.ready} ready, {s.blocked} blocked, {s.in_progress} in progress, {s.assigned} assigned; "
         f"{s.parallel_groups} parallel groups (largest {s.largest_parallel_group})")
    for note in analysis.notes:
        info(f"note: {note}")
    info(f"wrote {path}")
