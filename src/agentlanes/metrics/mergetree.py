"""Test merges without a work tree: batched ``git merge-tree --write-tree --stdin``.

Each request is one pair of commits. ``git merge-tree --stdin`` (git 2.38+)
merges every pair in one process and prints, per merge, a status, the resulting
tree and, with ``--name-only``, the conflicted paths, each field ended by NUL.
Under ``--stdin`` the per-merge status is 1 for a clean merge and 0 for a
conflicted one, the reverse of a single merge's exit status. Informational
messages are turned off with ``--no-messages`` and never parsed.

A pair git cannot merge at all (an unknown object, unrelated histories) stops
the whole ``--stdin`` run. The objects are therefore checked first with one
``git cat-file --batch-check``; if a run still stops, the pair it stopped on is
recorded as an error and the rest of the batch is run again.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from agentlanes.errors import InputError, RemoteError

MIN_GIT_VERSION = (2, 38)


@dataclass(frozen=True, slots=True)
class MergeResult:
    """Outcome of merging ``ours`` and ``theirs``: ``clean`` is ``None`` when the merge failed to run."""

    ours: str
    theirs: str
    clean: bool | None
    files: tuple[str, ...] = ()
    error: str = ""

    @property
    def conflicted(self) -> bool:
        return self.clean is False


def _git(repo: Path, args: Sequence[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise InputError("git is not installed", "install git 2.38 or newer") from None


def open_repository(path: str | Path) -> Path:
    """Check that ``path`` is a git repository (a checkout or a bare mirror clone) and return it."""
    folder = Path(path)
    if not folder.is_dir():
        raise InputError(f"--repo {path}: folder not found", "pass the path of a local clone of the repository")
    if _git(folder, ["rev-parse", "--git-dir"], b"").returncode != 0:
        raise InputError(f"--repo {path}: not a git repository",
                         "clone the repository (git clone --mirror also fetches refs/pull/*) and pass its folder")
    check_git_version(folder)
    return folder


def check_git_version(repo: Path) -> None:
    """Raise ``InputError`` when git is older than ``merge-tree --write-tree`` needs."""
    output = _git(repo, ["version"], b"").stdout.decode("utf-8", "replace")
    digits = [part for part in output.split() if part[:1].isdigit()]
    numbers = tuple(int(piece) for piece in digits[0].split(".")[:2] if piece.isdigit()) if digits else ()
    if numbers and numbers < MIN_GIT_VERSION:
        raise InputError(f"git {digits[0]} is too old for merge replays",
                         "install git 2.38 or newer (merge-tree --write-tree)")


def commit_objects(repo: Path, revisions: Sequence[str]) -> dict[str, str]:
    """Resolve revisions to commit ids with one ``git cat-file --batch-check``; unknown ones are left out."""
    unique = list(dict.fromkeys(r for r in revisions if r and "\n" not in r))
    if not unique:
        return {}
    request = "".join(f"{revision}^{{commit}}\n" for revision in unique).encode("utf-8")
    result = _git(repo, ["cat-file", "--batch-check=%(objectname) %(objecttype)"], request)
    if result.returncode != 0:
        raise RemoteError(f"git cat-file failed in {repo}: {result.stderr.decode('utf-8', 'replace').strip()}",
                          "check that --repo is a readable git repository")
    resolved: dict[str, str] = {}
    for revision, line in zip(unique, result.stdout.decode("utf-8", "replace").splitlines(), strict=False):
        fields = line.split()
        if len(fields) == 2 and fields[1] == "commit":
            resolved[revision] = fields[0]
    return resolved


def _parse(output: bytes, pairs: Sequence[tuple[str, str]]) -> list[MergeResult]:
    """Parse complete ``status NUL tree NUL [path NUL]* NUL`` records, one per pair, in order."""
    tokens = output.split(b"\0")
    results: list[MergeResult] = []
    index = 0
    for ours, theirs in pairs:
        if index + 1 >= len(tokens) or not tokens[index].lstrip(b"-").isdigit():
            break
        status = int(tokens[index])
        cursor = index + 2
        files: list[str] = []
        while cursor < len(tokens) and tokens[cursor] != b"":
            files.append(tokens[cursor].decode("utf-8", "surrogateescape"))
            cursor += 1
        if cursor >= len(tokens):
            break
        index = cursor + 1
        if status < 0:
            results.append(MergeResult(ours, theirs, None, error=f"merge-tree status {status}"))
        else:
            results.append(MergeResult(ours, theirs, status == 1, tuple(files)))
    return results


def merge_pairs(repo: Path, pairs: Sequence[tuple[str, str]]) -> list[MergeResult]:
    """Merge every pair in one ``git merge-tree --stdin`` run (more only after a failed pair)."""
    results: list[MergeResult] = []
    remaining = list(pairs)
    while remaining:
        request = "".join(f"{ours} {theirs}\n" for ours, theirs in remaining).encode("utf-8")
        process = _git(repo, ["merge-tree", "--write-tree", "--stdin", "--name-only", "--no-messages"], request)
        done = _parse(process.stdout, remaining)
        results.extend(done)
        if process.returncode == 0 and len(done) == len(remaining):
            break
        if len(done) >= len(remaining):
            break
        failed = remaining[len(done)]
        message = process.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = next((line for line in message if line.startswith(("fatal:", "error:"))), "")
        reason = reason or (message[-1] if message else f"git merge-tree exited with status {process.returncode}")
        results.append(MergeResult(failed[0], failed[1], None, error=reason))
        remaining = remaining[len(done) + 1:]
    return results
