"""Build real git repositories with dated commits, branches and GitHub-style pull refs for tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class Repo:
    """A git repository in a temporary folder; every commit gets the author and time it is given."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Alice")
        self.git("config", "user.email", "alice@example.com")

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        merged = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", **(env or {})}
        result = subprocess.run(["git", "-C", str(self.path), *args], capture_output=True, text=True, env=merged,
                                check=True)
        return result.stdout.strip()

    @staticmethod
    def _dated(when: str, author: str = "Alice", email: str = "alice@example.com") -> dict[str, str]:
        return {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": author,
                "GIT_AUTHOR_EMAIL": email}

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            self.git("add", name)

    def commit(self, message: str, files: dict[str, str], when: str, author: str = "Alice",
               email: str = "alice@example.com") -> str:
        self.write(files)
        self.git("commit", "-q", "-m", message, env=self._dated(when, author, email))
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def checkout(self, branch: str, start: str | None = None) -> None:
        if start is None:
            self.git("checkout", "-q", branch)
        else:
            self.git("checkout", "-q", "-b", branch, start)

    def merge(self, branch: str, when: str, message: str) -> str:
        """Merge ``branch`` into the current branch with a merge commit."""
        self.git("merge", "-q", "--no-ff", "-m", message, branch, env=self._dated(when))
        return self.head()

    def squash(self, branch: str, when: str, message: str) -> str:
        self.git("merge", "-q", "--squash", branch)
        self.git("commit", "-q", "-m", message, env=self._dated(when))
        return self.head()

    def pull_ref(self, number: int, head: str, open_pull: bool) -> None:
        """Create GitHub's ``refs/pull/N/head`` (and ``refs/pull/N/merge`` for an open PR)."""
        self.git("update-ref", f"refs/pull/{number}/head", head)
        if open_pull:
            self.git("update-ref", f"refs/pull/{number}/merge", head)


def lines(*changes: tuple[int, str], count: int = 12) -> str:
    """A numbered text file with some lines replaced: ``lines((1, "x"))``."""
    content = [f"line {index}" for index in range(1, count + 1)]
    for number, text in changes:
        content[number - 1] = text
    return "\n".join(content) + "\n"
