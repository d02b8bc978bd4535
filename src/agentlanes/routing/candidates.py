"""Routing inputs rebuilt from a backlog analysis, an agents configuration and
the issues already dispatched."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from agentlanes.analysis.artifact import BacklogAnalysis, InFlightItem, IssueAnalysis
from agentlanes.analysis.paths import Component, ComponentIndex
from agentlanes.config import AgentConfig, Config
from agentlanes.routing.conflicts import ConflictRule, Lock, with_component_fallback
from agentlanes.routing.dispatched import QUOTA_WINDOW, Dispatch, active_dispatches
from agentlanes.routing.fitness import AgentHistory, history_from_records, rank_agents
from agentlanes.timeutil import parse_timestamp
from agentlanes.textutil import counted


@dataclass(frozen=True, slots=True)
class Candidate:
    """An open task routing may start now or later, and the agents that may take it.

    ``values[agent]`` is priority x fitness, the quantity routing maximises.
    ``blockers`` are the open issues the task waits for; a task with blockers is
    never started now, and the wave plan puts it after them.
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
    url: str = ""
    blockers: frozenset[int] = frozenset()
    blocked_reasons: tuple[str, ...] = ()

    @property
    def startable(self) -> bool:
        """True when nothing blocks the task and at least one agent may take it."""
        return not self.blockers and bool(self.values)


@dataclass(frozen=True, slots=True)
class AgentSlots:
    """An agent's free capacity: concurrent slots and, if set, the quota left today."""

    agent: AgentConfig
    in_flight: int
    free: int
    quota_left: int | None

    @property
    def limit(self) -> int:
        """Tasks the agent may start now: free slots, capped by the quota left."""
        return self.free if self.quota_left is None else min(self.free, self.quota_left)


@dataclass(frozen=True, slots=True)
class Waiting:
    """An open task that is neither ready nor blocked: in progress, assigned or dispatched."""

    number: int
    title: str
    status: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RoutingProblem:
    """Everything a solver needs: candidates, agent slots, locks and the conflict rule.

    ``in_flight_issues`` are open issues someone already works on; the wave plan
    assumes they finish during the first wave.
    """

    candidates: tuple[Candidate, ...]
    slots: tuple[AgentSlots, ...]
    locks: tuple[Lock, ...]
    rule: ConflictRule
    waiting: tuple[Waiting, ...] = ()
    in_flight_issues: frozenset[int] = frozenset()
    notes: tuple[str, ...] = ()

    @property
    def startable(self) -> tuple[Candidate, ...]:
        return tuple(c for c in self.candidates if c.startable)


def _rule(config: Config) -> ConflictRule:
    return ConflictRule(config.conflict.method, config.conflict.footprint_threshold)


def build_candidate(record: IssueAnalysis, config: Config, history: AgentHistory) -> Candidate:
    components = [c.name for c in record.components]
    ranking = rank_agents(config.agents, record.type.value, components, record.size.label, history)
    fitness = {f.agent: f.score for f in ranking if f.eligible and f.score > 0}
    blockers = frozenset(d.number for d in record.dependencies if d.blocking)
    return Candidate(
        number=record.number,
        title=record.title,
        type=record.type.value,
        size=record.size.label,
        priority=record.priority.score,
        components=frozenset(components),
        footprint=with_component_fallback(
            {f.path: f.score for f in record.footprint if f.score > 0 and not config.conflict.ignores(f.path)},
            components, _rule(config)),
        fitness=fitness,
        values={agent: round(record.priority.score * score, 6) for agent, score in fitness.items()},
        fitness_reasons={f.agent: f.reasons for f in ranking},
        refusals=tuple(reason for f in ranking if not f.eligible for reason in f.reasons),
        url=record.url,
        blockers=blockers,
        blocked_reasons=tuple(record.readiness.reasons) if blockers else (),
    )


def active_in_flight(analysis: BacklogAnalysis, stale_days: int) -> tuple[list[InFlightItem], int]:
    """In-flight items that still count, and how many open PRs were left out as stale."""
    if stale_days <= 0 or analysis.now is None:
        return list(analysis.in_flight), 0
    cutoff = parse_timestamp(analysis.now) - timedelta(days=stale_days)
    active = [item for item in analysis.in_flight
              if item.kind != "pull" or item.created_at is None or parse_timestamp(item.created_at) >= cutoff]
    return active, len(analysis.in_flight) - len(active)


def _pull_locks(analysis: BacklogAnalysis, in_flight: list[InFlightItem], config: Config) -> list[Lock]:
    index = ComponentIndex(tuple(Component(c.name, tuple(c.paths), c.source) for c in analysis.components))
    locks = []
    for item in in_flight:
        components = frozenset(c for c in (index.component_of(p) for p in item.files) if c)
        holder = f"PR #{item.number}" if item.kind == "pull" else f"{item.kind} #{item.number}"
        files = {path: 1.0 for path in item.files if not config.conflict.ignores(path)}
        locks.append(Lock(holder, with_component_fallback(files, components, _rule(config)), components))
    return locks


def _dispatched_in_flight(
    analysis: BacklogAnalysis, dispatched: Iterable[Dispatch]
) -> tuple[dict[int, Dispatch], Counter[str], list[str]]:
    """Split the dispatch log: issues in flight without a PR, today's count per agent, notes."""
    now = parse_timestamp(analysis.now) if analysis.now else None
    dispatched = tuple(dispatched)
    latest = active_dispatches(dispatched, now)
    open_issues = {record.number: record for record in analysis.issues}
    in_flight = {
        number: entry for number, entry in latest.items()
        if number in open_issues and not open_issues[number].readiness.open_pulls
    }
    today: Counter[str] = Counter(
        entry.agent for entry in dispatched if now is None or now - QUOTA_WINDOW < entry.at <= now
    )
    notes = []
    closed = sum(1 for number in latest if number not in open_issues)
    if closed:
        notes.append(f"dispatched issues no longer open, which hold nothing: {closed}")
    return in_flight, today, notes


def _configuration_notes(config: Config, analysis: BacklogAnalysis, dispatched: dict[int, Dispatch]) -> list[str]:
    """Name what the configuration or the dispatch log refers to that this analysis does not have."""
    notes = []
    configured = {agent.name for agent in config.agents}
    strangers = Counter(entry.agent for entry in dispatched.values() if entry.agent not in configured)
    if strangers:
        names = ", ".join(f"{name} ({counted(count, 'issue')})" for name, count in sorted(strangers.items()))
        notes.append(f"the dispatch log names agents that are not configured: {names}; their issues stay held and "
                     "take no configured agent's slot")
    known = {component.name for component in analysis.components}
    for agent in config.agents:
        missing = sorted(set(agent.eligible.components) - known)
        if missing and agent.capacity > 0:
            notes.append(f"agent {agent.name}: eligible component(s) {', '.join(missing)} match no component of "
                         f"this analysis ({', '.join(sorted(known)) or 'none'}), so no task there can go to it")
    return notes


def _slots(
    config: Config, in_flight_items: list[InFlightItem], dispatched: dict[int, Dispatch], today: Counter[str]
) -> tuple[AgentSlots, ...]:
    in_flight = Counter(item.agent for item in in_flight_items if item.agent and item.agent_ran)
    in_flight.update(entry.agent for entry in dispatched.values())
    return tuple(
        AgentSlots(
            agent=agent,
            in_flight=in_flight[agent.name],
            free=max(0, agent.capacity - in_flight[agent.name]),
            quota_left=None if agent.daily_quota is None else max(0, agent.daily_quota - today[agent.name]),
        )
        for agent in config.routable_agents
    )


def _dispatch_locks(analysis: BacklogAnalysis, dispatched: dict[int, Dispatch], config: Config) -> list[Lock]:
    """Lock the predicted files and components of each dispatched issue that has no PR yet."""
    by_number = {record.number: record for record in analysis.issues}
    locks = []
    for number, entry in sorted(dispatched.items()):
        record = by_number[number]
        components = frozenset(c.name for c in record.components)
        files = {f.path: f.score for f in record.footprint if f.score > 0 and not config.conflict.ignores(f.path)}
        locks.append(Lock(f"issue #{number} (dispatched to {entry.agent})",
                          with_component_fallback(files, components, _rule(config)), components))
    return locks


def build_problem(
    analysis: BacklogAnalysis,
    config: Config,
    dispatched: Iterable[Dispatch] = (),
    extra_locks: tuple[Lock, ...] = (),
) -> RoutingProblem:
    """Turn the analysis into candidates, agent slots and locks for the solvers."""
    history = history_from_records(analysis.agent_records)
    in_flight_dispatches, today, notes = _dispatched_in_flight(analysis, dispatched)
    notes += _configuration_notes(config, analysis, in_flight_dispatches)

    candidates: list[Candidate] = []
    waiting: list[Waiting] = []
    for record in analysis.issues:
        entry = in_flight_dispatches.get(record.number)
        if entry is not None:
            waiting.append(Waiting(record.number, record.title, "dispatched",
                                   (f"dispatched to {entry.agent} at {entry.at:%Y-%m-%d %H:%M} UTC",)))
        elif record.readiness.status in ("ready", "blocked"):
            candidates.append(build_candidate(record, config, history))
        else:
            waiting.append(Waiting(record.number, record.title, record.readiness.status,
                                   tuple(record.readiness.reasons)))

    active, stale = active_in_flight(analysis, config.conflict.stale_pull_days)
    if stale:
        notes.append(f"{stale} open pull requests opened more than {config.conflict.stale_pull_days} days "
                     "earlier are treated as stale: they lock no files and hold no agent slot")
    locks: list[Lock] = list(extra_locks)
    if config.conflict.lock_open_pulls:
        locks.extend(_pull_locks(analysis, active, config))
    locks.extend(_dispatch_locks(analysis, in_flight_dispatches, config))

    busy = {r.number for r in analysis.issues if r.readiness.status in ("in_progress", "assigned")}
    return RoutingProblem(
        candidates=tuple(candidates),
        slots=_slots(config, active, in_flight_dispatches, today),
        locks=tuple(locks),
        rule=_rule(config),
        waiting=tuple(waiting),
        in_flight_issues=frozenset(busy | set(in_flight_dispatches)),
        notes=tuple(notes),
    )
