"""The ``--by`` grouping of per-author tables and charts: agent, component or author.

- ``agent``: the coding agent's name for agent work, else the author kind
  (``human``, ``dependency_bot``, ``other_bot``);
- ``author``: the PR author's login (``app/<slug>`` for bots, ``ghost`` for
  deleted accounts);
- ``component``: the component with the most changed files in the PR, ties
  going to the alphabetically first name. A PR that lists no files is in
  ``(no files)``, one whose files belong to no component in ``(no component)``.
"""

from __future__ import annotations

from collections import Counter

from agentlanes.analysis.paths import ComponentIndex, known_paths, resolve_components
from agentlanes.config import Config
from agentlanes.errors import InputError
from agentlanes.model import AuthorKind, Dataset, PullRequest

GROUPINGS = ("agent", "component", "author")
NO_FILES = "(no files)"
NO_COMPONENT = "(no component)"
# Group of dispatched issues that have no pull request yet, when grouping by component.
DISPATCHED = "(dispatched, no PR yet)"


class Grouper:
    """Maps a pull request to its group under one ``--by`` choice."""

    def __init__(self, by: str, index: ComponentIndex | None = None) -> None:
        if by not in GROUPINGS:
            raise InputError(f"invalid --by value {by!r}", f"use one of: {', '.join(GROUPINGS)}")
        self.by = by
        self._index = index
        self._cache: dict[int, str] = {}

    @classmethod
    def for_dataset(cls, by: str, dataset: Dataset, config: Config) -> Grouper:
        index = None
        if by == "component":
            index = ComponentIndex(resolve_components(config, known_paths(dataset)))
        return cls(by, index)

    def of(self, pull: PullRequest) -> str:
        group = self._cache.get(pull.number)
        if group is None:
            group = self._compute(pull)
            self._cache[pull.number] = group
        return group

    def of_dispatch(self, agent: str) -> str:
        """Return the group of an issue dispatched to ``agent`` that has no pull request yet."""
        return DISPATCHED if self.by == "component" else agent

    def _compute(self, pull: PullRequest) -> str:
        if self.by == "agent":
            attribution = pull.attribution
            if attribution.kind is AuthorKind.AGENT and attribution.agent:
                return attribution.agent
            return attribution.kind.value
        if self.by == "author":
            return pull.author.login
        return self._component(pull)

    def _component(self, pull: PullRequest) -> str:
        if not pull.file_paths:
            return NO_FILES
        assert self._index is not None
        counts = Counter(c for path in pull.file_paths if (c := self._index.component_of(path)))
        if not counts:
            return NO_COMPONENT
        return min(counts, key=lambda name: (-counts[name], name))

