"""Answer GraphQL requests against schema.graphql with graphql-core.

Plain fields resolve from the record dictionaries in ``state``; the resolvers
below build connections (with GitHub's 1..100 ``first`` limit), keyset cursors
for ``orderBy`` lists, ``node(id:)`` look-ups and GitHub-style errors (a
``type`` beside the message, e.g. ``NOT_FOUND``).
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graphql import GraphQLError, GraphQLSchema, build_schema, execute, parse, validate

from fakes.github_api.state import FakeRepository, FakeState, after_key, iso, parse_node_id

Resolver = Callable[..., Any]
MAX_PAGE = 100
_TIMELINE_ENUMS = {
    "AddedToMergeQueueEvent": "ADDED_TO_MERGE_QUEUE_EVENT",
    "RemovedFromMergeQueueEvent": "REMOVED_FROM_MERGE_QUEUE_EVENT",
    "HeadRefForcePushedEvent": "HEAD_REF_FORCE_PUSHED_EVENT",
    "ReadyForReviewEvent": "READY_FOR_REVIEW_EVENT",
    "ConvertToDraftEvent": "CONVERT_TO_DRAFT_EVENT",
    "MergedEvent": "MERGED_EVENT",
    "ClosedEvent": "CLOSED_EVENT",
}


def github_error(message: str, kind: str) -> GraphQLError:
    return GraphQLError(message, extensions={"type": kind})


def _check_first(first: int | None, last: int | None, what: str) -> int:
    size = first if first is not None else last
    if size is None:
        raise github_error(f"You must provide a `first` or `last` value to properly paginate the `{what}` connection.", "MISSING_PAGINATION_BOUNDARIES")
    if not 0 <= size <= MAX_PAGE:
        raise github_error(f"Requesting {size} records on the `{what}` connection exceeds the `first` limit of {MAX_PAGE} records.", "EXCESSIVE_PAGINATION")
    return size


def _offset_cursor(index: int) -> str:
    return base64.b64encode(f"cursor:{index}".encode()).decode()


def _offset_of(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        return int(base64.b64decode(cursor).decode().split(":")[1]) + 1
    except (ValueError, IndexError):
        raise github_error(f"`{cursor}` does not appear to be a valid cursor.", "INVALID_CURSOR_ARGUMENTS") from None


def connection(items: list[Any], first: int | None, after: str | None, what: str, last: int | None = None) -> dict[str, Any]:
    """A connection page over a list, with offset cursors."""
    size = _check_first(first, last, what)
    start = _offset_of(after) if first is not None else max(len(items) - size, 0)
    page = items[start:start + size]
    end = start + len(page) - 1
    return {
        "totalCount": len(items),
        "nodes": page,
        "pageInfo": {
            "hasNextPage": start + len(page) < len(items), "hasPreviousPage": start > 0,
            "endCursor": _offset_cursor(end) if page else None, "startCursor": _offset_cursor(start) if page else None,
        },
    }


def _keyset_cursor(key: tuple[str, int]) -> str:
    return base64.b64encode(("cursor:v2:" + json.dumps(list(key))).encode()).decode()


def _keyset_of(cursor: str) -> tuple[str, int]:
    try:
        text = base64.b64decode(cursor).decode()
        stamp, number = json.loads(text.removeprefix("cursor:v2:"))
        return str(stamp), int(number)
    except (ValueError, TypeError):
        raise github_error(f"`{cursor}` does not appear to be a valid cursor.", "INVALID_CURSOR_ARGUMENTS") from None


def _page(keys: list[tuple[str, int]], records: list[dict[str, Any]], start: int, size: int, total: int,
          after: str | None) -> dict[str, Any]:
    page = records[start:start + size]
    return {
        "totalCount": total,
        "nodes": page,
        "pageInfo": {
            "hasNextPage": start + size < len(records), "hasPreviousPage": after is not None,
            "endCursor": _keyset_cursor(keys[start + len(page) - 1]) if page else None,
            "startCursor": _keyset_cursor(keys[start]) if page else None,
        },
    }


def ordered(repo: FakeRepository, table: str, first: int | None, after: str | None, order: dict | None,
            states: list[str] | None, what: str) -> dict[str, Any]:
    """A page of issues or pull requests sorted by ``orderBy``, with keyset cursors as GitHub's."""
    size = _check_first(first, None, what)
    field = {"UPDATED_AT": "updatedAt", "CREATED_AT": "createdAt"}.get((order or {}).get("field", ""), "createdAt")
    keys, records = repo.in_order(table, field)
    total = len(records)
    if states:
        pairs = [(key, r) for key, r in zip(keys, records, strict=True) if r["state"] in states]
        keys, records = [key for key, _ in pairs], [r for _, r in pairs]
        total = len(records)
    if (order or {}).get("direction") == "DESC":
        keys, records = keys[::-1], records[::-1]
        start = 0 if after is None else next((i for i, key in enumerate(keys) if key < _keyset_of(after)), len(keys))
    else:
        start = after_key(keys, _keyset_of(after) if after is not None else None)
    return _page(keys, records, start, size, total, after)


class GraphQLEngine:
    """The schema with resolvers bound to a ``FakeState``; ``register`` adds or replaces one."""

    def __init__(self, state: FakeState) -> None:
        self.state = state
        self.schema: GraphQLSchema = build_schema((Path(__file__).parent / "schema.graphql").read_text())
        self._parsed = functools.lru_cache(maxsize=64)(self._parse)
        _register_defaults(self)

    def register(self, type_name: str, field_name: str, resolver: Resolver) -> None:
        self.schema.type_map[type_name].fields[field_name].resolve = resolver  # type: ignore[union-attr]

    def remove_field(self, type_name: str, field_name: str) -> None:
        """Drop a field, as an older GitHub Enterprise Server lacks it; queries naming it then fail validation."""
        del self.schema.type_map[type_name].fields[field_name]  # type: ignore[union-attr]
        self._parsed.cache_clear()

    def _parse(self, query: str) -> Any:
        document = parse(query)
        return document, validate(self.schema, document)

    def run(self, query: str, variables: dict[str, Any] | None, operation: str | None, root: dict[str, Any]) -> dict[str, Any]:
        try:
            document, errors = self._parsed(query)
        except GraphQLError as exc:
            return {"errors": [_format(exc)]}
        if errors:
            return {"errors": [_format(e) for e in errors]}
        result = execute(self.schema, document, root_value=root, variable_values=variables or {}, operation_name=operation)
        reply: dict[str, Any] = {"data": result.data}
        if result.errors:
            reply["errors"] = [_format(e) for e in result.errors]
        return reply


def _format(error: GraphQLError) -> dict[str, Any]:
    formatted = dict(error.formatted)
    extensions = formatted.pop("extensions", None) or {}
    if "type" in extensions:
        formatted["type"] = extensions["type"]
    return formatted


def _repository(state: FakeState) -> Resolver:
    def resolve(_root: Any, _info: Any, owner: str, name: str, **_: Any) -> FakeRepository:
        found = state.repository(owner, name)
        if found is None:
            raise github_error(f"Could not resolve to a Repository with the name '{owner}/{name}'.", "NOT_FOUND")
        return found

    return resolve


def _node(state: FakeState) -> Resolver:
    def resolve(_root: Any, _info: Any, id: str) -> Any:  # noqa: A002 - GitHub's argument name
        parsed = parse_node_id(id)
        repository = state.repository(parsed[1], parsed[2]) if parsed else None
        if parsed is None or repository is None:
            raise github_error(f"Could not resolve to a node with the global id of '{id}'", "NOT_FOUND")
        table = repository.pulls if parsed[0] == "PullRequest" else repository.issues
        record = table.get(int(parsed[3]))
        if record is None:
            raise github_error(f"Could not resolve to a node with the global id of '{id}'", "NOT_FOUND")
        return record

    return resolve


def _list_field(key: str, convert: Callable[[Any], Any] = lambda value: value) -> Resolver:
    def resolve(source: dict[str, Any], info: Any, first: int | None = None, after: str | None = None,
                last: int | None = None, **_: Any) -> dict[str, Any]:
        items = [convert(value) for value in source.get(key) or []]
        return connection(items, first, after, info.field_name, last)

    return resolve


def _register_defaults(engine: GraphQLEngine) -> None:
    state = engine.state
    engine.register("Query", "repository", _repository(state))
    engine.register("Query", "node", _node(state))
    engine.register("Query", "viewer", lambda *_: {"__typename": "User", "id": "U_1", "login": "octocat", "url": "https://github.com/octocat"})
    engine.register("Query", "rateLimit", lambda *_a, **_k: None)
    engine.register("Repository", "nameWithOwner", lambda repo, _info: repo.full_name)
    engine.register("Repository", "id", lambda repo, _info: f"R_{repo.full_name}")
    engine.register("Repository", "name", lambda repo, _info: repo.name)
    engine.register("Repository", "url", lambda repo, _info: f"https://github.com/{repo.full_name}")
    engine.register("Repository", "hasIssuesEnabled", lambda *_: True)
    engine.register("Repository", "defaultBranchRef", lambda repo, _info: {"id": "REF", "name": repo.default_branch})

    def issues(repo: FakeRepository, _info: Any, first: int | None = None, after: str | None = None,
               orderBy: dict | None = None, states: list[str] | None = None, **_: Any) -> dict[str, Any]:  # noqa: N803
        return ordered(repo, "issues", first, after, orderBy, states, "issues")

    def pulls(repo: FakeRepository, _info: Any, first: int | None = None, after: str | None = None,
              orderBy: dict | None = None, states: list[str] | None = None, **_: Any) -> dict[str, Any]:  # noqa: N803
        return ordered(repo, "pulls", first, after, orderBy, states, "pullRequests")

    engine.register("Repository", "issues", issues)
    engine.register("Repository", "pullRequests", pulls)
    engine.register("Repository", "issue", lambda repo, _info, number: repo.issues.get(number))
    engine.register("Repository", "pullRequest", lambda repo, _info, number: repo.pulls.get(number))
    engine.register("Repository", "mergeQueue", _merge_queue)

    for type_name in ("Issue", "PullRequest"):
        engine.register(type_name, "labels", _list_field("labels"))
        engine.register(type_name, "assignees", _list_field("assignees", lambda login: {"id": login, "login": login, "url": ""}))
    engine.register("Issue", "closedByPullRequestsReferences", _linked_pulls(state))
    engine.register("Issue", "timelineItems", _issue_timeline(state))
    engine.register("Issue", "comments", _issue_comments(state))
    engine.register("Issue", "parent", lambda issue, _info: _relation_target(state, issue, issue.get("parent")))
    for key in ("subIssues", "blockedBy", "blocking"):
        engine.register("Issue", key, _relation_list(state, key))
    engine.register("Issue", "subIssuesSummary", _sub_issues_summary(state))
    engine.register("Issue", "issueDependenciesSummary", _dependencies_summary(state))
    engine.register("PullRequest", "closingIssuesReferences", _list_field("closingIssuesReferences", lambda n: {"number": n}))
    engine.register("PullRequest", "files", _list_field("files"))
    engine.register("PullRequest", "commits", _list_field("commits", lambda commit: {"commit": commit}))
    engine.register("Commit", "authors", _list_field("authors", lambda a: {"name": a.get("name"), "user": {"login": a["login"]} if a.get("login") else None}))
    engine.register("Commit", "parents", _list_field("parents", lambda oid: {"oid": oid}))

    def timeline(pull: dict[str, Any], info: Any, first: int | None = None, after: str | None = None,
                 itemTypes: list[str] | None = None, **_: Any) -> dict[str, Any]:  # noqa: N803
        events = [e for e in pull.get("timeline") or [] if not itemTypes or _TIMELINE_ENUMS.get(e["__typename"]) in itemTypes]
        return connection([{"id": "E", **e} for e in events], first, after, "timelineItems")

    engine.register("PullRequest", "timelineItems", timeline)


def _repository_of(state: FakeState, record: dict[str, Any]) -> FakeRepository | None:
    parsed = parse_node_id(record.get("id") or "")
    return state.repository(parsed[1], parsed[2]) if parsed else None


def _linked_pulls(state: FakeState) -> Resolver:
    """Linked pull requests as records, so their state reads as it is now (``includeClosedPrs`` is not applied)."""
    def resolve(issue: dict[str, Any], info: Any, first: int | None = None, after: str | None = None, **_: Any) -> dict[str, Any]:
        repository = _repository_of(state, issue)
        pulls = repository.pulls if repository else {}
        items = [pulls.get(n) or {"number": n} for n in issue.get("closedByPullRequestsReferences") or []]
        return connection(items, first, after, info.field_name)

    return resolve


def _issue_timeline(state: FakeState) -> Resolver:
    """Cross-references kept on the issue as ``{"__typename", "createdAt", "source": pull number}``."""
    def resolve(issue: dict[str, Any], _info: Any, first: int | None = None, after: str | None = None,
                last: int | None = None, itemTypes: list[str] | None = None, **_: Any) -> dict[str, Any]:  # noqa: N803
        repository = _repository_of(state, issue)
        events = []
        for event in issue.get("timeline") or []:
            if itemTypes and "CROSS_REFERENCED_EVENT" not in itemTypes:
                continue
            source = repository.pulls.get(event["source"]) if repository else None
            if source is not None:
                events.append({"id": "E", "createdAt": event["createdAt"], "source": source,
                               "willCloseTarget": bool(event.get("willCloseTarget")), "isCrossRepository": False,
                               "__typename": event["__typename"]})
        return connection(events, first, after, "timelineItems", last)

    return resolve


def _issue_comments(state: FakeState) -> Resolver:
    """Comments from the repository's REST ``comments`` store, in GraphQL shape."""
    def resolve(issue: dict[str, Any], _info: Any, first: int | None = None, after: str | None = None,
                last: int | None = None, **_: Any) -> dict[str, Any]:
        repository = _repository_of(state, issue)
        stored = repository.comments.get(issue["number"], []) if repository else []
        items = [{"id": str(c["id"]), "body": c["body"], "createdAt": c["created_at"],
                  "author": {"__typename": "User", "id": c["user"]["login"], "login": c["user"]["login"], "url": ""}}
                 for c in stored]
        return connection(items, first, after, "comments", last)

    return resolve


def _relation_target(state: FakeState, issue: dict[str, Any], entry: int | str | None) -> dict[str, Any] | None:
    """The issue record a relation entry names: a number in the issue's repository, or ``owner/name#N``."""
    if entry is None:
        return None
    if isinstance(entry, str):
        full_name, _, number = entry.partition("#")
        owner, _, name = full_name.partition("/")
        repository = state.repository(owner, name)
        return repository.issues.get(int(number)) if repository else None
    repository = _repository_of(state, issue)
    return repository.issues.get(entry) if repository else None


def _related(state: FakeState, issue: dict[str, Any], key: str) -> list[dict[str, Any]]:
    found = (_relation_target(state, issue, entry) for entry in issue.get(key) or [])
    return [record for record in found if record is not None]


def _relation_list(state: FakeState, key: str) -> Resolver:
    def resolve(issue: dict[str, Any], info: Any, first: int | None = None, after: str | None = None,
                last: int | None = None, **_: Any) -> dict[str, Any]:
        return connection(_related(state, issue, key), first, after, info.field_name, last)

    return resolve


def _sub_issues_summary(state: FakeState) -> Resolver:
    def resolve(issue: dict[str, Any], _info: Any) -> dict[str, Any]:
        children = _related(state, issue, "subIssues")
        completed = sum(1 for child in children if child["state"] == "CLOSED")
        percent = completed * 100 // len(children) if children else 0
        return {"total": len(children), "completed": completed, "percentCompleted": percent}

    return resolve


def _dependencies_summary(state: FakeState) -> Resolver:
    def resolve(issue: dict[str, Any], _info: Any) -> dict[str, Any]:
        blocked_by, blocking = _related(state, issue, "blockedBy"), _related(state, issue, "blocking")
        return {"blockedBy": sum(1 for r in blocked_by if r["state"] == "OPEN"), "totalBlockedBy": len(blocked_by),
                "blocking": sum(1 for r in blocking if r["state"] == "OPEN"), "totalBlocking": len(blocking)}

    return resolve


def _merge_queue(repo: FakeRepository, _info: Any, branch: str | None = None) -> dict[str, Any] | None:
    if repo.merge_queue is None or (branch not in (None, repo.default_branch)):
        return None
    entries = []
    for position, number in enumerate(repo.merge_queue, 1):
        pull = repo.pulls.get(number)
        stamp = pull["updatedAt"] if pull else iso(repo.clock.time())
        entries.append({"id": f"MQE{number}", "position": position, "state": "QUEUED", "enqueuedAt": stamp, "pullRequest": pull})
    return {"id": "MQ", "entries": lambda info, first=None, after=None: connection(entries, first, after, "entries")}
