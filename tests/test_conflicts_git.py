"""Merge-tree replays and the live conflict matrix on a real git repository built here.

History (main's first-parent line, then the open heads):

- #1 changes a.txt line 1, merged with a merge commit;
- #2 changes a.txt line 1 differently from the same fork, closed after #1 landed
  (its replay against main at close time conflicts);
- #3 changes b.txt, squash-merged (clean);
- #4 adds c.txt in a commit by Jules, merges main into itself, then merges
  (clean, one base-into-head merge, half of its commits by an agent);
- open #5 and #6 change a.txt line 9 differently, so they conflict with each
  other but not with main;
- open #7 adds d.txt and conflicts with nothing;
- open #8 forked before #1 and changes a.txt line 1, so it conflicts with main
  and with the heads that carry #1's change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentlanes import api
from agentlanes.metrics.matrix import conflict_matrix, may_conflict
from agentlanes.metrics.mergetree import merge_pairs
from agentlanes.metrics.replay import replay
from agentlanes.render.conflicts_md import render_matrix_markdown
from agentlanes.sources.loader import load_dataset
from agentlanes.config import load_config

from conftest import gh_pull
from repo_builder import Repo, lines

JULES = ("google-labs-jules[bot]", "161369871+google-labs-jules[bot]@users.noreply.github.com")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict:
    repo = Repo(tmp_path_factory.mktemp("history") / "repo")
    root = repo.commit("Start", {"a.txt": lines(), "b.txt": "b\n"}, "2026-01-05T09:00:00Z")
    heads: dict[int, str] = {}

    repo.checkout("feature-a", root)
    heads[1] = repo.commit("One by PR1", {"a.txt": lines((1, "one by PR1"))}, "2026-01-05T10:00:00Z")
    repo.checkout("feature-b", root)
    heads[2] = repo.commit("One by PR2", {"a.txt": lines((1, "one by PR2"))}, "2026-01-05T11:00:00Z")
    repo.checkout("docs", root)
    heads[3] = repo.commit("Docs", {"b.txt": "b, documented\n"}, "2026-01-06T12:00:00Z", "Bob", "bob@example.com")
    repo.checkout("main")
    merge_1 = repo.merge("feature-a", "2026-01-06T10:00:00Z", "Merge pull request #1")

    repo.checkout("agent-work", root)
    repo.commit("Add c", {"c.txt": "c\n"}, "2026-01-06T09:00:00Z", *JULES)
    heads[4] = repo.merge("main", "2026-01-07T09:00:00Z", "Merge main into agent-work")
    repo.checkout("main")
    squash_3 = repo.squash("docs", "2026-01-08T10:00:00Z", "Docs (#3)")
    merge_4 = repo.merge("agent-work", "2026-01-09T10:00:00Z", "Merge pull request #4")

    repo.checkout("tune-9", merge_4)
    heads[5] = repo.commit("Nine by PR5", {"a.txt": lines((1, "one by PR1"), (9, "nine by PR5"))},
                           "2026-01-10T10:00:00Z")
    repo.checkout("tune-9b", merge_4)
    heads[6] = repo.commit("Nine by PR6", {"a.txt": lines((1, "one by PR1"), (9, "nine by PR6"))},
                           "2026-01-10T11:00:00Z")
    repo.checkout("new-file", merge_4)
    heads[7] = repo.commit("Add d", {"d.txt": "d\n"}, "2026-01-11T10:00:00Z")
    repo.checkout("stale-1", root)
    heads[8] = repo.commit("One by PR8", {"a.txt": lines((1, "one by PR8"))}, "2026-01-11T12:00:00Z")
    repo.checkout("main")

    for number, head in heads.items():
        repo.pull_ref(number, head, open_pull=number >= 5)
    for branch in ("feature-a", "feature-b", "docs", "agent-work"):
        repo.git("branch", "-q", "-D", branch)

    def pull(number: int, branch: str, files: list[str], **fields: object) -> dict:
        return gh_pull(number, f"PR {number}", headRefName=branch, headRefOid=heads[number],
                       files=[{"path": p} for p in files], url=f"https://github.com/o/r/pull/{number}", **fields)

    open_fields = {"state": "OPEN", "mergedAt": None, "closedAt": None}
    pulls = [
        pull(1, "feature-a", ["a.txt"], createdAt="2026-01-05T10:00:00Z", mergedAt="2026-01-06T10:00:00Z",
             closedAt="2026-01-06T10:00:00Z", mergeCommit={"oid": merge_1}),
        pull(2, "feature-b", ["a.txt"], state="CLOSED", createdAt="2026-01-05T11:00:00Z", mergedAt=None,
             closedAt="2026-01-07T10:00:00Z"),
        pull(3, "docs", ["b.txt"], createdAt="2026-01-06T12:00:00Z", mergedAt="2026-01-08T10:00:00Z",
             closedAt="2026-01-08T10:00:00Z", mergeCommit={"oid": squash_3}, author={"login": "bob"}),
        pull(4, "agent-work", ["c.txt"], createdAt="2026-01-06T09:00:00Z", mergedAt="2026-01-09T10:00:00Z",
             closedAt="2026-01-09T10:00:00Z", mergeCommit={"oid": merge_4}),
        pull(5, "tune-9", ["a.txt"], createdAt="2026-01-10T10:00:00Z", **open_fields),
        pull(6, "tune-9b", ["a.txt"], createdAt="2026-01-10T11:00:00Z", **open_fields),
        pull(7, "new-file", ["d.txt"], createdAt="2026-01-11T10:00:00Z", **open_fields),
        pull(8, "stale-1", ["a.txt"], createdAt="2026-01-11T12:00:00Z", **open_fields),
    ]
    pulls_file = repo.path.parent / "pulls.json"
    pulls_file.write_text(json.dumps(pulls), encoding="utf-8")
    return {"repo": repo, "heads": heads, "pulls": pulls_file, "root": root}


def finished_pulls(history: dict):
    dataset = load_dataset(load_config(None), pulls_path=history["pulls"])
    return [p for p in dataset.pulls if p.state.value != "open"]


def test_replay_merges_against_base_at_finish(history: dict):
    report = replay(history["repo"].path, finished_pulls(history))
    assert report.skipped == {}
    assert report.pulls[1].conflicted is False
    assert report.pulls[2].conflicted is True
    assert report.pulls[2].files == ("a.txt",)
    assert report.pulls[3].conflicted is False
    assert report.pulls[4].conflicted is False


def test_replay_base_is_predecessor_of_merge(history: dict):
    report = replay(history["repo"].path, finished_pulls(history))
    assert report.pulls[1].base == history["root"]
    assert report.pulls[2].head == history["heads"][2]


def test_replay_recovers_own_commits(history: dict):
    report = replay(history["repo"].path, finished_pulls(history))
    assert len(report.pulls[1].commits) == 1
    assert len(report.pulls[4].commits) == 2
    assert report.pulls[4].base_merges == 1
    assert report.pulls[1].base_merges == 0
    assert any("google-labs-jules[bot]" in node.names for node in report.pulls[4].commits)


def test_dashboard_conflict_rate_with_repo(history: dict):
    source = api.Source(pulls=history["pulls"], repo=history["repo"].path)
    rate = api.dashboard(source, since="2026-01-05", until="2026-01-12").conflict_rate
    assert rate.source == "signals"
    assert rate.closed == 4
    assert rate.observed == 4
    assert rate.with_conflict == 2
    assert rate.rate == 0.5
    assert rate.by_signal == {"base-merged-into-head": 1, "merge-tree-replay": 1}
    assert rate.replay is not None
    assert rate.replay.replayed == 4
    assert rate.replay.conflicted == 1
    listed = {p.number: p for p in rate.pulls}
    assert set(listed) == {2, 4}
    assert listed[2].files == ["a.txt"]
    assert rate.label == "Conflict rate"


def test_dashboard_without_repo_uses_proxy(history: dict):
    rate = api.dashboard(api.Source(pulls=history["pulls"]), since="2026-01-05", until="2026-01-12").conflict_rate
    assert rate.source == "file-overlap proxy"
    assert rate.replay is None


def test_commit_share_from_repo(history: dict):
    source = api.Source(pulls=history["pulls"], repo=history["repo"].path)
    outcomes = {o.group: o for o in api.dashboard(source, since="2026-01-05", until="2026-01-12").outcomes}
    human = outcomes["human"]
    assert human.merged == 3
    assert human.commit_share_pulls == 3
    # #1 and #3: no agent commit; #4: the Jules commit out of two.
    assert human.agent_commit_share == round((0 + 0 + 0.5) / 3, 4)


def test_matrix_from_pull_data(history: dict):
    matrix = api.conflicts(api.Source(pulls=history["pulls"], repo=history["repo"].path))
    heads = {head.id: head for head in matrix.heads}
    assert set(heads) == {"#5", "#6", "#7", "#8"}
    assert heads["#8"].base_conflict is True
    assert heads["#8"].base_files == ["a.txt"]
    assert [heads[i].base_conflict for i in ("#5", "#6", "#7")] == [False, False, False]
    assert heads["#5"].ref == "refs/pull/5/head"
    pairs = {frozenset((p.a, p.b)): p.files for p in matrix.pairs}
    assert pairs[frozenset(("#5", "#6"))] == ["a.txt"]
    # #8 lacks #1's change to line 1, which every head forked later carries.
    assert frozenset(("#7", "#8")) in pairs
    assert frozenset(("#5", "#7")) not in pairs
    assert matrix.failed_pairs == []


def test_matrix_filter_skips_only_clean_pairs(history: dict):
    filtered = api.conflicts(api.Source(pulls=history["pulls"], repo=history["repo"].path))
    everything = api.conflicts(api.Source(pulls=history["pulls"], repo=history["repo"].path), all_pairs=True)
    assert everything.pairs_checked == 6
    assert filtered.pairs_checked + filtered.pairs_disjoint == 6
    assert filtered.pairs_disjoint > 0
    assert {(p.a, p.b) for p in filtered.pairs} == {(p.a, p.b) for p in everything.pairs}


def test_matrix_from_refs_alone(history: dict):
    matrix = conflict_matrix(history["repo"].path)
    assert matrix.heads_from.startswith("refs/pull/N/head")
    assert {head.id for head in matrix.heads} == {"#5", "#6", "#7", "#8"}


def test_matrix_max_heads_lists_the_rest(history: dict):
    matrix = api.conflicts(api.Source(pulls=history["pulls"], repo=history["repo"].path), max_heads=2)
    assert [head.id for head in matrix.heads] == ["#8", "#7"]
    assert {s.id for s in matrix.skipped} == {"#6", "#5"}


def test_conflicts_command_prints_markdown(history: dict, run_cli):
    result = run_cli("conflicts", "--repo", history["repo"].path, "--pulls", history["pulls"])
    assert result.code == 0, result.err
    assert "| [#8](https://github.com/o/r/pull/8) |" in result.out
    assert "## Conflicting pairs" in result.out
    assert "4 open heads: 1 conflict with main" in result.err


def test_conflicts_command_writes_json(history: dict, run_cli, tmp_path: Path):
    target = tmp_path / "matrix.json"
    result = run_cli("conflicts", "--repo", history["repo"].path, "--format", "json", "--output", target)
    assert result.code == 0, result.err
    data = json.loads(target.read_text("utf-8"))
    assert {head["id"] for head in data["heads"]} == {"#5", "#6", "#7", "#8"}


def test_conflicts_needs_a_repository(run_cli, tmp_path: Path):
    result = run_cli("conflicts", "--repo", tmp_path)
    assert result.code == 2
    assert "not a git repository" in result.err
    result = run_cli("conflicts")
    assert result.code == 2
    assert "no repository given" in result.err


def test_unknown_base_is_a_clear_error(history: dict, run_cli):
    result = run_cli("conflicts", "--repo", history["repo"].path, "--base", "release-9")
    assert result.code == 2
    assert "base branch 'release-9' not found" in result.err


def test_merge_pairs_survives_unmergeable_pair(tmp_path: Path):
    repo = Repo(tmp_path / "repo")
    first = repo.commit("One", {"f.txt": "1\n"}, "2026-01-05T09:00:00Z")
    repo.checkout("side", first)
    side = repo.commit("Side", {"f.txt": "side\n"}, "2026-01-05T10:00:00Z")
    repo.checkout("main")
    main = repo.commit("Main", {"f.txt": "main\n"}, "2026-01-05T11:00:00Z")
    repo.git("checkout", "-q", "--orphan", "lone")
    repo.git("rm", "-q", "-rf", ".")
    lone = repo.commit("Lone", {"g.txt": "g\n"}, "2026-01-05T12:00:00Z")
    results = merge_pairs(repo.path, [(main, side), (main, lone), (first, side)])
    assert [r.clean for r in results] == [False, None, True]
    assert results[0].files == ("f.txt",)
    assert "unrelated histories" in results[1].error


def test_may_conflict_sees_folder_against_file():
    assert may_conflict({"docs"}, {"docs/index.md"})
    assert may_conflict({"a/b.py"}, {"a/b.py", "c.py"})
    assert not may_conflict({"a/b.py"}, {"a/c.py"})
    assert may_conflict(None, {"a.py"})


def test_matrix_markdown_escapes_titles(history: dict):
    matrix = api.conflicts(api.Source(pulls=history["pulls"], repo=history["repo"].path))
    matrix.heads[0].title = "Fix | <script>alert(1)</script> @octocat"
    page = render_matrix_markdown(matrix)
    assert "<script>" not in page
    assert "@octocat" not in page
    assert "Fix \\| &lt;script&gt;" in page


def test_bare_mirror_clone_works(history: dict, tmp_path: Path):
    mirror = tmp_path / "mirror.git"
    history["repo"].git("clone", "-q", "--mirror", str(history["repo"].path), str(mirror))
    matrix = conflict_matrix(mirror)
    assert {head.id for head in matrix.heads} == {"#5", "#6", "#7", "#8"}
    assert [head.id for head in matrix.heads if head.base_conflict] == ["#8"]
    report = replay(mirror, finished_pulls(history))
    assert report.pulls[2].conflicted is True


def test_replay_on_other_default_branch(tmp_path: Path, write_json):
    repo = Repo(tmp_path / "repo")
    root = repo.commit("Start", {"a.txt": lines()}, "2026-01-05T09:00:00Z")
    repo.git("branch", "-m", "main", "trunk")
    repo.checkout("change", root)
    head = repo.commit("Change", {"a.txt": lines((3, "three"))}, "2026-01-05T10:00:00Z")
    repo.checkout("trunk")
    repo.commit("Clash", {"a.txt": lines((3, "tres"))}, "2026-01-05T11:00:00Z")
    pulls = write_json("pulls.json", [gh_pull(1, headRefOid=head, baseRefName="trunk", state="CLOSED",
                                              mergedAt=None, closedAt="2026-01-05T12:00:00Z")])
    rate = api.dashboard(api.Source(pulls=pulls, repo=repo.path), until="2026-01-06").conflict_rate
    assert rate.replay is not None
    assert rate.replay.skipped == {}
    assert rate.by_signal == {"merge-tree-replay": 1}
