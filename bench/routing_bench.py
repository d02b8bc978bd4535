"""Time the optimal selection and the wave plan on synthetic Zipf instances.

Usage: python bench/routing_bench.py [--seeds N] [--exponent X]

For each size the script builds ``--seeds`` instances (see ``routing_instances``)
and times ``optimal_select`` from the problem to the selection. The time includes
the greedy pass, pruning, model build and CP-SAT search. It prints one Markdown row per size:
the slowest and median times, how many instances were proven optimal, the worst
gap and the lowest optimal/greedy ratio. Then it times the wave plan for 2,000
tasks, without and with dependencies, and says whether it reached its lower bound.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import routing_instances  # noqa: E402
from routing_instances import zipf_problem  # noqa: E402

from agentlanes.routing.greedy import greedy_select  # noqa: E402
from agentlanes.routing.optimal import optimal_select  # noqa: E402
from agentlanes.routing.waves import plan_waves  # noqa: E402

SIZES = ((500, 8, 1.0), (2000, 10, 2.0), (5000, 12, 3.0))


def load() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def bench_selection(seeds: int) -> None:
    print("| tasks x agents | target | slowest | median | proven optimal | worst gap | min optimal/greedy | "
          "pairings in model | load average |")
    print("|---|---|---|---|---|---|---|---|---|")
    for tasks, agents, target in SIZES:
        times, ratios, gaps, proven, kept = [], [], [], 0, []
        for seed in range(1, seeds + 1):
            problem = zipf_problem(tasks, agents, seed)
            started = time.perf_counter()
            greedy = greedy_select(problem)
            selection = optimal_select(problem, hint=greedy)
            times.append(time.perf_counter() - started)
            proven += selection.status == "optimal"
            gaps.append(selection.gap or 0.0)
            ratios.append(selection.objective / greedy.objective)
            kept.append(f"{selection.pairs_in_model}/{selection.pairs_total}")
        print(f"| {tasks:,} x {agents} | <= {target:g} s | {max(times):.2f} s | {statistics.median(times):.2f} s | "
              f"{proven}/{seeds} | {max(gaps):.4f} | {min(ratios):.4f} | {kept[0]} (seed 1) | {load()} |",
              flush=True)


def bench_waves() -> None:
    print("\n| wave plan | tasks | time | waves | lower bound | proven minimal | load average |")
    print("|---|---|---|---|---|---|---|")
    for label, share in (("independent tasks", 0.0), ("20% wait for an earlier task", 0.2)):
        for seed in (1, 2, 3):
            problem = zipf_problem(2000, 10, seed, blocked_share=share)
            started = time.perf_counter()
            plan = plan_waves(problem)
            seconds = time.perf_counter() - started
            print(f"| {label}, seed {seed} | 2,000 | {seconds:.3f} s | {len(plan.waves)} | {plan.lower_bound} | "
                  f"{'yes' if plan.minimal else 'no'} | {load()} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="instances per size (default 5)")
    parser.add_argument("--exponent", type=float, default=routing_instances.ZIPF_EXPONENT,
                        help=f"Zipf exponent of file popularity (default {routing_instances.ZIPF_EXPONENT})")
    arguments = parser.parse_args()
    routing_instances.ZIPF_EXPONENT = arguments.exponent
    bench_selection(arguments.seeds)
    bench_waves()


if __name__ == "__main__":
    main()
