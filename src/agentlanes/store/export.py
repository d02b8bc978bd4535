"""Write a stored repository as an export folder (see docs/offline-format.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson

from agentlanes.artifacts import write_bytes
from agentlanes.errors import InputError
from agentlanes.github.endpoint import parse_repo
from agentlanes.sources.loader import EXPORT_COMMITS, EXPORT_ISSUES, EXPORT_PULLS, EXPORT_QUEUE
from agentlanes.store.database import Store
from agentlanes.store.records import issue_record, merge_commit_line, pull_record
from agentlanes.timeutil import format_timestamp


@dataclass(frozen=True)
class ExportReport:
    """Summary of one export: the folder, the repository and the number of records of each kind."""

    directory: Path
    repository: str
    issues: int
    pulls: int
    commits: int
    queue_snapshots: int


def export_store(db_path: str | Path | None, directory: str | Path, repository: str | None = None) -> ExportReport:
    """Write ``issues.json``, ``pulls.json``, ``commits.jsonl`` and ``x_merge_queue.json`` into ``directory``.

    Each file is written atomically, so a reader sees the old file or the new one.
    """
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} exists and is not a folder", "pass a folder path for the export")
    with Store.open(db_path, create=False) as store:
        stored = store.find_repository(parse_repo(repository) if repository else None)
        issues = [issue_record(node) for node in store.payloads(stored, "issues")]
        pull_nodes = list(store.payloads(stored, "pulls"))
        readings = store.queue_snapshots(stored)
    pulls = [pull_record(node) for node in pull_nodes]
    commits = [line for line in (merge_commit_line(node) for node in pull_nodes) if line is not None]
    commits.sort(key=lambda line: line["committer_date"], reverse=True)
    queue = [
        {"takenAt": format_timestamp(r.taken_at), "branch": r.branch, "depth": r.depth, "pullRequests": list(r.pull_numbers)}
        for r in readings
    ]
    indent = orjson.OPT_INDENT_2
    write_bytes(folder / EXPORT_ISSUES, orjson.dumps(issues, option=indent) + b"\n")
    write_bytes(folder / EXPORT_PULLS, orjson.dumps(pulls, option=indent) + b"\n")
    write_bytes(folder / EXPORT_COMMITS, b"".join(orjson.dumps(line) + b"\n" for line in commits))
    write_bytes(folder / EXPORT_QUEUE, orjson.dumps(queue, option=indent) + b"\n")
    return ExportReport(folder, stored.full_name, len(issues), len(pulls), len(commits), len(queue))
