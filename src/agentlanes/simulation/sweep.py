"""Run every policy at every number of parallel slots, over seeded runs, and compare.

Slot counts are spread round-robin over the routable agents in configuration
order, so 1 slot is the first agent alone and ``k`` slots give each agent about
``k / n``. Run ``r`` draws every task's duration quantile from a generator seeded
with ``seed`` and ``r``. All policies and slot counts of that run share the
draws, so their differences come from the policies alone.
"""

from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Sequence

from agentlanes import __version__
from agentlanes.analysis.artifact import BacklogAnalysis
from agentlanes.config import AgentConfig, Config
from agentlanes.errors import InputError
from agentlanes.model import Dataset
from agentlanes.simulation.engine import CLEARED_SHARE, RunResult, run_policy
from agentlanes.simulation.policies import POLICIES, Policy
from agentlanes.simulation.report import DurationSource, PolicyPoint, Saturation, SimulationReport
from agentlanes.simulation.tasks import DurationModel, duration_model, simulated_backlog
from agentlanes.timeutil import parse_timestamp

DEFAULT_PARALLEL = (1, 2, 4, 6, 8, 12, 16)
DEFAULT_RUNS = 3
# One more slot "still helps" while it adds at least this share of throughput.
GAIN_TOLERANCE = 0.05


def spread_slots(agents: Sequence[AgentConfig], count: int) -> dict[str, AgentConfig]:
    """Give ``count`` slots to the agents round-robin; each copy's capacity is its slot count."""
    slots: Counter[str] = Counter()
    for index in range(count):
        slots[agents[index % len(agents)].name] += 1
    return {a.name: a.model_copy(update={"capacity": slots[a.name]}) for a in agents if slots[a.name]}


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 3) if values else None


def _point(policy: str, parallel: int, results: list[RunResult]) -> PolicyPoint:
    throughputs = [r.throughput_per_week for r in results if r.throughput_per_week is not None]
    ratios = [ratio for r in results for ratio in r.stats.ratios]
    rounds = sum(r.stats.rounds for r in results)
    return PolicyPoint(
        policy=policy,
        parallel=parallel,
        runs=len(results),
        throughput_per_week=_mean(throughputs),
        throughput_min=round(min(throughputs), 3) if throughputs else None,
        throughput_max=round(max(throughputs), 3) if throughputs else None,
        conflicts=_mean([r.conflicts for r in results]) or 0.0,
        rework_hours=_mean([r.rework_hours for r in results]) or 0.0,
        idle_share=_mean([r.idle_share for r in results if r.idle_share is not None]),
        makespan_days=_mean([r.makespan_hours / 24 for r in results]) or 0.0,
        cleared_days=_mean([r.cleared_hours / 24 for r in results]) or 0.0,
        unfinished=_mean([r.unfinished for r in results]) or 0.0,
        proven_optimal_share=round(sum(r.stats.proven for r in results) / rounds, 4) if rounds else None,
        value_ratio_to_greedy=round(statistics.fmean(ratios), 4) if ratios else None,
        value_ratio_min=round(min(ratios), 4) if ratios else None,
    )


def saturation(policy: str, points: list[PolicyPoint]) -> Saturation:
    """Find the slot count beyond which one more slot adds less than ``GAIN_TOLERANCE``."""
    curve = sorted((p for p in points if p.throughput_per_week is not None), key=lambda p: p.parallel)
    if not curve:
        return Saturation(policy=policy, parallel=None, reason="no run merged anything")
    for index, point in enumerate(curve):
        later = curve[index + 1:]
        if all(p.throughput_per_week < (1 + GAIN_TOLERANCE) * point.throughput_per_week for p in later):
            if not later and len(curve) > 1:
                break
            return Saturation(policy=policy, parallel=point.parallel, reason=(
                f"{point.throughput_per_week:.1f} tasks/week at {point.parallel} slots "
                f"({point.conflicts:.1f} conflicts, {point.rework_hours:.0f} h rework); more slots add less than "
                f"{GAIN_TOLERANCE:.0%}"))
    last = curve[-1]
    return Saturation(policy=policy, parallel=None, reason=(
        f"still gaining at {last.parallel} slots ({last.throughput_per_week:.1f} tasks/week)"))


def _durations_info(durations: DurationModel) -> DurationSource:
    return DurationSource(merged_pulls=len(durations.samples),
                          median_hours=round(statistics.median(durations.samples), 2))


def _check(policies: Sequence[str], parallel: Sequence[int], runs: int) -> None:
    unknown = [p for p in policies if p not in POLICIES]
    if unknown or not policies:
        raise InputError(f"invalid policy {', '.join(unknown) or '(none)'}", f"use some of: {', '.join(POLICIES)}")
    if not parallel or any(k < 1 for k in parallel):
        raise InputError(f"invalid slot counts {list(parallel)}", "give positive whole numbers, e.g. 1,2,4,8")
    if runs < 1:
        raise InputError(f"invalid number of runs {runs}", "give at least 1")


def simulate_backlog(
    analysis: BacklogAnalysis,
    dataset: Dataset,
    config: Config,
    *,
    policies: Sequence[str] = POLICIES,
    parallel: Sequence[int] = DEFAULT_PARALLEL,
    runs: int = DEFAULT_RUNS,
    seed: int = 1,
) -> SimulationReport:
    """Simulate the analysed backlog; ``dataset`` is the whole data set, read only before the moment."""
    _check(policies, parallel, runs)
    if analysis.now is None:
        raise InputError("the analysis has no moment to simulate from", "run with --as-of")
    agents = config.routable_agents
    if not agents:
        raise InputError("no routable agent (capacity > 0) is configured", "configure at least one agent")
    durations = duration_model(dataset, parse_timestamp(analysis.now))
    tasks, skipped = simulated_backlog(analysis, dataset, config)
    if not tasks:
        raise InputError(f"no task to simulate at {analysis.now}", "pick another --as-of or a longer --horizon")

    parallel = sorted(set(parallel))
    by_point: dict[tuple[str, int], list[RunResult]] = {}
    for run in range(runs):
        generator = random.Random(seed * 1_000_003 + run)
        quantiles = {task.number: generator.random() for task in tasks}
        for count in parallel:
            slots = spread_slots(agents, count)
            for name in policies:
                result = run_policy(tasks, slots, Policy(name, config.conflict.footprint_threshold), durations,
                                    quantiles)
                by_point.setdefault((name, count), []).append(result)

    points = [_point(name, count, by_point[(name, count)]) for name in policies for count in parallel]
    notes = [
        "task durations and merge delays are one draw from the times to merge before the moment",
        f"throughput counts the merges until {CLEARED_SHARE:.0%} of the backlog had merged",
        "a conflict costs the median time to merge times the share of the task's files that the merge touched",
        "every task merges in the end; abandonment is not simulated",
        "the pipeline starts empty: pull requests open at the moment hold no files and no slots",
    ]
    return SimulationReport(
        generated_by=f"agentlanes {__version__}", repository=analysis.repository, as_of=analysis.now,
        tasks_from=analysis.tasks_from, seed=seed, runs=runs, conflict_threshold=config.conflict.footprint_threshold,
        tasks=len(tasks), skipped=skipped, agents=[a.name for a in agents], policies=list(policies),
        parallel=list(parallel), gain_tolerance=GAIN_TOLERANCE, durations=_durations_info(durations),
        results=points, saturation=[saturation(name, [p for p in points if p.policy == name]) for name in policies],
        notes=notes,
    )
