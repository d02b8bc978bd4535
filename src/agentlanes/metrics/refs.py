"""Find pull-request heads and base branches in a local git repository.

A clone made with GitHub's pull refs (``git fetch origin '+refs/pull/*/head:refs/pull/*/head'``)
has ``refs/pull/N/head`` for every PR; GitHub also keeps ``refs/pull/N/merge``
while a PR is open. Branch refs (``refs/remotes/<remote>/<branch>``,
``refs/heads/<branch>``) exist only while the head branch does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from agentlanes.errors import InputError
from agentlanes.model import PullRequest
from agentlanes.sources.gitrepo import run_git

_PULL_REF = re.compile(r"^refs/pull/(\d+)/(head|merge)$")
PREFERRED_REMOTE = "origin"


@dataclass(frozen=True, slots=True)
class Located:
    """A commit found for a PR head or a base, and the ref or field it came from."""

    oid: str
    via: str


class RefIndex:
    """Every ref of a repository, read once with ``git for-each-ref``."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        output = run_git(repo, "for-each-ref", "--format=%(refname) %(objectname) %(symref)").stdout
        self.refs: dict[str, str] = {}
        self.symbolic: dict[str, str] = {}
        for line in output.splitlines():
            parts = line.split(" ")
            if len(parts) >= 2:
                self.refs[parts[0]] = parts[1]
                if len(parts) > 2 and parts[2]:
                    self.symbolic[parts[0]] = parts[2]
        self.remotes = sorted({name.split("/")[2] for name in self.refs if name.startswith("refs/remotes/")},
                              key=lambda remote: (remote != PREFERRED_REMOTE, remote))

    def pull_numbers(self, kind: str) -> set[int]:
        """Return the PR numbers that have a ``refs/pull/N/<kind>`` ref (``head`` or ``merge``)."""
        numbers = set()
        for name in self.refs:
            match = _PULL_REF.match(name)
            if match and match.group(2) == kind:
                numbers.add(int(match.group(1)))
        return numbers

    def branch(self, name: str) -> Located | None:
        """Find a branch by name: the preferred remote's copy first, then the local branch, then other remotes."""
        candidates = [f"refs/remotes/{self.remotes[0]}/{name}"] if self.remotes else []
        candidates.append(f"refs/heads/{name}")
        candidates += [f"refs/remotes/{remote}/{name}" for remote in self.remotes[1:]]
        for ref in candidates:
            if ref in self.refs:
                return Located(self.refs[ref], ref)
        return None

    def default_base(self) -> str:
        """Return the remote's default branch (``<remote>/HEAD``), else ``main`` or ``master``."""
        for remote in self.remotes:
            target = self.symbolic.get(f"refs/remotes/{remote}/HEAD")
            if target:
                return target.split("/", 3)[3]
        for name in ("main", "master"):
            if self.branch(name):
                return name
        raise InputError(f"--repo {self.repo}: no default branch found (no main, master or <remote>/HEAD)",
                         "name the base branch with --base")

    def remote_branches(self, exclude: set[str]) -> dict[str, Located]:
        """Map every branch of the preferred remote (or the local branches without remotes) to its commit."""
        prefix = f"refs/remotes/{self.remotes[0]}/" if self.remotes else "refs/heads/"
        found: dict[str, Located] = {}
        for ref, oid in sorted(self.refs.items()):
            if ref.startswith(prefix) and ref not in self.symbolic:
                name = ref[len(prefix):]
                if name != "HEAD" and name not in exclude:
                    found[name] = Located(oid, ref)
        return found


def head_candidates(pull: PullRequest, refs: RefIndex, live: bool) -> list[Located]:
    """List where a PR's head may be, most trusted first.

    For a live view git's refs come first, because they are as new as the last
    fetch. For a replay of finished PRs the export's ``headRefOid`` comes first,
    because it is the head the PR ended with and branch refs may have moved or gone.
    """
    from_refs: list[Located] = []
    pull_ref = f"refs/pull/{pull.number}/head"
    if pull_ref in refs.refs:
        from_refs.append(Located(refs.refs[pull_ref], pull_ref))
    if live and pull.head_ref:
        located = refs.branch(pull.head_ref)
        if located:
            from_refs.append(located)
    from_data = [Located(pull.head_oid, "headRefOid")] if pull.head_oid else []
    return from_refs + from_data if live else from_data + from_refs
