"""Sync one repository's issues, pull requests and merge queue into the store.

Issues and pull requests are read in pages ordered by ``updatedAt`` ascending.
After each page the items and the page's end cursor are saved in one
transaction. The next run starts after the stored cursor, so it reads only what
changed since, and a run that stopped part-way continues where it stopped.
Items are saved by number, so reading one twice replaces it instead of
duplicating it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from agentlanes.errors import RemoteError
from agentlanes.github import queries
from agentlanes.github.client import ClientObserver, GitHubClient, RequestLimitReached
from agentlanes.github.endpoint import Endpoint, RepoRef
from agentlanes.github.pages import ISSUES, PULLS, ConnectionSpec, PageFetcher
from agentlanes.store import QueueRecord, Store

log = logging.getLogger("agentlanes.github")


class SyncProgress(ClientObserver, Protocol):
    """Callbacks a sync makes while it runs; the CLI draws its progress bar from them."""

    def start(self, connection: str, total: int | None) -> None: ...

    def advance(self, connection: str, items: int) -> None: ...


@dataclass
class SyncReport:
    """Outcome of one run. ``complete`` is false when ``max_requests`` stopped it early;
    ``incremental`` is true when it started after stored cursors, and ``resumed`` when
    the previous run of the repository had not completed."""

    repository: str
    host: str
    transport: str
    database: Path
    issues: int = 0
    pulls: int = 0
    stored_issues: int = 0
    stored_pulls: int = 0
    requests: int = 0
    retries: int = 0
    waited_seconds: float = 0.0
    complete: bool = True
    incremental: bool = False
    resumed: bool = False
    queue_depth: int | None = None
    queue_note: str = ""
    budget_remaining: int | None = None
    truncated: dict[str, int] = field(default_factory=dict)
    # Errors GitHub reported beside otherwise complete pages (the fields they name are empty).
    partial_errors: int = 0
    # Which issue relations this GitHub could not report; empty when it reported all of them.
    relations_note: str = ""


def _now(client: GitHubClient) -> datetime:
    return datetime.fromtimestamp(client.clock.time(), UTC)


class RepositorySync:
    """One sync run of one repository into an open store."""

    def __init__(self, client: GitHubClient, store: Store, endpoint: Endpoint, repo: RepoRef,
                 progress: SyncProgress | None = None) -> None:
        self.client = client
        self.store = store
        self.repo = repo
        self.progress = progress
        self.fetcher = PageFetcher(client, repo)
        self.stored = store.ensure_repository(endpoint.host, repo.owner, repo.name)
        self.report = SyncReport(repo.full_name, endpoint.host, client.transport.name, store.path)
        self.default_branch: str | None = None

    def run(self, *, full: bool = False) -> SyncReport:
        if full:
            with self.store.transaction():
                self.store.clear_cursors(self.stored)
        self.report.incremental = any(self.store.cursor(self.stored, spec.key) for spec in (ISSUES, PULLS))
        self.report.resumed = self.store.last_run_status(self.stored) not in (None, "complete")
        run_id = self.store.begin_run(self.stored, _now(self.client), self.client.transport.name)
        status, message = "failed", ""
        try:
            for spec in (ISSUES, PULLS):
                self._sync_connection(spec)
            self._snapshot_queue()
            status = "complete"
        except RequestLimitReached as exc:
            self.report.complete = False
            status, message = "stopped", f"reached --max-requests {exc.args[0]}"
        except KeyboardInterrupt:
            status, message = "interrupted", "interrupted by the user"
            raise
        except RemoteError as exc:
            message = exc.message
            raise
        finally:
            self._finish(run_id, status, message)
        return self.report

    def _finish(self, run_id: int, status: str, message: str) -> None:
        report = self.report
        report.requests = self.client.requests
        report.retries = self.client.retries
        report.waited_seconds = self.client.waited_seconds
        report.budget_remaining = self.client.budget.remaining
        report.truncated = dict(sorted(self.fetcher.truncated.items()))
        report.partial_errors = self.fetcher.partial_errors
        report.relations_note = self.fetcher.relations.fields.note
        report.stored_issues = self.store.count(self.stored, "issues")
        report.stored_pulls = self.store.count(self.stored, "pulls")
        self.store.finish_run(run_id, _now(self.client), status, requests=report.requests, issues=report.issues,
                              pulls=report.pulls, message=message)

    def _sync_connection(self, spec: ConnectionSpec) -> None:
        # NOTE: issues deleted or transferred on GitHub no longer appear in these
        # lists, so they stay in the store as last synced.
        cursor = self.store.cursor(self.stored, spec.key)
        number = 0
        while True:
            number += 1
            page = self.fetcher.fetch(spec, cursor, number)
            self.default_branch = self.default_branch or page.default_branch
            if number == 1 and self.progress is not None:
                self.progress.start(spec.key, page.total if cursor is None else None)
            self._save(spec, page.nodes, page.end_cursor)
            setattr(self.report, spec.key, getattr(self.report, spec.key) + len(page.nodes))
            if self.progress is not None:
                self.progress.advance(spec.key, len(page.nodes))
            if not page.has_next or page.end_cursor is None:
                return
            cursor = page.end_cursor

    def _save(self, spec: ConnectionSpec, nodes: list[dict[str, Any]], end_cursor: str | None) -> None:
        moment = _now(self.client)
        with self.store.transaction():
            if spec is ISSUES:
                self.store.save_issues(self.stored, nodes, moment)
            else:
                self.store.save_pulls(self.stored, nodes, moment)
            if end_cursor:
                self.store.set_cursor(self.stored, spec.key, end_cursor, moment)

    def _snapshot_queue(self) -> None:
        branch = self.default_branch
        with self.store.transaction():
            self.store.set_default_branch(self.stored, branch)
        if not branch:
            self.report.queue_note = "the repository has no default branch; no snapshot stored"
            return
        variables = {"owner": self.repo.owner, "name": self.repo.name, "branch": branch}
        try:
            reply = self.client.graphql(queries.MERGE_QUEUE, variables, description=f"merge queue of {self.repo.full_name}")
        except RemoteError as exc:
            if "mergeQueue" not in exc.message:
                raise
            self.report.queue_note = "this GitHub has no merge queue API; no snapshot stored"
            log.warning("%s", self.report.queue_note)
            return
        queue = (reply.data.get("repository") or {}).get("mergeQueue")
        if not isinstance(queue, dict):
            self.report.queue_note = f"no merge queue on {branch}; no snapshot stored"
            return
        entries = queue.get("entries") or {}
        numbers = tuple(
            entry["pullRequest"]["number"] for entry in entries.get("nodes") or []
            if isinstance(entry, dict) and isinstance(entry.get("pullRequest"), dict)
        )
        depth = entries.get("totalCount", len(numbers))
        with self.store.transaction():
            self.store.add_queue_snapshot(self.stored, QueueRecord(_now(self.client), branch, depth, numbers))
        self.report.queue_depth = depth
