"""Dashboard numbers on every real data set, checked against independent scans of the raw files.

Each scan reads issues.json, pulls.json and commits.jsonl with plain code that
shares nothing with agentlanes, so a wrong window, bucket, state rule, commit
graph walk or percentile fails here.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import numpy
import pytest

from agentlanes.config import load_config
from agentlanes.metrics.dashboard import build_dashboard
from agentlanes.metrics.models import Dashboard
from agentlanes.sources.asof import snapshot
from agentlanes.sources.loader import load_dataset

from conftest import dataset_names, datasets_root

pytestmark = pytest.mark.datasets
CONFIG = load_config(None)
NAMES = dataset_names() or ["(missing)"]
FRACTIONS = (0.4, 0.95)
WEEKS = 10
DEPENDENCY_BOTS = {"app/dependabot", "app/renovate"}


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


@cache
def raw(name: str) -> tuple[list[dict], list[dict], list[dict]]:
    folder = datasets_root() / name
    issues = json.loads((folder / "issues.json").read_text("utf-8"))
    pulls = json.loads((folder / "pulls.json").read_text("utf-8"))
    commits_file = folder / "commits.jsonl"
    commits = [json.loads(line) for line in commits_file.read_text("utf-8").splitlines() if line.strip()] \
        if commits_file.is_file() else []
    return issues, pulls, commits


@cache
def loaded(name: str):
    return load_dataset(CONFIG, from_dir=datasets_root() / name)


@cache
def board(name: str, fraction: float) -> tuple[datetime, Dashboard]:
    created = sorted(parse(p["createdAt"]) for p in raw(name)[1])
    moment = created[int(fraction * (len(created) - 1))]
    return moment, build_dashboard(snapshot(loaded(name), moment), CONFIG, weeks=WEEKS,
                                   history=loaded(name).commits)


def window(dashboard: Dashboard) -> tuple[datetime, datetime]:
    return parse(dashboard.window.since), parse(dashboard.window.until)


def finished(record: dict) -> datetime | None:
    value = record.get("mergedAt") or record.get("closedAt")
    return parse(value) if value else None


def cases():
    return [(name, fraction) for name in NAMES for fraction in FRACTIONS]


@pytest.mark.parametrize(("name", "fraction"), cases())
def test_merge_rate_matches_scan(datasets_dir: Path, name: str, fraction: float):
    _, dashboard = board(name, fraction)
    since, until = window(dashboard)
    created = [p for p in raw(name)[1] if since <= parse(p["createdAt"]) < until]
    merged = [p for p in created if p.get("mergedAt") and parse(p["mergedAt"]) < until]
    assert dashboard.merge_rate.created == len(created)
    assert dashboard.merge_rate.merged == len(merged)
    bots = [p for p in created if (p.get("author") or {}).get("login") in DEPENDENCY_BOTS]
    assert dashboard.merge_rate.by_kind["dependency_bot"].created == len(bots)
    assert sum(cell.created for cell in dashboard.merge_rate.by_group.values()) == len(created)
    assert sum(week.created for week in dashboard.merge_rate.weeks) == len(created)


@pytest.mark.parametrize(("name", "fraction"), cases())
def test_open_streams_match_scan(datasets_dir: Path, name: str, fraction: float):
    moment, dashboard = board(name, fraction)
    open_now = []
    for record in raw(name)[1]:
        if parse(record["createdAt"]) > moment or record.get("isDraft"):
            continue
        if record["state"] == "CLOSED" and not record.get("mergedAt") and not record.get("closedAt"):
            continue
        end = finished(record)
        if end is None or end > moment:
            open_now.append(record)
    assert dashboard.active_streams.current == len(open_now)
    bots = sum(1 for p in open_now if (p.get("author") or {}).get("login") in DEPENDENCY_BOTS)
    assert dashboard.active_streams.by_kind["dependency_bot"] == bots
    assert sum(dashboard.active_streams.by_group.values()) == len(open_now)
    assert dashboard.active_streams.days[-1].total == len(open_now)


@pytest.mark.parametrize(("name", "fraction"), cases())
def test_time_to_merge_matches_scan(datasets_dir: Path, name: str, fraction: float):
    _, dashboard = board(name, fraction)
    since, until = window(dashboard)
    hours = [(parse(p["mergedAt"]) - parse(p["createdAt"])).total_seconds() / 3600
             for p in raw(name)[1] if p.get("mergedAt") and since <= parse(p["mergedAt"]) < until]
    hours = [max(0.0, h) for h in hours]
    assert dashboard.time_to_merge.count == len(hours)
    if hours:
        assert dashboard.time_to_merge.p50_hours == pytest.approx(numpy.percentile(hours, 50), abs=0.006)
        assert dashboard.time_to_merge.p90_hours == pytest.approx(numpy.percentile(hours, 90), abs=0.006)
    assert sum(cell.count for cell in dashboard.time_to_merge.by_group.values()) == len(hours)


def first_parent_line(commits: list[dict]) -> list[str]:
    parents = {c["sha"]: c["parents"] for c in commits}
    referenced = {p for c in commits for p in c["parents"]}
    tips = [c for c in commits if c["sha"] not in referenced]
    tip = max(tips, key=lambda c: parse(c["committer_date"]))["sha"]
    line = [tip]
    while parents.get(line[-1]):
        line.append(parents[line[-1]][0])
        if line[-1] not in parents:
            line.pop()
            break
    return line[::-1]


def ancestors(start: str, parents: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    stack = [start]
    while stack:
        sha = stack.pop()
        if sha in seen or sha not in parents:
            continue
        seen.add(sha)
        stack.extend(parents[sha])
    return seen


def scan_base_merges(name: str, since: datetime, until: datetime) -> tuple[int, int]:
    """Closed PRs in the window whose commits the merge-commit graph shows, and those with a base merge."""
    commits = raw(name)[2]
    if not commits:
        return 0, 0
    parents = {c["sha"]: c["parents"] for c in commits}
    line = first_parent_line(commits)
    position = {sha: index for index, sha in enumerate(line)}
    observed = conflicted = 0
    for record in raw(name)[1]:
        oid = (record.get("mergeCommit") or {}).get("oid")
        if not record.get("mergedAt") or not since <= parse(record["mergedAt"]) < until:
            continue
        if oid not in position or position[oid] == 0 or len(parents[oid]) != 2:
            continue
        own = ancestors(parents[oid][1], parents) - ancestors(parents[oid][0], parents)
        if not own:
            continue
        observed += 1
        conflicted += any(len(parents[sha]) > 1 and any(p not in own for p in parents[sha]) for sha in own)
    return observed, conflicted


def scan_overlap(pulls: list[dict], closed: list[dict]) -> int:
    merges: dict[str, list[tuple[datetime, int]]] = {}
    for record in pulls:
        if record.get("mergedAt"):
            for entry in record.get("files") or []:
                merges.setdefault(entry["path"], []).append((parse(record["mergedAt"]), record["number"]))
    found = 0
    for record in closed:
        start, end = parse(record["createdAt"]), finished(record)
        paths = {entry["path"] for entry in record.get("files") or []}
        found += any(start < moment < end and number != record["number"]
                     for path in paths for moment, number in merges.get(path, []))
    return found


@pytest.mark.parametrize(("name", "fraction"), cases())
def test_conflict_rate_matches_scan(datasets_dir: Path, name: str, fraction: float):
    moment, dashboard = board(name, fraction)
    since, until = window(dashboard)
    pulls = [p for p in raw(name)[1] if parse(p["createdAt"]) <= moment]
    closed = [p for p in pulls if finished(p) and since <= finished(p) < until and finished(p) <= moment]
    rate = dashboard.conflict_rate
    assert rate.closed == len(closed)
    observed, conflicted = scan_base_merges(name, since, until)
    assert rate.coverage.get("commit-graph", 0) == observed
    assert rate.observed == observed
    assert rate.overlap_upper_bound.with_conflict == scan_overlap(pulls, closed)
    if observed:
        assert rate.source == "signals"
        assert rate.with_conflict == conflicted
        assert rate.by_signal.get("base-merged-into-head", 0) == conflicted
    else:
        assert rate.source == "file-overlap proxy"
        assert rate.with_conflict == rate.overlap_upper_bound.with_conflict


@pytest.mark.parametrize(("name", "fraction"), cases())
def test_outcomes_match_scan(datasets_dir: Path, name: str, fraction: float):
    moment, dashboard = board(name, fraction)
    since, until = window(dashboard)
    created = [p for p in raw(name)[1] if since <= parse(p["createdAt"]) < until]
    merged = [p for p in created if p.get("mergedAt") and parse(p["mergedAt"]) <= moment]
    closed = [p for p in created if p["state"] == "CLOSED" and not p.get("mergedAt")
              and (not p.get("closedAt") or parse(p["closedAt"]) <= moment)]
    assert sum(o.opened for o in dashboard.outcomes) == len(created)
    assert sum(o.merged for o in dashboard.outcomes) == len(merged)
    assert sum(o.abandoned for o in dashboard.outcomes) == len(closed)
    bots = Counter((p.get("author") or {}).get("login") in DEPENDENCY_BOTS for p in created)
    row = next((o for o in dashboard.outcomes if o.group == "dependency_bot"), None)
    assert (row.opened if row else 0) == bots[True]


@pytest.mark.parametrize(("name", "fraction"), cases())
def test_issue_lead_time_matches_scan(datasets_dir: Path, name: str, fraction: float):
    moment, dashboard = board(name, fraction)
    since, until = window(dashboard)
    issues, pulls, _ = raw(name)
    pull_numbers = {p["number"] for p in pulls}
    merged = {p["number"]: parse(p["mergedAt"]) for p in pulls if p.get("mergedAt") and parse(p["mergedAt"]) <= moment}
    fixes: dict[int, list[datetime]] = {}
    for record in pulls:
        if record["number"] in merged:
            refs = (record.get("closingIssuesReferences") or []) + (record.get("x_commitClosingIssuesReferences") or [])
            for ref in refs:
                fixes.setdefault(ref["number"], []).append(merged[record["number"]])
    count = 0
    for issue in issues:
        if issue["number"] in pull_numbers or issue.get("state") is None or not issue.get("createdAt"):
            continue
        if parse(issue["createdAt"]) > moment or (issue["state"] == "CLOSED" and not issue.get("closedAt")):
            continue
        times = list(fixes.get(issue["number"], []))
        times += [merged[ref["number"]] for ref in issue.get("closedByPullRequestsReferences") or []
                  if ref["number"] in merged]
        if times and since <= min(times) < until and min(times) >= parse(issue["createdAt"]):
            count += 1
    assert dashboard.issue_lead_time.count == count


@pytest.mark.parametrize("name", NAMES)
def test_dashboard_writes_three_formats(datasets_dir: Path, name: str, run_cli, tmp_path: Path):
    moment, built = board(name, FRACTIONS[-1])
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    result = run_cli("dashboard", "--from", datasets_dir / name, "--as-of", stamp, "--weeks", WEEKS)
    assert result.code == 0, result.err
    out = tmp_path / "artifacts" / "orchestration"
    page = (out / "velocity_dashboard.html").read_bytes()
    assert 0 < len(page) < 3_000_000
    assert b"<!DOCTYPE html>" in page[:100]
    markdown = (out / "velocity_dashboard.md").read_text("utf-8")
    assert "## Conflict rate" in markdown
    data = json.loads((out / "velocity_dashboard.json").read_text("utf-8"))
    assert data["merge_rate"]["created"] == built.merge_rate.created
    assert data["active_streams"]["current"] == built.active_streams.current
    assert data["conflict_rate"]["with_conflict"] == built.conflict_rate.with_conflict


@pytest.mark.parametrize("name", NAMES)
def test_by_changes_the_grouping(datasets_dir: Path, name: str):
    moment, _ = board(name, FRACTIONS[-1])
    cut = snapshot(loaded(name), moment)
    groups = {}
    for by in ("agent", "component", "author"):
        built = build_dashboard(cut, CONFIG, weeks=WEEKS, group_by=by)
        groups[by] = {o.group for o in built.outcomes}
        assert sum(o.opened for o in built.outcomes) == built.merge_rate.created
        for week in built.merged_per_week:
            assert sum(week.by_group.values()) == week.merged
    if any(groups.values()):
        assert groups["agent"] != groups["author"]
    authors = {(p.get("author") or {}).get("login") or "ghost" for p in raw(name)[1]}
    assert groups["author"] <= {a if a else "ghost" for a in authors}
