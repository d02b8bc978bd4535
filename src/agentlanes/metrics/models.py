"""The dashboard's numbers as pydantic models; ``velocity_dashboard.json`` is their dump.

Every field is defined in docs/metrics.md. Maps named ``by_kind`` are keyed by
author kind (``KINDS``); maps named ``by_group`` are keyed by the ``--by``
group (``Dashboard.group_by``). Rates are fractions in [0, 1]; durations are hours.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

DASHBOARD_SCHEMA_VERSION = "2.0"
KINDS = ("human", "agent", "dependency_bot", "other_bot")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WindowInfo(_Model):
    since: str
    until: str
    weeks: list[str]
    timezone: str = "UTC"


class Classification(_Model):
    by_kind: dict[str, int]
    by_rule: dict[str, int]
    by_agent: dict[str, int]
    note: str


class StreamDay(_Model):
    at: str
    total: int
    by_kind: dict[str, int]
    by_group: dict[str, int]


class StreamWeek(_Model):
    week: str
    at_end: int = Field(description="open non-draft PRs at the end of the week (or at the window's end)")
    mean: float = Field(description="mean of the daily counts at 00:00 UTC in the week")
    max: int
    by_kind_at_end: dict[str, int]
    by_group_at_end: dict[str, int]


class ActiveStreams(_Model):
    current: int
    by_kind: dict[str, int]
    by_group: dict[str, int]
    dispatched_without_pull: int = Field(description="dispatched issues without a PR at the window's end")
    days: list[StreamDay]
    weeks: list[StreamWeek]
    excluded_unknown_close: int = Field(description="closed PRs left out because their close time is unknown")


class MergedWeek(_Model):
    week: str
    merged: int
    by_kind: dict[str, int]
    by_group: dict[str, int]


class RateCell(_Model):
    created: int
    merged: int
    rate: float | None


class RateWeek(_Model):
    week: str
    created: int
    merged: int
    rate: float | None


class MergeRate(_Model):
    created: int = Field(description="PRs created in the window")
    merged: int = Field(description="of those, merged by the window's end")
    rate: float | None
    by_kind: dict[str, RateCell]
    by_group: dict[str, RateCell]
    weeks: list[RateWeek]


class QueuePoint(_Model):
    at: str
    depth: int


class MergeQueue(_Model):
    source: str = Field(description="snapshots, timeline, proxy or unavailable")
    label: str
    current: int | None
    mean: float | None
    max: int | None
    series: list[QueuePoint]
    note: str


class ConflictCell(_Model):
    closed: int
    with_conflict: int
    rate: float | None


class ConflictWeek(_Model):
    week: str
    closed: int
    with_conflict: int
    rate: float | None


class ConflictPull(_Model):
    number: int
    title: str
    url: str
    group: str
    kind: str
    finished_at: str
    signals: list[str]
    files: list[str]


class ReplayInfo(_Model):
    repository: str
    replayed: int
    conflicted: int
    skipped: dict[str, int]


class ConflictRate(_Model):
    source: str = Field(description="signals or file-overlap proxy")
    label: str
    closed: int = Field(description="PRs closed or merged in the window")
    with_conflict: int
    rate: float | None
    observed: int = Field(description="closed PRs that at least one signal source could observe")
    coverage: dict[str, int] = Field(description="per signal source, closed PRs it could observe")
    by_signal: dict[str, int]
    by_kind: dict[str, ConflictCell]
    by_group: dict[str, ConflictCell]
    weeks: list[ConflictWeek]
    overlap_upper_bound: ConflictCell
    replay: ReplayInfo | None
    pulls: list[ConflictPull]
    pulls_limit: int
    excluded_unknown_close: int
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
    coauthored_in_flight: int = Field(
        default=0, description="open PRs at until that name the agent only in a commit trailer: a person's "
        "work, so not counted against the agent's capacity")
    stale_in_flight: int = Field(
        default=0, description="of current_in_flight, open PRs opened more than conflict.stale_pull_days before "
        "until, which route treats as stale and counts in no slot")
    peak_in_flight: int
    mean_utilization: float | None
    weeks: list[UtilizationWeek]


class Outcome(_Model):
    group: str = Field(description="the --by group")
    kind: str = Field(description="the members' author kind, or mixed")
    opened: int
    merged: int
    abandoned: int
    still_open: int
    merge_pct: float | None = Field(description="merged / (merged + abandoned) x 100")
    median_hours_to_merge: float | None
    p90_hours_to_merge: float | None
    agent_commit_share: float | None = Field(description="mean per merged PR of agent-made commits / commits")
    commit_share_pulls: int = Field(description="merged PRs whose commits are known")


class DurationCell(_Model):
    count: int
    p50_hours: float | None
    p90_hours: float | None


class DurationWeek(_Model):
    week: str
    count: int
    p50_hours: float | None
    p90_hours: float | None


class Durations(_Model):
    count: int
    p50_hours: float | None
    p90_hours: float | None
    variant: str
    by_group: dict[str, DurationCell]
    weeks: list[DurationWeek]


class Dashboard(_Model):
    schema_version: str = DASHBOARD_SCHEMA_VERSION
    generated_by: str
    repository: str
    now: str
    group_by: str
    groups: list[str]
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
