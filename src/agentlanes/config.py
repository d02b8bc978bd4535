"""Configuration: agents, components, conflict rules and priorities.

The configuration is parsed once, from ``agentlanes.toml`` (or the built-in
defaults), into a frozen ``Config`` that is passed down explicitly. An invalid file
raises ``ConfigError`` naming the key, the value and what is allowed.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agentlanes.errors import ConfigError

TASK_TYPES = ("bug", "feature", "docs", "test", "refactor", "chore", "security", "performance")
SIZES = ("XS", "S", "M", "L", "XL")
DEFAULT_CONFIG_NAME = "agentlanes.toml"

TaskType = Literal["bug", "feature", "docs", "test", "refactor", "chore", "security", "performance"]
Size = Literal["XS", "S", "M", "L", "XL"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Trigger(_Frozen):
    """How an issue is handed to an agent on GitHub.

    ``assignee``: assign ``value`` to the issue. ``label``: add the label ``value``.
    ``comment``: post ``value`` as a comment. ``command``: run ``value`` as a shell
    command with ``{number}`` and ``{repo}`` replaced.
    """

    kind: Literal["assignee", "label", "comment", "command"]
    value: str = Field(min_length=1)


class Strengths(_Frozen):
    """What an agent is good at; raises its fitness score, never excludes a task."""

    types: tuple[TaskType, ...] = ()
    components: tuple[str, ...] = ()
    max_size: Size | None = None


class Eligibility(_Frozen):
    """What an agent may take at all; an empty tuple means no restriction."""

    types: tuple[TaskType, ...] = ()
    components: tuple[str, ...] = ()
    max_size: Size | None = None


class Recognition(_Frozen):
    """Signals that mark a pull request as this agent's work (case-insensitive).

    ``logins`` match bot or app accounts with or without ``app/`` and ``[bot]``;
    ``author_names`` match whole author logins or git names; ``branch_prefixes``
    match the start of the head branch; ``trailer_names`` match commit authors and
    ``Co-authored-by`` names; ``body_markers`` match anywhere in the PR body.
    """

    logins: tuple[str, ...] = ()
    author_names: tuple[str, ...] = ()
    branch_prefixes: tuple[str, ...] = ()
    trailer_names: tuple[str, ...] = ()
    body_markers: tuple[str, ...] = ()


class AgentConfig(_Frozen):
    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    display_name: str = ""
    capacity: int = Field(default=2, ge=0, le=1000)
    daily_quota: int | None = Field(default=None, ge=0)
    # Expected merge rate before any history in the repository; None uses the built-in prior.
    prior: float | None = Field(default=None, gt=0.0, lt=1.0)
    trigger: Trigger
    strengths: Strengths = Strengths()
    eligible: Eligibility = Eligibility()
    recognise: Recognition = Recognition()

    @property
    def routable(self) -> bool:
        return self.capacity > 0

    @property
    def label(self) -> str:
        return self.display_name or self.name


class ComponentConfig(_Frozen):
    name: str = Field(min_length=1)
    paths: tuple[str, ...] = Field(min_length=1)


class ConflictConfig(_Frozen):
    """When two tasks may not be in flight together.

    ``footprint_threshold`` is the joint probability (p_a x p_b, 0..1) on one file
    at or above which two footprints conflict. The default 0.05 caught at least
    as many real overlaps as the component rule on five of the six backtested
    repositories (docs/benchmarks.md); raise it for more parallelism. ``method`` picks the rule: ``footprint`` (predicted files
    overlap), ``component`` (two tasks in one component conflict, the classic rule)
    or ``both``. ``lock_open_pulls`` makes the changed files of open pull requests
    unavailable to new tasks.
    """

    method: Literal["footprint", "component", "both"] = "footprint"
    # Open pull requests opened longer ago than this many days are stale: they
    # lock no files and take no agent slot. 0 treats every open PR as in flight.
    stale_pull_days: int = Field(default=30, ge=0)
    # Path globs that never cause a conflict: generated lock files are
    # regenerated after a merge rather than merged by hand.
    ignore_paths: tuple[str, ...] = (
        "**/go.sum", "**/package-lock.json", "**/yarn.lock", "**/pnpm-lock.yaml", "**/uv.lock",
        "**/poetry.lock", "**/Cargo.lock", "**/Gemfile.lock", "**/composer.lock", "**/Pipfile.lock",
    )

    def ignores(self, path: str) -> bool:
        """Whether ``path`` matches one of ``ignore_paths``."""
        from agentlanes.analysis.paths import glob_match

        return any(glob_match(path, pattern) for pattern in self.ignore_paths)
    footprint_threshold: float = Field(default=0.05, ge=0.0, le=1.0)
    lock_open_pulls: bool = True


class ClassificationConfig(_Frozen):
    """How pull-request authors are classified."""

    dependency_bots: tuple[str, ...] = ("dependabot", "renovate", "renovate-bot", "pyup-bot", "snyk-bot")
    coauthor_means_agent: bool = True


class Config(_Frozen):
    agents: tuple[AgentConfig, ...] = ()
    components: tuple[ComponentConfig, ...] = ()
    conflict: ConflictConfig = ConflictConfig()
    classification: ClassificationConfig = ClassificationConfig()
    # Label name (case-insensitive) -> priority weight; unlisted labels add nothing.
    priorities: dict[str, float] = Field(
        default_factory=lambda: {
            "p0": 8.0, "priority:p0": 8.0, "critical": 8.0,
            "p1": 4.0, "priority:p1": 4.0, "high": 4.0,
            "p2": 2.0, "priority:p2": 2.0,
            "security": 4.0, "bug": 1.5,
        }
    )
    source: str = "built-in defaults"

    @field_validator("agents")
    @classmethod
    def _unique_agent_names(cls, agents: tuple[AgentConfig, ...]) -> tuple[AgentConfig, ...]:
        seen: set[str] = set()
        for agent in agents:
            if agent.name in seen:
                raise ValueError(f"agent name {agent.name!r} appears twice; names must be unique")
            seen.add(agent.name)
        return agents

    def agent(self, name: str) -> AgentConfig | None:
        return next((a for a in self.agents if a.name == name), None)

    @property
    def routable_agents(self) -> tuple[AgentConfig, ...]:
        return tuple(a for a in self.agents if a.routable)


def _default_agents_document() -> dict[str, Any]:
    text = resources.files("agentlanes.data").joinpath("agents.toml").read_text("utf-8")
    return tomllib.loads(text)


def _format_validation_error(error: ValidationError, path: str) -> ConfigError:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"])
    value = first.get("input")
    message = first["msg"]
    allowed = ""
    if first["type"] == "literal_error":
        allowed = first.get("ctx", {}).get("expected", "")
    elif first["type"] == "extra_forbidden":
        message = "unknown key"
    hint = f"allowed values: {allowed}" if allowed else "see docs/configuration.md for the valid keys"
    shown = repr(value) if not isinstance(value, dict) else "a table"
    return ConfigError(f"{path}: invalid value {shown} for key '{key}': {message}", hint)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {path}", "check the path, or run `agentlanes init`") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})", "fix the syntax at the position shown") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text", "save the file as UTF-8") from None


def build_config(document: dict[str, Any], source: str) -> Config:
    """Validate a parsed TOML document; missing sections take the defaults."""
    merged = dict(document)
    if "agents" not in merged:
        merged["agents"] = _default_agents_document()["agents"]
    merged["source"] = source
    try:
        return Config.model_validate(merged)
    except ValidationError as exc:
        raise _format_validation_error(exc, source) from None


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
                "list each agent in an [[agents]] table; see `agentlanes init` for an example",
            )
        document = {**document, "agents": agents_document["agents"]}
        source = f"{source} + agents from {agents_path}"
    return build_config(document, source)


def size_rank(size: str) -> int:
    return SIZES.index(size)
