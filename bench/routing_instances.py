"""Synthetic routing problems with Zipf-distributed file popularity.

Each task predicts 1 to 6 files. Each file is drawn with probability proportional
to 1 / rank ** ZIPF_EXPONENT over ``tasks // 2`` files, and each predicted file
gets a probability drawn uniformly from [0.05, 1]. Priorities follow a skewed
label mix (1 most often, 9 for "p0"), each agent is eligible for a task with
probability 0.7 with a fitness in [0.3, 0.9], and each agent has 2 to 5 free
slots. Every instance is fully determined by its seed.
"""

from __future__ import annotations

import bisect
import random
from itertools import accumulate

from agentlanes.config import AgentConfig, Trigger
from agentlanes.routing.candidates import AgentSlots, Candidate, RoutingProblem
from agentlanes.routing.conflicts import ConflictRule

ZIPF_EXPONENT = 1.0
PRIORITIES = (1, 1, 1, 2, 3, 5, 9)
TYPES = ("bug", "feature", "docs", "test", "refactor")


def zipf_problem(tasks: int, agents: int, seed: int = 1, tau: float = 0.25, method: str = "footprint",
                 blocked_share: float = 0.0) -> RoutingProblem:
    """Build one synthetic problem; ``blocked_share`` of the tasks wait for an earlier task."""
    rng = random.Random(seed)
    files = max(50, tasks // 2)
    cumulative = list(accumulate(1.0 / (rank + 1) ** ZIPF_EXPONENT for rank in range(files)))
    names = [f"agent{index:02d}" for index in range(agents)]
    candidates = []
    for number in range(1, tasks + 1):
        footprint: dict[str, float] = {}
        for _ in range(rng.randint(1, 6)):
            rank = bisect.bisect_left(cumulative, rng.random() * cumulative[-1])
            footprint[f"src/module{rank // 40}/file{rank}.py"] = round(rng.uniform(0.05, 1.0), 3)
        priority = float(rng.choice(PRIORITIES))
        fitness = {name: round(rng.uniform(0.3, 0.9), 4) for name in names if rng.random() < 0.7}
        blockers = frozenset()
        if number > 1 and rng.random() < blocked_share:
            blockers = frozenset({rng.randint(1, number - 1)})
        candidates.append(Candidate(
            number=number,
            title=f"Synthetic task {number}",
            type=rng.choice(TYPES),
            size="M",
            priority=priority,
            components=frozenset(path.split("/")[1] for path in footprint),
            footprint=footprint,
            fitness=fitness,
            values={name: round(priority * score, 6) for name, score in fitness.items()},
            blockers=blockers,
        ))
    slots = []
    for name in names:
        capacity = rng.randint(2, 5)
        agent = AgentConfig(name=name, capacity=capacity, trigger=Trigger(kind="label", value=name))
        slots.append(AgentSlots(agent=agent, in_flight=0, free=capacity, quota_left=None))
    return RoutingProblem(tuple(candidates), tuple(slots), (), ConflictRule(method, tau))
