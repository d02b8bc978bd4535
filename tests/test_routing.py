"""Routing: conflict-free selection within capacity, and reasons for what waits."""

from __future__ import annotations

import tomllib

import pytest

from agentlanes import api
from agentlanes.config import build_config
from agentlanes.errors import ConfigError

from conftest import gh_issue, gh_pull

AGENTS = """
[[agents]]
name = "alpha"
capacity = 1
trigger = { kind = "label", value = "alpha" }
recognise = { trailer_names = ["alpha"] }

[[agents]]
name = "beta"
capacity = 1
trigger = { kind = "comment", value = "@beta go" }
eligible = { types = ["docs"] }
"""


def config(method: str = "footprint"):
    document = tomllib.loads(AGENTS)
    # Tiny histories make every prediction shaky, so these mechanics tests use a
    # threshold well above the default.
    document["conflict"] = {"method": method, "footprint_threshold": 0.25}
    return build_config(document, "test")


def analysis_for(write_json, issues, pulls, method="footprint"):
    source = api.Source(issues=write_json("issues.json", issues), pulls=write_json("pulls.json", pulls))
    return api.analyze(source, config=config(method))


def test_conflicting_tasks_are_not_started_together(write_json):
    issues = [
        gh_issue(1, "Crash in src/app.py", labels=[{"name": "p1"}]),
        gh_issue(2, "Bug in src/app.py"),
        gh_issue(3, "Typo in docs/guide.md"),
    ]
    pulls = [gh_pull(9, files=[{"path": "src/app.py"}, {"path": "docs/guide.md"}])]
    analysis = analysis_for(write_json, issues, pulls)
    plan = api.route(analysis, config=config())
    chosen = {task.number: task.agent for task in plan.selected}
    assert chosen == {1: "alpha", 3: "beta"}
    held = {task.number: task for task in plan.not_selected}
    assert held[2].status == "conflict"
    assert "#1" in held[2].reasons[0]
    assert "src/app.py" in held[2].reasons[0]


def test_capacity_and_eligibility_reasons(write_json):
    issues = [gh_issue(1, "Fix src/a.py"), gh_issue(2, "Fix src/b.py")]
    pulls = [gh_pull(9, files=[{"path": "src/a.py"}, {"path": "src/b.py"}])]
    plan = api.route(analysis_for(write_json, issues, pulls), config=config())
    assert len(plan.selected) == 1
    held = plan.not_selected[0]
    assert held.status == "capacity"
    assert "alpha 1/1" in held.reasons[0]
    alpha = next(agent for agent in plan.agents if agent.name == "alpha")
    assert alpha.free == 1
    assert len(alpha.selected) == 1


def test_open_pull_request_locks_its_files(write_json):
    issues = [gh_issue(1, "Fix src/a.py")]
    pulls = [gh_pull(9, state="OPEN", mergedAt=None, closedAt=None, files=[{"path": "src/a.py"}])]
    plan = api.route(analysis_for(write_json, issues, pulls), config=config())
    assert plan.selected == []
    assert plan.not_selected[0].status == "locked"
    assert "PR #9" in plan.not_selected[0].reasons[0]


def test_component_method_serialises_a_component(write_json):
    issues = [gh_issue(1, "Fix src/a.py"), gh_issue(2, "Fix src/b.py")]
    pulls = [gh_pull(9, files=[{"path": "src/a.py"}, {"path": "src/b.py"}])]
    cfg = config("component")
    document = tomllib.loads(AGENTS)
    document["agents"][0]["capacity"] = 2
    document["conflict"] = {"method": "component"}
    cfg = build_config(document, "test")
    source = api.Source(issues=write_json("i.json", issues), pulls=write_json("p.json", pulls))
    plan = api.route(api.analyze(source, config=cfg), config=cfg)
    assert len(plan.selected) == 1
    assert "component src" in plan.not_selected[0].reasons[0]


def test_blocked_tasks_wait_with_their_reason(write_json):
    issues = [gh_issue(1, "Fix src/a.py"), gh_issue(2, "Then src/b.py", body="Depends on #1")]
    pulls = [gh_pull(9, files=[{"path": "src/a.py"}, {"path": "src/b.py"}])]
    plan = api.route(analysis_for(write_json, issues, pulls), config=config())
    held = {task.number: task for task in plan.not_selected}
    assert held[2].status == "blocked"
    assert "#1 is still open" in held[2].reasons[0]


def test_invalid_agent_config_names_key_and_allowed_values():
    document = tomllib.loads(AGENTS)
    document["agents"][0]["trigger"]["kind"] = "telepathy"
    with pytest.raises(ConfigError) as info:
        build_config(document, "agents.toml")
    message = str(info.value)
    assert "agents[0].trigger.kind" in message
    assert "'telepathy'" in message
    assert "'assignee'" in message


def test_epics_and_duplicates_wait_with_their_reason(write_json):
    issues = [
        gh_issue(1, "[Epic] Rework storage"),
        gh_issue(2, "Fix src/a.py"),
        gh_issue(3, "fix src/a.py!"),
        gh_issue(4, "Storage plan", labels=[{"name": "epic"}]),
    ]
    pulls = [gh_pull(9, files=[{"path": "src/a.py"}, {"path": "src/b.py"}])]
    analysis = analysis_for(write_json, issues, pulls)
    status = {record.number: record.readiness.status for record in analysis.issues}
    assert status == {1: "tracking", 2: "ready", 3: "duplicate", 4: "tracking"}
    assert (analysis.summary.tracking, analysis.summary.duplicate) == (2, 1)
    plan = api.route(analysis, config=config())
    assert [task.number for task in plan.selected] == [2]
    held = {task.number: task for task in plan.not_selected}
    assert held[3].status == "duplicate"
    assert any("#2" in reason for reason in held[3].reasons)
    assert "label 'epic'" in " ".join(held[4].reasons)


def test_coauthored_pull_takes_no_agent_slot(write_json):
    trailer = {"oid": "c1", "authors": [{"login": "alice", "name": "Alice"}],
               "messageHeadline": "Work", "messageBody": "Co-authored-by: alpha <alpha@example.com>"}
    pulls = [
        gh_pull(9, files=[{"path": "src/a.py"}, {"path": "src/b.py"}]),
        gh_pull(10, state="OPEN", mergedAt=None, closedAt=None, commits=[trailer], files=[{"path": "src/z.py"}]),
    ]
    analysis = analysis_for(write_json, [gh_issue(1, "Fix src/a.py")], pulls)
    ran = {item.number: (item.agent, item.agent_ran) for item in analysis.in_flight}
    assert ran[10] == ("alpha", False)
    plan = api.route(analysis, config=config())
    # alpha has one slot; the PR it only co-authored does not fill it.
    assert [(task.number, task.agent) for task in plan.selected] == [(1, "alpha")]


def test_unsure_task_conflicts_by_component(write_json):
    document = tomllib.loads(AGENTS)
    document["agents"][0]["capacity"] = 3
    document["conflict"] = {"footprint_threshold": 0.25}
    cfg = build_config(document, "test")
    issues = [gh_issue(1, "Fix src/a.py"), gh_issue(2, "Polish the wording", labels=[{"name": "src"}]),
              gh_issue(3, "Fix src/b.py")]
    pulls = [gh_pull(9, files=[{"path": "src/a.py"}, {"path": "src/b.py"}, {"path": "docs/guide.md"}])]
    source = api.Source(issues=write_json("i.json", issues), pulls=write_json("p.json", pulls))
    analysis = api.analyze(source, config=cfg)
    by_number = {record.number: record for record in analysis.issues}
    assert max(f.score for f in by_number[2].footprint) < 0.25
    assert by_number[2].conflicts_with == [1, 3]
    assert by_number[1].conflicts_with == [2]
    plan = api.route(analysis, config=cfg)
    assert sorted(task.number for task in plan.selected) == [1, 3]
    held = plan.not_selected[0]
    assert held.number == 2
    assert "on component src" in held.reasons[0]
    assert all(not path.startswith("component:") for task in plan.selected for path in task.files)
    assert "1 of 3 tasks has no file predicted with enough confidence" in " ".join(plan.notes)


def test_component_fallback_keeps_real_files_apart():
    from agentlanes.routing.conflicts import ConflictRule, conflicting_pairs, with_component_fallback

    rule = ConflictRule("footprint", 0.05)
    confident = with_component_fallback({"a.py": 0.9}, ["core"], rule)
    other = with_component_fallback({"b.py": 0.9}, ["core"], rule)
    unsure = with_component_fallback({"c.py": 0.01}, ["core"], rule)
    pairs = conflicting_pairs({1: confident, 2: other, 3: unsure}, {}, rule)
    assert sorted(pairs) == [(1, 3), (2, 3)]
    assert with_component_fallback({"a.py": 0.9}, ["core"], ConflictRule("both", 0.05)) == {"a.py": 0.9}


def test_epic_with_open_parts_is_never_planned(write_json):
    issues = [
        gh_issue(1, "[Epic] Rework storage", body="- [ ] #2"),
        gh_issue(2, "Fix src/a.py"),
        gh_issue(3, "Fix src/b.py after the storage epic", body="Blocked by #1"),
    ]
    pulls = [gh_pull(9, files=[{"path": "src/a.py"}, {"path": "src/b.py"}])]
    analysis = analysis_for(write_json, issues, pulls)
    status = {record.number: record.readiness.status for record in analysis.issues}
    assert status == {1: "tracking", 2: "ready", 3: "blocked"}
    plan = api.route(analysis, config=config())
    planned = {task.number for wave in plan.wave_plan.waves for task in wave.tasks}
    assert planned == {2}
    assert "#1, which routing never schedules (status tracking)" in plan.wave_plan.unschedulable[0].reason
