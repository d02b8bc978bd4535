"""The routing plan artifact (``routing_plan.json``), as pydantic models.

A dispatcher needs only ``repository``, ``selected[].number``, ``selected[].agent``
and ``selected[].trigger``: every selected task carries the trigger of its agent.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

PLAN_SCHEMA_VERSION = "1.0"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Trigger(_Model):
    kind: str = Field(description="assignee, label, comment or command")
    value: str


class PlanAgent(_Model):
    name: str
    display_name: str
    trigger: Trigger
    capacity: int
    in_flight: int = Field(description="open pull requests attributed to the agent plus issues dispatched to it "
                                       "that have no pull request yet")
    free: int
    daily_quota: int | None
    quota_left: int | None
    selected: list[int]


class PlannedTask(_Model):
    number: int
    title: str
    url: str
    agent: str
    trigger: Trigger = Field(description="how to hand this task to its agent")
    value: float = Field(description="priority x fitness, the quantity the plan maximises")
    priority: float
    fitness: float
    type: str
    size: str
    components: list[str]
    files: list[str] = Field(description="predicted files, most likely first")
    reasons: list[str] = Field(description="why this agent: configured strengths and its record in the repository")


class HeldTask(_Model):
    number: int
    title: str
    status: str = Field(description="blocked, in_progress, assigned, dispatched, locked, conflict, capacity or "
                                    "ineligible")
    reasons: list[str]


class SolverReport(_Model):
    name: str = Field(description="greedy, cp-sat, or greedy proven optimal by a bound")
    status: str = Field(description="optimal (proven), feasible (not proven within the time limit) or heuristic")
    objective: float
    bound: float | None = Field(description="proven upper bound on the value of any plan")
    gap: float | None = Field(description="(bound - objective) / bound; 0 when optimal")
    greedy_objective: float
    ratio_to_greedy: float | None = Field(description="objective / greedy objective")
    seconds: float
    time_limit: float | None
    pairings: int = Field(description="(task, agent) pairings that could start now")
    pairings_in_model: int = Field(description="pairings left after pruning those that cannot be in a better plan")


class ConflictEdge(_Model):
    first: str
    second: str
    kind: str = Field(description="file, component, lock or dependency")
    detail: str
    strength: float


class ConflictGraphReport(_Model):
    tasks: int = Field(description="open candidates: ready and blocked tasks")
    locks: int = Field(description="open pull requests and dispatched issues holding files")
    edges: dict[str, int] = Field(description="edge count per kind")
    strongest: list[ConflictEdge]
    truncated: bool = Field(description="true when more edges exist than are listed")


class WaveTask(_Model):
    number: int
    title: str
    agent: str


class Wave(_Model):
    index: int = Field(description="1 for the first wave")
    tasks: list[WaveTask]


class WaveBound(_Model):
    waves: int
    kind: str = Field(description="file, component, capacity, dependencies or in flight")
    reason: str


class HotFile(_Model):
    path: str
    tasks: int = Field(description="candidates predicted to touch the file")
    serialized: int = Field(description="largest number of those that pairwise conflict on it: a lower bound on waves")
    demand: float = Field(description="sum of the candidates' probabilities for the file")


class Unschedulable(_Model):
    number: int
    reason: str


class WavePlanReport(_Model):
    count: int
    lower_bound: int
    minimal: bool = Field(description="true when count equals the lower bound, so no plan has fewer waves")
    bounds: list[WaveBound]
    critical_path: list[int]
    hot_files: list[HotFile]
    waves: list[Wave]
    unschedulable: list[Unschedulable]
    first_wave_is_selection: bool = Field(description="true when the first wave is the start-now selection")
    wave_hours: float = Field(description="assumed length of one wave in hours, for the chart")
    wave_hours_source: str
    seconds: float


class RoutingPlan(_Model):
    schema_version: str = PLAN_SCHEMA_VERSION
    generated_by: str
    repository: str
    now: str | None
    as_of: str | None = Field(default=None, description="the analysis's --as-of moment, or null for the present")
    tasks_from: str = Field(default="issues", description="issues, or pull-request replay")
    conflict_method: str
    conflict_threshold: float
    solver: SolverReport
    agents: list[PlanAgent]
    selected: list[PlannedTask]
    not_selected: list[HeldTask]
    conflict_graph: ConflictGraphReport
    wave_plan: WavePlanReport
    notes: list[str]
