"""``agentlanes dispatch``."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import click

from agentlanes import api
from agentlanes.artifacts import ARTIFACT_DIR, DISPATCH_LOG_FILE, PLAN_FILE, read_model
from agentlanes.cli.console import info, json_output
from agentlanes.cli.options import config_options, make_config
from agentlanes.cli.progress import StderrLogHandler
from agentlanes.dispatch.runner import DISPATCHED, FAILED, SKIPPED, WOULD_DISPATCH, DispatchReport, Outcome
from agentlanes.errors import InputError
from agentlanes.github.connect import TRANSPORTS
from agentlanes.routing.plan import RoutingPlan


@click.command("dispatch", short_help="Hand planned tasks to agents through their GitHub triggers.")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False), default=str(ARTIFACT_DIR / PLAN_FILE),
              show_default=True, help="Routing plan written by `agentlanes route`.")
@click.option("-R", "--github-repo", "repository", metavar="OWNER/REPO",
              help="Repository to dispatch in; required with --apply. Without it, a dry run checks only the audit log.")
@click.option("--apply", is_flag=True, help="Apply the triggers on GitHub. Without it, print what would be done and change nothing.")
@click.option("--log", "log_file", type=click.Path(dir_okay=False), default=str(ARTIFACT_DIR / DISPATCH_LOG_FILE),
              show_default=True, help="Append-only audit log (JSON Lines) read for earlier dispatches and written with --apply.")
@config_options
@click.option("--api-url", metavar="URL",
              help="GitHub API URL, e.g. https://HOST/api/v3 for GitHub Enterprise Server. Default: $GITHUB_API_URL, else https://api.github.com.")
@click.option("--transport", type=click.Choice(TRANSPORTS), default="auto", show_default=True,
              help="auto: gh when it is signed in, else HTTPS with GH_TOKEN / GITHUB_TOKEN.")
def command(plan_file: str, repository: str | None, apply: bool, log_file: str, config_file: str | None,
            agents_file: str | None, api_url: str | None, transport: str) -> dict:
    """Hand the tasks of a routing plan to their agents through each agent's GitHub
    trigger: a label, an assignee, a comment or a command. A dry run unless --apply."""
    if not Path(plan_file).is_file():
        raise InputError(f"routing plan not found: {plan_file}", "run `agentlanes route` first, or pass --plan PATH")
    plan = read_model(plan_file, RoutingPlan, "routing plan", "agentlanes route")
    if not apply and (replay := api.replayed_plan(plan)):
        info(f"note: this plan {replay}; --apply refuses such a plan")
    config = make_config(config_file, agents_file)
    handler = StderrLogHandler(None)
    logger = logging.getLogger("agentlanes")
    previous_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    try:
        report = api.dispatch(plan, repository=repository, config=config, apply=apply, log=log_file, api_url=api_url,
                              transport=transport, observer=_print)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
    _summarise(report)
    return _result(report)


def _print(outcome: Outcome) -> None:
    # With --json, stdout carries only the JSON result; the lines are in it.
    if not json_output():
        click.echo(outcome.line())


def _result(report: DispatchReport) -> dict:
    """The run as JSON-ready data for --json."""
    return {
        "repository": report.repository,
        "applied": report.applied,
        "checked": report.checked,
        "host": report.host,
        "transport": report.transport,
        "log": str(report.log),
        "requests": report.requests,
        "counts": {status: report.count(status) for status in (DISPATCHED, WOULD_DISPATCH, SKIPPED, FAILED)},
        "outcomes": [dataclasses.asdict(outcome) for outcome in report.outcomes],
        "notes": list(report.notes),
    }


def _summarise(report: DispatchReport) -> None:
    for note in report.notes:
        info(f"note: {note}")
    for name, load in sorted(report.loads.items()):
        info(f"in flight on GitHub: {name}: {load.count} ({load.describe()})")
    skipped = ", ".join(f"{count} {check}" for check, count in sorted(report.skipped_by_check.items()))
    skipped_text = f"{report.count(SKIPPED)} skipped" + (f" ({skipped})" if skipped else "")
    where = f"{report.repository} on {report.host} over {report.transport}" if report.checked else report.repository
    if report.applied:
        info(f"dispatched {report.count(DISPATCHED)} tasks in {where}, {skipped_text}, "
             f"{report.count(FAILED)} failed; {report.requests} requests; audit log {report.log}")
        return
    info(f"dry run in {where}: {report.count(WOULD_DISPATCH)} tasks would be dispatched, {skipped_text}; nothing was changed")
    if not report.checked:
        info("GitHub was not checked; pass -R OWNER/REPO to check each issue and the agents' work in flight")
    info(f"run again with --apply -R {report.repository} to dispatch")
