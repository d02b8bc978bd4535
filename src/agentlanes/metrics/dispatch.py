"""Turn a dispatch log into work spans: from the dispatch until the agent's PR opened.

A dispatched issue is work in flight without a PR until the first PR that
closes it is created. When the log does not record that moment, it is the
creation of the first PR created at or after the dispatch that closes the issue
(closing reference on either side), else the issue's close time, else the span
is still open.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from agentlanes.metrics.flow import DispatchSpan
from agentlanes.model import Dataset
from agentlanes.sources.sidecars import DispatchEntry


def _pull_opened(entry: DispatchEntry, dataset: Dataset) -> datetime | None:
    assert entry.issue is not None
    issue = next((i for i in dataset.issues if i.number == entry.issue), None)
    closers = set(issue.closed_by_pulls) if issue else set()
    opened = [p.created_at for p in dataset.pulls
              if (entry.issue in p.closing_issues or p.number in closers) and p.created_at >= entry.at]
    if opened:
        return min(opened)
    return issue.closed_at if issue and issue.closed_at and issue.closed_at >= entry.at else None


def dispatch_spans(entries: Sequence[DispatchEntry], dataset: Dataset) -> list[DispatchSpan]:
    """Spans of dispatched issues without a PR, for entries dispatched by the data's moment."""
    spans: list[DispatchSpan] = []
    now = dataset.now
    for entry in entries:
        if now is not None and entry.at > now:
            continue
        end = entry.ended_at
        if end is None and entry.issue is not None:
            end = _pull_opened(entry, dataset)
        if end is not None and now is not None and end > now:
            end = None
        spans.append((entry.agent, entry.at, max(end, entry.at) if end else None))
    return spans
