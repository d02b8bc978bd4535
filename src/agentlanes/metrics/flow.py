"""Flow metrics: active work streams, merges per week and the PR merge rate."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from agentlanes.metrics import models as m
from agentlanes.metrics.grouping import Grouper
from agentlanes.metrics.window import Window, lifetimes
from agentlanes.model import AuthorKind, PullRequest, PullState
from agentlanes.timeutil import format_timestamp, iso_week

# An issue dispatched to an agent, from its dispatch until its PR opened (``None``: no PR yet).
DispatchSpan = tuple[str, datetime, datetime | None]


@dataclass(frozen=True, slots=True)
class Stream:
    """One unit of parallel work: an open non-draft PR, or a dispatched issue without a PR yet."""

    start: datetime
    end: datetime | None
    kind: str
    group: str
    dispatched: bool = False

    def open_at(self, moment: datetime) -> bool:
        return self.start <= moment and (self.end is None or self.end > moment)


def zero_kinds() -> dict[str, int]:
    return {kind: 0 for kind in m.KINDS}


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def streams(pulls: Sequence[PullRequest], grouper: Grouper,
            dispatched: Sequence[DispatchSpan] = ()) -> tuple[list[Stream], int]:
    """Work streams and the number of closed PRs left out for an unknown close time."""
    spans, unknown = lifetimes(pulls, include_drafts=False)
    found = [Stream(s.start, s.end, s.pull.attribution.kind.value, grouper.of(s.pull)) for s in spans]
    for agent, start, end in dispatched:
        found.append(Stream(start, end, AuthorKind.AGENT.value, grouper.of_dispatch(agent), dispatched=True))
    return found, unknown


def _daily(found: Sequence[Stream], days: Sequence[datetime]) -> list[list[Stream]]:
    """Return the streams open at each sample moment."""
    open_at: list[list[Stream]] = [[] for _ in days]
    for stream in found:
        first = bisect.bisect_left(days, stream.start)
        last = len(days) if stream.end is None else bisect.bisect_left(days, stream.end)
        for index in range(first, last):
            open_at[index].append(stream)
    return open_at


def _split(members: Sequence[Stream]) -> tuple[dict[str, int], dict[str, int]]:
    kinds = zero_kinds()
    groups: Counter[str] = Counter()
    for stream in members:
        kinds[stream.kind] += 1
        groups[stream.group] += 1
    return kinds, dict(sorted(groups.items()))


def active_streams(found: Sequence[Stream], unknown: int, window: Window) -> m.ActiveStreams:
    """Open non-draft PRs (and dispatched issues without a PR) sampled daily, with weekly rows."""
    days = window.days()
    daily = _daily(found, days)
    day_rows = []
    for moment, members in zip(days, daily, strict=True):
        kinds, groups = _split(members)
        day_rows.append(m.StreamDay(at=format_timestamp(moment) or "", total=len(members), by_kind=kinds,
                                    by_group=groups))
    weeks: list[m.StreamWeek] = []
    for label, end in zip(window.weeks(), window.week_ends(), strict=True):
        in_week = [len(members) for moment, members in zip(days, daily, strict=True)
                   if iso_week(moment) == label and moment < end]
        at_end = [s for s in found if s.open_at(end)]
        kinds, groups = _split(at_end)
        weeks.append(m.StreamWeek(
            week=label,
            at_end=len(at_end),
            mean=round(sum(in_week) / len(in_week), 2) if in_week else float(len(at_end)),
            max=max(in_week + [len(at_end)]),
            by_kind_at_end=kinds,
            by_group_at_end=groups,
        ))
    current = [s for s in found if s.open_at(window.until)]
    kinds, groups = _split(current)
    return m.ActiveStreams(
        current=len(current),
        by_kind=kinds,
        by_group=groups,
        dispatched_without_pull=sum(1 for s in current if s.dispatched),
        days=day_rows,
        weeks=weeks,
        excluded_unknown_close=unknown,
    )


def merged_per_week(pulls: Sequence[PullRequest], window: Window, grouper: Grouper) -> list[m.MergedWeek]:
    """PRs merged per ISO week (UTC), bucketed by merge time, empty weeks included."""
    rows = {label: m.MergedWeek(week=label, merged=0, by_kind=zero_kinds(), by_group={})
            for label in window.weeks()}
    for pull in pulls:
        if pull.state is not PullState.MERGED or pull.merged_at is None or not window.contains(pull.merged_at):
            continue
        row = rows.get(iso_week(pull.merged_at))
        if row is None:
            continue
        row.merged += 1
        row.by_kind[pull.attribution.kind.value] += 1
        group = grouper.of(pull)
        row.by_group[group] = row.by_group.get(group, 0) + 1
    for row in rows.values():
        row.by_group = dict(sorted(row.by_group.items()))
    return list(rows.values())


def _merged_by_end(pull: PullRequest, window: Window) -> bool:
    return pull.state is PullState.MERGED and pull.merged_at is not None and pull.merged_at < window.until


def merge_rate(pulls: Sequence[PullRequest], window: Window, grouper: Grouper) -> m.MergeRate:
    """PRs created in the window that were merged by its end, over PRs created in it."""
    created = [p for p in pulls if window.contains(p.created_at)]
    cells: dict[str, dict[str, list[int]]] = {"kind": {kind: [0, 0] for kind in m.KINDS},
                                               "group": defaultdict(lambda: [0, 0])}
    weeks = {label: [0, 0] for label in window.weeks()}
    for pull in created:
        merged = int(_merged_by_end(pull, window))
        for cell in (cells["kind"][pull.attribution.kind.value], cells["group"][grouper.of(pull)],
                     weeks[iso_week(pull.created_at)]):
            cell[0] += 1
            cell[1] += merged

    def as_cells(table: dict[str, list[int]]) -> dict[str, m.RateCell]:
        return {key: m.RateCell(created=c, merged=k, rate=rate(k, c)) for key, (c, k) in sorted(table.items())}

    merged_total = sum(1 for p in created if _merged_by_end(p, window))
    return m.MergeRate(
        created=len(created),
        merged=merged_total,
        rate=rate(merged_total, len(created)),
        by_kind=as_cells(cells["kind"]),
        by_group=as_cells(cells["group"]),
        weeks=[m.RateWeek(week=label, created=c, merged=k, rate=rate(k, c)) for label, (c, k) in weeks.items()],
    )
