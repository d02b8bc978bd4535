"""``agentlanes sync``."""

from __future__ import annotations

import contextlib
import logging

import click

from agentlanes import api
from agentlanes.cli import console
from agentlanes.cli.console import info
from agentlanes.cli.progress import StderrLogHandler, SyncProgressBar
from agentlanes.github.connect import TRANSPORTS
from agentlanes.github.sync import SyncReport


@click.command("sync", short_help="Fetch issues and pull requests from GitHub into the local store.")
@click.argument("repository", metavar="OWNER/REPO")
@click.option("--db", "db_path", type=click.Path(dir_okay=False),
              help="SQLite store to write. Default: github.sqlite3 in the user cache folder.")
@click.option("--api-url", metavar="URL",
              help="GitHub API URL, e.g. https://HOST/api/v3 for GitHub Enterprise Server. Default: $GITHUB_API_URL, else https://api.github.com.")
@click.option("--transport", type=click.Choice(TRANSPORTS), default="auto", show_default=True,
              help="auto: gh when it is signed in, else HTTPS with GH_TOKEN / GITHUB_TOKEN.")
@click.option("--max-requests", type=click.IntRange(min=1), metavar="N",
              help="Stop after N requests; the next run continues where this one stopped. Default: no limit.")
@click.option("--full", is_flag=True, help="Ignore the stored cursors and read every issue and pull request again.")
def command(repository: str, db_path: str | None, api_url: str | None, transport: str, max_requests: int | None,
            full: bool) -> SyncReport:
    """Fetch a repository's issues, pull requests and merge queue from GitHub into a
    local SQLite store; later runs fetch only what changed."""
    bar = None if console.is_quiet() else SyncProgressBar()
    handler = StderrLogHandler(bar.console if bar is not None else None)
    logger = logging.getLogger("agentlanes")
    previous_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    try:
        with bar if bar is not None else contextlib.nullcontext():
            report = api.sync(repository, db=db_path, api_url=api_url, transport=transport,
                              max_requests=max_requests, full=full, progress=bar)
    except KeyboardInterrupt:
        info("sync interrupted; the store keeps every complete page, so the same command continues from there")
        raise
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
    _summarise(report)
    return report


def _summarise(report: SyncReport) -> None:
    verb = "resumed and synced" if report.resumed else "synced"
    info(f"{verb} {report.repository} from {report.host} over {report.transport}: "
         f"{report.issues} issues and {report.pulls} pull requests fetched in {report.requests} requests "
         f"({report.retries} retries, {report.waited_seconds:.0f} s waited)")
    info(f"store {report.database}: {report.stored_issues} issues, {report.stored_pulls} pull requests")
    if report.queue_depth is not None:
        info(f"merge queue: {report.queue_depth} entries")
    elif report.queue_note:
        info(f"merge queue: {report.queue_note}")
    for field, count in report.truncated.items():
        info(f"note: {count} items have more {field} than sync reads per item; the rest were left out")
    if report.relations_note:
        info(f"issue relations: {report.relations_note}")
    if report.partial_errors:
        info(f"note: GitHub reported {report.partial_errors} errors beside the data; the warnings above name them")
    if report.budget_remaining is not None:
        info(f"rate limit: {report.budget_remaining} requests left in this hour")
    if not report.complete:
        info("stopped at --max-requests; run the same command again to continue")
