"""Footprint prediction: signals, time respect, calibration inputs, predict and backtest commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agentlanes import api
from agentlanes.analysis.footprint import FootprintPredictor
from agentlanes.analysis.footprint.history import change_sets
from agentlanes.analysis.footprint.mentions import MentionIndex
from agentlanes.analysis.footprint.tokens import path_tokens, split_identifier, tokenize
from agentlanes.config import load_config
from agentlanes.demo.generator import REPOSITORY, write_sample
from agentlanes.sources.asof import snapshot
from agentlanes.sources.loader import load_dataset

from conftest import gh_issue, gh_pull

CONFIG = load_config(None)


def test_identifiers_split_and_join():
    assert split_identifier("HTTPServer_config-v2") == ["http", "server", "config", "v", "2"]
    tokens = tokenize("parseConfig fails")
    assert "parseconfig" in tokens
    assert "pars" in tokens or "parse" in tokens
    assert "config" in tokens
    assert "src" not in path_tokens("src/storage/sqlite_store.go")
    assert "sqlitestor" in path_tokens("src/storage/sqlite_store.go")


def test_mentions_resolve_suffixes_names_and_frames():
    index = MentionIndex(["internal/storage/sqlite.go", "cmd/bd/main.go", "docs/a.md", "pkg/a.md"])
    text = 'See storage/sqlite.go and main.go.\nFile "/home/u/cmd/bd/main.go", line 3\nAlso a.md'
    found = {m.path: m for m in index.mentions(text)}
    assert found["internal/storage/sqlite.go"].weight == 1.0
    assert found["cmd/bd/main.go"].weight == 1.0
    assert found["docs/a.md"].weight == 0.5
    assert found["pkg/a.md"].weight == 0.5


def _history(write_json):
    pulls = [
        gh_pull(1, "Fix parser crash", createdAt="2026-01-01T00:00:00Z", mergedAt="2026-01-02T00:00:00Z",
                files=[{"path": "src/parser.py"}, {"path": "tests/test_parser.py"}]),
        gh_pull(2, "Speed up the parser", createdAt="2026-01-03T00:00:00Z", mergedAt="2026-01-04T00:00:00Z",
                files=[{"path": "src/parser.py"}]),
        gh_pull(3, "Add the exporter", createdAt="2026-02-01T00:00:00Z", mergedAt="2026-02-02T00:00:00Z",
                files=[{"path": "src/exporter.py"}]),
    ]
    return load_dataset(CONFIG, pulls_path=write_json("pulls.json", pulls))


def test_prediction_uses_only_the_past(write_json):
    data = _history(write_json)
    moment = datetime(2026, 1, 15, tzinfo=UTC)
    predictor = FootprintPredictor.build(snapshot(data, moment), moment)
    paths = [p.path for p in predictor.predict_text("The exporter writes broken files", "bug", top=50)]
    assert "src/exporter.py" not in paths
    later = FootprintPredictor.build(data, datetime(2026, 3, 1, tzinfo=UTC))
    assert "src/exporter.py" in [p.path for p in later.predict_text("The exporter writes broken files", "bug")]


def test_similar_past_work_and_co_change(write_json):
    data = _history(write_json)
    predictor = FootprintPredictor.build(data, datetime(2026, 3, 1, tzinfo=UTC))
    ranked = predictor.predict_text("Parser crash on empty input", "bug")
    assert ranked[0].path == "src/parser.py"
    assert "tests/test_parser.py" in [p.path for p in ranked]
    assert all(0.0 <= p.score <= 1.0 for p in ranked)
    assert ranked == sorted(ranked, key=lambda p: -p.score)


def test_change_sets_do_not_double_count_squash_commits(tmp_path: Path, write_json):
    folder = tmp_path / "export"
    write_json("export/pulls.json", [gh_pull(5, files=[{"path": "a.py"}], mergeCommit={"oid": "abc"})])
    commits = [
        {"sha": "abc", "parents": ["p"], "author": "x", "author_date": "2026-01-06T10:00:00Z", "subject": "A change (#5)",
         "files": ["a.py"]},
        {"sha": "def", "parents": ["p"], "author": "x", "author_date": "2026-01-07T10:00:00Z", "subject": "Direct fix",
         "files": ["b.py"]},
        {"sha": "ghi", "parents": ["p", "q"], "author": "x", "author_date": "2026-01-08T10:00:00Z",
         "subject": "Merge branch", "files": ["c.py"]},
    ]
    (folder / "commits.jsonl").write_text("\n".join(json.dumps(c) for c in commits), encoding="utf-8")
    found = change_sets(load_dataset(CONFIG, from_dir=folder))
    assert [c.source for c in found] == ["PR #5", "commit def"]


def test_training_excludes_unfinished_tasks(write_json):
    data = _history(write_json)
    moment = datetime(2026, 1, 3, 12, tzinfo=UTC)
    predictor = FootprintPredictor.build(snapshot(data, moment), moment)
    # PR 2 was opened before the moment but merged after it: its files are unknown then.
    assert predictor.training_tasks == 1


def test_predict_command_on_the_sample(run_cli, tmp_path: Path, monkeypatch):
    folder = write_sample(tmp_path / "sample")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("Crash in schedule_next: core/scheduler.py fails"))
    result = run_cli("predict", "--from", folder, "--top", "5")
    assert result.code == 0, result.err
    ranked = json.loads(result.out)
    assert ranked[0]["path"] == "core/scheduler.py"
    assert set(ranked[0]) == {"path", "score", "signals"}
    assert len(ranked) <= 5


def test_predict_rejects_empty_text(run_cli, tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    result = run_cli("predict", empty, "--from", write_sample(tmp_path / "s"))
    assert result.code == 2
    assert "task text is empty" in result.err


def test_backtest_command_on_the_sample(run_cli, tmp_path: Path):
    folder = write_sample(tmp_path / "sample")
    result = run_cli("backtest", "--from", folder, "--limit", "80")
    assert result.code == 0, result.err
    report = json.loads((tmp_path / "artifacts" / "backtest" / "backtest.json").read_text("utf-8"))
    entry = report["files"]["per_dataset"][REPOSITORY]
    assert entry["evaluated_tasks"] == 80
    assert entry["task_source"] == "issues"
    for key in ("recall@1", "recall@5", "recall@10", "mrr", "acc@5"):
        assert 0.0 <= entry["predictor"][key] <= 1.0
    assert entry["predictor"]["recall@10"] > entry["baseline_bm25_paths"]["recall@10"]
    conflicts = report["conflicts"][REPOSITORY]
    assert conflicts["concurrent_pairs"] >= conflicts["truly_overlapping_pairs"] > 0
    markdown = (tmp_path / "artifacts" / "backtest" / "backtest.md").read_text("utf-8")
    assert f"| {REPOSITORY} |" in markdown
