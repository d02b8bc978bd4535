"""Conflict rate: PRs with at least one conflict episode / PRs merged or closed in the window.

Episodes come from whatever the data and the checkout carry: a ``CONFLICTING`` /
``DIRTY`` mergeable state, a merge-queue removal for a conflict, a stored
conflict observation, a base-into-head merge (timeline event or commit graph),
and a ``git merge-tree`` replay (``--repo``). A PR none of these sources could
observe counts as conflict-free, so the rate from signals is a lower bound
whenever coverage is incomplete.

The file-overlap proxy is computed beside it as an upper bound: the share of PRs
for which another PR changing one of the same files merged while they were open.
Such a merge is necessary for a textual conflict with the base but does not
always cause one. When no signal source observed any PR, the proxy is the
headline and is labelled as such.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from agentlanes.metrics import models as m
from agentlanes.metrics.flow import rate
from agentlanes.metrics.grouping import Grouper
from agentlanes.metrics.replay import ReplayReport
from agentlanes.metrics.window import Window, lifetimes
from agentlanes.model import PullRequest, PullState
from agentlanes.timeutil import format_timestamp, iso_week

MAX_LISTED_PULLS = 50
_CONFLICT_STATES = {"CONFLICTING", "DIRTY"}
_UNKNOWN_STATES = {"", "UNKNOWN"}

# The source name used when no signal observed the PRs, so the file-overlap proxy is shown instead.
PROXY_SOURCE = "file-overlap proxy"


def _observed_sources(pull: PullRequest, base_merges: Mapping[int, int], report: ReplayReport | None) -> list[str]:
    sources = []
    if (pull.mergeable or "").upper() not in _UNKNOWN_STATES or \
            (pull.merge_state_status or "").upper() not in _UNKNOWN_STATES:
        sources.append("mergeable-state")
    if pull.timeline:
        sources.append("timeline")
    if pull.number in base_merges:
        sources.append("commit-graph")
    if report is not None and pull.number in report.pulls:
        sources.append("merge-tree-replay")
    return sources


def conflict_signals(pull: PullRequest, base_merges: Mapping[int, int] | None = None,
                     report: ReplayReport | None = None) -> list[str]:
    """Names of the conflict signals present on one PR."""
    signals: set[str] = set()
    states = {(pull.mergeable or "").upper(), (pull.merge_state_status or "").upper()}
    if states & _CONFLICT_STATES:
        signals.add("mergeable-state")
    for event in pull.timeline:
        if event.kind == "removed_from_merge_queue" and "conflict" in event.reason.lower():
            signals.add("merge-queue-removal")
        elif event.kind == "base_merged_into_head":
            signals.add("base-merged-into-head")
        elif event.kind == "conflict_observed":
            signals.add("stored-snapshot")
    if base_merges and base_merges.get(pull.number):
        signals.add("base-merged-into-head")
    if report is not None and (replayed := report.pulls.get(pull.number)) and replayed.conflicted:
        signals.add("merge-tree-replay")
    return sorted(signals)


def overlap_episodes(pulls: Sequence[PullRequest]) -> set[int]:
    """PRs for which another PR changing one of the same files merged while they were open."""
    merges_by_file: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for pull in pulls:
        if pull.state is PullState.MERGED and pull.merged_at:
            for path in pull.file_paths:
                merges_by_file[path].append((pull.merged_at, pull.number))
    for entries in merges_by_file.values():
        entries.sort()
    found: set[int] = set()
    spans, _ = lifetimes(pulls, include_drafts=True)
    for span in spans:
        for path in span.pull.file_paths:
            entries = merges_by_file.get(path, [])
            index = bisect.bisect_right(entries, (span.start, 1 << 62))
            for moment, number in entries[index:]:
                if span.end is not None and moment >= span.end:
                    break
                if number != span.pull.number:
                    found.add(span.pull.number)
                    break
            if span.pull.number in found:
                break
    return found


def _cells(closed: Sequence[PullRequest], conflicted: set[int], key,
           keys: Sequence[str] = ()) -> dict[str, m.ConflictCell]:
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0], {name: [0, 0] for name in keys})
    for pull in closed:
        table[key(pull)][0] += 1
        table[key(pull)][1] += pull.number in conflicted
    return {name: m.ConflictCell(closed=c, with_conflict=k, rate=rate(k, c)) for name, (c, k) in sorted(table.items())}


def _replay_info(report: ReplayReport | None, closed: Sequence[PullRequest]) -> m.ReplayInfo | None:
    if report is None:
        return None
    replayed = [report.pulls[p.number] for p in closed if p.number in report.pulls]
    return m.ReplayInfo(repository=report.repository, replayed=len(replayed),
                        conflicted=sum(1 for r in replayed if r.conflicted),
                        skipped=dict(sorted(report.skipped.items())))


def conflict_rate(pulls: Sequence[PullRequest], window: Window, grouper: Grouper,
                  base_merges: Mapping[int, int], report: ReplayReport | None = None) -> m.ConflictRate:
    """Compute the conflict rate of the PRs merged or closed in the window."""
    closed = [p for p in pulls if p.state is not PullState.OPEN and p.finished_at and window.contains(p.finished_at)]
    coverage: dict[str, int] = defaultdict(int)
    by_signal: dict[str, int] = defaultdict(int)
    signals: dict[int, list[str]] = {}
    observed = 0
    for pull in closed:
        sources = _observed_sources(pull, base_merges, report)
        observed += bool(sources)
        for source in sources:
            coverage[source] += 1
        found = conflict_signals(pull, base_merges, report)
        for signal in found:
            by_signal[signal] += 1
        if found:
            signals[pull.number] = found
    overlap = overlap_episodes(pulls) & {p.number for p in closed}
    proxy = m.ConflictCell(closed=len(closed), with_conflict=len(overlap), rate=rate(len(overlap), len(closed)))
    if observed:
        source, conflicted = "signals", set(signals)
        label = "Conflict rate" if observed == len(closed) else "Conflict rate (lower bound: not every PR observable)"
        note = (f"{len(conflicted)} of {len(closed)} PRs merged or closed in the window had at least one observed "
                f"conflict episode; {observed} of them could be observed by at least one signal source.")
    else:
        source, conflicted = PROXY_SOURCE, overlap
        label = "Conflict rate (file-overlap proxy, upper bound)"
        note = ("No mergeable state, merge-queue event, commit graph or merge-tree replay covers these PRs, so this "
                "counts PRs for which another PR changing one of the same files merged while they were open.")
    return m.ConflictRate(
        source=source,
        label=label,
        closed=len(closed),
        with_conflict=len(conflicted),
        rate=rate(len(conflicted), len(closed)),
        observed=observed,
        coverage=dict(sorted(coverage.items())),
        by_signal=dict(sorted(by_signal.items())) if observed else {"file-overlap": len(overlap)},
        by_kind=_cells(closed, conflicted, lambda p: p.attribution.kind.value, m.KINDS),
        by_group=_cells(closed, conflicted, grouper.of),
        weeks=_weeks(closed, conflicted, window),
        overlap_upper_bound=proxy,
        replay=_replay_info(report, closed),
        pulls=_listed(closed, signals if observed else {n: ["file-overlap"] for n in overlap}, grouper, report),
        pulls_limit=MAX_LISTED_PULLS,
        excluded_unknown_close=sum(1 for p in pulls if p.state is PullState.CLOSED and p.closed_at is None),
        note=note,
    )


def _weeks(closed: Sequence[PullRequest], conflicted: set[int], window: Window) -> list[m.ConflictWeek]:
    table = {label: [0, 0] for label in window.weeks()}
    for pull in closed:
        row = table[iso_week(pull.finished_at)]  # type: ignore[arg-type]
        row[0] += 1
        row[1] += pull.number in conflicted
    return [m.ConflictWeek(week=label, closed=c, with_conflict=k, rate=rate(k, c)) for label, (c, k) in table.items()]


def _listed(closed: Sequence[PullRequest], signals: Mapping[int, list[str]], grouper: Grouper,
            report: ReplayReport | None) -> list[m.ConflictPull]:
    """List the most recently finished PRs with a conflict episode, at most ``MAX_LISTED_PULLS``."""
    chosen = sorted((p for p in closed if p.number in signals), key=lambda p: (p.finished_at, p.number), reverse=True)
    rows = []
    for pull in chosen[:MAX_LISTED_PULLS]:
        replayed = report.pulls.get(pull.number) if report else None
        rows.append(m.ConflictPull(
            number=pull.number, title=pull.title, url=pull.url, group=grouper.of(pull),
            kind=pull.attribution.kind.value, finished_at=format_timestamp(pull.finished_at) or "",
            signals=signals[pull.number], files=list(replayed.files) if replayed else [],
        ))
    return rows
