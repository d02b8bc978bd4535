"""A pull request's own commits, recovered from the commit graph.

A PR's own commits are the commits reachable from its head but not from the base
branch as it stood just before the PR landed (``git log base..head``). The graph
comes from a git checkout (``--repo``) or from ``commits.jsonl``. Without a
checkout, only PRs merged with a two-parent merge commit on the base branch's
first-parent line can be recovered: their commits are those that became
reachable through the merge commit's second parent. Squash and rebase merges
leave no trace of the original commits in the base branch.

A merge commit among a PR's own commits that has a parent outside them (a commit
already on the base branch) is a *base-into-head merge*. Someone merged the base
branch into the PR branch, usually to resolve or pre-empt a conflict.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pathlib import Path

from agentlanes.model import Commit
from agentlanes.sources.gitrepo import run_git

_NOREPLY = "@users.noreply.github.com"


@dataclass(frozen=True, slots=True)
class CommitNode:
    """A commit: parents, committer time (Unix seconds) and every author name, login and co-author."""

    sha: str
    parents: tuple[str, ...]
    committed: int
    names: tuple[str, ...]


def login_from_email(email: str) -> str | None:
    """Return the login in a GitHub noreply address, else ``None``.

    ``123+octocat@users.noreply.github.com`` -> ``octocat``.
    """
    if not email.endswith(_NOREPLY):
        return None
    local = email[: -len(_NOREPLY)]
    return local.split("+", 1)[-1] or None


def nodes_from_commits(commits: Iterable[Commit]) -> dict[str, CommitNode]:
    nodes: dict[str, CommitNode] = {}
    for commit in commits:
        names = (commit.author_name, commit.author_login or "", *commit.coauthors)
        nodes[commit.sha] = CommitNode(
            commit.sha, commit.parents, int(commit.committed_at.timestamp()), tuple(n for n in names if n)
        )
    return nodes


def nodes_from_git(repo: Path, tips: Iterable[str]) -> dict[str, CommitNode]:
    """Read every commit reachable from ``tips`` with one ``git log`` call."""
    revisions = "".join(f"{tip}\n" for tip in dict.fromkeys(tips))
    if not revisions:
        return {}
    fields = ["%H", "%P", "%an", "%ae", "%ct", "%(trailers:key=Co-authored-by,valueonly,separator=%x1d)"]
    output = run_git(repo, "log", "--stdin",
                     f"--format=%x1e{'%x1f'.join(fields)}", input_text=revisions).stdout
    nodes: dict[str, CommitNode] = {}
    for record in output.split("\x1e")[1:]:
        parts = record.rstrip("\n").split("\x1f")
        if len(parts) < 6:
            continue
        sha, parents, name, email, committed, trailers = parts[:6]
        names = [name, login_from_email(email) or ""]
        for coauthor in trailers.split("\x1d"):
            coauthor_name, _, rest = coauthor.partition("<")
            names += [coauthor_name.strip(), login_from_email(rest.rstrip(">").strip()) or ""]
        nodes[sha] = CommitNode(sha, tuple(parents.split()), int(committed or 0), tuple(n for n in names if n))
    return nodes


class BaseLine:
    """A base branch's first-parent line, oldest first, and when each commit reached it.

    ``landing[sha]`` is the index of the first first-parent commit that has
    ``sha`` among its ancestors, so ``sha`` was on the base branch at line index
    ``j`` exactly when ``landing[sha] <= j``.
    """

    def __init__(self, nodes: dict[str, CommitNode], tip: str) -> None:
        self.nodes = nodes
        line: list[str] = []
        cursor: str | None = tip
        seen: set[str] = set()
        while cursor is not None and cursor in nodes and cursor not in seen:
            seen.add(cursor)
            line.append(cursor)
            parents = nodes[cursor].parents
            cursor = parents[0] if parents else None
        line.reverse()
        self.line = line
        self.position = {sha: index for index, sha in enumerate(line)}
        self.landing = self._landing()
        # For "newest line commit committed before T": sort by time, keep the running max index.
        order = sorted(range(len(line)), key=lambda index: nodes[line[index]].committed)
        self._times = [nodes[line[index]].committed for index in order]
        self._max_index: list[int] = []
        best = -1
        for index in order:
            best = max(best, index)
            self._max_index.append(best)

    def _landing(self) -> dict[str, int]:
        landing: dict[str, int] = {}
        for index, sha in enumerate(self.line):
            stack = [sha]
            while stack:
                current = stack.pop()
                if current in landing or current not in self.nodes:
                    continue
                landing[current] = index
                stack.extend(self.nodes[current].parents)
        return landing

    def index_before(self, moment: datetime) -> int | None:
        """Return the newest line index whose commit was committed strictly before ``moment``."""
        cut = bisect.bisect_left(self._times, int(moment.astimezone(UTC).timestamp()))
        return self._max_index[cut - 1] if cut > 0 else None

    def own_commits(self, head: str, base_index: int) -> list[CommitNode] | None:
        """Return the commits reachable from ``head`` that were not on the line at ``base_index``."""
        if head not in self.nodes:
            return None
        found: dict[str, CommitNode] = {}
        stack = [head]
        while stack:
            current = stack.pop()
            if current in found or current not in self.nodes:
                continue
            landed = self.landing.get(current)
            if landed is not None and landed <= base_index:
                continue
            node = self.nodes[current]
            found[current] = node
            stack.extend(node.parents)
        return list(found.values())

    def landed_through(self, merge_commit: str) -> list[CommitNode] | None:
        """Return the commits that a two-parent merge commit on the line brought in through its second parent."""
        index = self.position.get(merge_commit)
        if index is None or index == 0 or len(self.nodes[merge_commit].parents) != 2:
            return None
        return self.own_commits(self.nodes[merge_commit].parents[1], index - 1)


def base_merges(own: Sequence[CommitNode]) -> int:
    """Count the merge commits among ``own`` with a parent outside it: base-into-head merges."""
    shas = {node.sha for node in own}
    return sum(1 for node in own if len(node.parents) > 1 and any(p not in shas for p in node.parents))


def find_tip(commits: Sequence[Commit]) -> str | None:
    """Return the branch tip of a commit list: the newest commit that no listed commit has as a parent.

    In a list of the commits reachable from one branch, only the tip is nobody's parent.
    """
    parents = {parent for commit in commits for parent in commit.parents}
    tips = [commit for commit in commits if commit.sha not in parents]
    return max(tips, key=lambda commit: commit.committed_at).sha if tips else None
