"""Replay every real data set: route at past moments, then simulate the policies.

Usage: python bench/replay_bench.py [--datasets FOLDER] [--runs N] [--only NAME]

For each data set (default: ``$AGENTLANES_DATASETS``, else the nearest
``shared/datasets`` above this checkout) the moments are the pull requests
created at 30%, 60% and 90% of its history. At each moment the script routes the
open issues (when there are any) and the pull requests opened in the next 14
days replayed as tasks, and prints the optimal value beside the greedy one.
Then it simulates the replay at the 60% moment with the default policies and
slot counts, and prints the comparison with the equivalent command.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from agentlanes import api
from agentlanes.analysis.backlog import AnalysisInputs, analyze
from agentlanes.config import load_config
from agentlanes.render.simulation_md import render_simulation_markdown
from agentlanes.routing.plan import route
from agentlanes.sources.asof import snapshot
from agentlanes.timeutil import format_timestamp

FRACTIONS = (0.3, 0.6, 0.9)


def datasets_root() -> Path | None:
    if "AGENTLANES_DATASETS" in os.environ:
        return Path(os.environ["AGENTLANES_DATASETS"])
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "shared" / "datasets"
        if candidate.is_dir():
            return candidate
    return None


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
        moment = format_timestamp(created[int(FRACTIONS[1] * (len(created) - 1))])
        report = api.simulate(api.Source(from_dir=root / name), config=config, as_of=moment, runs=arguments.runs)
        print(f"\n### {name}\n\nCommand: `agentlanes simulate --from {root.name}/{name} --as-of {moment} "
              f"--runs {arguments.runs}`\n", flush=True)
        body = render_simulation_markdown(report).split("\n", 2)[2]
        print(body, flush=True)


if __name__ == "__main__":
    main()
