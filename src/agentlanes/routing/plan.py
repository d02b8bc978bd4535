"""The routing plan: which ready tasks start now, on which agent, why the rest
wait, the conflict graph and the wave plan for the whole backlog."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable

from agentlanes import __version__
from agentlanes.analysis.artifact import BacklogAnalysis
from agentlanes.config import Config
from agentlanes.errors import InputError
from agentlanes.routing import plan_models as pm
from agentlanes.routing.candidates import Candidate, RoutingProblem, build_problem
from agentlanes.routing.conflicts import Claims, Lock, has_confident_file, is_component_claim
from agentlanes.routing.dispatched import Dispatch
from agentlanes.routing.graph import conflict_graph
from agentlanes.routing.greedy import Selection, greedy_select, lock_claims
from agentlanes.routing.optimal import DEFAULT_TIME_LIMIT, SolverSettings, optimal_select
from agentlanes.routing.waves import WavePlan, plan_waves
from agentlanes.textutil import counted

# Re-exported: the plan models are part of this module's public surface.
RoutingPlan = pm.RoutingPlan
SOLVERS = ("optimal", "greedy")
DEFAULT_SOLVER = "optimal"
# Assumed length of one wave when the history has no merged agent pull request.
DEFAULT_WAVE_HOURS = 24.0
MAX_FILES_LISTED = 10


def explain_held(problem: RoutingProblem, selection: Selection) -> list[pm.HeldTask]:
    """Say, for every task not selected, what holds it: lock, conflict, capacity, eligibility."""
    held = [pm.HeldTask(number=w.number, title=w.title, status=w.status, reasons=list(w.reasons))
            for w in problem.waiting]
    locks = lock_claims(problem)
    chosen = Claims(problem.rule)
    by_number = {c.number: c for c in problem.candidates}
    for number, agent in selection.assignments.items():
        chosen.add(f"#{number} (selected for {agent})", by_number[number].footprint, by_number[number].components)
    used = Counter(selection.assignments.values())
    limits = {slot.agent.name: slot.limit for slot in problem.slots}
    for candidate in problem.candidates:
        if candidate.number not in selection.assignments:
            held.append(_explain_one(candidate, locks, chosen, used, limits))
    return sorted(held, key=lambda task: task.number)


def _explain_one(
    candidate: Candidate, locks: Claims, chosen: Claims, used: Counter[str], limits: dict[str, int]
) -> pm.HeldTask:
    def hold(status: str, reasons: list[str]) -> pm.HeldTask:
        return pm.HeldTask(number=candidate.number, title=candidate.title, status=status, reasons=reasons)

    if candidate.blockers:
        return hold("blocked", list(candidate.blocked_reasons)
                    or [f"#{n} is still open" for n in sorted(candidate.blockers)])
    if not candidate.fitness:
        return hold("ineligible", list(candidate.refusals) or ["no routable agent is configured"])
    eligible = sorted(agent for agent, value in candidate.values.items() if agent in limits and value > 0)
    if not eligible:
        return hold("ineligible", ["no eligible agent has a slot or a positive value for this task"])
    lock = locks.conflict(candidate.footprint, candidate.components)
    if lock is not None:
        return hold("locked", [lock.describe()])
    conflict = chosen.conflict(candidate.footprint, candidate.components)
    if conflict is not None:
        return hold("conflict", [conflict.describe()])
    full = [f"{agent} {used[agent]}/{limits[agent]} free slots used" for agent in eligible]
    if all(used[agent] >= limits[agent] for agent in eligible):
        return hold("capacity", ["every eligible agent is at capacity: " + "; ".join(full)])
    return hold("capacity", ["a higher-value assignment used the remaining slots: " + "; ".join(full)])


def _planned_task(candidate: Candidate, agent: str, trigger: pm.Trigger) -> pm.PlannedTask:
    files = sorted(((path, p) for path, p in candidate.footprint.items() if not is_component_claim(path)),
                   key=lambda kv: (-kv[1], kv[0]))
    return pm.PlannedTask(
        number=candidate.number,
        title=candidate.title,
        url=candidate.url,
        agent=agent,
        trigger=trigger,
        value=candidate.values[agent],
        priority=candidate.priority,
        fitness=candidate.fitness[agent],
        type=candidate.type,
        size=candidate.size,
        components=sorted(candidate.components),
        files=[path for path, _ in files][:MAX_FILES_LISTED],
        reasons=list(candidate.fitness_reasons.get(agent, ())),
    )


def _footprint_notes(problem: RoutingProblem) -> list[str]:
    unsure = [c for c in problem.candidates if not has_confident_file(c.footprint, problem.rule.tau)]
    if not unsure:
        return []
    if len(unsure) == len(problem.candidates):
        return ["no task has a file predicted with enough confidence, so file conflicts cannot be detected"
                + ("; tasks conflict by component instead" if problem.rule.method == "footprint" else "")]
    homeless = sum(1 for c in unsure if not c.components)
    verb = "has" if len(unsure) == 1 else "have"
    note = (f"{len(unsure)} of {counted(len(problem.candidates), 'task')} {verb} no file predicted with enough "
            "confidence" + ("; such a task conflicts with all work in its components"
                            if problem.rule.method == "footprint" else ""))
    if homeless:
        note += f" ({homeless} of them {'has' if homeless == 1 else 'have'} no component either, "                 "so their conflicts cannot be detected)"
    return [note]


def _solver_report(selection: Selection, greedy: Selection, time_limit: float | None) -> pm.SolverReport:
    ratio = round(selection.objective / greedy.objective, 4) if greedy.objective else None
    return pm.SolverReport(
        name=selection.solver,
        status=selection.status,
        objective=selection.objective,
        bound=selection.bound,
        gap=None if selection.gap is None else round(selection.gap, 6),
        greedy_objective=greedy.objective,
        ratio_to_greedy=ratio,
        seconds=round(selection.seconds, 4),
        time_limit=time_limit,
        pairings=selection.pairs_total or greedy.pairs_total,
        pairings_in_model=selection.pairs_in_model,
    )


def _graph_report(problem: RoutingProblem) -> pm.ConflictGraphReport:
    graph = conflict_graph(problem)
    return pm.ConflictGraphReport(
        tasks=graph.tasks,
        locks=graph.locks,
        edges=graph.counts,
        strongest=[pm.ConflictEdge(first=e.first, second=e.second, kind=e.kind, detail=e.detail, strength=e.strength)
                   for e in graph.edges],
        truncated=graph.truncated,
    )


def wave_hours(analysis: BacklogAnalysis) -> tuple[float, str]:
    """Return the assumed length of a wave: the median time to merge of agent PRs."""
    hours = [h for record in analysis.agent_records for h in record.merge_hours]
    if not hours:
        return DEFAULT_WAVE_HOURS, f"no merged agent pull request in the history, so {DEFAULT_WAVE_HOURS:g} h assumed"
    median = statistics.median(hours)
    return max(1.0, round(median, 1)), f"median time to merge of {len(hours)} agent pull requests"


def _best_waves(problem: RoutingProblem, selection: Selection) -> WavePlan:
    """Plan waves with the selection as the first wave, unless that costs a wave."""
    seeded = plan_waves(problem, selection.assignments)
    if seeded.minimal or not selection.assignments:
        return seeded
    free = plan_waves(problem)
    return free if len(free.waves) < len(seeded.waves) else seeded


def _wave_report(analysis: BacklogAnalysis, problem: RoutingProblem, plan: WavePlan) -> pm.WavePlanReport:
    titles = {c.number: c.title for c in problem.candidates}
    hours, source = wave_hours(analysis)
    return pm.WavePlanReport(
        count=len(plan.waves),
        lower_bound=plan.lower_bound,
        minimal=plan.minimal,
        bounds=[pm.WaveBound(waves=b.waves, kind=b.kind, reason=b.reason) for b in plan.bounds if b.waves > 0],
        critical_path=plan.critical_path,
        hot_files=[pm.HotFile(path=h.path, tasks=h.tasks, serialized=h.serialized, demand=h.demand)
                   for h in plan.hot_files],
        waves=[pm.Wave(index=index, tasks=[pm.WaveTask(number=n, title=titles[n], agent=a) for n, a in wave])
               for index, wave in enumerate(plan.waves, 1)],
        unschedulable=[pm.Unschedulable(number=n, reason=r) for n, r in sorted(plan.unschedulable.items())],
        first_wave_is_selection=plan.seeded,
        wave_hours=hours,
        wave_hours_source=source,
        seconds=round(plan.seconds, 4),
    )


def select(problem: RoutingProblem, solver: str = DEFAULT_SOLVER,
           time_limit: float = DEFAULT_TIME_LIMIT) -> tuple[Selection, Selection]:
    """Return the chosen selection and the greedy one it is compared with."""
    if solver not in SOLVERS:
        raise InputError(f"invalid solver {solver!r}", f"use one of: {', '.join(SOLVERS)}")
    if time_limit <= 0:
        raise InputError(f"invalid time limit {time_limit!r}", "give a positive number of seconds, e.g. 10")
    greedy = greedy_select(problem)
    if solver == "greedy":
        return greedy, greedy
    return optimal_select(problem, hint=greedy, settings=SolverSettings(time_limit=time_limit)), greedy


def route(
    analysis: BacklogAnalysis,
    config: Config,
    *,
    solver: str = DEFAULT_SOLVER,
    time_limit: float = DEFAULT_TIME_LIMIT,
    dispatched: Iterable[Dispatch] = (),
    extra_locks: tuple[Lock, ...] = (),
) -> pm.RoutingPlan:
    """Select non-conflicting ready tasks to start now within each agent's capacity,
    and plan the rest of the backlog in waves."""
    problem = build_problem(analysis, config, dispatched, extra_locks)
    selection, greedy = select(problem, solver, time_limit)
    by_number = {c.number: c for c in problem.candidates}
    triggers = {s.agent.name: pm.Trigger(kind=s.agent.trigger.kind, value=s.agent.trigger.value)
                for s in problem.slots}
    ordered = sorted(selection.assignments.items(), key=lambda kv: (-by_number[kv[0]].values[kv[1]], kv[0]))
    agents = [
        pm.PlanAgent(
            name=slot.agent.name, display_name=slot.agent.label, trigger=triggers[slot.agent.name],
            capacity=slot.agent.capacity, in_flight=slot.in_flight, free=slot.free,
            daily_quota=slot.agent.daily_quota, quota_left=slot.quota_left,
            selected=sorted(n for n, a in selection.assignments.items() if a == slot.agent.name),
        )
        for slot in problem.slots
    ]
    notes = list(problem.notes)
    if not problem.slots:
        notes.append("no routable agent (capacity > 0) is configured, so nothing can start")
    if problem.rule.uses_files:
        notes.extend(_footprint_notes(problem))
    waves = _best_waves(problem, selection)
    if selection.assignments and not waves.seeded:
        notes.append("the wave plan starts with a different first wave than the start-now list, "
                     "because starting with that list would take one more wave")
    return pm.RoutingPlan(
        generated_by=f"agentlanes {__version__}",
        repository=analysis.repository,
        now=analysis.now,
        as_of=analysis.as_of,
        tasks_from=analysis.tasks_from,
        conflict_method=problem.rule.method,
        conflict_threshold=problem.rule.tau,
        solver=_solver_report(selection, greedy, None if solver == "greedy" else time_limit),
        agents=agents,
        selected=[_planned_task(by_number[n], a, triggers[a]) for n, a in ordered],
        not_selected=explain_held(problem, selection),
        conflict_graph=_graph_report(problem),
        wave_plan=_wave_report(analysis, problem, waves),
        notes=notes,
    )
