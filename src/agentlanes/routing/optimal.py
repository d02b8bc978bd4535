"""Optimal selection with OR-Tools CP-SAT.

The model has one Boolean per (task, eligible agent) pairing and maximises the
summed value (priority x fitness) of the pairings started now, subject to:

- each task at most once, each agent within its free slots and quota left;
- no two selected tasks in conflict, written per file rather than per pair. Under
  the product rule the heavy claims of a file form a clique (one at-most-one
  constraint), and each lighter claim adds one at-most-one constraint with the
  heavy claims it conflicts with (see ``conflicts.file_cliques``);
- one at-most-one constraint per component under the component rule;
- no task that conflicts with a lock (open pull request or dispatched issue), no
  task with an open dependency, no agent the task is not eligible for.

Before building the model, a Lagrangian bound (``routing.pruning``) drops the
pairings that provably cannot appear in any plan at least as good as the greedy
one. When the bound already equals the greedy value, the greedy plan is proven
optimal without calling the solver.

Objective coefficients are values times ``SCALE``, rounded, so optimality and the
bound hold to within ``1 / SCALE`` per selected task.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from agentlanes.routing.candidates import Candidate, RoutingProblem
from agentlanes.routing.conflicts import cliques_by_file
from agentlanes.routing.greedy import Selection, greedy_select, lock_claims
from agentlanes.routing.improve import improve
from agentlanes.routing.pruning import Pairing, lagrangian_prune

SCALE = 10_000
DEFAULT_TIME_LIMIT = 10.0
_EPSILON = 1e-6


@dataclass(frozen=True)
class SolverSettings:
    """CP-SAT settings; ``bench/solver_settings_bench.py`` compares the alternatives.

    ``full_lp`` puts every constraint into the LP relaxation, without which
    optimality is rarely proven beyond a few hundred tasks. One worker gets it
    from ``linearization_level`` 2. More workers get it from the ``max_lp``
    subsolver, because the default multi-worker portfolio leaves the per-file
    constraints out of its LP and overrides ``linearization_level``. One worker
    is the default: it is deterministic, so the same input gives the same plan
    even when several plans have equal value, and with pruning it measured as
    fast as two. ``presolve`` is off because it only added time on this model.
    ``prune`` turns the Lagrangian pruning on.
    """

    time_limit: float = DEFAULT_TIME_LIMIT
    workers: int = 1
    full_lp: bool = True
    presolve: bool = False
    prune: bool = True
    log: bool = False


def eligible_pairings(problem: RoutingProblem) -> tuple[list[Pairing], dict[str, int]]:
    """Return the (task, agent) pairings that could start now, and each agent's limit."""
    limits = {slot.agent.name: slot.limit for slot in problem.slots if slot.limit > 0}
    locks = lock_claims(problem)
    pairings = [
        Pairing(candidate.number, agent, value)
        for candidate in problem.startable
        if locks.conflict(candidate.footprint, candidate.components) is None
        for agent, value in sorted(candidate.values.items())
        if agent in limits and value > 0
    ]
    return pairings, limits


def conflict_cliques(problem: RoutingProblem, numbers: set[int]) -> list[list[int]]:
    """Return sets of ``numbers`` that pairwise conflict: per file the heavy claims, per component all."""
    by_number = {c.number: c for c in problem.candidates if c.number in numbers}
    cliques: list[list[int]] = []
    if problem.rule.uses_files:
        footprints = {number: c.footprint for number, c in by_number.items()}
        cliques += [[n for _, n in file.heavy] for file in cliques_by_file(footprints, problem.rule.tau)]
    if problem.rule.uses_components:
        members: dict[str, list[int]] = defaultdict(list)
        for number, candidate in by_number.items():
            for component in candidate.components:
                members[component].append(number)
        cliques += list(members.values())
    return cliques


def _build_model(
    problem: RoutingProblem, pairings: list[Pairing], limits: dict[str, int]
) -> tuple[cp_model.CpModel, dict[tuple[int, str], cp_model.IntVar]]:
    model = cp_model.CpModel()
    literals = {(p.number, p.agent): model.new_bool_var(f"x_{p.number}_{p.agent}") for p in pairings}
    of_task: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    of_agent: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (number, agent), literal in literals.items():
        of_task[number].append(literal)
        of_agent[agent].append(literal)

    for task_literals in of_task.values():
        if len(task_literals) > 1:
            model.add_at_most_one(task_literals)
    for agent, agent_literals in of_agent.items():
        if len(agent_literals) > limits[agent]:
            model.add(sum(agent_literals) <= limits[agent])

    by_number: dict[int, Candidate] = {c.number: c for c in problem.candidates if c.number in of_task}
    if problem.rule.uses_files:
        footprints = {number: c.footprint for number, c in by_number.items()}
        for cliques in cliques_by_file(footprints, problem.rule.tau):
            heavy = [number for _, number in cliques.heavy]
            if len(heavy) > 1:
                model.add_at_most_one([x for number in heavy for x in of_task[number]])
            for _, light, prefix in cliques.light:
                model.add_at_most_one(of_task[light] + [x for number in heavy[:prefix] for x in of_task[number]])

    if problem.rule.uses_components:
        members: dict[str, list[int]] = defaultdict(list)
        for number, candidate in by_number.items():
            for component in candidate.components:
                members[component].append(number)
        for numbers in members.values():
            if len(numbers) > 1:
                model.add_at_most_one([x for number in numbers for x in of_task[number]])

    model.maximize(sum(round(p.value * SCALE) * literals[(p.number, p.agent)] for p in pairings))
    return model, literals


def _configure(solver: cp_model.CpSolver, settings: SolverSettings, time_left: float) -> None:
    parameters = solver.parameters
    parameters.max_time_in_seconds = max(0.01, time_left)
    parameters.num_workers = settings.workers
    parameters.cp_model_presolve = settings.presolve
    parameters.log_search_progress = settings.log
    if settings.full_lp and settings.workers == 1:
        parameters.linearization_level = 2
    elif settings.full_lp:
        parameters.subsolvers.append("max_lp")


def _value_of(assignments: dict[int, str], values: dict[tuple[int, str], float]) -> float:
    return round(sum(values[(number, agent)] for number, agent in assignments.items()), 6)


def _starting_plan(
    problem: RoutingProblem, hint: Selection, pairings: list[Pairing], limits: dict[str, int]
) -> tuple[dict[int, str], float, str, list[Pairing], float]:
    """Prune with the hint's value, improve the hint by local search, and prune again.

    Returns the starting plan, its value, where it came from, the pairings kept
    and the Lagrangian bound.
    """
    plan, value, origin = dict(hint.assignments), hint.objective, "greedy"
    cliques = conflict_cliques(problem, {p.number for p in pairings})
    kept, bound = lagrangian_prune(pairings, limits, cliques, value)
    if bound <= value + _EPSILON:
        return plan, value, origin, kept, bound
    values = {(p.number, p.agent): p.value for p in pairings}
    better = improve(problem, plan, kept)
    better_value = _value_of(better, values)
    if better_value > value + _EPSILON:
        plan, value, origin = better, better_value, "local search"
        # Plans worth at least the greedy value use only kept pairings, so pruning those again is enough.
        kept, bound = lagrangian_prune(kept, limits, cliques, value)
    return plan, value, origin, kept, bound


def optimal_select(
    problem: RoutingProblem, hint: Selection | None = None, settings: SolverSettings | None = None
) -> Selection:
    """Select the plan of maximum value; never worse than ``hint`` (greedy when not given)."""
    settings = settings or SolverSettings()
    started = time.perf_counter()
    hint = hint or greedy_select(problem)
    pairings, limits = eligible_pairings(problem)
    if settings.prune:
        plan, value, origin, kept, bound = _starting_plan(problem, hint, pairings, limits)
    else:
        plan, value, origin, kept, bound = dict(hint.assignments), hint.objective, "greedy", pairings, None

    def done(assignments: dict[int, str], objective: float, solver: str, status: str, best: float | None) -> Selection:
        return Selection(assignments, objective, solver, status, None if best is None else round(best, 6),
                         time.perf_counter() - started, len(pairings), len(kept))

    if bound is not None and bound <= value + _EPSILON:
        return done(plan, value, f"{origin}, proven optimal by bound", "optimal", max(bound, value))
    model, literals = _build_model(problem, kept, limits)
    for (number, agent), literal in literals.items():
        model.add_hint(literal, plan.get(number) == agent)
    solver = cp_model.CpSolver()
    _configure(solver, settings, settings.time_limit - (time.perf_counter() - started))
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if status == cp_model.MODEL_INVALID:
            raise RuntimeError(f"CP-SAT rejected the routing model: {model.validate()}")
        # Time ran out before CP-SAT loaded a solution: the starting plan stays, with the Lagrangian bound.
        return done(plan, value, f"cp-sat (no solution in time, {origin} plan kept)",
                    "heuristic" if bound is None else "feasible", bound)
    values = {(p.number, p.agent): p.value for p in kept}
    assignments = {number: agent for (number, agent), literal in literals.items() if solver.boolean_value(literal)}
    objective = _value_of(assignments, values)
    if objective < value:
        # Rounding to 1/SCALE can rank two plans of nearly equal value the other way.
        assignments, objective = plan, value
    proven = solver.best_objective_bound / SCALE
    best = max(objective, proven if bound is None else min(bound, proven))
    return done(assignments, objective, "cp-sat", "optimal" if status == cp_model.OPTIMAL else "feasible", best)
