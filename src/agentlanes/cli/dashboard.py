"""``agentlanes dashboard``."""

from __future__ import annotations

from pathlib import Path

import click

from agentlanes import api
from agentlanes.artifacts import ARTIFACT_DIR, DASHBOARD_JSON, DASHBOARD_MD, write_model, write_text
from agentlanes.cli.console import info
from agentlanes.cli.options import config_options, pass_common, source_options
from agentlanes.render.dashboard_md import render_markdown


@click.command("dashboard")
@source_options
@config_options
@click.option("--since", metavar="TIME", help="Start of the window (ISO date; rounded down to its ISO week).")
@click.option("--until", metavar="TIME", help="End of the window (ISO date or timestamp). Default: --as-of or the newest event.")
@click.option("--weeks", type=click.IntRange(1, 520), default=12, show_default=True,
              help="Window length in ISO weeks when --since is not given.")
@click.option("--by", "group_by", type=click.Choice(["agent", "component", "author"]), default="agent",
              show_default=True, help="How per-author tables are grouped.")
@click.option("--format", "formats", type=click.Choice(["md", "json"]), multiple=True,
              help="Write only this format (repeatable). Default: all formats.")
@click.option("-o", "--output", type=click.Path(), help="With one --format: the file to write. Default: artifacts/orchestration/.")
@pass_common
def command(source: api.Source, config, as_of: str | None, since: str | None, until: str | None, weeks: int,
            group_by: str, formats: tuple[str, ...], output: str | None) -> None:
    """Write the velocity dashboard: work streams, merges per week, merge queue,
    conflict rate, agent utilization and per-agent outcomes."""
    if output and len(formats) != 1:
        raise click.UsageError("--output needs exactly one --format, e.g. --format md --output board.md")
    board = api.dashboard(source, config=config, as_of=as_of, since=since, until=until, weeks=weeks, group_by=group_by)
    chosen = formats or ("md", "json")
    targets = {"md": ARTIFACT_DIR / DASHBOARD_MD, "json": ARTIFACT_DIR / DASHBOARD_JSON}
    for kind in chosen:
        path = Path(output) if output else targets[kind]
        if kind == "md":
            written = write_text(path, render_markdown(board))
        else:
            written = write_model(path, board)
        info(f"wrote {written}")
