"""Conflict backtest: would each method have kept apart the PRs that really collided?

Every pair of pull requests that were open at the same time is a test case. It
truly overlaps when both changed at least one common file. Each method predicts
an overlap from what was known when the later PR was opened:

- ``footprint``: the predicted footprints share a file whose joint probability
  (p_a x p_b) reaches the threshold; reported at several thresholds;
- ``routed``: the rule ``route`` applies by default, the footprint rule at the
  default threshold with its component fallback for tasks that have no
  confident file (see ``routing.conflicts``);
- ``component``: the tasks share a component (labels, names in the title, and
  the components of predicted files at 0.3 or more), the classic rule;
- ``bm25-paths``: the top five files of plain BM25 over paths intersect.

A predicted overlap that did not happen is a pair needlessly serialised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from agentlanes.analysis.components import infer_components
from agentlanes.analysis.footprint import PredictedFile
from agentlanes.analysis.footprint.truth import TruthTask
from agentlanes.analysis.kinds import classify_type
from agentlanes.analysis.paths import ComponentIndex, default_components
from agentlanes.backtest.replay import replay
from agentlanes.config import ConflictConfig
from agentlanes.model import AuthorKind, Dataset, Issue, IssueState, PullRequest, PullState
from agentlanes.routing.conflicts import ConflictRule, file_conflict, with_component_fallback

THRESHOLDS = (0.02, 0.05, 0.1, 0.15, 0.25, 0.4)
BASELINE_FILES = 5
TARGET_RECALL = 0.8
WARMUP_PULLS = 400


@dataclass
class PullCase:
    pull: PullRequest
    start: datetime
    end: datetime
    files: frozenset[str]
    footprint: dict[str, float] = field(default_factory=dict)
    components: frozenset[str] = frozenset()
    baseline: frozenset[str] = frozenset()


@dataclass
class MethodScore:
    predicted: int = 0
    true_positive: int = 0

    def summary(self, overlapping: int) -> dict[str, float | int | None]:
        return {
            "predicted_pairs": self.predicted,
            "true_positives": self.true_positive,
            "recall": round(self.true_positive / overlapping, 4) if overlapping else None,
            "precision": round(self.true_positive / self.predicted, 4) if self.predicted else None,
            "needlessly_serialised": self.predicted - self.true_positive,
        }


def _task_text(pull: PullRequest, issues: dict[int, Issue]) -> str:
    linked = [issues[n] for n in pull.closing_issues if n in issues and issues[n].body]
    if linked:
        return "\n\n".join(issue.text for issue in linked)
    return f"{pull.title}\n\n{pull.body}"


def pull_cases(dataset: Dataset) -> list[PullCase]:
    """Finished PRs with known files and close times, excluding dependency bots."""
    cases = []
    for pull in dataset.pulls:
        end = pull.finished_at
        if pull.state is PullState.OPEN or end is None or not pull.files:
            continue
        if pull.attribution.kind is AuthorKind.DEPENDENCY_BOT:
            continue
        cases.append(PullCase(pull, pull.created_at, max(end, pull.created_at), frozenset(pull.file_paths)))
    cases.sort(key=lambda case: (case.start, case.pull.number))
    return cases


def _as_tasks(cases: Sequence[PullCase], issues: dict[int, Issue]) -> list[TruthTask]:
    tasks = []
    for case in cases:
        text = _task_text(case.pull, issues)
        pseudo = Issue(case.pull.number, text.split("\n", 1)[0], text, IssueState.CLOSED, case.start,
                       labels=case.pull.labels)
        tasks.append(TruthTask(f"PR #{case.pull.number}", case.pull.number, text, classify_type(pseudo).value,
                               case.start, tuple(case.files), case.end))
    return tasks


def predict_cases(dataset: Dataset, cases: list[PullCase], evaluate: set[int]) -> None:
    """Fill in each evaluated case's footprint, components and baseline files."""
    issues = {issue.number: issue for issue in dataset.issues}
    tasks = _as_tasks(cases, issues)
    by_number = {case.pull.number: case for case in cases}
    keys = {f"PR #{number}" for number in evaluate}
    for step in replay(dataset, tasks, keys):
        case = by_number[step.task.number]
        ranked = step.ranked()
        case.footprint = {path: p for path, p in ranked[:20] if p >= 0.01}
        case.baseline = frozenset(step.baseline[:BASELINE_FILES])
        index = ComponentIndex(default_components(step.known))
        predicted = [PredictedFile(path, p, ()) for path, p in ranked[:20]]
        pseudo = Issue(case.pull.number, case.pull.title, "", IssueState.OPEN, case.start, labels=case.pull.labels)
        case.components = frozenset(e.name for e in infer_components(pseudo, predicted, index))


def concurrent_pairs(cases: Sequence[PullCase]) -> list[tuple[PullCase, PullCase]]:
    """Pairs whose open intervals [start, end) overlap."""
    pairs = []
    active: list[PullCase] = []
    for case in cases:
        active = [other for other in active if other.end > case.start]
        pairs.extend((other, case) for other in active)
        active.append(case)
    return pairs


def _joint(a: dict[str, float], b: dict[str, float]) -> float:
    """The routing rule's strength: the highest joint probability over shared files."""
    shared = a.keys() & b.keys()
    return max((a[path] * b[path] for path in shared), default=0.0)


def _claims_conflict(a: dict[str, float], b: dict[str, float], tau: float) -> bool:
    return any(file_conflict(a[path], b[path], tau) for path in a.keys() & b.keys())


@dataclass
class ConflictBacktest:
    dataset: str
    pairs: int
    overlapping: int
    footprint: dict[float, MethodScore]
    component: MethodScore
    baseline: MethodScore
    evaluated_pulls: int
    routed: MethodScore = field(default_factory=MethodScore)
    routed_threshold: float = 0.0

    def summary(self) -> dict[str, object]:
        footprint = {f"{t:g}": score.summary(self.overlapping) for t, score in self.footprint.items()}
        meeting = [t for t, s in self.footprint.items()
                   if self.overlapping and s.true_positive / self.overlapping >= TARGET_RECALL]
        best = max(meeting) if meeting else None
        component = self.component.summary(self.overlapping)
        result: dict[str, object] = {
            "pull_requests": self.evaluated_pulls,
            "concurrent_pairs": self.pairs,
            "truly_overlapping_pairs": self.overlapping,
            "footprint": footprint,
            "component_only": component,
            "bm25_paths_top5": self.baseline.summary(self.overlapping),
            "routed": {"threshold": self.routed_threshold, **self.routed.summary(self.overlapping)},
            "threshold_for_target_recall": best,
        }
        if best is not None and component["precision"]:
            precision = self.footprint[best].summary(self.overlapping)["precision"] or 0.0
            result["precision_ratio_to_component_at_target"] = round(precision / component["precision"], 3)
        return result


def run_conflict_backtest(
    dataset: Dataset,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> ConflictBacktest:
    """Evaluate pairs among PRs opened in ``[since, until)`` (at most ``limit`` PRs)."""
    cases = pull_cases(dataset)
    window = [c for c in cases if (since is None or c.start >= since) and (until is None or c.start < until)]
    if limit is not None:
        window = window[:limit]
    evaluate = {case.pull.number for case in window}
    start = window[0].start if window else None
    warmup = [c for c in cases if start is not None and c.start < start][-WARMUP_PULLS:]
    predict_cases(dataset, warmup + window, evaluate)
    pairs = concurrent_pairs(window)
    footprint = {threshold: MethodScore() for threshold in THRESHOLDS}
    component, baseline, routed = MethodScore(), MethodScore(), MethodScore()
    rule = ConflictRule("footprint", ConflictConfig().footprint_threshold)
    claims = {case.pull.number: with_component_fallback(case.footprint, case.components, rule) for case in window}
    overlapping = 0
    for a, b in pairs:
        real = bool(a.files & b.files)
        overlapping += real
        if _claims_conflict(claims[a.pull.number], claims[b.pull.number], rule.tau):
            routed.predicted += 1
            routed.true_positive += real
        joint = _joint(a.footprint, b.footprint)
        for threshold, score in footprint.items():
            if joint >= threshold:
                score.predicted += 1
                score.true_positive += real
        if a.components & b.components:
            component.predicted += 1
            component.true_positive += real
        if a.baseline & b.baseline:
            baseline.predicted += 1
            baseline.true_positive += real
    return ConflictBacktest(dataset.name, len(pairs), overlapping, footprint, component, baseline, len(window),
                            routed, rule.tau)
