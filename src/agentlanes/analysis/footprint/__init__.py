"""Predict the files an issue's fix will touch (its footprint)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from agentlanes.analysis.footprint.mentions import MentionIndex
from agentlanes.model import Issue


@dataclass(frozen=True, slots=True)
class PredictedFile:
    """One predicted file: ``score`` in [0, 1] and the signals that produced it."""

    path: str
    score: float
    signals: tuple[str, ...]


class FootprintPredictor:
    """Ranks the known files by how likely an issue's fix changes them."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = tuple(paths)
        self._mentions = MentionIndex(self.paths)

    def predict(self, issue: Issue, top: int = 20) -> list[PredictedFile]:
        found = [
            PredictedFile(m.path, round(0.9 * m.weight, 4), (m.signal,)) for m in self._mentions.mentions(issue.text)
        ]
        return found[:top]
