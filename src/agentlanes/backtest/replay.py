"""Time-ordered replay shared by the file and conflict backtests.

Tasks are visited in the order they were opened. Before each one, the model is
refitted on the past tasks whose real footprint was known by then (their fix
had merged), so no prediction uses a label from its own future.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from agentlanes.analysis.footprint import labels_for
from agentlanes.analysis.footprint.engine import ContentProvider, FootprintEngine, TreeProvider
from agentlanes.analysis.footprint.features import CandidateSet, Snapshot
from agentlanes.analysis.footprint.history import change_sets
from agentlanes.analysis.footprint.model import Calibrator
from agentlanes.analysis.footprint.tokens import tokenize
from agentlanes.analysis.footprint.truth import TruthTask
from agentlanes.model import Dataset

# The model is refitted after this many newly labelled tasks.
REFIT_EVERY = 25
BASELINE_TOP = 20


@dataclass
class ReplayStep:
    task: TruthTask
    candidates: CandidateSet
    probabilities: np.ndarray
    baseline: list[str]
    known: set[str]
    trained: bool

    def ranked(self) -> list[tuple[str, float]]:
        order = np.argsort(-self.probabilities, kind="stable")
        return [(self.candidates.paths[i], float(self.probabilities[i])) for i in order]


def baseline_ranking(snapshot: Snapshot, text: str, top: int = BASELINE_TOP) -> list[str]:
    """Plain BM25 over path tokens only: the baseline every report shows."""
    result = snapshot.files.score(tokenize(text), top)["path"]
    return [snapshot.files.paths[i] for i in result.top[:top]]


def replay(
    dataset: Dataset,
    tasks: Sequence[TruthTask],
    evaluate: set[str],
    tree: TreeProvider | None = None,
    contents: ContentProvider | None = None,
) -> Iterator[ReplayStep]:
    """Yield a step for every task whose key is in ``evaluate``; train on all of them."""
    engine = FootprintEngine(change_sets(dataset), tree, contents)
    calibrator = Calibrator()
    pending: list[tuple[datetime, int, np.ndarray, np.ndarray, tuple[str, ...]]] = []
    released_since_fit = 0
    for order, task in enumerate(tasks):
        while pending and pending[0][0] <= task.opened_at:
            _, _, matrix, labels, truth = heapq.heappop(pending)
            calibrator.add(matrix, labels)
            engine.state.record_truth(truth)
            released_since_fit += 1
        if released_since_fit >= REFIT_EVERY:
            calibrator.fit()
            released_since_fit = 0
        found = engine.candidates(task.text, task.task_type, task.opened_at)
        labels = labels_for(found.paths, task.truth)
        heapq.heappush(pending, (task.truth_at, order, found.matrix, labels, task.truth))
        if task.key not in evaluate:
            continue
        snapshot = engine.snapshot(task.opened_at)
        yield ReplayStep(
            task=task,
            candidates=found,
            probabilities=calibrator.probabilities(found.matrix),
            baseline=baseline_ranking(snapshot, task.text),
            known=engine.known_paths(),
            trained=calibrator.trained,
        )
