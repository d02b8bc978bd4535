"""Dashboard numbers on hand-built histories, and Markdown safety."""

from __future__ import annotations

import re

from agentlanes import api
from agentlanes.render.dashboard_md import render_markdown
from agentlanes.render.routing_md import render_plan_markdown
from agentlanes.render.safe import md_code, md_text

from conftest import gh_issue, gh_pull

HOSTILE = "Break | the <script>alert(1)</script> table @octocat ![x](https://evil.example/p.png)\nnew line"


def _board(write_json, pulls, issues=(), **options):
    source = api.Source(issues=write_json("issues.json", list(issues)), pulls=write_json("pulls.json", pulls))
    return api.dashboard(source, **options)


def test_merged_per_week_uses_utc_iso_weeks(write_json):
    pulls = [
        # Sunday 23:30 at UTC-5 is Monday 04:30 UTC: ISO week 2026-W03, not W02.
        gh_pull(1, createdAt="2026-01-10T00:00:00Z", mergedAt="2026-01-11T23:30:00-05:00"),
        gh_pull(2, createdAt="2026-01-10T00:00:00Z", mergedAt="2026-01-11T22:00:00Z",
                author={"login": "app/dependabot", "is_bot": True}),
        gh_pull(3, createdAt="2026-01-12T00:00:00Z", state="CLOSED", mergedAt=None, closedAt="2026-01-13T00:00:00Z"),
    ]
    board = _board(write_json, pulls, until="2026-01-20", since="2026-01-05")
    weeks = {row.week: row for row in board.merged_per_week}
    assert weeks["2026-W02"].merged == 1
    assert weeks["2026-W02"].by_kind["dependency_bot"] == 1
    assert weeks["2026-W03"].merged == 1
    assert weeks["2026-W03"].by_kind["human"] == 1
    assert board.merge_rate.created == 3
    assert board.merge_rate.merged == 2


def test_active_streams_exclude_drafts(write_json):
    pulls = [
        gh_pull(1, state="OPEN", mergedAt=None, closedAt=None, createdAt="2026-01-05T00:00:00Z"),
        gh_pull(2, state="OPEN", mergedAt=None, closedAt=None, isDraft=True, createdAt="2026-01-05T00:00:00Z",
                author={"login": "app/copilot-swe-agent", "is_bot": True}),
        gh_pull(3, createdAt="2026-01-05T00:00:00Z", mergedAt="2026-01-07T00:00:00Z"),
    ]
    board = _board(write_json, pulls, until="2026-01-09")
    assert board.active_streams.current == 1
    copilot = next(row for row in board.utilization if row.agent == "copilot")
    assert copilot.current_in_flight == 1
    assert copilot.capacity == 4


def test_time_to_merge_starts_at_ready_for_review(write_json):
    pull = gh_pull(1, createdAt="2026-01-05T00:00:00Z", mergedAt="2026-01-05T10:00:00Z",
                   timelineItems=[{"__typename": "ReadyForReviewEvent", "createdAt": "2026-01-05T06:00:00Z"}])
    board = _board(write_json, [pull], until="2026-01-09")
    assert board.time_to_merge.p50_hours == 4.0


def test_overlap_proxy_is_labelled(write_json):
    pulls = [
        gh_pull(1, createdAt="2026-01-05T00:00:00Z", mergedAt="2026-01-08T00:00:00Z", files=[{"path": "a.py"}]),
        gh_pull(2, createdAt="2026-01-06T00:00:00Z", mergedAt="2026-01-07T00:00:00Z", files=[{"path": "a.py"}]),
        gh_pull(3, createdAt="2026-01-06T00:00:00Z", mergedAt="2026-01-07T00:00:00Z", files=[{"path": "b.py"}]),
    ]
    board = _board(write_json, pulls, until="2026-01-09")
    assert board.conflict_rate.source == "file-overlap proxy"
    assert "proxy" in board.conflict_rate.label
    assert board.conflict_rate.with_conflict == 1
    assert board.conflict_rate.closed == 3


def test_recorded_signals_are_used(write_json):
    pulls = [
        gh_pull(1, mergedAt="2026-01-07T00:00:00Z", mergeable="CONFLICTING"),
        gh_pull(2, mergedAt="2026-01-07T00:00:00Z", mergeable="MERGEABLE"),
    ]
    board = _board(write_json, pulls, until="2026-01-09")
    assert board.conflict_rate.source == "signals"
    assert board.conflict_rate.rate == 0.5
    assert board.conflict_rate.by_signal == {"mergeable-state": 1}


def test_issue_lead_time(write_json):
    issues = [gh_issue(7, createdAt="2026-01-05T00:00:00Z", state="CLOSED", closedAt="2026-01-06T00:00:00Z")]
    pulls = [gh_pull(1, mergedAt="2026-01-06T00:00:00Z", closingIssuesReferences=[{"number": 7}])]
    board = _board(write_json, pulls, issues, until="2026-01-09")
    assert board.issue_lead_time.count == 1
    assert board.issue_lead_time.p50_hours == 24.0


def test_md_text_neutralises_hostile_titles():
    cell = md_text(HOSTILE, limit=500)
    assert "|" not in cell.replace("\\|", "")
    assert "<script>" not in cell
    assert "\n" not in cell
    assert "@octocat" not in cell
    assert "![" not in cell
    assert "\\!\\[x\\]" in cell


def test_md_code_survives_backticks():
    assert md_code("a`b") == "``a`b``"


def test_rendered_pages_are_safe(write_json):
    issues = [gh_issue(1, HOSTILE, body="fix src/app.py")]
    pulls = [gh_pull(2, HOSTILE, files=[{"path": "src/app.py"}],
                     author={"login": "@evil|name", "is_bot": False})]
    source = api.Source(issues=write_json("issues.json", issues), pulls=write_json("pulls.json", pulls))
    analysis = api.analyze(source)
    page = render_plan_markdown(api.route(analysis)) + render_markdown(api.dashboard(source))
    assert "<script>" not in page
    assert not re.search(r"(?<!&#8203;)@octocat", page.replace("@&#8203;", ""))
    assert "Break" in page
    assert_tables_intact(page)


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def assert_tables_intact(page: str) -> None:
    """Every row of every table has as many cell separators as its header."""
    lines = page.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("|---") or line.startswith("|--"):
            expected = unescaped_pipes(lines[index - 1])
            row = index + 1
            while row < len(lines) and lines[row].startswith("|"):
                assert unescaped_pipes(lines[row]) == expected, lines[row]
                row += 1
