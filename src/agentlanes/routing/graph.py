"""The conflict graph over the open candidates and the work in flight.

Edges, each with its reason:

- ``file``: two tasks whose predicted probabilities on one file multiply to at
  least the threshold (strength = that product);
- ``component``: two tasks in one component, under the component rule;
- ``lock``: a task and an open pull request or a dispatched issue it conflicts with;
- ``dependency``: a task and the open issue it waits for (strength 1).

The graph is reported, not solved: the solvers use the equivalent per-file
constraints, which stay small where the pairs do not (thousands of tasks on one
hot file make millions of pairs).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from agentlanes.routing.candidates import RoutingProblem
from agentlanes.routing.conflicts import conflicting_pairs, file_conflict

MAX_LISTED_EDGES = 200


@dataclass(frozen=True, slots=True)
class Edge:
    first: str
    second: str
    kind: str
    detail: str
    strength: float


@dataclass(frozen=True)
class ConflictGraph:
    """Edge counts by kind and the strongest ``MAX_LISTED_EDGES`` edges."""

    tasks: int
    locks: int
    counts: dict[str, int]
    edges: list[Edge]
    truncated: bool


def _lock_edges(problem: RoutingProblem) -> list[Edge]:
    files: dict[str, list[tuple[float, str]]] = defaultdict(list)
    components: dict[str, list[str]] = defaultdict(list)
    for lock in problem.locks:
        for path, probability in lock.files.items():
            files[path].append((probability, lock.holder))
        for name in lock.components:
            components[name].append(lock.holder)
    rule = problem.rule
    edges: list[Edge] = []
    for candidate in problem.candidates:
        strongest: dict[str, Edge] = {}
        if rule.uses_files:
            for path, probability in candidate.footprint.items():
                for claim, holder in files.get(path, ()):
                    joint = probability * claim
                    if file_conflict(probability, claim, rule.tau) and (
                            holder not in strongest or strongest[holder].strength < joint):
                        strongest[holder] = Edge(f"#{candidate.number}", holder, "lock", path, round(joint, 4))
        if rule.uses_components:
            for name in sorted(candidate.components):
                for holder in components.get(name, ()):
                    strongest.setdefault(holder, Edge(f"#{candidate.number}", holder, "lock", f"component {name}", 1.0))
        edges.extend(strongest.values())
    return edges


def conflict_graph(problem: RoutingProblem) -> ConflictGraph:
    """Build the graph; see the module docstring for the kinds of edges."""
    footprints = {c.number: c.footprint for c in problem.candidates}
    components = {c.number: c.components for c in problem.candidates}
    edges = [
        Edge(f"#{a}", f"#{b}", reason.kind, reason.detail, round(reason.strength, 4))
        for (a, b), reason in conflicting_pairs(footprints, components, problem.rule).items()
    ]
    edges += _lock_edges(problem)
    for candidate in problem.candidates:
        for blocker in sorted(candidate.blockers):
            where = " (in flight)" if blocker in problem.in_flight_issues else ""
            edges.append(Edge(f"#{candidate.number}", f"#{blocker}", "dependency", f"waits for #{blocker}{where}", 1.0))
    counts = Counter(edge.kind for edge in edges)
    edges.sort(key=lambda e: (-e.strength, e.kind, e.first, e.second))
    return ConflictGraph(
        tasks=len(problem.candidates),
        locks=len(problem.locks),
        counts={kind: counts[kind] for kind in ("file", "component", "lock", "dependency")},
        edges=edges[:MAX_LISTED_EDGES],
        truncated=len(edges) > MAX_LISTED_EDGES,
    )
