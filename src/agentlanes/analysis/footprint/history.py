"""What the repository's history says about files, in time order.

A *change set* is one unit of past work with a text and the files it changed:
a merged pull request (title, body and the titles of the issues it closes), a
direct commit on the base branch (subject), or an issue linked to its files by
the commits that reference it. ``HistoryState`` folds change sets in one at a
time, so a replay can stop at any moment and see only what existed then.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from agentlanes.model import Dataset, PullState

# Change sets touching more files than this are bulk edits (formatting, vendoring,
# renames); they still add paths to the tree but not to frequencies or co-change.
MAX_FILES_FOR_STATISTICS = 40
# Half-life of a change's weight in the recency-weighted change frequency.
FREQUENCY_HALF_LIFE_DAYS = 60.0
# Pseudo-counts added to the denominators of shares, so that a file seen in the
# only past change of a young repository does not look certain.
SHARE_SMOOTHING = 10.0
CO_CHANGE_SMOOTHING = 2.0
MAX_TEXT_CHARS = 4000
_SQUASH_SUFFIX = re.compile(r"\(#(\d+)\)\s*$")


@dataclass(frozen=True, slots=True)
class ChangeSet:
    at: datetime
    text: str
    files: tuple[str, ...]
    source: str


def change_sets(dataset: Dataset) -> list[ChangeSet]:
    """Every change set of the data set, oldest first, without double counting.

    A commit that is a merged PR's landing commit, or whose subject ends with the
    ``(#N)`` of a merged PR with files, is the same change as the PR and is left out.
    Merge commits are left out because their diff is a whole branch.
    """
    titles = {issue.number: issue.title for issue in dataset.issues}
    merged = [p for p in dataset.pulls if p.state is PullState.MERGED and p.merged_at and p.files]
    merged_numbers = {p.number for p in merged}
    landing = {p.merge_commit_oid for p in merged if p.merge_commit_oid}
    found: list[ChangeSet] = []
    for pull in merged:
        linked = " ".join(titles[n] for n in pull.closing_issues if n in titles)
        text = f"{pull.title}\n{linked}\n{pull.body[:MAX_TEXT_CHARS]}"
        found.append(ChangeSet(pull.merged_at, text, pull.file_paths, f"PR #{pull.number}"))  # type: ignore[arg-type]
    for commit in dataset.commits:
        if len(commit.parents) > 1 or not commit.files or commit.sha in landing:
            continue
        squash = _SQUASH_SUFFIX.search(commit.subject)
        if squash and int(squash.group(1)) in merged_numbers:
            continue
        found.append(ChangeSet(commit.committed_at, commit.subject, commit.files, f"commit {commit.sha[:10]}"))
    by_number = {issue.number: issue for issue in dataset.issues}
    for number, files in dataset.issue_files.items():
        issue = by_number.get(number)
        if issue is None or issue.closed_at is None or not files:
            continue
        text = f"{issue.title}\n{issue.body[:MAX_TEXT_CHARS]}"
        found.append(ChangeSet(issue.closed_at, text, files, f"issue #{number}"))
    found.sort(key=lambda change: change.at)
    return found


@dataclass
class HistoryState:
    """Incremental statistics over the change sets applied so far."""

    paths: set[str] = field(default_factory=set)
    changes: list[ChangeSet] = field(default_factory=list)
    # path -> (decayed weight, time of last update)
    _frequency: dict[str, tuple[float, datetime]] = field(default_factory=dict)
    pair_counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    change_counts: Counter[str] = field(default_factory=Counter)
    last_changed: dict[str, datetime] = field(default_factory=dict)
    statistic_changes: int = 0
    change_times: dict[str, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    truth_counts: Counter[str] = field(default_factory=Counter)
    truth_tasks: int = 0
    # Recency-weighted number of change sets, decayed like the file frequencies.
    _change_weight: tuple[float, datetime | None] = (0.0, None)

    def apply(self, change: ChangeSet) -> None:
        self.changes.append(change)
        self.paths.update(change.files)
        if len(change.files) > MAX_FILES_FOR_STATISTICS:
            return
        self.statistic_changes += 1
        self._change_weight = (self.change_weight(change.at) + 1.0, change.at)
        for path in change.files:
            self._frequency[path] = (self._decayed(path, change.at) + 1.0, change.at)
            self.change_counts[path] += 1
            self.last_changed[path] = change.at
            self.change_times[path].append(change.at)
        for path in change.files:
            counts = self.pair_counts[path]
            for other in change.files:
                if other != path:
                    counts[other] += 1

    def recent_changes(self, path: str, moment: datetime, days: float) -> int:
        """Change sets that touched ``path`` in the ``days`` before ``moment``."""
        times = self.change_times.get(path)
        if not times:
            return 0
        since = moment.timestamp() - days * 86400
        count = 0
        for when in reversed(times):
            if when.timestamp() < since:
                break
            count += 1
        return count

    def record_truth(self, files: tuple[str, ...]) -> None:
        """Count a finished task's real footprint (known once its fix merged)."""
        self.truth_tasks += 1
        self.truth_counts.update(set(files))

    def truth_share(self, path: str) -> float:
        """Share of finished tasks whose real footprint contained ``path``."""
        return self.truth_counts.get(path, 0) / (self.truth_tasks + SHARE_SMOOTHING)

    def _decayed(self, path: str, moment: datetime) -> float:
        entry = self._frequency.get(path)
        if entry is None:
            return 0.0
        weight, since = entry
        days = max(0.0, (moment - since).total_seconds() / 86400)
        return weight * math.pow(0.5, days / FREQUENCY_HALF_LIFE_DAYS)

    def change_weight(self, moment: datetime) -> float:
        """Recency-weighted number of change sets before ``moment``."""
        weight, since = self._change_weight
        if since is None:
            return 0.0
        days = max(0.0, (moment - since).total_seconds() / 86400)
        return weight * math.pow(0.5, days / FREQUENCY_HALF_LIFE_DAYS)

    def change_share(self, path: str, moment: datetime) -> float:
        """Recency-weighted share of change sets that touched ``path``, smoothed."""
        return self._decayed(path, moment) / (self.change_weight(moment) + SHARE_SMOOTHING)

    def frequency(self, path: str, moment: datetime) -> float:
        """Recency-weighted number of change sets that touched ``path``."""
        return self._decayed(path, moment)

    def co_change(self, anchor: str, path: str) -> float:
        """Share of the change sets touching ``anchor`` that also touched ``path``."""
        total = self.change_counts.get(anchor, 0)
        return self.pair_counts[anchor].get(path, 0) / (total + CO_CHANGE_SMOOTHING) if total else 0.0

    def partners(self, anchor: str, limit: int) -> list[tuple[str, float]]:
        total = self.change_counts.get(anchor, 0)
        if not total:
            return []
        return [(path, count / (total + CO_CHANGE_SMOOTHING))
                for path, count in self.pair_counts[anchor].most_common(limit)]

    def top_frequent(self, moment: datetime, limit: int) -> list[tuple[str, float]]:
        scored = [(path, self._decayed(path, moment)) for path in self._frequency]
        scored.sort(key=lambda item: -item[1])
        return scored[:limit]
