"""Small routing problems for property tests, and plain checks that share no code with the solvers."""

from __future__ import annotations

from itertools import product

from hypothesis import strategies as st

from agentlanes.config import AgentConfig, Trigger
from agentlanes.routing.candidates import AgentSlots, Candidate, RoutingProblem
from agentlanes.routing.conflicts import ConflictRule, Lock

FILES = ("a.py", "b.py", "c.py", "d.py")
COMPONENTS = ("api", "web")
PROBABILITIES = (0.1, 0.2, 0.3, 0.45, 0.5, 0.6, 0.8, 0.9, 1.0)


def make_agent(name: str, capacity: int) -> AgentConfig:
    return AgentConfig(name=name, capacity=capacity, trigger=Trigger(kind="label", value=name))


@st.composite
def problems(draw, max_tasks: int = 6, blocked: bool = True) -> RoutingProblem:
    """Random problems: footprints over four files, two components, locks, quotas and blockers."""
    agent_count = draw(st.integers(1, 3))
    names = [f"agent{index}" for index in range(agent_count)]
    slots = []
    for name in names:
        capacity = draw(st.integers(1, 3))
        free = draw(st.integers(0, capacity))
        quota = draw(st.one_of(st.none(), st.integers(0, 3)))
        slots.append(AgentSlots(make_agent(name, capacity), capacity - free, free, quota))

    count = draw(st.integers(0, max_tasks))
    candidates = []
    for number in range(1, count + 1):
        footprint = draw(st.dictionaries(st.sampled_from(FILES), st.sampled_from(PROBABILITIES), max_size=3))
        eligible = draw(st.lists(st.sampled_from(names), unique=True, max_size=agent_count))
        priority = draw(st.sampled_from((1.0, 2.0, 5.0)))
        fitness = {name: draw(st.sampled_from((0.3, 0.5, 0.7, 0.9))) for name in eligible}
        blockers = frozenset()
        if blocked and draw(st.booleans()):
            # 999 stands for open work outside the backlog, such as an issue in progress.
            earlier = st.integers(1, number - 1) if number > 1 else st.just(999)
            blockers = frozenset({draw(st.one_of(earlier, st.just(999)))})
        candidates.append(Candidate(
            number=number, title=f"task {number}", type="bug", size="M", priority=priority,
            components=frozenset(draw(st.lists(st.sampled_from(COMPONENTS), unique=True, max_size=1))),
            footprint=footprint, fitness=fitness,
            values={name: round(priority * score, 6) for name, score in fitness.items()},
            blockers=blockers,
        ))

    locks = tuple(
        Lock(f"PR #{100 + index}", draw(st.dictionaries(st.sampled_from(FILES), st.sampled_from(PROBABILITIES),
                                                        min_size=1, max_size=2)),
             frozenset(draw(st.lists(st.sampled_from(COMPONENTS), unique=True, max_size=1))))
        for index in range(draw(st.integers(0, 2)))
    )
    method = draw(st.sampled_from(("footprint", "component", "both")))
    tau = draw(st.sampled_from((0.09, 0.25, 0.5)))
    return RoutingProblem(tuple(candidates), tuple(slots), locks, ConflictRule(method, tau))


def pair_conflicts(a: Candidate, b: Candidate | Lock, rule: ConflictRule) -> bool:
    """Whether two claims conflict, checked file by file and component by component."""
    files_b = b.footprint if isinstance(b, Candidate) else b.files
    if rule.method in ("footprint", "both"):
        for path, p in a.footprint.items():
            q = files_b.get(path, 0.0)
            if p > 0 and q > 0 and p * q >= rule.tau:
                return True
    return rule.method in ("component", "both") and bool(a.components & b.components)


def violations(problem: RoutingProblem, assignments: dict[int, str]) -> list[str]:
    """Every broken constraint of a selection, in words; empty when the selection is valid."""
    found = []
    by_number = {c.number: c for c in problem.candidates}
    limits = {s.agent.name: s.limit for s in problem.slots}
    chosen = sorted(assignments)
    for index, a in enumerate(chosen):
        candidate = by_number[a]
        if candidate.blockers:
            found.append(f"#{a} has open dependencies")
        if candidate.values.get(assignments[a], 0) <= 0:
            found.append(f"#{a} is not eligible for {assignments[a]}")
        for lock in problem.locks:
            if pair_conflicts(candidate, lock, problem.rule):
                found.append(f"#{a} conflicts with {lock.holder}")
        for b in chosen[index + 1:]:
            if pair_conflicts(candidate, by_number[b], problem.rule):
                found.append(f"#{a} and #{b} conflict")
    for agent in set(assignments.values()):
        used = sum(1 for value in assignments.values() if value == agent)
        if used > limits.get(agent, 0):
            found.append(f"{agent} runs {used} tasks with {limits.get(agent, 0)} slots")
    return found


def brute_force_best(problem: RoutingProblem) -> float:
    """The best value by trying every assignment (each task: idle or one agent)."""
    candidates = list(problem.candidates)
    options = [[None] + sorted(c.values) for c in candidates]
    best = 0.0
    for choice in product(*options):
        assignments = {c.number: agent for c, agent in zip(candidates, choice) if agent is not None}
        if violations(problem, assignments):
            continue
        best = max(best, sum(c.values[agent] for c, agent in zip(candidates, choice) if agent is not None))
    return best


def wave_violations(problem: RoutingProblem, waves: list[list[tuple[int, str]]]) -> list[str]:
    """Every broken constraint of a wave plan, in words."""
    found = []
    by_number = {c.number: c for c in problem.candidates}
    wave_of = {number: index for index, wave in enumerate(waves) for number, _ in wave}
    for index, wave in enumerate(waves):
        numbers = [number for number, _ in wave]
        for position, a in enumerate(numbers):
            for b in numbers[position + 1:]:
                if pair_conflicts(by_number[a], by_number[b], problem.rule):
                    found.append(f"#{a} and #{b} conflict in wave {index + 1}")
            if by_number[a].values.get(dict(wave)[a], 0) <= 0:
                found.append(f"#{a} is not eligible for {dict(wave)[a]}")
            for blocker in by_number[a].blockers:
                if blocker in by_number and wave_of.get(blocker, index) >= index:
                    found.append(f"#{a} is in wave {index + 1}, not after its blocker #{blocker}")
                if blocker not in by_number and index == 0:
                    found.append(f"#{a} waits for work outside the plan but is in the first wave")
            if index == 0 and any(pair_conflicts(by_number[a], lock, problem.rule) for lock in problem.locks):
                found.append(f"#{a} conflicts with a lock in the first wave")
        for slot in problem.slots:
            used = sum(1 for _, agent in wave if agent == slot.agent.name)
            limit = slot.limit if index == 0 else slot.agent.capacity
            if used > limit:
                found.append(f"{slot.agent.name} runs {used} tasks in wave {index + 1} with {limit} slots")
    return found


def schedule_exists(problem: RoutingProblem, numbers: list[int], waves: int) -> bool:
    """Search every (wave, agent) placement of ``numbers`` within ``waves`` waves."""
    by_number = {c.number: c for c in problem.candidates}
    placed: dict[int, tuple[int, str]] = {}
    ordered = sorted(numbers)  # blockers always have lower numbers in these problems

    def fits(number: int, wave: int, agent: str) -> bool:
        candidate = by_number[number]
        for blocker in candidate.blockers:
            if blocker in placed and placed[blocker][0] >= wave:
                return False
            if blocker not in by_number and wave == 0:
                return False
        if wave == 0 and any(pair_conflicts(candidate, lock, problem.rule) for lock in problem.locks):
            return False
        slot = next(s for s in problem.slots if s.agent.name == agent)
        limit = slot.limit if wave == 0 else slot.agent.capacity
        if sum(1 for w, a in placed.values() if w == wave and a == agent) >= limit:
            return False
        return not any(w == wave and pair_conflicts(candidate, by_number[other], problem.rule)
                       for other, (w, _) in placed.items())

    def search(index: int) -> bool:
        if index == len(ordered):
            return True
        number = ordered[index]
        for wave in range(waves):
            for agent in sorted(by_number[number].values):
                if fits(number, wave, agent):
                    placed[number] = (wave, agent)
                    if search(index + 1):
                        return True
                    del placed[number]
        return False

    return search(0)
