"""Merge queue depth, from the best source the data has.

1. ``snapshots``: ``mergeQueue(branch).entries.totalCount`` read live from GitHub
   and stored at each sync (GitHub keeps no history of it);
2. ``timeline``: a replay of added-to / removed-from merge queue timeline events,
   sampled daily at 00:00 UTC; a merged PR leaves the queue at its merge time;
3. ``proxy``: open, non-draft PRs that are approved and not conflicting, now;
4. ``unavailable``: none of the above is in the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from agentlanes.metrics import models as m
from agentlanes.metrics.window import Window
from agentlanes.model import PullRequest, PullState
from agentlanes.timeutil import format_timestamp

QueueSnapshot = tuple[datetime, int]


def _summary(points: Sequence[m.QueuePoint]) -> tuple[float | None, int | None]:
    if not points:
        return None, None
    depths = [point.depth for point in points]
    return round(sum(depths) / len(depths), 2), max(depths)


def merge_queue(pulls: Sequence[PullRequest], window: Window, snapshots: Sequence[QueueSnapshot] = ()) -> m.MergeQueue:
    """Compute the queue depth from stored snapshots, merge-queue timeline events, or a proxy."""
    if snapshots:
        return _from_snapshots(sorted(snapshots), window)
    events = [(e.at, e.kind, p.number) for p in pulls for e in p.timeline
              if e.kind in ("added_to_merge_queue", "removed_from_merge_queue")]
    events += [(p.merged_at, "merged", p.number) for p in pulls
               if p.merged_at and any(e.kind == "added_to_merge_queue" for e in p.timeline)]
    if events:
        return _from_events(sorted(events), window)
    return _proxy(pulls)


def _from_snapshots(snapshots: list[QueueSnapshot], window: Window) -> m.MergeQueue:
    inside = [m.QueuePoint(at=format_timestamp(at) or "", depth=depth)
              for at, depth in snapshots if window.contains(at)]
    before = [depth for at, depth in snapshots if at < window.until]
    mean, peak = _summary(inside)
    return m.MergeQueue(
        source="snapshots",
        label="Merge queue depth",
        current=before[-1] if before else None,
        mean=mean,
        max=peak,
        series=inside,
        note="Entries in the merge queue as read live from GitHub at each stored sync; current is the newest "
             "snapshot before the window's end.",
    )


def _from_events(events: list[tuple[datetime, str, int]], window: Window) -> m.MergeQueue:
    queued: set[int] = set()
    series: list[m.QueuePoint] = []
    index = 0
    for moment in window.days():
        while index < len(events) and events[index][0] <= moment:
            _, kind, number = events[index]
            if kind == "added_to_merge_queue":
                queued.add(number)
            else:
                queued.discard(number)
            index += 1
        series.append(m.QueuePoint(at=format_timestamp(moment) or "", depth=len(queued)))
    mean, peak = _summary(series)
    return m.MergeQueue(
        source="timeline",
        label="Merge queue depth",
        current=series[-1].depth if series else 0,
        mean=mean,
        max=peak,
        series=series,
        note="Replayed from added-to / removed-from merge queue timeline events (a merge also removes), sampled "
             "daily at 00:00 UTC and at the window's end.",
    )


def _proxy(pulls: Sequence[PullRequest]) -> m.MergeQueue:
    open_now = [p for p in pulls if p.state is PullState.OPEN and not p.is_draft]
    if not any(p.review_decision for p in pulls):
        return m.MergeQueue(
            source="unavailable",
            label="Merge queue depth (unavailable)",
            current=None,
            mean=None,
            max=None,
            series=[],
            note="The data has no merge-queue snapshots, no merge-queue events and no review decisions, so no queue "
                 "depth can be shown. Store live snapshots (--queue-snapshots) to record it.",
        )
    waiting = [p for p in open_now if (p.review_decision or "").upper() == "APPROVED"
               and (p.mergeable or "").upper() != "CONFLICTING"
               and (p.merge_state_status or "").upper() not in ("DIRTY", "BLOCKED")]
    return m.MergeQueue(
        source="proxy",
        label="Merge queue depth (proxy: approved, mergeable PRs waiting)",
        current=len(waiting),
        mean=None,
        max=None,
        series=[],
        note="No merge-queue data: counts open, non-draft PRs that are approved and neither conflicting nor "
             "blocked, at the moment the data describes (--as-of or its newest event) only.",
    )
