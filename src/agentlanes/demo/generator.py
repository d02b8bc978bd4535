"""A seeded generator of a realistic sample repository's GitHub data.

The sample is a fictional project, ``example/orbit``: a Python job scheduler
with an API, a CLI, a web dashboard and docs, worked on by three humans, five
coding agents and Dependabot over 16 weeks. It is written as an export folder
(``issues.json``, ``pulls.json``, ``commits.jsonl``) in the gh CLI shape. The same
seed always produces byte-identical files, because every timestamp is derived
from ``EPOCH`` and every choice from one ``random.Random(seed)``.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from agentlanes.artifacts import write_bytes

EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday
WEEKS = 16
REPOSITORY = "example/orbit"

FILES = {
    "api": ["api/handlers.py", "api/auth.py", "api/routes.py", "api/schemas.py", "api/pagination.py"],
    "core": ["core/scheduler.py", "core/queue.py", "core/models.py", "core/config.py", "core/retry.py",
             "core/storage.py"],
    "cli": ["cli/main.py", "cli/commands.py", "cli/output.py"],
    "web": ["web/app.ts", "web/dashboard.tsx", "web/jobs_table.tsx", "web/styles.css"],
    "docs": ["docs/index.md", "docs/api.md", "docs/configuration.md", "docs/cli.md"],
    "tests": ["tests/test_api.py", "tests/test_scheduler.py", "tests/test_cli.py", "tests/test_queue.py",
              "tests/test_storage.py"],
    "(root)": ["README.md", "CHANGELOG.md", "pyproject.toml"],
}
# Tests that accompany a source file when a change touches it.
TEST_OF = {"api": "tests/test_api.py", "core": "tests/test_scheduler.py", "cli": "tests/test_cli.py"}

HUMANS = ["alice-ng", "bmartin", "chen-wei"]

# (agent, author login, is_bot, branch pattern, body marker, share of PRs, merge probability)
AGENTS = [
    ("copilot", "app/copilot-swe-agent", True, "copilot/{slug}", "", 0.16, 0.62),
    ("jules", "app/google-labs-jules", True, "fix-{slug}", "PR created automatically by Jules for task {n}.", 0.14, 0.58),
    ("codex", "{human}", False, "codex/{slug}", "Codex task: https://chatgpt.com/codex/tasks/task_e_{hex}", 0.14, 0.74),
    ("claude", "app/claude", True, "claude/issue-{issue}-{stamp}", "Generated with [Claude Code]", 0.14, 0.8),
    ("devin", "app/devin-ai-integration", True, "devin/{stamp}-{slug}", "", 0.06, 0.55),
]
HUMAN_SHARE = 0.28
DEPENDABOT_SHARE = 0.08

TEMPLATES = {
    "bug": [
        ("Crash in {symbol} when {condition}", "Running `{cmd}` fails with a traceback:\n\n```\nTraceback (most recent call last):\n  File \"{path}\", line {line}, in {symbol}\nValueError: {condition}\n```\n\nExpected the job to be skipped instead."),
        ("{area_title}: wrong result when {condition}", "In `{path}` the function `{symbol}` returns the wrong value when {condition}. Steps to reproduce are in the linked discussion."),
        ("fix: {symbol} ignores {setting}", "`{symbol}` in {path} does not read `{setting}` from the configuration, so the default is always used."),
    ],
    "feature": [
        ("Add {feature} to the {area}", "We need {feature}. The change belongs in `{path}` and probably `{path2}`. Acceptance:\n\n- [ ] design agreed\n- [ ] implemented\n- [ ] documented"),
        ("Support {feature}", "Users ask for {feature}. Start from `{symbol}` in {path}."),
    ],
    "docs": [
        ("docs: explain {setting} in {doc}", "The page {doc} does not say what `{setting}` does or what its default is."),
        ("Document {feature}", "Add a section about {feature} to {doc}, with an example."),
    ],
    "test": [
        ("Add tests for {symbol}", "`{symbol}` in {path} has no unit test for the case where {condition}."),
        ("Flaky test in {test}", "{test} fails about once in twenty runs on CI when {condition}."),
    ],
    "refactor": [
        ("Refactor {symbol} into smaller functions", "`{symbol}` in {path} is 180 lines long. Split parsing from validation."),
        ("Clean up duplicated code in the {area}", "{path} and {path2} repeat the same retry loop; move it to one helper."),
    ],
    "performance": [
        ("{symbol} is slow on large queues", "Profiling shows {symbol} in {path} takes 4 s for 50k jobs; it should be under 200 ms."),
    ],
    "security": [
        ("Token can leak into logs from {symbol}", "`{symbol}` in {path} logs the request headers, including the API token. This is a security problem."),
    ],
    "chore": [
        ("chore: update the release workflow", "Pin the action versions and cache dependencies in pyproject.toml builds."),
        ("chore: drop the old default of {setting}", "Remove the fallback for `{setting}` in {path}."),
        ("ci: run the {area} tests on every push", "The workflow skips {test} unless {path} changes."),
    ],
}
TYPE_WEIGHTS = {"bug": 0.3, "feature": 0.25, "docs": 0.12, "test": 0.1, "refactor": 0.1, "performance": 0.05,
                "security": 0.03, "chore": 0.05}
TYPE_LABELS = {"bug": "bug", "feature": "enhancement", "docs": "documentation", "test": "tests",
               "refactor": "refactor", "performance": "performance", "security": "security", "chore": "chore"}
SYMBOLS = {
    "api/handlers.py": "handle_submit", "api/auth.py": "verify_token", "api/routes.py": "register_routes",
    "api/schemas.py": "JobSchema", "api/pagination.py": "paginate", "core/scheduler.py": "schedule_next",
    "core/queue.py": "JobQueue.pop", "core/models.py": "Job", "core/config.py": "load_settings",
    "core/retry.py": "backoff_delay", "core/storage.py": "save_run", "cli/main.py": "main",
    "cli/commands.py": "cmd_submit", "cli/output.py": "render_table", "web/app.ts": "startApp",
    "web/dashboard.tsx": "Dashboard", "web/jobs_table.tsx": "JobsTable", "web/styles.css": "layout",
}
CONDITIONS = ["the queue is empty", "two jobs share a name", "the timezone is not UTC", "a retry limit is zero",
              "the cron expression has seconds", "the payload is larger than 1 MB", "the worker restarts"]
CONTEXTS = ["on Windows", "in the nightly build", "after an upgrade", "under load", "for large teams",
            "with a proxy", "in containers", "on first run", "with SQLite storage", "behind a load balancer"]
SETTINGS = ["max_retries", "queue.timeout", "worker.concurrency", "log_level", "api.page_size"]
FEATURES = ["job priorities", "pause and resume", "a dry-run mode", "webhooks on failure", "CSV export",
            "per-team quotas", "dark mode", "job tags"]
AREA_TITLES = {"api": "API", "core": "Scheduler", "cli": "CLI", "web": "Web UI", "docs": "Docs", "tests": "Tests"}


@dataclass
class _State:
    rng: random.Random
    number: int = 0
    issues: list[dict] = field(default_factory=list)
    pulls: list[dict] = field(default_factory=list)
    commits: list[dict] = field(default_factory=list)
    titles: set[str] = field(default_factory=set)

    def next_number(self) -> int:
        self.number += 1
        return self.number


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _hex(rng: random.Random, length: int = 40) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(length))


def _pick_files(rng: random.Random, area: str, kind: str) -> list[str]:
    if kind == "docs":
        return [rng.choice(FILES["docs"])] + (["README.md"] if rng.random() < 0.3 else [])
    if kind == "chore":
        return ["pyproject.toml"] + (["CHANGELOG.md"] if rng.random() < 0.5 else [])
    pool = FILES[area]
    # Popular files are picked more often, as in real repositories.
    weights = [1.0 / (rank + 1) for rank in range(len(pool))]
    chosen = {rng.choices(pool, weights)[0]}
    if rng.random() < 0.45:
        chosen.add(rng.choice(pool))
    if area in TEST_OF and (kind in ("bug", "test", "feature") or rng.random() < 0.3):
        chosen.add(TEST_OF[area])
    if kind == "feature" and rng.random() < 0.4:
        chosen.add(rng.choice(FILES["docs"]))
    if rng.random() < 0.15:
        chosen.add("CHANGELOG.md")
    return sorted(chosen)


def _task_text(rng: random.Random, kind: str, area: str, files: list[str]) -> tuple[str, str]:
    code_files = [f for f in files if f in SYMBOLS] or files
    path = code_files[0]
    values = {
        "symbol": SYMBOLS.get(path, "run"),
        "condition": rng.choice(CONDITIONS),
        "cmd": "orbit submit jobs.yaml",
        "path": path,
        "path2": files[-1],
        "line": rng.randint(12, 400),
        "setting": rng.choice(SETTINGS),
        "feature": rng.choice(FEATURES),
        "area": AREA_TITLES.get(area, area).lower(),
        "area_title": AREA_TITLES.get(area, area),
        "doc": next((f for f in files if f.startswith("docs/")), "docs/index.md"),
        "test": next((f for f in files if f.startswith("tests/")), "tests/test_api.py"),
    }
    title, body = rng.choice(TEMPLATES[kind])
    if rng.random() < 0.35:
        # Many real issues name no file at all; the predictor must cope.
        body = body.replace(f"`{path}`", f"the {values['area']} code").replace(path, f"the {values['area']} code")
    return title.format(**values), body.format(**values)


def _author_for(rng: random.Random) -> tuple[str, dict | None]:
    """Return the agent name (or "human"/"dependabot") and its template row."""
    roll = rng.random()
    if roll < DEPENDABOT_SHARE:
        return "dependabot", None
    roll -= DEPENDABOT_SHARE
    for row in AGENTS:
        if roll < row[5]:
            return row[0], {"row": row}
        roll -= row[5]
    return "human", None


def _pull_record(state: _State, *, issue: dict | None, kind: str, files: list[str], created: datetime,
                 who: str, template: dict | None, outcome: str, finished: datetime | None) -> dict:
    rng = state.rng
    number = state.next_number()
    human = rng.choice(HUMANS)
    title = issue["title"] if issue else "Bump httpx from 0.27.0 to 0.28.1"
    slug = "-".join(title.lower().replace(":", "").replace("`", "").split()[:4])
    body = f"Fixes #{issue['number']}.\n\n" if issue else "Bumps httpx from 0.27.0 to 0.28.1.\n"
    author = {"login": human, "is_bot": False}
    branch = f"{human}/{slug}"
    if who == "dependabot":
        author = {"login": "app/dependabot", "is_bot": True}
        branch = "dependabot/pip/httpx-0.28.1"
    elif template:
        agent, login, is_bot, pattern, marker, _, _ = template["row"]
        author = {"login": login.format(human=human), "is_bot": is_bot}
        values = {"slug": slug, "n": rng.randint(10**6, 10**7), "hex": _hex(rng, 12),
                  "issue": issue["number"] if issue else 0, "stamp": int(created.timestamp())}
        branch = pattern.format(**values)
        if marker:
            body += marker.format(**values) + "\n"
    state_name = {"merged": "MERGED", "abandoned": "CLOSED", "open": "OPEN"}[outcome]
    merge_oid = _hex(rng) if outcome == "merged" else None
    record = {
        "number": number,
        "title": title,
        "body": body,
        "state": state_name,
        "isDraft": outcome == "open" and who == "copilot" and rng.random() < 0.5,
        "createdAt": _stamp(created),
        "mergedAt": _stamp(finished) if outcome == "merged" and finished else None,
        "closedAt": _stamp(finished) if outcome != "open" and finished else None,
        "author": author,
        "headRefName": branch,
        "baseRefName": "main",
        "headRefOid": _hex(rng),
        "labels": [],
        "files": [{"path": p, "additions": rng.randint(1, 120), "deletions": rng.randint(0, 60)} for p in files],
        "closingIssuesReferences": [{"number": issue["number"]}] if issue else [],
        "mergeCommit": {"oid": merge_oid} if merge_oid else None,
        "url": f"https://github.com/{REPOSITORY}/pull/{number}",
    }
    if outcome == "open":
        record["mergeable"] = "CONFLICTING" if rng.random() < 0.2 else "MERGEABLE"
        record["reviewDecision"] = rng.choice(["APPROVED", "REVIEW_REQUIRED", "REVIEW_REQUIRED"])
    if merge_oid and finished:
        coauthors = [f"{template['row'][0].capitalize()} <noreply>"] if template and not template["row"][2] else []
        state.commits.append({
            "sha": merge_oid,
            "parents": [_hex(rng)],
            "author": author["login"].removeprefix("app/"),
            "author_login": author["login"],
            "author_is_bot": author["is_bot"],
            "author_date": _stamp(finished - timedelta(minutes=5)),
            "committer": "GitHub",
            "committer_date": _stamp(finished),
            "subject": f"{title} (#{number})",
            "coauthors": [c.split(" <")[0] for c in coauthors],
            "files": files,
        })
    return record


def _issue_record(state: _State, kind: str, area: str, files: list[str], created: datetime) -> dict:
    rng = state.rng
    number = state.next_number()
    title, body = _task_text(rng, kind, area, files)
    title = _unique_title(state, title)
    labels = [{"name": TYPE_LABELS[kind], "description": "", "color": "ededed"}]
    if rng.random() < 0.3:
        labels.append({"name": f"area/{area}", "description": "", "color": "c5def5"})
    if rng.random() < 0.15:
        labels.append({"name": rng.choice(["p1", "p2"]), "description": "", "color": "d93f0b"})
    return {
        "number": number,
        "title": title,
        "body": body,
        "labels": labels,
        "state": "OPEN",
        "createdAt": _stamp(created),
        "closedAt": None,
        "author": {"login": rng.choice(HUMANS), "is_bot": False},
        "assignees": [],
        "url": f"https://github.com/{REPOSITORY}/issues/{number}",
    }


def _unique_title(state: _State, title: str) -> str:
    """Return ``title``, made distinct with a context when an earlier issue has it.

    The templates repeat, and a real tracker rarely contains the same title twice
    (analyze would hold the later one as a likely duplicate).
    """
    options = [title, *(f"{title} {context}" for context in CONTEXTS)]
    candidate = next((option for option in options if option not in state.titles), f"{title} (case {state.number})")
    state.titles.add(candidate)
    return candidate


def _choose_task(rng: random.Random) -> tuple[str, str, list[str]]:
    kind = rng.choices(list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values()))[0]
    area = rng.choices(["api", "core", "cli", "web"], [0.3, 0.4, 0.15, 0.15])[0]
    if kind == "test":
        area = rng.choice(["api", "core", "cli"])
    return kind, area, _pick_files(rng, area, kind)


def generate(seed: int = 7) -> dict[str, list[dict]]:
    """Build the sample's issues, pull requests and commits."""
    state = _State(random.Random(seed))
    rng = state.rng
    end = EPOCH + timedelta(weeks=WEEKS)
    moment = EPOCH
    # History: issues filed and worked on; agents open PRs that merge or are abandoned.
    while moment < end - timedelta(days=3):
        moment += timedelta(hours=rng.expovariate(1 / 7.0))
        kind, area, files = _choose_task(rng)
        issue = _issue_record(state, kind, area, files, moment)
        state.issues.append(issue)
        who, template = _author_for(rng)
        if who == "dependabot":
            created = moment + timedelta(hours=1)
            finished = created + timedelta(hours=rng.uniform(2, 30))
            state.pulls.append(_pull_record(state, issue=None, kind="chore", files=["pyproject.toml"], created=created,
                                            who=who, template=None, outcome="merged", finished=finished))
            who, template = "human", None
        started = moment + timedelta(hours=rng.uniform(1, 60))
        duration = timedelta(hours=rng.lognormvariate(2.6 if who != "human" else 3.3, 0.8))
        finished = started + duration
        merge_probability = template["row"][6] if template else 0.85
        if finished > end:
            outcome, finished = "open", None
        else:
            outcome = "merged" if rng.random() < merge_probability else "abandoned"
        pull = _pull_record(state, issue=issue, kind=kind, files=files, created=started, who=who,
                            template=template, outcome=outcome, finished=finished)
        state.pulls.append(pull)
        if outcome == "merged":
            issue["state"], issue["closedAt"] = "CLOSED", pull["mergedAt"]
            issue["closedByPullRequestsReferences"] = [{"number": pull["number"]}]
        elif outcome == "open" and rng.random() < 0.5:
            issue["assignees"] = [{"login": "Copilot"}] if who == "copilot" else []
    _add_backlog(state, end)
    return {"issues": state.issues, "pulls": state.pulls, "commits": list(reversed(state.commits))}


def _add_backlog(state: _State, end: datetime) -> None:
    """Add fresh open issues that no one started, some depending on each other."""
    rng = state.rng
    fresh: list[dict] = []
    for index in range(36):
        kind, area, files = _choose_task(rng)
        created = end - timedelta(days=rng.uniform(0.5, 20))
        issue = _issue_record(state, kind, area, files, created)
        if fresh and index % 6 == 5:
            blocker = rng.choice(fresh)
            issue["body"] += f"\n\nDepends on #{blocker['number']}."
        if index % 11 == 10:
            issue["assignees"] = [{"login": rng.choice(HUMANS)}]
        fresh.append(issue)
    tracker = _issue_record(state, "feature", "core", ["core/scheduler.py"], end - timedelta(days=10))
    tracker["title"] = "Epic: job priorities end to end"
    tracker["body"] = "Tracking issue.\n\n" + "\n".join(f"- [ ] #{i['number']}" for i in fresh[:3])
    fresh.append(tracker)
    state.issues.extend(fresh)


def write_sample(folder: str | Path, seed: int = 7) -> Path:
    """Write the sample export folder and return its path."""
    data = generate(seed)
    folder = Path(folder)
    option = orjson.OPT_INDENT_2
    write_bytes(folder / "issues.json", orjson.dumps(data["issues"], option=option) + b"\n")
    write_bytes(folder / "pulls.json", orjson.dumps(data["pulls"], option=option) + b"\n")
    write_bytes(folder / "commits.jsonl", b"".join(orjson.dumps(c) + b"\n" for c in data["commits"]))
    return folder


def sample_digest(seed: int = 7) -> str:
    """SHA-256 of the generated data, to check that generation is deterministic."""
    data = generate(seed)
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()
