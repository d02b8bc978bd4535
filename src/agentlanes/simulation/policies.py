"""Dispatch policies compared by the simulation.

Each policy fills the free agent slots from the released tasks, seeing only
predicted footprints and components, never the real files:

- ``fifo``: oldest task first (lowest number), on its best free agent, with no
  conflict check at all;
- ``component``: the classic rule, no two tasks of one component in flight, with
  the greedy selection;
- ``footprint-greedy``: the footprint rule with the greedy selection;
- ``optimal``: the footprint rule with the CP-SAT selection, as ``route`` does.

Tasks in flight lock their predicted footprint and components.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from agentlanes.config import AgentConfig
from agentlanes.routing.candidates import AgentSlots, Candidate, RoutingProblem
from agentlanes.routing.conflicts import ConflictRule, Lock
from agentlanes.routing.greedy import greedy_select
from agentlanes.routing.optimal import SolverSettings, optimal_select

POLICIES = ("fifo", "component", "footprint-greedy", "optimal")
# One worker keeps CP-SAT deterministic, so a seed reproduces a run exactly.
SIMULATION_SOLVER = SolverSettings(time_limit=5.0, workers=1)


@dataclass
class PolicyStats:
    """Solver figures gathered over one run's dispatch rounds."""

    rounds: int = 0
    proven: int = 0
    ratios: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Policy:
    name: str
    tau: float

    def select(
        self,
        released: list[Candidate],
        in_flight: Iterable[Candidate],
        agents: dict[str, AgentConfig],
        free: dict[str, int],
        stats: PolicyStats,
    ) -> dict[int, str]:
        """Return task number -> agent for the tasks to start now."""
        if self.name == "fifo":
            return _fifo(released, free)
        method = "component" if self.name == "component" else "footprint"
        problem = RoutingProblem(
            candidates=tuple(released),
            slots=tuple(AgentSlots(agents[name], 0, count, None) for name, count in free.items() if count > 0),
            locks=tuple(Lock(f"#{c.number}", c.footprint, c.components) for c in in_flight),
            rule=ConflictRule(method, self.tau),
        )
        greedy = greedy_select(problem)
        if self.name != "optimal":
            return greedy.assignments
        selection = optimal_select(problem, hint=greedy, settings=SIMULATION_SOLVER)
        stats.rounds += 1
        stats.proven += selection.status == "optimal"
        if greedy.objective > 0:
            stats.ratios.append(selection.objective / greedy.objective)
        return selection.assignments


def _fifo(released: list[Candidate], free: dict[str, int]) -> dict[int, str]:
    remaining = dict(free)
    chosen: dict[int, str] = {}
    for candidate in sorted(released, key=lambda c: c.number):
        options = sorted((a for a in candidate.values if remaining.get(a, 0) > 0),
                         key=lambda a: (-candidate.values[a], a))
        if options:
            chosen[candidate.number] = options[0]
            remaining[options[0]] -= 1
    return chosen
