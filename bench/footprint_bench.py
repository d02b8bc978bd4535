"""Time footprint prediction on a large generated repository.

Builds (once, in --workdir) a git repository with --files files spread over
nested packages and --commits commits of history written with `git fast-import`,
then times `agentlanes.api.predict` three times: with an empty cache (the
one-time index build), with the content-token cache warm (a new process would
see this), and a second prediction in the same process.

Usage: python bench/footprint_bench.py [--files 50000] [--commits 3000] [--workdir /tmp/agentlanes-bench]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

WORDS = ("parser config storage queue scheduler worker client server auth token cache index search export "
         "import report metric render table chart query filter sort merge branch commit review label issue "
         "agent route plan wave graph node edge lock retry budget limit sync store record event timeline").split()


def _name(rng: random.Random) -> str:
    return "_".join(rng.sample(WORDS, 2))


def _content(rng: random.Random, path: str) -> str:
    functions = "\n\n".join(
        f"def {_name(rng)}(value):\n    \"\"\"Handle {rng.choice(WORDS)} for {rng.choice(WORDS)}.\"\"\"\n"
        f"    return {rng.choice(WORDS)}_{rng.randint(1, 99)}(value)"
        for _ in range(rng.randint(2, 8))
    )
    return f'"""{path}: {rng.choice(WORDS)} {rng.choice(WORDS)} support."""\n\n{functions}\n'


def build_repository(folder: Path, files: int, commits: int, seed: int = 3) -> list[str]:
    """Write the repository with git fast-import and return its file paths."""
    rng = random.Random(seed)
    paths = sorted({f"pkg{rng.randint(0, 99)}/{_name(rng)}/{_name(rng)}_{i}.py" for i in range(files)})
    if (folder / ".git").is_dir():
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True)
    stream: list[bytes] = []
    moment = 1_700_000_000

    def commit(message: str, changed: dict[str, str], mark: int) -> None:
        nonlocal moment
        moment += rng.randint(600, 20_000)
        header = (f"commit refs/heads/main\nmark :{mark}\nauthor Dev <dev@example.invalid> {moment} +0000\n"
                  f"committer Dev <dev@example.invalid> {moment} +0000\n")
        data = message.encode()
        stream.append(header.encode() + f"data {len(data)}\n".encode() + data + b"\n")
        if mark > 1:
            stream.append(f"from :{mark - 1}\n".encode())
        for path, text in changed.items():
            blob = text.encode()
            stream.append(f"M 100644 inline {path}\ndata {len(blob)}\n".encode() + blob + b"\n")
        stream.append(b"\n")

    commit("Initial import", {path: _content(rng, path) for path in paths}, 1)
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(paths))]
    shuffled = paths[:]
    rng.shuffle(shuffled)
    for mark in range(2, commits + 2):
        touched = set(rng.choices(shuffled, weights, k=rng.randint(1, 4)))
        first = sorted(touched)[0]
        message = f"Fix {first.rsplit('/', 1)[-1][:-3].replace('_', ' ')} handling in {first.split('/')[1]}"
        commit(message, {path: _content(rng, path) for path in touched}, mark)
    subprocess.run(["git", "-C", str(folder), "fast-import", "--quiet"], input=b"".join(stream), check=True)
    subprocess.run(["git", "-C", str(folder), "checkout", "-q", "main"], check=True)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/agentlanes-bench"))
    arguments = parser.parse_args()
    repo = arguments.workdir / f"repo-{arguments.files}-{arguments.commits}"
    started = time.perf_counter()
    build_repository(repo, arguments.files, arguments.commits)
    print(f"repository: {repo} ({arguments.files} files, {arguments.commits} commits), "
          f"built in {time.perf_counter() - started:.1f} s")
    cache = arguments.workdir / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["AGENTLANES_CACHE_DIR"] = str(cache)
    code = ("import sys, time\nfrom agentlanes import api\n"
            "text = 'Crash in the parser when the queue config has no storage index'\n"
            "start = time.perf_counter()\n"
            "found = api.predict(text, api.Source(repo=sys.argv[1]), top=10)\n"
            "first = time.perf_counter() - start\n"
            "start = time.perf_counter()\n"
            "api.predict('Retry budget ignored by the sync worker', api.Source(repo=sys.argv[1]), top=10)\n"
            "print(f'{first:.2f} {time.perf_counter() - start:.2f} {found[0].path}')\n")
    for label in ("empty cache", "warm cache"):
        result = subprocess.run([sys.executable, "-c", code, str(repo)], capture_output=True, text=True, check=True)
        first, second, top = result.stdout.split()
        print(f"{label}: first prediction {first} s, next prediction in the same process {second} s (top: {top})")
    print(f"load average: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
