"""Rebuild the state of a repository at a past moment (``--as-of``).

GitHub exports describe the present. To replay history, issues are open at ``T``
when created at or before ``T`` and not closed by then; pull requests are open,
merged or closed as their timestamps say at ``T``; commits are those committed at
or before ``T``, and merge-queue snapshots those taken by then. What the data cannot date is assumed and counted in ``notes``:

- issues without a creation time, or closed without a close time, are left out;
- closed pull requests without a close time count as already closed;
- assignees and workflow statuses are current values, so they are dropped for
  issues that were still open at ``T`` but closed later (they would leak who
  eventually did the work);
- labels and changed files are the final ones.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import datetime, timedelta

from agentlanes.model import Dataset, Issue, IssueState, PullRequest, PullState, Skip


def _issue_at(issue: Issue, moment: datetime, counts: Counter[str]) -> Issue | None:
    if issue.created_at is None:
        counts["issue without creation time left out"] += 1
        return None
    if issue.created_at > moment:
        return None
    if issue.state is IssueState.CLOSED and issue.closed_at is None:
        counts["closed issue without close time left out"] += 1
        return None
    if issue.closed_at is not None and issue.closed_at <= moment:
        return issue
    if issue.state is IssueState.OPEN:
        return issue
    counts["issue open at --as-of but closed later: assignees and status dropped"] += 1
    return dataclasses.replace(issue, state=IssueState.OPEN, closed_at=None, assignees=(), status=None)


def _pull_at(pull: PullRequest, moment: datetime, counts: Counter[str]) -> PullRequest | None:
    if pull.created_at > moment:
        return None
    if pull.merged_at is not None and pull.merged_at <= moment:
        return pull
    if pull.state is PullState.CLOSED and pull.closed_at is None:
        counts["closed pull request without close time counted as closed"] += 1
        return pull
    if pull.closed_at is not None and pull.closed_at <= moment and pull.merged_at is None:
        return pull
    timeline = tuple(event for event in pull.timeline if event.at <= moment)
    draft = pull.is_draft or (pull.ready_for_review_at is not None and pull.ready_for_review_at > moment)
    return dataclasses.replace(
        pull,
        state=PullState.OPEN,
        merged_at=None,
        closed_at=None,
        merge_commit_oid=None,
        timeline=timeline,
        is_draft=draft,
        ready_for_review_at=pull.ready_for_review_at if not draft else None,
    )


def _range_notes(dataset: Dataset, moment: datetime) -> tuple[str, ...]:
    """Return a note for a moment outside the data: before it nothing existed, long after it nothing is known."""
    first, last = dataset.earliest_event, dataset.latest_event
    if first is not None and moment < first:
        return (f"--as-of {moment:%Y-%m-%d %H:%M} UTC is before the first event in the data "
                f"({first:%Y-%m-%d %H:%M} UTC), so nothing existed yet",)
    if last is not None and moment - last > timedelta(days=1):
        return (f"--as-of {moment:%Y-%m-%d %H:%M} UTC is {(moment - last).days} days after the newest event "
                f"in the data ({last:%Y-%m-%d %H:%M} UTC): nothing is known of the time between, "
                "so open items look older than they may be",)
    return ()


def snapshot(dataset: Dataset, moment: datetime | None) -> Dataset:
    """Return the dataset as it stood at ``moment`` (unchanged when ``None``)."""
    if moment is None:
        return dataset
    counts: Counter[str] = Counter()
    issues = tuple(i for i in (_issue_at(issue, moment, counts) for issue in dataset.issues) if i)
    pulls = tuple(p for p in (_pull_at(pull, moment, counts) for pull in dataset.pulls) if p)
    commits = tuple(commit for commit in dataset.commits if commit.committed_at <= moment)
    queue = tuple(reading for reading in dataset.queue_snapshots if reading.taken_at <= moment)
    skips = dataset.skips + tuple(
        Skip("as-of", "", f"{count} x {reason}") for reason, count in sorted(counts.items()) if "left out" in reason
    )
    notes = _range_notes(dataset, moment) + tuple(f"{reason}: {count}" for reason, count in sorted(counts.items()))
    return dataclasses.replace(
        dataset, issues=issues, pulls=pulls, commits=commits, skips=skips, as_of=moment, notes=notes,
        queue_snapshots=queue,
    )
