"""Reporting windows, pull-request lifetimes and counts at sample moments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from agentlanes.model import PullRequest, PullState
from agentlanes.timeutil import iso_week, week_start

DEFAULT_WEEKS = 12


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open interval ``[since, until)`` in UTC, aligned to ISO weeks."""

    since: datetime
    until: datetime

    def contains(self, moment: datetime | None) -> bool:
        return moment is not None and self.since <= moment < self.until

    def weeks(self) -> list[str]:
        labels: list[str] = []
        cursor = week_start(self.since)
        while cursor < self.until:
            labels.append(iso_week(cursor))
            cursor += timedelta(weeks=1)
        return labels

    def week_ends(self) -> list[datetime]:
        """The sampling moment of each week: its end, or ``until`` for the last one."""
        ends: list[datetime] = []
        cursor = week_start(self.since)
        while cursor < self.until:
            ends.append(min(cursor + timedelta(weeks=1), self.until))
            cursor += timedelta(weeks=1)
        return ends

    def days(self) -> list[datetime]:
        """Daily sampling moments (00:00 UTC) inside the window, plus ``until``."""
        moments: list[datetime] = []
        cursor = self.since
        while cursor < self.until:
            moments.append(cursor)
            cursor += timedelta(days=1)
        moments.append(self.until)
        return moments


def make_window(now: datetime, since: datetime | None, until: datetime | None, weeks: int = DEFAULT_WEEKS) -> Window:
    """Return the window ``[since, until)``.

    ``until`` defaults to the whole second after ``now``, so every event up to
    ``now`` is inside and the end prints exactly. ``since`` defaults to the
    Monday ``weeks - 1`` ISO weeks before the week of ``until``; a given ``since``
    is rounded down to its Monday.
    """
    end = until if until is not None else now.replace(microsecond=0) + timedelta(seconds=1)
    start = week_start(since) if since is not None else week_start(end) - timedelta(weeks=weeks - 1)
    return Window(start, end)


@dataclass(frozen=True, slots=True)
class Lifetime:
    """When a pull request was in flight; ``end`` is ``None`` while it is open."""

    pull: PullRequest
    start: datetime
    end: datetime | None


def lifetimes(pulls: Iterable[PullRequest], include_drafts: bool) -> tuple[list[Lifetime], int]:
    """In-flight intervals, and how many PRs were left out for an unknown close time.

    Without drafts, a PR counts from ``ready_for_review_at`` when it started as a
    draft, and not at all while it is still a draft.
    """
    spans: list[Lifetime] = []
    unknown = 0
    for pull in pulls:
        end = pull.finished_at
        if pull.state is not PullState.OPEN and end is None:
            unknown += 1
            continue
        start = pull.created_at
        if not include_drafts:
            if pull.is_draft and pull.state is PullState.OPEN:
                continue
            if pull.ready_for_review_at is not None:
                start = pull.ready_for_review_at
        if end is not None and end < start:
            end = start
        spans.append(Lifetime(pull, start, end))
    return spans, unknown


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear-interpolated percentile (``fraction`` in [0, 1]); ``None`` when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)
