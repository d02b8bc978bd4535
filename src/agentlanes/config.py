"""Configuration: agents, components, conflict rules and priorities.

The configuration is parsed once, from ``agentlanes.toml`` (or the built-in
defaults), into a frozen ``Config`` that is passed down explicitly. An invalid file
raises ``ConfigError`` naming each bad key, its value and the allowed values.

The field descriptions below are the configuration reference: ``make docs``
renders them into docs/configuration.md, and a test checks that file against
this model.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, field_validator

from agentlanes.errors import ConfigError

TASK_TYPES = ("bug", "feature", "docs", "test", "refactor", "chore", "security", "performance")
SIZES = ("XS", "S", "M", "L", "XL")
DEFAULT_CONFIG_NAME = "agentlanes.toml"
MAX_CAPACITY = 1000
MAX_PRIORITY_WEIGHT = 1000.0

TaskType = Literal["bug", "feature", "docs", "test", "refactor", "chore", "security", "performance"]
Size = Literal["XS", "S", "M", "L", "XL"]
# Strict scalars: TOML has real types, so "yes" is no boolean and "4" or 4.0 no integer.
Integer = Annotated[int, Strict()]
Number = Annotated[float, Strict()]
Boolean = Annotated[bool, Strict()]
PriorityWeight = Annotated[float, Strict(), Field(ge=0.0, le=MAX_PRIORITY_WEIGHT)]

DEFAULT_PRIORITIES = {
    "p0": 8.0, "priority:p0": 8.0, "critical": 8.0,
    "p1": 4.0, "priority:p1": 4.0, "high": 4.0,
    "p2": 2.0, "priority:p2": 2.0,
    "security": 4.0, "bug": 1.5,
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Trigger(_Frozen):
    """The action that hands an issue to an agent on GitHub."""

    kind: Literal["assignee", "label", "comment", "command"] = Field(
        description="`assignee`: assign `value` to the issue. `label`: add the label `value`. "
        "`comment`: post `value` as a comment. `command`: run `value` as a shell command, "
        "with `{number}` and `{repo}` replaced by the issue number and `OWNER/REPO`."
    )
    value: str = Field(min_length=1, description="The login, label, comment text or command that `kind` selects.")


class Strengths(_Frozen):
    """An agent's strong suits. They raise its fitness score and never exclude a task."""

    types: tuple[TaskType, ...] = Field(default=(), description="Task types the agent does well.")
    components: tuple[str, ...] = Field(
        default=(), description="Components the agent knows well (names from `[[components]]` when configured)."
    )
    max_size: Size | None = Field(
        default=None, description="Largest task size the agent handles well; a larger task halves its fitness."
    )


class Eligibility(_Frozen):
    """Limits on the tasks an agent may take at all. An empty list means no restriction."""

    types: tuple[TaskType, ...] = Field(default=(), description="Only tasks of these types go to the agent.")
    components: tuple[str, ...] = Field(default=(), description="Only tasks in these components go to the agent.")
    max_size: Size | None = Field(default=None, description="No task larger than this goes to the agent.")


class Recognition(_Frozen):
    """Signals that mark a pull request as this agent's work (case-insensitive)."""

    logins: tuple[str, ...] = Field(
        default=(), description="Bot or app accounts, matched with or without `app/` and `[bot]`."
    )
    author_names: tuple[str, ...] = Field(default=(), description="Whole author logins or git author names.")
    branch_prefixes: tuple[str, ...] = Field(default=(), description="Starts of the pull request's head branch.")
    trailer_names: tuple[str, ...] = Field(
        default=(), description="Commit author names and `Co-authored-by` names."
    )
    body_markers: tuple[str, ...] = Field(default=(), description="Text found anywhere in the pull request body.")


class AgentConfig(_Frozen):
    """One coding agent (an `[[agents]]` entry)."""

    name: str = Field(
        min_length=1, pattern=r"^[a-z0-9][a-z0-9_.-]*$",
        description="Short name used in plans, logs and `--dispatched` files.",
        json_schema_extra={"allowed": "lowercase letters, digits, '.', '_' and '-', starting with a letter or digit"},
    )
    display_name: str = Field(default="", description="Name shown on the dashboard. Default: `name`.")
    capacity: Integer = Field(
        default=2, ge=0, le=MAX_CAPACITY,
        description="Tasks the agent may run at once. 0 recognises the agent's pull requests but never routes to it.",
    )
    daily_quota: Integer | None = Field(
        default=None, ge=0,
        description="Tasks the agent may start in any 24 hours. Leave it out for no quota.",
    )
    prior: Number | None = Field(
        default=None, gt=0.0, lt=1.0,
        description="Expected merge rate before the repository has any history of this agent. "
        "Leave it out for the built-in prior.",
    )
    trigger: Trigger = Field(description="How an issue is handed to the agent.")
    strengths: Strengths = Field(default=Strengths(), description="What the agent is good at.")
    eligible: Eligibility = Field(default=Eligibility(), description="What the agent may take at all.")
    recognise: Recognition = Field(default=Recognition(), description="How the agent's pull requests are recognised.")

    @property
    def routable(self) -> bool:
        return self.capacity > 0

    @property
    def label(self) -> str:
        return self.display_name or self.name


class ComponentConfig(_Frozen):
    """A named part of the repository (a `[[components]]` entry)."""

    name: str = Field(min_length=1, description="Component name, as labels (`area/NAME`) and titles name it.")
    paths: tuple[str, ...] = Field(
        min_length=1,
        description="Path globs relative to the repository root: `**` spans folders, `*` stays inside one, "
        "and a trailing `/` means everything below. A file belongs to the first component that matches.",
        json_schema_extra={"allowed": "a non-empty list of path globs"},
    )


class ConflictConfig(_Frozen):
    """When two tasks may not be in flight together."""

    method: Literal["footprint", "component", "both"] = Field(
        default="footprint",
        description="`footprint`: tasks conflict when their predicted files overlap. `component`: two tasks in one "
        "component conflict. `both`: either rule.",
    )
    footprint_threshold: Number = Field(
        default=0.05, ge=0.0, le=1.0,
        description="Two tasks conflict on a file when the product of their probabilities of changing it is at "
        "least this; 0.05, for example, is reached by 0.23 and 0.23 or by 0.5 and 0.1. The default caught at least "
        "as many real overlaps as the component rule on five of six backtested repositories; raise it for more "
        "parallelism.",
    )
    lock_open_pulls: Boolean = Field(
        default=True, description="Make the changed files of open pull requests unavailable to new tasks."
    )
    stale_pull_days: Integer = Field(
        default=30, ge=0,
        description="Open pull requests opened more than this many days ago are stale: they lock no files and hold "
        "no agent slot. 0 treats every open pull request as in flight.",
    )
    ignore_paths: tuple[str, ...] = Field(
        default=("**/go.sum", "**/package-lock.json", "**/yarn.lock", "**/pnpm-lock.yaml", "**/uv.lock",
                 "**/poetry.lock", "**/Cargo.lock", "**/Gemfile.lock", "**/composer.lock", "**/Pipfile.lock"),
        description="Path globs that never cause a conflict, such as generated lock files, which are regenerated "
        "after a merge rather than merged by hand.",
    )

    def ignores(self, path: str) -> bool:
        """Return whether ``path`` matches one of ``ignore_paths``."""
        from agentlanes.analysis.paths import glob_match

        return any(glob_match(path, pattern) for pattern in self.ignore_paths)


class ClassificationConfig(_Frozen):
    """Rules for classifying pull-request authors."""

    dependency_bots: tuple[str, ...] = Field(
        default=("dependabot", "renovate", "renovate-bot", "pyup-bot", "snyk-bot"),
        description="Bot logins counted as dependency updates, apart from agents and humans.",
    )
    coauthor_means_agent: Boolean = Field(
        default=True, description="Count a pull request as an agent's when a commit names the agent as co-author."
    )


class Config(_Frozen):
    """The whole configuration: the top level of `agentlanes.toml`."""

    agents: tuple[AgentConfig, ...] = Field(
        default=(),
        description="The coding agents. Leave the key out for the built-in agents listed below; an "
        "`[[agents]]` list replaces them all.",
        json_schema_extra={"default_text": "the built-in agents"},
    )
    components: tuple[ComponentConfig, ...] = Field(
        default=(),
        description="The repository's components. Leave the key out for one component per top-level folder, "
        "plus `(root)` for files at the top level.",
        json_schema_extra={"default_text": "one per top-level folder"},
    )
    conflict: ConflictConfig = Field(default=ConflictConfig(), description="When two tasks may not run together.")
    classification: ClassificationConfig = Field(
        default=ClassificationConfig(), description="How pull-request authors are classified."
    )
    priorities: dict[str, PriorityWeight] = Field(
        default=DEFAULT_PRIORITIES,
        description="Label name (case-insensitive) = weight. A task's priority is 1 plus the weights of its "
        "labels; unlisted labels add nothing. A `[priorities]` table replaces the default one.",
        json_schema_extra={"allowed": f"a table of label = weight, each weight a number from 0 to {MAX_PRIORITY_WEIGHT:g}"},
    )
    source: str = Field(default="built-in defaults", exclude=True, json_schema_extra={"internal": True})

    @field_validator("agents")
    @classmethod
    def _unique_agent_names(cls, agents: tuple[AgentConfig, ...]) -> tuple[AgentConfig, ...]:
        _reject_duplicates([agent.name for agent in agents], "agent name")
        return agents

    @field_validator("components")
    @classmethod
    def _unique_component_names(cls, components: tuple[ComponentConfig, ...]) -> tuple[ComponentConfig, ...]:
        _reject_duplicates([component.name for component in components], "component name")
        return components

    @field_validator("priorities")
    @classmethod
    def _valid_priorities(cls, priorities: dict[str, float]) -> dict[str, float]:
        seen: dict[str, str] = {}
        for label in priorities:
            if not label.strip():
                raise ValueError("a label name is empty")
            if label.lower() in seen:
                raise ValueError(f"'{seen[label.lower()]}' and '{label}' name the same label (case is ignored)")
            seen[label.lower()] = label
        return priorities

    def agent(self, name: str) -> AgentConfig | None:
        return next((a for a in self.agents if a.name == name), None)

    @property
    def routable_agents(self) -> tuple[AgentConfig, ...]:
        return tuple(a for a in self.agents if a.routable)


def _reject_duplicates(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} '{value}' appears twice; names must be unique")
        seen.add(value)


def default_agents_document() -> dict[str, Any]:
    """Return the built-in agents file (``agentlanes/data/agents.toml``), parsed."""
    text = resources.files("agentlanes.data").joinpath("agents.toml").read_text("utf-8")
    return tomllib.loads(text)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {path}", "check the path, or run `agentlanes init`") from None
    except IsADirectoryError:
        raise ConfigError(f"configuration path is a folder: {path}", "pass the path of a TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})", "fix the syntax at the position shown") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text", "save the file as UTF-8") from None


def build_config(document: dict[str, Any], source: str) -> Config:
    """Validate a parsed TOML document; missing sections take the defaults."""
    from agentlanes.config_errors import check_agent_components, validation_error

    merged = dict(document)
    merged.pop("source", None)
    if "agents" not in merged:
        merged["agents"] = default_agents_document()["agents"]
    try:
        config = Config.model_validate({**merged, "source": source})
    except ValidationError as exc:
        raise validation_error(exc, merged, source) from None
    check_agent_components(config)
    return config


def load_config(path: str | Path | None = None, agents_path: str | Path | None = None) -> Config:
    """Load the configuration.

    ``path`` names an ``agentlanes.toml``; without it, ``./agentlanes.toml`` is used
    when present, else the built-in defaults. ``agents_path`` names a TOML file
    whose ``[[agents]]`` list replaces the configured agents.
    """
    document: dict[str, Any] = {}
    source = "built-in defaults"
    if path is not None:
        document = _read_toml(Path(path))
        source = str(path)
    elif Path(DEFAULT_CONFIG_NAME).is_file():
        document = _read_toml(Path(DEFAULT_CONFIG_NAME))
        source = DEFAULT_CONFIG_NAME
    if agents_path is not None:
        agents_document = _read_toml(Path(agents_path))
        if "agents" not in agents_document:
            raise ConfigError(
                f"{agents_path}: no [[agents]] entries found",
                "list each agent in an [[agents]] table; docs/configuration.md shows the keys",
            )
        document = {**document, "agents": agents_document["agents"]}
        source = f"{source} + agents from {agents_path}"
    return build_config(document, source)


def size_rank(size: str) -> int:
    return SIZES.index(size)
