"""Field access on raw payload items, with errors that name file, item and field."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agentlanes.errors import InputError
from agentlanes.timeutil import parse_timestamp

_MISSING = object()


class Item:
    """One raw JSON object from a payload, remembered with where it came from.

    ``where`` is the file name; ``position`` the item's 1-based index (or line).
    Once the item's number is known it is used in messages instead.
    """

    __slots__ = ("data", "where", "position", "number")

    def __init__(self, data: Any, where: str, position: int) -> None:
        if not isinstance(data, dict):
            raise InputError(
                f"{where}: item {position} is a {type(data).__name__}, expected a JSON object",
                "each entry must be an issue, pull request or commit object",
            )
        self.data = data
        self.where = where
        self.position = position
        self.number: int | None = None

    def label(self) -> str:
        if self.number is not None:
            return f"{self.where}: item #{self.number} (entry {self.position})"
        return f"{self.where}: entry {self.position}"

    def fail(self, field: str, problem: str, hint: str) -> InputError:
        return InputError(f"{self.label()}: field '{field}' {problem}", hint)

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def require(self, key: str) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            raise self.fail(key, "is missing", "export the data with this field, e.g. add it to `gh ... --json`")
        return value

    def number_field(self, key: str = "number") -> int:
        value = self.require(key)
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.isdigit():
                value = int(value)
            else:
                raise self.fail(key, f"must be an integer, got {value!r}", "fix or remove this item")
        self.number = value
        return value

    def text(self, key: str, required: bool = False) -> str:
        value = self.require(key) if required else self.data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string, got {type(value).__name__}", "fix or remove this item")
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string, got {type(value).__name__}", "fix or remove this item")
        return value

    def timestamp(self, key: str, required: bool = False) -> datetime | None:
        value = self.require(key) if required else self.data.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is null", "every item needs this timestamp")
            return None
        if not isinstance(value, str):
            raise self.fail(key, f"must be an ISO 8601 string, got {value!r}", "fix or remove this item")
        try:
            return parse_timestamp(value)
        except ValueError:
            raise self.fail(
                key, f"is not an ISO 8601 timestamp: {value!r}", "use a form like 2024-03-01T12:00:00Z"
            ) from None

    def list_of(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, dict) and "nodes" in value:
            value = value["nodes"] or []
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list, got {type(value).__name__}", "fix or remove this item")
        return value


def load_json_file(path: str) -> Any:
    """Read one JSON file with a clear error for unreadable or malformed content."""
    import orjson

    try:
        with open(path, "rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise InputError(f"file not found: {path}", "check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, expected a JSON file", "pass the file, or use --from FOLDER") from None
    except PermissionError:
        raise InputError(f"cannot read {path}: permission denied", "check the file's permissions") from None
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        content = content.decode("utf-16").encode("utf-8")
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: malformed JSON ({exc})", "check that the file is complete and valid JSON") from None
