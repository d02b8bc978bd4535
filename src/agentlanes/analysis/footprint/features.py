"""Candidate files for one task and the feature vector of each candidate.

Candidates are the union of: files named in the text, the best files of each
file index, the files of the most similar past change sets, the most frequently
changed files, and the co-change partners of the strongest of these. Each
candidate gets the features listed in ``FEATURES``; the calibration model turns
them into a probability.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from agentlanes.analysis.footprint.history import HistoryState
from agentlanes.analysis.footprint.mentions import MentionIndex
from agentlanes.analysis.footprint.retrieval import FileIndexes, TaskIndex
from agentlanes.analysis.footprint.tokens import tokenize

FEATURES = (
    "mention",
    "path_score",
    "path_rank",
    "history_score",
    "history_rank",
    "content_score",
    "content_rank",
    "similar_tasks",
    "most_similar_task",
    "co_change",
    "folder_affinity",
    "truth_share",
    "log_frequency",
    "change_share",
    "recency",
    "recent_week",
    "title_similar_tasks",
    "type_match",
    "test_file",
    "doc_file",
)
TOP_PER_INDEX = 40
SIMILAR_TASKS = 15
FREQUENT_FILES = 10
CO_CHANGE_ANCHORS = 8
CO_CHANGE_PARTNERS = 10
RECENT_DAYS = 7
_DOC_SUFFIXES = (".md", ".rst", ".txt", ".adoc", ".qmd")
_TEST_MARKERS = ("test", "spec")


def is_test_file(path: str) -> bool:
    lowered = path.lower()
    name = lowered.rsplit("/", 1)[-1]
    return any(m in name for m in _TEST_MARKERS) or "/tests/" in f"/{lowered}" or "/test/" in f"/{lowered}"


def is_doc_file(path: str) -> bool:
    lowered = path.lower()
    return lowered.endswith(_DOC_SUFFIXES) or lowered.startswith("docs/") or "/docs/" in lowered


@dataclass
class Snapshot:
    """Everything the features read, frozen at one checkpoint of a replay."""

    moment: datetime
    history: HistoryState
    files: FileIndexes
    tasks: TaskIndex
    mentions: MentionIndex
    frequent: list[tuple[str, float]]


@dataclass
class CandidateSet:
    paths: list[str]
    matrix: np.ndarray
    signals: list[list[str]]


def build_candidates(snapshot: Snapshot, text: str, task_type: str, moment: datetime) -> CandidateSet:
    """Return the candidate files of one task with their feature rows and signal notes."""
    tokens = tokenize(text)
    scored = snapshot.files.score(tokens, TOP_PER_INDEX)
    similar = snapshot.tasks.similar(tokens, SIMILAR_TASKS)
    title_weights: dict[str, float] = defaultdict(float)
    title_similar = snapshot.tasks.similar(tokenize(text.split("\n", 1)[0]), SIMILAR_TASKS)
    title_total = sum(score for _, score in title_similar) or 1.0
    for change, score in title_similar:
        for path in change.files:
            title_weights[path] += score / title_total
    mentions = {m.path: m for m in snapshot.mentions.mentions(text)}
    known = snapshot.files.position

    weights: dict[str, float] = defaultdict(float)
    folders: dict[str, float] = defaultdict(float)
    top_similar: set[str] = set(similar[0][0].files) if similar else set()
    total_similarity = sum(score for _, score in similar) or 1.0
    for change, score in similar:
        for path in change.files:
            weights[path] += score / total_similarity
        for folder in {_folder(path) for path in change.files}:
            folders[folder] += score / total_similarity

    candidates: dict[str, list[str]] = defaultdict(list)
    for path, mention in mentions.items():
        candidates[path].append(mention.signal)
    for name, result in scored.items():
        for rank, position in enumerate(result.top[:TOP_PER_INDEX]):
            candidates[snapshot.files.paths[position]].append(f"bm25 {name} rank {rank + 1}")
    for path, weight in sorted(weights.items(), key=lambda kv: -kv[1])[: TOP_PER_INDEX]:
        candidates[path].append(f"changed in similar past work ({weight:.2f})")
    for path, weight in sorted(title_weights.items(), key=lambda kv: -kv[1])[:TOP_PER_INDEX // 2]:
        candidates[path].append(f"changed in past work with a similar title ({weight:.2f})")
    for path, share in snapshot.frequent[:FREQUENT_FILES]:
        candidates[path].append("frequently changed")

    anchors = _anchors(mentions, weights)
    co_change: dict[str, float] = defaultdict(float)
    for anchor, strength in anchors:
        for partner, share in snapshot.history.partners(anchor, CO_CHANGE_PARTNERS):
            value = strength * share
            if value > co_change[partner]:
                co_change[partner] = value
    for partner, value in sorted(co_change.items(), key=lambda kv: -kv[1])[:TOP_PER_INDEX]:
        candidates[partner].append(f"changes together with predicted files ({value:.2f})")

    ranks = {name: {position: rank for rank, position in enumerate(result.top)} for name, result in scored.items()}
    paths = sorted(candidates)
    rows = []
    for path in paths:
        position = known.get(path)
        row = [mentions[path].weight if path in mentions else 0.0]
        for name in ("path", "history", "content"):
            result = scored[name]
            if position is None:
                row += [0.0, 0.0]
            else:
                rank = ranks[name].get(position)
                row += [result.normalised(position), 1.0 / (1 + rank) if rank is not None else 0.0]
        frequency = snapshot.history.frequency(path, moment)
        last = snapshot.history.last_changed.get(path)
        recency = math.exp(-max(0.0, (moment - last).total_seconds()) / (30 * 86400)) if last else 0.0
        row += [
            weights.get(path, 0.0),
            1.0 if path in top_similar else 0.0,
            co_change.get(path, 0.0),
            folders.get(_folder(path), 0.0),
            snapshot.history.truth_share(path),
            math.log1p(frequency),
            snapshot.history.change_share(path, moment),
            recency,
            math.log1p(snapshot.history.recent_changes(path, moment, RECENT_DAYS)),
            title_weights.get(path, 0.0),
            _type_match(task_type, path),
            1.0 if is_test_file(path) else 0.0,
            1.0 if is_doc_file(path) else 0.0,
        ]
        rows.append(row)
    matrix = np.asarray(rows, dtype=np.float64).reshape(len(paths), len(FEATURES))
    return CandidateSet(paths, matrix, [candidates[p] for p in paths])


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _anchors(mentions, weights: dict[str, float]) -> list[tuple[str, float]]:
    strength: dict[str, float] = {path: m.weight for path, m in mentions.items()}
    for path, weight in weights.items():
        strength[path] = max(strength.get(path, 0.0), min(1.0, weight))
    return sorted(strength.items(), key=lambda kv: -kv[1])[:CO_CHANGE_ANCHORS]


def _type_match(task_type: str, path: str) -> float:
    if task_type == "docs":
        return 1.0 if is_doc_file(path) else 0.0
    if task_type == "test":
        return 1.0 if is_test_file(path) else 0.0
    return 0.0
