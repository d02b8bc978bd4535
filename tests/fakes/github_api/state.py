"""Mutable repository state behind the GitHub fake.

Records use GraphQL field names. Nested lists are plain Python lists (labels as
``{"name", "description"}``, assignees as logins, files as ``{"path",
"additions", "deletions"}``, timeline events as ``{"__typename", "createdAt"}``,
relations as issue numbers, or ``owner/name#N`` for an issue of another
repository), and resolvers turn them into connections. Every change bumps ``updatedAt`` from
the fake's clock, so an incremental sync reads it again, as on GitHub.
"""

from __future__ import annotations

import base64
import bisect
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol


class Clock(Protocol):
    def time(self) -> float: ...


class ManualClock:
    """A clock that advances only through ``sleep`` and ``advance``, shared by the fake and the client."""

    def __init__(self, start: float | None = None) -> None:
        self.now = float(int(time.time())) if start is None else start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def time(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def node_id(kind: str, owner: str, name: str, number: int | str) -> str:
    return base64.b64encode(f"{kind}:{owner}/{name}:{number}".encode()).decode()


def parse_node_id(value: str) -> tuple[str, str, str, str] | None:
    try:
        kind, full_name, number = base64.b64decode(value, validate=True).decode().split(":")
        owner, name = full_name.split("/")
    except (ValueError, UnicodeDecodeError):
        return None
    return kind, owner, name, number


@dataclass
class FakeRepository:
    """One repository: issues, pull requests, merge queue, labels and comments."""

    owner: str
    name: str
    clock: Clock
    default_branch: str = "main"
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Pull request numbers in queue order; ``None`` means the branch has no merge queue.
    merge_queue: list[int] | None = None
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    # Logins the REST assignees endpoint ignores, as GitHub ignores accounts it cannot assign.
    unassignable: set[str] = field(default_factory=set)
    lock: threading.RLock = field(default_factory=threading.RLock)
    # Bumped by every change made through the methods below; keys the sorted-order cache.
    version: int = 0
    _orders: dict[tuple[str, str], tuple[int, list[tuple[str, int]], list[dict[str, Any]]]] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def _stamp(self) -> str:
        return iso(self.clock.time())

    def _base(self, kind: str, number: int, fields: dict[str, Any]) -> dict[str, Any]:
        created = fields.get("createdAt") or self._stamp()
        record = {
            "__typename": kind, "number": number, "title": f"{kind} {number}", "body": "",
            "url": f"https://github.com/{self.full_name}/{'pull' if kind == 'PullRequest' else 'issues'}/{number}",
            "createdAt": created, "updatedAt": created, "closedAt": None,
            "author": {"__typename": "User", "login": "octocat"}, "labels": [], "assignees": [],
        }
        record.update(fields)
        record["id"] = node_id(kind, self.owner, self.name, number)
        return record

    def add_issue(self, number: int, **fields: Any) -> dict[str, Any]:
        defaults = {"state": "OPEN", "closedByPullRequestsReferences": [], "parent": None, "subIssues": [],
                    "blockedBy": [], "blocking": []}
        record = self._base("Issue", number, {**defaults, **fields})
        with self.lock:
            self.issues[number] = record
            self.version += 1
        return record

    def add_pull(self, number: int, **fields: Any) -> dict[str, Any]:
        defaults = {
            "state": "OPEN", "isDraft": False, "mergedAt": None, "headRefName": f"topic-{number}",
            "baseRefName": self.default_branch, "headRefOid": f"{number:040x}", "reviewDecision": None,
            "mergeable": "UNKNOWN", "mergeStateStatus": "UNKNOWN", "mergeCommit": None, "files": [],
            "timeline": [], "commits": [], "closingIssuesReferences": [],
        }
        record = self._base("PullRequest", number, {**defaults, **fields})
        with self.lock:
            self.pulls[number] = record
            self.version += 1
        return record

    def item(self, number: int) -> dict[str, Any]:
        with self.lock:
            found = self.issues.get(number) or self.pulls.get(number)
        if found is None:
            raise KeyError(f"{self.full_name} has no issue or pull request #{number}")
        return found

    def update(self, number: int, **changes: Any) -> dict[str, Any]:
        """Change fields of an issue or pull request and move its ``updatedAt`` to now."""
        with self.lock:
            record = self.item(number)
            record.update(changes)
            record["updatedAt"] = self._stamp()
            self.version += 1
            return record

    def add_event(self, number: int, typename: str, **fields: Any) -> None:
        """Append a timeline event (``AddedToMergeQueueEvent`` ...) to a pull request."""
        with self.lock:
            record = self.pulls[number]
            record["timeline"].append({"__typename": typename, "createdAt": self._stamp(), **fields})
            record["updatedAt"] = self._stamp()
            self.version += 1

    def link_pull(self, issue: int, pull: int, *, closing: bool = True) -> None:
        """Reference an issue from a pull request, as a "Fixes #N" (``closing``) or a plain "#N" in its body does.

        The issue gets a ``CrossReferencedEvent``; a closing reference also lists the
        pull request in the issue's ``closedByPullRequestsReferences`` and the issue in
        the pull request's ``closingIssuesReferences``.
        """
        with self.lock:
            record = self.issues[issue]
            if closing:
                record["closedByPullRequestsReferences"] = [*record.get("closedByPullRequestsReferences", []), pull]
                self.pulls[pull]["closingIssuesReferences"] = [*self.pulls[pull]["closingIssuesReferences"], issue]
            record.setdefault("timeline", []).append(
                {"__typename": "CrossReferencedEvent", "createdAt": self._stamp(), "source": pull, "willCloseTarget": closing})
            record["updatedAt"] = self._stamp()
            self.version += 1

    def add_sub_issue(self, parent: int, child: int | str) -> None:
        """Make ``child`` a sub-issue of ``parent`` and move the ``updatedAt`` of both.

        A child in another repository (``owner/name#N``) is listed under the parent
        only; its own record is not changed.
        """
        self._relate(parent, "subIssues", child, "parent")

    def add_blocked_by(self, issue: int, blocker: int | str) -> None:
        """Record that ``blocker`` blocks ``issue`` on both issues and move the ``updatedAt`` of both."""
        self._relate(issue, "blockedBy", blocker, "blocking")

    def remove_blocked_by(self, issue: int, blocker: int) -> None:
        with self.lock:
            self.issues[issue]["blockedBy"].remove(blocker)
            self.issues[blocker]["blocking"].remove(issue)
            for number in (issue, blocker):
                self.issues[number]["updatedAt"] = self._stamp()
            self.version += 1

    def _relate(self, number: int, key: str, target: int | str, reverse: str) -> None:
        # NOTE: GitHub does not document whether a relation change moves updatedAt.
        # The fake assumes that it moves on both issues.
        with self.lock:
            record = self.issues[number]
            record[key] = [*record[key], target]
            record["updatedAt"] = self._stamp()
            if isinstance(target, int):
                other = self.issues[target]
                other[reverse] = number if reverse == "parent" else [*other[reverse], number]
                other["updatedAt"] = self._stamp()
            self.version += 1

    def in_order(self, table: str, field: str) -> tuple[list[tuple[str, int]], list[dict[str, Any]]]:
        """Keys ``(field value, number)`` in ascending order and the records beside them, cached per version."""
        with self.lock:
            cached = self._orders.get((table, field))
            if cached is not None and cached[0] == self.version:
                return cached[1], cached[2]
            records = self.issues if table == "issues" else self.pulls
            pairs = sorted(((record[field] or "", record["number"]), record) for record in records.values())
            keys, ordered = [key for key, _ in pairs], [record for _, record in pairs]
            self._orders[(table, field)] = (self.version, keys, ordered)
            return keys, ordered


def after_key(keys: list[tuple[str, int]], mark: tuple[str, int] | None) -> int:
    """Index of the first key after ``mark`` in ascending ``keys``."""
    return 0 if mark is None else bisect.bisect_right(keys, mark)


class FakeState:
    """All repositories of the fake, by ``owner/name`` (case-insensitive, as GitHub)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._repositories: dict[str, FakeRepository] = {}
        self._lock = threading.Lock()

    def add_repository(self, owner: str, name: str, **fields: Any) -> FakeRepository:
        repository = FakeRepository(owner, name, self.clock, **fields)
        with self._lock:
            self._repositories[repository.full_name.lower()] = repository
        return repository

    def repository(self, owner: str, name: str) -> FakeRepository | None:
        with self._lock:
            return self._repositories.get(f"{owner}/{name}".lower())
