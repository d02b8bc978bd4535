"""The backlog analysis artifact (``backlog_analysis.json``), as pydantic models.

The JSON Schema shipped in ``agentlanes/schemas/`` is generated from these models
(``python -m agentlanes.schemas``) and a test checks that the two agree. Bump
``SCHEMA_VERSION`` on any change that removes or renames a field.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"
SCHEMA_ID = "https://agentlanes.dev/schemas/backlog_analysis-1.0.json"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TypeInfo(_Model):
    value: str = Field(description="bug, feature, docs, test, refactor, chore, security or performance")
    rule: str = Field(description="the label, prefix or keyword that decided the type")


class ComponentInfo(_Model):
    name: str
    reason: str


class SizeInfo(_Model):
    label: str = Field(description="XS, S, M, L or XL")
    points: int = Field(description="summed evidence points; -1 when a label or tracker type set the size")
    reasons: list[str]


class PriorityInfo(_Model):
    score: float = Field(description="1 plus the weights of priority labels; higher goes first")
    reasons: list[str]


class DependencyInfo(_Model):
    number: int
    kind: str = Field(description="blocked-by, child, parent or done-task")
    source: str = Field(description="where the edge was read: text, task-list, sub-issues, x_dependencies ...")
    target_state: str = Field(description="open, closed or unknown (not in the data)")
    blocking: bool


class ReadinessInfo(_Model):
    status: str = Field(description="ready, blocked, in_progress, assigned, tracking (an epic) or duplicate")
    reasons: list[str]
    open_pulls: list[int]
    assignees: list[str]


class FootprintFile(_Model):
    path: str
    score: float = Field(ge=0.0, le=1.0, description="probability that the fix changes this file")
    signals: list[str]


class AgentScore(_Model):
    agent: str
    score: float
    eligible: bool
    reasons: list[str]


class Recommendation(_Model):
    agent: str | None = Field(description="best eligible agent, or null when none is eligible")
    score: float
    reasons: list[str]
    alternatives: list[AgentScore]


class IssueAnalysis(_Model):
    number: int
    title: str
    url: str
    origin: str = Field(description="issue, or pull-request replay when a PR's text stands in for its task")
    created_at: str | None
    labels: list[str]
    author: str
    type: TypeInfo
    components: list[ComponentInfo]
    size: SizeInfo
    priority: PriorityInfo
    dependencies: list[DependencyInfo]
    readiness: ReadinessInfo
    footprint: list[FootprintFile]
    conflicts_with: list[int] = Field(description=f"other open issues this one conflicts with (first {50})")
    conflict_count: int
    parallel_group: int | None = Field(description="id of the parallel group, for ready issues")
    recommendation: Recommendation


class FootprintModel(_Model):
    """How the footprint probabilities were produced."""

    training_tasks: int = Field(description="past tasks with known footprints the model was fitted on")
    task_source: str = Field(description="issues, or pull requests as tasks where issue text is missing")
    fitted: bool = Field(description="false when too few past tasks existed and prior weights were used")
    weights: dict[str, float] = Field(description="logistic-regression weight per signal, and the bias")


class ParallelGroup(_Model):
    id: int
    issues: list[int]
    components: list[str]


class ComponentDefinition(_Model):
    name: str
    paths: list[str]
    source: str


class Summary(_Model):
    open_issues: int
    ready: int
    blocked: int
    in_progress: int
    assigned: int
    tracking: int = Field(default=0, description="epics and tracking issues, which are not routed")
    duplicate: int = Field(default=0, description="issues with the same title as an earlier open one")
    by_type: dict[str, int]
    by_component: dict[str, int]
    recommended_agents: dict[str, int]
    parallel_groups: int
    largest_parallel_group: int
    conflicting_pairs: int


class InFlightItem(_Model):
    """Work already under way at the moment analysed; its files are locked."""

    kind: str = Field(description="pull (an open pull request) or dispatched (an issue handed to an agent)")
    number: int
    title: str
    agent: str | None
    author_kind: str
    agent_ran: bool = Field(default=True, description="false when the agent only co-authored the work, "
                            "which then takes none of its slots")
    draft: bool
    files: list[str]
    issues: list[int] = Field(description="issues the work refers to")
    created_at: str | None = Field(default=None, description="when the work was opened")


class ComponentRecord(_Model):
    """The part of an agent record whose pull requests touched one component."""

    component: str
    merged: int
    abandoned: int
    merge_hours: list[float] = Field(description="hours from PR creation to merge, one per merged PR")


class AgentRecord(_Model):
    """An agent's finished pull requests of one task type before the moment analysed."""

    agent: str
    type: str
    merged: int
    abandoned: int
    merge_hours: list[float] = Field(description="hours from PR creation to merge, one per merged PR")
    components: list[ComponentRecord] = Field(
        default_factory=list,
        description="the same pull requests per component their changed files fall in; a PR counts in each",
    )


class SkippedItem(_Model):
    source: str
    item: str
    reason: str


class BacklogAnalysis(_Model):
    schema_: str = Field(alias="$schema", default=SCHEMA_ID)
    schema_version: str = SCHEMA_VERSION
    generated_by: str
    repository: str
    source: str
    as_of: str | None = Field(description="the --as-of moment, or null for the data's own present")
    now: str | None = Field(description="the moment the backlog describes (as_of or the newest event)")
    config_source: str
    conflict_method: str
    conflict_threshold: float
    tasks_from: str = Field(description="issues, or pull-request replay")
    file_tree: str = Field(description="where the list of repository files came from")
    footprint_model: FootprintModel
    summary: Summary
    components: list[ComponentDefinition]
    issues: list[IssueAnalysis]
    parallel_groups: list[ParallelGroup]
    in_flight: list[InFlightItem]
    agent_records: list[AgentRecord]
    notes: list[str]
    skipped: list[SkippedItem]

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
