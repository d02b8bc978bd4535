"""Agent fitness for a task: eligibility, configured priors and track record.

An agent's fitness for a task is its expected merge rate on that kind of task,
estimated with Beta-Binomial smoothing in three levels. The prior is the
agent's configured ``prior`` (``BASE_PRIOR`` when unset) plus ``STRENGTH_BONUS``
for a configured strength type and ``COMPONENT_BONUS`` for a configured strength
component. Each level then updates the previous estimate with ``SMOOTHING``
pseudo pull requests of weight:

1. the agent's record over all its finished pull requests in this repository;
2. its record on pull requests of the task's type;
3. its record on pull requests that touched one of the task's components (the
   component with the most finished pull requests of this agent).

A record counts merged versus abandoned (closed unmerged) pull requests and the
hours from creation to merge. A task larger than the agent's stated maximum size
halves the fitness. Time to merge is reported as evidence, not scored.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from agentlanes.config import AgentConfig, size_rank
from agentlanes.model import AuthorKind, PullRequest, PullState

SMOOTHING = 4.0
BASE_PRIOR = 0.55
STRENGTH_BONUS = 0.15
COMPONENT_BONUS = 0.05
MAX_PRIOR = 0.99
OVERSIZE_FACTOR = 0.5


@dataclass(frozen=True, slots=True)
class Record:
    merged: int = 0
    abandoned: int = 0
    merge_hours: tuple[float, ...] = ()

    @property
    def finished(self) -> int:
        return self.merged + self.abandoned

    @property
    def median_hours(self) -> float | None:
        return statistics.median(self.merge_hours) if self.merge_hours else None

    def __add__(self, other: Record) -> Record:
        return Record(self.merged + other.merged, self.abandoned + other.abandoned,
                      self.merge_hours + other.merge_hours)


@dataclass(frozen=True, slots=True)
class TypeRecord:
    """An agent's record on one task type, with the same pull requests split by component."""

    agent: str
    type: str
    record: Record
    components: dict[str, Record] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AgentHistory:
    """Per agent: the overall record, the record per task type and per component."""

    overall: dict[str, Record]
    by_type: dict[tuple[str, str], Record]
    by_component: dict[tuple[str, str], Record] = field(default_factory=dict)
    rows: tuple[TypeRecord, ...] = ()

    @classmethod
    def empty(cls) -> AgentHistory:
        return cls({}, {})


def build_history(
    pulls: Iterable[PullRequest],
    type_of: Callable[[PullRequest], str],
    components_of: Callable[[PullRequest], Iterable[str]] | None = None,
) -> AgentHistory:
    """Tally finished agent pull requests per agent, per type and per component.

    ``components_of`` returns the components a pull request touched (from its
    changed files); without it, no component records are kept.
    """
    tallies: dict[tuple[str, str], dict[str | None, list]] = defaultdict(lambda: defaultdict(lambda: [0, 0, []]))
    for pull in pulls:
        if pull.attribution.kind is not AuthorKind.AGENT or not pull.attribution.agent:
            continue
        if pull.state is PullState.OPEN or (pull.state is PullState.MERGED and not pull.merged_at):
            continue
        key = (pull.attribution.agent, type_of(pull))
        components = sorted(set(components_of(pull))) if components_of else []
        for component in [None, *components]:
            tally = tallies[key][component]
            if pull.state is PullState.MERGED:
                tally[0] += 1
                tally[2].append(max(0.0, (pull.merged_at - pull.created_at).total_seconds() / 3600))
            else:
                tally[1] += 1
    rows = []
    for (agent, kind), by_component in sorted(tallies.items()):
        components = {name: _record(t) for name, t in sorted(by_component.items(), key=lambda kv: kv[0] or "")
                      if name is not None}
        rows.append(TypeRecord(agent, kind, _record(by_component[None]), components))
    return history_from_rows(rows)


def _record(tally: list) -> Record:
    merged, abandoned, hours = tally
    return Record(merged, abandoned, tuple(hours))


def history_from_rows(rows: Iterable[TypeRecord]) -> AgentHistory:
    """Aggregate per-type rows into the overall, per-type and per-component records."""
    rows = tuple(rows)
    overall: dict[str, Record] = {}
    by_type: dict[tuple[str, str], Record] = {}
    by_component: dict[tuple[str, str], Record] = {}
    for row in rows:
        by_type[(row.agent, row.type)] = by_type.get((row.agent, row.type), Record()) + row.record
        overall[row.agent] = overall.get(row.agent, Record()) + row.record
        for component, record in row.components.items():
            key = (row.agent, component)
            by_component[key] = by_component.get(key, Record()) + record
    return AgentHistory(overall, by_type, by_component, rows)


def history_from_records(records: Iterable) -> AgentHistory:
    """Rebuild an ``AgentHistory`` from the analysis artifact's ``agent_records``."""
    rows = [
        TypeRecord(
            r.agent, r.type, Record(r.merged, r.abandoned, tuple(r.merge_hours)),
            {c.component: Record(c.merged, c.abandoned, tuple(c.merge_hours)) for c in r.components},
        )
        for r in records
    ]
    return history_from_rows(rows)


@dataclass(frozen=True, slots=True)
class Fitness:
    agent: str
    score: float
    eligible: bool
    reasons: tuple[str, ...]


def check_eligible(agent: AgentConfig, task_type: str, components: Iterable[str], size: str) -> str | None:
    """Return why the agent may not take the task, or ``None`` when it may."""
    rules = agent.eligible
    if rules.types and task_type not in rules.types:
        return f"{agent.name} takes only {', '.join(rules.types)} tasks"
    if rules.components and not set(rules.components) & set(components):
        return f"{agent.name} works only on components {', '.join(rules.components)}"
    if rules.max_size and size_rank(size) > size_rank(rules.max_size):
        return f"{agent.name} takes tasks up to size {rules.max_size}"
    return None


def describe_record(agent: str, record: Record, what: str) -> str:
    """Evidence in words, e.g. ``codex: 42/50 docs PRs merged, median 3.0 h to merge``."""
    text = f"{agent}: {record.merged}/{record.finished} {what} merged"
    if record.median_hours is not None:
        text += f", median {record.median_hours:.1f} h to merge"
    return text


def _prior(agent: AgentConfig, task_type: str, components: tuple[str, ...], reasons: list[str]) -> float:
    prior = BASE_PRIOR if agent.prior is None else agent.prior
    if agent.prior is not None:
        reasons.append(f"configured prior {agent.prior:.2f}")
    if task_type in agent.strengths.types:
        prior += STRENGTH_BONUS
        reasons.append(f"{task_type} is a configured strength")
    if set(components) & set(agent.strengths.components):
        prior += COMPONENT_BONUS
        reasons.append("component is a configured strength")
    return min(prior, MAX_PRIOR)


def _smooth(record: Record, toward: float) -> float:
    return (record.merged + SMOOTHING * toward) / (record.finished + SMOOTHING)


def _best_component(agent: str, components: tuple[str, ...], history: AgentHistory) -> tuple[str, Record] | None:
    found = [(history.by_component[(agent, c)], c) for c in components if (agent, c) in history.by_component]
    if not found:
        return None
    record, name = max(found, key=lambda rc: (rc[0].finished, rc[1]))
    return name, record


def score_agent(
    agent: AgentConfig, task_type: str, components: Iterable[str], size: str, history: AgentHistory
) -> Fitness:
    """Score one agent for one task; see the module docstring for the formula."""
    components = tuple(components)
    refusal = check_eligible(agent, task_type, components, size)
    if refusal:
        return Fitness(agent.name, 0.0, False, (refusal,))
    reasons: list[str] = []
    prior = _prior(agent, task_type, components, reasons)
    overall = history.overall.get(agent.name, Record())
    typed = history.by_type.get((agent.name, task_type), Record())
    score = _smooth(typed, _smooth(overall, prior))
    if typed.finished:
        reasons.append(describe_record(agent.name, typed, f"{task_type} PRs"))
    elif overall.finished:
        reasons.append(describe_record(agent.name, overall, "PRs") + f" (no {task_type} PRs yet)")
    else:
        reasons.append(f"{agent.name}: no history in this repository, prior {prior:.2f}")
    component = _best_component(agent.name, components, history)
    if component is not None and component[1].finished:
        score = _smooth(component[1], score)
        reasons.append(describe_record(agent.name, component[1], f"PRs in component {component[0]}"))
    if agent.strengths.max_size and size_rank(size) > size_rank(agent.strengths.max_size):
        score *= OVERSIZE_FACTOR
        reasons.append(f"size {size} is above the {agent.strengths.max_size} it handles well")
    return Fitness(agent.name, round(score, 4), True, tuple(reasons))


def rank_agents(
    agents: Iterable[AgentConfig], task_type: str, components: Iterable[str], size: str, history: AgentHistory
) -> list[Fitness]:
    """Score every routable agent, best first; ineligible agents last."""
    components = tuple(components)
    scored = [score_agent(a, task_type, components, size, history) for a in agents if a.routable]
    return sorted(scored, key=lambda f: (not f.eligible, -f.score, f.agent))
