"""Replay history in time order and compute footprint candidates at any moment.

The engine applies change sets strictly before a moment, and rebuilds its BM25
indexes at checkpoints: when the change sets applied since the last build reach
``REBUILD_FRACTION`` of those indexed, at least one and at most
``REBUILD_MAX_PENDING``. Between two builds the newest change sets are missing
from retrieval (they still count in frequencies and co-change), which can only
lower the measured accuracy. Predictions for the present use a fresh build.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from agentlanes.analysis.footprint.features import CandidateSet, Snapshot, build_candidates
from agentlanes.analysis.footprint.history import ChangeSet, HistoryState
from agentlanes.analysis.footprint.mentions import MentionIndex
from agentlanes.analysis.footprint.retrieval import FileIndexes, TaskIndex

REBUILD_MAX_PENDING = 50
REBUILD_FRACTION = 0.03
# Coarser checkpoints for replays that only train the model, where speed matters more.
TRAINING_REBUILD_MAX_PENDING = 200
TRAINING_REBUILD_FRACTION = 0.1

TreeProvider = Callable[[datetime], "tuple[str, list[str]] | None"]
ContentProvider = Callable[[str, list[str]], "dict[str, list[str]]"]


class FootprintEngine:
    """Incremental history plus indexes rebuilt at checkpoints.

    ``tree`` returns (commit, paths) of the checkout at a moment, or ``None``
    without a checkout; ``contents`` returns the content tokens of paths at a
    commit.
    """

    def __init__(
        self,
        changes: Sequence[ChangeSet],
        tree: TreeProvider | None = None,
        contents: ContentProvider | None = None,
        rebuild_fraction: float = REBUILD_FRACTION,
        rebuild_max_pending: int = REBUILD_MAX_PENDING,
    ) -> None:
        self._rebuild_fraction = rebuild_fraction
        self._rebuild_max_pending = rebuild_max_pending
        self._changes = sorted(changes, key=lambda change: change.at)
        self._next = 0
        self.state = HistoryState()
        self._tree = tree
        self._contents = contents
        self._snapshot: Snapshot | None = None
        self._indexed = 0
        self._commit: str | None = None
        self.builds = 0

    def advance(self, moment: datetime) -> None:
        """Apply every change set strictly before ``moment``."""
        while self._next < len(self._changes) and self._changes[self._next].at < moment:
            self.state.apply(self._changes[self._next])
            self._next += 1

    def _stale(self) -> bool:
        if self._snapshot is None:
            return True
        pending = len(self.state.changes) - self._indexed
        threshold = min(self._rebuild_max_pending, max(1.0, self._rebuild_fraction * self._indexed))
        return pending > 0 and pending >= threshold

    def _has_news(self, moment: datetime) -> bool:
        """Whether anything changed since the last build: change sets, paths or the checkout's commit."""
        if self._snapshot is None or len(self.state.changes) > self._indexed:
            return True
        if self._tree is None:
            return len(self.state.paths) != len(self._snapshot.files.paths)
        tree = self._tree(moment)
        return (tree[0] if tree else None) != self._commit

    def snapshot(self, moment: datetime, fresh: bool = False) -> Snapshot:
        """Return the indexes for ``moment`` (call ``advance(moment)`` first).

        The checkout's tree is read only when the indexes are rebuilt, so between
        two builds the file list is that of the last build's commit. ``fresh``
        forces a rebuild when anything changed since the last one.
        """
        if not self._stale() and not (fresh and self._has_news(moment)):
            assert self._snapshot is not None
            return self._snapshot
        tree = self._tree(moment) if self._tree is not None else None
        commit = tree[0] if tree else None
        paths = sorted(set(tree[1]) if tree else self.state.paths)
        contents = self._contents(commit, paths) if (self._contents and commit) else None
        frequent = self.state.top_frequent(moment, 50)
        self._snapshot = Snapshot(
            moment=moment,
            history=self.state,
            files=FileIndexes(paths, self.state.changes, contents),
            tasks=TaskIndex(self.state.changes),
            mentions=MentionIndex(paths),
            frequent=frequent,
        )
        self._indexed = len(self.state.changes)
        self._commit = commit
        self.builds += 1
        return self._snapshot

    def candidates(self, text: str, task_type: str, moment: datetime) -> CandidateSet:
        self.advance(moment)
        return build_candidates(self.snapshot(moment), text, task_type, moment)

    def detach(self) -> None:
        """Drop the checkout providers, keeping the current snapshot for later predictions."""
        self._tree = None
        self._contents = None

    def known_paths(self) -> set[str]:
        """Files known now: the last build's tree (or history) plus files changed since."""
        indexed = set(self._snapshot.files.paths) if self._snapshot is not None else set()
        return indexed | self.state.paths if self._tree is None else indexed | self._recent_paths()

    def _recent_paths(self) -> set[str]:
        return {path for change in self.state.changes[self._indexed:] for path in change.files}
