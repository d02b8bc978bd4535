"""Read the dashboard's optional side inputs: merge-queue snapshots and a dispatch log.

Both are JSON Lines (one object per line) or a JSON array of the same objects:

- merge-queue snapshots: ``{"at": TIME, "depth": N}``, one per live read of
  ``mergeQueue(branch).entries.totalCount``;
- dispatch log: ``{"agent": NAME, "at": TIME, "issue": N, "ended_at": TIME}``,
  one per issue handed to an agent; ``issue`` and ``ended_at`` (when the agent's
  PR opened) are optional. Records with an ``event`` other than ``dispatched``
  (the skips and attempts in the audit log of ``agentlanes dispatch``) are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from agentlanes.errors import InputError
from agentlanes.sources.payload import Item

# The ``event`` of a dispatch in the audit log; records without ``event`` are dispatches too.
DISPATCH_EVENT = "dispatched"


@dataclass(frozen=True, slots=True)
class DispatchEntry:
    agent: str
    at: datetime
    issue: int | None = None
    ended_at: datetime | None = None


def _records(path: str | Path, what: str) -> list[tuple[Item, Any]]:
    source = Path(path)
    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what} file not found: {source}", "check the path") from None
    try:
        if raw.lstrip().startswith(b"["):
            records = orjson.loads(raw)
            return [(Item(r, source.name, index), r) for index, r in enumerate(records, 1)]
        found = []
        for number, line in enumerate(raw.splitlines(), 1):
            if line.strip():
                record = orjson.loads(line)
                found.append((Item(record, f"{source.name} line {number}", number), record))
        return found
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{source}: malformed JSON ({exc})",
                         f"write the {what} as JSON Lines, one object per line") from None


def load_queue_snapshots(path: str | Path) -> list[tuple[datetime, int]]:
    """Read ``(moment, depth)`` merge-queue snapshots, oldest first."""
    snapshots = []
    for item, record in _records(path, "merge-queue snapshot"):
        depth = record.get("depth")
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
            raise item.fail("depth", f"must be a non-negative integer, got {depth!r}", "fix or remove this line")
        snapshots.append((item.timestamp("at", required=True), depth))
    return sorted(snapshots)  # type: ignore[arg-type]


def load_dispatch_log(path: str | Path) -> list[DispatchEntry]:
    """Read the issues handed to agents, in file order."""
    entries = []
    for item, record in _records(path, "dispatch log"):
        if record.get("event", DISPATCH_EVENT) != DISPATCH_EVENT:
            continue
        agent = item.text("agent", required=True)
        if not agent:
            raise item.fail("agent", "is empty", "name the agent the issue was dispatched to")
        issue = record.get("issue")
        if issue is not None and (isinstance(issue, bool) or not isinstance(issue, int)):
            raise item.fail("issue", f"must be an issue number, got {issue!r}", "fix or remove this line")
        entries.append(DispatchEntry(agent, item.timestamp("at", required=True),  # type: ignore[arg-type]
                                     issue, item.timestamp("ended_at")))
    return entries
