"""Issues already handed to an agent: the input behind ``route --dispatched FILE``.

The file is JSON Lines, one dispatch per line::

    {"issue": 12, "agent": "codex", "at": "2026-01-05T10:00:00Z"}

Other keys are ignored, so the audit log of ``agentlanes dispatch`` can be read
as it is: its records whose ``event`` is not ``dispatched`` (skips, attempts,
failures) are left out. Blank lines are skipped. Routing treats a dispatched issue that
is still open and has no open pull request yet as work in flight. It uses one of
the agent's slots and locks its predicted files. Each dispatch in the
``QUOTA_WINDOW`` before the moment routed counts against the agent's daily quota.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

import orjson

from agentlanes.errors import InputError
from agentlanes.sources.sidecars import DISPATCH_EVENT
from agentlanes.timeutil import parse_timestamp

QUOTA_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Dispatch:
    """One hand-over of an issue to an agent."""

    issue: int
    agent: str
    at: datetime


class DispatchLog(Protocol):
    """Anything that lists past dispatches; the JSON Lines file is one such source."""

    def dispatches(self) -> Iterable[Dispatch]: ...


@dataclass(frozen=True)
class JsonLinesDispatchLog:
    """Dispatches read from a JSON Lines file (see the module docstring)."""

    path: Path

    def dispatches(self) -> list[Dispatch]:
        try:
            lines = self.path.read_text("utf-8").splitlines()
        except FileNotFoundError:
            raise InputError(f"dispatch log not found: {self.path}", "check the --dispatched path") from None
        except UnicodeDecodeError:
            raise InputError(f"{self.path}: not UTF-8 text", "save the dispatch log as UTF-8") from None
        return [entry for number, line in enumerate(lines, 1) if line.strip()
                for entry in [_parse_line(self.path, number, line)] if entry is not None]


def json_object_line(where: str, line: str | bytes, hint: str) -> dict:
    """Parse one line of a JSON Lines file that must contain an object; ``where`` names it in errors."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{where}: malformed JSON ({exc})", hint) from None
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a JSON object, found {type(record).__name__}", hint)
    return record


def _parse_line(path: Path, number: int, line: str) -> Dispatch | None:
    where = f"{path}:{number}"
    hint = 'write one object per line, e.g. {"issue": 12, "agent": "codex", "at": "2026-01-05T10:00:00Z"}'
    record = json_object_line(where, line, hint)
    if record.get("event", DISPATCH_EVENT) != DISPATCH_EVENT:
        return None
    issue, agent, at = record.get("issue"), record.get("agent"), record.get("at")
    if not isinstance(issue, int) or isinstance(issue, bool) or issue <= 0:
        raise InputError(f"{where}: invalid issue number {issue!r}", hint)
    if not isinstance(agent, str) or not agent:
        raise InputError(f"{where}: invalid agent name {agent!r}", hint)
    if not isinstance(at, str):
        raise InputError(f"{where}: missing or invalid time 'at' ({at!r})", hint)
    try:
        moment = parse_timestamp(at)
    except ValueError:
        raise InputError(f"{where}: invalid time {at!r}", "use an ISO 8601 timestamp such as 2026-01-05T10:00:00Z") from None
    return Dispatch(issue, agent, moment)


def read_dispatched(path: str | Path) -> tuple[Dispatch, ...]:
    """Read a dispatch log file; raise ``InputError`` naming the line on bad input."""
    return tuple(JsonLinesDispatchLog(Path(path)).dispatches())


def active_dispatches(dispatches: Iterable[Dispatch], now: datetime | None) -> dict[int, Dispatch]:
    """Return the latest dispatch of each issue made at or before ``now`` (all when ``None``)."""
    latest: dict[int, Dispatch] = {}
    for entry in dispatches:
        if now is not None and entry.at > now:
            continue
        current = latest.get(entry.issue)
        if current is None or entry.at >= current.at:
            latest[entry.issue] = entry
    return latest
