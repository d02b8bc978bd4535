"""Measure agentlanes sync against the GitHub fake: request counts and time to fill SQLite.

Usage: python bench/sync_bench.py [--issues N] [--pulls N] [--transport http|gh] [--related SHARE]

The fake runs in a child process on 127.0.0.1 (so it does not share the
client's interpreter lock) with generated issues and pull requests. With
``--related``, that share of the issues is a sub-issue of, or blocked by, an
earlier issue. The script prints the requests per list against the
ceil(N/50) + 5 target (issue pages and relation follow-ups together), the
requests of an unchanged re-sync (target: at most 3), the first sync's wall time
and the time to read the store back into records.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))


def serve(folder: str, issues: int, pulls: int, related: float, replies: multiprocessing.Queue,
          commands: multiprocessing.Queue) -> None:
    """Run the fake until the command "stop"; on "count", reply with the requests per operation so far and clear the log."""
    from fakes.github_api import FakeGitHub
    from fakes.github_api.data import generate

    with FakeGitHub(Path(folder), rate_limit=100_000) as fake:
        generate(fake.state.add_repository("octo", "bench"), issues, pulls, related=related)
        replies.put((fake.api_url, fake.token, str(fake.ca_file)))
        while commands.get() == "count":
            counts: dict[str, int] = {}
            for request in fake.log:
                counts[request.operation or request.path] = counts.get(request.operation or request.path, 0) + 1
            fake.log.clear()
            replies.put(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--issues", type=int, default=20_000)
    parser.add_argument("--pulls", type=int, default=20_000)
    parser.add_argument("--transport", choices=("http", "gh"), default="http")
    parser.add_argument("--related", type=float, default=0.0, metavar="SHARE",
                        help="share of issues with a sub-issue or blocked-by relation to an earlier issue (0 to 1)")
    options = parser.parse_args()

    from agentlanes import api

    with tempfile.TemporaryDirectory() as folder:
        context = multiprocessing.get_context("spawn")
        replies, commands = context.Queue(), context.Queue()
        server = context.Process(target=serve, args=(folder, options.issues, options.pulls, options.related, replies, commands))
        server.start()
        api_url, token, ca_file = replies.get(timeout=600)
        host = api_url.split("/")[2]
        gh_config = Path(folder) / "gh"
        gh_config.mkdir()
        env = {**os.environ, "GITHUB_API_URL": api_url, "GH_TOKEN": token, "GH_ENTERPRISE_TOKEN": token,
               "GH_HOST": host, "GH_CONFIG_DIR": str(gh_config), "SSL_CERT_FILE": ca_file}
        db = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        first = api.sync("octo/bench", db=db, env=env, transport=options.transport)
        elapsed = time.perf_counter() - started
        commands.put("count")
        counts = replies.get(timeout=60)
        again = api.sync("octo/bench", db=db, env=env, transport=options.transport)
        commands.put("stop")
        server.join(timeout=60)
        size = db.stat().st_size
        started = time.perf_counter()
        loaded, _ = api.load(api.Source(db=db))
        load_seconds = time.perf_counter() - started

    issue_target = math.ceil(options.issues / 50) + 5
    pull_target = math.ceil(options.pulls / 50) + 5
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    print(f"transport: {first.transport}; {options.issues} issues + {options.pulls} pull requests, "
          f"{options.related:.0%} of the issues related to an earlier one")
    print(f"first sync: {elapsed:.1f} s, {first.requests} requests, {first.issues} issues and {first.pulls} pull requests stored")
    issue_pages, relation_requests = counts.get("SyncIssues", 0), counts.get("SyncIssueRelations", 0)
    print(f"  issue pages: {issue_pages}, relation follow-ups: {relation_requests}, "
          f"together {issue_pages + relation_requests} (target <= {issue_target})")
    print(f"  pull request pages: {counts.get('SyncPullRequests', 0)} (target <= {pull_target})")
    print(f"re-sync of the unchanged repository: {again.requests} requests (target <= 3)")
    print(f"database size: {size / 1e6:.1f} MB")
    print(f"reading the store back (api.load): {load_seconds:.1f} s for {len(loaded.issues)} issues and {len(loaded.pulls)} pull requests")


if __name__ == "__main__":
    main()
