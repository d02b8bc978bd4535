"""Which agent suits which task: eligibility, configured strengths and track record.

An agent's fitness for a task is its expected merge rate on that kind of task,
estimated with Beta-Binomial smoothing in two levels: the configured prior
(higher for the agent's stated strengths) is updated with the agent's overall
record of merged versus abandoned pull requests in this repository, and that in
turn with its record on tasks of the same type. ``SMOOTHING`` is the weight of
each prior in pull requests. A task larger than the agent's stated maximum size
halves the fitness.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from agentlanes.config import AgentConfig, size_rank
from agentlanes.model import AuthorKind, PullRequest, PullState

SMOOTHING = 4.0
BASE_PRIOR = 0.55
STRENGTH_BONUS = 0.15
COMPONENT_BONUS = 0.05
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


@dataclass(frozen=True, slots=True)
class AgentHistory:
    """Per agent: the overall record and the record per task type."""

    overall: dict[str, Record]
    by_type: dict[tuple[str, str], Record]

    @classmethod
    def empty(cls) -> AgentHistory:
        return cls({}, {})


def build_history(pulls: Iterable[PullRequest], type_of: Callable[[PullRequest], str]) -> AgentHistory:
    """Tally merged and abandoned agent pull requests per agent and per type."""
    merged: dict[tuple[str, str], list[float]] = defaultdict(list)
    abandoned: dict[tuple[str, str], int] = defaultdict(int)
    for pull in pulls:
        if pull.attribution.kind is not AuthorKind.AGENT or not pull.attribution.agent:
            continue
        agent = pull.attribution.agent
        kind = type_of(pull)
        if pull.state is PullState.MERGED and pull.merged_at:
            hours = max(0.0, (pull.merged_at - pull.created_at).total_seconds() / 3600)
            merged[(agent, kind)].append(hours)
        elif pull.state is PullState.CLOSED:
            abandoned[(agent, kind)] += 1
    keys = sorted(set(merged) | set(abandoned))
    return history_from_records(
        (agent, kind, len(merged[(agent, kind)]), abandoned[(agent, kind)], merged[(agent, kind)])
        for agent, kind in keys
    )


def history_from_records(records: Iterable[tuple[str, str, int, int, Iterable[float]]]) -> AgentHistory:
    """Rebuild an ``AgentHistory`` from (agent, type, merged, abandoned, hours) rows."""
    by_type: dict[tuple[str, str], Record] = {}
    overall: dict[str, Record] = {}
    for agent, kind, merged_count, abandoned_count, hours in records:
        record = Record(merged_count, abandoned_count, tuple(hours))
        by_type[(agent, kind)] = record
        current = overall.get(agent, Record())
        overall[agent] = Record(
            current.merged + record.merged,
            current.abandoned + record.abandoned,
            current.merge_hours + record.merge_hours,
        )
    return AgentHistory(overall, by_type)


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


def _format_record(agent: str, record: Record, what: str) -> str:
    text = f"{agent}: {record.merged}/{record.finished} {what} merged"
    if record.median_hours is not None:
        text += f", median {record.median_hours:.1f} h to merge"
    return text


def score_agent(
    agent: AgentConfig, task_type: str, components: Iterable[str], size: str, history: AgentHistory
) -> Fitness:
    """Score one agent for one task; see the module docstring for the formula."""
    components = tuple(components)
    refusal = check_eligible(agent, task_type, components, size)
    if refusal:
        return Fitness(agent.name, 0.0, False, (refusal,))
    reasons: list[str] = []
    prior = BASE_PRIOR
    if task_type in agent.strengths.types:
        prior += STRENGTH_BONUS
        reasons.append(f"{task_type} is a configured strength")
    if set(components) & set(agent.strengths.components):
        prior += COMPONENT_BONUS
        reasons.append("component is a configured strength")
    overall = history.overall.get(agent.name, Record())
    agent_rate = (overall.merged + SMOOTHING * prior) / (overall.finished + SMOOTHING)
    typed = history.by_type.get((agent.name, task_type), Record())
    score = (typed.merged + SMOOTHING * agent_rate) / (typed.finished + SMOOTHING)
    if typed.finished:
        reasons.append(_format_record(agent.name, typed, f"{task_type} PRs"))
    elif overall.finished:
        reasons.append(_format_record(agent.name, overall, "PRs") + f" (no {task_type} PRs yet)")
    else:
        reasons.append(f"{agent.name}: no history in this repository, prior {prior:.2f}")
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
