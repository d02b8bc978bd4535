"""Backlog analysis: types, dependencies, readiness, components, size, schema."""

from __future__ import annotations

import json

import jsonschema
import pytest

from agentlanes import api
from agentlanes.analysis.dependencies import parse_text_dependencies
from agentlanes.analysis.kinds import classify_type
from agentlanes.analysis.size import estimate_size
from agentlanes.config import build_config
from agentlanes.model import Issue, IssueState, Label
from agentlanes.schemas import backlog_schema, backlog_schema_from_model

from conftest import gh_issue, gh_pull


def issue(title: str, body: str = "", labels: tuple[str, ...] = (), **fields) -> Issue:
    return Issue(1, title, body, IssueState.OPEN, None, labels=tuple(Label(n) for n in labels), **fields)


@pytest.mark.parametrize(
    ("title", "body", "labels", "expected", "rule_part"),
    [
        ("Something", "", ("bug",), "bug", "label 'bug'"),
        ("Something", "", ("documentation", "enhancement"), "docs", "label 'documentation'"),
        ("Something", "", ("type:chore",), "chore", "label 'type:chore'"),
        ("fix(api): handle empty body", "", (), "bug", "title prefix 'fix(api):'"),
        ("docs: explain setup", "", (), "docs", "title prefix 'docs:'"),
        ("[Bug] login fails", "", (), "bug", "title prefix '[Bug]'"),
        ("App crashes on start", "", (), "bug", "keyword 'crashes' in title"),
        ("Token leak: XSS in preview", "", (), "security", "keyword 'xss' in title"),
        ("Speed up the import", "", (), "performance", "keyword 'speed up' in title"),
        ("Widget", "This is slow for big inputs", (), "performance", "in body"),
        ("Add dark mode", "", (), "feature", "default"),
        ("Investigate jj support", "The import fails on large repositories.", ("type:task",), "feature",
         "label 'type:task' names no kind"),
        ("Crash on start", "", ("type:task",), "bug", "keyword 'crash' in title"),
        ("Widget", "Needs the new version of the parser", (), "feature", "default"),
    ],
)
def test_type_rules(title, body, labels, expected, rule_part):
    decision = classify_type(issue(title, body, labels))
    assert decision.value == expected
    assert rule_part in decision.rule


def test_tracker_type_used_when_no_label():
    assert classify_type(issue("Widget", issue_type="chore")).value == "chore"
    generic = classify_type(issue("Widget", "It fails sometimes", issue_type="task"))
    assert generic.value == "feature"
    assert generic.rule == "tracker type 'task' names no kind and the title has no keyword"


def test_text_dependencies():
    parsed = parse_text_dependencies(
        "Depends on #3 and #4. Blocked by owner/repo#5.\nBlocks #9.\nPart of #1.\n"
        "- [ ] #10\n- [x] #11\n- [ ] https://github.com/o/r/issues/12\n"
    )
    assert parsed.waits_for == (3, 4, 5)
    assert parsed.blocks == (9,)
    assert parsed.parents == (1,)
    assert parsed.open_tasks == (10, 12)
    assert parsed.done_tasks == (11,)


def test_size_label_overrides_and_points():
    assert estimate_size(issue("x", labels=("size/L",)), "bug", 0, 0).label == "L"
    small = estimate_size(issue("x"), "docs", 0, 0)
    big = estimate_size(issue("x", body="word " * 1000 + "\n- [ ] a\n- [ ] b\n- [ ] c\n- [ ] d"), "feature", 9, 3)
    assert small.label == "XS"
    assert big.label in ("L", "XL")
    assert big.points > small.points


def _analyze(write_json, issues, pulls):
    source = api.Source(issues=write_json("issues.json", issues), pulls=write_json("pulls.json", pulls))
    # One-PR histories make every prediction shaky; a high threshold keeps the cases about the mechanics.
    config = build_config({"conflict": {"footprint_threshold": 0.25}}, "test")
    return api.analyze(source, config=config)


def test_readiness_and_dependencies(write_json):
    issues = [
        gh_issue(1, "Fix crash in src/app.py", body="Traceback in src/app.py"),
        gh_issue(2, "Add export", body="Depends on #1"),
        gh_issue(3, "Docs for export", assignees=[{"login": "bob"}]),
        gh_issue(4, "Refactor src/util.py"),
        gh_issue(5, "Old", state="CLOSED", closedAt="2026-01-06T00:00:00Z"),
        gh_issue(6, "Needs old", body="Blocked by #5"),
    ]
    pulls = [
        gh_pull(20, files=[{"path": "src/util.py"}, {"path": "src/app.py"}]),
        gh_pull(21, state="OPEN", mergedAt=None, closedAt=None, body="Closes #4", files=[{"path": "src/util.py"}]),
    ]
    analysis = _analyze(write_json, issues, pulls)
    by_number = {record.number: record for record in analysis.issues}
    assert by_number[1].readiness.status == "ready"
    assert by_number[2].readiness.status == "blocked"
    assert by_number[2].dependencies[0].number == 1
    assert by_number[2].dependencies[0].blocking
    assert by_number[3].readiness.status == "assigned"
    assert by_number[4].readiness.status == "in_progress"
    assert by_number[4].readiness.open_pulls == [21]
    assert by_number[6].readiness.status == "ready"
    assert by_number[6].dependencies[0].target_state == "closed"
    assert 5 not in by_number
    footprint = by_number[1].footprint
    assert footprint[0].path == "src/app.py"
    assert any("named in the text" in signal for signal in footprint[0].signals)
    assert all(0.0 <= f.score <= 1.0 for f in footprint)
    assert analysis.in_flight[0].number == 21


def test_conflicting_issues_get_separate_groups(write_json):
    issues = [gh_issue(1, "Bug in src/app.py"), gh_issue(2, "Crash in src/app.py"), gh_issue(3, "Typo in docs/a.md")]
    pulls = [gh_pull(9, files=[{"path": "src/app.py"}, {"path": "docs/a.md"}])]
    analysis = _analyze(write_json, issues, pulls)
    by_number = {record.number: record for record in analysis.issues}
    assert by_number[1].conflicts_with == [2]
    assert by_number[1].parallel_group != by_number[2].parallel_group
    assert by_number[3].conflicts_with == []


def test_artifact_matches_shipped_schema(write_json):
    analysis = _analyze(write_json, [gh_issue(1, "Fix src/app.py")], [gh_pull(2)])
    document = json.loads(analysis.model_dump_json(by_alias=True))
    jsonschema.validate(document, backlog_schema())
    assert document["schema_version"] == "1.0"


def test_shipped_schema_is_current():
    assert backlog_schema() == json.loads(json.dumps(backlog_schema_from_model(), sort_keys=True)), (
        "the shipped schema is stale: run `make schemas`"
    )


def test_components_default_to_top_level_folders(write_json):
    issues = [gh_issue(1, "Crash in src/app.py", labels=[{"name": "area/docs"}])]
    pulls = [gh_pull(2, files=[{"path": "src/app.py"}, {"path": "docs/a.md"}, {"path": "README.md"}])]
    analysis = _analyze(write_json, issues, pulls)
    names = {c.name for c in analysis.components}
    assert names == {"src", "docs", "(root)"}
    record = analysis.issues[0]
    assert {c.name for c in record.components} == {"docs", "src"}
    assert any("label 'area/docs'" in c.reason for c in record.components)


def test_graphql_relations_become_dependencies(tmp_path):
    nodes = [
        {"number": 1, "title": "Epic", "body": "", "state": "OPEN", "createdAt": "2026-01-05T10:00:00Z",
         "subIssues": {"nodes": [{"number": 2}]}},
        {"number": 2, "title": "Part", "body": "", "state": "OPEN", "createdAt": "2026-01-05T10:00:00Z",
         "parent": {"number": 1}, "blocking": {"nodes": [{"number": 3}]}},
        {"number": 3, "title": "Later", "body": "", "state": "OPEN", "createdAt": "2026-01-05T10:00:00Z"},
        {"number": 4, "title": "Waits", "body": "", "state": "OPEN", "createdAt": "2026-01-05T10:00:00Z",
         "blockedBy": {"nodes": [{"number": 2}]}},
    ]
    path = tmp_path / "issues.json"
    path.write_text(json.dumps({"data": {"repository": {"issues": {"nodes": nodes}}}}), encoding="utf-8")
    analysis = api.analyze(api.Source(issues=path))
    by_number = {record.number: record for record in analysis.issues}
    assert by_number[1].readiness.status == "blocked"
    assert [(d.number, d.kind) for d in by_number[1].dependencies] == [(2, "child")]
    assert by_number[2].readiness.status == "ready"
    assert {(d.number, d.kind) for d in by_number[2].dependencies} == {(1, "parent")}
    assert by_number[3].readiness.status == "blocked"
    assert [(d.number, d.kind, d.source) for d in by_number[3].dependencies] == [(2, "blocked-by", "blocking (blocks)")]
    assert by_number[4].readiness.status == "blocked"
