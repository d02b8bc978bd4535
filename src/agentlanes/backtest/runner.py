"""Run the file backtest on one data set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agentlanes.analysis.footprint.engine import ContentProvider, TreeProvider
from agentlanes.analysis.footprint.truth import truth_tasks
from agentlanes.backtest.files import FileScores
from agentlanes.backtest.replay import replay
from agentlanes.model import Dataset

DEFAULT_THRESHOLD = 0.3
# Past tasks replayed before the evaluation window, only to train the model.
WARMUP_TASKS = 400


@dataclass
class FileBacktest:
    dataset: str
    mode: str
    scores: FileScores
    evaluated: int
    warmup: int


def run_file_backtest(
    dataset: Dataset,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    tree: TreeProvider | None = None,
    contents: ContentProvider | None = None,
) -> FileBacktest:
    """Evaluate tasks opened in ``[since, until)`` (at most ``limit``, the earliest first)."""
    tasks, mode = truth_tasks(dataset)
    window = [t for t in tasks if (since is None or t.opened_at >= since) and (until is None or t.opened_at < until)]
    if limit is not None:
        window = window[:limit]
    keys = {task.key for task in window}
    start = window[0].opened_at if window else None
    before = [t for t in tasks if start is not None and t.opened_at < start][-WARMUP_TASKS:]
    scores = FileScores(threshold)
    for step in replay(dataset, before + window, keys, tree, contents):
        scores.add(step)
    return FileBacktest(dataset.name, mode, scores, len(window), len(before))
