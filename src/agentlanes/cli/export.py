"""``agentlanes export``."""

from __future__ import annotations

import click

from agentlanes import api
from agentlanes.cli.console import info
from agentlanes.store.export import ExportReport


@click.command("export", short_help="Write a synced repository as an export folder.")
@click.argument("db_path", metavar="DB", type=click.Path(dir_okay=False))
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False))
@click.option("-R", "--github-repo", "github_repo", metavar="OWNER/REPO",
              help="Repository to export (optional when the store holds one).")
def command(db_path: str, directory: str, github_repo: str | None) -> ExportReport:
    """Write a synced repository from the store DB as an export folder DIR
    (issues.json, pulls.json, commits.jsonl, x_merge_queue.json) that --from reads."""
    report = api.export(db_path, directory, repository=github_repo)
    info(f"exported {report.repository}: {report.issues} issues, {report.pulls} pull requests, "
         f"{report.commits} merge commits, {report.queue_snapshots} merge-queue snapshots to {report.directory}")
    return report
