"""Past tasks whose real footprint is known, for training and for backtests.

An issue's real footprint is the union of the files changed by the merged pull
requests that close it (closing references, or closing keywords in the PR), or,
where a data set links issues to files through the commits that name them
(``x_issue_files.json``), those files. Where a data set has too few such issues
(repositories where agents work from PR descriptions), merged pull requests
stand in for tasks: their title and body are the task text and their changed
files the truth. That text is written after the work, so it tends to name more
files than an issue would; reports say which mode was used.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from agentlanes.analysis.kinds import classify_type
from agentlanes.model import AuthorKind, Dataset, Issue, IssueState, PullState

MIN_ISSUE_TASKS = 30
_CLOSING = re.compile(r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+(?:[\w.-]+/[\w.-]+)?#(\d+)", re.IGNORECASE)

ISSUE_MODE = "issues"
PULL_MODE = "pull requests as tasks"
COMMIT_MODE = "commits as tasks"
# Commits touching more files are bulk edits, not tasks.
MAX_COMMIT_TASK_FILES = 40


@dataclass(frozen=True, slots=True)
class TruthTask:
    key: str
    number: int
    text: str
    task_type: str
    opened_at: datetime
    truth: tuple[str, ...]
    truth_at: datetime


def _issue_tasks(dataset: Dataset) -> list[TruthTask]:
    closing: dict[int, list[tuple[datetime, tuple[str, ...]]]] = defaultdict(list)
    for pull in dataset.pulls:
        if pull.state is not PullState.MERGED or not pull.merged_at or not pull.files:
            continue
        numbers = set(pull.closing_issues)
        numbers.update(int(m.group(1)) for m in _CLOSING.finditer(f"{pull.title}\n{pull.body}"))
        for number in numbers:
            closing[number].append((pull.merged_at, pull.file_paths))
    merge_times = {p.number: (p.merged_at, p.file_paths) for p in dataset.pulls
                   if p.state is PullState.MERGED and p.merged_at and p.files}
    tasks: list[TruthTask] = []
    for issue in dataset.issues:
        if issue.created_at is None or issue.state is not IssueState.CLOSED:
            continue
        links = list(closing.get(issue.number, []))
        links += [merge_times[n] for n in issue.closed_by_pulls if n in merge_times]
        files: tuple[str, ...] = ()
        truth_at: datetime | None = None
        if issue.number in dataset.issue_files and issue.closed_at:
            files, truth_at = dataset.issue_files[issue.number], issue.closed_at
        elif links:
            files = tuple(dict.fromkeys(path for _, paths in links for path in paths))
            truth_at = max(moment for moment, _ in links)
        if files and truth_at is not None:
            tasks.append(_task(f"issue #{issue.number}", issue, files, truth_at))
    return tasks


def _task(key: str, issue: Issue, files: tuple[str, ...], truth_at: datetime) -> TruthTask:
    return TruthTask(
        key=key,
        number=issue.number,
        text=issue.text,
        task_type=classify_type(issue).value,
        opened_at=issue.created_at,  # type: ignore[arg-type]
        truth=files,
        truth_at=truth_at,
    )


def _pull_tasks(dataset: Dataset) -> list[TruthTask]:
    tasks: list[TruthTask] = []
    for pull in dataset.pulls:
        if pull.state is not PullState.MERGED or not pull.merged_at or not pull.files:
            continue
        if pull.attribution.kind is AuthorKind.DEPENDENCY_BOT:
            continue
        pseudo = Issue(pull.number, pull.title, pull.body, IssueState.CLOSED, pull.created_at, labels=pull.labels)
        tasks.append(_task(f"PR #{pull.number}", pseudo, pull.file_paths, pull.merged_at))
    return tasks


def _commit_tasks(dataset: Dataset) -> list[TruthTask]:
    """Non-merge commits as tasks: message as text, changed files as truth.

    A task opens one second before its commit was authored, so the commit
    itself is never part of the history its prediction sees.
    """
    tasks: list[TruthTask] = []
    for commit in dataset.commits:
        if len(commit.parents) > 1 or not commit.files or len(commit.files) > MAX_COMMIT_TASK_FILES:
            continue
        opened = min(commit.authored_at, commit.committed_at) - timedelta(seconds=1)
        text = f"{commit.subject}\n\n{commit.body}" if commit.body else commit.subject
        pseudo = Issue(0, commit.subject, commit.body, IssueState.CLOSED, opened)
        tasks.append(TruthTask(f"commit {commit.sha[:10]}", 0, text, classify_type(pseudo).value, opened,
                               commit.files, commit.committed_at))
    return tasks


def truth_tasks(dataset: Dataset, mode: str | None = None) -> tuple[list[TruthTask], str]:
    """Return the past tasks with known footprints, oldest first, and the mode used.

    Issues when there are enough with known fixes, else merged pull requests,
    else (a checkout's history alone) commits.
    """
    issues = _issue_tasks(dataset)
    if mode == ISSUE_MODE or (mode is None and len(issues) >= MIN_ISSUE_TASKS):
        chosen, used = issues, ISSUE_MODE
    elif mode == COMMIT_MODE or (mode is None and not any(p.state is PullState.MERGED for p in dataset.pulls)):
        chosen, used = _commit_tasks(dataset), COMMIT_MODE
    else:
        chosen, used = _pull_tasks(dataset), PULL_MODE
    chosen.sort(key=lambda task: (task.opened_at, task.key))
    return chosen, used
