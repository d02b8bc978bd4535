"""``agentlanes analyze``."""

from __future__ import annotations

from collections import Counter

import click

from agentlanes import api
from agentlanes.analysis.artifact import BacklogAnalysis
from agentlanes.artifacts import ANALYSIS_FILE, ARTIFACT_DIR, model_json
from agentlanes.cli.console import info, status, write_output
from agentlanes.cli.options import check_stdout_free, config_options, pass_common, source_options
from agentlanes.timeutil import parse_duration
from agentlanes.textutil import counted


@click.command("analyze", short_help="Analyse the open backlog: footprints, conflicts, readiness.")
@source_options
@config_options
@click.option("--tasks-from", type=click.Choice(["issues", "pulls"]), default="issues", show_default=True,
              help="Backlog source: open issues, or (with --as-of) the PRs opened after it, replayed as unstarted tasks.")
@click.option("--horizon", default="14d", show_default=True, metavar="DURATION",
              help="With --tasks-from pulls: how far after --as-of PRs are replayed (h, d or w, e.g. 14d).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=str(ARTIFACT_DIR / ANALYSIS_FILE),
              show_default=True, help="Where to write the analysis JSON, or - for stdout.")
@pass_common
def command(source: api.Source, config, as_of: str | None, tasks_from: str, horizon: str,
            output: str) -> BacklogAnalysis:
    """Analyse every open issue: type, components, size, dependencies, readiness,
    predicted files, conflicts, parallel groups and the best-suited agent."""
    check_stdout_free(output)
    with status("analysing the backlog"):
        analysis = api.analyze(source, config=config, as_of=as_of, tasks_from=tasks_from,
                               horizon=parse_duration(horizon))
    path = write_output(output, model_json(analysis))
    s = analysis.summary
    held = "".join(f", {count} {name}" for name, count in (("tracking (epics)", s.tracking),
                                                            ("likely duplicate", s.duplicate)) if count)
    if held.endswith("likely duplicate") and s.duplicate > 1:
        held += "s"
    moment = analysis.now or "the newest event (the data has no dates)"
    info(f"analyzed {counted(s.open_issues, 'open task')} of {analysis.repository} as of {moment}: "
         f"{s.ready} ready, {s.blocked} blocked, {s.in_progress} in progress, {s.assigned} assigned{held}; "
         f"the ready tasks fall into {counted(s.parallel_groups, 'conflict-free group')} (largest "
         f"{counted(s.largest_parallel_group, 'task')}; route picks the best set to start)")
    if not s.open_issues and analysis.tasks_from == "issues":
        info("hint: no issue is open at this moment; for repositories that work from pull requests, "
             "replay the PRs opened after a past moment with --as-of TIME --tasks-from pulls")
    for note in analysis.notes:
        info(f"note: {note}")
    if analysis.skipped:
        reasons = Counter(item.reason for item in analysis.skipped)
        listed = "; ".join(f"{count} x {reason}" for reason, count in reasons.most_common(3))
        more = f"; and {len(reasons) - 3} other reasons" if len(reasons) > 3 else ""
        info(f"note: {counted(len(analysis.skipped), 'input item')} left out ({listed}{more}); "
             "the analysis lists them under 'skipped'")
    info(f"wrote {path}")
    return analysis
