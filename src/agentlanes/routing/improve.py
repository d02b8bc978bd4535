"""Local search that improves a selection before the solver starts from it.

One move adds an unselected pairing (task, agent) and drops what blocks it:
the selected tasks that conflict with it and, when the agent has no slot left,
the agent's least valuable task. The move is made when it raises the
total value. A better starting plan lets the Lagrangian pruning drop more
pairings, so the model the solver gets is smaller.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from agentlanes.routing.candidates import Candidate, RoutingProblem
from agentlanes.routing.conflicts import file_conflict
from agentlanes.routing.pruning import Pairing

MAX_PASSES = 3
_GAIN = 1e-9


class _Plan:
    """A selection with per-file and per-component indexes of its tasks."""

    def __init__(self, problem: RoutingProblem, assignments: dict[int, str]) -> None:
        self.rule = problem.rule
        self.by_number: dict[int, Candidate] = {c.number: c for c in problem.candidates}
        self.limits = {slot.agent.name: slot.limit for slot in problem.slots}
        self.assignments: dict[int, str] = {}
        self.files: dict[str, dict[int, float]] = defaultdict(dict)
        self.components: dict[str, set[int]] = defaultdict(set)
        self.used: dict[str, int] = defaultdict(int)
        for number, agent in assignments.items():
            self.add(number, agent)

    def add(self, number: int, agent: str) -> None:
        candidate = self.by_number[number]
        self.assignments[number] = agent
        self.used[agent] += 1
        for path, probability in candidate.footprint.items():
            self.files[path][number] = probability
        for name in candidate.components:
            self.components[name].add(number)

    def remove(self, number: int) -> None:
        candidate = self.by_number[number]
        self.used[self.assignments.pop(number)] -= 1
        for path in candidate.footprint:
            del self.files[path][number]
        for name in candidate.components:
            self.components[name].discard(number)

    def blocking(self, candidate: Candidate) -> set[int]:
        """Return the selected tasks that conflict with ``candidate``."""
        found: set[int] = set()
        if self.rule.uses_files:
            for path, probability in candidate.footprint.items():
                found.update(n for n, q in self.files.get(path, {}).items()
                             if file_conflict(probability, q, self.rule.tau))
        if self.rule.uses_components:
            for name in candidate.components:
                found.update(self.components.get(name, ()))
        found.discard(candidate.number)
        return found


def improve(problem: RoutingProblem, assignments: dict[int, str], pairings: Sequence[Pairing]) -> dict[int, str]:
    """Return a selection at least as valuable as ``assignments``; ``pairings`` must be lock-free."""
    plan = _Plan(problem, assignments)
    values = {(p.number, p.agent): p.value for p in pairings}
    ordered = sorted(pairings, key=lambda p: (-p.value, p.number, p.agent))
    for _ in range(MAX_PASSES):
        changed = False
        for pairing in ordered:
            if pairing.number in plan.assignments:
                continue
            drop = plan.blocking(plan.by_number[pairing.number])
            if plan.used[pairing.agent] - sum(1 for n in drop if plan.assignments[n] == pairing.agent) \
                    >= plan.limits.get(pairing.agent, 0):
                own = [n for n, a in plan.assignments.items() if a == pairing.agent and n not in drop]
                if not own:
                    continue
                drop.add(min(own, key=lambda n: (values[(n, pairing.agent)], -n)))
            loss = sum(values[(n, plan.assignments[n])] for n in drop)
            if pairing.value > loss + _GAIN:
                for number in drop:
                    plan.remove(number)
                plan.add(pairing.number, pairing.agent)
                changed = True
        if not changed:
            break
    return dict(plan.assignments)
