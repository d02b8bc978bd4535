"""Parsing every supported payload shape, and the errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentlanes.config import load_config
from agentlanes.errors import InputError
from agentlanes.model import AuthorKind, IssueState, PullState
from agentlanes.sources.loader import load_dataset

from conftest import gh_issue, gh_pull

CONFIG = load_config(None)


def test_gh_shapes_parse(write_json):
    issues = write_json("issues.json", [gh_issue(1, body="see #2", labels=[{"name": "bug"}])])
    pulls = write_json("pulls.json", [gh_pull(2, author={"login": "app/copilot-swe-agent", "is_bot": True})])
    data = load_dataset(CONFIG, issues_path=issues, pulls_path=pulls)
    assert [i.number for i in data.issues] == [1]
    assert data.issues[0].label_names == ("bug",)
    assert data.pulls[0].state is PullState.MERGED
    assert data.pulls[0].file_paths == ("src/app.py",)
    assert data.pulls[0].attribution.agent == "copilot"
    assert data.pulls[0].attribution.rule == "bot-author"


def test_rest_issue_list_separates_pull_requests(write_json):
    payload = [
        {"number": 5, "title": "Bug", "body": None, "state": "open", "created_at": "2026-01-02T00:00:00Z",
         "closed_at": None, "user": {"login": "bob", "type": "User"}, "labels": [{"name": "bug"}],
         "assignees": [], "html_url": "https://github.com/o/r/issues/5"},
        {"number": 6, "title": "Fix", "body": "Fixes #5", "state": "closed", "created_at": "2026-01-02T00:00:00Z",
         "closed_at": "2026-01-03T00:00:00Z", "user": {"login": "dependabot[bot]", "type": "Bot"},
         "labels": [], "html_url": "https://github.com/o/r/pull/6",
         "pull_request": {"merged_at": "2026-01-03T00:00:00Z"}},
    ]
    data = load_dataset(CONFIG, issues_path=write_json("rest.json", payload))
    assert [i.number for i in data.issues] == [5]
    assert data.issues[0].body == ""
    assert [p.number for p in data.pulls] == [6]
    assert data.pulls[0].state is PullState.MERGED
    assert data.pulls[0].author.login == "app/dependabot"
    assert data.pulls[0].attribution.kind is AuthorKind.DEPENDENCY_BOT


def test_rest_pulls_list(write_json):
    payload = [{
        "number": 9, "title": "Work", "body": "", "state": "open", "draft": True,
        "created_at": "2026-01-02T00:00:00Z", "closed_at": None, "merged_at": None,
        "user": {"login": "carol", "type": "User"}, "head": {"ref": "claude/issue-3-1700000000", "sha": "abc"},
        "base": {"ref": "main"}, "labels": [], "html_url": "https://github.com/o/r/pull/9",
    }]
    data = load_dataset(CONFIG, pulls_path=write_json("pulls.json", payload))
    pull = data.pulls[0]
    assert pull.is_draft
    assert pull.head_ref == "claude/issue-3-1700000000"
    assert pull.attribution.agent == "claude"
    assert pull.attribution.rule == "branch-prefix"


def test_graphql_envelope_and_pages(tmp_path: Path):
    page = {"data": {"repository": {"pullRequests": {"nodes": [
        {"__typename": "PullRequest", "number": 3, "title": "x", "body": "", "state": "MERGED",
         "createdAt": "2026-01-01T00:00:00Z", "mergedAt": "2026-01-02T00:00:00Z", "closedAt": "2026-01-02T00:00:00Z",
         "author": {"login": "google-labs-jules", "__typename": "Bot"},
         "labels": {"nodes": [{"name": "docs"}]}, "files": {"nodes": [{"path": "a.md", "additions": 1, "deletions": 1}]},
         "closingIssuesReferences": {"nodes": [{"number": 1}]},
         "timelineItems": {"nodes": [{"__typename": "ReadyForReviewEvent", "createdAt": "2026-01-01T05:00:00Z"}]}},
    ]}}}}
    second = json.loads(json.dumps(page))
    second["data"]["repository"]["pullRequests"]["nodes"][0]["number"] = 4
    path = tmp_path / "graphql.json"
    path.write_text(json.dumps(page) + "\n" + json.dumps(second), encoding="utf-8")
    data = load_dataset(CONFIG, pulls_path=path)
    assert [p.number for p in data.pulls] == [3, 4]
    pull = data.pulls[0]
    assert pull.author.login == "app/google-labs-jules"
    assert pull.attribution.agent == "jules"
    assert [label.name for label in pull.labels] == ["docs"]
    assert pull.closing_issues == (1,)
    assert pull.ready_for_review_at is not None


def test_export_folder_with_commits(tmp_path: Path, write_json):
    write_json("export/issues.json", [gh_issue(1)])
    write_json("export/pulls.json", [gh_pull(2, mergeCommit={"oid": "c1"})])
    commit = {"sha": "c1", "parents": ["c0"], "author": "Alice", "author_date": "2026-01-06T10:00:00Z",
              "committer_date": "2026-01-06T10:00:00Z", "subject": "A change (#2)",
              "coauthors": ["Claude Opus 4.5"], "files": ["src/app.py"]}
    (tmp_path / "export" / "commits.jsonl").write_text(json.dumps(commit) + "\n", encoding="utf-8")
    data = load_dataset(CONFIG, from_dir=tmp_path / "export")
    assert data.commits[0].files == ("src/app.py",)
    # The squash commit's co-author trailer marks the PR as agent work.
    assert data.pulls[0].attribution.agent == "claude"
    assert data.pulls[0].attribution.rule == "commit-trailer"


def test_null_author_becomes_ghost(write_json):
    data = load_dataset(CONFIG, issues_path=write_json("i.json", [gh_issue(1, author=None, body=None)]))
    assert data.issues[0].author.login == "ghost"
    assert data.issues[0].body == ""


def test_issue_with_null_state_is_skipped_and_counted(write_json):
    data = load_dataset(CONFIG, issues_path=write_json("i.json", [gh_issue(1, state=None), gh_issue(2)]))
    assert [i.number for i in data.issues] == [2]
    assert len(data.skips) == 1
    assert "#1" in data.skips[0].item
    assert "state is unknown" in data.skips[0].reason


def test_malformed_json_names_the_file(tmp_path: Path):
    path = tmp_path / "broken.json"
    path.write_text('[{"number": 1,', encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_dataset(CONFIG, issues_path=path)
    assert "broken.json" in info.value.message
    assert "malformed JSON" in info.value.message


def test_missing_field_names_file_item_and_field(write_json):
    record = gh_pull(7)
    del record["createdAt"]
    with pytest.raises(InputError) as info:
        load_dataset(CONFIG, pulls_path=write_json("pulls.json", [record]))
    message = info.value.message
    assert "pulls.json" in message
    assert "#7" in message
    assert "'createdAt'" in message


def test_bad_timestamp_is_reported(write_json):
    with pytest.raises(InputError) as info:
        load_dataset(CONFIG, issues_path=write_json("i.json", [gh_issue(3, createdAt="yesterday")]))
    assert "#3" in info.value.message
    assert "yesterday" in info.value.message


def test_unknown_shape_is_rejected(write_json):
    with pytest.raises(InputError) as info:
        load_dataset(CONFIG, issues_path=write_json("odd.json", [{"foo": 1}]))
    assert "unknown payload shape" in info.value.message


def test_utf16_dump_with_bom_is_read(tmp_path: Path):
    path = tmp_path / "issues.json"
    path.write_bytes(json.dumps([gh_issue(1, title="Caf\u00e9")]).encode("utf-16"))
    data = load_dataset(CONFIG, issues_path=path)
    assert data.issues[0].title == "Caf\u00e9"


def test_issue_state_values(write_json):
    data = load_dataset(CONFIG, issues_path=write_json("i.json", [
        gh_issue(1), gh_issue(2, state="CLOSED", closedAt="2026-01-09T00:00:00Z")]))
    assert [i.state for i in data.issues] == [IssueState.OPEN, IssueState.CLOSED]
