"""Read the configuration model's JSON Schema: the node behind a key, and its allowed values in words.

Error messages (``agentlanes.config_errors``) and the generated reference
(docs/configuration.md) both describe keys from here, so they never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from agentlanes.config import Config

Node = dict[str, Any]
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@cache
def config_schema() -> Node:
    return Config.model_json_schema(mode="validation")


def resolve(node: Node) -> Node:
    """Follow a ``$ref`` into ``$defs``, keeping the referring node's description and default."""
    reference = node.get("$ref")
    if reference is None:
        return node
    target = config_schema()["$defs"][reference.rsplit("/", 1)[-1]]
    return {**target, **{key: value for key, value in node.items() if key != "$ref"}}


def without_null(node: Node) -> tuple[Node, bool]:
    """Return the non-null branch of an ``X | None`` node and whether None was allowed."""
    branches = node.get("anyOf")
    if not branches:
        return node, False
    kept = [branch for branch in branches if branch.get("type") != "null"]
    if len(kept) != 1:
        return node, False
    merged = {**kept[0], **{key: value for key, value in node.items() if key != "anyOf"}}
    return resolve(merged), True


def node_at(location: Sequence[str | int]) -> Node | None:
    """Return the schema node of a key path such as ``("agents", 0, "trigger", "kind")``."""
    node = resolve(config_schema())
    for part in location:
        node, _ = without_null(resolve(node))
        if isinstance(part, int) and node.get("type") == "array":
            node = node.get("items", {})
        elif isinstance(part, str) and part in node.get("properties", {}):
            node = node["properties"][part]
        elif isinstance(part, str) and isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return None
    return resolve(node)


def key_text(location: Sequence[str | int]) -> str:
    """Write a key path as in TOML: ``agents[0].trigger.kind``, ``priorities."priority:p0"``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _BARE_KEY.match(part):
            text += f".{part}" if text else part
        else:
            quoted = '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'
            text += f".{quoted}" if text else quoted
    return text


def _number_range(node: Node, noun: str) -> str:
    low, high = node.get("minimum"), node.get("maximum")
    low_open, high_open = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    if low is not None and high is not None:
        return f"{noun} from {low:g} to {high:g}"
    if low_open is not None and high_open is not None:
        return f"{noun} greater than {low_open:g} and less than {high_open:g}"
    parts = []
    if low is not None:
        parts.append(f"at least {low:g}")
    if low_open is not None:
        parts.append(f"greater than {low_open:g}")
    if high is not None:
        parts.append(f"at most {high:g}")
    if high_open is not None:
        parts.append(f"less than {high_open:g}")
    return f"{noun} {' and '.join(parts)}" if parts else noun


def quote(text: str) -> str:
    """Quote a string as TOML does: 'literal' when possible, else "basic" with escapes."""
    if "'" not in text and "\n" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _choices(values: Sequence[Any]) -> str:
    return ", ".join(quote(str(value)) for value in values)


def allowed_text(node: Node) -> str:
    """Describe in words what a key accepts, e.g. ``an integer from 0 to 1000``."""
    node, nullable = without_null(resolve(node))
    text = _describe(node)
    return f"{text}, or leave the key out" if nullable else text


def _describe(node: Node) -> str:
    if "allowed" in node:
        return node["allowed"]
    if "enum" in node:
        return f"one of {_choices(node['enum'])}"
    kind = node.get("type")
    if kind == "integer":
        return _number_range(node, "an integer")
    if kind == "number":
        return _number_range(node, "a number")
    if kind == "boolean":
        return "true or false"
    if kind == "string":
        return "a non-empty string" if node.get("minLength") else "a string"
    if kind == "array":
        items = resolve(node.get("items", {}))
        if "enum" in items:
            return f"a list of {_choices(items['enum'])}"
        if items.get("type") == "object" and "properties" in items:
            return "a list of tables ([[...]] entries)"
        noun = "a non-empty list" if node.get("minItems") else "a list"
        return f"{noun} of strings" if items.get("type") == "string" else noun
    if kind == "object" and "properties" in node:
        return f"a table with the keys {', '.join(node['properties'])}"
    if kind == "object" and isinstance(node.get("additionalProperties"), dict):
        return f"a table of key = value, each value {allowed_text(node['additionalProperties'])}"
    return "see docs/configuration.md"


def table_keys(node: Node) -> list[str]:
    """Return the keys a table node accepts, leaving out internal ones."""
    node, _ = without_null(resolve(node))
    return [key for key, field in node.get("properties", {}).items() if not field.get("internal")]
