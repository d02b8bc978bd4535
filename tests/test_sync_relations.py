"""Issue relations (sub-issues, parent, blocked-by, blocking) synced from the TLS fake into SQLite and analysis."""

from __future__ import annotations

import json
import logging
import math

import pytest

from agentlanes import api
from agentlanes.github.queries import RELATION_BATCH
from agentlanes.store import Store
from agentlanes.store.records import issue_record

from fakes.github_api import Fault
from fakes.github_api.data import generate


@pytest.fixture
def env(fake_github):
    return {"GITHUB_API_URL": fake_github.api_url, "GH_TOKEN": fake_github.token,
            "SSL_CERT_FILE": str(fake_github.ca_file), "PATH": ""}


@pytest.fixture
def related(fake_github):
    """An epic with two sub-issues (one closed), open and closed blockers, and relations to another repository."""
    other = fake_github.state.add_repository("octo", "other")
    other.add_issue(9, title="Elsewhere")
    repository = fake_github.state.add_repository("octo", "demo")
    for number, title in [(1, "Epic: new importer"), (2, "Parse the header"), (3, "Write the reader"),
                          (4, "Import from the CLI"), (5, "Export the results"), (6, "Old prerequisite"),
                          (7, "Unrelated cleanup"), (8, "Tracks outside work")]:
        repository.add_issue(number, title=title, createdAt="2024-01-01T00:00:00Z")
    repository.add_sub_issue(1, 2)
    repository.add_sub_issue(1, 3)
    repository.update(3, state="CLOSED", closedAt="2024-01-02T00:00:00Z")
    repository.add_blocked_by(4, 2)
    repository.add_blocked_by(5, 6)
    repository.update(6, state="CLOSED", closedAt="2024-01-02T00:00:00Z")
    repository.add_sub_issue(8, "octo/other#9")
    repository.update(7, parent="octo/other#9")
    return repository


def run_sync(fake, env, db, **options):
    return api.sync("octo/demo", db=db, env=env, transport="http", clock=fake.clock, **options)


def analysed(db) -> dict[int, object]:
    analysis = api.analyze(api.Source(db=db, github_repo="octo/demo"))
    return {record.number: record for record in analysis.issues}


def edges(record) -> set[tuple[int, str, str]]:
    return {(d.number, d.kind, d.target_state) for d in record.dependencies}


def stored_records(db) -> dict[int, dict]:
    with Store.open(db, create=False) as store:
        repository = store.find_repository(None)
        return {node["number"]: issue_record(node) for node in store.payloads(repository, "issues")}


def test_relations_become_dependencies(fake_github, related, env, tmp_path):
    db = tmp_path / "s.db"
    report = run_sync(fake_github, env, db)
    assert report.relations_note == ""
    by_number = analysed(db)
    assert edges(by_number[1]) == {(2, "child", "open"), (3, "child", "closed")}
    # An epic is held as tracking even while a part is open, and its reasons name that part.
    assert by_number[1].readiness.status == "tracking"
    assert "child #2 is still open" in by_number[1].readiness.reasons
    assert edges(by_number[2]) == {(1, "parent", "open")}
    assert by_number[2].readiness.status == "ready"
    assert edges(by_number[4]) == {(2, "blocked-by", "open")}
    assert by_number[4].readiness.status == "blocked"
    assert edges(by_number[5]) == {(6, "blocked-by", "closed")}
    assert by_number[5].readiness.status == "ready"
    assert edges(by_number[7]) == set()
    # The sub-issue in octo/other is #9 there, not this repository's #9.
    assert edges(by_number[8]) == set()


def test_only_issues_with_relations_cause_follow_ups(fake_github, related, env, tmp_path):
    run_sync(fake_github, env, tmp_path / "s.db")
    follow_ups = fake_github.requests("SyncIssueRelations")
    assert len(follow_ups) == 1
    ids = {value for key, value in follow_ups[0].variables.items() if key.startswith("id")}
    assert ids == {related.issues[n]["id"] for n in (1, 2, 4, 5, 6, 8)}
    assert "subIssues" in follow_ups[0].json["query"]
    assert "blocking" in follow_ups[0].json["query"]
    assert all(value is None for key, value in follow_ups[0].variables.items() if key.startswith("after"))


def test_stored_records_carry_relations(fake_github, related, env, tmp_path):
    run_sync(fake_github, env, tmp_path / "s.db")
    records = stored_records(tmp_path / "s.db")
    assert records[1]["subIssues"] == [{"number": 2}, {"number": 3}]
    assert records[1]["parent"] is None
    assert records[2]["parent"] == {"number": 1}
    assert records[2]["blocking"] == [{"number": 4}]
    assert records[4]["blockedBy"] == [{"number": 2}]
    assert (records[7]["parent"], records[7]["subIssues"], records[7]["blockedBy"], records[7]["blocking"]) == (None, [], [], [])
    assert records[8]["subIssues"] == []
    with Store.open(tmp_path / "s.db", create=False) as store:
        nodes = {node["number"]: node for node in store.payloads(store.find_repository(None), "issues")}
    assert [n["url"] for n in nodes[8]["subIssues"]["nodes"]] == ["https://github.com/octo/other/issues/9"]
    assert nodes[7]["parent"] == {"number": 9, "url": "https://github.com/octo/other/issues/9"}


def test_export_round_trips_relations(fake_github, related, env, tmp_path):
    db = tmp_path / "s.db"
    run_sync(fake_github, env, db)
    api.export(db, tmp_path / "export", repository="octo/demo")
    exported = {item["number"]: item for item in json.loads((tmp_path / "export" / "issues.json").read_text())}
    assert exported[1]["subIssues"] == [{"number": 2}, {"number": 3}]
    assert exported[4]["blockedBy"] == [{"number": 2}]
    assert exported[6]["blocking"] == [{"number": 5}]
    from_files = api.analyze(api.Source(from_dir=tmp_path / "export"))
    from_store = api.analyze(api.Source(db=db, github_repo="octo/demo"))
    assert [(r.number, r.dependencies, r.readiness) for r in from_files.issues] == \
        [(r.number, r.dependencies, r.readiness) for r in from_store.issues]


def test_relation_changes_reach_resync(fake_github, related, env, tmp_path):
    db = tmp_path / "s.db"
    run_sync(fake_github, env, db)
    fake_github.clock.advance(60)
    related.remove_blocked_by(4, 2)
    related.add_blocked_by(7, 4)
    report = run_sync(fake_github, env, db)
    assert report.issues == 3  # 2 and 4 lost their relation; 4 and 7 gained one
    by_number = analysed(db)
    assert edges(by_number[4]) == set()
    assert by_number[4].readiness.status == "ready"
    assert edges(by_number[7]) == {(4, "blocked-by", "open")}
    assert by_number[7].readiness.status == "blocked"


def test_long_relation_lists_are_followed(fake_github, env, tmp_path):
    """130 sub-issues need two pages of one list, and 120 lists on one issue page need two batches."""
    repository = fake_github.state.add_repository("octo", "demo")
    for number in range(1, 201):
        repository.add_issue(number, createdAt="2024-01-01T00:00:00Z")
    for child in range(2, 132):
        repository.add_sub_issue(1, child)
    run_sync(fake_github, env, tmp_path / "s.db")
    assert [n["number"] for n in stored_records(tmp_path / "s.db")[1]["subIssues"]] == list(range(2, 132))
    assert len(fake_github.requests("SyncIssueRelations")) == 2

    # A chain: each of 140..199 is blocked by the next, so 141..199 have two lists each.
    fake_github.clock.advance(60)
    for blocked in range(140, 200):
        repository.add_blocked_by(blocked, blocked + 1)
    before = len(fake_github.log)
    run_sync(fake_github, env, tmp_path / "s.db")
    batches = [r for r in fake_github.log[before:] if r.operation == "SyncIssueRelations"]
    assert [len([k for k in r.variables if k.startswith("id")]) for r in batches] == [RELATION_BATCH, 120 - RELATION_BATCH]
    records = stored_records(tmp_path / "s.db")
    assert records[140]["blockedBy"] == [{"number": 141}]
    assert records[140]["blocking"] == []
    assert all(records[n]["blockedBy"] == [{"number": n + 1}] for n in range(140, 200))
    assert all(records[n]["blocking"] == [{"number": n - 1}] for n in range(141, 201))


def test_request_targets_hold_with_relations(fake_github, env, tmp_path):
    repository = fake_github.state.add_repository("octo", "demo")
    generate(repository, 300, 20, related=0.1)
    db = tmp_path / "s.db"
    report = run_sync(fake_github, env, db)
    pages = len(fake_github.requests("SyncIssues"))
    follow_ups = len(fake_github.requests("SyncIssueRelations"))
    assert pages == 3
    assert 1 <= follow_ups <= pages
    assert pages + follow_ups <= math.ceil(300 / 50) + 5
    assert report.requests == pages + follow_ups + len(fake_github.requests("SyncPullRequests")) + 1
    again = run_sync(fake_github, env, db)
    assert again.requests <= 3
    children = sum(1 for record in stored_records(db).values() if record["parent"] is not None)
    assert children == sum(1 for record in repository.issues.values() if record["parent"] is not None)


def test_relation_follow_up_fault_loses_nothing(fake_github, related, env, tmp_path):
    fault = fake_github.inject(Fault("status", operation="SyncIssueRelations", times=1))
    report = run_sync(fake_github, env, tmp_path / "s.db")
    assert fault.hits == 1
    assert report.retries == 1
    assert stored_records(tmp_path / "s.db")[1]["subIssues"] == [{"number": 2}, {"number": 3}]


@pytest.mark.parametrize(("removed", "note", "expected"), [
    ([("Issue", f) for f in ("parent", "subIssues", "subIssuesSummary", "blockedBy", "blocking", "issueDependenciesSummary")],
     "this GitHub has no sub-issue or issue dependency API; no issue relations are stored",
     {"subIssues": None, "parent": None, "blockedBy": None}),
    ([("Issue", f) for f in ("blockedBy", "blocking", "issueDependenciesSummary")],
     "this GitHub has no issue dependency API; sub-issues and parents are stored, blocked-by and blocking are not",
     {"subIssues": [2, 3], "parent": 1, "blockedBy": None}),
    ([("IssueDependenciesSummary", "totalBlockedBy"), ("IssueDependenciesSummary", "totalBlocking")],
     "this GitHub counts only open blockers, so an issue whose blockers are all closed is stored without them",
     {"subIssues": [2, 3], "parent": 1, "blockedBy": [2]}),
], ids=["no-relations", "no-dependencies", "open-counts"])
def test_older_server_syncs_without_relations(fake_github, related, env, tmp_path, caplog, removed, note, expected):
    caplog.set_level(logging.WARNING)
    for type_name, field in removed:
        fake_github.graphql.remove_field(type_name, field)
    for number in range(10, 130):
        related.add_issue(number, createdAt="2024-01-01T00:00:00Z")
    report = run_sync(fake_github, env, tmp_path / "s.db")
    assert report.complete
    assert report.issues == 128
    assert report.relations_note == note
    assert "GitHub rejected issue relation fields on issues page 1" in caplog.text
    # The server rejects the first page once; both pages then go without the rejected fields.
    queries = [r.json["query"] for r in fake_github.requests("SyncIssues")]
    assert len(queries) == 3
    summary = removed[-1][1]
    assert summary in queries[0]
    assert all(summary not in query for query in queries[1:])
    records = stored_records(tmp_path / "s.db")
    found = {
        "subIssues": [n["number"] for n in records[1]["subIssues"]] if "subIssues" in records[1] else None,
        "parent": records[2]["parent"]["number"] if records[2].get("parent") else None,
        "blockedBy": [n["number"] for n in records[4]["blockedBy"]] if "blockedBy" in records[4] else None,
    }
    assert found == expected


def test_open_counts_miss_closed_blockers(fake_github, related, env, tmp_path):
    fake_github.graphql.remove_field("IssueDependenciesSummary", "totalBlockedBy")
    fake_github.graphql.remove_field("IssueDependenciesSummary", "totalBlocking")
    run_sync(fake_github, env, tmp_path / "s.db")
    records = stored_records(tmp_path / "s.db")
    # #5's only blocker is closed, so its open count is 0 and its list is not read.
    assert records[5]["blockedBy"] == []
    # #6 is closed but blocks the open #5, so its list is read.
    assert records[6]["blocking"] == [{"number": 5}]


def test_older_server_note_on_stderr(run_cli, fake_github, related, tmp_path, monkeypatch):
    fake_github.graphql.remove_field("Issue", "issueDependenciesSummary")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    monkeypatch.setenv("GITHUB_API_URL", fake_github.api_url)
    monkeypatch.setenv("GH_TOKEN", fake_github.token)
    monkeypatch.setenv("SSL_CERT_FILE", str(fake_github.ca_file))
    result = run_cli("sync", "octo/demo", "--db", tmp_path / "s.db", "--transport", "http")
    assert result.code == 0, result.err
    assert ("warning: GitHub rejected issue relation fields on issues page 1 (Cannot query field "
            "'issueDependenciesSummary' on type 'Issue'.); asking again without them") in result.err
    assert ("issue relations: this GitHub has no issue dependency API; sub-issues and parents are stored, "
            "blocked-by and blocking are not") in result.err


def test_unrelated_rejection_still_fails(fake_github, related, env, tmp_path):
    from agentlanes.errors import RemoteError

    fake_github.graphql.remove_field("Issue", "closedByPullRequestsReferences")
    with pytest.raises(RemoteError) as caught:
        run_sync(fake_github, env, tmp_path / "s.db")
    assert "GitHub rejected the query: Cannot query field 'closedByPullRequestsReferences'" in caught.value.message
    assert len(fake_github.requests("SyncIssues")) == 1


def test_github_shaped_rejection_steps_down():
    """graphql-ruby, which serves GitHub's API, words the error differently from the fake's graphql-core."""
    from agentlanes.github.relations import LEVELS, RelationSupport

    support = RelationSupport()
    rejected = [{"message": "Field 'issueDependenciesSummary' doesn't exist on type 'Issue'",
                 "extensions": {"code": "undefinedField", "typeName": "Issue", "fieldName": "issueDependenciesSummary"}}]
    assert support.step_down(rejected)
    assert support.fields is LEVELS[2]
    assert not support.step_down([{"message": "Field 'closedByPullRequestsReferences' doesn't exist on type 'Issue'"}])
    assert support.fields is LEVELS[2]
    assert support.step_down([{"message": "Field 'subIssuesSummary' doesn't exist on type 'Issue'"}])
    assert support.fields is LEVELS[3]
    assert support.fields.selection == ""


def test_store_from_before_relations_reads_issues_again(fake_github, related, env, tmp_path):
    """Opening a version 1 store forgets its issues cursor, so the next sync fetches every issue's relations."""
    import sqlite3

    db = tmp_path / "s.db"
    related.add_pull(50, createdAt="2024-01-01T00:00:00Z")
    run_sync(fake_github, env, db)
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()
    report = run_sync(fake_github, env, db)
    assert (report.issues, report.pulls) == (8, 0)
    assert report.incremental
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 2
    assert [row[0] for row in connection.execute("SELECT connection FROM cursors ORDER BY connection")] == ["issues", "pulls"]
    connection.close()
