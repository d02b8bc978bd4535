"""`agentlanes dispatch` through the real gh binary against the TLS GitHub fake, with a plan from `route`."""

from __future__ import annotations

import json
import os

import pytest

from agentlanes import api
from agentlanes.artifacts import read_model
from agentlanes.config import load_config
from agentlanes.demo.generator import write_sample
from agentlanes.routing.dispatched import read_dispatched
from agentlanes.routing.plan import RoutingPlan
from agentlanes.timeutil import parse_timestamp

from dispatch_support import write_agents, write_calls, write_plan, writes
from fakes.github_api import FakeResponse, ManualClock
from fakes.github_api.rest import get_issue

pytestmark = pytest.mark.gh


@pytest.fixture
def gh_env(fake_github, tmp_path, gh_path):
    """gh aimed at the fake as a GitHub Enterprise Server host; agentlanes itself gets no token."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GH_", "GITHUB_"))}
    env.update(fake_github.env(tmp_path))
    env["PATH"] = os.path.dirname(gh_path) + os.pathsep + env.get("PATH", "")
    return env


@pytest.fixture(scope="module")
def demo_route(tmp_path_factory):
    """The analysis and routing plan of the embedded sample repository (example/orbit)."""
    sample = write_sample(tmp_path_factory.mktemp("sample") / "sample", 7)
    config = load_config(None)
    analysis = api.analyze(api.Source(from_dir=sample, name="example/orbit"), config=config)
    return analysis, api.route(analysis, config=config)


def test_routed_plan_dispatched_once_through_gh(fake_github, gh_env, demo_route, tmp_path):
    analysis, plan = demo_route
    repository = fake_github.state.add_repository("example", "orbit")
    for task in plan.selected:
        repository.add_issue(task.number, title=task.title)
    # The plan counted one Copilot pull request in flight; GitHub shows it too.
    repository.add_pull(900, title="Copilot at work", author={"__typename": "Bot", "login": "copilot-swe-agent"},
                        headRefName="copilot/fix-900")
    log = tmp_path / "dispatch_log.jsonl"
    # The audit log's times come from this clock: the moment the plan was made.
    clock = ManualClock(parse_timestamp(plan.now).timestamp())
    report = api.dispatch(plan, repository="example/orbit", apply=True, log=log, env=gh_env, clock=clock)

    assert report.transport == "gh"
    assert len(plan.selected) > 1
    assert report.count("dispatched") == len(plan.selected)
    calls = write_calls(fake_github)
    assert sorted(path for _, path, _ in calls) == sorted(
        f"/repos/example/orbit/issues/{task.number}/"
        + {"assignee": "assignees", "label": "labels", "comment": "comments"}[task.trigger.kind]
        for task in plan.selected
    )
    for task in plan.selected:
        record = repository.issues[task.number]
        if task.trigger.kind == "assignee":
            assert record["assignees"] == [task.trigger.value]
        elif task.trigger.kind == "label":
            assert [label["name"] for label in record["labels"]] == [task.trigger.value]
        else:
            assert [c["body"].split("\n")[0] for c in repository.comments[task.number]] == [task.trigger.value]
    assert all(r.headers["authorization"] == f"token {fake_github.token}" for r in fake_github.requests())

    again = api.dispatch(plan, repository="example/orbit", apply=True, log=log, env=gh_env, clock=clock)
    assert again.count("dispatched") == 0
    assert again.skipped_by_check == {"dispatched": len(plan.selected)}
    assert len(writes(fake_github)) == len(plan.selected)

    # Routing again with the audit log keeps every dispatched issue out as work in flight.
    dispatched = read_dispatched(log)
    assert len(dispatched) == len(plan.selected)
    replanned = api.route(analysis, config=load_config(None), dispatched=dispatched)
    statuses = {task.number: task.status for task in replanned.not_selected}
    assert all(statuses[task.number] == "dispatched" for task in plan.selected)
    assert not {task.number for task in replanned.selected} & {task.number for task in plan.selected}


def test_recheck_right_before_acting_through_gh(fake_github, gh_env, tmp_path):
    repository = fake_github.state.add_repository("octo", "demo")
    for number in (1, 2, 3):
        repository.add_issue(number, title=f"Issue {number}")

    def assigned_meanwhile(fake, request, match):
        """Someone takes #2 after dispatch listed the open work, just before its own check."""
        repository.update(2, assignees=["alice"])
        return get_issue(fake, request, match)

    fake_github.add_route("GET", r"/repos/(?P<owner>octo)/(?P<repo>demo)/issues/(?P<number>2)", assigned_meanwhile)
    agents = write_agents(tmp_path / "agents.toml")
    plan = write_plan(tmp_path / "plan.json", [(1, "jules"), (2, "jules"), (3, "codex")], agents)
    report = api.dispatch(read_model(plan, RoutingPlan, "plan"), repository="octo/demo", config=load_config(None, agents),
                          apply=True, log=tmp_path / "log.jsonl", env=gh_env, clock=fake_github.clock)
    assert [(o.issue, o.status) for o in report.outcomes] == [(1, "dispatched"), (2, "skipped"), (3, "dispatched")]
    assert report.outcomes[1].detail == "assigned to alice"
    assert [path for _, path, _ in write_calls(fake_github)] == ["/repos/octo/demo/issues/1/labels",
                                                                  "/repos/octo/demo/issues/3/comments"]


def test_cli_dry_run_and_errors_through_gh(fake_github, gh_env, tmp_path, run_cli, monkeypatch):
    for key in [k for k in os.environ if k.startswith(("GH_", "GITHUB_"))]:
        monkeypatch.delenv(key)
    for key, value in gh_env.items():
        monkeypatch.setenv(key, value)
    repository = fake_github.state.add_repository("octo", "demo")
    for number in (1, 2):
        repository.add_issue(number, title=f"Issue {number}")
    agents = write_agents(tmp_path / "agents.toml")
    write_plan(tmp_path / "plan.json", [(1, "copilot"), (2, "devin")], agents)

    dry = run_cli("dispatch", "--agents", agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo")
    assert dry.code == 0, dry.err
    assert "over gh" in dry.err
    assert dry.out.splitlines() == [
        'would dispatch  octo/demo#1  copilot  POST /repos/octo/demo/issues/1/assignees {"assignees":["copilot-swe-agent[bot]"]}',
        'would dispatch  octo/demo#2  devin  POST /repos/octo/demo/issues/2/labels {"labels":["devin"]}',
    ]
    assert writes(fake_github) == []

    fake_github.add_route("POST", r"/repos/octo/demo/issues/2/labels",
                          lambda *_: FakeResponse(403, {"message": "Must have admin rights to Repository."}))
    applied = run_cli("dispatch", "--agents", agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply")
    assert applied.code == 3
    assert "HTTP 403 Must have admin rights to Repository." in applied.err
    assert "the token needs write access" in applied.err
    log_text = (tmp_path / "artifacts" / "orchestration" / "dispatch_log.jsonl").read_text()
    assert [json.loads(line)["event"] for line in log_text.splitlines()] == ["attempt", "dispatched", "attempt", "failed"]
    for text in (dry.out, dry.err, applied.out, applied.err, log_text):
        assert fake_github.token not in text
