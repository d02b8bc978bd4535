"""BM25 indexes (bm25s) over the files and the past change sets known at a moment.

Three file indexes score the same list of known files:

- ``paths``: the tokens of each path only (also the plain baseline);
- ``history``: path tokens plus the texts of the change sets that touched the
  file, so a file is found by the words people used when they changed it;
- ``contents``: identifiers and words in the file itself, when a checkout is given.

``tasks`` indexes the change sets themselves, to find similar past work.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

from agentlanes.analysis.footprint.history import ChangeSet
from agentlanes.analysis.footprint.tokens import path_tokens, tokenize_cached

# Texts kept per file for the history index, newest first; older ones add little.
MAX_TEXTS_PER_FILE = 60
# Paths are repeated so that they weigh as much as a few change-set texts.
PATH_REPEAT = 3


def _index(documents: list[list[str]]) -> bm25s.BM25 | None:
    if not documents or not any(documents):
        return None
    index = bm25s.BM25()
    # bm25s needs at least one token per document; "" never matches a query token.
    index.index([doc or [""] for doc in documents], show_progress=False)
    return index


@dataclass
class ScoredList:
    """Scores of every document for one query, with a top-N view."""

    scores: np.ndarray
    top: list[int]

    @property
    def best(self) -> float:
        return float(self.scores[self.top[0]]) if self.top else 0.0

    def normalised(self, position: int) -> float:
        best = self.best
        return float(self.scores[position]) / best if best > 0 else 0.0


def _score(index: bm25s.BM25 | None, tokens: list[str], size: int, top: int) -> ScoredList:
    if index is None or not tokens or size == 0:
        return ScoredList(np.zeros(size, dtype=np.float32), [])
    scores = np.asarray(index.get_scores(tokens), dtype=np.float32)
    count = min(top, size)
    candidates = np.argpartition(-scores, count - 1)[:count]
    ordered = [int(i) for i in candidates[np.argsort(-scores[candidates], kind="stable")] if scores[i] > 0]
    return ScoredList(scores, ordered)


class FileIndexes:
    """The three file indexes over one snapshot of the known files."""

    def __init__(
        self,
        paths: Sequence[str],
        changes: Sequence[ChangeSet],
        contents: Mapping[str, list[str]] | None = None,
    ) -> None:
        self.paths = list(paths)
        self.position = {path: i for i, path in enumerate(self.paths)}
        texts: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for change in reversed(changes):
            title = tokenize_cached(change.text.split("\n", 1)[0])
            for path in change.files:
                bucket = texts[path]
                if len(bucket) < MAX_TEXTS_PER_FILE:
                    bucket.append(title)
        path_docs = [list(path_tokens(path)) for path in self.paths]
        history_docs = []
        for path, doc in zip(self.paths, path_docs, strict=True):
            tokens = doc * PATH_REPEAT
            for title in texts.get(path, ()):
                tokens.extend(title)
            history_docs.append(tokens)
        self.path_index = _index(path_docs)
        self.history_index = _index(history_docs)
        self.content_index = None
        if contents:
            self.content_index = _index([contents.get(path, []) for path in self.paths])

    def score(self, tokens: list[str], top: int) -> dict[str, ScoredList]:
        size = len(self.paths)
        return {
            "path": _score(self.path_index, tokens, size, top),
            "history": _score(self.history_index, tokens, size, top),
            "content": _score(self.content_index, tokens, size, top),
        }


class TaskIndex:
    """Past change sets, to retrieve the ones most similar to a new task."""

    def __init__(self, changes: Sequence[ChangeSet]) -> None:
        self.changes = list(changes)
        self.index = _index([list(tokenize_cached(change.text)) for change in self.changes])

    def similar(self, tokens: list[str], top: int) -> list[tuple[ChangeSet, float]]:
        result = _score(self.index, tokens, len(self.changes), top)
        best = result.best
        if best <= 0:
            return []
        return [(self.changes[i], float(result.scores[i]) / best) for i in result.top]
