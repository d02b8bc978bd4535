"""Properties of the selection and wave planning, on random small problems.

Every check uses the plain pair-by-pair rule in ``routing_problems``, which
shares no code with the per-file constraints the solvers use.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agentlanes.routing.conflicts import ConflictRule, conflicting_pairs, file_cliques, file_conflict
from agentlanes.routing.greedy import greedy_select
from agentlanes.routing.optimal import SCALE, SolverSettings, conflict_cliques, eligible_pairings, optimal_select
from agentlanes.routing.pruning import lagrangian_prune
from agentlanes.routing.waves import plan_waves

from routing_problems import brute_force_best, problems, schedule_exists, violations, wave_violations

PROPERTY_SETTINGS = settings(max_examples=120, deadline=None)


@PROPERTY_SETTINGS
@given(problems())
def test_greedy_plan_is_valid(problem):
    selection = greedy_select(problem)
    assert violations(problem, selection.assignments) == []


@PROPERTY_SETTINGS
@given(problems())
def test_optimal_plan_is_valid_and_beats_greedy(problem):
    greedy = greedy_select(problem)
    selection = optimal_select(problem, hint=greedy)
    assert violations(problem, selection.assignments) == []
    assert selection.objective >= greedy.objective
    assert selection.status == "optimal"
    assert selection.bound is not None
    assert selection.bound >= selection.objective - 1e-9


@PROPERTY_SETTINGS
@given(problems(max_tasks=5))
def test_optimal_matches_exhaustive_search(problem):
    best = brute_force_best(problem)
    tolerance = len(problem.candidates) / SCALE
    assert abs(optimal_select(problem).objective - best) <= tolerance
    unpruned = optimal_select(problem, settings=SolverSettings(prune=False))
    assert abs(unpruned.objective - best) <= tolerance
    pairings, limits = eligible_pairings(problem)
    _, bound = lagrangian_prune(pairings, limits, conflict_cliques(problem, {p.number for p in pairings}), 0.0)
    assert bound >= best - 1e-9


@settings(max_examples=60, deadline=None)
@given(problems(max_tasks=14, blocked=False))
def test_pruning_keeps_the_optimum_on_larger_problems(problem):
    pruned = optimal_select(problem)
    unpruned = optimal_select(problem, settings=SolverSettings(prune=False))
    assert abs(pruned.objective - unpruned.objective) <= len(problem.candidates) / SCALE
    assert pruned.pairs_in_model <= pruned.pairs_total


@PROPERTY_SETTINGS
@given(problems())
def test_wave_plan_is_valid(problem):
    plan = plan_waves(problem)
    assert wave_violations(problem, plan.waves) == []
    planned = [number for wave in plan.waves for number, _ in wave]
    assert len(planned) == len(set(planned))
    assert set(planned) | set(plan.unschedulable) == {c.number for c in problem.candidates}
    # Only the first wave may be empty: when no slot is free now, or everything is locked.
    assert all(wave for wave in plan.waves[1:])
    assert plan.lower_bound <= len(plan.waves)


@PROPERTY_SETTINGS
@given(problems())
def test_seeded_wave_plan_keeps_first_wave(problem):
    selection = optimal_select(problem)
    plan = plan_waves(problem, selection.assignments)
    assert wave_violations(problem, plan.waves) == []
    if selection.assignments:
        assert set(plan.waves[0]) >= set(selection.assignments.items())


@settings(max_examples=80, deadline=None)
@given(problems(max_tasks=5))
def test_wave_lower_bound_is_sound(problem):
    plan = plan_waves(problem)
    planned = [number for wave in plan.waves for number, _ in wave]
    if plan.lower_bound >= 2:
        assert not schedule_exists(problem, planned, plan.lower_bound - 1)


@PROPERTY_SETTINGS
@given(
    st.lists(st.tuples(st.sampled_from((0.05, 0.1, 0.3, 0.49, 0.5, 0.51, 0.7, 1.0)), st.integers(1, 40)),
             max_size=12, unique_by=lambda entry: entry[1]),
    st.sampled_from((0.0, 0.1, 0.25, 0.3, 0.5, 0.81)),
)
def test_file_cliques_match_pairs(entries, tau):
    cliques = file_cliques("f.py", entries, tau)
    heavy = [task for _, task in cliques.heavy]
    expected = {(min(a, b), max(a, b)) for i, (p, a) in enumerate(entries) for q, b in entries[i + 1:]
                if file_conflict(p, q, tau)}
    found = {(min(a, b), max(a, b)) for i, a in enumerate(heavy) for b in heavy[i + 1:]}
    found |= {(min(light, h), max(light, h)) for _, light, prefix in cliques.light for h in heavy[:prefix]}
    assert found == expected
    footprints = {task: {"f.py": p} for p, task in entries}
    assert set(conflicting_pairs(footprints, {}, ConflictRule("footprint", tau))) == expected
