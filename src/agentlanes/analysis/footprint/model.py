"""Turn candidate features into calibrated probabilities.

A logistic regression (scikit-learn) is fitted on the repository's own past
tasks: for each, the features its candidates had when the task was opened, and
whether the fix really changed each candidate. Its output is therefore the
probability that a candidate is in the footprint, calibrated on this
repository's history. Until there are enough past tasks (``MIN_TRAINING_TASKS``
with ``MIN_POSITIVES`` changed candidates), fixed prior weights are used; they
were set by hand from what each signal means, not fitted on any data set.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from agentlanes.analysis.footprint.features import FEATURES

MIN_TRAINING_TASKS = 30
MIN_POSITIVES = 20
MAX_TRAINING_ROWS = 60_000
REGULARISATION = 1.0  # scikit-learn's C: smaller is stronger

PRIOR_BIAS = -4.5
PRIOR_WEIGHTS = {
    "mention": 4.5,
    "path_score": 1.0,
    "path_rank": 1.0,
    "history_score": 1.5,
    "history_rank": 1.0,
    "content_score": 1.0,
    "content_rank": 0.5,
    "similar_tasks": 4.0,
    "most_similar_task": 1.0,
    "co_change": 2.0,
    "folder_affinity": 1.0,
    "truth_share": 4.0,
    "log_frequency": 0.3,
    "change_share": 4.0,
    "recency": 0.5,
    "recent_week": 0.5,
    "title_similar_tasks": 2.0,
    "type_match": 0.7,
    "test_file": -0.3,
    "doc_file": 0.0,
}


class Calibrator:
    """Collects labelled candidate rows and fits the probability model."""

    def __init__(self) -> None:
        self._rows: list[np.ndarray] = []
        self._labels: list[np.ndarray] = []
        self.tasks = 0
        self.positives = 0
        self._model: LogisticRegression | None = None
        self._prior = np.array([PRIOR_WEIGHTS[name] for name in FEATURES])

    @property
    def trained(self) -> bool:
        return self._model is not None

    def add(self, matrix: np.ndarray, labels: np.ndarray) -> None:
        if len(matrix) == 0:
            return
        self._rows.append(matrix)
        self._labels.append(labels)
        self.tasks += 1
        self.positives += int(labels.sum())

    def fit(self) -> bool:
        """Refit on everything collected; return whether a fitted model is now in use."""
        if self.tasks < MIN_TRAINING_TASKS or self.positives < MIN_POSITIVES:
            return False
        rows = np.vstack(self._rows)[-MAX_TRAINING_ROWS:]
        labels = np.concatenate(self._labels)[-MAX_TRAINING_ROWS:]
        if labels.min() == labels.max():
            return False
        model = LogisticRegression(C=REGULARISATION, max_iter=500)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(rows, labels)
        self._model = model
        return True

    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        if len(matrix) == 0:
            return np.zeros(0)
        if self._model is not None:
            return self._model.predict_proba(matrix)[:, 1]
        logits = PRIOR_BIAS + matrix @ self._prior
        return 1.0 / (1.0 + np.exp(-logits))

    def weights(self) -> dict[str, float]:
        """The weights in use, for reports."""
        if self._model is None:
            return {"bias": PRIOR_BIAS, **PRIOR_WEIGHTS}
        coefficients = self._model.coef_[0]
        return {"bias": float(self._model.intercept_[0]),
                **{name: float(value) for name, value in zip(FEATURES, coefficients, strict=True)}}
