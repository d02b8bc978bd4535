"""The routing plan: which ready tasks start now, on which agent, and why the rest wait."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, ConfigDict, Field

from agentlanes import __version__
from agentlanes.analysis.artifact import BacklogAnalysis
from agentlanes.config import Config
from agentlanes.routing.candidates import Candidate, RoutingProblem, build_problem
from agentlanes.routing.conflicts import Claims, Lock
from agentlanes.routing.greedy import Selection, greedy_select, lock_claims

PLAN_SCHEMA_VERSION = "1.0"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanAgent(_Model):
    name: str
    display_name: str
    trigger: dict[str, str]
    capacity: int
    in_flight: int = Field(description="open pull requests already attributed to the agent")
    free: int
    daily_quota: int | None
    quota_left: int | None
    selected: list[int]


class PlannedTask(_Model):
    number: int
    title: str
    agent: str
    value: float = Field(description="priority x fitness, the quantity the plan maximises")
    priority: float
    fitness: float
    type: str
    size: str
    components: list[str]
    files: list[str] = Field(description="predicted files, most likely first")
    reasons: list[str]


class HeldTask(_Model):
    number: int
    title: str
    status: str = Field(description="blocked, in_progress, assigned, locked, conflict, capacity or ineligible")
    reasons: list[str]


class SolverReport(_Model):
    name: str
    status: str = Field(description="optimal, feasible or heuristic")
    objective: float
    bound: float | None
    gap: float | None
    greedy_objective: float
    ratio_to_greedy: float | None
    seconds: float


class RoutingPlan(_Model):
    schema_version: str = PLAN_SCHEMA_VERSION
    generated_by: str
    repository: str
    now: str | None
    conflict_method: str
    conflict_threshold: float
    solver: SolverReport
    agents: list[PlanAgent]
    selected: list[PlannedTask]
    not_selected: list[HeldTask]
    notes: list[str]


def explain_held(problem: RoutingProblem, selection: Selection) -> list[HeldTask]:
    """Say, for every task not selected, what holds it: lock, conflict, capacity, eligibility."""
    held: list[HeldTask] = [
        HeldTask(number=r.number, title=r.title, status=r.readiness.status, reasons=r.readiness.reasons)
        for r in problem.waiting
    ]
    locks = lock_claims(problem)
    chosen = Claims(problem.rule)
    by_number = {c.number: c for c in problem.candidates}
    for number, agent in selection.assignments.items():
        chosen.add(f"#{number} (selected for {agent})", by_number[number].footprint, by_number[number].components)
    used = Counter(selection.assignments.values())
    limits = {slot.agent.name: slot.limit for slot in problem.slots}
    for candidate in problem.candidates:
        if candidate.number in selection.assignments:
            continue
        held.append(_explain_one(candidate, locks, chosen, used, limits))
    return sorted(held, key=lambda task: task.number)


def _explain_one(
    candidate: Candidate, locks: Claims, chosen: Claims, used: Counter[str], limits: dict[str, int]
) -> HeldTask:
    def hold(status: str, reasons: list[str]) -> HeldTask:
        return HeldTask(number=candidate.number, title=candidate.title, status=status, reasons=reasons)

    if not candidate.fitness:
        return hold("ineligible", list(candidate.refusals) or ["no routable agent is configured"])
    lock = locks.conflict(candidate.footprint, candidate.components)
    if lock is not None:
        return hold("locked", [lock.describe()])
    conflict = chosen.conflict(candidate.footprint, candidate.components)
    if conflict is not None:
        return hold("conflict", [conflict.describe()])
    full = [f"{agent} {used[agent]}/{limits.get(agent, 0)} free slots used" for agent in sorted(candidate.fitness)]
    if all(used[agent] >= limits.get(agent, 0) for agent in candidate.fitness):
        return hold("capacity", ["every eligible agent is at capacity: " + "; ".join(full)])
    return hold("capacity", ["a higher-value assignment used the remaining slots: " + "; ".join(full)])


def route(
    analysis: BacklogAnalysis,
    config: Config,
    *,
    solver: str = "greedy",
    dispatched_today: Counter[str] | None = None,
    extra_locks: tuple[Lock, ...] = (),
) -> RoutingPlan:
    """Select non-conflicting ready tasks to start now within each agent's capacity."""
    problem = build_problem(analysis, config, dispatched_today, extra_locks)
    greedy = greedy_select(problem)
    selection = greedy
    if solver != "greedy":
        from agentlanes.routing.optimal import optimal_select

        selection = optimal_select(problem, hint=greedy)
    by_number = {c.number: c for c in problem.candidates}
    selected = [
        PlannedTask(
            number=number,
            title=by_number[number].title,
            agent=agent,
            value=by_number[number].values[agent],
            priority=by_number[number].priority,
            fitness=by_number[number].fitness[agent],
            type=by_number[number].type,
            size=by_number[number].size,
            components=sorted(by_number[number].components),
            files=[p for p, _ in sorted(by_number[number].footprint.items(), key=lambda kv: -kv[1])][:10],
            reasons=list(by_number[number].fitness_reasons.get(agent, ())),
        )
        for number, agent in sorted(selection.assignments.items(), key=lambda kv: -by_number[kv[0]].values[kv[1]])
    ]
    agents = [
        PlanAgent(
            name=slot.agent.name,
            display_name=slot.agent.label,
            trigger={"kind": slot.agent.trigger.kind, "value": slot.agent.trigger.value},
            capacity=slot.agent.capacity,
            in_flight=slot.in_flight,
            free=slot.free,
            daily_quota=slot.agent.daily_quota,
            quota_left=slot.quota_left,
            selected=sorted(n for n, a in selection.assignments.items() if a == slot.agent.name),
        )
        for slot in problem.slots
    ]
    notes = []
    if not problem.slots:
        notes.append("no routable agent (capacity > 0) is configured, so nothing can start")
    if not any(f for c in problem.candidates for f in c.footprint) and problem.rule.uses_files:
        notes.append("no task has a predicted file, so file conflicts cannot be detected")
    return RoutingPlan(
        generated_by=f"agentlanes {__version__}",
        repository=analysis.repository,
        now=analysis.now,
        conflict_method=problem.rule.method,
        conflict_threshold=problem.rule.tau,
        solver=SolverReport(
            name=selection.solver,
            status=selection.status,
            objective=selection.objective,
            bound=selection.bound,
            gap=selection.gap,
            greedy_objective=greedy.objective,
            ratio_to_greedy=round(selection.objective / greedy.objective, 4) if greedy.objective else None,
            seconds=round(selection.seconds, 4),
        ),
        agents=agents,
        selected=selected,
        not_selected=explain_held(problem, selection),
        notes=notes,
    )
