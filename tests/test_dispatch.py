"""`agentlanes dispatch` over HTTPS (httpx) against the TLS GitHub fake: triggers, idempotency, skips, errors."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agentlanes import api
from agentlanes.artifacts import read_model
from agentlanes.config import load_config
from agentlanes.dispatch.audit import open_audit_log
from agentlanes.errors import RemoteError
from agentlanes.routing.dispatched import read_dispatched
from agentlanes.routing.plan import RoutingPlan
from agentlanes.sources.sidecars import load_dispatch_log
from agentlanes.timeutil import format_timestamp

from dispatch_support import write_agents, write_calls, write_plan, writes
from fakes.github_api import FakeGitHub, FakeResponse, Fault, ManualClock

TOKEN = "ghp_DispatchTokenThatMustNeverLeak7"
LOG = Path("artifacts/orchestration/dispatch_log.jsonl")
MARKER = "<!-- agentlanes dispatch agent="


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """A fake whose repository octo/demo has open issues 1-20, and the environment that points the CLI at it."""
    folder = tmp_path / "fake"
    folder.mkdir()
    with FakeGitHub(folder, token=TOKEN, clock=ManualClock()) as server:
        repository = server.state.add_repository("octo", "demo")
        for number in range(1, 21):
            repository.add_issue(number, title=f"Issue {number}")
        monkeypatch.setenv("GITHUB_API_URL", server.api_url)
        monkeypatch.setenv("GH_TOKEN", TOKEN)
        monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))
        monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
        yield server


@pytest.fixture
def agents(tmp_path):
    """The agents file; the local agent's command records its arguments in command-args.txt."""
    script = tmp_path / "record_args.py"
    script.write_text("import sys, pathlib\n"
                      "pathlib.Path(sys.argv[1]).open('a').write(' '.join(sys.argv[2:]) + '\\n')\n")
    command = f"{sys.executable} {script} {tmp_path / 'command-args.txt'} {{number}} {{repo}} $HOME ';' '$(touch pwned)'"
    return write_agents(tmp_path / "agents.toml", command)


def dispatch(run_cli, agents, *args):
    return run_cli("dispatch", "--agents", agents, "--transport", "http", *args)


def log_records(path: Path = LOG) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


ALL_KINDS = [(1, "copilot"), (2, "jules"), (3, "devin"), (4, "codex"), (5, "claude"), (6, "openhands"), (7, "local")]


def test_apply_sends_each_trigger_once(run_cli, fake, agents, tmp_path):
    write_plan(tmp_path / "plan.json", ALL_KINDS, agents)
    result = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply")
    assert result.code == 0, result.err
    assert result.out.count("dispatched") == 7
    assert "dispatched 7 tasks in octo/demo" in result.err

    calls = write_calls(fake)
    assert calls[:3] == [
        ("POST", "/repos/octo/demo/issues/1/assignees", {"assignees": ["copilot-swe-agent[bot]"]}),
        ("POST", "/repos/octo/demo/issues/2/labels", {"labels": ["jules"]}),
        ("POST", "/repos/octo/demo/issues/3/labels", {"labels": ["devin"]}),
    ]
    assert calls[3] == ("POST", "/repos/octo/demo/issues/4/comments",
                        {"body": f"@codex please implement this issue\n\n{MARKER}codex -->"})
    assert calls[4][1] == "/repos/octo/demo/issues/5/comments"
    assert calls[5] == ("POST", "/repos/octo/demo/issues/6/labels", {"labels": ["fix-me"]})
    assert len(calls) == 6

    repository = fake.state.repository("octo", "demo")
    assert repository.issues[1]["assignees"] == ["copilot-swe-agent[bot]"]
    assert [label["name"] for label in repository.issues[2]["labels"]] == ["jules"]
    assert [label["name"] for label in repository.issues[6]["labels"]] == ["fix-me"]
    assert [c["body"].split("\n")[0] for c in repository.comments[5]] == ["@claude please implement this issue"]
    # The command ran once, without a shell: $HOME, ';' and $(...) arrived as plain words.
    assert (tmp_path / "command-args.txt").read_text() == "7 octo/demo $HOME ; $(touch pwned)\n"
    assert not (tmp_path / "pwned").exists()

    records = log_records()
    assert [r["event"] for r in records] == ["attempt", "dispatched"] * 7
    assert {r["issue"] for r in records if r["event"] == "dispatched"} == {n for n, _ in ALL_KINDS}
    assert records[1]["trigger"] == {"kind": "assignee", "value": "copilot-swe-agent[bot]"}
    assert records[1]["request"].startswith("POST /repos/octo/demo/issues/1/assignees")


def test_second_run_dispatches_nothing(run_cli, fake, agents, tmp_path):
    write_plan(tmp_path / "plan.json", ALL_KINDS, agents)
    first = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply")
    assert first.code == 0, first.err
    before = len(writes(fake))
    lines_before = len(LOG.read_text().splitlines())

    again = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply")
    assert again.code == 0, again.err
    assert len(writes(fake)) == before
    assert (tmp_path / "command-args.txt").read_text().count("\n") == 1
    assert again.out.count("already dispatched to") == 7
    assert "dispatched 0 tasks" in again.err
    assert "7 skipped (7 dispatched)" in again.err
    new = log_records()[lines_before:]
    assert [r["event"] for r in new] == ["skipped"] * 7
    assert {r["check"] for r in new} == {"dispatched"}


def test_fresh_log_finds_github_triggers(run_cli, fake, agents, tmp_path):
    tasks = [(1, "copilot"), (2, "jules"), (4, "codex")]
    write_plan(tmp_path / "plan.json", tasks, agents)
    assert dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply").code == 0
    before = len(writes(fake))

    again = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply",
                     "--log", tmp_path / "other.jsonl")
    assert again.code == 0, again.err
    assert len(writes(fake)) == before
    records = {r["issue"]: r for r in log_records(tmp_path / "other.jsonl")}
    assert records[1]["reason"] == "already carries the trigger of copilot (assignee copilot-swe-agent[bot])"
    assert records[2]["reason"] == "already carries the trigger of jules (label 'jules')"
    # agentlanes' own marked comment proves the dispatch, so it is recorded rather than skipped.
    assert records[4]["event"] == "dispatched"
    assert records[4]["note"] == "found the agentlanes comment by octocat for codex on GitHub"


def test_readers_accept_the_audit_log(run_cli, fake, agents, tmp_path):
    write_plan(tmp_path / "plan.json", [(2, "jules"), (4, "codex"), (2, "jules")], agents)
    fake.state.repository("octo", "demo").update(3, assignees=["alice"])
    write_plan(tmp_path / "plan2.json", [(3, "devin")], agents)
    assert dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply").code == 0
    assert dispatch(run_cli, agents, "--plan", tmp_path / "plan2.json", "-R", "octo/demo", "--apply").code == 0
    events = [r["event"] for r in log_records()]
    assert events.count("skipped") == 2  # the duplicate #2 and the assigned #3

    routed = read_dispatched(LOG)
    assert sorted((d.issue, d.agent) for d in routed) == [(2, "jules"), (4, "codex")]
    entries = load_dispatch_log(LOG)
    assert sorted((e.issue, e.agent) for e in entries) == [(2, "jules"), (4, "codex")]


def test_issues_changed_since_planning_are_skipped(run_cli, fake, agents, tmp_path):
    repository = fake.state.repository("octo", "demo")
    repository.update(1, assignees=["alice"])
    repository.update(2, labels=[{"name": "Devin", "description": ""}])
    repository.add_pull(30, title="Fix 3", headRefName="alice/fix-3")
    repository.link_pull(3, 30)
    repository.add_pull(31, title="Mentions 4", headRefName="bob/refactor")
    repository.link_pull(4, 31, closing=False)
    repository.update(5, state="CLOSED")
    repository.add_pull(32, title="Closed attempt", state="CLOSED", headRefName="carol/try")
    repository.link_pull(8, 32)
    repository.comments[9] = [{"id": 1, "body": "Maybe @Codex, could you take this?", "user": {"login": "dave"},
                               "created_at": "2026-01-01T00:00:00Z"}]
    plan = [(1, "jules"), (2, "jules"), (3, "codex"), (4, "claude"), (5, "jules"), (30, "jules"), (99, "jules"),
            (8, "devin"), (9, "claude")]
    write_plan(tmp_path / "plan.json", plan, agents)

    result = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply")
    assert result.code == 0, result.err
    reasons = {r["issue"]: (r["check"], r["reason"]) for r in log_records() if r["event"] == "skipped"}
    assert reasons == {
        1: ("assigned", "assigned to alice"),
        2: ("trigger", "already carries the trigger of devin (label 'Devin')"),
        3: ("open-pull-request", "has an open pull request: https://github.com/octo/demo/pull/30"),
        4: ("open-pull-request", "has an open pull request: https://github.com/octo/demo/pull/31"),
        5: ("closed", "the issue is closed"),
        30: ("pull-request", "the number belongs to a pull request, not an issue"),
        99: ("not-found", "GitHub has no such issue (deleted or transferred)"),
        9: ("trigger", "a comment by dave already carries the trigger of codex"),
    }
    # A closed pull request does not hold its issue.
    assert write_calls(fake) == [("POST", "/repos/octo/demo/issues/8/labels", {"labels": ["devin"]})]
    assert "skipped         octo/demo#1  jules  assigned to alice" in result.out


def test_capacity_counts_work_in_flight(run_cli, fake, agents, tmp_path):
    repository = fake.state.repository("octo", "demo")
    repository.add_pull(40, title="Jules at work", author={"__typename": "Bot", "login": "google-labs-jules"},
                        headRefName="fix-docs")
    repository.update(10, labels=[{"name": "jules", "description": ""}])
    # Labelled, but a human's open pull request already works on it: not the agent's slot.
    repository.update(11, labels=[{"name": "jules", "description": ""}])
    repository.add_pull(41, title="Human fix", headRefName="erin/fix")
    repository.link_pull(11, 41)
    write_plan(tmp_path / "plan.json", [(1, "jules"), (2, "jules"), (3, "jules")], agents)

    result = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply")
    assert result.code == 0, result.err
    assert write_calls(fake) == [("POST", "/repos/octo/demo/issues/1/labels", {"labels": ["jules"]})]
    skipped = [r for r in log_records() if r["event"] == "skipped"]
    assert [(r["issue"], r["check"]) for r in skipped] == [(2, "capacity"), (3, "capacity")]
    assert skipped[0]["reason"] == ("jules has 3 of 3 slots in use (open pull requests #40; issues without a pull "
                                    "request #10, plus 1 dispatched in this run)")
    assert "in flight on GitHub: jules: 2 (open pull requests #40; issues without a pull request #10)" in result.err


def test_dry_run_sends_no_write(run_cli, fake, agents, tmp_path):
    write_plan(tmp_path / "plan.json", ALL_KINDS, agents)
    result = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo")
    assert result.code == 0, result.err
    assert writes(fake) == []
    assert fake.requests()  # GitHub was read
    assert not LOG.exists()
    assert not (tmp_path / "command-args.txt").exists()
    lines = result.out.splitlines()
    assert len(lines) == 7
    assert lines[1] == 'would dispatch  octo/demo#2  jules  POST /repos/octo/demo/issues/2/labels {"labels":["jules"]}'
    assert lines[6].startswith(f"would dispatch  octo/demo#7  local  run {sys.executable} ")
    assert "dry run in octo/demo on localhost" in result.err
    assert "nothing was changed" in result.err


def test_dry_run_without_repository_stays_offline(run_cli, fake, agents, tmp_path):
    write_plan(tmp_path / "plan.json", [(2, "jules")], agents)
    result = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json")
    assert result.code == 0, result.err
    assert fake.requests() == []
    assert result.out.startswith("would dispatch  octo/demo#2  jules  POST /repos/octo/demo/issues/2/labels")
    assert "GitHub was not checked" in result.err


def test_missing_plan_fails(run_cli, fake, agents):
    result = dispatch(run_cli, agents)
    assert result.code == 2
    assert "error: routing plan not found: artifacts/orchestration/routing_plan.json" in result.err
    assert "run `agentlanes route` first" in result.err


def test_unknown_agent_fails_before_any_request(run_cli, fake, agents, tmp_path):
    write_plan(tmp_path / "plan.json", [(1, "jules"), (2, "gizmo")], agents)
    result = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply")
    assert result.code == 2
    assert "the routing plan selects #2 for agent(s) 'gizmo', which the configuration" in result.err
    assert fake.requests() == []


def test_apply_requires_repository(run_cli, fake, agents, tmp_path):
    write_plan(tmp_path / "plan.json", [(1, "jules")], agents)
    result = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "--apply")
    assert result.code == 2
    assert "--apply needs the repository" in result.err
    assert "pass -R octo/demo" in result.err
    other = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/other", "--apply")
    assert other.code == 2
    assert "the routing plan is for octo/demo, but -R names octo/other" in other.err


def test_missing_repository_on_github(run_cli, fake, agents, tmp_path):
    write_plan(tmp_path / "plan.json", [(1, "jules")], agents, repository="octo/gone")
    result = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/gone", "--apply")
    assert result.code == 3
    assert "error: repository octo/gone not found" in result.err
    assert writes(fake) == []


@pytest.mark.parametrize(("status", "message", "hint"), [
    (403, "Resource not accessible by integration", "the token needs write access"),
    (404, "Not Found", "not visible to this token"),
    (422, "Validation Failed", "GitHub rejected the request as invalid"),
])
def test_write_rejected_stops_the_run(run_cli, fake, agents, tmp_path, status, message, hint):
    def reject(_fake, _request, _match):
        return FakeResponse(status, {"message": message})

    fake.add_route("POST", r"/repos/octo/demo/issues/3/labels", reject)
    write_plan(tmp_path / "plan.json", [(2, "jules"), (3, "devin"), (4, "jules")], agents)
    result = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply")
    assert result.code == 3
    assert (f"error: dispatching octo/demo#3 to devin failed: adding label 'devin' to octo/demo#3 failed: "
            f"HTTP {status} {message}") in result.err
    assert hint in result.err
    assert "1 task(s) were dispatched before it" in result.err
    assert [r["event"] for r in log_records()] == ["attempt", "dispatched", "attempt", "failed"]
    assert [path for _, path, _ in write_calls(fake)] == ["/repos/octo/demo/issues/2/labels",
                                                          "/repos/octo/demo/issues/3/labels"]


def test_unassignable_account_is_a_failure(run_cli, fake, agents, tmp_path):
    fake.state.repository("octo", "demo").unassignable.add("copilot-swe-agent[bot]")
    write_plan(tmp_path / "plan.json", [(1, "copilot")], agents)
    result = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply")
    assert result.code == 3
    assert "did not assign copilot-swe-agent[bot]" in result.err
    assert log_records()[-1]["event"] == "failed"


def test_failing_command_is_recorded(run_cli, fake, tmp_path):
    agents = write_agents(tmp_path / "agents.toml", f"{sys.executable} -c 'import sys; sys.exit(\"no agent here\")'")
    write_plan(tmp_path / "plan.json", [(7, "local")], agents)
    result = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply")
    assert result.code == 3
    assert "failed with exit status 1: no agent here" in result.err
    assert log_records()[-1]["error"].endswith("failed with exit status 1: no agent here")


def test_token_never_printed_or_logged(run_cli, fake, tmp_path):
    agents = write_agents(tmp_path / "agents.toml", f"{sys.executable} -c 'import os, sys; sys.exit(os.environ[\"GH_TOKEN\"])'")
    write_plan(tmp_path / "plan.json", [(2, "jules"), (7, "local")], agents)
    dry = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo")
    applied = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply")
    assert applied.code == 3
    assert "failed with exit status 1: ***" in applied.err
    for text in (dry.out, dry.err, applied.out, applied.err, LOG.read_text()):
        assert TOKEN not in text
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in fake.requests())


def test_interrupted_label_attempt_is_recovered(run_cli, fake, agents, tmp_path):
    LOG.parent.mkdir(parents=True)
    LOG.write_text(json.dumps({"at": "2026-01-05T10:00:00Z", "event": "attempt", "run": "r1", "repository": "octo/demo",
                               "issue": 2, "agent": "jules"}) + "\n")
    fake.state.repository("octo", "demo").update(2, labels=[{"name": "jules", "description": ""}])
    write_plan(tmp_path / "plan.json", [(2, "jules")], agents)
    result = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply")
    assert result.code == 0, result.err
    assert writes(fake) == []
    last = log_records()[-1]
    assert (last["event"], last["note"]) == ("dispatched", "found its label 'jules' on GitHub after an interrupted run")


def test_interrupted_command_attempt_is_not_repeated(run_cli, fake, agents, tmp_path):
    LOG.parent.mkdir(parents=True)
    LOG.write_text(json.dumps({"at": "2026-01-05T10:00:00Z", "event": "attempt", "issue": 7, "agent": "local"}) + "\n")
    write_plan(tmp_path / "plan.json", [(7, "local")], agents)
    result = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply")
    assert result.code == 0, result.err
    assert not (tmp_path / "command-args.txt").exists()
    assert log_records()[-1]["check"] == "interrupted"


def test_incomplete_last_log_line_stops_the_run(run_cli, fake, agents, tmp_path):
    LOG.parent.mkdir(parents=True)
    LOG.write_text('{"at": "2026-01-05T10:00:00Z", "event": "dispatched", "issue": 3, "agent": "devin"}\n{"at": "2026-')
    write_plan(tmp_path / "plan.json", [(2, "jules")], agents)
    result = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply")
    assert result.code == 2
    assert "ends with an incomplete record (13 bytes after the last newline)" in result.err
    assert writes(fake) == []


def test_hand_written_log_without_final_newline(run_cli, fake, agents, tmp_path):
    LOG.parent.mkdir(parents=True)
    LOG.write_text('{"issue": 3, "agent": "devin", "at": "2026-01-05T10:00:00Z"}')
    write_plan(tmp_path / "plan.json", [(3, "devin"), (2, "jules")], agents)
    result = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply")
    assert result.code == 0, result.err
    records = log_records()
    assert records[1]["check"] == "dispatched"
    assert [r["event"] for r in records[2:]] == ["attempt", "dispatched"]


def test_lost_comment_reply_is_not_retried(fake, agents, tmp_path):
    """A comment is posted at most once: a 502 on the POST stops the run instead of repeating it."""
    plan_path = write_plan(tmp_path / "plan.json", [(4, "codex")], agents)
    plan = read_model(plan_path, RoutingPlan, "routing plan")
    config = load_config(None, agents)
    env = fake.env(tmp_path)
    fault = fake.inject(Fault("status", path=r"/api/v3/repos/octo/demo/issues/4/comments"))
    with pytest.raises(RemoteError) as caught:
        api.dispatch(plan, repository="octo/demo", config=config, apply=True, log=tmp_path / "log.jsonl",
                     transport="http", env=env, clock=fake.clock)
    assert "HTTP 502" in caught.value.message
    assert fault.hits == 1
    assert len(writes(fake)) == 1

    report = api.dispatch(plan, repository="octo/demo", config=config, apply=True, log=tmp_path / "log.jsonl",
                          transport="http", env=env, clock=fake.clock)
    assert report.count("dispatched") == 1
    assert len(fake.state.repository("octo", "demo").comments[4]) == 1


def test_lost_label_reply_is_retried(fake, agents, tmp_path):
    plan = read_model(write_plan(tmp_path / "plan.json", [(2, "jules")], agents), RoutingPlan, "routing plan")
    fault = fake.inject(Fault("status", path=r"/api/v3/repos/octo/demo/issues/2/labels"))
    report = api.dispatch(plan, repository="octo/demo", config=load_config(None, agents), apply=True,
                          log=tmp_path / "log.jsonl", transport="http", env=fake.env(tmp_path), clock=fake.clock)
    assert fault.hits == 1
    assert report.count("dispatched") == 1
    assert [label["name"] for label in fake.state.repository("octo", "demo").issues[2]["labels"]] == ["jules"]


def test_daily_quota_from_the_log(fake, tmp_path):
    agents = tmp_path / "agents.toml"
    agents.write_text('[[agents]]\nname = "jules"\ncapacity = 9\ndaily_quota = 2\n'
                      'trigger = { kind = "label", value = "jules" }\n')
    log = tmp_path / "log.jsonl"
    now = fake.clock.time()
    stamp = format_timestamp(datetime.fromtimestamp(now, UTC) - timedelta(hours=2))
    old = format_timestamp(datetime.fromtimestamp(now, UTC) - timedelta(hours=30))
    log.write_text(json.dumps({"at": stamp, "issue": 15, "agent": "jules"}) + "\n"
                   + json.dumps({"at": old, "issue": 16, "agent": "jules"}) + "\n")
    plan = read_model(write_plan(tmp_path / "plan.json", [(1, "jules"), (2, "jules")], agents), RoutingPlan, "plan")
    report = api.dispatch(plan, repository="octo/demo", config=load_config(None, agents), apply=True, log=log,
                          transport="http", env=fake.env(tmp_path), clock=fake.clock)
    assert [(o.issue, o.status, o.check) for o in report.outcomes] == [(1, "dispatched", ""), (2, "skipped", "quota")]
    assert report.outcomes[1].detail == "jules has used its daily quota: 2 of 2 dispatches in the last 24 hours"


def test_log_in_use_stops_second_run(run_cli, fake, agents, tmp_path):
    write_plan(tmp_path / "plan.json", [(2, "jules")], agents)
    with open_audit_log(LOG):
        result = dispatch(run_cli, agents, "--plan", tmp_path / "plan.json", "-R", "octo/demo", "--apply")
    assert result.code == 2
    assert "another agentlanes dispatch is using artifacts/orchestration/dispatch_log.jsonl" in result.err
    assert writes(fake) == []


def test_replayed_plan_is_never_applied(run_cli, fake, agents, tmp_path):
    path = write_plan(tmp_path / "plan.json", [(1, "jules")], agents)
    plan = json.loads(path.read_text("utf-8"))
    plan.update(as_of="2026-03-01T00:00:00Z", tasks_from="pull-request replay")
    path.write_text(json.dumps(plan), encoding="utf-8")
    dry = dispatch(run_cli, agents, "--plan", path)
    assert dry.code == 0, dry.err
    assert "note: this plan replays the pull requests opened after 2026-03-01T00:00:00Z" in dry.err
    applied = dispatch(run_cli, agents, "--plan", path, "--apply", "-R", "octo/demo")
    assert applied.code == 2
    assert "would act on today's issues" in applied.err
    assert writes(fake) == []
