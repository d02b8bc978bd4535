"""Replay every real data set: route at past moments, then simulate the policies.

Usage: python bench/replay_bench.py [--datasets FOLDER] [--runs N] [--only NAME]

For each data set (default: ``$AGENTLANES_DATASETS``, else the nearest
``shared/datasets`` above this checkout) the moments are the pull requests
created at 30%, 60% and 90% of its history. At each moment the script routes the
open issues (when there are any) and the pull requests opened in the next 14
days replayed as tasks, and prints the optimal value beside the greedy one.
Then it simulates the replay with the default policies and slot counts at the
busiest of the moments at 10%, 20%, ..., 90% of the history (the one with the
most pull requests opened in the next 14 days), and prints the comparison with
the equivalent command.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

from agentlanes import api
from agentlanes.analysis.backlog import AnalysisInputs, analyze
from agentlanes.config import load_config
from agentlanes.simulation.report import SimulationReport
from agentlanes.routing.plan import route
from agentlanes.sources.asof import snapshot
from agentlanes.timeutil import format_timestamp

FRACTIONS = (0.3, 0.6, 0.9)
SIMULATION_FRACTIONS = tuple(step / 10 for step in range(1, 10))
HORIZON = timedelta(days=14)


def datasets_root() -> Path | None:
    if "AGENTLANES_DATASETS" in os.environ:
        return Path(os.environ["AGENTLANES_DATASETS"])
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "shared" / "datasets"
        if candidate.is_dir():
            return candidate
    return None


def busiest_moment(created: list[datetime]) -> datetime:
    """Return the moment among ``SIMULATION_FRACTIONS`` with the most PRs opened in the next ``HORIZON``."""
    moments = [created[int(fraction * (len(created) - 1))] for fraction in SIMULATION_FRACTIONS]
    return max(moments, key=lambda moment: sum(1 for c in created if moment < c <= moment + HORIZON))


def route_rows(name: str, folder: Path, config) -> list[str]:
    full = api.load(api.Source(from_dir=folder), config)[0]
    created = sorted(pull.created_at for pull in full.pulls)
    rows = []
    for fraction in FRACTIONS:
        moment = created[int(fraction * (len(created) - 1))]
        cut = snapshot(full, moment)
        for tasks_from in ("issues", "pulls"):
            analysis = analyze(AnalysisInputs(cut, full, tasks_from=tasks_from), config)
            if not analysis.issues:
                continue
            plan = route(analysis, config)
            s, waves = plan.solver, plan.wave_plan
            ratio = "n/a" if s.ratio_to_greedy is None else f"{s.ratio_to_greedy:.4f}"
            rows.append(
                f"| {name} | {format_timestamp(moment)} | {tasks_from} | {analysis.summary.ready} | "
                f"{len(plan.selected)} | {s.objective:g} | {s.greedy_objective:g} | {ratio} | {s.status} | "
                f"{s.seconds:.3f} s | {waves.count} | {waves.lower_bound} | {'yes' if waves.minimal else 'no'} |")
    return rows


def comparison(report: SimulationReport) -> str:
    """One row per slot count, one column per policy: tasks/week (conflicts, rework hours, idle share)."""
    cells = {(p.policy, p.parallel): p for p in report.results}
    lines = ["| slots | " + " | ".join(report.policies) + " |", "|---|" + "---|" * len(report.policies)]
    for count in report.parallel:
        row = []
        for policy in report.policies:
            p = cells[(policy, count)]
            idle = "n/a" if p.idle_share is None else f"{100 * p.idle_share:.0f}%"
            row.append(f"{p.throughput_per_week:.1f} ({p.conflicts:.1f}, {p.rework_hours:.0f} h, {idle})"
                       if p.throughput_per_week is not None else "n/a")
        lines.append(f"| {count} | " + " | ".join(row) + " |")
    lines.append("")
    lines += [f"- {s.policy}: " + (f"saturates at {s.parallel} slots" if s.parallel else "does not saturate")
              + f" ({s.reason})" for s in report.saturation]
    ratios = [p.value_ratio_min for p in report.results if p.value_ratio_min is not None]
    if ratios:
        lines.append(f"- optimal vs greedy value per dispatch round: lowest ratio {min(ratios):.4f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=None, help="folder of data sets")
    parser.add_argument("--runs", type=int, default=5, help="simulation runs per cell (default 5)")
    parser.add_argument("--only", help="one data set name")
    arguments = parser.parse_args()
    root = arguments.datasets or datasets_root()
    if root is None or not root.is_dir():
        print("data sets not found, so the replay is skipped: set AGENTLANES_DATASETS or pass --datasets",
              file=sys.stderr)
        return
    names = sorted(p.name for p in root.iterdir() if (p / "pulls.json").is_file())
    if arguments.only:
        names = [arguments.only]
    config = load_config(None)
    print("| data set | moment | backlog | ready | started | optimal value | greedy value | ratio | status | "
          "time | waves | lower bound | minimal |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        for row in route_rows(name, root / name, config):
            print(row, flush=True)
    for name in names:
        full = api.load(api.Source(from_dir=root / name), config)[0]
        created = sorted(pull.created_at for pull in full.pulls)
        moment = format_timestamp(busiest_moment(created))
        report = api.simulate(api.Source(from_dir=root / name), config=config, as_of=moment, runs=arguments.runs)
        skipped = ", ".join(f"{count} {reason}" for reason, count in report.skipped.items()) or "none left out"
        print(f"\n### {name}\n\nCommand: `agentlanes simulate --from {root.name}/{name} --as-of {moment} "
              f"--runs {arguments.runs}`\n\n{report.tasks} tasks ({skipped}); durations from "
              f"{report.durations.merged_pulls} merged pull requests, median {report.durations.median_hours:g} h. "
              f"Cells: tasks/week until 80% merged (conflicts, rework hours, idle share), means of "
              f"{report.runs} runs.\n", flush=True)
        print(comparison(report), flush=True)


if __name__ == "__main__":
    main()
