"""Lagrangian bound and pruning for the selection model.

Relax each agent's slot limit with a price ``lambda_a`` and each clique (tasks
that pairwise conflict: the heavy claims of one file, or one component) with a
price ``mu_C``. For any prices that are not negative,

    bound = sum_a lambda_a * limit_a + sum_C mu_C
            + sum_t max(0, max_a(v_ta - lambda_a) - sum_{C contains t} mu_C)

is an upper bound on the value of every plan. Forcing one pairing (t, a) into
the relaxed plan changes the bound by its reduced cost ``v_ta - lambda_a -
sum mu_C - (t's term)``, so a pairing whose forced bound falls below a known
plan's value cannot be in any better plan and is dropped.

The prices come from a few rounds of a cheap rule. ``lambda_a`` is the agent's
(limit+1)-th best value after the clique prices. ``mu_C`` is the second largest
remaining surplus in the clique, so that only its best member keeps a surplus.
The lowest bound found is used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ROUNDS = 3
_EPSILON = 1e-6


@dataclass(frozen=True)
class Pairing:
    number: int
    agent: str
    value: float


@dataclass(frozen=True)
class _Prices:
    bound: float
    agent: dict[str, float]
    penalty: dict[int, float]  # sum of the clique prices of each task
    residual: dict[int, float]  # each task's term in the bound


def _agent_prices(pairings: Sequence[Pairing], limits: dict[str, int], penalty: dict[int, float]) -> dict[str, float]:
    by_agent: dict[str, list[float]] = defaultdict(list)
    for p in pairings:
        by_agent[p.agent].append(p.value - penalty.get(p.number, 0.0))
    prices = {}
    for agent, limit in limits.items():
        values = sorted(by_agent.get(agent, ()), reverse=True)
        prices[agent] = max(0.0, values[limit]) if len(values) > limit else 0.0
    return prices


def _prices(pairings: Sequence[Pairing], limits: dict[str, int], cliques: Sequence[Sequence[int]],
            agent: dict[str, float]) -> _Prices:
    residual: dict[int, float] = defaultdict(float)
    for p in pairings:
        residual[p.number] = max(residual[p.number], p.value - agent[p.agent])
    penalty: dict[int, float] = defaultdict(float)
    clique_total = 0.0
    for members in cliques:
        positive = sorted((residual[t] for t in members if residual[t] > 0), reverse=True)
        if len(positive) < 2:
            continue
        price = positive[1]
        clique_total += price
        for t in members:
            residual[t] = max(0.0, residual[t] - price)
            penalty[t] += price
    bound = sum(agent[a] * limit for a, limit in limits.items()) + clique_total + sum(residual.values())
    return _Prices(bound, agent, penalty, residual)


def lagrangian_prune(
    pairings: Sequence[Pairing], limits: dict[str, int], cliques: Iterable[Sequence[int]], floor: float
) -> tuple[list[Pairing], float]:
    """Drop pairings that cannot be in a plan worth ``floor`` or more; return the rest and the bound."""
    cliques = sorted((list(c) for c in cliques if len(c) > 1), key=len, reverse=True)
    best: _Prices | None = None
    penalty: dict[int, float] = {}
    for _ in range(ROUNDS):
        prices = _prices(pairings, limits, cliques, _agent_prices(pairings, limits, penalty))
        if best is None or prices.bound < best.bound:
            best = prices
        penalty = prices.penalty
    if best is None:
        return list(pairings), 0.0
    kept = [
        p for p in pairings
        if best.bound + (p.value - best.agent[p.agent] - best.penalty.get(p.number, 0.0) - best.residual[p.number])
        >= floor - _EPSILON
    ]
    return kept, best.bound
