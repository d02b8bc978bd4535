"""Run the file and conflict backtests over every data set and print the Markdown report.

Usage: python bench/backtest_bench.py [DATASETS_DIR]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("AGENTLANES_DATASETS", "../shared/datasets"))
    folders = sorted(p for p in root.iterdir() if (p / "pulls.json").is_file())
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "agentlanes", "backtest", "-o", f"{scratch}/backtest.json",
                   "--summary", f"{scratch}/backtest.md"]
        for folder in folders:
            command += ["--from", str(folder)]
        subprocess.run(command, check=True)
        print(Path(scratch, "backtest.md").read_text("utf-8"))
    print(f"load average: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
