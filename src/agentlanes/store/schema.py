"""The SQLite schema of the store, as numbered migrations.

``PRAGMA user_version`` records how many migrations a database has had. Opening
a database applies the missing ones in order, each in its own transaction. Add a
migration by appending to ``MIGRATIONS``; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3

from agentlanes.errors import InputError

_V1 = """
-- GitHub names are case-insensitive, so are these columns.
CREATE TABLE repositories (
    id INTEGER PRIMARY KEY,
    host TEXT NOT NULL COLLATE NOCASE,
    owner TEXT NOT NULL COLLATE NOCASE,
    name TEXT NOT NULL COLLATE NOCASE,
    default_branch TEXT,
    UNIQUE (host, owner, name)
);

-- payload: the GraphQL node as GitHub sent it (JSON), with nested connections
-- completed by follow-up queries. The other columns repeat fields for queries.
CREATE TABLE issues (
    repository_id INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT,
    updated_at TEXT,
    closed_at TEXT,
    payload BLOB NOT NULL,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (repository_id, number)
) WITHOUT ROWID;

CREATE TABLE pulls (
    repository_id INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT,
    updated_at TEXT,
    closed_at TEXT,
    merged_at TEXT,
    payload BLOB NOT NULL,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (repository_id, number)
) WITHOUT ROWID;

-- The end cursor of the last stored page of each connection ('issues', 'pulls'),
-- ordered by UPDATED_AT ascending: the next run continues after it.
CREATE TABLE cursors (
    repository_id INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    connection TEXT NOT NULL,
    cursor TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (repository_id, connection)
) WITHOUT ROWID;

CREATE TABLE queue_snapshots (
    repository_id INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    taken_at TEXT NOT NULL,
    branch TEXT NOT NULL,
    depth INTEGER NOT NULL,
    pull_numbers TEXT NOT NULL,
    PRIMARY KEY (repository_id, taken_at, branch)
) WITHOUT ROWID;

CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY,
    repository_id INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    transport TEXT NOT NULL,
    requests INTEGER NOT NULL DEFAULT 0,
    issues INTEGER NOT NULL DEFAULT 0,
    pulls INTEGER NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT ''
);
"""

_V2 = """
-- Issues stored before sync read their relations (parent, sub-issues, blocked-by,
-- blocking) lack them. Forgetting the issues cursor makes the next sync read every
-- issue again, once; pull requests keep their cursor.
DELETE FROM cursors WHERE connection = 'issues';
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2)


def migrate(connection: sqlite3.Connection, where: str) -> None:
    """Bring the schema up to date; refuse a database from a newer agentlanes."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise InputError(
            f"{where}: schema version {version} is newer than this agentlanes understands ({len(MIGRATIONS)})",
            "upgrade agentlanes, or sync into a new --db file",
        )
    for number in range(version, len(MIGRATIONS)):
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[number]):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number + 1}")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")


def _statements(script: str) -> list[str]:
    """Split a migration into statements (no statement contains a ';' inside)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
