"""``agentlanes demo``."""

from __future__ import annotations

import click

from agentlanes import api
from agentlanes.cli.console import json_output, status
from agentlanes.demo.pipeline import DemoResult


@click.command("demo", short_help="Run analyze, route and dashboard on a generated sample.")
@click.option("--output-dir", type=click.Path(file_okay=False), default="artifacts", show_default=True,
              help="Folder for the sample data (demo/sample) and the artifacts (orchestration/).")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the sample generator.")
def command(output_dir: str, seed: int) -> DemoResult:
    """Run analyze, route and dashboard on an embedded, generated sample repository."""
    with status("generating the sample and running analyze, route and dashboard"):
        result = api.demo(output_dir, seed)
    lines = [
        f"agentlanes demo: sample repository example/orbit (seed {seed}) written to {result.sample}",
        f"  backlog: {result.open_tasks} open issues, {result.ready} ready to start",
        f"  routing: {result.selected} tasks can start in parallel now without conflicts",
        f"  history: {result.merged_in_window} PRs merged in the last 12 weeks",
        "",
        "Artifacts:",
        f"  backlog analysis   {result.analysis}",
        f"  routing plan       {result.plan}",
        f"  plan summary       {result.plan_summary}",
        f"  dashboard (md)     {result.dashboard_md}",
        f"  dashboard (html)   {result.dashboard_html}",
        f"  dashboard (json)   {result.dashboard_json}",
    ]
    if not json_output():
        click.echo("\n".join(lines))
    return result
