"""Fetch one page of issues or pull requests, completing each item's nested lists.

A page is checked before it is used: a reply whose end cursor repeats one sync
has already seen would make the sync loop or skip items, so it counts as a
failed request and is sent again. An issue page's relation lists (sub-issues,
blocked-by, blocking) are read before the page is returned, so a stored page
is always complete.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentlanes.errors import RemoteError
from agentlanes.github import queries
from agentlanes.github.client import GitHubClient, GraphQLReply, QueryRejected
from agentlanes.github.endpoint import RepoRef
from agentlanes.github.relations import RelationSupport, nonempty_lists

log = logging.getLogger("agentlanes.github")


@dataclass(frozen=True)
class ConnectionSpec:
    """One paginated list of a repository: ``issues`` or ``pulls``."""

    key: str
    field: str
    query: str
    page_size: int


ISSUES = ConnectionSpec("issues", "issues", queries.ISSUES, queries.ISSUE_PAGE_SIZE)
PULLS = ConnectionSpec("pulls", "pullRequests", queries.PULLS, queries.PULL_PAGE_SIZE)


@dataclass
class Page:
    nodes: list[dict[str, Any]]
    end_cursor: str | None
    has_next: bool
    total: int | None
    # Read by the issue query only, so that the merge-queue query can name the branch.
    default_branch: str | None = None


@dataclass
class PageFetcher:
    """Fetches pages of one repository and remembers the cursors seen in this run."""

    client: GitHubClient
    repo: RepoRef
    page_sizes: dict[str, int] = field(default_factory=dict)
    seen: dict[str, set[str]] = field(default_factory=dict)
    truncated: Counter[str] = field(default_factory=Counter)
    partial_errors: int = 0
    # Pages in a row fetched at a reduced page size, per list.
    small_pages: Counter[str] = field(default_factory=Counter)
    relations: RelationSupport = field(default_factory=RelationSupport)

    def fetch(self, spec: ConnectionSpec, after: str | None, number: int) -> Page:
        size = self.page_sizes.setdefault(spec.key, spec.page_size)
        variables = {"owner": self.repo.owner, "name": self.repo.name, "first": size, "after": after}
        reply = self._send_page(spec, variables, number)
        self._recover(spec)
        repository = _repository(reply, self.repo)
        connection = repository[spec.field]
        default_branch = (repository.get("defaultBranchRef") or {}).get("name")
        if reply.errors:
            self.partial_errors += len(reply.errors)
            log.warning(
                "%s page %d: GitHub reported %d errors beside the data (first: %s); the fields they name are stored empty",
                spec.key, number, len(reply.errors), reply.errors[0].get("message"),
            )
        info = connection["pageInfo"]
        nodes = list(connection["nodes"])
        if info.get("endCursor"):
            self.seen.setdefault(spec.key, set()).add(info["endCursor"])
        if spec is PULLS:
            self._complete_pulls(nodes, number)
        else:
            self._complete_relations(nodes, number)
        for node in nodes:
            self._count_cuts(node)
        return Page(nodes, info.get("endCursor"), bool(info.get("hasNextPage")), connection.get("totalCount"), default_branch)

    def _send_page(self, spec: ConnectionSpec, variables: dict[str, Any], number: int) -> GraphQLReply:
        """Send a page query; after a rejection naming relation fields, send it again without them."""
        while True:
            query = queries.issues_query(self.relations.fields.selection) if spec is ISSUES else spec.query
            try:
                return self.client.graphql(
                    query,
                    variables,
                    description=f"{spec.key} page {number} of {self.repo.full_name}",
                    shrink=lambda sent: self._shrink(spec, sent),
                    check=lambda got, sent: self._check(spec, got, sent),
                )
            except QueryRejected as exc:
                if spec is not ISSUES or not self.relations.step_down(exc.errors):
                    raise
                detail = "; ".join(str(error.get("message")) for error in exc.errors[:3])
                log.warning("GitHub rejected issue relation fields on %s page %d (%s); asking again without them",
                            spec.key, number, detail)

    def _shrink(self, spec: ConnectionSpec, sent: dict[str, Any]) -> dict[str, Any] | None:
        self.small_pages[spec.key] = 0
        if sent["first"] <= queries.MIN_PAGE_SIZE:
            return None
        smaller = max(queries.MIN_PAGE_SIZE, sent["first"] // 2)
        self.page_sizes[spec.key] = smaller
        return {**sent, "first": smaller}

    def _recover(self, spec: ConnectionSpec) -> None:
        if self.page_sizes[spec.key] >= spec.page_size:
            return
        self.small_pages[spec.key] += 1
        if self.small_pages[spec.key] >= queries.RECOVER_AFTER_PAGES:
            self.page_sizes[spec.key] = min(spec.page_size, self.page_sizes[spec.key] * 2)
            self.small_pages[spec.key] = 0

    def _check(self, spec: ConnectionSpec, reply: GraphQLReply, sent: dict[str, Any]) -> str | None:
        repository = reply.data.get("repository")
        if not isinstance(repository, dict):
            return None  # reported by _repository as not found
        connection = repository.get(spec.field)
        if not isinstance(connection, dict) or not isinstance(connection.get("nodes"), list):
            return f"the reply has no {spec.field} list"
        if any(not isinstance(node, dict) or not isinstance(node.get("number"), int) for node in connection["nodes"]):
            # A null item is one GitHub failed to resolve. Storing the page without it
            # would move the cursor past it for good, so the page is fetched again.
            errors = "; ".join(str(e.get("message")) for e in reply.errors[:2])
            return f"the {spec.field} list has an empty or unnumbered item" + (f" ({errors})" if errors else "")
        end = (connection.get("pageInfo") or {}).get("endCursor")
        if end and connection["nodes"] and (end == sent["after"] or end in self.seen.get(spec.key, ())):
            return f"GitHub sent the end cursor {end!r} again, which would repeat or skip items"
        return None

    def _complete_pulls(self, nodes: list[dict[str, Any]], number: int) -> None:
        """Fetch the files, timeline events and closing issues past each PR's first nested page."""
        pending: list[tuple[dict[str, Any], str, str | None]] = []
        for node in nodes:
            for key in queries.FOLLOW_UPS:
                connection = node.get(key)
                if not isinstance(connection, dict):
                    continue  # null: GitHub could not list them, which differs from an empty list
                info = connection.get("pageInfo") or {}
                node[key] = {"totalCount": connection.get("totalCount"), "nodes": list(connection.get("nodes") or [])}
                if info.get("hasNextPage") and info.get("endCursor"):
                    pending.append((node, key, info["endCursor"]))
        self._follow(pending, queries.follow_up_query, queries.FOLLOW_UP_BATCH, f"long lists of pulls page {number}")

    def _complete_relations(self, nodes: list[dict[str, Any]], number: int) -> None:
        """Fetch the sub-issue, blocked-by and blocking lists of the issues whose counts are above zero."""
        pending: list[tuple[dict[str, Any], str, str | None]] = []
        for node in nodes:
            for key in nonempty_lists(node):
                node[key] = {"totalCount": None, "nodes": []}
                pending.append((node, key, None))
        self._follow(pending, queries.relation_query, queries.RELATION_BATCH, f"relation lists of issues page {number}")

    def _follow(self, pending: list[tuple[dict[str, Any], str, str | None]], build: Callable[[list[str]], str],
                batch_size: int, what: str) -> None:
        """Read each pending list (node, field, cursor) to its end, ``batch_size`` lists to a request.

        Each list is an alias of one query, and its nodes are appended to ``node[field]["nodes"]``.
        """
        while pending:
            batch, pending = pending[:batch_size], pending[batch_size:]
            keys = [key for _, key, _ in batch]
            variables: dict[str, Any] = {}
            for index, (node, _, cursor) in enumerate(batch):
                variables[f"id{index}"], variables[f"after{index}"] = node["id"], cursor
            reply = self.client.graphql(
                build(keys),
                variables,
                description=f"{len(batch)} {what} in {self.repo.full_name}",
                check=lambda got, sent, keys=keys: _check_follow_ups(got, sent, keys),
            )
            for index, (node, key, _) in enumerate(batch):
                more = reply.data[f"l{index}"][key]
                if node[key]["totalCount"] is None:
                    node[key]["totalCount"] = more.get("totalCount")
                node[key]["nodes"].extend(n for n in more.get("nodes") or [] if n is not None)
                info = more.get("pageInfo") or {}
                if info.get("hasNextPage") and info.get("endCursor"):
                    pending.append((node, key, info["endCursor"]))

    def _count_cuts(self, node: dict[str, Any]) -> None:
        for key in ("labels", "assignees", "commits", "closedByPullRequestsReferences"):
            connection = node.get(key)
            if isinstance(connection, dict) and isinstance(connection.get("totalCount"), int):
                if connection["totalCount"] > len(connection.get("nodes") or []):
                    self.truncated[key] += 1


def _check_follow_ups(reply: GraphQLReply, sent: dict[str, Any], keys: list[str]) -> str | None:
    for index, key in enumerate(keys):
        connection = (reply.data.get(f"l{index}") or {}).get(key)
        if not isinstance(connection, dict) or not isinstance(connection.get("nodes"), list):
            return f"GitHub returned no {key} page for node id {sent[f'id{index}']}"
        end = (connection.get("pageInfo") or {}).get("endCursor")
        if end and end == sent[f"after{index}"] and connection["nodes"]:
            return f"GitHub sent the {key} cursor {end!r} again, which would repeat items"
    return None


def _repository(reply: GraphQLReply, repo: RepoRef) -> dict[str, Any]:
    repository = reply.data.get("repository")
    if isinstance(repository, dict):
        return repository
    detail = "; ".join(str(e.get("message")) for e in reply.errors) or "GitHub returned no repository"
    raise RemoteError(f"repository {repo.full_name} not found: {detail}", "check the name and that the token can read it")
