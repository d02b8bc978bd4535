"""The footprint and conflict backtests on every real data set, in small windows."""

from __future__ import annotations

from functools import lru_cache

import pytest

from agentlanes.analysis.footprint.truth import truth_tasks
from agentlanes.backtest.files import FileScores
from agentlanes.backtest.pairs import pull_cases, run_conflict_backtest
from agentlanes.backtest.replay import replay
from agentlanes.backtest.runner import run_file_backtest
from agentlanes.config import load_config

from conftest import dataset_names, datasets_root

pytestmark = pytest.mark.datasets
NAMES = dataset_names() or ["(missing)"]
WINDOW_TASKS = 30


@lru_cache(maxsize=None)
def loaded(name: str):
    from agentlanes.sources.loader import load_dataset

    return load_dataset(load_config(None), from_dir=datasets_root() / name)


def window_start(name: str):
    tasks, _ = truth_tasks(loaded(name))
    return tasks[len(tasks) // 2].opened_at


@pytest.mark.parametrize("name", NAMES)
def test_file_backtest_window(datasets_dir, name: str):
    result = run_file_backtest(loaded(name), since=window_start(name), limit=WINDOW_TASKS)
    summary = result.scores.summary()
    predictor = summary["predictor"]
    assert result.evaluated == WINDOW_TASKS
    assert predictor["tasks"] == WINDOW_TASKS
    assert result.warmup > 0
    for key in ("recall@1", "recall@5", "recall@10", "mrr", "acc@5"):
        assert 0.0 <= predictor[key] <= 1.0, key
    assert predictor["recall@1"] <= predictor["recall@5"] <= predictor["recall@10"]
    assert 0.0 <= summary["new_file_share"] <= 1.0


def test_predictor_beats_plain_bm25_over_paths(datasets_dir):
    pooled = FileScores(0.3)
    for name in dataset_names():
        pooled.merge(run_file_backtest(loaded(name), since=window_start(name), limit=WINDOW_TASKS).scores)
    summary = pooled.summary()
    assert summary["predictor"]["recall@10"] > summary["baseline_bm25_paths"]["recall@10"]
    assert summary["predictor"]["mrr"] > summary["baseline_bm25_paths"]["mrr"]


@pytest.mark.parametrize("name", NAMES)
def test_replay_never_sees_the_future(datasets_dir, name: str):
    """Every ranked file existed (was changed or in the tree) before the task opened."""
    dataset = loaded(name)
    tasks, _ = truth_tasks(dataset)
    start = len(tasks) // 2
    window = tasks[start:start + 10]
    changed_before = {}
    for task in window:
        changed_before[task.key] = {path for change in _changes(dataset) if change.at < task.opened_at
                                    for path in change.files}
    for step in replay(dataset, tasks[max(0, start - 50):start + 10], {t.key for t in window}):
        allowed = changed_before[step.task.key]
        for path in step.candidates.paths:
            assert path in allowed, (step.task.key, path)


def _changes(dataset):
    from agentlanes.analysis.footprint.history import change_sets

    return change_sets(dataset)


@pytest.mark.parametrize("name", NAMES)
def test_conflict_backtest_window(datasets_dir, name: str):
    cases = pull_cases(loaded(name))
    since = cases[len(cases) // 2].start
    result = run_conflict_backtest(loaded(name), since=since, limit=40)
    summary = result.summary()
    assert summary["pull_requests"] == 40
    assert summary["concurrent_pairs"] >= summary["truly_overlapping_pairs"]
    recalls = [entry["recall"] for entry in summary["footprint"].values() if entry["recall"] is not None]
    assert recalls == sorted(recalls, reverse=True), "a higher threshold can only lose overlaps"
    for method in ("component_only", "bm25_paths_top5", "routed"):
        entry = summary[method]
        assert entry["true_positives"] <= entry["predicted_pairs"]
    # The component fallback only adds conflicts to the footprint rule at the same threshold.
    routed, plain = summary["routed"], summary["footprint"][f"{summary['routed']['threshold']:g}"]
    assert routed["predicted_pairs"] >= plain["predicted_pairs"]
    assert routed["true_positives"] >= plain["true_positives"]


# Past moments where the replayed backlog is large enough for both rules to fill the agents' slots.
ROUTE_MOMENTS = (("D-sorganization__Maxwell_Daemon", 0.5), ("D-sorganization__AffineDrift", 0.5),
                 ("steveyegge__beads", 0.5))


def test_footprint_routing_collides_less_than_components(datasets_dir):
    import itertools

    from agentlanes.analysis.backlog import AnalysisInputs, analyze
    from agentlanes.routing.plan import route
    from agentlanes.sources.asof import snapshot

    overlaps = {"footprint": 0, "component": 0}
    for name, fraction in ROUTE_MOMENTS:
        full = loaded(name)
        created = sorted(p.created_at for p in full.pulls)
        moment = created[int(fraction * (len(created) - 1))]
        files = {p.number: set(p.file_paths) for p in full.pulls}
        for method in overlaps:
            base = load_config(None)
            config = base.model_copy(update={"conflict": base.conflict.model_copy(update={"method": method})})
            analysis = analyze(AnalysisInputs(snapshot(full, moment), full, tasks_from="pulls"), config)
            selected = [task.number for task in route(analysis, config).selected]
            assert selected, (name, method)
            overlaps[method] += sum(1 for a, b in itertools.combinations(selected, 2) if files[a] & files[b])
    assert overlaps["footprint"] < overlaps["component"], overlaps
