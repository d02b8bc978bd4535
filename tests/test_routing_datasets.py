"""route and simulate on every real data set at past moments.

The checks re-verify each plan pair by pair with the plain rule in
``routing_problems``, which shares no code with the solvers.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import pytest

from agentlanes.analysis.backlog import AnalysisInputs, analyze
from agentlanes.config import load_config
from agentlanes.routing.candidates import build_problem
from agentlanes.routing.greedy import greedy_select
from agentlanes.routing.optimal import optimal_select
from agentlanes.routing.plan import route
from agentlanes.routing.waves import plan_waves
from agentlanes.sources.asof import snapshot
from agentlanes.sources.loader import load_dataset

from conftest import dataset_names, datasets_root
from routing_problems import violations, wave_violations

pytestmark = pytest.mark.datasets
CONFIG = load_config(None)
NAMES = dataset_names() or ["(missing)"]
FRACTIONS = (0.3, 0.6, 0.9)


@lru_cache(maxsize=None)
def loaded(name: str):
    return load_dataset(CONFIG, from_dir=datasets_root() / name)


def cutoffs(name: str) -> list[datetime]:
    created = sorted(pull.created_at for pull in loaded(name).pulls)
    return [created[int(fraction * (len(created) - 1))].astimezone(UTC) for fraction in FRACTIONS]


def analyses(name: str):
    """The issue backlog at each cut-off, and the pull-request replay after the middle one."""
    full = loaded(name)
    for moment in cutoffs(name):
        yield moment, analyze(AnalysisInputs(snapshot(full, moment), full), CONFIG)
    middle = cutoffs(name)[1]
    yield middle, analyze(AnalysisInputs(snapshot(full, middle), full, tasks_from="pulls"), CONFIG)


@pytest.mark.parametrize("name", NAMES)
def test_optimal_plans_are_valid_and_never_below_greedy(datasets_dir: Path, name: str):
    for moment, analysis in analyses(name):
        problem = build_problem(analysis, CONFIG)
        greedy = greedy_select(problem)
        optimal = optimal_select(problem, hint=greedy)
        assert violations(problem, greedy.assignments) == [], moment
        assert violations(problem, optimal.assignments) == [], moment
        assert optimal.objective >= greedy.objective, moment
        assert optimal.status == "optimal", moment
        waves = plan_waves(problem, optimal.assignments)
        assert wave_violations(problem, waves.waves) == [], moment
        assert waves.lower_bound <= len(waves.waves), moment


@pytest.mark.parametrize("name", NAMES)
def test_route_reports_ratio_and_waves(datasets_dir: Path, name: str):
    moment, analysis = list(analyses(name))[-1]
    plan = route(analysis, CONFIG)
    assert plan.solver.objective >= plan.solver.greedy_objective
    if plan.solver.greedy_objective:
        assert plan.solver.ratio_to_greedy >= 1.0
    planned = {t.number for w in plan.wave_plan.waves for t in w.tasks}
    candidates = {r.number for r in analysis.issues if r.readiness.status in ("ready", "blocked")}
    assert planned | {u.number for u in plan.wave_plan.unschedulable} == candidates, moment
    assert plan.wave_plan.minimal == (plan.wave_plan.count == plan.wave_plan.lower_bound)


@pytest.mark.parametrize("name", NAMES)
def test_simulate_runs_at_a_past_moment(datasets_dir: Path, name: str, run_cli, tmp_path: Path):
    moment = cutoffs(name)[1].strftime("%Y-%m-%dT%H:%M:%SZ")
    result = run_cli("simulate", "--from", datasets_dir / name, "--as-of", moment, "--horizon", "7d",
                     "--parallel", "1,4", "--runs", "1")
    assert result.code == 0, result.err
    report = json.loads((tmp_path / "artifacts" / "orchestration" / "simulation.json").read_text("utf-8"))
    assert report["tasks"] > 0
    assert len(report["results"]) == 8
    for cell in report["results"]:
        assert cell["unfinished"] == 0
        if cell["policy"] == "optimal" and cell["value_ratio_min"] is not None:
            assert cell["value_ratio_min"] >= 1.0
