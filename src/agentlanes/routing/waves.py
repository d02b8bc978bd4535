"""Wave plan: the whole ready and blocked backlog split into rounds of parallel work.

A wave is a set of tasks that can run at the same time under the routing
constraints: no two conflict, each agent runs at most its capacity, and a task
comes after every wave holding one of its blockers. The first wave has the
agents' free slots (and quota left) and respects the locks of work in flight.
Later waves assume that work has finished and use the full capacity. Blockers
outside the backlog (work in progress, assigned issues, issues the data does not
contain) are assumed to finish during the first wave.

The planner is a capacity-aware first fit. It takes the tasks most urgent
first and puts each into the earliest wave that has room. A task's urgency is
the larger of the biggest conflict clique it belongs to and the longest
dependency chain through it. Waves are bit sets, so finding that wave is a few integer
operations per file. The plan is proven minimal when its length reaches the
lower bound: the largest of the hottest file's clique, the tasks of the busiest
component, the capacity needed, and the critical path.
"""

from __future__ import annotations

import heapq
import time
from collections import defaultdict
from dataclasses import dataclass, field

from agentlanes.routing.candidates import Candidate, RoutingProblem
from agentlanes.routing.conflicts import ConflictRule, FileCliques, cliques_by_file, file_conflict
from agentlanes.routing.greedy import lock_claims
from agentlanes.routing.wave_bounds import (
    Bound,
    DependencyOrder,
    capacity_bound,
    clique_bound,
    dependency_order,
    in_flight_bound,
)

MAX_HOT_FILES = 10


@dataclass(frozen=True, slots=True)
class HotFile:
    """A file whose predicted demand forces serial work.

    ``serialized`` is the largest number of tasks that pairwise conflict on it,
    so no plan has fewer waves; ``demand`` sums the tasks' probabilities.
    """

    path: str
    tasks: int
    serialized: int
    demand: float


@dataclass(frozen=True)
class WavePlan:
    waves: list[list[tuple[int, str]]]
    lower_bound: int
    bounds: list[Bound]
    critical_path: list[int]
    hot_files: list[HotFile]
    unschedulable: dict[int, str]
    seconds: float = 0.0
    seeded: bool = False

    @property
    def minimal(self) -> bool:
        """True when the plan is proven to have the fewest possible waves."""
        return len(self.waves) == self.lower_bound

    @property
    def wave_of(self) -> dict[int, int]:
        return {number: index for index, wave in enumerate(self.waves) for number, _ in wave}


@dataclass
class _Board:
    """The waves being filled: per-file claims, per-component and per-agent bit sets."""

    tau: float
    first_limits: dict[str, int]
    capacities: dict[str, int]
    claims: dict[str, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))
    heavy: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    components: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    used: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    full: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.full = {agent: (1 if limit <= 0 else 0) for agent, limit in self.first_limits.items()}

    def room(self, agent: str, wave: int) -> int:
        # NOTE: later waves ignore daily quotas, because a wave's length is not tied to a day.
        limit = self.first_limits[agent] if wave == 0 else self.capacities[agent]
        return limit - self.used[(agent, wave)]

    def place(self, candidate: Candidate, agent: str, wave: int, files: bool, components: bool) -> None:
        bit = 1 << wave
        if files:
            for path, probability in candidate.footprint.items():
                claims = self.claims[path]
                claims[wave] = max(claims.get(wave, 0.0), probability)
                if file_conflict(probability, probability, self.tau):
                    self.heavy[path] |= bit
        if components:
            for name in candidate.components:
                self.components[name] |= bit
        self.used[(agent, wave)] += 1
        if self.room(agent, wave) <= 0:
            self.full[agent] |= bit


def _lowest_free(mask: int, start: int) -> int:
    shifted = mask >> start
    return start + ((~shifted) & (shifted + 1)).bit_length() - 1


def _first_fit(board: _Board, candidate: Candidate, earliest: int, locked: bool, problem: RoutingProblem) -> tuple[int, str]:
    rule = problem.rule
    agents = sorted(a for a, value in candidate.values.items() if a in board.full and value > 0)
    mask = -1
    for agent in agents:
        mask &= board.full[agent]
    if locked:
        mask |= 1
    if rule.uses_files:
        for path, probability in candidate.footprint.items():
            if file_conflict(probability, probability, rule.tau):
                mask |= board.heavy.get(path, 0)
    if rule.uses_components:
        for name in candidate.components:
            mask |= board.components.get(name, 0)
    while True:
        wave = _lowest_free(mask, earliest)
        if rule.uses_files and any(
            file_conflict(p, board.claims[path].get(wave, 0.0), rule.tau)
            for path, p in candidate.footprint.items() if path in board.claims
        ):
            mask |= 1 << wave
            continue
        # Agents are in name order, so ties on value go to the first name.
        agent = max((a for a in agents if board.room(a, wave) > 0), key=lambda a: candidate.values[a])
        return wave, agent


def _hot_files(cliques: list[FileCliques], footprints: dict[int, dict[str, float]]) -> list[HotFile]:
    touching: dict[str, list[float]] = defaultdict(list)
    for footprint in footprints.values():
        for path, probability in footprint.items():
            touching[path].append(probability)
    hot = [
        HotFile(c.path, len(touching[c.path]), c.clique_size, round(sum(touching[c.path]), 3))
        for c in cliques if c.clique_size > 1
    ]
    hot.sort(key=lambda h: (-h.serialized, -h.demand, h.path))
    return hot[:MAX_HOT_FILES]


def _clique_sizes(
    tasks: dict[int, Candidate], rule: ConflictRule, cliques: list[FileCliques]
) -> tuple[dict[int, int], dict[str, list[int]]]:
    """Return each task's largest conflict clique, and the members of each component."""
    clique_of: dict[int, int] = defaultdict(int)
    for file in cliques:
        size = len(file.heavy)
        for _, number in file.heavy:
            clique_of[number] = max(clique_of[number], size)
        for _, number, prefix in file.light:
            clique_of[number] = max(clique_of[number], prefix + 1)
    component_members: dict[str, list[int]] = defaultdict(list)
    if rule.uses_components:
        for number, candidate in tasks.items():
            for name in candidate.components:
                component_members[name].append(number)
        for members in component_members.values():
            for number in members:
                clique_of[number] = max(clique_of[number], len(members))
    return clique_of, component_members


def _fill(board: _Board, problem: RoutingProblem, tasks: dict[int, Candidate], order: DependencyOrder,
          clique_of: dict[int, int], locked: set[int], placed: dict[int, tuple[int, str]]) -> None:
    """Place the tasks most urgent first, each released once its blockers are placed."""
    # A blocker is as urgent as the most urgent task waiting for it.
    pressure = {n: max(clique_of[n], order.chain[n]) for n in tasks}
    for number in reversed(order.schedulable):
        for follower in order.followers[number]:
            pressure[number] = max(pressure[number], pressure[follower])

    def urgency(number: int) -> tuple[int, float, int]:
        return (-pressure[number], -tasks[number].priority, number)

    waiting_on = {n: {b for b in order.blockers[n] if b not in placed} for n in tasks if n not in placed}
    heap = [urgency(n) for n, pending in waiting_on.items() if not pending]
    heapq.heapify(heap)
    while heap:
        number = heapq.heappop(heap)[2]
        earliest = max([order.external[number]] + [placed[b][0] + 1 for b in order.blockers[number]])
        wave, agent = _first_fit(board, tasks[number], earliest, number in locked, problem)
        board.place(tasks[number], agent, wave, problem.rule.uses_files, problem.rule.uses_components)
        placed[number] = (wave, agent)
        for follower in order.followers[number]:
            pending = waiting_on.get(follower)
            if pending is not None:
                pending.discard(number)
                if not pending:
                    heapq.heappush(heap, urgency(follower))


def plan_waves(problem: RoutingProblem, first_wave: dict[int, str] | None = None) -> WavePlan:
    """Plan every ready and blocked candidate into waves; see the module docstring.

    ``first_wave`` (task -> agent) fixes the first wave, e.g. to the selection that
    starts now; it must satisfy the constraints of the first wave.
    """
    started = time.perf_counter()
    by_number = {c.number: c for c in problem.candidates}
    order = dependency_order(problem)
    tasks = {number: by_number[number] for number in order.schedulable}
    rule = problem.rule
    locks = lock_claims(problem)
    locked = {n for n, c in tasks.items() if locks.conflict(c.footprint, c.components) is not None}
    cliques = cliques_by_file({n: c.footprint for n, c in tasks.items()}, rule.tau) if rule.uses_files else []
    clique_of, component_members = _clique_sizes(tasks, rule, cliques)

    board = _Board(rule.tau, {s.agent.name: s.limit for s in problem.slots},
                   {s.agent.name: s.agent.capacity for s in problem.slots})
    placed: dict[int, tuple[int, str]] = {}
    for number, agent in (first_wave or {}).items():
        if number in tasks:
            board.place(tasks[number], agent, 0, rule.uses_files, rule.uses_components)
            placed[number] = (0, agent)
    _fill(board, problem, tasks, order, clique_of, locked, placed)

    count = max(wave for wave, _ in placed.values()) + 1 if placed else 0
    waves: list[list[tuple[int, str]]] = [[] for _ in range(count)]
    for number, (wave, agent) in placed.items():
        waves[wave].append((number, agent))
    for wave in waves:
        wave.sort(key=lambda pair: (-tasks[pair[0]].values[pair[1]], pair[0]))

    earliest_of = {n: max(order.depth[n], 1 if n in locked else 0) for n in tasks}
    bounds = [order.bound, in_flight_bound(locked, order.external)]
    bounds += clique_bound(cliques, component_members, earliest_of)
    bounds += capacity_bound(tasks, problem.slots)
    lower = max([b.waves for b in bounds] + [1 if tasks else 0])
    return WavePlan(waves, lower, sorted(bounds, key=lambda b: -b.waves), order.critical_path,
                    _hot_files(cliques, {n: c.footprint for n, c in tasks.items()}), order.unschedulable,
                    time.perf_counter() - started, seeded=bool(first_wave))
