"""Option bundles shared by several commands, so flags behave the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from agentlanes.api import Source
from agentlanes.cli import console
from agentlanes.config import Config, load_config


def source_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--from, --issues, --pulls, --commits, --db, -R, --repo and --as-of."""
    decorators = [
        click.option("--from", "from_dir", type=click.Path(file_okay=False), help="Export folder with issues.json, pulls.json and optional commits.jsonl."),
        click.option("--issues", "issues_file", type=click.Path(dir_okay=False), help="Issues file: gh --json output, a REST list or GraphQL nodes."),
        click.option("--pulls", "pulls_file", type=click.Path(dir_okay=False), help="Pull requests file, in any of the shapes --issues takes."),
        click.option("--commits", "commits_file", type=click.Path(dir_okay=False), help="Commits as JSON Lines, one commit per line with its changed paths."),
        click.option("--db", "db_path", type=click.Path(dir_okay=False), help="Read the SQLite store that `agentlanes sync` fills instead of files. Default with -R: the store in the user cache folder."),
        click.option("-R", "--github-repo", "github_repo", metavar="OWNER/REPO", help="Read this synced repository from the store (optional when the store holds one)."),
        click.option("--repo", "repo_path", type=click.Path(file_okay=False), help="Local git checkout of the repository (file tree, contents, merge replays)."),
        click.option("--as-of", "as_of", metavar="TIME", help="Rebuild the state at this moment (ISO 8601 date or timestamp, UTC if no offset). Default: the newest event in the data."),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def config_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--config and --agents."""
    function = click.option("--agents", "agents_file", type=click.Path(dir_okay=False), help="TOML file whose [[agents]] entries replace the configured agents.")(function)
    function = click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file. Default: ./agentlanes.toml if present, else built-in defaults.")(function)
    return function


def make_source(from_dir: str | None, issues_file: str | None, pulls_file: str | None,
                commits_file: str | None, repo_path: str | None, db_path: str | None = None,
                github_repo: str | None = None) -> Source:
    return Source(from_dir=from_dir, issues=issues_file, pulls=pulls_file, commits=commits_file, repo=repo_path,
                  db=db_path, github_repo=github_repo)


def make_config(config_file: str | None, agents_file: str | None) -> Config:
    return load_config(config_file, agents_file)


def pass_common(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the source and config options into ``source`` and ``config`` arguments."""

    @wraps(function)
    def wrapper(**kwargs: Any) -> Any:
        source = make_source(
            kwargs.pop("from_dir"), kwargs.pop("issues_file"), kwargs.pop("pulls_file"),
            kwargs.pop("commits_file"), kwargs.pop("repo_path"), kwargs.pop("db_path"), kwargs.pop("github_repo"),
        )
        config = make_config(kwargs.pop("config_file"), kwargs.pop("agents_file"))
        return function(source=source, config=config, **kwargs)

    return wrapper


def with_output_flags(command: click.Command) -> click.Command:
    """Give ``command`` the flags every command has: ``--json`` and ``-q/--quiet``.

    The command's callback returns its result (a pydantic model, a dataclass, a
    list or a dict). With ``--json`` that result is printed as JSON on stdout;
    the callback checks ``console.json_output()`` to print nothing else there.
    """
    names = {param.name for param in command.params}
    if "json_output" in names:
        return command
    command.params.append(click.Option(
        ["--json", "json_output"], is_flag=True,
        help="Print the result as JSON on stdout (progress and summaries stay on stderr).",
    ))
    command.params.append(click.Option(
        ["-q", "--quiet", "quiet_flag"], is_flag=True,
        help="Print no progress, summary or note lines on stderr; warnings and errors still print.",
    ))
    callback = command.callback
    assert callback is not None, f"command {command.name} has no callback"

    @wraps(callback)
    def run(*args: Any, json_output: bool, quiet_flag: bool, **kwargs: Any) -> Any:
        if quiet_flag:
            console.set_quiet(True)
        console.set_json_output(json_output)
        result = callback(*args, **kwargs)
        if json_output:
            if result is None:
                raise RuntimeError(f"`agentlanes {command.name}` returned no result to print for --json")
            console.print_result(console.to_json(result))
        return result

    command.callback = run
    return command


def check_stdout_free(*paths: str | None) -> None:
    """Reject ``--output -`` together with ``--json``: both would write to stdout."""
    if console.json_output() and any(path == "-" for path in paths):
        raise click.UsageError("--json and an output of '-' both write to stdout; pick one")
