"""The local SQLite store of synced repositories.

One database contains any number of repositories. Every change goes through
``Store.transaction()``, so a page of items and the cursor after it are saved
together or not at all; an interrupted sync leaves the store as it was after
the last complete page.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import platformdirs

from agentlanes.errors import InputError
from agentlanes.github.endpoint import RepoRef
from agentlanes.store.schema import migrate
from agentlanes.timeutil import format_timestamp, parse_timestamp

DEFAULT_DB_NAME = "github.sqlite3"
BUSY_TIMEOUT_MS = 10_000


def default_db_path() -> Path:
    """``github.sqlite3`` in the user's cache folder (``$XDG_CACHE_HOME/agentlanes`` on Linux)."""
    return platformdirs.user_cache_path("agentlanes") / DEFAULT_DB_NAME


@dataclass(frozen=True)
class StoredRepository:
    id: int
    host: str
    owner: str
    name: str
    default_branch: str | None

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class QueueRecord:
    """One merge-queue reading: when, which branch, how many entries, which PRs."""

    taken_at: datetime
    branch: str
    depth: int
    pull_numbers: tuple[int, ...]


def _row_repository(row: Sequence[Any]) -> StoredRepository:
    return StoredRepository(row[0], row[1], row[2], row[3], row[4])


class Store:
    """An open store; use as a context manager or call ``close()``."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, path: str | Path | None = None, *, create: bool = True) -> Store:
        """Open (and with ``create``, make) the database, migrating its schema."""
        target = Path(path) if path is not None else default_db_path()
        if not create and not target.is_file():
            raise InputError(
                f"database not found: {target}",
                "run `agentlanes sync OWNER/REPO` first, or pass the --db file it wrote",
            )
        if target.is_dir():
            raise InputError(f"--db {target} is a folder", "pass a file path, e.g. --db data/github.sqlite3")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(target, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            migrate(connection, str(target))
        except sqlite3.DatabaseError as exc:
            raise InputError(
                f"{target} is not a usable agentlanes database ({exc})",
                "pass another --db path; agentlanes creates the file when it does not exist",
            ) from None
        return cls(connection, target)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold ``DB.lock`` while syncing, so two syncs never interleave their cursors.

        SQLite alone would let both runs write, and the slower one could move a
        cursor back. The lock is an advisory ``flock``, released when the process
        ends, so a crashed run leaves nothing to clean up.
        """
        try:
            import fcntl
        except ImportError:  # Windows has no flock; SQLite's own locking still keeps each page whole
            yield
            return
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError(
                    f"another agentlanes sync is writing to {self.path}",
                    "wait for it to finish, or sync into another --db file",
                ) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block as one write transaction: all of it is saved, or none."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # Repositories

    def ensure_repository(self, host: str, owner: str, name: str) -> StoredRepository:
        self._db.execute(
            "INSERT INTO repositories (host, owner, name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (host, owner, name),
        )
        row = self._db.execute(
            "SELECT id, host, owner, name, default_branch FROM repositories WHERE host = ? AND owner = ? AND name = ?",
            (host, owner, name),
        ).fetchone()
        return _row_repository(row)

    def set_default_branch(self, repository: StoredRepository, branch: str | None) -> None:
        self._db.execute("UPDATE repositories SET default_branch = ? WHERE id = ?", (branch, repository.id))

    def repositories(self) -> list[StoredRepository]:
        rows = self._db.execute("SELECT id, host, owner, name, default_branch FROM repositories ORDER BY host, owner, name")
        return [_row_repository(row) for row in rows]

    def find_repository(self, ref: RepoRef | None) -> StoredRepository:
        """Return the stored repository ``ref`` names (case-insensitive), or the only one when ``ref`` is ``None``."""
        stored = self.repositories()
        if ref is None:
            if len(stored) == 1:
                return stored[0]
            if not stored:
                raise InputError(f"{self.path} holds no repository yet", "run `agentlanes sync OWNER/REPO` first")
            names = ", ".join(f"{r.host}/{r.full_name}" for r in stored)
            raise InputError(f"{self.path} holds several repositories ({names})", "choose one with -R OWNER/REPO")
        matches = [
            r for r in stored
            if r.full_name.lower() == ref.full_name.lower() and (not ref.host or r.host.lower() == ref.host.lower())
        ]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise InputError(
                f"repository {ref} is not in {self.path}",
                f"run `agentlanes sync {ref.full_name}` first, or pass the --db file that holds it",
            )
        hosts = ", ".join(r.host for r in matches)
        raise InputError(f"{ref} is stored for several hosts ({hosts})", f"write it as HOST/{ref.full_name}")

    # Items

    def save_issues(self, repository: StoredRepository, nodes: Sequence[dict[str, Any]], synced_at: datetime) -> None:
        stamp = format_timestamp(synced_at)
        self._db.executemany(
            "INSERT INTO issues (repository_id, number, state, created_at, updated_at, closed_at, payload, synced_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repository_id, number) DO UPDATE SET "
            "state = excluded.state, created_at = excluded.created_at, updated_at = excluded.updated_at, "
            "closed_at = excluded.closed_at, payload = excluded.payload, synced_at = excluded.synced_at",
            [
                (repository.id, node["number"], node.get("state") or "", node.get("createdAt"), node.get("updatedAt"),
                 node.get("closedAt"), orjson.dumps(node), stamp)
                for node in nodes
            ],
        )

    def save_pulls(self, repository: StoredRepository, nodes: Sequence[dict[str, Any]], synced_at: datetime) -> None:
        stamp = format_timestamp(synced_at)
        self._db.executemany(
            "INSERT INTO pulls (repository_id, number, state, created_at, updated_at, closed_at, merged_at, payload, "
            "synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repository_id, number) DO UPDATE SET "
            "state = excluded.state, created_at = excluded.created_at, updated_at = excluded.updated_at, "
            "closed_at = excluded.closed_at, merged_at = excluded.merged_at, payload = excluded.payload, "
            "synced_at = excluded.synced_at",
            [
                (repository.id, node["number"], node.get("state") or "", node.get("createdAt"), node.get("updatedAt"),
                 node.get("closedAt"), node.get("mergedAt"), orjson.dumps(node), stamp)
                for node in nodes
            ],
        )

    def payloads(self, repository: StoredRepository, table: str) -> Iterator[dict[str, Any]]:
        """Yield every stored node of ``table`` (``issues`` or ``pulls``), by number."""
        if table not in ("issues", "pulls"):
            raise ValueError(table)
        rows = self._db.execute(f"SELECT payload FROM {table} WHERE repository_id = ? ORDER BY number", (repository.id,))
        for (payload,) in rows:
            yield orjson.loads(payload)

    def count(self, repository: StoredRepository, table: str) -> int:
        if table not in ("issues", "pulls"):
            raise ValueError(table)
        return self._db.execute(f"SELECT count(*) FROM {table} WHERE repository_id = ?", (repository.id,)).fetchone()[0]

    # Cursors

    def cursor(self, repository: StoredRepository, connection: str) -> str | None:
        row = self._db.execute(
            "SELECT cursor FROM cursors WHERE repository_id = ? AND connection = ?", (repository.id, connection)
        ).fetchone()
        return row[0] if row else None

    def set_cursor(self, repository: StoredRepository, connection: str, cursor: str, saved_at: datetime) -> None:
        self._db.execute(
            "INSERT INTO cursors (repository_id, connection, cursor, saved_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (repository_id, connection) DO UPDATE SET cursor = excluded.cursor, saved_at = excluded.saved_at",
            (repository.id, connection, cursor, format_timestamp(saved_at)),
        )

    def clear_cursors(self, repository: StoredRepository) -> None:
        self._db.execute("DELETE FROM cursors WHERE repository_id = ?", (repository.id,))

    # Merge queue

    def add_queue_snapshot(self, repository: StoredRepository, record: QueueRecord) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO queue_snapshots (repository_id, taken_at, branch, depth, pull_numbers) "
            "VALUES (?, ?, ?, ?, ?)",
            (repository.id, format_timestamp(record.taken_at), record.branch, record.depth,
             orjson.dumps(list(record.pull_numbers)).decode()),
        )

    def queue_snapshots(self, repository: StoredRepository) -> list[QueueRecord]:
        rows = self._db.execute(
            "SELECT taken_at, branch, depth, pull_numbers FROM queue_snapshots WHERE repository_id = ? ORDER BY taken_at",
            (repository.id,),
        )
        return [QueueRecord(parse_timestamp(t), b, d, tuple(orjson.loads(n))) for t, b, d, n in rows]

    # Runs

    def begin_run(self, repository: StoredRepository, started_at: datetime, transport: str) -> int:
        cursor = self._db.execute(
            "INSERT INTO sync_runs (repository_id, started_at, status, transport) VALUES (?, ?, 'running', ?)",
            (repository.id, format_timestamp(started_at), transport),
        )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, finished_at: datetime, status: str, *, requests: int, issues: int,
                   pulls: int, message: str = "") -> None:
        self._db.execute(
            "UPDATE sync_runs SET finished_at = ?, status = ?, requests = ?, issues = ?, pulls = ?, message = ? "
            "WHERE id = ?",
            (format_timestamp(finished_at), status, requests, issues, pulls, message, run_id),
        )

    def last_run_status(self, repository: StoredRepository) -> str | None:
        row = self._db.execute(
            "SELECT status FROM sync_runs WHERE repository_id = ? ORDER BY id DESC LIMIT 1", (repository.id,)
        ).fetchone()
        return row[0] if row else None

    def runs(self, repository: StoredRepository) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT id, started_at, finished_at, status, transport, requests, issues, pulls, message "
            "FROM sync_runs WHERE repository_id = ? ORDER BY id",
            (repository.id,),
        )
        keys = ("id", "started_at", "finished_at", "status", "transport", "requests", "issues", "pulls", "message")
        return [dict(zip(keys, row, strict=True)) for row in rows]
