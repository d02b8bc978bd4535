"""Assemble every dashboard metric for one repository and window."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from agentlanes import __version__
from agentlanes.attribution import Attributor
from agentlanes.config import Config
from agentlanes.errors import InputError
from agentlanes.metrics import flow
from agentlanes.metrics import models as m
from agentlanes.metrics.conflicts import conflict_rate
from agentlanes.metrics.durations import issue_lead_time, time_to_merge
from agentlanes.metrics.flow import DispatchSpan
from agentlanes.metrics.grouping import GROUPINGS, Grouper
from agentlanes.metrics.outcomes import outcomes
from agentlanes.metrics.pullcommits import collect
from agentlanes.metrics.queue import QueueSnapshot, merge_queue
from agentlanes.metrics.replay import replay
from agentlanes.metrics.utilization import utilization
from agentlanes.metrics.window import DEFAULT_WEEKS, Window, make_window
from agentlanes.model import Commit, Dataset, PullRequest, PullState
from agentlanes.timeutil import format_timestamp

__all__ = ["GROUPINGS", "build_dashboard"]


def _groups(pulls: Sequence[PullRequest], window: Window, grouper: Grouper, streams: m.ActiveStreams) -> list[str]:
    """List every group shown, most PRs created or finished in the window first, then stream-only groups."""
    activity: Counter[str] = Counter()
    for pull in pulls:
        if window.contains(pull.created_at) or (pull.finished_at and window.contains(pull.finished_at)):
            activity[grouper.of(pull)] += 1
    for day in streams.days:
        for group in day.by_group:
            activity[group] += 0
    return sorted(activity, key=lambda name: (-activity[name], name))


def _classification(created: Sequence[PullRequest]) -> m.Classification:
    return m.Classification(
        by_kind={kind: sum(1 for p in created if p.attribution.kind.value == kind) for kind in m.KINDS},
        by_rule=dict(sorted(Counter(p.attribution.rule for p in created).items())),
        by_agent=dict(sorted(Counter(p.attribution.agent for p in created if p.attribution.agent).items())),
        note="PRs created in the window, classified by the strongest signal: dependency bot, agent bot account, "
             "agent author name, branch prefix, commit author or co-author, body marker.",
    )


def build_dashboard(
    dataset: Dataset,
    config: Config,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    weeks: int = DEFAULT_WEEKS,
    group_by: str = "agent",
    repo: str | Path | None = None,
    queue_snapshots: Sequence[QueueSnapshot] = (),
    dispatched: Sequence[DispatchSpan] = (),
    history: Sequence[Commit] | None = None,
) -> m.Dashboard:
    """Compute the dashboard for ``dataset`` (already cut at ``--as-of``).

    ``repo`` is a git checkout for the merge-tree replay. ``history`` is the full
    commit list before the ``--as-of`` cut (default: the dataset's commits); it
    is used to recover PR commits from merge commits.
    """
    grouper = Grouper.for_dataset(group_by, dataset, config)
    now = dataset.now
    if now is None:
        raise InputError(f"{dataset.name}: the data has no timestamps", "check that the export contains PRs or issues")
    window = make_window(now, since, until, weeks)
    if window.until <= window.since:
        raise InputError("--since must be before --until", "swap the two dates")
    pulls = dataset.pulls
    closed = [p for p in pulls if p.state is not PullState.OPEN and p.finished_at and window.contains(p.finished_at)]
    report = replay(repo, closed) if repo is not None else None
    evidence = collect(pulls, dataset.commits if history is None else history, report)
    found, unknown = flow.streams(pulls, grouper, dispatched)
    streams = flow.active_streams(found, unknown, window)
    notes = list(dataset.notes)
    first = dataset.earliest_event
    if first is not None and first > window.since:
        notes.append(f"The data starts on {first:%Y-%m-%d}, after the window opens, so the weeks before show no "
                     "activity and per-week means count them.")
    notes.append("Agent counts are lower bounds: agents that run locally leave markers only optionally.")
    return m.Dashboard(
        generated_by=f"agentlanes {__version__}",
        repository=dataset.name,
        now=format_timestamp(now) or "",
        group_by=group_by,
        groups=_groups(pulls, window, grouper, streams),
        window=m.WindowInfo(since=format_timestamp(window.since) or "", until=format_timestamp(window.until) or "",
                            weeks=window.weeks()),
        classification=_classification([p for p in pulls if window.contains(p.created_at)]),
        active_streams=streams,
        merged_per_week=flow.merged_per_week(pulls, window, grouper),
        merge_rate=flow.merge_rate(pulls, window, grouper),
        merge_queue=merge_queue(pulls, window, queue_snapshots),
        conflict_rate=conflict_rate(pulls, window, grouper, evidence.base_merges, report),
        utilization=utilization(pulls, config.agents, window, dispatched, config.conflict.stale_pull_days),
        outcomes=outcomes(pulls, window, grouper, evidence.commits, Attributor(config)),
        time_to_merge=time_to_merge(pulls, window, grouper),
        issue_lead_time=issue_lead_time(dataset.issues, pulls, window, grouper),
        notes=notes,
    )
