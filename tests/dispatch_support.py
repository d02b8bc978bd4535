"""Routing plans, agent files and request-log helpers for the dispatch tests."""

from __future__ import annotations

import tomllib
from pathlib import Path

from agentlanes.artifacts import write_model
from agentlanes.config import build_config
from agentlanes.routing import plan_models as pm

# Every trigger kind: the default triggers of Copilot, Jules, Devin, Codex, Claude
# and OpenHands, and a local command. OpenHands gets a slot here because it has none by default.
AGENTS_TOML = """
[[agents]]
name = "copilot"
capacity = 4
trigger = {{ kind = "assignee", value = "copilot-swe-agent[bot]" }}
recognise = {{ logins = ["copilot-swe-agent"], branch_prefixes = ["copilot/"] }}

[[agents]]
name = "jules"
capacity = 3
trigger = {{ kind = "label", value = "jules" }}
recognise = {{ logins = ["google-labs-jules"] }}

[[agents]]
name = "devin"
capacity = 2
trigger = {{ kind = "label", value = "devin" }}
recognise = {{ logins = ["devin-ai-integration"], branch_prefixes = ["devin/"] }}

[[agents]]
name = "codex"
capacity = 4
trigger = {{ kind = "comment", value = "@codex please implement this issue" }}
recognise = {{ branch_prefixes = ["codex/"] }}

[[agents]]
name = "claude"
capacity = 4
trigger = {{ kind = "comment", value = "@claude please implement this issue" }}
recognise = {{ logins = ["claude"], branch_prefixes = ["claude/"] }}

[[agents]]
name = "openhands"
capacity = 1
trigger = {{ kind = "label", value = "fix-me" }}
recognise = {{ branch_prefixes = ["openhands-fix-issue-"] }}

[[agents]]
name = "local"
capacity = 2
trigger = {{ kind = "command", value = {command} }}
"""


def write_agents(path: Path, command: str = "true {number} {repo}") -> Path:
    """Write the agents file above; ``command`` is the local agent's command template."""
    literal = "'''" + command + "'''"
    path.write_text(AGENTS_TOML.format(command=literal), encoding="utf-8")
    return path


def write_plan(path: Path, tasks: list[tuple[int, str]], agents_file: Path, repository: str = "octo/demo") -> Path:
    """Write a routing plan that selects ``(issue, agent)`` pairs, with each agent's trigger from the agents file."""
    config = build_config(tomllib.loads(agents_file.read_text("utf-8")), str(agents_file))
    triggers = {agent.name: pm.Trigger(kind=agent.trigger.kind, value=agent.trigger.value) for agent in config.agents}
    selected = [
        pm.PlannedTask(number=number, title=f"Task {number}", url=f"https://github.com/{repository}/issues/{number}",
                       agent=agent, trigger=triggers.get(agent, pm.Trigger(kind="label", value=agent)), value=1.0, priority=1.0, fitness=1.0, type="bug",
                       size="S", components=[], files=[], reasons=[])
        for number, agent in tasks
    ]
    plan = pm.RoutingPlan(
        generated_by="tests", repository=repository, now=None, conflict_method="footprint", conflict_threshold=0.25,
        solver=pm.SolverReport(name="greedy", status="heuristic", objective=float(len(selected)), bound=None, gap=None,
                               greedy_objective=float(len(selected)), ratio_to_greedy=1.0, seconds=0.0, time_limit=None,
                               pairings=len(selected), pairings_in_model=len(selected)),
        agents=[], selected=selected, not_selected=[],
        conflict_graph=pm.ConflictGraphReport(tasks=len(selected), locks=0, edges={}, strongest=[], truncated=False),
        wave_plan=pm.WavePlanReport(count=0, lower_bound=0, minimal=True, bounds=[], critical_path=[], hot_files=[],
                                    waves=[], unschedulable=[], first_wave_is_selection=True, wave_hours=24.0,
                                    wave_hours_source="tests", seconds=0.0),
        notes=[],
    )
    return write_model(path, plan)


def writes(fake) -> list:
    """Requests that could change GitHub: every REST call but GET, and every GraphQL mutation."""
    found = []
    for request in fake.requests():
        if request.path == "/api/graphql":
            if str((request.json or {}).get("query", "")).lstrip().startswith("mutation"):
                found.append(request)
        elif request.method != "GET":
            found.append(request)
    return found


def write_calls(fake) -> list[tuple[str, str, object]]:
    """``(method, path after /api/v3, JSON body)`` of every write request."""
    return [(r.method, r.path.removeprefix("/api/v3"), r.json) for r in writes(fake)]
