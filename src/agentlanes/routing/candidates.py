"""Routing inputs rebuilt from a backlog analysis and an agents configuration."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from agentlanes.analysis.artifact import BacklogAnalysis, IssueAnalysis
from agentlanes.analysis.paths import Component, ComponentIndex
from agentlanes.config import AgentConfig, Config
from agentlanes.routing.conflicts import ConflictRule, Lock
from agentlanes.routing.fitness import history_from_records, rank_agents


@dataclass(frozen=True, slots=True)
class Candidate:
    """A ready task and the agents that may take it, with the value of each pairing.

    ``values[agent]`` is priority x fitness, the quantity routing maximises.
    """

    number: int
    title: str
    type: str
    size: str
    priority: float
    components: frozenset[str]
    footprint: dict[str, float]
    fitness: dict[str, float]
    values: dict[str, float]
    fitness_reasons: dict[str, tuple[str, ...]] = field(default_factory=dict)
    refusals: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AgentSlots:
    """An agent's free capacity: concurrent slots and, if set, today's quota left."""

    agent: AgentConfig
    in_flight: int
    free: int
    quota_left: int | None

    @property
    def limit(self) -> int:
        return self.free if self.quota_left is None else min(self.free, self.quota_left)


@dataclass(frozen=True)
class RoutingProblem:
    candidates: tuple[Candidate, ...]
    slots: tuple[AgentSlots, ...]
    locks: tuple[Lock, ...]
    rule: ConflictRule
    waiting: tuple[IssueAnalysis, ...]  # open issues that are not ready, with their reasons


def build_candidate(record: IssueAnalysis, config: Config, history) -> Candidate:
    components = [c.name for c in record.components]
    ranking = rank_agents(config.agents, record.type.value, components, record.size.label, history)
    fitness = {f.agent: f.score for f in ranking if f.eligible and f.score > 0}
    return Candidate(
        number=record.number,
        title=record.title,
        type=record.type.value,
        size=record.size.label,
        priority=record.priority.score,
        components=frozenset(components),
        footprint={f.path: f.score for f in record.footprint},
        fitness=fitness,
        values={agent: round(record.priority.score * score, 6) for agent, score in fitness.items()},
        fitness_reasons={f.agent: f.reasons for f in ranking},
        refusals=tuple(reason for f in ranking if not f.eligible for reason in f.reasons),
    )


def build_problem(
    analysis: BacklogAnalysis,
    config: Config,
    dispatched_today: Counter[str] | None = None,
    extra_locks: tuple[Lock, ...] = (),
) -> RoutingProblem:
    """Turn the analysis into candidates, agent slots and locks for the solvers."""
    history = history_from_records(
        (r.agent, r.type, r.merged, r.abandoned, r.merge_hours) for r in analysis.agent_records
    )
    index = ComponentIndex(tuple(Component(c.name, tuple(c.paths), c.source) for c in analysis.components))
    candidates = tuple(
        build_candidate(record, config, history) for record in analysis.issues if record.readiness.status == "ready"
    )
    waiting = tuple(record for record in analysis.issues if record.readiness.status != "ready")
    in_flight = Counter(item.agent for item in analysis.in_flight if item.agent)
    dispatched_today = dispatched_today or Counter()
    slots = tuple(
        AgentSlots(
            agent=agent,
            in_flight=in_flight[agent.name],
            free=max(0, agent.capacity - in_flight[agent.name]),
            quota_left=None if agent.daily_quota is None else max(0, agent.daily_quota - dispatched_today[agent.name]),
        )
        for agent in config.routable_agents
    )
    locks: list[Lock] = list(extra_locks)
    if config.conflict.lock_open_pulls:
        for item in analysis.in_flight:
            components = frozenset(c for c in (index.component_of(p) for p in item.files) if c)
            locks.append(Lock(f"{item.kind} #{item.number}" if item.kind != "pull" else f"PR #{item.number}",
                              {path: 1.0 for path in item.files}, components))
    rule = ConflictRule(config.conflict.method, config.conflict.footprint_threshold)
    return RoutingProblem(candidates, slots, tuple(locks), rule, waiting)
