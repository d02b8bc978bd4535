"""Load a repository's data from the SQLite store that ``agentlanes sync`` fills.

Stored GraphQL nodes go through the export-folder shapes (``agentlanes.store.records``)
and the same parsers as files, so a command reading the store and one reading
``agentlanes export`` output compute the same results.
"""

from __future__ import annotations

from pathlib import Path

from agentlanes.config import Config
from agentlanes.github.endpoint import parse_repo
from agentlanes.model import Commit, Dataset, Issue, PullRequest, Skip
from agentlanes.sources import camel
from agentlanes.sources.commits import parse_commit
from agentlanes.sources.loader import assemble_dataset
from agentlanes.sources.payload import Item
from agentlanes.store import Store
from agentlanes.store.records import issue_record, merge_commit_line, pull_record, queue_record


def load_store_dataset(config: Config, db_path: str | Path | None, repository: str | None) -> Dataset:
    """Load ``repository`` (``OWNER/REPO``; optional when the store contains one) from ``db_path``."""
    with Store.open(db_path, create=False) as store:
        stored = store.find_repository(parse_repo(repository) if repository else None)
        where = f"{store.path}:{stored.full_name}"
        skips: list[Skip] = []
        issues: list[Issue] = []
        pulls: list[PullRequest] = []
        commits: list[Commit] = []
        for position, node in enumerate(store.payloads(stored, "issues"), 1):
            issue = camel.parse_issue(Item(issue_record(node), f"{where} issues", position), skips)
            if issue is not None:
                issues.append(issue)
        for position, node in enumerate(store.payloads(stored, "pulls"), 1):
            pulls.append(camel.parse_pull(Item(pull_record(node), f"{where} pulls", position)))
            line = merge_commit_line(node)
            if line is not None:
                commits.append(parse_commit(Item(line, f"{where} merge commits", position)))
        queue = [queue_record(reading) for reading in store.queue_snapshots(stored)]
    commits.sort(key=lambda commit: commit.committed_at, reverse=True)
    return assemble_dataset(config, stored.full_name, where, issues, pulls, commits, skips, queue=queue)
