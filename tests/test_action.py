"""The composite GitHub Action, run locally: its `run:` steps execute against the GitHub fake.

The test reads action.yml, evaluates the few `${{ }}` expressions the Action uses,
and runs every `run:` step with bash the way a runner does, in a temporary
workspace with GITHUB_STEP_SUMMARY and GITHUB_OUTPUT files. Steps that `uses:`
another action (setup-python, cache restore and save, upload-artifact) cannot
run here and are skipped, as is the pip install step: the test environment
already has this checkout installed, and installing needs the network.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml


from fakes.github_api import FakeGitHub
from fakes.github_api.data import load_data_set

pytestmark = pytest.mark.gh

REPO_ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((REPO_ROOT / "action.yml").read_text("utf-8"))
WORKFLOW = yaml.safe_load((REPO_ROOT / "docs" / "examples" / "agentlanes-workflow.yml").read_text("utf-8"))
DATA_SET = "D-sorganization__Maxwell_Daemon"
NOT_RUN_HERE = {"install"}
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class Run:
    """One run of the Action: what each step did and the files it left."""

    workspace: Path
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    logs: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        return (self.workspace.parent / "step-summary.md").read_text("utf-8")


def _lookup(path: str, context: dict[str, Any]) -> Any:
    value: Any = context
    for part in path.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return value


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """Evaluate the expression forms this Action uses: names, ==, !=, && and always()."""
    expression = expression.strip()
    if "&&" in expression:
        return all(evaluate(part, context) for part in expression.split("&&"))
    if expression == "always()":
        return True
    match = re.fullmatch(r"([\w.-]+)\s*(==|!=)\s*'([^']*)'", expression)
    if match:
        left = str(_lookup(match[1], context))
        return (left == match[3]) if match[2] == "==" else (left != match[3])
    if re.fullmatch(r"[\w.-]+", expression):
        return _lookup(expression, context)
    raise ValueError(f"expression not supported by this test: {expression}")


def substitute(text: str, context: dict[str, Any]) -> str:
    return _EXPRESSION.sub(lambda match: str(evaluate(match[1], context)), str(text))


def condition(step: dict[str, Any], context: dict[str, Any]) -> bool:
    if "if" not in step:
        return True
    text = str(step["if"])
    inner = _EXPRESSION.fullmatch(text.strip())
    return bool(evaluate(inner[1] if inner else text, context))


def run_action(inputs: dict[str, str], workspace: Path, env: dict[str, str]) -> Run:
    """Run the Action's `run:` steps in order, as a runner would with `shell: bash`."""
    workspace.mkdir(parents=True, exist_ok=True)
    run = Run(workspace)
    defaults = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    context: dict[str, Any] = {
        "github": {"repository": inputs.get("repository", ""), "token": "", "action_path": str(REPO_ROOT),
                   "run_id": "1", "run_attempt": "1"},
        "runner": {"os": "Linux", "temp": str(workspace.parent / "runner-temp")},
        "steps": {},
    }
    context["inputs"] = {name: substitute(value, context) for name, value in defaults.items()} | inputs
    Path(context["runner"]["temp"]).mkdir(exist_ok=True)
    summary = workspace.parent / "step-summary.md"
    for index, step in enumerate(ACTION["runs"]["steps"]):
        step_id = step.get("id", f"step{index}")
        if "uses" in step or step_id in NOT_RUN_HERE:
            run.skipped.append(step["name"])
            continue
        if not condition(step, context):
            run.outcomes[step_id] = "skipped"
            continue
        assert step.get("shell") == "bash", f"{step['name']}: every run step names its shell"
        output_file = workspace.parent / f"output-{step_id}"
        output_file.write_text("")
        step_env = {name: substitute(value, context) for name, value in step.get("env", {}).items()}
        script = workspace.parent / f"step-{step_id}.sh"
        script.write_text(step["run"], encoding="utf-8")
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workspace, capture_output=True,
            text=True, env={**env, **step_env, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output_file),
                            "RUNNER_TEMP": context["runner"]["temp"], "GITHUB_WORKSPACE": str(workspace)},
            check=False, timeout=600,
        )
        run.logs[step_id] = result.stdout + result.stderr
        run.outcomes[step_id] = "success" if result.returncode == 0 else "failure"
        outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
        run.outputs[step_id] = outputs
        context["steps"][step_id] = {"outputs": outputs, "outcome": run.outcomes[step_id]}
        assert result.returncode == 0, f"step {step['name']!r} failed:\n{run.logs[step_id]}"
    return run


@pytest.fixture
def runner_env(fake_github: FakeGitHub, gh_path: str, tmp_path: Path) -> dict[str, str]:
    """The environment of a runner whose gh and agentlanes reach the fake; agentlanes is on PATH."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GH_", "GITHUB_"))}
    env.update(fake_github.env(tmp_path))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.path.dirname(gh_path), env.get("PATH", "")])
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    return env


@pytest.fixture
def served(fake_github: FakeGitHub, datasets_dir: Path) -> FakeGitHub:
    load_data_set(fake_github.state.add_repository("D-sorganization", "Maxwell-Daemon"), datasets_dir / DATA_SET)
    return fake_github


def test_action_shape():
    assert ACTION["runs"]["using"] == "composite"
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), name
    for step in ACTION["runs"]["steps"]:
        assert step.get("name"), step
        assert ("uses" in step) != ("run" in step), step["name"]


def test_action_plans_and_summarises(served: FakeGitHub, runner_env: dict[str, str], tmp_path: Path):
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "team.toml").write_text("[conflict]\nmethod = \"both\"\n", encoding="utf-8")
    inputs = {"repository": "D-sorganization/Maxwell-Daemon", "token": served.token, "config": "team.toml", "weeks": "4"}
    run = run_action(inputs, workspace, runner_env)
    assert run.skipped == ["Set up Python", "Install agentlanes", "Restore the store",
                           "Upload the dashboard and the plan", "Save the store"]
    assert run.outcomes["step9"] == "skipped", "dispatch runs only when asked for"
    assert "over gh" in run.logs["sync"]
    folder = workspace / "artifacts" / "orchestration"
    plan = json.loads((folder / "routing_plan.json").read_text("utf-8"))
    assert plan["selected"]
    assert run.outputs["route"]["selected"] == str(len(plan["selected"]))
    assert run.outputs["route"]["plan"] == "artifacts/orchestration/routing_plan.json"
    assert run.outputs["dashboard"]["html"] == "artifacts/orchestration/velocity_dashboard.html"
    assert (folder / "velocity_dashboard.html").stat().st_size > 10_000
    assert "# Routing plan: D-sorganization/Maxwell-Daemon" in run.summary
    assert "# Velocity dashboard: D-sorganization/Maxwell-Daemon" in run.summary
    assert served.token not in run.summary
    analysis = json.loads((folder / "backlog_analysis.json").read_text("utf-8"))
    assert analysis["conflict_method"] == "both"
    board = json.loads((folder / "velocity_dashboard.json").read_text("utf-8"))
    assert len(board["window"]["weeks"]) == 4

    # The state folder that actions/cache keeps between runs makes the next sync incremental.
    assert (workspace / ".agentlanes" / "github.sqlite3").is_file()
    first = len(served.log)
    repository = served.state.repository("D-sorganization", "Maxwell-Daemon")
    repository.update(min(repository.issues), title="Renamed between runs")
    again = run_action(inputs, workspace, runner_env)
    second = len(served.log) - first
    assert second < first / 5, (first, second)
    assert "synced D-sorganization/Maxwell-Daemon" in again.logs["sync"]
    assert "Renamed between runs" in (folder / "backlog_analysis.json").read_text("utf-8")


def test_bad_config_fails_the_step(served: FakeGitHub, runner_env: dict[str, str], tmp_path: Path):
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "team.toml").write_text("[conflict]\nmethod = \"files\"\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="conflict.method: invalid value 'files'"):
        run_action({"repository": "D-sorganization/Maxwell-Daemon", "token": served.token, "config": "team.toml"}, workspace,
                   runner_env)


def test_action_dispatch_step(served: FakeGitHub, runner_env: dict[str, str], tmp_path: Path):
    from fakes.github_api import rest

    rest.register_issue_routes(served)
    inputs = {"repository": "D-sorganization/Maxwell-Daemon", "token": served.token, "dispatch": "true"}
    run = run_action(inputs, tmp_path / "workspace", runner_env)
    assert run.outcomes["step9"] == "success"
    plan = json.loads((run.workspace / "artifacts/orchestration/routing_plan.json").read_text("utf-8"))
    assert plan["selected"], "the served backlog should have tasks to dispatch"
    writes = [request.path for request in served.log if request.method == "POST" and "/issues/" in request.path]
    for task in plan["selected"]:
        assert sum(f"/issues/{task['number']}/" in path for path in writes) == 1, task["number"]
    log = (run.workspace / ".agentlanes" / "dispatch_log.jsonl").read_text("utf-8").splitlines()
    assert len(log) >= len(plan["selected"])


def test_example_workflow_uses_the_action():
    assert WORKFLOW[True]["schedule"], "the example runs on a schedule"  # YAML 1.1 reads `on` as True
    steps = WORKFLOW["jobs"]["plan"]["steps"]
    action_step = next(step for step in steps if str(step.get("uses", "")).endswith("/agentlanes@main"))
    assert set(action_step["with"]) <= set(ACTION["inputs"])
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert steps[0]["with"]["fetch-depth"] == 0
    assert WORKFLOW["permissions"]["issues"] == "write"
