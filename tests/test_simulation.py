"""The simulation: event engine, policies, sweep and the simulate command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentlanes import api
from agentlanes.config import AgentConfig, Trigger, load_config
from agentlanes.errors import InputError
from agentlanes.routing.candidates import Candidate
from agentlanes.simulation.engine import run_policy
from agentlanes.simulation.policies import Policy
from agentlanes.simulation.report import PolicyPoint
from agentlanes.simulation.sweep import saturation, spread_slots
from agentlanes.simulation.tasks import DurationModel, SimTask

from conftest import gh_pull

TEN_HOURS = DurationModel((10.0,))


def task(number: int, predicted: dict[str, float], real: set[str], blockers: frozenset[int] = frozenset(),
         components: frozenset[str] = frozenset()) -> SimTask:
    candidate = Candidate(number=number, title=f"task {number}", type="bug", size="M", priority=1.0,
                          components=components, footprint=predicted, fitness={"alpha": 0.5},
                          values={"alpha": 0.5})
    return SimTask(candidate, frozenset(real), blockers)


def slots(count: int) -> dict[str, AgentConfig]:
    return {"alpha": AgentConfig(name="alpha", capacity=count, trigger=Trigger(kind="label", value="a"))}


def run(tasks, policy: str, count: int = 2):
    return run_policy(tasks, slots(count), Policy(policy, 0.25), TEN_HOURS, {t.number: 0.5 for t in tasks})


def test_fifo_runs_overlapping_tasks_together_and_pays_rework():
    tasks = [task(1, {"x.py": 0.9}, {"x.py", "y.py"}), task(2, {"x.py": 0.9}, {"x.py", "z.py"})]
    durations = DurationModel((4.0, 10.0, 30.0))
    result = run_policy(tasks, slots(2), Policy("fifo", 0.25), durations, {1: 0.9, 2: 0.9})
    assert result.merged == 2
    assert result.conflicts == 1
    # Both take 30 h; #1's merge touches half of #2's files, which costs half the median of 10 h.
    assert result.rework_hours == pytest.approx(5.0)
    assert result.makespan_hours == pytest.approx(35.0)
    assert result.cleared_hours == pytest.approx(35.0)
    assert result.idle_slot_hours == 0
    assert result.throughput_per_week == pytest.approx(2 / (35 / 168))


def test_throughput_stops_at_the_cleared_share():
    tasks = [task(n, {}, {f"f{n}.py"}) for n in range(1, 6)]
    quantiles = {1: 0.0, 2: 0.0, 3: 0.0, 4: 0.0, 5: 0.99}
    result = run_policy(tasks, slots(5), Policy("fifo", 0.25), DurationModel((2.0, 500.0)), quantiles)
    assert result.makespan_hours == pytest.approx(500.0)
    assert result.cleared_tasks == 4
    assert result.cleared_hours == pytest.approx(2.0)
    assert result.throughput_per_week == pytest.approx(4 / (2 / 168))


@pytest.mark.parametrize("policy", ["footprint-greedy", "optimal"])
def test_footprint_policies_serialise_predicted_overlap(policy):
    tasks = [task(1, {"x.py": 0.9}, {"x.py"}), task(2, {"x.py": 0.9}, {"x.py"})]
    result = run(tasks, policy)
    assert result.conflicts == 0
    assert result.rework_hours == 0
    assert result.makespan_hours == pytest.approx(20.0)
    assert result.idle_slot_hours == pytest.approx(10.0)
    assert result.idle_share == pytest.approx(0.25)


def test_missed_prediction_still_conflicts():
    tasks = [task(1, {}, {"x.py"}), task(2, {}, {"x.py"})]
    result = run(tasks, "optimal")
    assert result.conflicts == 1
    assert result.rework_hours == pytest.approx(10.0)


def test_component_policy_serialises_a_component():
    tasks = [task(1, {}, {"x.py"}, components=frozenset({"core"})), task(2, {}, {"y.py"}, components=frozenset({"core"}))]
    assert run(tasks, "component").makespan_hours == pytest.approx(20.0)
    assert run(tasks, "fifo").makespan_hours == pytest.approx(10.0)


def test_blocked_task_starts_after_its_blocker_merges():
    tasks = [task(1, {}, {"a.py"}), task(2, {}, {"b.py"}, blockers=frozenset({1}))]
    result = run(tasks, "fifo", count=4)
    assert result.makespan_hours == pytest.approx(20.0)
    assert result.conflicts == 0


def test_spread_slots_round_robin():
    agents = [AgentConfig(name=n, capacity=3, trigger=Trigger(kind="label", value=n)) for n in ("a", "b", "c")]
    spread = spread_slots(agents, 5)
    assert {name: agent.capacity for name, agent in spread.items()} == {"a": 2, "b": 2, "c": 1}
    assert list(spread_slots(agents, 1)) == ["a"]


def point(parallel: int, throughput: float) -> PolicyPoint:
    return PolicyPoint(policy="fifo", parallel=parallel, runs=1, throughput_per_week=throughput,
                       throughput_min=throughput, throughput_max=throughput, conflicts=0, rework_hours=0,
                       idle_share=0, makespan_days=1, cleared_days=1, unfinished=0, proven_optimal_share=None,
                       value_ratio_to_greedy=None, value_ratio_min=None)


def test_saturation_finds_where_gain_stops():
    found = saturation("fifo", [point(1, 10), point(2, 19), point(4, 19.5), point(8, 18)])
    assert found.parallel == 2
    assert "19.0 tasks/week at 2 slots" in found.reason
    still = saturation("fifo", [point(1, 10), point(2, 19), point(4, 30)])
    assert still.parallel is None
    assert "still gaining at 4 slots" in still.reason


def replay_data(write_json):
    """Ten merged PRs before 2026-02-01 as history, six after it as the backlog."""
    history = [gh_pull(n, f"Change {n}", createdAt=f"2026-01-{n:02d}T00:00:00Z",
                       mergedAt=f"2026-01-{n:02d}T{n:02d}:00:00Z", closedAt=f"2026-01-{n:02d}T{n:02d}:00:00Z",
                       files=[{"path": "src/core.py"}, {"path": f"src/m{n}.py"}]) for n in range(1, 11)]
    backlog = [gh_pull(n, f"Update src/core.py for {n}", body="Touches src/core.py.",
                       createdAt=f"2026-02-{n - 18:02d}T00:00:00Z", mergedAt=None, closedAt=None, state="OPEN",
                       files=[{"path": "src/core.py"}, {"path": f"src/m{n}.py"}]) for n in range(20, 26)]
    return api.Source(pulls=write_json("pulls.json", history + backlog))


def test_simulate_is_reproducible_and_compares_policies(write_json):
    source = replay_data(write_json)
    config = load_config(None)
    first = api.simulate(source, config=config, as_of="2026-02-01", parallel=(1, 3), runs=2, seed=7)
    again = api.simulate(source, config=config, as_of="2026-02-01", parallel=(1, 3), runs=2, seed=7)
    other = api.simulate(source, config=config, as_of="2026-02-01", parallel=(1, 3), runs=2, seed=8)
    assert first.model_dump() == again.model_dump()
    assert first.model_dump()["results"] != other.model_dump()["results"]
    assert first.tasks == 6
    assert first.durations.merged_pulls == 10
    cells = {(p.policy, p.parallel): p for p in first.results}
    assert set(cells) == {(name, k) for name in ("fifo", "component", "footprint-greedy", "optimal") for k in (1, 3)}
    # Every task names src/core.py, so the footprint policies never overlap the real files in flight.
    assert cells[("optimal", 3)].conflicts == 0
    assert cells[("footprint-greedy", 3)].conflicts == 0
    assert cells[("fifo", 3)].conflicts > 0
    assert cells[("optimal", 3)].value_ratio_min >= 1.0
    assert cells[("optimal", 3)].proven_optimal_share == 1.0


def test_simulate_cli_writes_report(write_json, run_cli, tmp_path: Path):
    replay_data(write_json)
    result = run_cli("simulate", "--pulls", tmp_path / "pulls.json", "--as-of", "2026-02-01", "--parallel", "1,2",
                     "--runs", "1", "--policies", "fifo,optimal")
    assert result.code == 0, result.err
    assert "fifo:" in result.err
    out = tmp_path / "artifacts" / "orchestration"
    report = json.loads((out / "simulation.json").read_text("utf-8"))
    assert report["policies"] == ["fifo", "optimal"]
    assert report["parallel"] == [1, 2]
    markdown = (out / "simulation.md").read_text("utf-8")
    assert "## Where more agents stop paying off" in markdown


def test_simulate_input_errors(write_json, run_cli, tmp_path: Path):
    source = replay_data(write_json)
    with pytest.raises(InputError, match="simulate needs --as-of"):
        api.simulate(source)
    with pytest.raises(InputError, match="invalid policy lottery"):
        api.simulate(source, as_of="2026-02-01", policies=["lottery"])
    with pytest.raises(InputError, match="no pull request was merged before 2026-01-01"):
        api.simulate(source, as_of="2026-01-01T00:30:00Z")
    with pytest.raises(InputError, match="is before the first event"):
        api.simulate(source, as_of="2025-12-01")
    result = run_cli("simulate", "--pulls", tmp_path / "pulls.json", "--as-of", "2026-02-01", "--parallel", "two")
    assert result.code == 2
    assert "invalid --parallel value 'two'" in result.err


def test_replay_leaves_out_dependency_bots(write_json):
    pulls = [gh_pull(1, "Change core", createdAt="2026-01-01T00:00:00Z", files=[{"path": "src/core.py"}]),
             gh_pull(2, "Bump httpx from 0.27 to 0.28", createdAt="2026-02-02T00:00:00Z", state="OPEN",
                     mergedAt=None, closedAt=None, author={"login": "app/dependabot", "is_bot": True}),
             gh_pull(3, "Update src/core.py", createdAt="2026-02-03T00:00:00Z", state="OPEN", mergedAt=None,
                     closedAt=None)]
    analysis = api.analyze(api.Source(pulls=write_json("pulls.json", pulls)), as_of="2026-02-01",
                           tasks_from="pulls")
    assert [record.number for record in analysis.issues] == [3]
