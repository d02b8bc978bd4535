"""Replay finished pull requests against a git checkout (``--repo``).

For every PR merged or closed in the window, the PR's final head is merged with
``git merge-tree`` into the base branch as it stood just before the PR was
merged or closed. A conflict there is a conflict episode. "Just before" is the
merge commit's predecessor on the base branch's first-parent line when the data
names a merge commit found on that line, otherwise the newest first-parent
commit with a committer time before the merge or close time.

The same pass recovers each PR's own commits (reachable from the head, not from
that base commit), for base-into-head merges and the agent commit share.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agentlanes.metrics.history import BaseLine, CommitNode, base_merges, nodes_from_git
from agentlanes.metrics.mergetree import commit_objects, merge_pairs, open_repository
from agentlanes.metrics.refs import RefIndex, head_candidates
from agentlanes.model import PullRequest, PullState


@dataclass(frozen=True, slots=True)
class PullReplay:
    """The replay of one finished PR: the merged commits, the outcome and the PR's own commits."""

    head: str
    base: str
    conflicted: bool | None
    files: tuple[str, ...] = ()
    base_merges: int = 0
    commits: tuple[CommitNode, ...] = ()
    error: str = ""


@dataclass
class ReplayReport:
    """Per-PR replays, and how many PRs could not be replayed and why."""

    repository: str
    pulls: dict[int, PullReplay] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)


def _resolve_heads(pulls: Sequence[PullRequest], refs: RefIndex) -> dict[int, str]:
    candidates = {pull.number: head_candidates(pull, refs, live=False) for pull in pulls}
    resolved = commit_objects(refs.repo, [c.oid for options in candidates.values() for c in options])
    heads: dict[int, str] = {}
    for number, options in candidates.items():
        found = next((resolved[c.oid] for c in options if c.oid in resolved), None)
        if found:
            heads[number] = found
    return heads


def _base_lines(pulls: Sequence[PullRequest], refs: RefIndex, heads: dict[int, str],
                default: str) -> dict[str, BaseLine]:
    names = {pull.base_ref or default for pull in pulls}
    tips = {name: located.oid for name in names if (located := refs.branch(name))}
    nodes = nodes_from_git(refs.repo, list(tips.values()) + list(heads.values()))
    return {name: BaseLine(nodes, tip) for name, tip in tips.items()}


def _base_index(pull: PullRequest, line: BaseLine) -> int | None:
    position = line.position.get(pull.merge_commit_oid or "")
    if pull.state is PullState.MERGED and position is not None and position > 0:
        return position - 1
    # NOTE: without a merge commit on the line, "before" is judged by committer time, which a push of
    # commits with older committer dates can misorder.
    return line.index_before(pull.finished_at) if pull.finished_at else None


def _plan(pull: PullRequest, heads: dict[int, str], lines: dict[str, BaseLine],
          default: str) -> tuple[str, str, tuple[CommitNode, ...]] | str:
    """Return the (base, head, own commits) to replay for one PR, or why it cannot be replayed."""
    line = lines.get(pull.base_ref or default)
    if pull.number not in heads:
        return "head commit not in the repository"
    if line is None:
        return "base branch not in the repository"
    if pull.finished_at is None:
        return "close time unknown"
    index = _base_index(pull, line)
    if index is None:
        return "no base commit before the PR finished"
    own = line.own_commits(heads[pull.number], index) or []
    return line.line[index], heads[pull.number], tuple(own)


def replay(repo: str | Path, pulls: Sequence[PullRequest]) -> ReplayReport:
    """Replay ``pulls`` (finished PRs) in the repository at ``repo``."""
    path = open_repository(repo)
    report = ReplayReport(repository=str(path))
    finished = [p for p in pulls if p.state is not PullState.OPEN]
    if not finished:
        return report

    refs = RefIndex(path)
    heads = _resolve_heads(finished, refs)
    # The default branch is looked up only for PRs whose data names no base.
    default = refs.default_base() if any(p.base_ref is None for p in finished) else ""
    lines = _base_lines(finished, refs, heads, default)
    planned: dict[int, tuple[str, str, tuple[CommitNode, ...]]] = {}
    for pull in finished:
        plan = _plan(pull, heads, lines, default)
        if isinstance(plan, str):
            report.skipped[plan] += 1
        else:
            planned[pull.number] = plan

    pairs = list(dict.fromkeys((base, head) for base, head, _ in planned.values()))
    outcomes = {(r.ours, r.theirs): r for r in merge_pairs(path, pairs)}
    for number, (base, head, own) in planned.items():
        result = outcomes.get((base, head))
        if result is None or result.clean is None:
            report.skipped["git could not merge the pair"] += 1
            continue
        report.pulls[number] = PullReplay(head, base, result.conflicted, result.files, base_merges(own), own,
                                          result.error)
    return report
