"""Flow metrics: active work streams, merges per week, merge rate, durations, outcomes."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime

from agentlanes.metrics import models as m
from agentlanes.metrics.window import Lifetime, Window, counts_at, lifetimes, percentile
from agentlanes.model import AuthorKind, Issue, PullRequest, PullState
from agentlanes.timeutil import iso_week


def who(pull: PullRequest) -> str:
    """The dashboard's author bucket: the agent's name, or the author kind."""
    attribution = pull.attribution
    if attribution.kind is AuthorKind.AGENT and attribution.agent:
        return attribution.agent
    return attribution.kind.value


def _zero_kinds() -> dict[str, int]:
    return {kind: 0 for kind in m.KINDS}


def active_streams(pulls: Sequence[PullRequest], window: Window) -> m.ActiveStreams:
    """Open, non-draft PRs sampled daily; week rows give the end, mean and maximum."""
    spans, unknown = lifetimes(pulls, include_drafts=False)
    days = window.days()
    daily = counts_at(spans, days)
    weeks: list[m.StreamWeek] = []
    for label, end in zip(window.weeks(), window.week_ends(), strict=True):
        in_week = [count for moment, count in zip(days, daily, strict=True) if iso_week(moment) == label and moment < end]
        at_end = [s for s in spans if s.start <= end and (s.end is None or s.end > end)]
        weeks.append(
            m.StreamWeek(
                week=label,
                at_end=len(at_end),
                mean=round(sum(in_week) / len(in_week), 2) if in_week else float(len(at_end)),
                max=max(in_week + [len(at_end)]),
                by_kind_at_end=_kind_counts(at_end),
                by_agent_at_end=dict(sorted(Counter(s.pull.attribution.agent for s in at_end if s.pull.attribution.agent).items())),
            )
        )
    now = window.until
    current = [s for s in spans if s.start <= now and (s.end is None or s.end > now)]
    return m.ActiveStreams(
        current=len(current),
        by_kind=_kind_counts(current),
        by_agent=dict(sorted(Counter(s.pull.attribution.agent for s in current if s.pull.attribution.agent).items())),
        weeks=weeks,
        excluded_unknown_close=unknown,
    )


def _kind_counts(spans: Sequence[Lifetime]) -> dict[str, int]:
    counts = _zero_kinds()
    for span in spans:
        counts[span.pull.attribution.kind.value] += 1
    return counts


def merged_per_week(pulls: Sequence[PullRequest], window: Window) -> list[m.MergedWeek]:
    """PRs merged per ISO week (UTC), bucketed by merge time, empty weeks included."""
    rows = {label: m.MergedWeek(week=label, merged=0, by_kind=_zero_kinds(), by_agent={}) for label in window.weeks()}
    for pull in pulls:
        if pull.state is not PullState.MERGED or not window.contains(pull.merged_at):
            continue
        row = rows.get(iso_week(pull.merged_at))  # type: ignore[arg-type]
        if row is None:
            continue
        row.merged += 1
        row.by_kind[pull.attribution.kind.value] += 1
        if pull.attribution.agent:
            row.by_agent[pull.attribution.agent] = row.by_agent.get(pull.attribution.agent, 0) + 1
    for row in rows.values():
        row.by_agent = dict(sorted(row.by_agent.items()))
    return list(rows.values())


def merge_rate(pulls: Sequence[PullRequest], window: Window) -> m.MergeRate:
    """PRs created in the window that were merged by its end, over PRs created in it."""
    created = [p for p in pulls if window.contains(p.created_at)]
    merged = [p for p in created if p.state is PullState.MERGED and p.merged_at and p.merged_at < window.until]
    return m.MergeRate(
        created=len(created),
        merged=len(merged),
        rate=round(len(merged) / len(created), 4) if created else None,
    )


def hours_to_merge(pull: PullRequest) -> float | None:
    """Merged minus ready-for-review time if the PR started as a draft, else minus creation."""
    if pull.merged_at is None:
        return None
    start = pull.ready_for_review_at or pull.created_at
    return max(0.0, (pull.merged_at - start).total_seconds() / 3600)


def time_to_merge(pulls: Sequence[PullRequest], window: Window) -> m.Durations:
    values = [h for p in pulls if p.state is PullState.MERGED and window.contains(p.merged_at)
              if (h := hours_to_merge(p)) is not None]
    return _durations(values, "time to merge: merged minus ready-for-review (or creation), PRs merged in the window")


def issue_lead_time(issues: Sequence[Issue], pulls: Sequence[PullRequest], window: Window) -> m.Durations:
    """Issue opened -> first merge of a PR that closes it, for such merges in the window."""
    first_merge: dict[int, datetime] = {}
    for pull in pulls:
        if pull.state is not PullState.MERGED or pull.merged_at is None:
            continue
        for number in pull.closing_issues:
            if number not in first_merge or pull.merged_at < first_merge[number]:
                first_merge[number] = pull.merged_at
    merge_times = {p.number: p.merged_at for p in pulls if p.state is PullState.MERGED and p.merged_at}
    for issue in issues:
        for number in issue.closed_by_pulls:
            merged_at = merge_times.get(number)
            if merged_at and (issue.number not in first_merge or merged_at < first_merge[issue.number]):
                first_merge[issue.number] = merged_at
    values = []
    for issue in issues:
        merged = first_merge.get(issue.number)
        if issue.created_at and merged and window.contains(merged) and merged >= issue.created_at:
            values.append((merged - issue.created_at).total_seconds() / 3600)
    return _durations(values, "issue lead time: issue opened -> first merge of a PR closing it, merges in the window")


def _durations(values: list[float], variant: str) -> m.Durations:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return m.Durations(
        count=len(values),
        p50_hours=rounded(percentile(values, 0.5)),
        p90_hours=rounded(percentile(values, 0.9)),
        variant=variant,
    )


def outcomes(pulls: Sequence[PullRequest], window: Window) -> list[m.Outcome]:
    """Per agent (and per non-agent kind): PRs created in the window and how they ended."""
    groups: dict[str, list[PullRequest]] = defaultdict(list)
    for pull in pulls:
        if window.contains(pull.created_at):
            groups[who(pull)].append(pull)
    rows = []
    for name, members in groups.items():
        merged = [p for p in members if p.state is PullState.MERGED]
        abandoned = [p for p in members if p.state is PullState.CLOSED]
        hours = [h for p in merged if (h := hours_to_merge(p)) is not None]
        finished = len(merged) + len(abandoned)
        p50, p90 = percentile(hours, 0.5), percentile(hours, 0.9)
        rows.append(
            m.Outcome(
                who=name,
                kind=members[0].attribution.kind.value,
                opened=len(members),
                merged=len(merged),
                abandoned=len(abandoned),
                still_open=len(members) - finished,
                merge_pct=round(100 * len(merged) / finished, 1) if finished else None,
                median_hours_to_merge=None if p50 is None else round(p50, 2),
                p90_hours_to_merge=None if p90 is None else round(p90, 2),
                commit_share=None,
            )
        )
    return sorted(rows, key=lambda row: (row.kind != "agent", -row.opened, row.who))
