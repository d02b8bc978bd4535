"""The simulation report (``simulation.json``), as pydantic models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SIMULATION_SCHEMA_VERSION = "1.0"
SIMULATION_FILE = "simulation.json"
SIMULATION_SUMMARY_FILE = "simulation.md"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PolicyPoint(_Model):
    """One policy at one number of parallel agent slots, averaged over the runs."""

    policy: str
    parallel: int = Field(description="agent slots working at once")
    runs: int
    throughput_per_week: float | None = Field(description="tasks merged per 7 days of simulated time until 80% of "
                                                          "the backlog had merged, mean over runs")
    throughput_min: float | None
    throughput_max: float | None
    conflicts: float = Field(description="merges that hit a task in flight changing one of the same files, mean")
    rework_hours: float = Field(description="hours added by conflict rework, mean: per conflict, the median time to "
                                            "merge times the share of the task's files the merge touched")
    idle_share: float | None = Field(description="share of slot-hours left free while tasks waited to start, mean")
    makespan_days: float = Field(description="simulated days until the last merge, mean")
    cleared_days: float = Field(description="simulated days until 80% of the backlog had merged, mean")
    unfinished: float = Field(description="tasks that could never start, mean")
    proven_optimal_share: float | None = Field(description="optimal policy: share of dispatch rounds proven optimal")
    value_ratio_to_greedy: float | None = Field(description="optimal policy: mean value of its selections over greedy's")
    value_ratio_min: float | None = Field(description="optimal policy: lowest such ratio of any dispatch round")


class Saturation(_Model):
    policy: str
    parallel: int | None = Field(description="slots beyond which one more adds less than the gain tolerance; null when "
                                             "the largest count simulated still gained")
    reason: str


class DurationSource(_Model):
    merged_pulls: int = Field(description="pull requests merged before the moment, whose times to merge are drawn")
    median_hours: float


class SimulationReport(_Model):
    schema_version: str = SIMULATION_SCHEMA_VERSION
    generated_by: str
    repository: str
    as_of: str | None
    tasks_from: str
    seed: int
    runs: int
    conflict_threshold: float
    tasks: int = Field(description="tasks simulated")
    skipped: dict[str, int] = Field(description="open tasks left out, per reason")
    agents: list[str] = Field(description="routable agents that the slots are spread over, in order")
    policies: list[str]
    parallel: list[int]
    gain_tolerance: float
    durations: DurationSource
    results: list[PolicyPoint]
    saturation: list[Saturation]
    notes: list[str]
