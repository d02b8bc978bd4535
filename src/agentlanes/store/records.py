"""Turn stored GraphQL nodes into the export-folder shapes (``gh --json`` records, commit lines).

The same conversion feeds ``agentlanes export`` and the commands that read the
store directly, so both see identical data. ``UNKNOWN`` mergeable states become
null: GitHub computes them lazily, and an unknown state is no conflict signal.

Issue relations become ``parent`` (``{"number"}`` or null) and ``subIssues``,
``blockedBy`` and ``blocking`` (lists of ``{"number"}``), the shape
``agentlanes.sources.camel`` reads. A relation the server did not report (an
older GitHub Enterprise Server) is left out of the record rather than written
as empty, so "none" and "unknown" stay apart.
"""

from __future__ import annotations

from typing import Any

from agentlanes.model import QueueSnapshot
from agentlanes.sources.camel import coauthor_names
from agentlanes.store.database import QueueRecord


def _nodes(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [node for node in value.get("nodes") or [] if node is not None]
    return list(value or [])


def _author(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict) or not value.get("login"):
        return None
    if value.get("__typename") == "Bot":
        return {"login": f"app/{value['login']}", "is_bot": True}
    return {"login": value["login"], "is_bot": False}


def _known(value: Any) -> Any:
    return None if value == "UNKNOWN" else value


def _common(node: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": node["number"],
        "title": node.get("title") or "",
        "body": node.get("body") or "",
        "state": node.get("state"),
        "createdAt": node.get("createdAt"),
        "updatedAt": node.get("updatedAt"),
        "closedAt": node.get("closedAt"),
        "author": _author(node.get("author")),
        "labels": [{"name": n["name"], "description": n.get("description") or ""} for n in _nodes(node.get("labels"))],
        "assignees": [{"login": n["login"]} for n in _nodes(node.get("assignees"))],
        "url": node.get("url") or "",
    }


def issue_record(node: dict[str, Any]) -> dict[str, Any]:
    """Convert a stored issue node into a ``gh issue list --json`` record, with its relations."""
    record = _common(node)
    record["closedByPullRequestsReferences"] = [{"number": n["number"]} for n in _nodes(node.get("closedByPullRequestsReferences"))]
    record.update(_relations(node))
    return record


def _repository_url(url: Any) -> str | None:
    """``https://HOST/OWNER/REPO`` of an issue URL, or ``None`` when the URL is missing or of another form."""
    head, separator, _ = url.rpartition("/issues/") if isinstance(url, str) else ("", "", "")
    return head.lower() if separator else None


def _same_repository(target: Any, home: str | None) -> bool:
    # NOTE: a bare number would name the wrong issue for a relation to another
    # repository, so such relations are left out here. The stored node keeps them.
    if not isinstance(target, dict) or not isinstance(target.get("number"), int):
        return False
    target_repository = _repository_url(target.get("url"))
    return home is None or target_repository is None or target_repository == home


def _relations(node: dict[str, Any]) -> dict[str, Any]:
    """Collect the relations a node reports, for the summaries the issue query read."""
    home = _repository_url(node.get("url"))
    relations: dict[str, Any] = {}
    if "parent" in node:
        parent = node["parent"]
        relations["parent"] = {"number": parent["number"]} if _same_repository(parent, home) else None
    lists = []
    if isinstance(node.get("subIssuesSummary"), dict):
        lists.append("subIssues")
    if isinstance(node.get("issueDependenciesSummary"), dict):
        lists += ["blockedBy", "blocking"]
    for key in lists:
        relations[key] = [{"number": n["number"]} for n in _nodes(node.get(key)) if _same_repository(n, home)]
    return relations


def _commit_entry(node: dict[str, Any]) -> dict[str, Any]:
    commit = node.get("commit") or {}
    author = commit.get("author")
    authors = [] if not isinstance(author, dict) else [
        {"name": author.get("name") or "", "login": (author.get("user") or {}).get("login") or ""}
    ]
    return {"authors": authors, "messageBody": commit.get("messageBody") or ""}


def pull_record(node: dict[str, Any]) -> dict[str, Any]:
    """Convert a stored pull-request node into a ``gh pr list --json`` record, plus timeline and commits."""
    record = _common(node)
    merge_commit = node.get("mergeCommit")
    record.update({
        "isDraft": bool(node.get("isDraft")),
        "mergedAt": node.get("mergedAt"),
        "headRefName": node.get("headRefName"),
        "baseRefName": node.get("baseRefName"),
        "headRefOid": node.get("headRefOid"),
        "baseRefOid": node.get("baseRefOid"),
        "mergeCommit": {"oid": merge_commit["oid"]} if isinstance(merge_commit, dict) and merge_commit.get("oid") else None,
        "reviewDecision": node.get("reviewDecision"),
        "mergeable": _known(node.get("mergeable")),
        "mergeStateStatus": _known(node.get("mergeStateStatus")),
        "closingIssuesReferences": [{"number": n["number"]} for n in _nodes(node.get("closingIssuesReferences"))],
        "files": None if node.get("files") is None else [
            {"path": f["path"], "additions": f.get("additions"), "deletions": f.get("deletions")} for f in _nodes(node.get("files"))
        ],
        "timelineItems": [
            {key: event[key] for key in ("__typename", "createdAt", "reason") if key in event}
            for event in _nodes(node.get("timelineItems"))
        ],
        "commits": [_commit_entry(entry) for entry in _nodes(node.get("commits"))],
        "x_commit_count": (node.get("commits") or {}).get("totalCount") if isinstance(node.get("commits"), dict) else None,
    })
    return record


def merge_commit_line(node: dict[str, Any]) -> dict[str, Any] | None:
    """Convert the landing commit of a merged pull request into a ``commits.jsonl`` record, if it was fetched."""
    commit = node.get("mergeCommit")
    if not isinstance(commit, dict) or not commit.get("oid") or not commit.get("authoredDate"):
        return None
    author = commit.get("author") or {}
    return {
        "sha": commit["oid"],
        "parents": [parent["oid"] for parent in _nodes(commit.get("parents"))],
        "author": author.get("name") or "",
        "author_login": (author.get("user") or {}).get("login"),
        "author_date": commit["authoredDate"],
        "committer": (commit.get("committer") or {}).get("name") or "",
        "committer_date": commit.get("committedDate") or commit["authoredDate"],
        "subject": commit.get("messageHeadline") or "",
        "coauthors": coauthor_names(commit.get("messageBody") or ""),
    }


def queue_record(reading: QueueRecord) -> QueueSnapshot:
    return QueueSnapshot(reading.taken_at, reading.depth, reading.branch, reading.pull_numbers)
