"""The repository's file tree as known at a moment, and component globs over it.

With a checkout (``--repo``) the tree is ``git ls-tree`` of the commit that was
current at the moment. Without one, it is every path that a commit, a merged
pull request or an open pull request touched up to then: deleted files stay in,
and files that no change touched are missing, so the tree is an approximation.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from agentlanes.config import ComponentConfig, Config
from agentlanes.model import Dataset, PullState

ROOT_COMPONENT = "(root)"


@lru_cache(maxsize=4096)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate a path glob: ``**`` spans folders, ``*`` stays inside one."""
    pattern = pattern.strip().lstrip("/")
    if pattern.endswith("/"):
        pattern += "**"
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            parts.append(".*")
            index += 2
        elif pattern[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            parts.append("[^/]")
            index += 1
        else:
            parts.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(parts) + "$")


def glob_match(path: str, pattern: str) -> bool:
    return bool(_glob_regex(pattern).match(path))


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    globs: tuple[str, ...]
    source: str  # "config" or "top-level folder"

    def matches(self, path: str) -> bool:
        return any(glob_match(path, pattern) for pattern in self.globs)


def known_paths(dataset: Dataset, tree: Iterable[str] | None = None) -> tuple[str, ...]:
    """Return the repository's paths: the checkout's tree if given, else from history.

    From history: files changed by commits and merged PRs, plus the files of open
    PRs, which are locked and so must be matchable.
    """
    if tree is not None:
        return tuple(sorted(set(tree)))
    paths: set[str] = set()
    for commit in dataset.commits:
        paths.update(commit.files)
    for pull in dataset.pulls:
        if pull.state is not PullState.CLOSED:
            paths.update(pull.file_paths)
    return tuple(sorted(paths))


def default_components(paths: Iterable[str]) -> tuple[Component, ...]:
    """Build one component per top-level folder; top-level files share ``(root)``."""
    folders: set[str] = set()
    has_root_files = False
    for path in paths:
        if "/" in path:
            folders.add(path.split("/", 1)[0])
        else:
            has_root_files = True
    components = [Component(folder, (f"{folder}/**",), "top-level folder") for folder in sorted(folders)]
    if has_root_files:
        components.append(Component(ROOT_COMPONENT, ("*",), "top-level files"))
    return tuple(components)


def configured_components(configured: Iterable[ComponentConfig]) -> tuple[Component, ...]:
    return tuple(Component(c.name, tuple(c.paths), "config") for c in configured)


def resolve_components(config: Config, paths: Iterable[str]) -> tuple[Component, ...]:
    """Configured components if any, else the top-level folder default."""
    if config.components:
        return configured_components(config.components)
    return default_components(paths)


class ComponentIndex:
    """Maps paths to components, memoised, first matching component wins."""

    def __init__(self, components: tuple[Component, ...]) -> None:
        self.components = components
        self._cache: dict[str, str | None] = {}

    def component_of(self, path: str) -> str | None:
        if path not in self._cache:
            self._cache[path] = next((c.name for c in self.components if c.matches(path)), None)
        return self._cache[path]

    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.components)
