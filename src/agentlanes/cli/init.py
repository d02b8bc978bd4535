"""``agentlanes init``."""

from __future__ import annotations

import click

from agentlanes import api
from agentlanes.cli import console
from agentlanes.cli.console import info
from agentlanes.cli.options import check_stdout_free, make_source
from agentlanes.config import DEFAULT_CONFIG_NAME
from agentlanes.init import InitResult, find_checkout


@click.command("init", short_help="Write a commented agentlanes.toml for a repository.")
@click.option("--repo", "repo_path", type=click.Path(file_okay=False),
              help="Git checkout whose CODEOWNERS and top-level folders become components. "
              "Default: the checkout containing the current folder, if any.")
@click.option("--from", "from_dir", type=click.Path(file_okay=False),
              help="Export folder whose issue labels become priorities (and whose files become components "
              "without a checkout).")
@click.option("-R", "--github-repo", "github_repo", metavar="OWNER/REPO",
              help="Read the labels from this repository in the store that `agentlanes sync` fills.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False),
              help="SQLite store to read with -R. Default: the store in the user cache folder.")
@click.option("-o", "--output", default=DEFAULT_CONFIG_NAME, show_default=True, metavar="FILE",
              help="File to write, or - for stdout.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def command(repo_path: str | None, from_dir: str | None, github_repo: str | None, db_path: str | None, output: str,
            force: bool) -> InitResult:
    """Write a commented agentlanes.toml: agents with their triggers, capacities and strengths,
    components from CODEOWNERS and the top-level folders, the conflict rule, and priorities
    from the labels in the data."""
    check_stdout_free(output)
    nearby = None
    if repo_path is None:
        found = find_checkout(".")
        nearby = str(found.path) if found is not None else None
        if nearby is None:
            info("note: the current folder is not a git checkout; pass --repo PATH to infer components from one")
    source = None
    if from_dir is not None or github_repo is not None or db_path is not None:
        source = make_source(from_dir, None, None, None, None, db_path, github_repo)
    with console.status("surveying the repository"):
        result = api.init(repo=repo_path, source=source, output=None if output == "-" else output, force=force,
                          nearby=nearby)
    if result.path is None:
        console.print_result(result.text)
    _summarise(result)
    return result


def _summarise(result: InitResult) -> None:
    names = ", ".join(component.name for component in result.components[:8])
    more = f" and {len(result.components) - 8} more" if len(result.components) > 8 else ""
    origin = f" (rules from {result.codeowners})" if result.codeowners else ""
    info(f"components: {len(result.components)}{origin}" + (f": {names}{more}" if names else ""))
    if result.priorities is None:
        info("priorities: the built-in label table (pass --from or -R to read the repository's labels)")
    else:
        labels = ", ".join(item.label for item in result.priorities) or "none found, built-in table kept"
        info(f"priorities: {labels}")
    for note in result.notes:
        info(f"note: {note}")
    if result.path is not None:
        info(f"wrote {result.path}; every command in this folder now reads it (see docs/configuration.md)")
