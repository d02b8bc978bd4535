"""Dashboard numbers on hand-built histories, and Markdown safety."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re

from agentlanes import api
from agentlanes.metrics.models import Dashboard
from agentlanes.render.dashboard_html import MAX_PAGE_BYTES, render_html
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


def test_by_component_groups_by_main_component(write_json):
    pulls = [
        gh_pull(1, files=[{"path": "api/a.py"}, {"path": "api/b.py"}, {"path": "docs/x.md"}]),
        gh_pull(2, files=[{"path": "docs/x.md"}]),
        gh_pull(3, files=[]),
    ]
    board = _board(write_json, pulls, until="2026-01-09", group_by="component")
    assert board.group_by == "component"
    week = next(row for row in board.merged_per_week if row.merged)
    assert week.by_group == {"(no files)": 1, "api": 1, "docs": 1}
    assert {o.group for o in board.outcomes} == {"api", "docs", "(no files)"}


def test_by_author_groups_by_login(write_json):
    pulls = [
        gh_pull(1, author={"login": "alice"}),
        gh_pull(2, author={"login": "bob"}),
        gh_pull(3, author={"login": "app/copilot-swe-agent", "is_bot": True}),
    ]
    by_author = _board(write_json, pulls, until="2026-01-09", group_by="author")
    by_agent = _board(write_json, pulls, until="2026-01-09", group_by="agent")
    assert {o.group for o in by_author.outcomes} == {"alice", "bob", "app/copilot-swe-agent"}
    assert {o.group for o in by_agent.outcomes} == {"human", "copilot"}
    assert by_agent.merge_rate.by_group["human"].created == 2
    assert by_author.merge_rate.by_group["bob"].created == 1
    assert by_author.time_to_merge.by_group["alice"].count == 1


def test_invalid_by_is_rejected(run_cli, write_json):
    result = run_cli("dashboard", "--pulls", write_json("p.json", [gh_pull(1)]), "--by", "team")
    assert result.code == 2
    assert "'team'" in result.err


def test_until_date_includes_that_day(write_json):
    pulls = [gh_pull(1, mergedAt="2026-01-09T23:00:00Z")]
    board = _board(write_json, pulls, since="2026-01-05", until="2026-01-09")
    assert sum(row.merged for row in board.merged_per_week) == 1
    assert board.window.until == "2026-01-10T00:00:00Z"


def test_past_until_fixes_pull_states(write_json):
    pulls = [gh_pull(1, createdAt="2026-01-05T10:00:00Z", mergedAt="2026-01-20T10:00:00Z",
                     closedAt="2026-01-20T10:00:00Z")]
    board = _board(write_json, pulls, since="2026-01-05", until="2026-01-11")
    assert board.outcomes[0].still_open == 1
    assert board.outcomes[0].merged == 0
    assert board.active_streams.current == 1
    assert board.merge_rate.merged == 0


def test_active_streams_daily_and_weekly(write_json):
    pulls = [
        gh_pull(1, createdAt="2026-01-05T12:00:00Z", mergedAt="2026-01-07T12:00:00Z"),
        gh_pull(2, createdAt="2026-01-06T12:00:00Z", state="OPEN", mergedAt=None, closedAt=None),
    ]
    board = _board(write_json, pulls, since="2026-01-05", until="2026-01-09")
    days = {day.at[:10]: day.total for day in board.active_streams.days}
    # Samples at 00:00 UTC: none open on the 5th and 6th at midnight, then two, then one.
    assert days == {"2026-01-05": 0, "2026-01-06": 1, "2026-01-07": 2, "2026-01-08": 1, "2026-01-10": 1,
                    "2026-01-09": 1}
    week = board.active_streams.weeks[0]
    assert week.at_end == 1
    assert week.max == 2


def test_dispatch_log_counts_until_pull_opens(run_cli, write_json, tmp_path):
    issues = [gh_issue(7, createdAt="2026-01-05T00:00:00Z"), gh_issue(8, createdAt="2026-01-05T00:00:00Z")]
    pulls = [gh_pull(10, createdAt="2026-01-07T00:00:00Z", state="OPEN", mergedAt=None, closedAt=None,
                     closingIssuesReferences=[{"number": 7}],
                     author={"login": "app/google-labs-jules", "is_bot": True})]
    log = tmp_path / "dispatch.jsonl"
    log.write_text('{"agent": "jules", "at": "2026-01-05T12:00:00Z", "issue": 7}\n'
                   '{"agent": "codex", "at": "2026-01-06T12:00:00Z", "issue": 8}\n', encoding="utf-8")
    result = run_cli("dashboard", "--issues", write_json("i.json", issues), "--pulls", write_json("p.json", pulls),
                     "--until", "2026-01-08", "--dispatch-log", log, "--format", "json", "--output", "b.json")
    assert result.code == 0, result.err
    board = json.loads((tmp_path / "b.json").read_text("utf-8"))
    streams = board["active_streams"]
    assert streams["current"] == 2
    assert streams["dispatched_without_pull"] == 1
    assert streams["by_group"] == {"codex": 1, "jules": 1}
    days = {day["at"][:10]: day["total"] for day in streams["days"]}
    assert days["2026-01-06"] == 1
    assert days["2026-01-07"] == 2
    utilization = {row["agent"]: row for row in board["utilization"]}
    assert utilization["jules"]["current_in_flight"] == 1
    assert utilization["codex"]["current_in_flight"] == 1


def test_bad_dispatch_log_names_the_line(run_cli, write_json, tmp_path):
    log = tmp_path / "dispatch.jsonl"
    log.write_text('{"agent": "jules", "at": "yesterday"}\n', encoding="utf-8")
    result = run_cli("dashboard", "--pulls", write_json("p.json", [gh_pull(1)]), "--dispatch-log", log)
    assert result.code == 2
    assert "dispatch.jsonl line 1" in result.err
    assert "'at'" in result.err
    assert not (tmp_path / "artifacts").exists()


def test_queue_snapshots_are_the_source(run_cli, write_json, tmp_path):
    snapshots = tmp_path / "queue.jsonl"
    snapshots.write_text('{"at": "2026-01-06T00:00:00Z", "depth": 3}\n{"at": "2026-01-07T00:00:00Z", "depth": 5}\n'
                         '{"at": "2026-01-30T00:00:00Z", "depth": 9}\n', encoding="utf-8")
    result = run_cli("dashboard", "--pulls", write_json("p.json", [gh_pull(1)]), "--until", "2026-01-08",
                     "--queue-snapshots", snapshots, "--format", "json", "--output", "b.json")
    assert result.code == 0, result.err
    queue = json.loads((tmp_path / "b.json").read_text("utf-8"))["merge_queue"]
    assert queue["source"] == "snapshots"
    assert queue["current"] == 5
    assert queue["max"] == 5
    assert queue["mean"] == 4.0
    assert [point["depth"] for point in queue["series"]] == [3, 5]


def test_queue_replays_timeline_events(write_json):
    pulls = [
        gh_pull(1, createdAt="2026-01-05T01:00:00Z", mergedAt="2026-01-07T12:00:00Z", timelineItems=[
            {"__typename": "AddedToMergeQueueEvent", "createdAt": "2026-01-05T12:00:00Z"}]),
        gh_pull(2, createdAt="2026-01-05T01:00:00Z", state="CLOSED", mergedAt=None, closedAt="2026-01-08T00:00:00Z",
                timelineItems=[
                    {"__typename": "AddedToMergeQueueEvent", "createdAt": "2026-01-05T13:00:00Z"},
                    {"__typename": "RemovedFromMergeQueueEvent", "createdAt": "2026-01-06T12:00:00Z",
                     "reason": "MERGE_CONFLICT"}]),
    ]
    board = _board(write_json, pulls, since="2026-01-05", until="2026-01-09")
    depths = {point.at[:10]: point.depth for point in board.merge_queue.series}
    assert board.merge_queue.source == "timeline"
    assert depths["2026-01-06"] == 2
    assert depths["2026-01-07"] == 1
    assert depths["2026-01-08"] == 0
    assert board.conflict_rate.by_signal == {"merge-queue-removal": 1}


def test_queue_proxy_is_labelled(write_json):
    pulls = [
        gh_pull(1, state="OPEN", mergedAt=None, closedAt=None, reviewDecision="APPROVED", mergeable="MERGEABLE"),
        gh_pull(2, state="OPEN", mergedAt=None, closedAt=None, reviewDecision="APPROVED", mergeable="CONFLICTING"),
        gh_pull(3, state="OPEN", mergedAt=None, closedAt=None, reviewDecision="REVIEW_REQUIRED"),
    ]
    queue = _board(write_json, pulls, until="2026-01-09").merge_queue
    assert queue.source == "proxy"
    assert "proxy" in queue.label
    assert queue.current == 1


def _commit(sha, parents, author, when, **extra):
    return {"sha": sha, "parents": parents, "author": author, "author_date": when, "committer": "GitHub",
            "committer_date": when, "subject": sha, "files": [], **extra}


def test_merge_commit_graph_gives_commits_and_base_merges(write_json, tmp_path):
    # main: c0 -> c1 -> m (merge of the PR); PR branch: p1 (Jules) -> p2 (merge of c1 into the branch).
    commits = [
        _commit("m", ["c1", "p2"], "Alice", "2026-01-07T12:00:00Z"),
        _commit("p2", ["p1", "c1"], "Alice", "2026-01-07T10:00:00Z"),
        _commit("c1", ["c0"], "Bob", "2026-01-06T12:00:00Z"),
        _commit("p1", ["c0"], "google-labs-jules[bot]", "2026-01-06T10:00:00Z"),
        _commit("c0", [], "Alice", "2026-01-05T09:00:00Z"),
    ]
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "commits.jsonl").write_text("\n".join(json.dumps(c) for c in commits) + "\n", encoding="utf-8")
    (folder / "pulls.json").write_text(json.dumps([
        gh_pull(1, createdAt="2026-01-06T09:00:00Z", mergedAt="2026-01-07T12:00:00Z", mergeCommit={"oid": "m"}),
        gh_pull(2, createdAt="2026-01-06T09:00:00Z", mergedAt="2026-01-06T12:00:00Z", mergeCommit={"oid": "c1"}),
    ]), encoding="utf-8")
    board = api.dashboard(api.Source(from_dir=folder), until="2026-01-09")
    rate = board.conflict_rate
    assert rate.coverage == {"commit-graph": 1}
    assert rate.by_signal == {"base-merged-into-head": 1}
    assert rate.label.startswith("Conflict rate (lower bound")
    human = next(o for o in board.outcomes if o.group == "human")
    assert human.commit_share_pulls == 1
    assert human.agent_commit_share == 0.5


def test_pull_commits_field_gives_commit_share(write_json):
    pulls = [gh_pull(1, author={"login": "alice"}, commits=[
        {"oid": "a1", "authors": [{"login": "alice", "name": "Alice"}], "messageHeadline": "Start"},
        {"oid": "a2", "authors": [{"login": "alice", "name": "Alice"}],
         "messageHeadline": "Fix", "messageBody": "Co-authored-by: Claude <noreply@anthropic.com>"},
        {"oid": "a3", "authors": [{"login": "alice", "name": "Alice"}], "messageHeadline": "Tidy"},
        {"oid": "a4", "authors": [{"login": "alice", "name": "Alice"}], "messageHeadline": "Docs"},
    ])]
    board = _board(write_json, pulls, until="2026-01-09", group_by="author")
    outcome = board.outcomes[0]
    assert outcome.commit_share_pulls == 1
    assert outcome.agent_commit_share == 0.25


def test_conflict_rate_lists_pulls_safely(write_json):
    pulls = [gh_pull(3, HOSTILE, mergeable="CONFLICTING", url="https://github.com/o/r/pull/3"),
             gh_pull(4, "Fine", mergeable="MERGEABLE", url="javascript:alert(1)")]
    board = _board(write_json, pulls, until="2026-01-09")
    assert [p.number for p in board.conflict_rate.pulls] == [3]
    page = render_markdown(board)
    assert "[#3](https://github.com/o/r/pull/3)" in page
    assert "javascript:" not in page
    assert "<script>" not in page
    assert_tables_intact(page)


def test_hostile_group_names_stay_in_cells(write_json):
    login = "evil|name <img src=x onerror=alert(1)> @octocat"
    pulls = [gh_pull(1, HOSTILE, author={"login": login}), gh_pull(2, author={"login": "alice"})]
    board = _board(write_json, pulls, until="2026-01-09", group_by="author")
    page = render_markdown(board)
    assert "<img" not in page
    assert "@octocat" not in page
    assert_tables_intact(page)
    html_page = render_html(board)
    assert "<img src=x" not in html_page
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_page


def test_html_page_is_self_contained(write_json):
    board = _board(write_json, [gh_pull(1, HOSTILE, mergeable="CONFLICTING")], until="2026-01-09")
    page = render_html(board)
    assert len(page.encode("utf-8")) < MAX_PAGE_BYTES
    assert "Content-Security-Policy" in page
    assert not re.search(r"""<(script|img|link|iframe)[^>]+(src|href)=["']?(https?:)?//""", page, re.IGNORECASE)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


def test_csp_allows_exactly_the_page_scripts(write_json):
    page = render_html(_board(write_json, [gh_pull(1)], until="2026-01-09"))
    policy = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    hashes = set(re.findall(r"'sha256-([^']+)'", policy))
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, re.DOTALL)
    assert len(scripts) >= 2
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
        assert digest in hashes
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "default-src 'none'" in policy


def test_formats_and_output(run_cli, write_json, tmp_path):
    pulls = write_json("p.json", [gh_pull(1)])
    result = run_cli("dashboard", "--pulls", pulls)
    assert result.code == 0, result.err
    out = tmp_path / "artifacts" / "orchestration"
    assert sorted(p.name for p in out.iterdir()) == ["velocity_dashboard.html", "velocity_dashboard.json",
                                                      "velocity_dashboard.md"]
    result = run_cli("dashboard", "--pulls", pulls, "--format", "html", "--output", "one/board.html")
    assert result.code == 0, result.err
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["board.html"]
    assert (tmp_path / "one" / "board.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    result = run_cli("dashboard", "--pulls", pulls, "--format", "md", "--format", "json", "--output", "x")
    assert result.code == 2
    assert "--output needs exactly one --format" in result.err


def test_json_round_trips(run_cli, write_json, tmp_path):
    result = run_cli("dashboard", "--pulls", write_json("p.json", [gh_pull(1)]), "--format", "json")
    assert result.code == 0, result.err
    data = (tmp_path / "artifacts" / "orchestration" / "velocity_dashboard.json").read_text("utf-8")
    board = Dashboard.model_validate_json(data)
    assert board.schema_version == "2.0"
    assert sum(row.merged for row in board.merged_per_week) == 1


def test_empty_window_still_renders(write_json):
    pulls = [gh_pull(1, createdAt="2025-01-01T00:00:00Z", mergedAt="2025-01-02T00:00:00Z",
                     closedAt="2025-01-02T00:00:00Z")]
    board = _board(write_json, pulls, since="2026-01-05", until="2026-01-20")
    assert board.merge_rate.created == 0
    assert board.conflict_rate.rate is None
    page = render_html(board)
    assert 'data-chart-empty="merged"' in page
    assert 'data-chart-empty="conflicts"' in page
    assert "n/a" in render_markdown(board)


def test_summary_states_totals_once_and_counts_in_words(write_json):
    pulls = [gh_pull(1, files=[{"path": "a.py"}]),
             gh_pull(2, createdAt="2026-01-05T09:00:00Z", mergedAt="2026-01-07T10:00:00Z", files=[{"path": "a.py"}])]
    board = _board(write_json, pulls, until="2026-01-09", weeks=2)
    assert board.conflict_rate.source == "file-overlap proxy"
    page = render_markdown(board)
    summary = page.split("## Summary", 1)[1].split("\n## ", 1)[0]
    assert "| PRs merged per week (mean) | 1.0 (2 in the window) |" in summary
    assert summary.count("upper bound") == 1
    assert "1 PRs" not in page
    assert "1 PRs" not in render_html(board)


def test_coauthored_pulls_take_no_capacity(write_json):
    trailer = {"oid": "a1", "authors": [{"login": "alice", "name": "Alice"}], "messageHeadline": "Work",
               "messageBody": "Co-authored-by: Claude <noreply@anthropic.com>"}
    pulls = [gh_pull(1, state="OPEN", mergedAt=None, closedAt=None, commits=[trailer]),
             gh_pull(2, state="OPEN", mergedAt=None, closedAt=None, headRefName="claude/fix-login"),
             gh_pull(3, state="OPEN", mergedAt=None, closedAt=None, headRefName="claude/old",
                     createdAt="2025-11-01T10:00:00Z")]
    board = _board(write_json, pulls, until="2026-01-09")
    claude = next(row for row in board.utilization if row.agent == "claude")
    assert claude.current_in_flight == 2
    assert claude.stale_in_flight == 1
    assert claude.coauthored_in_flight == 1
    assert board.active_streams.by_group.get("claude") == 3
    assert "| claude | 4 | 2 | 1 | 1 |" in render_markdown(board)


def test_window_before_the_data_is_noted(write_json):
    board = _board(write_json, [gh_pull(1)], until="2026-01-09")
    assert any(note.startswith("The data starts on 2026-01-05, after the window opens") for note in board.notes)
