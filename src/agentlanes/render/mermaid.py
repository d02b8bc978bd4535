"""Mermaid ``xychart-beta`` charts for GitHub Markdown.

Labels pass through ``mermaid_label``, so no data can break out of a chart
string; the charts carry only week labels and numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

from agentlanes.render.safe import mermaid_label


def short_week(week: str) -> str:
    """``2026-W05`` -> ``W05``."""
    return week.split("-", 1)[-1] if "-W" in week else week


def xychart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], y_title: str,
            y_max: float | None = None) -> str:
    """Build an ``xychart-beta`` block from ``("bar" | "line", values)`` series; empty when there are no labels."""
    if not labels or not series:
        return ""
    axis = ", ".join(f'"{mermaid_label(label)}"' for label in labels)
    values = [value for _, numbers in series for value in numbers]
    top = y_max if y_max is not None else max(values + [1.0])
    lines = [
        "```mermaid",
        "xychart-beta",
        f'    title "{mermaid_label(title)}"',
        f"    x-axis [{axis}]",
        f'    y-axis "{mermaid_label(y_title)}" 0 --> {top:g}',
    ]
    for kind, numbers in series:
        lines.append(f"    {kind} [{', '.join(f'{value:g}' for value in numbers)}]")
    lines.append("```")
    return "\n".join(lines)
