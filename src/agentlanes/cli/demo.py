"""``agentlanes demo``."""

from __future__ import annotations

import click

from agentlanes import api


@click.command("demo")
@click.option("--output-dir", type=click.Path(file_okay=False), default="artifacts", show_default=True,
              help="Folder for the sample data (demo/sample) and the artifacts (orchestration/).")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the sample generator.")
def command(output_dir: str, seed: int) -> None:
    """Run analyze, route and dashboard on an embedded, generated sample repository."""
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
    click.echo("\n".join(lines))
