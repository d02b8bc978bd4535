"""Load a repository's data from files, detecting each payload's shape.

Accepted inputs:

- an export folder with ``issues.json``, ``pulls.json``, optional ``commits.jsonl``,
  ``x_issue_files.json`` and ``x_merge_queue.json`` (see docs/offline-format.md);
- single files from ``gh issue list --json ...`` / ``gh pr list --json ...``;
- GitHub REST list payloads (``/issues``, ``/pulls``, search ``items``);
- GraphQL responses (``{"data": ...}``, also several concatenated, as written
  by ``gh api graphql --paginate``) or bare arrays of GraphQL nodes.
"""

from __future__ import annotations

import dataclasses
import re
import json
from collections import Counter
from pathlib import Path
from typing import Any

from agentlanes.attribution import Attributor
from agentlanes.config import Config
from agentlanes.errors import InputError
from agentlanes.model import Commit, Dataset, Issue, PullRequest, QueueSnapshot, Skip
from agentlanes.sources import camel, rest
from agentlanes.sources.commits import load_commits, load_issue_files, load_queue_snapshots
from agentlanes.sources.payload import Item, load_json_file

EXPORT_ISSUES = "issues.json"
EXPORT_PULLS = "pulls.json"
EXPORT_COMMITS = "commits.jsonl"
EXPORT_ISSUE_FILES = "x_issue_files.json"
EXPORT_QUEUE = "x_merge_queue.json"


def _decode_concatenated(path: Path) -> list[Any]:
    """Decode several JSON documents written back to back (``gh api --paginate``)."""
    text = path.read_text("utf-8-sig")
    decoder = json.JSONDecoder()
    documents: list[Any] = []
    index = 0
    while index < len(text):
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            break
        try:
            document, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}: malformed JSON at line {exc.lineno}, column {exc.colno} ({exc.msg})",
                "check that the file is complete and valid JSON",
            ) from None
        documents.append(document)
    return documents


def _read_documents(path: Path) -> list[Any]:
    try:
        return [load_json_file(str(path))]
    except InputError as first_error:
        if "malformed JSON" not in first_error.message:
            raise
        documents = _decode_concatenated(path)
        if len(documents) < 2:
            raise first_error from None
        return documents


def _graphql_node_lists(document: dict[str, Any], path: Path) -> list[list[Any]]:
    if document.get("errors") and not document.get("data"):
        message = document["errors"][0].get("message", "unknown error") if document["errors"] else "unknown error"
        raise InputError(f"{path}: the GraphQL response is an error: {message}", "re-run the query and save the data")
    found: list[list[Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("nodes"), list) and any(
                isinstance(n, dict) and "number" in n for n in value["nodes"]
            ):
                found.append(value["nodes"])
                return
            for child in value.values():
                walk(child)

    walk(document.get("data"))
    return found


def _items_of(document: Any, path: Path) -> tuple[list[Any], str]:
    """Return the list of raw items in one document and its shape name."""
    if isinstance(document, list):
        sample = next((entry for entry in document if isinstance(entry, dict)), None)
        if sample is None:
            return document, "empty"
        if rest.looks_like_rest(sample):
            return document, "rest"
        if "number" in sample and ("createdAt" in sample or "title" in sample):
            return document, "camel"
        raise InputError(
            f"{path}: unknown payload shape (first item has keys {sorted(sample)[:8]})",
            "expected gh --json output, a REST list, GraphQL nodes or an export folder file",
        )
    if isinstance(document, dict):
        if "data" in document or "errors" in document:
            nodes: list[Any] = []
            for node_list in _graphql_node_lists(document, path):
                nodes.extend(node_list)
            return nodes, "camel"
        if isinstance(document.get("items"), list):
            return document["items"], "rest"
        if isinstance(document.get("nodes"), list):
            return document["nodes"], "camel"
    raise InputError(
        f"{path}: unknown payload shape ({type(document).__name__} at the top level)",
        "expected gh --json output, a REST list, GraphQL nodes or an export folder file",
    )


def parse_payload_file(path: str | Path, skips: list[Skip]) -> tuple[list[Issue], list[PullRequest]]:
    """Parse one issues or pulls payload file of any supported shape."""
    path = Path(path)
    issues: list[Issue] = []
    pulls: list[PullRequest] = []
    position = 0
    for document in _read_documents(path):
        entries, shape = _items_of(document, path)
        for raw in entries:
            position += 1
            item = Item(raw, path.name, position)
            if shape == "rest":
                if rest.is_rest_pull(raw):
                    pulls.append(rest.parse_pull(item))
                elif (issue := rest.parse_issue(item, skips)) is not None:
                    issues.append(issue)
            elif camel.looks_like_pull(raw):
                pulls.append(camel.parse_pull(item))
            elif (issue := camel.parse_issue(item, skips)) is not None:
                issues.append(issue)
    return issues, pulls


def _merge_by_number(records: list[Any]) -> list[Any]:
    """Keep the last record per number; a richer (later) source replaces a thinner one."""
    merged: dict[int, Any] = {}
    for record in records:
        merged[record.number] = record
    return sorted(merged.values(), key=lambda record: record.number)


def _with_merge_commit_authors(pulls: list[PullRequest], commits: list[Commit]) -> list[PullRequest]:
    """Add the landing commit's co-authors (and squash author) to each PR's commit authors."""
    by_sha = {commit.sha: commit for commit in commits}
    enriched: list[PullRequest] = []
    for pull in pulls:
        commit = by_sha.get(pull.merge_commit_oid or "")
        if commit is None:
            enriched.append(pull)
            continue
        names = list(commit.coauthors)
        if len(commit.parents) == 1:
            names.append(commit.author_name)
        combined = tuple(dict.fromkeys(pull.commit_authors + tuple(n for n in names if n)))
        enriched.append(dataclasses.replace(pull, commit_authors=combined))
    return enriched


_ITEM_URL = re.compile(r"^https?://[^/]+/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)/(?:issues|pull|pulls)/\d+")


def repository_from_urls(issues: list[Issue], pulls: list[PullRequest]) -> str | None:
    """Return ``OWNER/REPO`` when the items' web addresses agree on one repository."""
    found = Counter(match.group(1) for item in (*issues, *pulls)
                    if item.url and (match := _ITEM_URL.match(item.url)))
    if not found:
        return None
    (best, count), = found.most_common(1)
    # A few items moved from another repository keep their old address.
    return best if count * 2 > sum(found.values()) else None


def load_dataset(
    config: Config,
    from_dir: str | Path | None = None,
    issues_path: str | Path | None = None,
    pulls_path: str | Path | None = None,
    commits_path: str | Path | None = None,
    name: str | None = None,
) -> Dataset:
    """Load issues, pull requests and commits into a ``Dataset``.

    ``from_dir`` names an export folder; the single-file options add to or
    replace its parts. At least one source is required.
    """
    skips: list[Skip] = []
    issue_files: dict[int, tuple[str, ...]] = {}
    if from_dir is not None:
        folder = Path(from_dir)
        if not folder.is_dir():
            raise InputError(f"export folder not found: {folder}", "pass a folder containing issues.json and pulls.json")
        if not (folder / EXPORT_ISSUES).is_file() and not (folder / EXPORT_PULLS).is_file():
            raise InputError(
                f"{folder} has neither {EXPORT_ISSUES} nor {EXPORT_PULLS}",
                "pass an export folder (see docs/offline-format.md) or use --issues/--pulls",
            )
        issues_path = issues_path or (folder / EXPORT_ISSUES if (folder / EXPORT_ISSUES).is_file() else None)
        pulls_path = pulls_path or (folder / EXPORT_PULLS if (folder / EXPORT_PULLS).is_file() else None)
        if commits_path is None and (folder / EXPORT_COMMITS).is_file():
            commits_path = folder / EXPORT_COMMITS
        if (folder / EXPORT_ISSUE_FILES).is_file():
            issue_files = load_issue_files(folder / EXPORT_ISSUE_FILES)
    if issues_path is None and pulls_path is None:
        raise InputError("no input data given", "pass --from FOLDER, or --issues FILE and/or --pulls FILE")

    issues: list[Issue] = []
    pulls: list[PullRequest] = []
    for path in (issues_path, pulls_path):
        if path is not None:
            found_issues, found_pulls = parse_payload_file(path, skips)
            issues.extend(found_issues)
            pulls.extend(found_pulls)
    commits = load_commits(commits_path) if commits_path is not None else []
    queue: list[QueueSnapshot] = []
    if from_dir is not None and (Path(from_dir) / EXPORT_QUEUE).is_file():
        queue = load_queue_snapshots(Path(from_dir) / EXPORT_QUEUE)

    dataset_name = (name or repository_from_urls(issues, pulls)
                    or (Path(from_dir).name if from_dir else Path(str(issues_path or pulls_path)).stem))
    origin = str(from_dir) if from_dir else ", ".join(str(p) for p in (issues_path, pulls_path, commits_path) if p)
    return assemble_dataset(
        config, dataset_name, origin, issues, pulls, commits, skips, issue_files=issue_files, queue=queue
    )


def assemble_dataset(
    config: Config,
    name: str,
    origin: str,
    issues: list[Issue],
    pulls: list[PullRequest],
    commits: list[Commit],
    skips: list[Skip],
    *,
    issue_files: dict[int, tuple[str, ...]] | None = None,
    queue: list[QueueSnapshot] | None = None,
) -> Dataset:
    """Deduplicate parsed records by number, enrich and attribute PRs, and build the ``Dataset``."""
    pulls = _with_merge_commit_authors(_merge_by_number(pulls), commits)
    issues = _merge_by_number(issues)
    pull_numbers = {pull.number for pull in pulls}
    issues = [issue for issue in issues if issue.number not in pull_numbers]
    return Dataset(
        name=name,
        issues=tuple(issues),
        pulls=Attributor(config).apply(tuple(pulls)),
        commits=tuple(commits),
        issue_files=issue_files or {},
        skips=tuple(skips),
        origin=origin,
        queue_snapshots=tuple(sorted(queue or (), key=lambda reading: reading.taken_at)),
    )
