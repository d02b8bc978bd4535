"""Predict the files an issue's fix will touch (its footprint), with probabilities.

Signals: files named in the text (paths, file names, stack frames); BM25 over
path tokens, over the texts of past changes to each file, and over file contents
with a checkout; the files of similar past work; co-change with those files; and
how often and how recently each file changes. A logistic model fitted on the
repository's own past tasks turns the signals into calibrated probabilities.
Only data from before the prediction moment is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from agentlanes.analysis.footprint.engine import (
    TRAINING_REBUILD_FRACTION,
    TRAINING_REBUILD_MAX_PENDING,
    ContentProvider,
    FootprintEngine,
    TreeProvider,
)
from agentlanes.analysis.footprint.checkout import CheckoutProviders
from agentlanes.analysis.footprint.history import change_sets
from agentlanes.analysis.footprint.model import Calibrator
from agentlanes.analysis.footprint.truth import TruthTask, truth_tasks
from agentlanes.model import Dataset, PullState

# Past tasks replayed to fit the model when predicting; older ones add little.
MAX_TRAINING_TASKS = 300
DEFAULT_TOP = 20
# Files under this probability are not listed in a footprint.
MIN_LISTED_PROBABILITY = 0.02


@dataclass(frozen=True, slots=True)
class PredictedFile:
    """One predicted file: ``score`` is the probability that the fix changes it."""

    path: str
    score: float
    signals: tuple[str, ...]


def labels_for(paths: list[str], truth: tuple[str, ...]) -> np.ndarray:
    wanted = set(truth)
    return np.array([1.0 if path in wanted else 0.0 for path in paths])


class FootprintPredictor:
    """Ranks the known files by the probability that a task's fix changes them."""

    def __init__(self, engine: FootprintEngine, calibrator: Calibrator, moment: datetime, mode: str,
                 training_tasks: int) -> None:
        self.engine = engine
        self.calibrator = calibrator
        self.moment = moment
        self.mode = mode
        self.training_tasks = training_tasks

    @classmethod
    def build(
        cls,
        dataset: Dataset,
        moment: datetime | None = None,
        tree: TreeProvider | None = None,
        contents: ContentProvider | None = None,
    ) -> FootprintPredictor:
        """Replay ``dataset`` (already cut at ``moment``) and fit the model on its past tasks."""
        moment = moment or dataset.now
        engine = FootprintEngine(
            change_sets(dataset), tree, contents, TRAINING_REBUILD_FRACTION, TRAINING_REBUILD_MAX_PENDING
        )
        calibrator = Calibrator()
        past, mode = truth_tasks(dataset)
        if moment is not None:
            past = [t for t in past if t.opened_at < moment and t.truth_at <= moment]
        past = past[-MAX_TRAINING_TASKS:]
        released: list[TruthTask] = []
        for task in past:
            # Count the real footprints of tasks finished before this one opened.
            while released and released[0].truth_at <= task.opened_at:
                engine.state.record_truth(released.pop(0).truth)
            found = engine.candidates(task.text, task.task_type, task.opened_at)
            calibrator.add(found.matrix, labels_for(found.paths, task.truth))
            released.append(task)
            released.sort(key=lambda t: t.truth_at)
        for task in released:
            engine.state.record_truth(task.truth)
        calibrator.fit()
        if moment is not None:
            # Changes at the moment itself (the newest merge, say) already exist.
            engine.advance(moment + timedelta(microseconds=1))
        # Files of open pull requests exist on their branches and are locked, so
        # they must be matchable even before any merge adds them.
        engine.state.paths.update(p for pull in dataset.pulls if pull.state is PullState.OPEN for p in pull.file_paths)
        if moment is not None:
            engine.snapshot(moment, fresh=True)
        return cls(engine, calibrator, moment, mode, len(past))  # type: ignore[arg-type]

    def predict_text(self, text: str, task_type: str = "feature", top: int = DEFAULT_TOP,
                     moment: datetime | None = None) -> list[PredictedFile]:
        """Rank files for a task text; at most ``top`` files above the listing floor."""
        when = moment or self.moment
        found = self.engine.candidates(text, task_type, when)
        probabilities = self.calibrator.probabilities(found.matrix)
        order = np.argsort(-probabilities, kind="stable")
        result: list[PredictedFile] = []
        for index in order[:top]:
            probability = float(probabilities[index])
            if probability < MIN_LISTED_PROBABILITY:
                break
            result.append(PredictedFile(found.paths[index], round(probability, 4), tuple(found.signals[index][:4])))
        return result


__all__ = ["FootprintPredictor", "PredictedFile", "TruthTask", "build_cached", "labels_for"]


def _fingerprint(dataset: Dataset, moment: datetime | None, commit: str | None) -> str:
    import hashlib

    from agentlanes import __version__

    parts = [
        __version__, str(PREDICTOR_CACHE_VERSION), dataset.name, dataset.origin, str(moment), str(commit),
        str(len(dataset.issues)), str(len(dataset.pulls)), str(len(dataset.commits)), str(dataset.latest_event),
        str(sum(len(i.body) for i in dataset.issues)), str(sum(len(p.files or ()) for p in dataset.pulls)),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


PREDICTOR_CACHE_VERSION = 1
# Saved predictors kept on disk; older ones are deleted first.
MAX_CACHED_PREDICTORS = 8


def _cache_path(key: str):
    from agentlanes.analysis.footprint.checkout import cache_dir

    return cache_dir() / "predictors" / f"{key}.pickle"


def load_saved(key: str) -> FootprintPredictor | None:
    """A predictor saved under ``key``, or ``None`` (a damaged file is deleted)."""
    import pickle

    path = _cache_path(key)
    if not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        path.unlink(missing_ok=True)
        return None


def save(predictor: FootprintPredictor, *keys: str) -> None:
    """Save ``predictor`` under each key, keeping at most ``MAX_CACHED_PREDICTORS`` files."""
    import os
    import pickle

    # The providers hold a git process wrapper; a saved copy predicts from its final snapshot alone.
    predictor.engine.detach()
    data = pickle.dumps(predictor, protocol=pickle.HIGHEST_PROTOCOL)
    for key in keys:
        path = _cache_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    folder = _cache_path("x").parent
    saved = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in saved[MAX_CACHED_PREDICTORS:]:
        old.unlink(missing_ok=True)


def checkout_key(checkout_path: str, head: str) -> str:
    """Cache key of a predictor built from a checkout's history alone at its head commit."""
    import hashlib

    from agentlanes import __version__

    text = f"checkout\0{__version__}\0{PREDICTOR_CACHE_VERSION}\0{checkout_path}\0{head}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def build_cached(
    dataset: Dataset,
    moment: datetime | None,
    providers: CheckoutProviders | None = None,
    extra_keys: tuple[str, ...] = (),
) -> FootprintPredictor:
    """``FootprintPredictor.build``, reusing a copy saved on disk for the same data, moment and commit.

    Copies live in the cache folder (``AGENTLANES_CACHE_DIR`` or the user cache)
    and are rebuilt whenever the data, the moment or the checkout's commit differ.
    ``extra_keys`` saves the result under further keys as well.
    """
    moment = moment or dataset.now
    commit = providers.commit_at(moment) if providers is not None and moment is not None else None
    key = _fingerprint(dataset, moment, commit)
    found = load_saved(key)
    if found is not None:
        return found
    predictor = FootprintPredictor.build(
        dataset, moment, providers.tree if providers else None, providers.contents if providers else None
    )
    save(predictor, key, *extra_keys)
    return predictor
