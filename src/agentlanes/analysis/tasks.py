"""The open tasks of a backlog, and what holds each one back.

Tasks are the issues open at the moment analysed. For repositories whose issue
text is not available (agent-heavy repositories work from PR descriptions),
``replay_tasks`` turns the pull requests opened in a window after the moment
into unstarted tasks, using each PR's title and body as the task text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from agentlanes.analysis.dependencies import ResolvedDependency
from agentlanes.model import Author, AuthorKind, Dataset, Issue, IssueState, PullRequest, PullState

REPLAY_AUTHOR = Author("unknown", None)
_CLOSING = re.compile(r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+(?:[\w.-]+/[\w.-]+)?#(\d+)", re.IGNORECASE)
_BRANCH_ISSUE = re.compile(r"(?:^|[/_-])issue[-_]?(\d+)(?:\b|[-_])|openhands-fix-issue-(\d+)", re.IGNORECASE)
# Tracker priorities (0 = highest) and their weight when no priority label is set.
_TRACKER_PRIORITY_WEIGHTS = {0: 8.0, 1: 4.0, 2: 2.0, 3: 1.0, 4: 0.0}


def replay_tasks(dataset: Dataset, moment: datetime, horizon: timedelta) -> list[Issue]:
    """Pull requests opened in ``(moment, moment + horizon]`` as unstarted tasks.

    Dependency-bot PRs are left out: no coding agent is ever routed such a task.
    """
    tasks: list[Issue] = []
    for pull in dataset.pulls:
        if pull.attribution.kind is AuthorKind.DEPENDENCY_BOT:
            continue
        if moment < pull.created_at <= moment + horizon:
            tasks.append(
                Issue(
                    number=pull.number,
                    title=pull.title,
                    body=pull.body,
                    state=IssueState.OPEN,
                    created_at=moment,
                    author=REPLAY_AUTHOR,
                    labels=pull.labels,
                    url=pull.url,
                )
            )
    return tasks


def referenced_issues(pull: PullRequest) -> set[int]:
    """Issues a PR works on: closing references, closing keywords, branch names."""
    numbers = set(pull.closing_issues)
    numbers.update(int(m.group(1)) for m in _CLOSING.finditer(f"{pull.title}\n{pull.body}"))
    if pull.head_ref:
        for match in _BRANCH_ISSUE.finditer(pull.head_ref):
            numbers.add(int(match.group(1) or match.group(2)))
    return numbers


def open_pulls_by_issue(pulls: Iterable[PullRequest]) -> dict[int, list[int]]:
    linked: dict[int, list[int]] = defaultdict(list)
    for pull in pulls:
        if pull.state is PullState.OPEN:
            for number in referenced_issues(pull):
                linked[number].append(pull.number)
    return linked


@dataclass(frozen=True, slots=True)
class Readiness:
    status: str
    reasons: tuple[str, ...]
    open_pulls: tuple[int, ...]
    assignees: tuple[str, ...]


_EPIC_TITLE = re.compile(
    r"^\s*(?:\[(?:epic|tracking(?: issue)?|meta)\]|(?:epic|tracking issue|meta)\s*[:\-]|tracking issue for\b)",
    re.IGNORECASE,
)
_EPIC_LABELS = {"epic", "type:epic", "kind/epic", "tracking", "tracking issue", "meta"}
_TITLE_NOISE = re.compile(r"[^a-z0-9]+")


def is_tracking_issue(issue: Issue) -> str | None:
    """Return why the issue is an epic or tracking issue (work that others do), or ``None``."""
    if issue.issue_type and issue.issue_type.lower() == "epic":
        return "tracker type 'epic'"
    for label in issue.labels:
        if label.name.strip().lower() in _EPIC_LABELS:
            return f"label '{label.name}'"
    match = _EPIC_TITLE.match(issue.title)
    if match:
        return f"title starts with '{match.group(0).strip()}'"
    return None


def duplicate_titles(issues: Iterable[Issue]) -> dict[int, int]:
    """Map each later issue to the earlier open issue with the same title (ignoring case and punctuation)."""
    first: dict[str, int] = {}
    duplicates: dict[int, int] = {}
    for issue in sorted(issues, key=lambda i: i.number):
        key = _TITLE_NOISE.sub(" ", issue.title.lower()).strip()
        if not key:
            continue
        if key in first:
            duplicates[issue.number] = first[key]
        else:
            first[key] = issue.number
    return duplicates


def assess_readiness(
    issue: Issue,
    dependencies: list[ResolvedDependency],
    linked_pulls: Mapping[int, list[int]],
    duplicate_of: int | None = None,
) -> Readiness:
    """Assess the issue: ready unless blocked by an open dependency, already in progress,
    assigned, an epic or tracking issue, or a likely duplicate of an earlier open issue."""
    blockers = [d for d in dependencies if d.blocking]
    pulls = tuple(sorted(linked_pulls.get(issue.number, [])))
    reasons: list[str] = [f"{d.kind} #{d.target} is still open" for d in blockers]
    if pulls:
        reasons.append("open pull request " + ", ".join(f"#{n}" for n in pulls))
    if issue.status in ("in_progress", "hooked"):
        reasons.append(f"tracker status is {issue.status}")
    if issue.assignees:
        reasons.append("assigned to " + ", ".join(issue.assignees))
    tracking = is_tracking_issue(issue)
    if tracking:
        reasons.append(f"an epic or tracking issue ({tracking}): its parts are the tasks")
    if duplicate_of is not None:
        reasons.append(f"same title as the earlier open issue #{duplicate_of}: likely a duplicate")
    # An epic waits for its parts by definition, so "tracking" wins over "blocked":
    # neither it nor a duplicate is ever routed, in any wave.
    if tracking:
        status = "tracking"
    elif duplicate_of is not None:
        status = "duplicate"
    elif blockers:
        status = "blocked"
    elif pulls or issue.status in ("in_progress", "hooked"):
        status = "in_progress"
    elif issue.assignees:
        status = "assigned"
    else:
        status = "ready"
        reasons.append("no open dependency, pull request or assignee")
    return Readiness(status, tuple(reasons), pulls, issue.assignees)


def priority_score(issue: Issue, weights: Mapping[str, float]) -> tuple[float, list[str]]:
    """1 plus the weights of the issue's priority labels (or its tracker priority)."""
    lowered = {name.lower(): weight for name, weight in weights.items()}
    score = 1.0
    reasons: list[str] = []
    for label in issue.labels:
        weight = lowered.get(label.name.lower())
        if weight:
            score += weight
            reasons.append(f"+{weight:g} label '{label.name}'")
    if not reasons and issue.priority is not None:
        weight = _TRACKER_PRIORITY_WEIGHTS.get(issue.priority, 0.0)
        if weight:
            score += weight
            reasons.append(f"+{weight:g} tracker priority P{issue.priority}")
    return score, reasons or ["no priority label"]
