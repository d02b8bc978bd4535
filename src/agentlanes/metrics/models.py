"""The dashboard's numbers as pydantic models; ``velocity_dashboard.json`` is their dump."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

DASHBOARD_SCHEMA_VERSION = "1.0"
KINDS = ("human", "agent", "dependency_bot", "other_bot")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WindowInfo(_Model):
    since: str
    until: str
    weeks: list[str]
    timezone: str = "UTC"


class StreamWeek(_Model):
    week: str
    at_end: int = Field(description="open non-draft PRs at the end of the week (or at the window's end)")
    mean: float = Field(description="mean of the daily counts at 00:00 UTC in the week")
    max: int
    by_kind_at_end: dict[str, int]
    by_agent_at_end: dict[str, int]


class ActiveStreams(_Model):
    current: int
    by_kind: dict[str, int]
    by_agent: dict[str, int]
    weeks: list[StreamWeek]
    excluded_unknown_close: int = Field(description="closed PRs left out because their close time is unknown")


class MergedWeek(_Model):
    week: str
    merged: int
    by_kind: dict[str, int]
    by_agent: dict[str, int]


class MergeRate(_Model):
    created: int = Field(description="PRs created in the window")
    merged: int = Field(description="of those, merged by the window's end")
    rate: float | None


class QueuePoint(_Model):
    at: str
    depth: int


class MergeQueue(_Model):
    source: str = Field(description="live, snapshots, timeline or proxy")
    label: str
    current: int | None
    series: list[QueuePoint]
    note: str


class ConflictRate(_Model):
    source: str = Field(description="signals, merge-tree replay or file-overlap proxy")
    label: str
    closed: int = Field(description="PRs closed or merged in the window")
    with_conflict: int
    rate: float | None
    by_signal: dict[str, int]
    by_kind: dict[str, dict[str, int]] = Field(description="closed and with_conflict per author kind")
    note: str


class UtilizationWeek(_Model):
    week: str
    mean_in_flight: float
    max_in_flight: int
    utilization: float | None = Field(description="mean_in_flight / capacity; null when capacity is 0")


class AgentUtilization(_Model):
    agent: str
    capacity: int
    current_in_flight: int
    mean_utilization: float | None
    weeks: list[UtilizationWeek]


class Outcome(_Model):
    who: str = Field(description="an agent name, or human / dependency_bot / other_bot")
    kind: str
    opened: int
    merged: int
    abandoned: int
    still_open: int
    merge_pct: float | None = Field(description="merged / (merged + abandoned) x 100")
    median_hours_to_merge: float | None
    p90_hours_to_merge: float | None
    commit_share: float | None = Field(description="share of merged PRs' commits made by the agent, when known")


class Durations(_Model):
    count: int
    p50_hours: float | None
    p90_hours: float | None
    variant: str


class Classification(_Model):
    by_kind: dict[str, int]
    by_rule: dict[str, int]
    by_agent: dict[str, int]
    note: str


class Dashboard(_Model):
    schema_version: str = DASHBOARD_SCHEMA_VERSION
    generated_by: str
    repository: str
    now: str
    group_by: str
    window: WindowInfo
    classification: Classification
    active_streams: ActiveStreams
    merged_per_week: list[MergedWeek]
    merge_rate: MergeRate
    merge_queue: MergeQueue
    conflict_rate: ConflictRate
    utilization: list[AgentUtilization]
    outcomes: list[Outcome]
    time_to_merge: Durations
    issue_lead_time: Durations
    notes: list[str]
