"""Parse GitHub REST list payloads (``/issues``, ``/pulls``, snake_case fields).

Items of the ``/issues`` list that carry a ``pull_request`` key are pull requests;
they become ``PullRequest`` records with what the issue view has (no branch names
or files), and a ``/pulls`` item for the same number replaces them.
"""

from __future__ import annotations

from typing import Any

from agentlanes.model import GHOST, Author, Issue, IssueState, PullRequest, PullState, Skip
from agentlanes.sources.camel import normalise_login, parse_labels, parse_logins
from agentlanes.sources.payload import Item


def _user(value: Any, item: Item, field: str) -> Author:
    if value is None:
        return GHOST
    if not isinstance(value, dict) or not isinstance(value.get("login"), str):
        raise item.fail(field, f"must be an object with a login, got {value!r}", "fix or remove this item")
    login, is_bot = normalise_login(value["login"], value.get("type") == "Bot", None)
    if value.get("type") == "Bot" and not login.startswith("app/"):
        login = "app/" + login
    return Author(login, is_bot if value.get("type") != "Bot" else True)


def looks_like_rest(data: dict[str, Any]) -> bool:
    return any(key in data for key in ("created_at", "html_url", "user", "node_id"))


def is_rest_pull(data: dict[str, Any]) -> bool:
    return "pull_request" in data or ("head" in data and "base" in data)


def parse_issue(item: Item, skips: list[Skip]) -> Issue | None:
    number = item.number_field()
    raw_state = item.require("state")
    if raw_state not in ("open", "closed"):
        raise item.fail("state", f"must be 'open' or 'closed', got {raw_state!r}", "fix or remove this item")
    return Issue(
        number=number,
        title=item.text("title", required=True),
        body=item.text("body"),
        state=IssueState(raw_state),
        created_at=item.timestamp("created_at", required=True),
        closed_at=item.timestamp("closed_at"),
        updated_at=item.timestamp("updated_at"),
        author=_user(item.raw("user"), item, "user"),
        assignees=parse_logins(item, "assignees"),
        labels=parse_labels(item),
        url=item.text("html_url"),
    )


def parse_pull(item: Item) -> PullRequest:
    number = item.number_field()
    raw_state = item.require("state")
    if raw_state not in ("open", "closed"):
        raise item.fail("state", f"must be 'open' or 'closed', got {raw_state!r}", "fix or remove this item")
    nested = item.raw("pull_request") if isinstance(item.raw("pull_request"), dict) else {}
    merged_at_raw = item.raw("merged_at") or nested.get("merged_at")
    merged_at = Item({"merged_at": merged_at_raw}, item.where, item.position).timestamp("merged_at")
    if raw_state == "open":
        state = PullState.OPEN
    else:
        state = PullState.MERGED if merged_at else PullState.CLOSED
    head = item.raw("head") if isinstance(item.raw("head"), dict) else {}
    base = item.raw("base") if isinstance(item.raw("base"), dict) else {}
    mergeable = item.raw("mergeable")
    return PullRequest(
        number=number,
        title=item.text("title", required=True),
        body=item.text("body"),
        state=state,
        created_at=item.timestamp("created_at", required=True),  # type: ignore[arg-type]
        merged_at=merged_at,
        closed_at=item.timestamp("closed_at"),
        author=_user(item.raw("user"), item, "user"),
        is_draft=bool(item.raw("draft")),
        head_ref=head.get("ref"),
        base_ref=base.get("ref"),
        head_oid=head.get("sha"),
        merge_commit_oid=item.raw("merge_commit_sha") if state is PullState.MERGED else None,
        labels=parse_labels(item),
        assignees=parse_logins(item, "assignees"),
        mergeable={True: "MERGEABLE", False: "CONFLICTING"}.get(mergeable) if isinstance(mergeable, bool) else None,
        merge_state_status=(item.raw("mergeable_state") or "").upper() or None,
        url=item.text("html_url"),
    )
