"""The description of a repository's data sources, and the loader that cuts the data at a moment.

The public names (``Source``, ``load``) are re-exported by ``agentlanes.api``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from agentlanes.analysis.footprint.checkout import CheckoutProviders
from agentlanes.config import Config, load_config
from agentlanes.errors import InputError
from agentlanes.model import Dataset
from agentlanes.sources.asof import snapshot
from agentlanes.sources.gitrepo import Checkout, checkout_dataset
from agentlanes.sources.loader import load_dataset
from agentlanes.timeutil import parse_as_of


@dataclass(frozen=True)
class Source:
    """Where a repository's data comes from.

    ``from_dir`` is an export folder; ``issues``/``pulls``/``commits`` are single
    files (gh, REST or GraphQL shapes); ``repo`` is a local git checkout, used for
    the file tree, file contents and merge replays. ``db`` and ``github_repo``
    read the SQLite store that ``sync`` fills instead of files: ``db`` defaults to
    the store in the user cache folder, and ``github_repo`` (``OWNER/REPO``) may be
    left out when the store holds one repository.
    """

    from_dir: str | Path | None = None
    issues: str | Path | None = None
    pulls: str | Path | None = None
    commits: str | Path | None = None
    repo: str | Path | None = None
    name: str | None = None
    db: str | Path | None = None
    github_repo: str | None = None

    @property
    def uses_store(self) -> bool:
        return self.db is not None or self.github_repo is not None


def moment_of(value: str | datetime | None, option: str = "--as-of") -> datetime | None:
    if isinstance(value, datetime):
        return value
    return parse_as_of(value, option)


def load(
    source: Source, config: Config | None = None, as_of: str | datetime | None = None, option: str = "--as-of"
) -> tuple[Dataset, Dataset]:
    """Load the data; return it whole and as it stood at ``as_of`` (set by the command-line ``option``)."""
    config = config or load_config()
    files = source.from_dir is not None or source.issues is not None or source.pulls is not None
    if source.uses_store:
        if files or source.commits is not None:
            raise InputError(
                "both files (--from/--issues/--pulls/--commits) and the store (--db/-R) were given",
                "read either the files or the store that `agentlanes sync` filled, not both",
            )
        from agentlanes.sources.store import load_store_dataset

        full = load_store_dataset(config, source.db, source.github_repo)
        return full, _cut(full, moment_of(as_of, option), option)
    if not files and source.repo is not None and source.commits is None:
        full = checkout_dataset(Checkout.open(source.repo), source.name)
        return full, _cut(full, moment_of(as_of, option), option)
    if not files:
        raise InputError(
            "no input data given",
            "pass --from FOLDER, or --issues FILE and/or --pulls FILE, or -R OWNER/REPO after `agentlanes sync`",
        )
    full = load_dataset(config, source.from_dir, source.issues, source.pulls, source.commits, source.name)
    return full, _cut(full, moment_of(as_of, option), option)


def _cut(full: Dataset, moment: datetime | None, option: str) -> Dataset:
    """Return the snapshot at ``moment``; a moment before all the data is an error, not an empty backlog."""
    first = full.earliest_event
    if moment is not None and first is not None and moment < first:
        raise InputError(
            f"{option} {moment:%Y-%m-%d %H:%M} UTC is before the first event in {full.name} "
            f"({first:%Y-%m-%d %H:%M} UTC)",
            f"pick a moment between {first:%Y-%m-%d} and the newest event, or leave {option} out for the latest state",
        )
    return snapshot(full, moment)


def checkout_tree(source: Source, moment: datetime | None) -> tuple[list[str] | None, str, CheckoutProviders | None]:
    if source.repo is None:
        return None, "", None
    checkout = Checkout.open(source.repo)
    commit = checkout.commit_at(moment)
    if commit is None:
        raise InputError(
            f"--repo {source.repo}: no commit at or before {moment}",
            "pick a later --as-of, or a checkout with that history",
        )
    tree = checkout.tree(commit)
    return tree, f"git tree of {commit[:12]} in {checkout.path} ({len(tree)} files)", CheckoutProviders(checkout)
