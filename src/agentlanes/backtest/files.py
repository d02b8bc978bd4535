"""File backtest: predict each past task's footprint as of its opening, compare with truth.

Metrics, per task then averaged over tasks (macro) unless marked micro:

- recall@k: share of the truth files among the top k predictions;
- MRR: mean of 1 / rank of the first true file (0 when none is ranked);
- Acc@k: share of tasks whose truth files are all in the top k;
- precision / recall / F1 of the set of files at or above the threshold;
- footprint size: files at or above the threshold;
- new-file share (micro): truth files that did not exist when the task was
  opened; no predictor can rank them, so 1 minus this share is the recall ceiling;
- recall@10 ceiling: the mean over tasks of min(10, existing truth files) / truth
  files, the best recall@10 any ranking could reach.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from agentlanes.backtest.replay import ReplayStep

CUTOFFS = (1, 5, 10)


@dataclass
class Tally:
    """Running sums for one method (the predictor or the baseline)."""

    tasks: int = 0
    recall: dict[int, float] = field(default_factory=lambda: {k: 0.0 for k in CUTOFFS})
    accuracy: dict[int, float] = field(default_factory=lambda: {k: 0.0 for k in CUTOFFS})
    reciprocal_rank: float = 0.0
    existing_tasks: int = 0
    existing_accuracy: dict[int, float] = field(default_factory=lambda: {k: 0.0 for k in CUTOFFS})

    def add(self, ranking: Sequence[str], truth: set[str], all_existing: bool) -> None:
        self.tasks += 1
        for k in CUTOFFS:
            hits = len(truth & set(ranking[:k]))
            self.recall[k] += hits / len(truth)
            complete = truth <= set(ranking[:k])
            self.accuracy[k] += complete
            if all_existing:
                self.existing_accuracy[k] += complete
        self.existing_tasks += all_existing
        rank = next((i for i, path in enumerate(ranking, 1) if path in truth), None)
        self.reciprocal_rank += 1.0 / rank if rank else 0.0

    def summary(self) -> dict[str, float | int | None]:
        def mean(total: float, count: int) -> float | None:
            return round(total / count, 4) if count else None

        result: dict[str, float | int | None] = {"tasks": self.tasks}
        for k in CUTOFFS:
            result[f"recall@{k}"] = mean(self.recall[k], self.tasks)
        result["mrr"] = mean(self.reciprocal_rank, self.tasks)
        for k in CUTOFFS:
            result[f"acc@{k}"] = mean(self.accuracy[k], self.tasks)
        result["tasks_all_files_existing"] = self.existing_tasks
        for k in CUTOFFS:
            result[f"acc@{k}_existing"] = mean(self.existing_accuracy[k], self.existing_tasks)
        return result


@dataclass
class FileScores:
    """Aggregates of one backtest (one data set or several pooled)."""

    threshold: float
    predictor: Tally = field(default_factory=Tally)
    baseline: Tally = field(default_factory=Tally)
    precision_sum: float = 0.0
    precision_tasks: int = 0
    recall_sum: float = 0.0
    f1_sum: float = 0.0
    footprint_sum: int = 0
    true_in_set: int = 0
    predicted_in_set: int = 0
    truth_files: int = 0
    new_files: int = 0
    trained_tasks: int = 0
    # Per task, the best recall@10 any ranking could reach: existing truth files, at most 10.
    recall10_ceiling_sum: float = 0.0

    def add(self, step: ReplayStep) -> None:
        truth = set(step.task.truth)
        ranked = step.ranked()
        ranking = [path for path, _ in ranked]
        all_existing = truth <= step.known
        self.predictor.add(ranking, truth, all_existing)
        self.baseline.add(step.baseline, truth, all_existing)
        chosen = {path for path, probability in ranked if probability >= self.threshold}
        hits = len(chosen & truth)
        precision = hits / len(chosen) if chosen else None
        recall = hits / len(truth)
        if precision is not None:
            self.precision_sum += precision
            self.precision_tasks += 1
        self.recall_sum += recall
        if precision:
            self.f1_sum += 2 * precision * recall / (precision + recall) if (precision + recall) else 0.0
        self.footprint_sum += len(chosen)
        self.true_in_set += hits
        self.predicted_in_set += len(chosen)
        self.truth_files += len(truth)
        self.new_files += len(truth - step.known)
        self.trained_tasks += step.trained
        self.recall10_ceiling_sum += min(10, len(truth & step.known)) / len(truth)

    def merge(self, other: FileScores) -> None:
        """Pool another data set's tallies into this one (for the overall row)."""
        for mine, theirs in ((self.predictor, other.predictor), (self.baseline, other.baseline)):
            mine.tasks += theirs.tasks
            mine.reciprocal_rank += theirs.reciprocal_rank
            mine.existing_tasks += theirs.existing_tasks
            for k in CUTOFFS:
                mine.recall[k] += theirs.recall[k]
                mine.accuracy[k] += theirs.accuracy[k]
                mine.existing_accuracy[k] += theirs.existing_accuracy[k]
        for name in ("precision_sum", "precision_tasks", "recall_sum", "f1_sum", "footprint_sum", "true_in_set",
                     "predicted_in_set", "truth_files", "new_files", "trained_tasks", "recall10_ceiling_sum"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def summary(self) -> dict[str, object]:
        tasks = self.predictor.tasks

        def mean(total: float, count: int) -> float | None:
            return round(total / count, 4) if count else None

        return {
            "predictor": self.predictor.summary(),
            "baseline_bm25_paths": self.baseline.summary(),
            "threshold": self.threshold,
            "set_precision": mean(self.precision_sum, self.precision_tasks),
            "set_recall": mean(self.recall_sum, tasks),
            "set_f1": mean(self.f1_sum, tasks),
            "micro_precision": mean(self.true_in_set, self.predicted_in_set),
            "micro_recall": mean(self.true_in_set, self.truth_files),
            "mean_footprint_size": mean(self.footprint_sum, tasks),
            "new_file_share": mean(self.new_files, self.truth_files),
            "recall_ceiling": None if not self.truth_files else round(1 - self.new_files / self.truth_files, 4),
            "recall@10_ceiling": mean(self.recall10_ceiling_sum, tasks),
            "tasks_predicted_with_fitted_model": self.trained_tasks,
        }
