"""Write TOML keys and values (tomllib reads TOML but does not write it)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_key(name: str) -> str:
    """Return ``name`` bare when TOML allows it, else as a quoted key."""
    return name if _BARE_KEY.match(name) else toml_string(name)


def toml_string(text: str) -> str:
    # JSON's string escapes are a subset of TOML's basic-string escapes.
    return json.dumps(text, ensure_ascii=False)


def toml_value(value: Any) -> str:
    """Write a value inline: strings, numbers, booleans, lists and tables (as inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{toml_key(key)} = {toml_value(item)}" for key, item in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
