"""Assemble every dashboard metric for one repository and window."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime

from agentlanes import __version__
from agentlanes.config import Config
from agentlanes.errors import InputError
from agentlanes.metrics import flow
from agentlanes.metrics import models as m
from agentlanes.metrics.collisions import conflict_rate, merge_queue
from agentlanes.metrics.utilization import utilization
from agentlanes.metrics.window import DEFAULT_WEEKS, make_window
from agentlanes.model import Dataset
from agentlanes.timeutil import format_timestamp

GROUPINGS = ("agent", "component", "author")


def build_dashboard(
    dataset: Dataset,
    config: Config,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    weeks: int = DEFAULT_WEEKS,
    group_by: str = "agent",
    replay: Mapping[int, bool] | None = None,
    queue_snapshots: Sequence[tuple[datetime, int]] = (),
    dispatched: Sequence[tuple[str, datetime, datetime | None]] = (),
) -> m.Dashboard:
    """Compute the dashboard for ``dataset`` (already cut at ``--as-of``)."""
    if group_by not in GROUPINGS:
        raise InputError(f"invalid --by value {group_by!r}", f"use one of: {', '.join(GROUPINGS)}")
    now = dataset.now
    if now is None:
        raise InputError(f"{dataset.name}: the data has no timestamps", "check that the export contains PRs or issues")
    window = make_window(now, since, until, weeks)
    if window.until <= window.since:
        raise InputError("--since must be before --until", "swap the two dates")
    pulls = dataset.pulls
    created = [p for p in pulls if window.contains(p.created_at)]
    notes = list(dataset.notes)
    notes.append(
        "Agent counts are lower bounds: agents that run locally leave markers only optionally."
    )
    return m.Dashboard(
        generated_by=f"agentlanes {__version__}",
        repository=dataset.name,
        now=format_timestamp(now) or "",
        group_by=group_by,
        window=m.WindowInfo(
            since=format_timestamp(window.since) or "",
            until=format_timestamp(window.until) or "",
            weeks=window.weeks(),
        ),
        classification=m.Classification(
            by_kind={kind: sum(1 for p in created if p.attribution.kind.value == kind) for kind in m.KINDS},
            by_rule=dict(sorted(Counter(p.attribution.rule for p in created).items())),
            by_agent=dict(sorted(Counter(p.attribution.agent for p in created if p.attribution.agent).items())),
            note="PRs created in the window, classified by the strongest signal: bot author, author name, "
                 "branch prefix, commit author or co-author, body marker.",
        ),
        active_streams=flow.active_streams(pulls, window),
        merged_per_week=flow.merged_per_week(pulls, window),
        merge_rate=flow.merge_rate(pulls, window),
        merge_queue=merge_queue(pulls, window, queue_snapshots),
        conflict_rate=conflict_rate(pulls, window, replay),
        utilization=utilization(pulls, config.agents, window, dispatched),
        outcomes=flow.outcomes(pulls, window),
        time_to_merge=flow.time_to_merge(pulls, window),
        issue_lead_time=flow.issue_lead_time(dataset.issues, pulls, window),
        notes=notes,
    )
