"""Option bundles shared by several commands, so flags behave the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from agentlanes.api import Source
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
