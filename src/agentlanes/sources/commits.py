"""Parse commit records (``commits.jsonl``), the issue-to-files link file and merge-queue snapshots."""

from __future__ import annotations

from pathlib import Path

import orjson

from agentlanes.errors import InputError
from agentlanes.model import Commit, QueueSnapshot
from agentlanes.sources.payload import Item, load_json_file


def parse_commit(item: Item) -> Commit:
    sha = item.text("sha", required=True)
    if not sha:
        raise item.fail("sha", "is empty", "every commit needs its sha")
    authored = item.timestamp("author_date", required=True)
    committed = item.timestamp("committer_date") or authored
    files = [f if isinstance(f, str) else f.get("path", "") for f in item.list_of("files")]
    refs = [n for n in item.list_of("x_issue_numbers") if isinstance(n, int)]
    return Commit(
        sha=sha,
        parents=tuple(str(p) for p in item.list_of("parents")),
        author_name=item.text("author"),
        authored_at=authored,  # type: ignore[arg-type]
        committed_at=committed,  # type: ignore[arg-type]
        subject=item.text("subject"),
        author_login=item.optional_text("author_login"),
        author_is_bot=item.raw("author_is_bot") if isinstance(item.raw("author_is_bot"), bool) else None,
        committer_name=item.text("committer"),
        coauthors=tuple(str(name) for name in item.list_of("coauthors")),
        files=tuple(path for path in files if path),
        issue_refs=tuple(refs),
    )


def load_commits(path: str | Path) -> list[Commit]:
    """Read commits from JSON Lines (one object per line) or a JSON array."""
    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"file not found: {path}", "check the path") from None
    stripped = raw.lstrip()
    if stripped.startswith(b"["):
        records = load_json_file(str(path))
        return [parse_commit(Item(record, name, index)) for index, record in enumerate(records, 1)]
    commits: list[Commit] = []
    for line_number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise InputError(
                f"{name}: line {line_number} is not valid JSON ({exc})",
                "each line of a .jsonl file must be one complete JSON object",
            ) from None
        commits.append(parse_commit(Item(record, f"{name} line {line_number}", line_number)))
    return commits


def load_issue_files(path: str | Path) -> dict[int, tuple[str, ...]]:
    """Read ``x_issue_files.json``: issue number -> paths changed for it."""
    document = load_json_file(str(path))
    if not isinstance(document, dict):
        raise InputError(f"{path}: expected an object keyed by issue number", "see docs/offline-format.md")
    links: dict[int, tuple[str, ...]] = {}
    for key, value in document.items():
        if not str(key).isdigit() or not isinstance(value, dict):
            raise InputError(
                f"{path}: entry {key!r} must map an issue number to an object with 'files'",
                "see docs/offline-format.md",
            )
        links[int(key)] = tuple(str(p) for p in value.get("files") or [])
    return links


def load_queue_snapshots(path: str | Path) -> list[QueueSnapshot]:
    """Read ``x_merge_queue.json``: a list of ``{takenAt, branch, depth, pullRequests}`` readings."""
    document = load_json_file(str(path))
    if not isinstance(document, list):
        raise InputError(f"{path}: expected a JSON array of merge-queue snapshots", "see docs/offline-format.md")
    name = Path(path).name
    readings: list[QueueSnapshot] = []
    for position, entry in enumerate(document, 1):
        item = Item(entry, name, position)
        depth = item.raw("depth")
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
            raise item.fail("depth", f"must be a whole number of entries, got {depth!r}", "fix or remove this snapshot")
        numbers = tuple(n for n in item.list_of("pullRequests") if isinstance(n, int) and not isinstance(n, bool))
        readings.append(QueueSnapshot(item.timestamp("takenAt", required=True), depth, item.text("branch"), numbers))  # type: ignore[arg-type]
    return readings
