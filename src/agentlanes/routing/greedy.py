"""Greedy selection: best (task, agent) pairings first, skipping any that conflict.

It takes milliseconds and serves both as the baseline the optimiser is compared
with and as the optimiser's starting hint.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentlanes.routing.candidates import RoutingProblem
from agentlanes.routing.conflicts import Claims


@dataclass(frozen=True)
class Selection:
    """Task number -> agent name, the summed value of those pairings, and how it was found.

    ``status`` is ``optimal`` (proven), ``feasible`` (a solution the solver could
    not prove optimal within its time limit) or ``heuristic`` (greedy, unproven).
    ``bound`` is a proven upper bound on the value of any plan, when known.
    """

    assignments: dict[int, str]
    objective: float
    solver: str
    status: str = "heuristic"
    bound: float | None = None
    seconds: float = 0.0
    pairs_total: int = 0
    pairs_in_model: int = 0

    @property
    def gap(self) -> float | None:
        """Relative distance between the objective and the proven bound (0 = optimal)."""
        if self.bound is None:
            return None
        if self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.objective) / self.bound)


def lock_claims(problem: RoutingProblem) -> Claims:
    claims = Claims(problem.rule)
    for lock in problem.locks:
        claims.add_lock(lock)
    return claims


def greedy_select(problem: RoutingProblem) -> Selection:
    """Walk pairings by value (ties: task number, agent name) and keep what fits."""
    claims = lock_claims(problem)
    remaining = {slot.agent.name: slot.limit for slot in problem.slots}
    by_number = {candidate.number: candidate for candidate in problem.startable}
    pairings = sorted(
        ((value, number, agent) for number, c in by_number.items() for agent, value in c.values.items() if value > 0),
        key=lambda entry: (-entry[0], entry[1], entry[2]),
    )
    assignments: dict[int, str] = {}
    objective = 0.0
    for value, number, agent in pairings:
        if number in assignments or remaining.get(agent, 0) <= 0:
            continue
        candidate = by_number[number]
        if claims.conflict(candidate.footprint, candidate.components) is not None:
            continue
        assignments[number] = agent
        remaining[agent] -= 1
        objective += value
        claims.add(f"#{number}", candidate.footprint, candidate.components)
    return Selection(assignments, round(objective, 6), "greedy", pairs_total=len(pairings))
