"""Render the commented ``agentlanes.toml`` that ``agentlanes init`` writes.

The comment above each key is its description from the configuration model, so
the file and docs/configuration.md never disagree.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

from agentlanes.config import DEFAULT_PRIORITIES, ClassificationConfig, ConflictConfig, default_agents_document
from agentlanes.config_schema import allowed_text, node_at, table_keys
from agentlanes.init.inference import InferredComponent, PriorityLabel
from agentlanes.init.tomltext import toml_key, toml_value

_WIDTH = 88
_AGENT_KEYS = ("name", "display_name", "capacity", "daily_quota", "prior", "trigger", "strengths", "eligible",
               "recognise")


@dataclass(frozen=True)
class Survey:
    """Findings of ``agentlanes init`` in the checkout and the data, and the settings drawn from them."""

    title: str
    sources: tuple[str, ...]
    components: tuple[InferredComponent, ...] = ()
    component_notes: tuple[str, ...] = ()
    priorities: tuple[PriorityLabel, ...] | None = None
    labels_seen: int = 0
    notes: tuple[str, ...] = ()
    codeowners: str | None = None
    tracked_files: int = 0


def _comment(text: str) -> list[str]:
    # Paths and labels stay whole: no breaks at hyphens or inside long words.
    return textwrap.wrap(text, _WIDTH, initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False,
                         break_long_words=False)


def _key_comment(*location: str | int) -> list[str]:
    node = node_at(location)
    if node is None:
        raise KeyError(f"no configuration key {location}")
    return _comment(f"{node.get('description', '')} Allowed: {allowed_text(node)}.")


def _header(survey: Survey) -> list[str]:
    lines = [f"# agentlanes configuration for {survey.title}", "#"]
    lines += _comment("Written by `agentlanes init` from " + "; ".join(survey.sources) + ".")
    lines += ["#"]
    lines += _comment("Every key is optional: a key left out takes its default. docs/configuration.md in the "
                      "agentlanes repository lists every key and its allowed values. Any command checks this "
                      "file when it starts and names each invalid key.")
    return lines + [""]


def _conflict_section() -> list[str]:
    defaults = ConflictConfig()
    lines = _comment("When two tasks may not be in flight together.") + ["[conflict]"]
    for key in table_keys(node_at(("conflict",)) or {}):
        lines += _key_comment("conflict", key)
        lines.append(f"{key} = {toml_value(getattr(defaults, key))}")
    return lines + [""]


def _priorities_section(survey: Survey) -> list[str]:
    lines = _key_comment("priorities")
    if survey.priorities:
        lines += _comment(f"These labels of the repository's {survey.labels_seen} labels look like priorities; "
                          "the comment gives the open issues carrying each.")
        lines.append("[priorities]")
        for item in survey.priorities:
            lines.append(f"{toml_key(item.label)} = {toml_value(item.weight)}  "
                         f"# {item.meaning}, {item.open_issues} open issues")
        return lines + [""]
    if survey.priorities is not None:
        lines += _comment(f"None of the repository's {survey.labels_seen} labels looks like a priority; this is "
                          "the built-in table. Add your own priority labels here.")
    lines.append("[priorities]")
    lines += [f"{toml_key(label)} = {toml_value(weight)}" for label, weight in DEFAULT_PRIORITIES.items()]
    return lines + [""]


def _components_section(survey: Survey) -> list[str]:
    lines = _key_comment("components")
    lines += _comment("A file belongs to the first component that matches it, so the more specific components "
                      "come first.")
    lines += [line for note in survey.component_notes for line in _comment(f"Note: {note}.")]
    if not survey.components:
        lines += _comment("No checkout or data was given, so none were inferred; without [[components]] each "
                          "top-level folder is one. Example:")
        lines += ["# [[components]]", '# name = "api"', '# paths = ["src/api/**"]']
        return lines + [""]
    for component in survey.components:
        lines += ["", "[[components]]", *_comment(f"From {component.origin}.")]
        lines.append(f"name = {toml_value(component.name)}")
        lines.append(f"paths = {toml_value(list(component.paths))}")
    return lines + [""]


def _agent_lines(agent: dict[str, Any]) -> list[str]:
    lines = ["[[agents]]"]
    for key in _AGENT_KEYS:
        if key in agent:
            lines.append(f"{key} = {toml_value(agent[key])}")
        elif key == "daily_quota" and agent.get("capacity", 2) > 0:
            lines.append("# daily_quota = 20")
    return lines + [""]


def _agents_section() -> list[str]:
    agents = default_agents_document()["agents"]
    lines = _key_comment("agents")
    lines += _comment("Keys of each entry: `name`, `display_name`, `capacity` (tasks at once), `daily_quota`, "
                      "`prior`, `trigger` (how an issue is handed over), `strengths` (raise the agent's fitness), "
                      "`eligible` (restrict what it may take) and `recognise` (how its pull requests are found). "
                      "Check each trigger against your own setup: Copilot needs a user token to be assigned, and "
                      "the Codex and Claude comments need their GitHub apps installed. To limit an agent to small "
                      "bugs and docs, add for example:")
    lines += ['#   eligible = { types = ["bug", "docs"], max_size = "S" }', ""]
    routed = [agent for agent in agents if agent.get("capacity", 2) > 0]
    recognised = [agent for agent in agents if agent.get("capacity", 2) == 0]
    for agent in routed:
        lines += _agent_lines(agent)
    lines += _comment("Recognised on the dashboard, never routed to (capacity 0). Raise `capacity` to route "
                      "work to one of them.")
    lines.append("")
    for agent in recognised:
        lines += _agent_lines(agent)
    return lines


def _classification_section() -> list[str]:
    defaults = ClassificationConfig()
    lines = _comment("How pull-request authors are classified; the defaults are shown commented out.")
    lines.append("# [classification]")
    for key in table_keys(node_at(("classification",)) or {}):
        lines += [f"# {line.removeprefix('# ')}" for line in _key_comment("classification", key)]
        lines.append(f"# {key} = {toml_value(getattr(defaults, key))}")
    return lines + [""]


def render_config(survey: Survey) -> str:
    """Return the text of a commented ``agentlanes.toml`` for ``survey``."""
    lines = _header(survey)
    lines += [line for note in survey.notes for line in _comment(f"Note: {note}.")]
    lines += [""] if survey.notes else []
    lines += _conflict_section()
    lines += _priorities_section(survey)
    lines += _components_section(survey)
    lines += _classification_section()
    lines += _agents_section()
    return "\n".join(lines).rstrip("\n") + "\n"
