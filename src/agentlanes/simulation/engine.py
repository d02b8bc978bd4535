"""Discrete-event simulation of agents working through a backlog under one policy.

Time starts at 0 with the whole backlog waiting and every slot free. Whenever
slots are free, the policy picks tasks among the released ones (those whose
blockers in the backlog have merged). A started task merges after its drawn
duration. When a task merges, every task still in flight that really changes
one of the same files has a conflict. Its rework is the history's median time
to merge times the share of its files the merge touched, and it merges that
much later. The rework unit is the median rather than the task's own duration
because times to merge have a long tail of pull requests that mostly waited,
and rework in proportion to waiting would grow without limit. The run ends
when every task has merged, or when no task can start and none is in flight
(counted as unfinished).

Throughput is measured until ``CLEARED_SHARE`` of the backlog has merged: the
last few tasks' long durations say more about the tail of the history than
about how fast the agents work through a backlog.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

from agentlanes.config import AgentConfig
from agentlanes.simulation.policies import Policy, PolicyStats
from agentlanes.simulation.tasks import DurationModel, SimTask

CLEARED_SHARE = 0.8
HOURS_PER_WEEK = 168


@dataclass(frozen=True)
class RunResult:
    """Measurements of one run, in simulated hours."""

    merged: int
    unfinished: int
    makespan_hours: float
    cleared_hours: float  # when CLEARED_SHARE of the tasks had merged
    cleared_tasks: int
    conflicts: int
    rework_hours: float
    idle_slot_hours: float
    slot_hours: float
    stats: PolicyStats

    @property
    def throughput_per_week(self) -> float | None:
        """Tasks merged per week until ``CLEARED_SHARE`` of the backlog had merged."""
        if self.cleared_hours <= 0:
            return None
        return self.cleared_tasks / (self.cleared_hours / HOURS_PER_WEEK)

    @property
    def idle_share(self) -> float | None:
        return self.idle_slot_hours / self.slot_hours if self.slot_hours > 0 else None


@dataclass
class _Flight:
    task: SimTask
    agent: str
    finish: float
    version: int = 0


class _Run:
    """The state of one run: waiting, in flight and merged tasks, and the event queue."""

    def __init__(self, tasks: list[SimTask], agents: dict[str, AgentConfig], policy: Policy,
                 durations: DurationModel, quantiles: dict[int, float]) -> None:
        self.by_number = {task.number: task for task in tasks}
        self.agents = agents
        self.policy = policy
        self.durations = durations
        self.quantiles = quantiles
        self.waiting = set(self.by_number)
        self.merged: set[int] = set()
        self.flights: dict[int, _Flight] = {}
        self.events: list[tuple[float, int, int]] = []
        self.stats = PolicyStats()
        self.clock = 0.0

    def dispatch(self) -> None:
        """Let the policy fill the free slots from the released tasks."""
        busy: dict[str, int] = {}
        for flight in self.flights.values():
            busy[flight.agent] = busy.get(flight.agent, 0) + 1
        free = {name: agent.capacity - busy.get(name, 0) for name, agent in self.agents.items()}
        if not self.waiting or not any(count > 0 for count in free.values()):
            return
        released = [self.by_number[n].candidate for n in sorted(self.waiting)
                    if self.by_number[n].blockers <= self.merged]
        if not released:
            return
        in_flight = [flight.task.candidate for flight in self.flights.values()]
        for number, agent in self.policy.select(released, in_flight, self.agents, free, self.stats).items():
            finish = self.clock + self.durations.hours(self.quantiles[number])
            self.flights[number] = _Flight(self.by_number[number], agent, finish)
            heapq.heappush(self.events, (finish, number, 0))
            self.waiting.discard(number)

    def next_merge(self) -> _Flight:
        """Pop the next current merge event, skipping those that rework postponed."""
        while True:
            _, number, version = heapq.heappop(self.events)
            flight = self.flights.get(number)
            if flight is not None and flight.version == version:
                return flight

    def rework(self, done: _Flight) -> tuple[int, float]:
        """Postpone every task in flight that really shares files with ``done``."""
        conflicts, hours = 0, 0.0
        for other in self.flights.values():
            overlap = len(done.task.real_files & other.task.real_files)
            if overlap:
                extra = self.durations.median * overlap / len(other.task.real_files)
                conflicts += 1
                hours += extra
                other.finish += extra
                other.version += 1
                heapq.heappush(self.events, (other.finish, other.task.number, other.version))
        return conflicts, hours


def run_policy(
    tasks: list[SimTask],
    agents: dict[str, AgentConfig],
    policy: Policy,
    durations: DurationModel,
    quantiles: dict[int, float],
) -> RunResult:
    """Simulate one policy with ``agents`` (each with its slot count as capacity).

    ``quantiles`` fixes each task's duration quantile, so every policy of a run
    draws the same duration for the same task.
    """
    run = _Run(tasks, agents, policy, durations, quantiles)
    slots = sum(agent.capacity for agent in agents.values())
    cleared_tasks = math.ceil(CLEARED_SHARE * len(tasks))
    cleared_hours = 0.0
    conflicts, rework, idle = 0, 0.0, 0.0
    while run.waiting or run.flights:
        run.dispatch()
        if not run.flights:
            break
        done = run.next_merge()
        if run.waiting:
            idle += (slots - len(run.flights)) * (done.finish - run.clock)
        run.clock = done.finish
        del run.flights[done.task.number]
        run.merged.add(done.task.number)
        if len(run.merged) == cleared_tasks:
            cleared_hours = run.clock
        found, hours = run.rework(done)
        conflicts += found
        rework += hours
    return RunResult(len(run.merged), len(run.waiting), run.clock, cleared_hours, cleared_tasks, conflicts, rework,
                     idle, slots * run.clock, run.stats)
