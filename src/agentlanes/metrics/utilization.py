"""Agent utilization: concurrent in-flight tasks over configured capacity.

An agent's in-flight tasks are the open pull requests it ran (by its account,
name, branch or marker; co-authored PRs are a person's work), drafts included (agents
such as the Copilot coding agent work in draft PRs), plus issues dispatched to it
that have no PR yet, when a dispatch log is given. Counts are sampled daily at
00:00 UTC and at the window's end.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import datetime, timedelta

from agentlanes.attribution import agent_ran
from agentlanes.config import AgentConfig
from agentlanes.metrics import models as m
from agentlanes.metrics.flow import DispatchSpan
from agentlanes.metrics.window import Window, lifetimes
from agentlanes.model import PullRequest
from agentlanes.timeutil import iso_week

Span = tuple[datetime, datetime | None]


def _counts(spans: Sequence[Span], moments: Sequence[datetime]) -> list[int]:
    """Count the spans that contain each moment (start inclusive, end exclusive)."""
    starts = sorted(start for start, _ in spans)
    ends = sorted(end for _, end in spans if end is not None)
    return [bisect.bisect_right(starts, moment) - bisect.bisect_right(ends, moment) for moment in moments]


def _agent_spans(
    pulls: Sequence[PullRequest], dispatched: Sequence[DispatchSpan]
) -> tuple[dict[str, list[Span]], dict[str, list[Span]]]:
    """Return each agent's spans of work it ran (PRs, then dispatched issues), and of PRs it only co-authored."""
    found, coauthored = _pull_spans(pulls)
    for agent, start, end in dispatched:
        found.setdefault(agent, []).append((start, end))
    return found, coauthored


def _pull_spans(pulls: Sequence[PullRequest]) -> tuple[dict[str, list[Span]], dict[str, list[Span]]]:
    ran: dict[str, list[Span]] = {}
    coauthored: dict[str, list[Span]] = {}
    spans, _ = lifetimes(pulls, include_drafts=True)
    for span in spans:
        agent = agent_ran(span.pull.attribution)
        if agent:
            ran.setdefault(agent, []).append((span.start, span.end))
        elif span.pull.attribution.agent:
            coauthored.setdefault(span.pull.attribution.agent, []).append((span.start, span.end))
    return ran, coauthored


def _stale(spans: list[Span], moment: datetime, stale_days: int) -> int:
    """Count the spans open at ``moment`` that started more than ``stale_days`` before it."""
    cutoff = moment - timedelta(days=stale_days)
    return sum(1 for start, end in spans if start < cutoff and start <= moment and (end is None or end > moment))


def utilization(pulls: Sequence[PullRequest], agents: Sequence[AgentConfig], window: Window,
                dispatched: Sequence[DispatchSpan] = (), stale_days: int = 0) -> list[m.AgentUtilization]:
    """Compute weekly utilization for every agent with work in the data or a configured capacity.

    ``stale_days`` is ``conflict.stale_pull_days``: open PRs older than that at
    ``until`` are counted in flight here, and reported apart because ``route``
    ignores them.
    """
    by_agent, coauthored = _agent_spans(pulls, dispatched)
    pulls_ran, _ = _pull_spans(pulls)
    capacities = {agent.name: agent.capacity for agent in agents}
    names = sorted(set(by_agent) | set(coauthored) | {agent.name for agent in agents if agent.capacity > 0})
    end = [days[-1]] if (days := window.days()) else []
    labels = [iso_week(moment) for moment in days]
    rows = []
    for name in names:
        daily = _counts(by_agent.get(name, []), days)
        capacity = capacities.get(name, 0)
        weeks = []
        for label in window.weeks():
            values = [count for week, count in zip(labels, daily, strict=True) if week == label]
            mean = sum(values) / len(values) if values else 0.0
            weeks.append(m.UtilizationWeek(
                week=label,
                mean_in_flight=round(mean, 2),
                max_in_flight=max(values, default=0),
                utilization=round(mean / capacity, 3) if capacity else None,
            ))
        total_mean = sum(daily) / len(daily) if daily else 0.0
        rows.append(m.AgentUtilization(
            agent=name,
            capacity=capacity,
            current_in_flight=daily[-1] if daily else 0,
            coauthored_in_flight=_counts(coauthored.get(name, []), end)[0] if end else 0,
            stale_in_flight=_stale(pulls_ran.get(name, []), end[0], stale_days) if end and stale_days > 0 else 0,
            peak_in_flight=max(daily, default=0),
            mean_utilization=round(total_mean / capacity, 3) if capacity else None,
            weeks=weeks,
        ))
    return rows
