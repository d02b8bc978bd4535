"""The simulated backlog and the durations drawn from the repository's history.

Policies get the inputs routing gets at the moment simulated: each task's
predicted footprint, components, priority and agent fitness from the backlog
analysis.
Conflicts are decided on what the task really changed: for a pull request
replayed as a task, the files of that pull request; for an issue, the files of
the pull requests that referenced it (and of its commits, where the data set
links them). Tasks whose real files are unknown are left out and counted.

A task's duration, from dispatch to merge, is drawn from the times to merge
(creation to merge) of all pull requests merged before the moment. The same draw
serves every agent, so a policy gains nothing from which agent it picks, only
from which tasks it runs together. The data sets record no ready-for-review or
merge-queue times, so the merge delay is part of that one draw rather than a
separate one.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from agentlanes.analysis.artifact import BacklogAnalysis
from agentlanes.analysis.tasks import referenced_issues
from agentlanes.config import Config
from agentlanes.errors import InputError
from agentlanes.model import Dataset, PullState
from agentlanes.routing.candidates import Candidate, build_candidate
from agentlanes.routing.fitness import history_from_records

# Merges within minutes (bots, self-merges) would make tasks that take no time.
MIN_TASK_HOURS = 0.25


@dataclass(frozen=True, slots=True)
class SimTask:
    """A backlog task: what policies see (``candidate``) and what it really changes."""

    candidate: Candidate
    real_files: frozenset[str]
    blockers: frozenset[int]

    @property
    def number(self) -> int:
        return self.candidate.number


@dataclass(frozen=True)
class DurationModel:
    """Empirical times to merge in hours, sorted."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        """The median time to merge, at least ``MIN_TASK_HOURS``: the unit of conflict rework."""
        return max(MIN_TASK_HOURS, statistics.median(self.samples))

    def hours(self, quantile: float) -> float:
        """Return the duration at ``quantile`` (0 to 1) of the distribution, at least ``MIN_TASK_HOURS``."""
        index = min(len(self.samples) - 1, int(quantile * len(self.samples)))
        return max(MIN_TASK_HOURS, self.samples[index])


def duration_model(dataset: Dataset, moment: datetime) -> DurationModel:
    """Collect the times to merge of pull requests merged before ``moment``."""
    samples = sorted(
        max(0.0, (pull.merged_at - pull.created_at).total_seconds() / 3600)
        for pull in dataset.pulls
        if pull.state is PullState.MERGED and pull.merged_at is not None and pull.merged_at <= moment
    )
    if not samples:
        raise InputError(
            f"no pull request was merged before {moment:%Y-%m-%d %H:%M} UTC, so task durations cannot be drawn",
            "pick a later --as-of",
        )
    return DurationModel(tuple(samples))


def real_files(dataset: Dataset, tasks_from: str) -> dict[int, frozenset[str]]:
    """Map each task number to the files its work really changed, where the data records them."""
    if tasks_from == "pulls":
        return {p.number: frozenset(p.file_paths) for p in dataset.pulls if p.files is not None}
    files: dict[int, set[str]] = defaultdict(set)
    for pull in dataset.pulls:
        if pull.state is PullState.MERGED and pull.files:
            for number in referenced_issues(pull):
                files[number].update(pull.file_paths)
    for number, paths in dataset.issue_files.items():
        files[number].update(paths)
    return {number: frozenset(paths) for number, paths in files.items()}


def simulated_backlog(
    analysis: BacklogAnalysis, dataset: Dataset, config: Config
) -> tuple[list[SimTask], dict[str, int]]:
    """Build the tasks to simulate: the ready and blocked tasks whose real files are known.

    Returns the tasks and the count of tasks left out per reason.
    """
    history = history_from_records(analysis.agent_records)
    known = real_files(dataset, analysis.tasks_from if analysis.tasks_from == "issues" else "pulls")
    records = [r for r in analysis.issues if r.readiness.status in ("ready", "blocked")]
    skipped: dict[str, int] = defaultdict(int)
    for record in analysis.issues:
        if record.readiness.status not in ("ready", "blocked"):
            skipped[f"{record.readiness.status} at the moment simulated"] += 1
    kept = []
    for record in records:
        if record.number not in known:
            skipped["real changed files unknown"] += 1
            continue
        candidate = build_candidate(record, config, history)
        if not candidate.values:
            skipped["no routable agent may take it"] += 1
            continue
        kept.append((record, candidate))
    numbers = {record.number for record, _ in kept}
    # The engine releases a task when its blockers in the backlog have merged;
    # blockers outside the backlog are taken as done.
    tasks = [
        SimTask(dataclasses.replace(candidate, blockers=frozenset(), blocked_reasons=()),
                known[record.number], frozenset(candidate.blockers & numbers))
        for record, candidate in sorted(kept, key=lambda pair: pair[0].number)
    ]
    return tasks, dict(sorted(skipped.items()))

