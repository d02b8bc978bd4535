"""Durations: time to merge (the issue-metrics variant) and issue lead time, in hours."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from agentlanes.metrics import models as m
from agentlanes.metrics.grouping import Grouper
from agentlanes.metrics.window import Window, percentile
from agentlanes.model import Issue, PullRequest, PullState
from agentlanes.timeutil import iso_week

TIME_TO_MERGE_VARIANT = (
    "time to merge (issue-metrics variant): merged minus ready-for-review time for PRs that started as drafts, "
    "else merged minus created; PRs merged in the window; not first-commit cycle time"
)
LEAD_TIME_VARIANT = (
    "issue lead time: issue created -> first merge of a PR that closes it; merges in the window"
)


def hours_to_merge(pull: PullRequest) -> float | None:
    """Return merged minus ready-for-review time if the PR started as a draft, else minus creation, in hours."""
    if pull.merged_at is None:
        return None
    start = pull.ready_for_review_at or pull.created_at
    return max(0.0, (pull.merged_at - start).total_seconds() / 3600)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def cell(values: Sequence[float]) -> m.DurationCell:
    return m.DurationCell(count=len(values), p50_hours=_rounded(percentile(values, 0.5)),
                          p90_hours=_rounded(percentile(values, 0.9)))


def _durations(samples: list[tuple[datetime, str, float]], window: Window, variant: str) -> m.Durations:
    """Summarise (moment, group, hours) samples overall, per group and per ISO week of the moment."""
    by_group: dict[str, list[float]] = defaultdict(list)
    by_week: dict[str, list[float]] = defaultdict(list)
    for moment, group, hours in samples:
        by_group[group].append(hours)
        by_week[iso_week(moment)].append(hours)
    overall = cell([hours for _, _, hours in samples])
    weeks = []
    for label in window.weeks():
        summary = cell(by_week.get(label, []))
        weeks.append(m.DurationWeek(week=label, count=summary.count, p50_hours=summary.p50_hours,
                                    p90_hours=summary.p90_hours))
    return m.Durations(
        count=overall.count,
        p50_hours=overall.p50_hours,
        p90_hours=overall.p90_hours,
        variant=variant,
        by_group={group: cell(values) for group, values in sorted(by_group.items())},
        weeks=weeks,
    )


def time_to_merge(pulls: Sequence[PullRequest], window: Window, grouper: Grouper) -> m.Durations:
    samples = []
    for pull in pulls:
        if pull.state is PullState.MERGED and pull.merged_at is not None and window.contains(pull.merged_at):
            hours = hours_to_merge(pull)
            if hours is not None:
                samples.append((pull.merged_at, grouper.of(pull), hours))
    return _durations(samples, window, TIME_TO_MERGE_VARIANT)


def first_fixing_merges(issues: Sequence[Issue], pulls: Sequence[PullRequest]) -> dict[int, PullRequest]:
    """Map each issue number to the earliest merged PR that closes it (by closing reference on either side)."""
    merged = {p.number: p for p in pulls if p.state is PullState.MERGED and p.merged_at is not None}
    links: dict[int, list[PullRequest]] = defaultdict(list)
    for pull in merged.values():
        for number in pull.closing_issues:
            links[number].append(pull)
    for issue in issues:
        links[issue.number].extend(merged[n] for n in issue.closed_by_pulls if n in merged)
    return {number: min(found, key=lambda p: (p.merged_at, p.number)) for number, found in links.items() if found}


def issue_lead_time(issues: Sequence[Issue], pulls: Sequence[PullRequest], window: Window,
                    grouper: Grouper) -> m.Durations:
    """Measure issue created -> first merge of a PR closing it, for such merges in the window."""
    fixes = first_fixing_merges(issues, pulls)
    samples = []
    for issue in issues:
        pull = fixes.get(issue.number)
        if pull is None or issue.created_at is None or pull.merged_at is None:
            continue
        if window.contains(pull.merged_at) and pull.merged_at >= issue.created_at:
            hours = (pull.merged_at - issue.created_at).total_seconds() / 3600
            samples.append((pull.merged_at, grouper.of(pull), hours))
    return _durations(samples, window, LEAD_TIME_VARIANT)
