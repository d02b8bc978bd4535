"""Fill a fake repository from a recorded data set, or with generated items.

A data set folder contains ``gh issue list --json`` / ``gh pr list --json`` records
(``issues.json``, ``pulls.json``) and optionally ``commits.jsonl``. Each record
becomes the GraphQL node GitHub would serve for it: bot authors as ``Bot``
actors, review summaries as ``reviewDecision``, ``Co-authored-by`` names as
commit trailers, landing commits from ``commits.jsonl``. Data sets carry no
``updatedAt``, so it is the latest of the creation, close and merge times.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from fakes.github_api.state import FakeRepository, iso


def _actor(author: Any) -> dict[str, Any] | None:
    if not isinstance(author, dict) or not author.get("login"):
        return None
    login = author["login"]
    if login.startswith("app/"):
        return {"__typename": "Bot", "login": login[len("app/"):]}
    return {"__typename": "User", "login": login}


def _numbers(values: Any) -> list[int]:
    return [v["number"] if isinstance(v, dict) else v for v in values or [] if isinstance(v, (dict, int))]


def _labels(values: Any) -> list[dict[str, Any]]:
    return [{"name": v, "description": ""} if isinstance(v, str) else {"name": v["name"], "description": v.get("description") or ""}
            for v in values or []]


def _logins(values: Any) -> list[str]:
    return [v if isinstance(v, str) else v["login"] for v in values or []]


def _updated(record: dict[str, Any]) -> str:
    stamps = [record.get(key) for key in ("updatedAt", "createdAt", "closedAt", "mergedAt")]
    from agentlanes.timeutil import format_timestamp, parse_timestamp

    known = [parse_timestamp(s) for s in stamps if s]
    return format_timestamp(max(known)) if known else "1970-01-01T00:00:00Z"


def _review_decision(record: dict[str, Any]) -> str | None:
    if record.get("reviewDecision"):
        return record["reviewDecision"]
    summary = record.get("reviewDecisionSummary") or {}
    if not summary:
        return None
    if summary.get("CHANGES_REQUESTED"):
        return "CHANGES_REQUESTED"
    return "APPROVED" if summary.get("APPROVED") else "REVIEW_REQUIRED"


def _commit_node(line: dict[str, Any]) -> dict[str, Any]:
    trailers = "\n".join(f"Co-authored-by: {name}" for name in line.get("coauthors") or [])
    return {
        "id": line["sha"], "oid": line["sha"], "messageHeadline": line.get("subject") or "", "messageBody": trailers,
        "authoredDate": line["author_date"], "committedDate": line.get("committer_date") or line["author_date"],
        "author": {"name": line.get("author"), "user": {"login": line["author_login"]} if line.get("author_login") else None},
        "committer": {"name": line.get("committer")}, "parents": list(line.get("parents") or []), "authors": [],
    }


def _pull_commits(count: int, trailers: str) -> list[dict[str, Any]]:
    """``count`` commits, the first carrying the recorded co-author trailers."""
    commits = [{"messageBody": "", "authors": []} for _ in range(max(count, 1 if trailers else 0))]
    if trailers:
        commits[0]["messageBody"] = trailers
    return commits


def pull_fields(record: dict[str, Any], commits: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The fake's node fields for one ``gh pr list --json`` record."""
    state = record["state"].upper()
    if state == "CLOSED" and record.get("mergedAt"):
        state = "MERGED"
    oid = (record.get("mergeCommit") or {}).get("oid")
    merge_commit = _commit_node(commits[oid]) if oid in commits else ({"id": oid, "oid": oid, "parents": [], "authors": []} if oid else None)
    provenance = record.get("x_provenance") or {}
    trailers = "\n".join(f"Co-authored-by: {name}" for name in provenance.get("coauthors") or [])
    closing = list(dict.fromkeys(_numbers(record.get("closingIssuesReferences")) + _numbers(record.get("x_commitClosingIssuesReferences"))))
    return {
        "title": record["title"], "body": record.get("body") or "", "state": state, "isDraft": bool(record.get("isDraft")),
        "url": record.get("url") or "", "createdAt": record["createdAt"], "updatedAt": _updated(record),
        "closedAt": record.get("closedAt"), "mergedAt": record.get("mergedAt"), "author": _actor(record.get("author")),
        "headRefName": record.get("headRefName"), "baseRefName": record.get("baseRefName"),
        "headRefOid": record.get("headRefOid"), "baseRefOid": record.get("baseRefOid"), "reviewDecision": _review_decision(record),
        "mergeCommit": merge_commit, "labels": _labels(record.get("labels")), "assignees": _logins(record.get("assignees")),
        "closingIssuesReferences": closing, "files": list(record.get("files") or []),
        "commits": _pull_commits(provenance.get("commit_count") or 0, trailers),
    }


def issue_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The fake's node fields for one ``gh issue list --json`` record."""
    return {
        "title": record["title"], "body": record.get("body") or "", "state": record["state"].upper(),
        "url": record.get("url") or "", "createdAt": record.get("createdAt"), "updatedAt": _updated(record),
        "closedAt": record.get("closedAt"), "author": _actor(record.get("author")),
        "labels": _labels(record.get("labels")), "assignees": _logins(record.get("assignees")),
        "closedByPullRequestsReferences": _numbers(record.get("closedByPullRequestsReferences")),
    }


def load_data_set(repository: FakeRepository, folder: Path, *, with_commits: bool = True) -> None:
    """Serve a recorded data set's issues and pull requests from ``repository``."""
    commits: dict[str, dict[str, Any]] = {}
    if with_commits and (folder / "commits.jsonl").is_file():
        for line in (folder / "commits.jsonl").read_text().splitlines():
            if line.strip():
                entry = json.loads(line)
                commits[entry["sha"]] = entry
    for record in json.loads((folder / "issues.json").read_text()):
        if record.get("state"):
            repository.add_issue(record["number"], **issue_fields(record))
    for record in json.loads((folder / "pulls.json").read_text()):
        repository.add_pull(record["number"], **pull_fields(record, commits))


def generate(repository: FakeRepository, issues: int, pulls: int, *, seed: int = 1, start: float = 1_700_000_000,
             related: float = 0.0) -> None:
    """Add issues numbered 1..``issues`` and pull requests after them, with varied, reproducible content.

    ``related`` is the share of issues (after the first) that become a sub-issue of,
    or blocked by, an earlier issue. The other items are the same for any share.
    """
    rng = random.Random(seed)
    paths = [f"src/module_{i // 10}/file_{i}.py" for i in range(400)]
    for number in range(1, issues + 1):
        created = start + number * 600
        closed = iso(created + 86_400) if rng.random() < 0.6 else None
        repository.add_issue(
            number, title=f"Issue {number}", body=f"Steps to reproduce {number}\n" * 3, createdAt=iso(created),
            updatedAt=closed or iso(created), closedAt=closed, state="CLOSED" if closed else "OPEN",
            labels=[{"name": rng.choice(["bug", "feature", "docs"]), "description": ""}],
        )
    if related:
        _relate(repository, issues, related, random.Random(seed + 1))
    for number in range(issues + 1, issues + pulls + 1):
        created = start + number * 600
        merged = iso(created + 7_200) if rng.random() < 0.7 else None
        files = [{"path": p, "additions": rng.randint(1, 80), "deletions": rng.randint(0, 40)}
                 for p in rng.sample(paths, rng.randint(1, 8))]
        agent = number % 5 == 0
        repository.add_pull(
            number, title=f"Change {number}", body=f"Fixes #{rng.randint(1, max(issues, 1))}", createdAt=iso(created),
            updatedAt=merged or iso(created), mergedAt=merged, closedAt=merged, state="MERGED" if merged else "OPEN",
            files=files, author={"__typename": "Bot", "login": "copilot-swe-agent"} if agent else {"__typename": "User", "login": "octocat"},
            headRefName=f"copilot/change-{number}" if agent else f"feature/{number}",
        )


def _relate(repository: FakeRepository, issues: int, share: float, rng: random.Random) -> None:
    """Link issues to earlier ones as they were created, so no ``updatedAt`` moves."""
    for number in range(2, issues + 1):
        if rng.random() >= share:
            continue
        target = rng.randint(1, number - 1)
        record, other = repository.issues[number], repository.issues[target]
        if rng.random() < 0.5 and record["parent"] is None:
            record["parent"] = target
            other["subIssues"].append(number)
        else:
            record["blockedBy"].append(target)
            other["blocking"].append(number)
    repository.version += 1
