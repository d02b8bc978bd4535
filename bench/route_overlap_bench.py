"""Compare real file overlaps among the tasks route selects, footprint rule against component rule.

At past moments of each data set, the pull requests opened in the next 14 days
are replayed as unstarted tasks (`analyze --tasks-from pulls`). `route` selects
tasks to start at once, once with the footprint rule and once with the
component rule. A pair of selected tasks really overlaps when the two pull
requests changed a common file.

Usage: python bench/route_overlap_bench.py [DATASETS_DIR]
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

from agentlanes.analysis.backlog import AnalysisInputs, analyze
from agentlanes.config import Config, load_config
from agentlanes.routing.plan import route
from agentlanes.sources.asof import snapshot
from agentlanes.sources.loader import load_dataset

FRACTIONS = (0.5, 0.7, 0.9)
DATASETS = ("D-sorganization__AffineDrift", "D-sorganization__Maxwell_Daemon", "github__github-mcp-server",
            "steveyegge__beads")


def with_method(config: Config, method: str) -> Config:
    return config.model_copy(update={"conflict": config.conflict.model_copy(update={"method": method})})


def compare(folder: Path, fraction: float) -> tuple[str, int, dict[str, tuple[int, int]]]:
    """Return the moment, the backlog size and (selected, overlapping pairs) per method."""
    config = load_config(None)
    full = load_dataset(config, from_dir=folder)
    created = sorted(p.created_at for p in full.pulls)
    moment = created[int(fraction * (len(created) - 1))]
    files = {p.number: set(p.file_paths) for p in full.pulls}
    result: dict[str, tuple[int, int]] = {}
    size = 0
    for method in ("footprint", "component"):
        chosen = with_method(config, method)
        analysis = analyze(AnalysisInputs(snapshot(full, moment), full, tasks_from="pulls"), chosen)
        size = len(analysis.issues)
        selected = [task.number for task in route(analysis, chosen).selected]
        overlaps = sum(1 for a, b in itertools.combinations(selected, 2) if files[a] & files[b])
        result[method] = (len(selected), overlaps)
    return moment.strftime("%Y-%m-%d"), size, result


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("AGENTLANES_DATASETS", "../shared/datasets"))
    totals = {"footprint": [0, 0], "component": [0, 0]}
    print("| Data set | Moment | Backlog | Footprint: selected / overlapping pairs | Component: selected / overlapping pairs |")
    print("|---|---|---|---|---|")
    for name in DATASETS:
        for fraction in FRACTIONS:
            moment, size, result = compare(root / name, fraction)
            for method, (selected, overlaps) in result.items():
                totals[method][0] += selected
                totals[method][1] += overlaps
            footprint, component = result["footprint"], result["component"]
            print(f"| {name} | {moment} | {size} | {footprint[0]} / {footprint[1]} | {component[0]} / {component[1]} |")
    print(f"| all | | | {totals['footprint'][0]} / {totals['footprint'][1]} | "
          f"{totals['component'][0]} / {totals['component'][1]} |")
    print(f"load average: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
