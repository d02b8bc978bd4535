"""Timestamps: parsing, UTC normalisation and ISO-week buckets."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from agentlanes.errors import InputError

_RELATIVE = re.compile(r"^(\d+)\s*([hdw])$")
_DATE_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[+-]\d{2}(?::?\d{2})?$")


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO 8601 timestamp into an aware UTC ``datetime``.

    A value without an offset is taken as UTC; a bare date means its midnight UTC.
    Raises ``ValueError`` on anything else, so callers can name the field.
    """
    text = value.strip()
    if _DATE_WITH_OFFSET.match(text):
        # datetime.fromisoformat reads "2026-03-01+02:00" as 02:00 on that day, not as an offset.
        raise ValueError(f"a date with a UTC offset needs a time: {value!r}")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_as_of(value: str | None, option: str = "--as-of") -> datetime | None:
    """Parse a moment option (``--as-of``, ``--since``, ``--until``): an ISO date or timestamp, or ``None``."""
    if value is None:
        return None
    if not value.strip():
        raise InputError(f"empty {option} value", "give an ISO 8601 date or timestamp, or leave the option out")
    try:
        return parse_timestamp(value)
    except ValueError:
        raise InputError(
            f"invalid {option} time {value!r}",
            "use an ISO 8601 date or timestamp, e.g. 2024-03-01, 2024-03-01T12:00:00Z or 2024-03-01T00:00+02:00",
        ) from None


def parse_duration(value: str) -> timedelta:
    """Parse ``12h``, ``3d`` or ``2w`` into a ``timedelta``."""
    match = _RELATIVE.match(value.strip())
    if not match:
        raise InputError(
            f"invalid duration {value!r}", "use a number followed by h, d or w, e.g. 14d"
        )
    amount, unit = int(match.group(1)), match.group(2)
    return {"h": timedelta(hours=amount), "d": timedelta(days=amount), "w": timedelta(weeks=amount)}[unit]


def iso_week(moment: datetime) -> str:
    """Return the ISO week label (``2026-W05``) of a UTC moment."""
    year, week, _ = moment.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


def week_start(moment: datetime) -> datetime:
    """Return Monday 00:00 UTC of the ISO week containing ``moment``."""
    day = moment.astimezone(UTC).date()
    monday = day - timedelta(days=day.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


def iso_weeks_between(first: datetime, last: datetime) -> list[str]:
    """Return every ISO week label from ``first`` to ``last`` inclusive, gaps included."""
    weeks: list[str] = []
    cursor = week_start(first)
    while cursor <= last:
        weeks.append(iso_week(cursor))
        cursor += timedelta(weeks=1)
    return weeks


def format_timestamp(moment: datetime | None) -> str | None:
    """Format as ``2026-02-01T12:00:00Z``, or ``None``."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()
