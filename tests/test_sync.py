"""Sync into real SQLite from the TLS fake: counts, incremental runs, resumption and faults."""

from __future__ import annotations

import math
import sqlite3

import pytest

from agentlanes import api
from agentlanes.errors import InputError, RemoteError
from agentlanes.store import Store

from fakes.github_api import FakeGitHub, Fault
from fakes.github_api.data import generate

ISSUES, PULLS = 120, 130


@pytest.fixture
def repo(fake_github):
    repository = fake_github.state.add_repository("octo", "demo")
    generate(repository, ISSUES, PULLS)
    return repository


@pytest.fixture
def env(fake_github, tmp_path):
    return {"GITHUB_API_URL": fake_github.api_url, "GH_TOKEN": fake_github.token,
            "SSL_CERT_FILE": str(fake_github.ca_file), "PATH": ""}


def run_sync(fake: FakeGitHub, env, db, **options):
    return api.sync("octo/demo", db=db, env=env, transport="http", clock=fake.clock, **options)


def stored(db) -> tuple[dict[int, dict], dict[int, dict]]:
    with Store.open(db, create=False) as store:
        repository = store.find_repository(None)
        issues = {node["number"]: node for node in store.payloads(repository, "issues")}
        pulls = {node["number"]: node for node in store.payloads(repository, "pulls")}
    return issues, pulls


def assert_complete(db, fake_repository) -> None:
    """Every issue and PR of the fake is stored once, as the fake has it now."""
    issues, pulls = stored(db)
    assert sorted(issues) == sorted(fake_repository.issues)
    assert sorted(pulls) == sorted(fake_repository.pulls)
    for number, record in fake_repository.issues.items():
        assert (issues[number]["updatedAt"], issues[number]["title"]) == (record["updatedAt"], record["title"])
    for number, record in fake_repository.pulls.items():
        assert pulls[number]["updatedAt"] == record["updatedAt"]
        assert [f["path"] for f in pulls[number]["files"]["nodes"]] == [f["path"] for f in record["files"]]
    connection = sqlite3.connect(db)
    duplicates = connection.execute("SELECT count(*) - count(DISTINCT number) FROM pulls").fetchone()[0]
    connection.close()
    assert duplicates == 0


def test_first_sync_stores_everything(fake_github, repo, env, tmp_path):
    report = run_sync(fake_github, env, tmp_path / "s.db")
    assert (report.issues, report.pulls) == (ISSUES, PULLS)
    assert report.complete
    issue_requests = len(fake_github.requests("SyncIssues"))
    pull_requests = len(fake_github.requests("SyncPullRequests"))
    assert issue_requests <= math.ceil(ISSUES / 50) + 5
    assert pull_requests <= math.ceil(PULLS / 50) + 5
    assert report.requests == issue_requests + pull_requests + 1
    assert_complete(tmp_path / "s.db", repo)


def test_unchanged_resync_costs_three_requests(fake_github, repo, env, tmp_path):
    run_sync(fake_github, env, tmp_path / "s.db")
    report = run_sync(fake_github, env, tmp_path / "s.db")
    assert report.requests <= 3
    assert (report.issues, report.pulls) == (0, 0)
    assert report.incremental
    assert not report.resumed


def test_resync_fetches_only_changes(fake_github, repo, env, tmp_path):
    run_sync(fake_github, env, tmp_path / "s.db")
    fake_github.clock.advance(60)
    repo.update(5, title="Renamed issue", state="CLOSED")
    repo.update(ISSUES + 3, isDraft=True)
    repo.add_issue(999, title="Brand new")
    report = run_sync(fake_github, env, tmp_path / "s.db")
    assert (report.issues, report.pulls) == (2, 1)
    issues, pulls = stored(tmp_path / "s.db")
    assert issues[5]["title"] == "Renamed issue"
    assert issues[999]["title"] == "Brand new"
    assert pulls[ISSUES + 3]["isDraft"] is True
    assert_complete(tmp_path / "s.db", repo)


def test_full_resync_reads_everything(fake_github, repo, env, tmp_path):
    run_sync(fake_github, env, tmp_path / "s.db")
    report = run_sync(fake_github, env, tmp_path / "s.db", full=True)
    assert (report.issues, report.pulls) == (ISSUES, PULLS)
    assert_complete(tmp_path / "s.db", repo)


@pytest.mark.parametrize("fault", [
    Fault("status", operation="SyncPullRequests", skip=1, times=2),
    Fault("secondary_limit", operation="SyncPullRequests", skip=1, retry_after=45),
    Fault("rate_limited_body", operation="SyncIssues", skip=1, reset_in=200),
    Fault("truncated", operation="SyncPullRequests", skip=2),
    Fault("reset", operation="SyncIssues", skip=1),
    Fault("repeat_cursor", operation="SyncPullRequests", skip=1),
], ids=lambda fault: fault.kind)
def test_fault_loses_and_duplicates_nothing(fake_github, repo, env, tmp_path, fault):
    fake_github.inject(fault)
    report = run_sync(fake_github, env, tmp_path / "s.db")
    assert fault.hits == fault.times
    assert report.retries == fault.times
    assert report.complete
    assert_complete(tmp_path / "s.db", repo)
    assert (report.issues, report.pulls) == (ISSUES, PULLS)


def test_timeouts_halve_the_page(fake_github, repo, env, tmp_path):
    fake_github.inject(Fault("status", status=504, operation="SyncPullRequests", skip=1, times=2))
    run_sync(fake_github, env, tmp_path / "s.db")
    sizes = [r.variables["first"] for r in fake_github.requests("SyncPullRequests")]
    assert sizes[:4] == [50, 50, 25, 12]
    assert set(sizes[4:]) == {12}
    assert_complete(tmp_path / "s.db", repo)


def test_repeating_cursor_stops_cleanly(fake_github, repo, env, tmp_path):
    fake_github.inject(Fault("repeat_cursor", operation="SyncPullRequests", skip=1, times=100))
    with pytest.raises(RemoteError) as caught:
        run_sync(fake_github, env, tmp_path / "s.db")
    assert "sent the end cursor" in caught.value.message
    issues, pulls = stored(tmp_path / "s.db")
    assert len(issues) == ISSUES
    assert len(pulls) == 50


def test_failed_sync_resumes_at_cursor(fake_github, repo, env, tmp_path):
    db = tmp_path / "s.db"
    fault = fake_github.inject(Fault("status", operation="SyncPullRequests", skip=1, times=1000))
    with pytest.raises(RemoteError):
        run_sync(fake_github, env, db)
    issues, pulls = stored(db)
    assert (len(issues), len(pulls)) == (ISSUES, 50)
    with Store.open(db, create=False) as store:
        repository = store.find_repository(None)
        pull_cursor = store.cursor(repository, "pulls")
        assert [run["status"] for run in store.runs(repository)] == ["failed"]
    fault.times = 0
    before = len(fake_github.log)
    report = run_sync(fake_github, env, db)
    second_run = fake_github.log[before:]
    assert report.resumed
    assert second_run[0].operation == "SyncIssues" and second_run[0].variables["after"] is not None
    first_pull_page = next(r for r in second_run if r.operation == "SyncPullRequests")
    assert first_pull_page.variables["after"] == pull_cursor
    assert (report.issues, report.pulls) == (0, PULLS - 50)
    assert_complete(db, repo)


def test_interrupted_page_rolls_back(fake_github, repo, env, tmp_path, monkeypatch):
    db = tmp_path / "s.db"
    original = Store.set_cursor
    calls = {"pulls": 0}

    def interrupt_second_pull_page(self, repository, connection, cursor, saved_at):
        if connection == "pulls":
            calls["pulls"] += 1
            if calls["pulls"] == 2:
                raise KeyboardInterrupt
        original(self, repository, connection, cursor, saved_at)

    monkeypatch.setattr(Store, "set_cursor", interrupt_second_pull_page)
    with pytest.raises(KeyboardInterrupt):
        run_sync(fake_github, env, db)
    issues, pulls = stored(db)
    assert len(pulls) == 50  # the second page's rows were written, then rolled back with its cursor
    with Store.open(db, create=False) as store:
        assert [run["status"] for run in store.runs(store.find_repository(None))] == ["interrupted"]
    monkeypatch.setattr(Store, "set_cursor", original)
    report = run_sync(fake_github, env, db)
    assert report.pulls == PULLS - 50
    assert_complete(db, repo)


def test_max_requests_then_continue(fake_github, repo, env, tmp_path):
    db = tmp_path / "s.db"
    first = run_sync(fake_github, env, db, max_requests=2)
    assert not first.complete
    assert first.requests == 2
    assert (first.issues, first.pulls) == (ISSUES, 0)
    second = run_sync(fake_github, env, db)
    assert second.complete
    assert second.pulls == PULLS
    with Store.open(db, create=False) as store:
        assert [run["status"] for run in store.runs(store.find_repository(None))] == ["stopped", "complete"]
    assert_complete(db, repo)


def test_long_lists_are_followed(fake_github, env, tmp_path):
    repository = fake_github.state.add_repository("octo", "demo")
    files = [{"path": f"src/f{i}.py", "additions": i, "deletions": 0} for i in range(250)]
    events = [{"__typename": "HeadRefForcePushedEvent", "createdAt": f"2024-01-01T00:{i // 60:02d}:{i % 60:02d}Z"} for i in range(130)]
    repository.add_pull(1, createdAt="2024-01-01T00:00:00Z", files=files, timeline=events,
                        closingIssuesReferences=list(range(100, 160)))
    run_sync(fake_github, env, tmp_path / "s.db")
    _, pulls = stored(tmp_path / "s.db")
    node = pulls[1]
    assert [f["path"] for f in node["files"]["nodes"]] == [f["path"] for f in files]
    assert len(node["timelineItems"]["nodes"]) == 130
    assert [n["number"] for n in node["closingIssuesReferences"]["nodes"]] == list(range(100, 160))
    follow_ups = fake_github.requests("SyncPullRequestLists")
    assert len(follow_ups) == 2  # files 2, timeline 2 and closing issues 2 together; then files 3
    assert sorted(key for key in follow_ups[0].variables if key.startswith("id")) == ["id0", "id1", "id2"]


def test_merge_queue_snapshots_reach_dashboard(fake_github, repo, env, tmp_path):
    db = tmp_path / "s.db"
    open_pulls = [n for n, r in repo.pulls.items() if r["state"] == "OPEN"][:3]
    repo.merge_queue = open_pulls
    run_sync(fake_github, env, db)
    fake_github.clock.advance(3600)
    repo.merge_queue = open_pulls[:1]
    report = run_sync(fake_github, env, db)
    assert report.queue_depth == 1
    with Store.open(db, create=False) as store:
        readings = store.queue_snapshots(store.find_repository(None))
    assert [(r.depth, r.pull_numbers) for r in readings] == [(3, tuple(open_pulls)), (1, tuple(open_pulls[:1]))]
    board = api.dashboard(api.Source(db=db), as_of=readings[-1].taken_at)
    assert board.merge_queue.source == "snapshots"
    assert board.merge_queue.current == 1


def test_missing_merge_queue_api_is_noted(fake_github, repo, env, tmp_path):
    fake_github.graphql.remove_field("Repository", "mergeQueue")
    report = run_sync(fake_github, env, tmp_path / "s.db")
    assert report.complete
    assert report.queue_depth is None
    assert "no merge queue API" in report.queue_note


def test_unknown_repository(fake_github, env, tmp_path):
    with pytest.raises(RemoteError) as caught:
        run_sync(fake_github, env, tmp_path / "s.db")
    assert "repository octo/demo not found: Could not resolve to a Repository with the name 'octo/demo'" in caught.value.message


def test_no_credentials(fake_github, tmp_path):
    env = {"GITHUB_API_URL": fake_github.api_url, "PATH": ""}
    with pytest.raises(RemoteError) as caught:
        api.sync("octo/demo", db=tmp_path / "s.db", env=env)
    assert f"no GitHub credentials for {fake_github.host}" in caught.value.message
    assert "GH_ENTERPRISE_TOKEN or GH_TOKEN" in caught.value.hint


def test_store_rejects_newer_schema(tmp_path):
    db = tmp_path / "future.db"
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    with pytest.raises(InputError) as caught:
        Store.open(db)
    assert "schema version 99 is newer than this agentlanes understands (2)" in caught.value.message


def test_store_rejects_other_files(tmp_path):
    db = tmp_path / "notes.db"
    db.write_text("not a database, just text " * 100)
    with pytest.raises(InputError) as caught:
        Store.open(db)
    assert "is not a usable agentlanes database" in caught.value.message


def test_store_needs_repository_choice(fake_github, repo, env, tmp_path):
    db = tmp_path / "s.db"
    run_sync(fake_github, env, db)
    other = fake_github.state.add_repository("octo", "other")
    other.add_issue(1)
    api.sync("octo/other", db=db, env=env, transport="http", clock=fake_github.clock)
    with pytest.raises(InputError) as caught:
        api.load(api.Source(db=db))
    assert "holds several repositories" in caught.value.message
    assert caught.value.hint == "choose one with -R OWNER/REPO"
    full, _ = api.load(api.Source(db=db, github_repo="OCTO/Other"))
    assert [issue.number for issue in full.issues] == [1]


def test_repository_names_ignore_case(fake_github, repo, env, tmp_path):
    db = tmp_path / "s.db"
    run_sync(fake_github, env, db)
    report = api.sync("OCTO/Demo", db=db, env=env, transport="http", clock=fake_github.clock)
    assert report.incremental
    with Store.open(db, create=False) as store:
        assert len(store.repositories()) == 1


def test_unresolved_item_is_not_skipped(fake_github, repo, env, tmp_path):
    """A null item in a page (GitHub failed to resolve it) must not let the cursor pass it."""
    from fakes.github_api.graphql import github_error

    broken = {"count": 0}
    original = fake_github.graphql.schema.type_map["Issue"].fields["title"].resolve

    def flaky_title(issue, info):
        if issue["number"] == 7 and broken["count"] < 2:
            broken["count"] += 1
            raise github_error("Something went wrong while resolving this issue", "INTERNAL")
        return original(issue, info) if original else issue["title"]

    fake_github.graphql.register("Issue", "title", flaky_title)
    report = run_sync(fake_github, env, tmp_path / "s.db")
    assert broken["count"] == 2
    assert report.retries == 2
    assert_complete(tmp_path / "s.db", repo)


def test_null_files_stay_unknown(fake_github, env, tmp_path):
    repository = fake_github.state.add_repository("octo", "demo")
    repository.add_pull(1, createdAt="2024-01-01T00:00:00Z", files=[{"path": "a.py", "additions": 1, "deletions": 0}])
    repository.add_pull(2, createdAt="2024-01-01T00:00:00Z")
    fake_github.graphql.register("PullRequest", "files", lambda pull, info, **_: None if pull["number"] == 2 else
                                 {"totalCount": 1, "pageInfo": {"hasNextPage": False, "endCursor": "x"}, "nodes": pull["files"]})
    report = run_sync(fake_github, env, tmp_path / "s.db")
    assert report.pulls == 2
    full, _ = api.load(api.Source(db=tmp_path / "s.db"))
    files = {pull.number: pull.files for pull in full.pulls}
    assert files[1] is not None and [f.path for f in files[1]] == ["a.py"]
    assert files[2] is None


def test_concurrent_sync_is_rejected(fake_github, repo, env, tmp_path):
    db = tmp_path / "s.db"
    with Store.open(db) as holder, holder.writer_lock():
        with pytest.raises(InputError) as caught:
            run_sync(fake_github, env, db)
    assert caught.value.message == f"another agentlanes sync is writing to {db}"
    assert fake_github.log == []
    assert run_sync(fake_github, env, db).complete


def test_page_size_recovers(fake_github, env, tmp_path):
    repository = fake_github.state.add_repository("octo", "demo")
    generate(repository, 0, 600)
    fake_github.inject(Fault("status", operation="SyncPullRequests", skip=1))
    run_sync(fake_github, env, tmp_path / "s.db")
    sizes = [r.variables["first"] for r in fake_github.requests("SyncPullRequests")]
    assert sizes[:13] == [50, 50] + [25] * 10 + [50]
    assert_complete(tmp_path / "s.db", repository)
