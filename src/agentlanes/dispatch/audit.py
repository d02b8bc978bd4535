"""The dispatch audit log: one append-only JSON Lines file, one record per decision.

Every record has ``at`` (UTC, ISO 8601), ``event``, ``run`` (one id per
``dispatch --apply`` run), ``repository`` (``OWNER/REPO``), ``host``, ``issue``,
``agent`` and ``trigger`` (``{"kind", "value"}``). The events:

- ``attempt``: written just before a trigger is applied, with ``request``;
- ``dispatched``: the trigger was applied, with ``request``. ``note`` is set when
  a later run found the trigger of an interrupted attempt already on GitHub;
- ``skipped``: the task was not dispatched, with ``check`` (a short code) and
  ``reason``;
- ``failed``: applying the trigger failed, with ``error``.

Only ``dispatched`` records are dispatches, so ``route --dispatched`` and
``dashboard --dispatch-log`` read this file as it is and ignore the other events.

A record is written as one whole line in a single ``write`` call on a file opened
for appending, then flushed to disk with ``fsync``, so a crash of agentlanes
cannot leave half a record behind. A power loss can still cut the last line
short; the next run then stops and names the file instead of appending after it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from agentlanes.errors import InputError
from agentlanes.routing.dispatched import json_object_line
from agentlanes.sources.sidecars import DISPATCH_EVENT
from agentlanes.timeutil import parse_timestamp

ATTEMPT_EVENT = "attempt"
SKIPPED_EVENT = "skipped"
FAILED_EVENT = "failed"
EVENTS = (ATTEMPT_EVENT, DISPATCH_EVENT, SKIPPED_EVENT, FAILED_EVENT)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One line of the log as far as dispatch reads it back.

    ``repository`` is empty for lines written by hand without one; they match
    every repository. ``run`` is empty for lines without a run id.
    """

    event: str
    issue: int
    agent: str
    at: datetime
    repository: str = ""
    run: str = ""

    def concerns(self, repository: str) -> bool:
        return not self.repository or self.repository.lower() == repository.lower()


def read_audit_log(path: str | Path) -> list[AuditRecord]:
    """Read every record in file order; a missing file is an empty log."""
    source = Path(path)
    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        return []
    except IsADirectoryError:
        raise InputError(f"dispatch log {source} is a folder", "pass a file path with --log") from None
    records = []
    for number, line in enumerate(raw.splitlines(), 1):
        if line.strip():
            records.append(_parse_record(source, number, line))
    return records


def _parse_record(path: Path, number: int, line: bytes) -> AuditRecord:
    where = f"{path}:{number}"
    hint = "each line must be a JSON object with 'issue', 'agent' and 'at'; fix or remove this line"
    record = json_object_line(where, line, hint)
    event = record.get("event", DISPATCH_EVENT)
    issue, agent, at = record.get("issue"), record.get("agent"), record.get("at")
    if not isinstance(event, str) or not event:
        raise InputError(f"{where}: invalid event {event!r}", f"use one of: {', '.join(EVENTS)}")
    if isinstance(issue, bool) or not isinstance(issue, int) or issue <= 0:
        raise InputError(f"{where}: invalid issue number {issue!r}", hint)
    if not isinstance(agent, str) or not agent:
        raise InputError(f"{where}: invalid agent name {agent!r}", hint)
    try:
        moment = parse_timestamp(at) if isinstance(at, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise InputError(f"{where}: missing or invalid time 'at' ({at!r})", "use an ISO 8601 time such as 2026-01-05T10:00:00Z")
    repository = record.get("repository")
    run = record.get("run")
    return AuditRecord(event, issue, agent, moment, repository if isinstance(repository, str) else "",
                       run if isinstance(run, str) else "")


class AuditWriter:
    """Appends records to an open log; only ``open_audit_log`` makes one."""

    def __init__(self, path: Path, descriptor: int) -> None:
        self.path = path
        self._descriptor = descriptor
        self.written = 0

    def append(self, record: Mapping[str, Any]) -> None:
        line = orjson.dumps(dict(record)) + b"\n"
        view = memoryview(line)
        while view:
            # A regular file takes the whole line at once; the loop only guards
            # against a short write, which POSIX allows.
            count = os.write(self._descriptor, view)
            view = view[count:]
        os.fsync(self._descriptor)
        self.written += 1


@contextmanager
def open_audit_log(path: str | Path) -> Iterator[AuditWriter]:
    """Open the log for appending and hold an exclusive lock on it until the block ends.

    The lock (an advisory ``flock``, released when the process ends) keeps two
    dispatch runs from deciding on the same issues at once.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    except IsADirectoryError:
        raise InputError(f"dispatch log {target} is a folder", "pass a file path with --log") from None
    except OSError as exc:
        raise InputError(f"cannot open dispatch log {target}: {exc.strerror}", "check the --log path and its permissions") from None
    try:
        _lock(target, descriptor)
        _repair_missing_newline(target, descriptor)
        yield AuditWriter(target, descriptor)
    finally:
        os.close(descriptor)


def _lock(path: Path, descriptor: int) -> None:
    try:
        import fcntl
    except ImportError:  # NOTE: Windows has no flock, so two runs there are not kept apart.
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise InputError(
            f"another agentlanes dispatch is using {path}",
            "wait for it to finish; running both would check the same issues twice",
        ) from None


def _repair_missing_newline(path: Path, descriptor: int) -> None:
    """End a hand-written last line with a newline; stop on a line a write left incomplete."""
    size = os.fstat(descriptor).st_size
    if size == 0 or os.pread(descriptor, 1, size - 1) == b"\n":
        return
    start = max(size - 1_000_000, 0)
    tail = os.pread(descriptor, size - start, start).rsplit(b"\n", 1)[-1]
    try:
        complete = isinstance(orjson.loads(tail), dict)
    except orjson.JSONDecodeError:
        complete = False
    if not complete:
        raise InputError(
            f"{path} ends with an incomplete record ({len(tail)} bytes after the last newline)",
            "a write was cut off; check whether that dispatch happened, then complete or delete the last line",
        )
    os.write(descriptor, b"\n")
