"""Conflict rate and merge queue depth.

Conflict rate = PRs with at least one conflict episode / PRs closed or merged in
the window. Episodes come from whatever the data carries: a ``CONFLICTING`` /
``DIRTY`` mergeable state, a merge-queue removal for a conflict, a base-into-head
merge, a stored conflict observation, or an offline ``git merge-tree`` replay.
When the data carries none of these, the rate shown is a labelled proxy: the
share of PRs for which another PR touching one of the same files was merged
while they were open. Such a merge is necessary for a textual conflict but does
not always cause one, so the proxy is an upper bound.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from agentlanes.metrics import models as m
from agentlanes.metrics.window import Window, lifetimes
from agentlanes.model import PullRequest, PullState
from agentlanes.timeutil import format_timestamp

_CONFLICT_STATES = {"CONFLICTING", "DIRTY"}


def conflict_signals(pull: PullRequest) -> list[str]:
    """Names of the conflict signals present on one PR."""
    signals: list[str] = []
    if (pull.mergeable or "").upper() == "CONFLICTING" or (pull.merge_state_status or "").upper() == "DIRTY":
        signals.append("mergeable-state")
    for event in pull.timeline:
        if event.kind == "removed_from_merge_queue" and "conflict" in event.reason.lower():
            signals.append("merge-queue-removal")
        elif event.kind == "base_merged_into_head":
            signals.append("base-merged-into-head")
        elif event.kind == "conflict_observed":
            signals.append("stored-snapshot")
    return sorted(set(signals))


def _has_signal_data(pulls: Sequence[PullRequest]) -> bool:
    """Whether finished PRs carry conflict signals; open PRs' live states do not measure the rate."""
    return any(p.mergeable or p.merge_state_status or p.timeline for p in pulls if p.state is not PullState.OPEN)


def _overlap_episodes(pulls: Sequence[PullRequest]) -> dict[int, str]:
    """PR number -> a file another PR changed on the base while this PR was open."""
    merges_by_file: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for pull in pulls:
        if pull.state is PullState.MERGED and pull.merged_at:
            for path in pull.file_paths:
                merges_by_file[path].append((pull.merged_at, pull.number))
    for entries in merges_by_file.values():
        entries.sort()
    episodes: dict[int, str] = {}
    spans, _ = lifetimes(pulls, include_drafts=True)
    for span in spans:
        end = span.end
        for path in span.pull.file_paths:
            entries = merges_by_file.get(path, [])
            index = bisect.bisect_right(entries, (span.start, 1 << 62))
            for moment, number in entries[index:]:
                if end is not None and moment >= end:
                    break
                if number != span.pull.number:
                    episodes[span.pull.number] = path
                    break
            if span.pull.number in episodes:
                break
    return episodes


def conflict_rate(
    pulls: Sequence[PullRequest], window: Window, replay: Mapping[int, bool] | None = None
) -> m.ConflictRate:
    """Compute the rate from signals, a merge-tree replay, or the overlap proxy."""
    closed = [p for p in pulls if p.state is not PullState.OPEN and window.contains(p.finished_at)]
    by_signal: dict[str, int] = defaultdict(int)
    conflicted: set[int] = set()
    if replay or _has_signal_data(closed):
        source = "merge-tree replay and recorded signals" if replay else "recorded signals"
        label = "Conflict rate"
        for pull in closed:
            signals = conflict_signals(pull)
            if replay and replay.get(pull.number):
                signals.append("merge-tree-replay")
            for signal in signals:
                by_signal[signal] += 1
            if signals:
                conflicted.add(pull.number)
        note = "PRs with at least one conflict episode / PRs closed or merged in the window."
    else:
        source = "file-overlap proxy"
        label = "Conflict rate (file-overlap proxy, upper bound)"
        episodes = _overlap_episodes(pulls)
        for pull in closed:
            if pull.number in episodes:
                conflicted.add(pull.number)
                by_signal["base-changed-same-file"] += 1
        note = (
            "The data has no mergeable state, merge-queue or merge-tree signal, so this counts PRs for which "
            "another PR changing one of the same files merged while they were open (an upper bound)."
        )
    by_kind: dict[str, dict[str, int]] = {}
    for pull in closed:
        row = by_kind.setdefault(pull.attribution.kind.value, {"closed": 0, "with_conflict": 0})
        row["closed"] += 1
        row["with_conflict"] += pull.number in conflicted
    return m.ConflictRate(
        source=source,
        label=label,
        closed=len(closed),
        with_conflict=len(conflicted),
        rate=round(len(conflicted) / len(closed), 4) if closed else None,
        by_signal=dict(sorted(by_signal.items())),
        by_kind=dict(sorted(by_kind.items())),
        note=note,
    )


def merge_queue(
    pulls: Sequence[PullRequest], window: Window, snapshots: Sequence[tuple[datetime, int]] = ()
) -> m.MergeQueue:
    """Queue depth from stored snapshots, merge-queue timeline events, or a proxy."""
    if snapshots:
        inside = [(at, depth) for at, depth in snapshots if window.contains(at)]
        series = [m.QueuePoint(at=format_timestamp(at) or "", depth=depth) for at, depth in inside]
        return m.MergeQueue(
            source="snapshots",
            label="Merge queue depth",
            current=snapshots[-1][1],
            series=series,
            note="Entries in the merge queue, as read live from GitHub at each sync.",
        )
    events = [(e.at, e.kind, p.number) for p in pulls for e in p.timeline
              if e.kind in ("added_to_merge_queue", "removed_from_merge_queue")]
    events += [(p.merged_at, "merged", p.number) for p in pulls
               if p.merged_at and any(e.kind == "added_to_merge_queue" for e in p.timeline)]
    if events:
        return _queue_from_events(sorted(events), window)
    return _queue_proxy(pulls, window)


def _queue_from_events(events: list[tuple[datetime, str, int]], window: Window) -> m.MergeQueue:
    queued: set[int] = set()
    series: list[m.QueuePoint] = []
    moments = window.week_ends()
    index = 0
    for moment in moments:
        while index < len(events) and events[index][0] <= moment:
            _, kind, number = events[index]
            (queued.add if kind == "added_to_merge_queue" else queued.discard)(number)
            index += 1
        series.append(m.QueuePoint(at=format_timestamp(moment) or "", depth=len(queued)))
    return m.MergeQueue(
        source="timeline",
        label="Merge queue depth",
        current=series[-1].depth if series else 0,
        series=series,
        note="Replayed from added-to / removed-from merge queue timeline events, sampled at each week's end.",
    )


def _queue_proxy(pulls: Sequence[PullRequest], window: Window) -> m.MergeQueue:
    open_now = [p for p in pulls if p.state is PullState.OPEN and not p.is_draft]
    reviewed = any(p.review_decision for p in pulls)
    if not reviewed:
        return m.MergeQueue(
            source="proxy",
            label="Merge queue depth (unavailable)",
            current=None,
            series=[],
            note="The data has no merge-queue entries and no review decisions, so no queue depth can be shown. "
                 "Sync live from GitHub to record it.",
        )
    waiting = [p for p in open_now if (p.review_decision or "").upper() == "APPROVED"
               and (p.mergeable or "").upper() != "CONFLICTING"]
    return m.MergeQueue(
        source="proxy",
        label="Merge queue depth (proxy: approved, mergeable PRs waiting)",
        current=len(waiting),
        series=[],
        note="No merge-queue data: counts open, non-draft PRs that are approved and not conflicting.",
    )
