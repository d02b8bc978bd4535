"""``agentlanes conflicts``."""

from __future__ import annotations

import click

from agentlanes import api
from agentlanes.artifacts import model_json
from agentlanes.cli.console import info, json_output, print_result, status, write_output
from agentlanes.cli.options import config_options, pass_common, source_options
from agentlanes.metrics.matrix import DEFAULT_MAX_HEADS, ConflictMatrix
from agentlanes.render.conflicts_md import render_matrix_markdown
from agentlanes.textutil import counted


@click.command("conflicts", short_help="Merge-test the open PR heads against the base and each other.")
@source_options
@config_options
@click.option("--base", metavar="BRANCH", help="Base branch. Default: the open PRs' most common base, else the "
              "remote's default branch, else main or master.")
@click.option("--max-heads", type=click.IntRange(1, 5000), default=DEFAULT_MAX_HEADS, show_default=True,
              help="Check at most this many heads (the highest PR numbers first); the rest are listed as not checked.")
@click.option("--all-pairs", is_flag=True, help="Merge every pair of heads, also pairs whose changes cannot touch.")
@click.option("--format", "output_format", type=click.Choice(["md", "json"]), default="md", show_default=True,
              help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout (- is stdout).")
@pass_common
def command(source: api.Source, config, as_of: str | None, base: str | None, max_heads: int, all_pairs: bool,
            output_format: str, output: str | None) -> ConflictMatrix:
    """Show which open PR heads in --repo conflict with the base and with each other.

    Every head is merged in memory with git merge-tree (one batched --stdin run),
    with the conflicted files. PR data (--from or --pulls) is optional: it names
    the open PRs; without it, heads come from refs/pull/N/head refs or branches."""
    if as_of:
        raise click.UsageError("conflicts shows the repository as it is now; --as-of is not supported")
    with status("merge-testing the open heads"):
        matrix = api.conflicts(source, config=config, base=base, max_heads=max_heads, all_pairs=all_pairs)
    data = model_json(matrix) if output_format == "json" else render_matrix_markdown(matrix).encode("utf-8")
    if output and output != "-":
        info(f"wrote {write_output(output, data)}")
    elif not json_output():
        print_result(data)
    with_base = sum(1 for head in matrix.heads if head.base_conflict)
    info(f"{counted(len(matrix.heads), 'open head')}: {with_base} conflict with {matrix.base}, "
         f"{counted(len(matrix.pairs), 'conflicting pair')} of {matrix.pairs_checked} merged")
    return matrix
