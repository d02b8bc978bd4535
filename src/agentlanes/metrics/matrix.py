"""The live conflict matrix: which open PR heads conflict with the base and with each other.

Heads come from the PR data when it is given (open PRs, drafts included), each
found in the checkout as ``refs/pull/N/head``, then as its head branch (the
preferred remote's copy, the local branch, other remotes), then as the data's
``headRefOid``. Without PR data, the heads are the ``refs/pull/N/head`` refs
whose ``refs/pull/N/merge`` still exists (GitHub keeps that ref only while a PR
is open. A clone without pull refs gives every branch of the preferred remote
(or the local branches when there is no remote) except the base.

Every head is merged with the base, and with every other head whose changes
since their merge base can touch its own (see ``agentlanes.metrics.forks``), all
in one ``git merge-tree --stdin`` run. Two heads conflict when git's merge of
the two conflicts. Pairs whose changes cannot touch merge cleanly and are
counted, not run, unless ``all_pairs`` is set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from agentlanes.errors import InputError
from agentlanes.metrics.forks import BaseChanges, folders_of, fork_index
from agentlanes.metrics.history import BaseLine, nodes_from_git
from agentlanes.metrics.mergetree import commit_objects, merge_pairs, open_repository
from agentlanes.metrics.refs import Located, RefIndex, head_candidates
from agentlanes.model import PullRequest, PullState
from agentlanes.sources.gitrepo import run_git

MATRIX_SCHEMA_VERSION = "1.0"
DEFAULT_MAX_HEADS = 200


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatrixHead(_Model):
    id: str
    number: int | None
    title: str
    url: str
    who: str
    draft: bool
    ref: str
    oid: str
    changed_files: int
    base_conflict: bool | None
    base_files: list[str]
    base_error: str
    conflicts_with: list[str]


class MatrixPair(_Model):
    a: str
    b: str
    files: list[str]


class FailedPair(_Model):
    a: str
    b: str
    error: str


class SkippedHead(_Model):
    id: str
    reason: str


class ConflictMatrix(_Model):
    schema_version: str = MATRIX_SCHEMA_VERSION
    repository: str
    base: str
    base_oid: str
    heads_from: str
    heads: list[MatrixHead]
    pairs: list[MatrixPair]
    pairs_checked: int
    pairs_disjoint: int
    failed_pairs: list[FailedPair]
    skipped: list[SkippedHead]


@dataclass(frozen=True, slots=True)
class _Head:
    id: str
    number: int | None
    title: str
    url: str
    who: str
    draft: bool
    located: Located


def _heads_from_pulls(pulls: Sequence[PullRequest], refs: RefIndex) -> tuple[list[_Head], list[SkippedHead]]:
    candidates = {p.number: head_candidates(p, refs, live=True) for p in pulls}
    resolved = commit_objects(refs.repo, [c.oid for options in candidates.values() for c in options])
    heads, skipped = [], []
    for pull in pulls:
        found = next((Located(resolved[c.oid], c.via) for c in candidates[pull.number] if c.oid in resolved), None)
        if found is None:
            skipped.append(SkippedHead(id=f"#{pull.number}", reason="head not found: no refs/pull ref, no branch, "
                                                                    "and headRefOid is not in the repository"))
            continue
        who = pull.attribution.agent or pull.attribution.kind.value
        heads.append(_Head(f"#{pull.number}", pull.number, pull.title, pull.url, who, pull.is_draft, found))
    return heads, skipped


def _heads_from_refs(refs: RefIndex, base: str) -> tuple[list[_Head], str]:
    open_numbers = refs.pull_numbers("head") & refs.pull_numbers("merge")
    if open_numbers:
        heads = [_Head(f"#{n}", n, "", "", "", False, Located(refs.refs[f"refs/pull/{n}/head"], f"refs/pull/{n}/head"))
                 for n in sorted(open_numbers)]
        return heads, "refs/pull/N/head with a refs/pull/N/merge ref"
    branches = refs.remote_branches({base})
    heads = [_Head(name, None, "", "", "", False, located) for name, located in branches.items()]
    return heads, f"branches ({'refs/remotes/' + refs.remotes[0] if refs.remotes else 'refs/heads'})"


def _changed_paths(repo: Path, base_oid: str, head_oid: str) -> set[str] | None:
    """Paths the head changed since its merge base with the base; ``None`` when there is no merge base."""
    result = run_git(repo, "diff", "--name-only", "-z", "--no-renames", f"{base_oid}...{head_oid}", check=False)
    if result.returncode != 0:
        return None
    return {path for path in result.stdout.split("\0") if path}


def _folders(paths: set[str]) -> set[str]:
    return {folder for path in paths for folder in folders_of(path)}


def may_conflict(first: set[str] | None, second: set[str] | None) -> bool:
    """Tell whether two change sets can conflict: a shared path, or a path that is a folder in the other.

    An unknown change set (``None``) may conflict with anything.
    """
    if first is None or second is None:
        return True
    return bool(first & second or first & _folders(second) or _folders(first) & second)


class _PairFilter:
    """Decides which pairs of heads to merge (see ``agentlanes.metrics.forks``)."""

    def __init__(self, repo: Path, base_oid: str, heads: list[_Head]) -> None:
        self.paths = {head.id: _changed_paths(repo, base_oid, head.located.oid) for head in heads}
        line = BaseLine(nodes_from_git(repo, [base_oid] + [head.located.oid for head in heads]), base_oid)
        self.forks = {head.id: fork_index(line, head.located.oid) for head in heads}
        known = [fork for fork in self.forks.values() if fork is not None]
        self.changes = BaseChanges(repo, line, min(known)) if known else None

    def may_conflict(self, first: _Head, second: _Head) -> bool:
        paths_a, paths_b = self.paths[first.id], self.paths[second.id]
        fork_a, fork_b = self.forks[first.id], self.forks[second.id]
        if paths_a is None or paths_b is None or fork_a is None or fork_b is None or self.changes is None:
            return True
        if may_conflict(paths_a, paths_b):
            return True
        older, lower, upper = (paths_a, fork_a, fork_b) if fork_a <= fork_b else (paths_b, fork_b, fork_a)
        return self.changes.touches(older, lower, upper)


def conflict_matrix(repo: str | Path, pulls: Sequence[PullRequest] | None = None, base: str | None = None,
                    max_heads: int = DEFAULT_MAX_HEADS, all_pairs: bool = False) -> ConflictMatrix:
    """Merge every open head with the base and with every other head it may conflict with."""
    path = open_repository(repo)
    refs = RefIndex(path)
    base_name = base or _common_base(pulls) or refs.default_base()
    located_base = refs.branch(base_name)
    if located_base is None:
        raise InputError(f"base branch {base_name!r} not found in {path}",
                         "fetch it, or name an existing branch with --base")
    if pulls is not None:
        heads, skipped = _heads_from_pulls([p for p in pulls if p.state is PullState.OPEN], refs)
        heads_from = "PR data (open PRs)"
    else:
        heads, heads_from = _heads_from_refs(refs, base_name)
        skipped = []
    heads.sort(key=lambda head: (head.number is None, -(head.number or 0), head.id))
    for head in heads[max_heads:]:
        skipped.append(SkippedHead(id=head.id, reason=f"more than --max-heads {max_heads} open heads"))
    heads = heads[:max_heads]
    return _run(path, base_name, located_base.oid, heads, heads_from, skipped, all_pairs)


def _common_base(pulls: Sequence[PullRequest] | None) -> str | None:
    names = [p.base_ref for p in pulls or () if p.state is PullState.OPEN and p.base_ref]
    return max(set(names), key=lambda name: (names.count(name), name)) if names else None


def _run(repo: Path, base: str, base_oid: str, heads: list[_Head], heads_from: str, skipped: list[SkippedHead],
         all_pairs: bool) -> ConflictMatrix:
    pair_filter = _PairFilter(repo, base_oid, heads)
    paths = pair_filter.paths
    candidates = [(a, b) for a, b in combinations(heads, 2) if all_pairs or pair_filter.may_conflict(a, b)]
    requests = [(base_oid, head.located.oid) for head in heads]
    requests += [(a.located.oid, b.located.oid) for a, b in candidates]
    results = {(r.ours, r.theirs): r for r in merge_pairs(repo, list(dict.fromkeys(requests)))}
    pairs: list[MatrixPair] = []
    failed: list[FailedPair] = []
    partners: dict[str, list[str]] = {head.id: [] for head in heads}
    for a, b in candidates:
        result = results.get((a.located.oid, b.located.oid))
        if result is not None and result.clean is None:
            failed.append(FailedPair(a=a.id, b=b.id, error=result.error))
        if result is not None and result.conflicted:
            pairs.append(MatrixPair(a=a.id, b=b.id, files=list(result.files)))
            partners[a.id].append(b.id)
            partners[b.id].append(a.id)
    rows = []
    for head in heads:
        result = results.get((base_oid, head.located.oid))
        rows.append(MatrixHead(
            id=head.id, number=head.number, title=head.title, url=head.url, who=head.who, draft=head.draft,
            ref=head.located.via, oid=head.located.oid, changed_files=len(paths[head.id] or ()),
            base_conflict=None if result is None or result.clean is None else result.conflicted,
            base_files=list(result.files) if result is not None else [],
            base_error=result.error if result is not None else "not merged",
            conflicts_with=partners[head.id],
        ))
    return ConflictMatrix(repository=str(repo), base=base, base_oid=base_oid, heads_from=heads_from, heads=rows,
                          pairs=pairs, pairs_checked=len(candidates),
                          pairs_disjoint=len(heads) * (len(heads) - 1) // 2 - len(candidates), failed_pairs=failed,
                          skipped=skipped)
