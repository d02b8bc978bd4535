"""analyze, route and dashboard on every real data set, checked against direct scans.

Each check recomputes its figure from the raw JSON files with plain code that
shares nothing with agentlanes, so a wrong bucket, timezone or classification
fails here.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import jsonschema
import pytest

from agentlanes.analysis.backlog import AnalysisInputs, analyze
from agentlanes.config import load_config
from agentlanes.metrics.dashboard import build_dashboard
from agentlanes.routing.plan import route
from agentlanes.schemas import backlog_schema
from agentlanes.sources.asof import snapshot
from agentlanes.sources.loader import load_dataset

from conftest import dataset_names, datasets_root

pytestmark = pytest.mark.datasets
CONFIG = load_config(None)
NAMES = dataset_names() or ["(missing)"]
# Positions of the cut-off in each data set's PR creation range.
FRACTIONS = (0.3, 0.6, 0.9)
DEPENDENCY_BOTS = {"app/dependabot", "app/renovate"}
AGENT_BOTS = {"app/copilot-swe-agent": "copilot", "app/google-labs-jules": "jules",
              "app/devin-ai-integration": "devin", "app/claude": "claude", "app/chatgpt-codex-connector": "codex"}


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


@lru_cache(maxsize=None)
def raw(name: str) -> tuple[list[dict], list[dict]]:
    folder = datasets_root() / name
    issues = json.loads((folder / "issues.json").read_text("utf-8"))
    pulls = json.loads((folder / "pulls.json").read_text("utf-8"))
    return issues, pulls


@lru_cache(maxsize=None)
def loaded(name: str):
    return load_dataset(CONFIG, from_dir=datasets_root() / name)


def cutoffs(name: str) -> list[datetime]:
    created = sorted(parse(p["createdAt"]) for p in raw(name)[1])
    return [created[int(fraction * (len(created) - 1))] for fraction in FRACTIONS]


def scan_open_issues(issues: list[dict], moment: datetime) -> set[int]:
    found = set()
    for record in issues:
        if record["state"] is None or record["createdAt"] is None:
            continue
        if parse(record["createdAt"]) > moment:
            continue
        closed = record.get("closedAt")
        if record["state"] == "CLOSED" and closed is None:
            continue
        if closed is None or parse(closed) > moment:
            found.add(record["number"])
    return found


def scan_merged_per_week(pulls: list[dict], since: datetime, until: datetime) -> tuple[Counter, Counter]:
    total: Counter[str] = Counter()
    bots: Counter[str] = Counter()
    for record in pulls:
        if not record.get("mergedAt"):
            continue
        merged = parse(record["mergedAt"])
        if since <= merged < until:
            year, week, _ = merged.isocalendar()
            label = f"{year}-W{week:02d}"
            total[label] += 1
            if (record.get("author") or {}).get("login") in DEPENDENCY_BOTS:
                bots[label] += 1
    return total, bots


@pytest.mark.parametrize("name", NAMES)
def test_open_issues_match_scan(datasets_dir: Path, name: str):
    issues, _ = raw(name)
    for moment in cutoffs(name):
        cut = snapshot(loaded(name), moment)
        analysis = analyze(AnalysisInputs(cut, loaded(name)), CONFIG)
        assert {r.number for r in analysis.issues} == scan_open_issues(issues, moment), moment
        jsonschema.validate(json.loads(analysis.model_dump_json(by_alias=True)), backlog_schema())


@pytest.mark.parametrize("name", NAMES)
def test_merged_per_week_matches_scan(datasets_dir: Path, name: str):
    _, pulls = raw(name)
    for moment in cutoffs(name):
        board = build_dashboard(snapshot(loaded(name), moment), CONFIG, weeks=8)
        since = parse(board.window.since)
        total, bots = scan_merged_per_week(pulls, since, moment + timedelta(microseconds=1))
        weeks = {row.week: row for row in board.merged_per_week}
        assert set(total) <= set(weeks)
        for label, row in weeks.items():
            assert row.merged == total[label], (moment, label)
            assert sum(row.by_kind.values()) == row.merged
            assert row.by_kind["dependency_bot"] == bots[label], (moment, label)


@pytest.mark.parametrize("name", NAMES)
def test_agent_bot_authors_are_attributed(datasets_dir: Path, name: str):
    _, pulls = raw(name)
    expected = Counter(AGENT_BOTS[p["author"]["login"]] for p in pulls
                       if p.get("author") and p["author"].get("login") in AGENT_BOTS)
    found = Counter(p.attribution.agent for p in loaded(name).pulls if p.attribution.rule == "bot-author")
    for agent, count in expected.items():
        assert found[agent] == count, agent
    dependency = sum(1 for p in pulls if (p.get("author") or {}).get("login") in DEPENDENCY_BOTS)
    assert sum(1 for p in loaded(name).pulls if p.attribution.kind.value == "dependency_bot") == dependency


@pytest.mark.parametrize("name", NAMES)
def test_route_plan_is_conflict_free(datasets_dir: Path, name: str):
    for moment in cutoffs(name):
        cut = snapshot(loaded(name), moment)
        tasks_from = "issues" if any(True for _ in scan_open_issues(raw(name)[0], moment)) else "pulls"
        analysis = analyze(AnalysisInputs(cut, loaded(name), tasks_from=tasks_from), CONFIG)
        plan = route(analysis, CONFIG)
        chosen = {task.number for task in plan.selected}
        conflicts = {r.number: set(r.conflicts_with) for r in analysis.issues}
        for number in chosen:
            assert not conflicts[number] & chosen, (moment, number)
        per_agent = Counter(task.agent for task in plan.selected)
        for agent in plan.agents:
            assert per_agent[agent.name] <= agent.free
        ready = {r.number for r in analysis.issues if r.readiness.status == "ready"}
        assert chosen <= ready
        assert {t.number for t in plan.selected} | {t.number for t in plan.not_selected} == {
            r.number for r in analysis.issues}


@pytest.mark.parametrize("name", NAMES)
def test_pull_replay_backlog_matches_scan(datasets_dir: Path, name: str):
    _, pulls = raw(name)
    moment = cutoffs(name)[1]
    # Dependency-bot PRs are never agent work, so the replay leaves them out.
    expected = {p["number"] for p in pulls if moment < parse(p["createdAt"]) <= moment + timedelta(days=14)
                and (p.get("author") or {}).get("login") not in DEPENDENCY_BOTS}
    analysis = analyze(AnalysisInputs(snapshot(loaded(name), moment), loaded(name), tasks_from="pulls"), CONFIG)
    assert {r.number for r in analysis.issues} == expected
    assert all(r.origin == "pull-request replay" for r in analysis.issues)
    # Merged PRs with one title ("Bump deps") were separate work, so none is held as a duplicate.
    assert all(r.readiness.status != "duplicate" for r in analysis.issues)


@pytest.mark.parametrize("name", NAMES)
def test_commands_run_end_to_end(datasets_dir: Path, name: str, run_cli, tmp_path: Path):
    moment = cutoffs(name)[2].strftime("%Y-%m-%dT%H:%M:%SZ")
    folder = datasets_dir / name
    result = run_cli("analyze", "--from", folder, "--as-of", moment)
    assert result.code == 0, result.err
    result = run_cli("route")
    assert result.code == 0, result.err
    result = run_cli("dashboard", "--from", folder, "--as-of", moment)
    assert result.code == 0, result.err
    out = tmp_path / "artifacts" / "orchestration"
    for file in ("backlog_analysis.json", "routing_plan.json", "routing_plan.md", "velocity_dashboard.md",
                 "velocity_dashboard.json"):
        assert (out / file).stat().st_size > 0, file
    board = json.loads((out / "velocity_dashboard.json").read_text("utf-8"))
    assert board["now"].startswith(moment[:10])
    assert all(set(row) >= {"week", "merged", "by_kind"} for row in board["merged_per_week"])
