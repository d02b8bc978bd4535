"""``agentlanes dashboard``."""

from __future__ import annotations

import click

from agentlanes import api
from agentlanes.artifacts import ARTIFACT_DIR, DASHBOARD_HTML, DASHBOARD_JSON, DASHBOARD_MD, model_json
from agentlanes.cli.console import info, status, write_output
from agentlanes.cli.options import check_stdout_free, config_options, pass_common, source_options
from agentlanes.metrics.grouping import GROUPINGS
from agentlanes.metrics.models import Dashboard
from agentlanes.render.dashboard_html import render_html
from agentlanes.render.dashboard_md import render_markdown
from agentlanes.sources.sidecars import load_dispatch_log, load_queue_snapshots
from agentlanes.textutil import counted

FORMATS = {"md": DASHBOARD_MD, "html": DASHBOARD_HTML, "json": DASHBOARD_JSON}


def _render(kind: str, board: Dashboard) -> bytes:
    if kind == "md":
        return render_markdown(board).encode("utf-8")
    if kind == "html":
        return render_html(board).encode("utf-8")
    return model_json(board)


@click.command("dashboard", short_help="Write the velocity dashboard (Markdown, HTML, JSON).")
@source_options
@config_options
@click.option("--since", metavar="TIME", help="Start of the window (ISO date or timestamp, UTC if no offset); "
              "rounded down to the Monday of its ISO week. Default: --weeks before --until.")
@click.option("--until", metavar="TIME", help="End of the window, exclusive; a bare date means the end of that day. "
              "Default: just after --as-of or the newest event.")
@click.option("--weeks", type=click.IntRange(1, 520), default=12, show_default=True,
              help="Window length in ISO weeks when --since is not given.")
@click.option("--by", "group_by", type=click.Choice(GROUPINGS), default="agent", show_default=True,
              help="Grouping of the per-group tables and charts: agent (or author kind), component or author login.")
@click.option("--format", "formats", type=click.Choice(list(FORMATS)), multiple=True,
              help="Write only this format (repeatable). Default: md, html and json.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="With exactly one --format: the file to write, or - for stdout. "
              "Default: artifacts/orchestration/velocity_dashboard.*")
@click.option("--queue-snapshots", "queue_file", type=click.Path(dir_okay=False),
              help="JSON Lines of stored live merge-queue depths: {\"at\": TIME, \"depth\": N} per line.")
@click.option("--dispatch-log", "dispatch_file", type=click.Path(dir_okay=False),
              help="JSON Lines of issues handed to agents: {\"agent\", \"at\", \"issue\", \"ended_at\"} per line.")
@pass_common
def command(source: api.Source, config, as_of: str | None, since: str | None, until: str | None, weeks: int,
            group_by: str, formats: tuple[str, ...], output: str | None, queue_file: str | None,
            dispatch_file: str | None) -> Dashboard:
    """Write the velocity dashboard: work streams, merges per week, merge rate, merge queue,
    conflict rate, agent utilization, outcomes and durations, as Markdown, HTML and JSON.

    With --repo, PRs merged or closed in the window are replayed with git merge-tree
    against the base as it stood when they finished."""
    if output and len(set(formats)) != 1:
        raise click.UsageError("--output needs exactly one --format, e.g. --format html --output board.html")
    check_stdout_free(output)
    with status("computing the dashboard"):
        board = api.dashboard(
            source, config=config, as_of=as_of, since=since, until=until, weeks=weeks, group_by=group_by,
            queue_snapshots=load_queue_snapshots(queue_file) if queue_file else (),
            dispatch_log=load_dispatch_log(dispatch_file) if dispatch_file else (),
        )
    # Render everything before writing anything, so a failure leaves no partial set of files.
    rendered = {kind: _render(kind, board) for kind in dict.fromkeys(formats or FORMATS)}
    for kind, data in rendered.items():
        written = write_output(output or ARTIFACT_DIR / FORMATS[kind], data)
        info(f"wrote {written}")
    rate = board.conflict_rate
    info(f"{board.repository}: {counted(sum(w.merged for w in board.merged_per_week), 'PR')} merged in "
         f"{counted(len(board.window.weeks), 'week')}, {board.active_streams.current} open now, "
         f"{rate.label[:1].lower()}{rate.label[1:]} {'n/a' if rate.rate is None else f'{100 * rate.rate:.1f}%'}")
    return board
