"""Read a local git checkout: its tree at a moment, file contents, and commit history."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from agentlanes.errors import InputError, RemoteError
from agentlanes.model import Commit, Dataset
from agentlanes.timeutil import parse_timestamp

_FIELD = "\x1f"
_RECORD = "\x1e"
_END_OF_MESSAGE = "\x1d"


def run_git(repo: Path, *args: str, input_text: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git in ``repo``; raise ``RemoteError`` with git's message on failure."""
    try:
        result = subprocess.run(
            ["git", "-C", str(repo), *args],
            input=input_text,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except FileNotFoundError:
        raise InputError("git is not installed", "install git 2.38 or newer") from None
    if check and result.returncode != 0:
        raise RemoteError(f"git {' '.join(args[:3])} failed in {repo}: {result.stderr.strip()}",
                          "check that the path is a git checkout with the needed history")
    return result


@dataclass(frozen=True)
class Checkout:
    """A git working copy given with ``--repo``."""

    path: Path

    @classmethod
    def open(cls, path: str | Path) -> Checkout:
        folder = Path(path)
        if not folder.is_dir():
            raise InputError(f"--repo {path}: folder not found", "pass the path of a git checkout")
        result = run_git(folder, "rev-parse", "--show-toplevel", check=False)
        if result.returncode != 0:
            raise InputError(f"--repo {path}: not a git checkout", "clone the repository and pass its folder")
        return cls(Path(result.stdout.strip()))

    def commit_at(self, moment: datetime | None, ref: str = "HEAD") -> str | None:
        """Return the newest commit on ``ref`` committed at or before ``moment``."""
        args = ["rev-list", "-1", "--first-parent"]
        if moment is not None:
            args.append(f"--before={moment.isoformat()}")
        result = run_git(self.path, *args, ref, check=False)
        sha = result.stdout.strip()
        return sha or None

    def tree(self, commit: str) -> list[str]:
        result = run_git(self.path, "ls-tree", "-r", "--name-only", "-z", commit)
        return [name for name in result.stdout.split("\0") if name]

    def blobs(self, commit: str) -> dict[str, str]:
        """Path -> blob id of every file in ``commit``'s tree (submodules left out)."""
        result = run_git(self.path, "ls-tree", "-r", "-z", commit)
        found: dict[str, str] = {}
        for entry in result.stdout.split("\0"):
            meta, _, path = entry.partition("\t")
            parts = meta.split()
            if len(parts) == 3 and parts[1] == "blob":
                found[path] = parts[2]
        return found

    def read_blobs(self, blob_ids: list[str], max_bytes: int) -> dict[str, str]:
        """Text of blobs by id via one ``git cat-file --batch``; large or binary blobs are skipped."""
        request = "".join(f"{blob}\n" for blob in blob_ids)
        process = subprocess.run(["git", "-C", str(self.path), "cat-file", "--batch"],
                                 input=request.encode("ascii"), capture_output=True, check=False)
        output = process.stdout
        texts: dict[str, str] = {}
        offset = 0
        for blob in blob_ids:
            newline = output.find(b"\n", offset)
            if newline < 0:
                break
            header = output[offset:newline].split()
            offset = newline + 1
            if len(header) < 3 or header[1] == b"missing":
                continue
            size = int(header[2])
            data = output[offset:offset + size]
            offset += size + 1
            if size <= max_bytes and b"\0" not in data[:8000]:
                texts[blob] = data.decode("utf-8", errors="replace")
        return texts

    def history(self, ref: str = "HEAD", limit: int | None = None, first_parent: bool = True) -> list[Commit]:
        """Commits reachable from ``ref``, newest first, with changed paths.

        With ``first_parent`` only the first-parent line is walked, and a merge
        commit lists the files changed against its first parent.
        """
        fields = ["%H", "%P", "%an", "%aI", "%cI", "%cn", "%s",
                  "%(trailers:key=Co-authored-by,valueonly,separator=%x1c)", "%b"]
        fmt = _RECORD + _FIELD.join(fields) + _END_OF_MESSAGE
        args = ["log", f"--format={fmt}", "--name-only", "--no-renames"]
        args += ["-m", "--first-parent"] if first_parent else ["--topo-order"]
        if limit:
            args.append(f"-n{limit}")
        result = run_git(self.path, *args, ref)
        commits: list[Commit] = []
        for chunk in result.stdout.split(_RECORD)[1:]:
            message, _, names = chunk.partition(_END_OF_MESSAGE)
            parts = message.split(_FIELD)
            if len(parts) < len(fields):
                continue
            coauthors = tuple(c.split("<")[0].strip() for c in parts[7].split("\x1c") if c.strip())
            commits.append(
                Commit(
                    sha=parts[0],
                    parents=tuple(parts[1].split()),
                    author_name=parts[2],
                    authored_at=parse_timestamp(parts[3]),
                    committed_at=parse_timestamp(parts[4]),
                    committer_name=parts[5],
                    subject=parts[6],
                    coauthors=coauthors,
                    files=tuple(line for line in names.splitlines() if line.strip()),
                    body=parts[8].strip(),
                )
            )
        return commits


def checkout_dataset(checkout: Checkout, name: str | None = None) -> Dataset:
    """A data set made of a checkout's commits alone, for when no GitHub data is at hand."""
    commits = tuple(checkout.history(first_parent=False))
    return Dataset(
        name=name or checkout.path.name,
        issues=(),
        pulls=(),
        commits=commits,
        origin=f"git history of {checkout.path}",
    )
