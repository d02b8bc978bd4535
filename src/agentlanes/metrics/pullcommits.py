"""Each PR's own commits and base-into-head merges, from the best source available.

Commit lists, best first: the PR data's ``commits`` field (what GitHub lists for
the PR), a ``--repo`` replay, then the merge-commit graph of ``commits.jsonl``.
Base-into-head merges need commit parents, so they come from a ``--repo`` replay
or the merge-commit graph only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agentlanes.attribution import Attributor
from agentlanes.metrics.history import BaseLine, base_merges, find_tip, nodes_from_commits
from agentlanes.metrics.replay import ReplayReport
from agentlanes.model import Commit, PullRequest, PullState


@dataclass(frozen=True, slots=True)
class PullCommits:
    """The names (authors, logins, co-authors) of each of a PR's own commits, and where they came from."""

    names: tuple[tuple[str, ...], ...]
    source: str


@dataclass
class CommitEvidence:
    commits: dict[int, PullCommits]
    base_merges: dict[int, int]


def collect(pulls: Sequence[PullRequest], history: Sequence[Commit], replay: ReplayReport | None) -> CommitEvidence:
    """Gather commit lists and base-into-head merge counts for merged and closed PRs."""
    commits: dict[int, PullCommits] = {}
    merges: dict[int, int] = {}
    tip = find_tip(history)
    line = BaseLine(nodes_from_commits(history), tip) if tip else None
    for pull in pulls:
        if pull.state is PullState.OPEN:
            continue
        landed = line.landed_through(pull.merge_commit_oid) if line and pull.merge_commit_oid in line.nodes else None
        replayed = replay.pulls.get(pull.number) if replay else None
        if pull.commits:
            commits[pull.number] = PullCommits(tuple(c.authors for c in pull.commits), "pr-data")
        elif replayed and replayed.commits:
            commits[pull.number] = PullCommits(tuple(n.names for n in replayed.commits), "git")
        elif landed:
            commits[pull.number] = PullCommits(tuple(n.names for n in landed), "merge-commit graph")
        if replayed:
            merges[pull.number] = replayed.base_merges
        elif landed:
            merges[pull.number] = base_merges(landed)
    return CommitEvidence(commits, merges)


def agent_share(entry: PullCommits, attributor: Attributor) -> float | None:
    """Return the fraction of the PR's commits whose author or a co-author is a recognised coding agent."""
    if not entry.names:
        return None
    by_agents = sum(1 for names in entry.names if attributor.agent_of_names(names))
    return by_agents / len(entry.names)
