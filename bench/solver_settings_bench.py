"""Compare CP-SAT settings for the selection model on synthetic Zipf instances.

Usage: python bench/solver_settings_bench.py [--seeds N] [--time-limit SECONDS]

Each row is one setting at one size. It gives the slowest and median time from
problem to selection over ``--seeds`` instances (greedy, pruning, model build
and search included), and how many were proven optimal within the time limit.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from routing_instances import zipf_problem  # noqa: E402

from agentlanes.routing.greedy import greedy_select  # noqa: E402
from agentlanes.routing.optimal import SolverSettings, optimal_select  # noqa: E402

SIZES = ((500, 8), (2000, 10), (5000, 12))
VARIANTS = {
    "1 worker, full LP, presolve off, pruning (default)": dict(workers=1),
    "2 workers, max_lp, presolve off, pruning": dict(workers=2),
    "1 worker, full LP, presolve off, no pruning": dict(workers=1, prune=False),
    "2 workers, max_lp, presolve off, no pruning": dict(workers=2, prune=False),
    "2 workers, CP-SAT defaults (presolve on, no max_lp), no pruning": dict(workers=2, full_lp=False, presolve=True,
                                                                            prune=False),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="instances per size (default 3)")
    parser.add_argument("--time-limit", type=float, default=20.0, help="CP-SAT time limit in seconds (default 20)")
    arguments = parser.parse_args()
    print("| setting | tasks x agents | slowest | median | proven optimal | load average |")
    print("|---|---|---|---|---|---|")
    for label, fields in VARIANTS.items():
        settings = SolverSettings(time_limit=arguments.time_limit, **fields)
        for tasks, agents in SIZES:
            times, proven = [], 0
            for seed in range(1, arguments.seeds + 1):
                problem = zipf_problem(tasks, agents, seed)
                started = time.perf_counter()
                selection = optimal_select(problem, hint=greedy_select(problem), settings=settings)
                times.append(time.perf_counter() - started)
                proven += selection.status == "optimal"
            print(f"| {label} | {tasks:,} x {agents} | {max(times):.2f} s | {statistics.median(times):.2f} s | "
                  f"{proven}/{arguments.seeds} | {' / '.join(f'{v:.1f}' for v in os.getloadavg())} |", flush=True)


if __name__ == "__main__":
    main()
