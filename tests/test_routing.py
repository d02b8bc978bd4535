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
