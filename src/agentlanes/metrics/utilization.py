"""Agent utilization: concurrent in-flight tasks over configured capacity.

An agent's in-flight tasks are its open pull requests, drafts included (agents
such as Copilot work in draft PRs), plus issues dispatched to it that have no PR
yet, when a dispatch log is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from agentlanes.config import AgentConfig
from agentlanes.metrics import models as m
from agentlanes.metrics.window import Lifetime, Window, counts_at, lifetimes
from agentlanes.model import PullRequest
from agentlanes.timeutil import iso_week


def utilization(
    pulls: Sequence[PullRequest],
    agents: Sequence[AgentConfig],
    window: Window,
    dispatched: Sequence[tuple[str, datetime, datetime | None]] = (),
) -> list[m.AgentUtilization]:
    """Per agent with work in the data or capacity configured, weekly utilization."""
    spans, _ = lifetimes(pulls, include_drafts=True)
    by_agent: dict[str, list[Lifetime]] = {}
    for span in spans:
        if span.pull.attribution.agent:
            by_agent.setdefault(span.pull.attribution.agent, []).append(span)
    extra: dict[str, list[tuple[datetime, datetime | None]]] = {}
    for agent, start, end in dispatched:
        extra.setdefault(agent, []).append((start, end))
    capacities = {agent.name: agent.capacity for agent in agents}
    names = sorted(set(by_agent) | set(extra) | {a.name for a in agents if a.capacity > 0})
    days = window.days()
    rows = []
    for name in names:
        agent_spans = list(by_agent.get(name, []))
        agent_spans += [Lifetime(None, start, end) for start, end in extra.get(name, [])]  # type: ignore[arg-type]
        daily = counts_at(agent_spans, days)
        capacity = capacities.get(name, 0)
        weeks = []
        for label in window.weeks():
            values = [count for moment, count in zip(days, daily, strict=True) if iso_week(moment) == label]
            mean = sum(values) / len(values) if values else 0.0
            weeks.append(
                m.UtilizationWeek(
                    week=label,
                    mean_in_flight=round(mean, 2),
                    max_in_flight=max(values, default=0),
                    utilization=round(mean / capacity, 3) if capacity else None,
                )
            )
        total_mean = sum(daily) / len(daily) if daily else 0.0
        rows.append(
            m.AgentUtilization(
                agent=name,
                capacity=capacity,
                current_in_flight=daily[-1] if daily else 0,
                mean_utilization=round(total_mean / capacity, 3) if capacity else None,
                weeks=weeks,
            )
        )
    return rows
