"""Parse camelCase payloads: ``gh ... --json`` output, GraphQL nodes, export folders.

``gh issue list --json`` and GraphQL ``nodes`` share field names; GraphQL wraps
lists in ``{"nodes": [...]}`` connections, which ``Item.list_of`` unwraps, and
marks bot authors with ``__typename: "Bot"`` where gh prints ``app/<slug>``.
"""

from __future__ import annotations

import re
from typing import Any

from agentlanes.model import (
    GHOST,
    Author,
    ChangedFile,
    Dependency,
    Issue,
    IssueState,
    Label,
    PullCommit,
    PullRequest,
    PullState,
    Skip,
    TimelineEvent,
)
from agentlanes.sources.payload import Item

_COAUTHOR = re.compile(r"^co-authored-by:\s*(.+?)\s*(?:<[^>]*>)?\s*$", re.IGNORECASE | re.MULTILINE)

_TIMELINE_KINDS = {
    "AddedToMergeQueueEvent": "added_to_merge_queue",
    "RemovedFromMergeQueueEvent": "removed_from_merge_queue",
    "HeadRefForcePushedEvent": "head_ref_force_pushed",
    "ReadyForReviewEvent": "ready_for_review",
    "ConvertToDraftEvent": "convert_to_draft",
}


def coauthor_names(message: str) -> list[str]:
    """Names in the ``Co-authored-by:`` trailers of a commit message."""
    return [match.group(1) for match in _COAUTHOR.finditer(message)]


def normalise_login(login: str, is_bot: bool | None, typename: str | None = None) -> tuple[str, bool | None]:
    """Return the gh-style login (bots as ``app/<slug>``) and the bot flag."""
    if login.startswith("app/"):
        return login, True
    if login.endswith("[bot]"):
        return "app/" + login[: -len("[bot]")], True
    if typename == "Bot":
        return "app/" + login, True
    return login, is_bot


def parse_author(value: Any, item: Item, field: str = "author") -> Author:
    if value is None:
        return GHOST
    if not isinstance(value, dict):
        raise item.fail(field, f"must be an object with a login, got {value!r}", "fix or remove this item")
    login = value.get("login")
    if login is None or login == "":
        # The beads tracker leaves the creator unset on older records; a null
        # login is also how a deleted account can appear.
        return GHOST
    if not isinstance(login, str):
        raise item.fail(f"{field}.login", f"must be a string, got {login!r}", "fix or remove this item")
    is_bot = value.get("is_bot", value.get("isBot"))
    normalised, bot_flag = normalise_login(login, is_bot if isinstance(is_bot, bool) else None, value.get("__typename"))
    return Author(login=normalised, is_bot=bot_flag)


def parse_labels(item: Item) -> tuple[Label, ...]:
    labels: list[Label] = []
    for entry in item.list_of("labels"):
        if isinstance(entry, str):
            labels.append(Label(entry))
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
            labels.append(Label(entry["name"], entry.get("description") or ""))
        else:
            raise item.fail("labels", f"has an entry without a name: {entry!r}", "each label needs a 'name'")
    return tuple(labels)


def parse_logins(item: Item, key: str) -> tuple[str, ...]:
    logins: list[str] = []
    for entry in item.list_of(key):
        if isinstance(entry, str):
            logins.append(entry)
        elif isinstance(entry, dict) and isinstance(entry.get("login"), str):
            logins.append(entry["login"])
    return tuple(logins)


def parse_numbers(item: Item, key: str) -> tuple[int, ...]:
    numbers: list[int] = []
    for entry in item.list_of(key):
        if isinstance(entry, int) and not isinstance(entry, bool):
            numbers.append(entry)
        elif isinstance(entry, dict) and isinstance(entry.get("number"), int):
            numbers.append(entry["number"])
    return tuple(numbers)


def _structured_dependencies(item: Item) -> list[Dependency]:
    edges: list[Dependency] = []
    for number in parse_numbers(item, "blockedBy"):
        edges.append(Dependency(number, "blocked-by", "blocked-by"))
    for number in parse_numbers(item, "blocking"):
        edges.append(Dependency(number, "blocks", "blocking"))
    for number in parse_numbers(item, "subIssues"):
        edges.append(Dependency(number, "child", "sub-issues"))
    for number in parse_numbers(item, "trackedIssues"):
        edges.append(Dependency(number, "child", "sub-issues"))
    parent = item.raw("parent")
    if isinstance(parent, dict) and isinstance(parent.get("number"), int):
        edges.append(Dependency(parent["number"], "parent", "sub-issues"))
    for entry in item.list_of("x_dependencies"):
        if not isinstance(entry, dict) or not isinstance(entry.get("targetNumber"), int):
            continue
        kind = {"blocks": "blocked-by", "parent-child": "parent"}.get(entry.get("type", ""))
        if kind:
            edges.append(Dependency(entry["targetNumber"], kind, "x_dependencies"))
    return edges


def _issue_state(item: Item) -> IssueState | None:
    raw = item.raw("state")
    if raw is None:
        return None
    if not isinstance(raw, str) or raw.upper() not in ("OPEN", "CLOSED"):
        raise item.fail("state", f"must be OPEN or CLOSED, got {raw!r}", "fix or remove this item")
    return IssueState(raw.lower())


def parse_issue(item: Item, skips: list[Skip]) -> Issue | None:
    """Parse one issue; return ``None`` (and record a skip) when it is unusable."""
    number = item.number_field()
    title = item.text("title", required=True)
    state = _issue_state(item)
    if state is None:
        skips.append(Skip(item.where, f"#{number}", "state is unknown (null), so it cannot count as open or closed"))
        return None
    priority = item.raw("x_priority")
    status = item.raw("x_status")
    return Issue(
        number=number,
        title=title,
        body=item.text("body"),
        state=state,
        created_at=item.timestamp("createdAt"),
        closed_at=item.timestamp("closedAt"),
        updated_at=item.timestamp("updatedAt"),
        author=parse_author(item.raw("author"), item),
        assignees=parse_logins(item, "assignees"),
        labels=parse_labels(item),
        url=item.text("url"),
        dependencies=tuple(_structured_dependencies(item)),
        closed_by_pulls=parse_numbers(item, "closedByPullRequestsReferences"),
        status=status if isinstance(status, str) else None,
        priority=priority if isinstance(priority, int) and not isinstance(priority, bool) else None,
        issue_type=item.raw("x_issue_type") if isinstance(item.raw("x_issue_type"), str) else None,
    )


def _pull_state(item: Item) -> PullState:
    raw = item.require("state")
    if not isinstance(raw, str) or raw.upper() not in ("OPEN", "CLOSED", "MERGED"):
        raise item.fail("state", f"must be OPEN, CLOSED or MERGED, got {raw!r}", "fix or remove this item")
    state = PullState(raw.lower())
    if state is PullState.CLOSED and item.raw("mergedAt"):
        return PullState.MERGED
    return state


def _files(item: Item) -> tuple[ChangedFile, ...] | None:
    if item.raw("files") is None:
        return None
    files: list[ChangedFile] = []
    for entry in item.list_of("files"):
        if isinstance(entry, str):
            files.append(ChangedFile(entry))
        elif isinstance(entry, dict) and isinstance(entry.get("path"), str):
            additions, deletions = entry.get("additions"), entry.get("deletions")
            files.append(
                ChangedFile(
                    entry["path"],
                    additions if isinstance(additions, int) else None,
                    deletions if isinstance(deletions, int) else None,
                )
            )
        else:
            raise item.fail("files", f"has an entry without a path: {entry!r}", "each file needs a 'path'")
    return tuple(files)


def _commit_names(inner: dict[str, Any]) -> list[str]:
    """Logins and names of one commit's authors, and its ``Co-authored-by`` names."""
    names: list[str] = []
    authors = inner.get("authors")
    if isinstance(authors, dict):
        authors = authors.get("nodes")
    for author in authors or ([inner["author"]] if isinstance(inner.get("author"), dict) else []):
        if isinstance(author, dict):
            names.extend(str(author[k]) for k in ("login", "name") if author.get(k))
            user = author.get("user")
            if isinstance(user, dict) and user.get("login"):
                names.append(str(user["login"]))
    message = "\n".join(str(inner.get(k) or "") for k in ("messageHeadline", "messageBody", "message"))
    names.extend(match.group(1) for match in _COAUTHOR.finditer(message))
    return names


def _inner_commits(item: Item) -> list[dict[str, Any]]:
    """The listed commits, unwrapped from REST's ``{"commit": {...}}`` where needed."""
    found = []
    for entry in item.list_of("commits"):
        if isinstance(entry, dict):
            found.append(entry["commit"] if isinstance(entry.get("commit"), dict) else entry)
    return found


def _commit_authors(item: Item) -> tuple[str, ...]:
    names: list[str] = []
    for inner in _inner_commits(item):
        names.extend(_commit_names(inner))
    provenance = item.raw("x_provenance")
    if isinstance(provenance, dict):
        names.extend(str(name) for name in provenance.get("coauthors") or [] if name)
    return tuple(dict.fromkeys(names))


def _pull_commits(item: Item) -> tuple[PullCommit, ...]:
    """Each listed commit with its authors and co-authors (gh ``commits`` or GraphQL shape)."""
    commits: list[PullCommit] = []
    for inner in _inner_commits(item):
        oid = inner.get("oid") or inner.get("sha")
        if isinstance(oid, str) and oid:
            commits.append(PullCommit(oid, tuple(dict.fromkeys(_commit_names(inner)))))
    return tuple(commits)


def _timeline(item: Item) -> tuple[TimelineEvent, ...]:
    events: list[TimelineEvent] = []
    for node in item.list_of("timelineItems"):
        if not isinstance(node, dict):
            continue
        kind = _TIMELINE_KINDS.get(node.get("__typename", ""))
        stamp = node.get("createdAt")
        if not kind or not isinstance(stamp, str):
            continue
        sub = Item(node, item.where, item.position)
        moment = sub.timestamp("createdAt")
        if moment is not None:
            events.append(TimelineEvent(kind, moment, str(node.get("reason") or "")))
    return tuple(sorted(events, key=lambda event: event.at))


def _review_decision(item: Item) -> str | None:
    """``reviewDecision``, or from an export's per-state review counts."""
    decision = item.optional_text("reviewDecision")
    if decision:
        return decision
    summary = item.raw("reviewDecisionSummary")
    if isinstance(summary, dict) and summary:
        if summary.get("CHANGES_REQUESTED"):
            return "CHANGES_REQUESTED"
        if summary.get("APPROVED"):
            return "APPROVED"
        return "REVIEW_REQUIRED"
    return None


def parse_pull(item: Item) -> PullRequest:
    number = item.number_field()
    timeline = _timeline(item)
    ready = next((event.at for event in timeline if event.kind == "ready_for_review"), None)
    merge_commit = item.raw("mergeCommit")
    provenance = item.raw("x_provenance")
    commit_count = provenance.get("commit_count") if isinstance(provenance, dict) else item.raw("x_commit_count")
    return PullRequest(
        number=number,
        title=item.text("title", required=True),
        body=item.text("body"),
        state=_pull_state(item),
        created_at=item.timestamp("createdAt", required=True),  # type: ignore[arg-type]
        merged_at=item.timestamp("mergedAt"),
        closed_at=item.timestamp("closedAt"),
        author=parse_author(item.raw("author"), item),
        is_draft=bool(item.raw("isDraft")),
        head_ref=item.optional_text("headRefName"),
        base_ref=item.optional_text("baseRefName"),
        head_oid=item.optional_text("headRefOid"),
        base_oid=item.optional_text("baseRefOid"),
        merge_commit_oid=merge_commit.get("oid") if isinstance(merge_commit, dict) else None,
        labels=parse_labels(item),
        files=_files(item),
        closing_issues=tuple(
            dict.fromkeys(
                parse_numbers(item, "closingIssuesReferences") + parse_numbers(item, "x_commitClosingIssuesReferences")
            )
        ),
        assignees=parse_logins(item, "assignees"),
        review_decision=_review_decision(item),
        mergeable=item.optional_text("mergeable"),
        merge_state_status=item.optional_text("mergeStateStatus"),
        ready_for_review_at=ready,
        timeline=timeline,
        commit_count=commit_count if isinstance(commit_count, int) else None,
        commit_authors=_commit_authors(item),
        commits=_pull_commits(item),
        url=item.text("url"),
    )


def looks_like_pull(data: dict[str, Any]) -> bool:
    """Tell a pull request from an issue in a camelCase payload."""
    if data.get("__typename") in ("PullRequest", "Issue"):
        return data["__typename"] == "PullRequest"
    pull_keys = ("mergedAt", "headRefName", "baseRefName", "isDraft", "files", "mergeCommit", "headRefOid")
    if any(key in data for key in pull_keys):
        return True
    return isinstance(data.get("state"), str) and data["state"].upper() == "MERGED"
