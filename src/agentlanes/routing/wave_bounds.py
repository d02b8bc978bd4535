"""Dependency order and lower bounds on the number of waves.

Each bound is a number of waves no plan can beat, with the reason in words:

- a set of tasks that pairwise conflict (the heavy claims of one file, or one
  component under the component rule) needs one wave per task, later when some of
  them cannot start in the first wave;
- the tasks exceed what the agents can run: the first wave has the free slots,
  every later wave the full capacity (also per agent, for tasks only it may take);
- the longest chain of dependencies needs one wave per task on it;
- a task that conflicts with, or waits for, work in flight needs a second wave.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from agentlanes.routing.candidates import AgentSlots, Candidate, RoutingProblem
from agentlanes.routing.conflicts import FileCliques
from agentlanes.textutil import counted

MAX_PATH_SHOWN = 8


@dataclass(frozen=True, slots=True)
class Bound:
    waves: int
    kind: str  # file, component, capacity, dependencies, in flight
    reason: str


@dataclass(frozen=True)
class DependencyOrder:
    """Precedence among the schedulable candidates.

    ``blockers[n]`` and ``followers[n]`` are edges inside the plan. ``external[n]``
    is 1 when the task also waits for work outside it, so it cannot start before
    the second wave. ``depth[n]`` is the earliest wave index its blockers allow, and
    ``chain[n]`` the number of waves the longest chain through ``n`` needs.
    """

    schedulable: tuple[int, ...]
    blockers: dict[int, set[int]]
    followers: dict[int, list[int]]
    external: dict[int, int]
    depth: dict[int, int]
    chain: dict[int, int]
    critical_path: list[int]
    bound: Bound
    unschedulable: dict[int, str]


# Open issues that no plan starts: their work is done elsewhere or not at all.
NEVER_ROUTED = frozenset({"tracking", "duplicate"})


def _unschedulable(problem: RoutingProblem) -> dict[int, str]:
    """Tasks no agent can take, and tasks waiting for them, with the reason."""
    routable = {slot.agent.name for slot in problem.slots}
    numbers = {c.number for c in problem.candidates}
    reasons: dict[int, str] = {}
    followers: dict[int, list[int]] = defaultdict(list)
    never = {w.number: w.status for w in problem.waiting if w.status in NEVER_ROUTED}
    for candidate in problem.candidates:
        for blocker in candidate.blockers & numbers:
            followers[blocker].append(candidate.number)
        if not any(agent in routable and value > 0 for agent, value in candidate.values.items()):
            reasons[candidate.number] = "; ".join(candidate.refusals) or "no routable agent may take it"
        elif held := sorted(candidate.blockers & never.keys()):
            reasons[candidate.number] = (f"waits for #{held[0]}, which routing never schedules "
                                         f"(status {never[held[0]]})")
    stack = list(reasons)
    while stack:
        blocker = stack.pop()
        for follower in followers[blocker]:
            if follower not in reasons:
                reasons[follower] = f"waits for #{blocker}, which cannot be scheduled"
                stack.append(follower)
    return reasons


def _topological(blockers: dict[int, set[int]]) -> tuple[list[int], dict[int, list[int]]]:
    """Return the tasks blockers first (tasks in a cycle left out) and each task's followers."""
    followers: dict[int, list[int]] = defaultdict(list)
    for number, own in blockers.items():
        for blocker in own:
            followers[blocker].append(number)
    pending = {n: len(own) for n, own in blockers.items()}
    ready = sorted(n for n, count in pending.items() if count == 0)
    order: list[int] = []
    while ready:
        number = ready.pop()
        order.append(number)
        for follower in followers[number]:
            pending[follower] -= 1
            if pending[follower] == 0:
                ready.append(follower)
    return order, followers


def dependency_order(problem: RoutingProblem) -> DependencyOrder:
    """Order the candidates by their dependencies; tasks in a cycle cannot be scheduled."""
    unschedulable = _unschedulable(problem)
    tasks = {c.number: c for c in problem.candidates if c.number not in unschedulable}
    blockers = {n: set(c.blockers) & tasks.keys() for n, c in tasks.items()}
    external = {n: 1 if c.blockers - tasks.keys() else 0 for n, c in tasks.items()}
    topological, followers = _topological(blockers)
    for number in sorted(set(tasks) - set(topological)):
        unschedulable[number] = "part of a dependency cycle, or waits for one"

    depth: dict[int, int] = {}
    for number in topological:
        depth[number] = max([external[number]] + [depth[b] + 1 for b in blockers[number]])
    tail: dict[int, int] = {}
    for number in reversed(topological):
        tail[number] = max([0] + [tail[f] + 1 for f in followers[number] if f in tail])
    chain = {n: depth[n] + tail[n] + 1 for n in topological}
    path = _critical_path(chain, depth, tail, blockers, followers)

    kept = set(topological)
    return DependencyOrder(
        schedulable=tuple(topological),
        blockers={n: blockers[n] for n in kept},
        followers={n: [f for f in followers[n] if f in kept] for n in kept},
        external={n: external[n] for n in kept},
        depth=depth,
        chain=chain,
        critical_path=path,
        bound=_path_bound(path, chain, external),
        unschedulable=unschedulable,
    )


def _critical_path(chain, depth, tail, blockers, followers) -> list[int]:
    if not chain:
        return []
    start = min(chain, key=lambda n: (-chain[n], n))
    backward = [start]
    while True:
        previous = sorted(b for b in blockers[backward[-1]] if depth[b] + 1 == depth[backward[-1]])
        if not previous:
            break
        backward.append(previous[0])
    forward = [start]
    while True:
        following = sorted(f for f in followers[forward[-1]] if f in tail and tail[f] + 1 == tail[forward[-1]])
        if not following:
            break
        forward.append(following[0])
    return list(reversed(backward)) + forward[1:]


def _path_bound(path: list[int], chain: dict[int, int], external: dict[int, int]) -> Bound:
    if not path:
        return Bound(0, "dependencies", "no tasks to plan")
    waves = chain[path[0]]
    shown = " -> ".join(f"#{n}" for n in path[:MAX_PATH_SHOWN]) + (" -> ..." if len(path) > MAX_PATH_SHOWN else "")
    after = ", after work in flight" if external.get(path[0]) else ""
    if len(path) == 1:
        # No chain of open tasks: at most the wait for work in flight, which in_flight_bound reports too.
        return Bound(waves, "dependencies", f"no task waits for another open task; #{path[0]} needs "
                     f"{counted(waves, 'wave')}{after}")
    return Bound(waves, "dependencies", f"critical path of {len(path)} dependent tasks{after}: {shown}")


def in_flight_bound(locked: set[int], external: Mapping[int, int]) -> Bound:
    """Two waves when some task cannot start in the first: it conflicts with, or waits for, work in flight."""
    if locked:
        return Bound(2, "in flight", f"#{min(locked)} conflicts with work in flight, so it cannot start in the first wave")
    waiting = sorted(n for n, value in external.items() if value)
    if waiting:
        return Bound(2, "in flight", f"#{waiting[0]} waits for work outside the plan, so it cannot start in the first wave")
    return Bound(0, "in flight", "nothing waits for work in flight")


def _serial_waves(earliest: Iterable[int]) -> int:
    """Waves needed by tasks that pairwise conflict, each no earlier than its own wave."""
    ordered = sorted(earliest)
    return max((first + len(ordered) - index for index, first in enumerate(ordered)), default=0)


def clique_bound(
    cliques: Iterable[FileCliques], components: Mapping[str, list[int]], earliest: Mapping[int, int]
) -> list[Bound]:
    """Return the strongest bound from one file's clique and from one component."""
    bounds: list[Bound] = []
    best_file: Bound | None = None
    for file in cliques:
        groups = [[n for _, n in file.heavy]]
        if file.light:
            _, light, prefix = max(file.light, key=lambda entry: entry[2])
            groups.append([light] + [n for _, n in file.heavy[:prefix]])
        for members in groups:
            waves = _serial_waves(earliest[n] for n in members)
            if waves > 1 and (best_file is None or waves > best_file.waves):
                best_file = Bound(waves, "file", f"{len(members)} tasks conflict pairwise on {file.path}"
                                  + _later(waves, len(members)))
    if best_file:
        bounds.append(best_file)
    if components:
        name, members = max(components.items(), key=lambda kv: (_serial_waves(earliest[n] for n in kv[1]), kv[0]))
        waves = _serial_waves(earliest[n] for n in members)
        if waves > 1:
            bounds.append(Bound(waves, "component", f"{len(members)} tasks share component {name}"
                                + _later(waves, len(members))))
    return bounds


def _later(waves: int, members: int) -> str:
    return "" if waves == members else ", and some of them cannot start in the first waves"


def _waves_for(count: int, first: int, per_wave: int) -> int:
    if count <= 0:
        return 0
    if count <= first:
        return 1
    return 1 + math.ceil((count - max(first, 0)) / per_wave) if per_wave > 0 else 0


def capacity_bound(tasks: Mapping[int, Candidate], slots: Iterable[AgentSlots]) -> list[Bound]:
    """Waves the agents' slots need for all tasks, and for tasks only one agent may take."""
    slots = tuple(slots)
    first = sum(s.limit for s in slots)
    per_wave = sum(s.agent.capacity for s in slots)
    bounds = [Bound(_waves_for(len(tasks), first, per_wave), "capacity",
                    f"{len(tasks)} tasks on {first} free slots now and {per_wave} per later wave")]
    names = {s.agent.name for s in slots}
    only: Counter[str] = Counter()
    for candidate in tasks.values():
        agents = [a for a, value in candidate.values.items() if a in names and value > 0]
        if len(agents) == 1:
            only[agents[0]] += 1
    for slot in slots:
        count = only[slot.agent.name]
        waves = _waves_for(count, slot.limit, slot.agent.capacity)
        if waves > 1:
            bounds.append(Bound(waves, "capacity",
                                f"{count} tasks only {slot.agent.name} may take, {slot.agent.capacity} at a time"))
    return bounds
