"""The routing plan end to end: optimal selection, dispatched issues, triggers,
waves, the conflict graph and the Markdown summary."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from agentlanes import api
from agentlanes.config import build_config
from agentlanes.errors import InputError
from agentlanes.render.routing_md import gantt_label, render_plan_markdown
from agentlanes.routing.dispatched import Dispatch, read_dispatched
from agentlanes.timeutil import parse_timestamp

from conftest import gh_issue, gh_pull

AGENTS = """
[[agents]]
name = "alpha"
capacity = 2
trigger = { kind = "label", value = "alpha-go" }

[[agents]]
name = "beta"
capacity = 1
daily_quota = 1
trigger = { kind = "comment", value = "@beta please" }
"""
NOW = "2026-01-10T00:00:00Z"


def config():
    # These cases check routing mechanics on two-file histories, where every
    # prediction is shaky, so they use a threshold well above the default.
    document = tomllib.loads(AGENTS)
    document["conflict"] = {"footprint_threshold": 0.25}
    return build_config(document, "test")


def backlog(write_json, issues, pulls=None):
    pulls = pulls or [gh_pull(90, files=[{"path": p} for p in ("src/a.py", "src/b.py", "src/c.py", "docs/d.md")])]
    source = api.Source(issues=write_json("issues.json", issues), pulls=write_json("pulls.json", pulls))
    return api.analyze(source, config=config(), as_of=NOW)


def test_optimal_beats_greedy_on_a_trap(write_json):
    # Greedy takes #1 (the best single value), which blocks both #2 and #3; together they are worth more.
    issues = [
        gh_issue(1, "Rewrite src/a.py and src/b.py", labels=[{"name": "p2"}]),
        gh_issue(2, "Fix src/a.py", labels=[{"name": "bug"}]),
        gh_issue(3, "Fix src/b.py", labels=[{"name": "bug"}]),
    ]
    analysis = backlog(write_json, issues)
    greedy = api.route(analysis, config=config(), solver="greedy")
    optimal = api.route(analysis, config=config())
    assert {t.number for t in greedy.selected} == {1}
    assert {t.number for t in optimal.selected} == {2, 3}
    assert optimal.solver.status == "optimal"
    assert optimal.solver.objective > optimal.solver.greedy_objective
    assert optimal.solver.ratio_to_greedy == pytest.approx(optimal.solver.objective / greedy.solver.objective,
                                                           abs=1e-4)
    assert optimal.solver.gap == 0.0
    held = {t.number: t for t in optimal.not_selected}
    assert held[1].status == "conflict"


def test_selected_tasks_carry_their_trigger(write_json):
    analysis = backlog(write_json, [gh_issue(1, "Fix src/a.py"), gh_issue(2, "Fix docs/d.md")])
    plan = api.route(analysis, config=config())
    triggers = {a.name: a.trigger for a in plan.agents}
    assert plan.selected
    for task in plan.selected:
        assert task.trigger == triggers[task.agent]
        assert task.url.endswith(f"/issues/{task.number}")
    assert triggers["beta"].kind == "comment"
    assert triggers["beta"].value == "@beta please"


def test_dispatched_issue_holds_slot_quota_and_files(write_json):
    issues = [gh_issue(1, "Fix src/a.py"), gh_issue(2, "Also src/a.py"), gh_issue(3, "Fix src/c.py")]
    analysis = backlog(write_json, issues)
    dispatched = [Dispatch(1, "beta", parse_timestamp("2026-01-09T12:00:00Z"))]
    plan = api.route(analysis, config=config(), dispatched=dispatched)
    held = {t.number: t for t in plan.not_selected}
    assert held[1].status == "dispatched"
    assert "beta" in held[1].reasons[0]
    assert held[2].status == "locked"
    assert "issue #1 (dispatched to beta)" in held[2].reasons[0]
    beta = next(a for a in plan.agents if a.name == "beta")
    assert beta.in_flight == 1
    assert beta.free == 0
    assert beta.quota_left == 0
    assert [t.number for t in plan.selected] == [3]
    assert plan.conflict_graph.edges["lock"] >= 1


def test_dispatch_after_the_moment_is_ignored(write_json):
    analysis = backlog(write_json, [gh_issue(1, "Fix src/a.py")])
    later = [Dispatch(1, "beta", parse_timestamp("2026-02-01T00:00:00Z"))]
    plan = api.route(analysis, config=config(), dispatched=later)
    assert [t.number for t in plan.selected] == [1]


def test_quota_counts_only_the_last_day(write_json):
    analysis = backlog(write_json, [gh_issue(1, "Fix docs/d.md")])
    old = [Dispatch(99, "beta", parse_timestamp("2026-01-08T00:00:00Z"))]
    plan = api.route(analysis, config=config(), dispatched=old)
    beta = next(a for a in plan.agents if a.name == "beta")
    assert beta.quota_left == 1
    assert "dispatched issues no longer open, which hold nothing: 1" in plan.notes


def test_unknown_names_are_noted(write_json):
    analysis = backlog(write_json, [gh_issue(1, "Fix src/a.py"), gh_issue(2, "Fix docs/d.md")])
    document = tomllib.loads(AGENTS)
    document["agents"][0]["eligible"] = {"components": ["nope"]}
    stranger = [Dispatch(2, "gpt5", parse_timestamp("2026-01-06T00:00:00Z"))]
    plan = api.route(analysis, config=build_config(document, "test"), dispatched=stranger)
    notes = " ".join(plan.notes)
    assert "the dispatch log names agents that are not configured: gpt5 (1 issue)" in notes
    assert "agent alpha: eligible component(s) nope match no component of this analysis" in notes


def test_wave_plan_puts_blocked_task_after_its_blocker(write_json):
    issues = [gh_issue(1, "Fix src/a.py"), gh_issue(2, "Then src/b.py", body="Depends on #1"),
              gh_issue(3, "Fix src/a.py again"), gh_issue(4, "And src/a.py once more")]
    plan = api.route(backlog(write_json, issues), config=config())
    waves = plan.wave_plan
    wave_of = {t.number: w.index for w in waves.waves for t in w.tasks}
    assert wave_of[2] > wave_of[1]
    assert waves.count == 3
    assert waves.lower_bound == 3
    assert waves.minimal
    assert waves.hot_files[0].path == "src/a.py"
    assert waves.hot_files[0].serialized == 3
    assert any(b.kind == "file" and "src/a.py" in b.reason for b in waves.bounds)
    assert waves.critical_path == [1, 2]
    assert waves.first_wave_is_selection
    assert {t.number for t in waves.waves[0].tasks} == {t.number for t in plan.selected}
    assert plan.conflict_graph.edges["dependency"] == 1


def test_markdown_has_gantt_chart_and_bounds(write_json):
    issues = [gh_issue(1, "Fix: src/a.py; crash #7"), gh_issue(2, "Also src/a.py")]
    plan = api.route(backlog(write_json, issues), config=config())
    text = render_plan_markdown(plan)
    assert "```mermaid\ngantt\n" in text
    assert "dateFormat YYYY-MM-DD HH:mm" in text
    chart = text.split("```mermaid", 1)[1].split("```", 1)[0]
    task_lines = [line for line in chart.splitlines() if re.match(r"    \d+ ", line)]
    assert len(task_lines) == 2
    for line in task_lines:
        name = line.split(":", 1)[0]
        assert "#" not in line
        assert ";" not in line
        assert re.fullmatch(r"    \d+ [A-Za-z0-9 ._/-]+ ", name)
    assert "proven minimal" in text
    assert "### Hot files" in text


def test_gantt_label_strips_separators():
    assert gantt_label("Fix: crash; see #12") == "Fix crash see 12"
    assert gantt_label(":::") == "task"


def test_route_cli_with_dispatched_log(write_json, run_cli, tmp_path: Path):
    issues = write_json("issues.json", [gh_issue(1, "Fix src/a.py"), gh_issue(2, "Fix src/c.py")])
    pulls = write_json("pulls.json", [gh_pull(90, files=[{"path": "src/a.py"}, {"path": "src/c.py"}])])
    agents = tmp_path / "agents.toml"
    agents.write_text(AGENTS, encoding="utf-8")
    (tmp_path / "agentlanes.toml").write_text("[conflict]\nfootprint_threshold = 0.25\n", encoding="utf-8")
    log = tmp_path / "dispatched.jsonl"
    log.write_text('{"issue": 1, "agent": "alpha", "at": "2026-01-09T00:00:00Z", "action": "label"}\n\n', "utf-8")
    assert run_cli("analyze", "--issues", issues, "--pulls", pulls, "--as-of", NOW, "--agents", agents).code == 0
    result = run_cli("route", "--agents", agents, "--dispatched", log, "--time-limit", "5")
    assert result.code == 0, result.err
    assert "proven minimal" in result.err
    plan = json.loads((tmp_path / "artifacts" / "orchestration" / "routing_plan.json").read_text("utf-8"))
    assert [t["number"] for t in plan["selected"]] == [2]
    assert plan["solver"]["time_limit"] == 5.0
    held = {t["number"]: t["status"] for t in plan["not_selected"]}
    assert held == {1: "dispatched"}


def test_route_cli_rejects_bad_dispatch_log(write_json, run_cli, tmp_path: Path):
    issues = write_json("issues.json", [gh_issue(1, "Fix src/a.py")])
    assert run_cli("analyze", "--issues", issues, "--as-of", NOW).code == 0
    log = tmp_path / "dispatched.jsonl"
    log.write_text('{"issue": 1, "agent": "alpha", "at": "2026-01-09T00:00:00Z"}\n{"issue": "one"}\n', "utf-8")
    result = run_cli("route", "--dispatched", log)
    assert result.code == 2
    assert f"{log}:2: invalid issue number 'one'" in result.err
    assert "hint:" in result.err
    missing = run_cli("route", "--dispatched", tmp_path / "nope.jsonl")
    assert missing.code == 2
    assert "dispatch log not found" in missing.err


@pytest.mark.parametrize("line, message", [
    ("not json", "malformed JSON"),
    ("[1, 2]", "expected a JSON object, found list"),
    ('{"issue": 3, "agent": "", "at": "2026-01-01"}', "invalid agent name ''"),
    ('{"issue": 3, "agent": "a"}', "missing or invalid time 'at' (None)"),
    ('{"issue": 3, "agent": "a", "at": "yesterday"}', "invalid time 'yesterday'"),
    ('{"issue": true, "agent": "a", "at": "2026-01-01"}', "invalid issue number True"),
])
def test_dispatch_log_errors_name_line_and_value(tmp_path: Path, line: str, message: str):
    log = tmp_path / "log.jsonl"
    log.write_text(line + "\n", "utf-8")
    with pytest.raises(InputError) as info:
        read_dispatched(log)
    assert f"{log}:1: {message}" in str(info.value)


def test_dispatch_log_reads_entries(tmp_path: Path):
    log = tmp_path / "log.jsonl"
    log.write_text('{"issue": 4, "agent": "codex", "at": "2026-01-05T10:00:00+01:00", "extra": 1}\n', "utf-8")
    assert read_dispatched(log) == (Dispatch(4, "codex", parse_timestamp("2026-01-05T09:00:00Z")),)


def test_invalid_solver_and_time_limit(write_json):
    analysis = backlog(write_json, [gh_issue(1, "Fix src/a.py")])
    with pytest.raises(InputError, match="invalid solver 'magic'"):
        api.route(analysis, config=config(), solver="magic")
    with pytest.raises(InputError, match="invalid time limit 0"):
        api.route(analysis, config=config(), time_limit=0)
