"""Turn pydantic's validation errors into one ``ConfigError`` that names each bad key.

Every line names the key as written in TOML (``agents[1].capacity``), the agent
it belongs to, the value found and what the key accepts, e.g.::

    agentlanes.toml: 2 invalid values
      agents[1].capacity (agent 'devin'): invalid value -1; allowed: an integer from 0 to 1000
      conflict.method: invalid value 'files'; allowed: one of 'footprint', 'component', 'both'
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from agentlanes.config_schema import allowed_text, key_text, node_at, quote, table_keys
from agentlanes.errors import ConfigError

if TYPE_CHECKING:
    from agentlanes.config import Config

# Errors listed in one message; the rest are counted.
MAX_LISTED_ERRORS = 20
_MAX_VALUE_CHARS = 60
_HINT = "fix the keys named above; docs/configuration.md lists every key and its allowed values"


def show_value(value: Any) -> str:
    """Write a value the way TOML spells it, shortened when long."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = quote(value)
    elif isinstance(value, dict):
        text = "a table"
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(show_value(item) for item in value) + "]"
    else:
        text = str(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 3] + "..."


def _agent_name(document: dict[str, Any], location: Sequence[str | int]) -> str:
    """Return " (agent 'NAME')" when the key is inside a named [[agents]] entry."""
    if len(location) < 2 or location[0] != "agents" or not isinstance(location[1], int):
        return ""
    agents = document.get("agents")
    if not isinstance(agents, list) or location[1] >= len(agents) or not isinstance(agents[location[1]], dict):
        return ""
    name = agents[location[1]].get("name")
    return f" (agent {quote(name)})" if isinstance(name, str) and name else ""


def _unknown_key(location: Sequence[str | int]) -> str:
    parent = node_at(location[:-1])
    allowed = table_keys(parent) if parent is not None else []
    key = str(location[-1])
    guess = difflib.get_close_matches(key, allowed, n=1)
    line = "unknown key"
    if guess:
        line += f" (did you mean {quote(guess[0])}?)"
    if allowed:
        line += f"; allowed keys here: {', '.join(allowed)}"
    return line


def _describe_error(error: dict[str, Any], document: dict[str, Any]) -> str:
    location = tuple(error["loc"])
    key = key_text(location) or "(top level)"
    where = f"{key}{_agent_name(document, location)}"
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{where}: {_unknown_key(location)}"
    node = node_at(location)
    allowed = allowed_text(node) if node is not None else ""
    if kind == "missing":
        return f"{where}: missing key; required: {allowed}" if allowed else f"{where}: missing key"
    if kind == "value_error":
        return f"{where}: {error['msg'].removeprefix('Value error, ')}"
    value = show_value(error.get("input"))
    return f"{where}: invalid value {value}; allowed: {allowed}" if allowed else f"{where}: invalid value {value} ({error['msg']})"


def validation_error(exc: ValidationError, document: dict[str, Any], source: str) -> ConfigError:
    """Build the ``ConfigError`` for every error pydantic found in ``document``."""
    lines = [_describe_error(error, document) for error in exc.errors()]
    shown = lines[:MAX_LISTED_ERRORS]
    if len(lines) > len(shown):
        shown.append(f"... and {len(lines) - len(shown)} more")
    if len(lines) == 1:
        message = f"{source}: {lines[0]}"
    else:
        message = f"{source}: {len(lines)} invalid values\n" + "\n".join(f"  {line}" for line in shown)
    return ConfigError(message, _HINT)


def check_agent_components(config: Config) -> None:
    """Reject agent strengths or eligibility naming a component the file does not configure."""
    if not config.components:
        return
    names = [component.name for component in config.components]
    lines = []
    for index, agent in enumerate(config.agents):
        for key, listed in (("strengths", agent.strengths.components), ("eligible", agent.eligible.components)):
            lines.extend(
                f"agents[{index}].{key}.components (agent {quote(agent.name)}): invalid value {show_value(name)}; "
                f"allowed: one of the configured components {', '.join(show_value(n) for n in names)}"
                for name in listed if name not in names
            )
    if len(lines) == 1:
        raise ConfigError(f"{config.source}: {lines[0]}", _HINT)
    if lines:
        raise ConfigError(f"{config.source}: {len(lines)} invalid values\n" + "\n".join(f"  {line}" for line in lines), _HINT)
