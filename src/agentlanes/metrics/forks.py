"""Where PR heads forked from the base branch, and which paths the base changed since.

Merging two heads A and B three-way compares each with their merge base. When
both forked from the base branch's first-parent line, A at line index ``a`` and
B at ``b >= a``, the merge base is A's fork point, so A's side contains A's own
changes and B's side B's own changes plus every base change in ``(a, b]``. The
two can only conflict where those change sets touch: the same path, or a path
that is a folder on the other side. Rename detection can pair paths that do not
touch, so this test is a filter for which pairs to merge, not a verdict.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from agentlanes.metrics.history import BaseLine
from agentlanes.sources.gitrepo import run_git


def folders_of(path: str) -> list[str]:
    """Return every folder that contains ``path``: ``a/b/c.py`` -> ``a``, ``a/b``."""
    parts = path.split("/")
    return ["/".join(parts[:depth]) for depth in range(1, len(parts))]


def fork_index(line: BaseLine, head: str) -> int | None:
    """Return the line index of the newest base commit the head contains, or ``None`` when it contains none."""
    tip = len(line.line) - 1
    own = line.own_commits(head, tip)
    if own is None:
        return None
    if not own:
        return line.landing.get(head)
    shas = {node.sha for node in own}
    landed = [line.landing[parent] for node in own for parent in node.parents
              if parent not in shas and parent in line.landing]
    return max(landed) if landed else None


class BaseChanges:
    """Paths changed by each commit on the base line after ``start`` (compared with its first parent)."""

    def __init__(self, repo: Path, line: BaseLine, start: int) -> None:
        self._files: dict[str, list[int]] = defaultdict(list)
        self._folders: dict[str, list[int]] = defaultdict(list)
        if start >= len(line.line) - 1:
            return
        output = run_git(repo, "log", "--first-parent", "-m", "--name-only", "--no-renames", "--format=%x1e%H",
                         line.line[-1], f"^{line.line[start]}").stdout
        for record in output.split("\x1e")[1:]:
            sha, _, names = record.partition("\n")
            index = line.position.get(sha.strip())
            if index is None:
                continue
            for name in filter(None, (n.strip() for n in names.splitlines())):
                self._files[name].append(index)
                for folder in folders_of(name):
                    self._folders[folder].append(index)
        for table in (self._files, self._folders):
            for indexes in table.values():
                indexes.sort()

    @staticmethod
    def _any_in(indexes: list[int], lower: int, upper: int) -> bool:
        position = bisect.bisect_right(indexes, lower)
        return position < len(indexes) and indexes[position] <= upper

    def touches(self, paths: Iterable[str], lower: int, upper: int) -> bool:
        """Tell whether a base commit with line index in ``(lower, upper]`` touches one of ``paths``."""
        if upper <= lower:
            return False
        for path in paths:
            if self._any_in(self._files.get(path, []), lower, upper):
                return True
            if self._any_in(self._folders.get(path, []), lower, upper):
                return True
            if any(self._any_in(self._files.get(folder, []), lower, upper) for folder in folders_of(path)):
                return True
        return False
