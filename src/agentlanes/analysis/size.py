"""Estimate an issue's size (XS..XL) from its text, structure and labels.

The estimate adds points for evidence of work: body length, open task-list
items, files and components named, the type, and explicit size or effort labels
(which override the rest). Each added point is listed as a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentlanes.model import Issue

_TASK_ITEM = re.compile(r"^\s*[-*+]\s*\[ \]", re.MULTILINE)
_SIZE_LABEL = re.compile(r"^(?:size|effort|estimate)[:/ -]*(xs|s|m|l|xl|small|medium|large|x-?large|low|high)$", re.I)
_LABEL_SIZES = {"xs": "XS", "s": "S", "small": "S", "low": "S", "m": "M", "medium": "M", "l": "L", "large": "L",
                "high": "L", "xl": "XL", "x-large": "XL", "xlarge": "XL"}
_TYPE_POINTS = {"docs": 0, "chore": 0, "test": 1, "bug": 1, "refactor": 2, "performance": 2, "security": 2, "feature": 2}
# Upper bounds of the point ranges for XS, S, M and L; more is XL.
_THRESHOLDS = ((1, "XS"), (3, "S"), (5, "M"), (8, "L"))


@dataclass(frozen=True, slots=True)
class SizeEstimate:
    label: str
    points: int
    reasons: tuple[str, ...]


def estimate_size(issue: Issue, issue_type: str, named_files: int, components: int) -> SizeEstimate:
    """Return the size label, its points and the reasons behind them."""
    for label in issue.labels:
        match = _SIZE_LABEL.match(label.name.strip())
        if match:
            value = _LABEL_SIZES[match.group(1).lower()]
            return SizeEstimate(value, -1, (f"label '{label.name}'",))
    if issue.issue_type == "epic":
        return SizeEstimate("XL", -1, ("tracker type 'epic'",))
    reasons: list[str] = []
    points = _TYPE_POINTS.get(issue_type, 1)
    if points:
        reasons.append(f"+{points} type {issue_type}")
    length = len(issue.body)
    body_points = 0 if length < 400 else 1 if length < 1500 else 2 if length < 4000 else 3
    if body_points:
        reasons.append(f"+{body_points} body of {length} characters")
    tasks = len(_TASK_ITEM.findall(issue.body))
    task_points = min(3, (tasks + 1) // 2)
    if task_points:
        reasons.append(f"+{task_points} {tasks} open task-list items")
    file_points = min(2, named_files // 3)
    if file_points:
        reasons.append(f"+{file_points} {named_files} files predicted")
    component_points = min(2, max(0, components - 1))
    if component_points:
        reasons.append(f"+{component_points} spans {components} components")
    points += body_points + task_points + file_points + component_points
    label = next((name for bound, name in _THRESHOLDS if points <= bound), "XL")
    return SizeEstimate(label, points, tuple(reasons) or ("no evidence of a large change",))
