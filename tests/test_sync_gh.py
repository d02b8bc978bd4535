"""The real gh binary against the TLS fake: the gh transport, its faults and transport choice."""

from __future__ import annotations

import logging
import os

import pytest

from agentlanes import api
from agentlanes.errors import RemoteError
from agentlanes.github.connect import open_transport
from agentlanes.github.endpoint import resolve_endpoint

from fakes.github_api import Fault
from fakes.github_api.data import generate

pytestmark = pytest.mark.gh


@pytest.fixture
def gh_env(fake_github, tmp_path, gh_path):
    """gh aimed at the fake as a GitHub Enterprise Server host; no token for agentlanes itself."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GH_", "GITHUB_"))}
    env.update(fake_github.env(tmp_path))
    env["PATH"] = os.path.dirname(gh_path) + os.pathsep + env.get("PATH", "")
    return env


@pytest.fixture
def repo(fake_github):
    repository = fake_github.state.add_repository("octo", "demo")
    generate(repository, 60, 70)
    return repository


def test_auto_picks_signed_in_gh(fake_github, gh_env):
    transport, _ = open_transport("auto", resolve_endpoint(None, gh_env), gh_env)
    assert transport.name == "gh"


def test_auto_picks_gh_with_gh_token(fake_github, gh_env):
    del gh_env["GH_ENTERPRISE_TOKEN"]
    gh_env["GH_TOKEN"] = fake_github.token
    transport, _ = open_transport("auto", resolve_endpoint(None, gh_env), gh_env)
    assert transport.name == "gh"


def test_auto_without_gh_uses_token(fake_github, gh_env):
    gh_env["PATH"] = ""
    transport, _ = open_transport("auto", resolve_endpoint(None, gh_env), gh_env)
    assert transport.name == "http"


def test_gh_requested_but_signed_out(fake_github, gh_env):
    del gh_env["GH_ENTERPRISE_TOKEN"]
    with pytest.raises(RemoteError) as caught:
        open_transport("gh", resolve_endpoint(None, gh_env), gh_env)
    assert f"gh is not signed in to {fake_github.host}" in caught.value.message


def test_gh_sync_with_faults(fake_github, repo, gh_env, tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    faults = [
        fake_github.inject(Fault("status", operation="SyncIssues", times=1)),
        fake_github.inject(Fault("secondary_limit", operation="SyncPullRequests", retry_after=30)),
        fake_github.inject(Fault("truncated", operation="SyncPullRequests", skip=1)),
        fake_github.inject(Fault("reset", operation="SyncMergeQueue")),
    ]
    report = api.sync("octo/demo", db=tmp_path / "s.db", env=gh_env, clock=fake_github.clock)
    assert report.transport == "gh"
    assert [fault.hits for fault in faults] == [1, 1, 1, 1]
    assert report.retries == 4
    assert 30.0 in fake_github.clock.sleeps
    assert (report.issues, report.pulls) == (60, 70)
    assert report.budget_remaining == fake_github.remaining
    full, _ = api.load(api.Source(db=tmp_path / "s.db"))
    assert sorted(p.number for p in full.pulls) == sorted(repo.pulls)
    assert all(r.headers["authorization"] == f"token {fake_github.token}" for r in fake_github.log)
    assert fake_github.token not in caplog.text
    for path in tmp_path.glob("s.db*"):
        assert fake_github.token.encode() not in path.read_bytes()


def test_gh_resync_and_changes(fake_github, repo, gh_env, tmp_path):
    api.sync("octo/demo", db=tmp_path / "s.db", env=gh_env, clock=fake_github.clock)
    fake_github.clock.advance(30)
    repo.update(61, title="Retitled through gh")
    report = api.sync("octo/demo", db=tmp_path / "s.db", env=gh_env, clock=fake_github.clock)
    assert report.requests == 3
    assert (report.issues, report.pulls) == (0, 1)
    full, _ = api.load(api.Source(db=tmp_path / "s.db", github_repo="octo/demo"))
    assert next(p for p in full.pulls if p.number == 61).title == "Retitled through gh"


def test_gh_reports_missing_repository(fake_github, gh_env, tmp_path):
    with pytest.raises(RemoteError) as caught:
        api.sync("octo/missing", db=tmp_path / "s.db", env=gh_env, clock=fake_github.clock)
    assert "repository octo/missing not found" in caught.value.message


def test_gh_rest_through_registered_route(fake_github, gh_env):
    """A REST write through gh reaches a route registered on the fake, body and all."""
    from agentlanes.github.client import GitHubClient
    from fakes.github_api import FakeResponse

    repository = fake_github.state.add_repository("octo", "demo")
    repository.add_issue(4)

    def add_labels(fake, request, match):
        record = fake.state.repository(match["owner"], match["repo"]).update(
            int(match["number"]), labels=[{"name": name, "description": ""} for name in request.json["labels"]])
        return FakeResponse(200, record["labels"])

    fake_github.add_route("POST", r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/issues/(?P<number>\d+)/labels", add_labels)
    transport, _ = open_transport("gh", resolve_endpoint(None, gh_env), gh_env)
    client = GitHubClient(transport, clock=fake_github.clock)
    reply = client.rest("POST", "repos/octo/demo/issues/4/labels", {"labels": ["jules"]}, description="add label")
    assert reply == [{"name": "jules", "description": ""}]
    assert repository.issues[4]["labels"] == [{"name": "jules", "description": ""}]
    assert client.budgets["core"].remaining is not None
    with pytest.raises(RemoteError) as caught:
        client.rest("GET", "repos/octo/missing", description="repository")
    assert "repository failed: HTTP 404 Not Found" in caught.value.message


def test_gh_syncs_issue_relations(fake_github, gh_env, tmp_path):
    """gh sends the summary fields on the issue page and the relation follow-up, as the HTTP transport does."""
    repository = fake_github.state.add_repository("octo", "demo")
    for number in range(1, 6):
        repository.add_issue(number, title=f"Step {number}", createdAt="2024-01-01T00:00:00Z")
    repository.add_sub_issue(1, 2)
    repository.add_blocked_by(3, 2)
    repository.update(4, state="CLOSED", closedAt="2024-01-02T00:00:00Z")
    repository.add_blocked_by(5, 4)
    report = api.sync("octo/demo", db=tmp_path / "s.db", env=gh_env, clock=fake_github.clock)
    assert report.transport == "gh"
    assert report.relations_note == ""
    assert len(fake_github.requests("SyncIssueRelations")) == 1
    assert "issueDependenciesSummary" in fake_github.requests("SyncIssues")[0].json["query"]
    analysis = api.analyze(api.Source(db=tmp_path / "s.db", github_repo="octo/demo"))
    found = {r.number: ({(d.number, d.kind) for d in r.dependencies}, r.readiness.status) for r in analysis.issues}
    assert found == {
        1: ({(2, "child")}, "blocked"),
        2: ({(1, "parent")}, "ready"),
        3: ({(2, "blocked-by")}, "blocked"),
        5: ({(4, "blocked-by")}, "ready"),
    }
