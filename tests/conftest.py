"""Shared fixtures: the real data sets, a CLI runner and payload builders."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from agentlanes.cli import main

pytest_plugins = ["fakes.github_api.fixtures", "browser_support"]

REPO_ROOT = Path(__file__).resolve().parents[1]


def datasets_root() -> Path:
    """``AGENTLANES_DATASETS``, else the nearest ``shared/datasets`` beside the checkout or above it."""
    if "AGENTLANES_DATASETS" in os.environ:
        return Path(os.environ["AGENTLANES_DATASETS"])
    for folder in REPO_ROOT.parents:
        candidate = folder / "shared" / "datasets"
        if candidate.is_dir():
            return candidate
    return REPO_ROOT.parent / "shared" / "datasets"


def dataset_names() -> list[str]:
    root = datasets_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "pulls.json").is_file() or (p / "issues.json").is_file())


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep saved predictors and token caches out of the user's cache folder."""
    monkeypatch.setenv("AGENTLANES_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "agentlanes-cache"))


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """The real data sets; missing is a failure in CI and a skip elsewhere."""
    root = datasets_root()
    if not dataset_names():
        message = f"real data sets not found at {root} (set AGENTLANES_DATASETS)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return root


class CliResult:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code = code
        self.out = out
        self.err = err


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., CliResult]:
    """Run ``agentlanes ARGS`` in-process from a temporary working folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def write_json(tmp_path: Path) -> Callable[[str, object], Path]:
    def write(name: str, payload: object) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload), encoding="utf-8")
        return path

    return write


def gh_issue(number: int, title: str = "An issue", **fields: object) -> dict:
    record = {
        "number": number, "title": title, "body": "", "labels": [], "state": "OPEN",
        "createdAt": "2026-01-05T10:00:00Z", "closedAt": None, "author": {"login": "alice", "is_bot": False},
        "assignees": [], "url": f"https://github.com/o/r/issues/{number}",
    }
    record.update(fields)
    return record


def gh_pull(number: int, title: str = "A change", **fields: object) -> dict:
    record = {
        "number": number, "title": title, "body": "", "state": "MERGED", "isDraft": False,
        "createdAt": "2026-01-05T10:00:00Z", "mergedAt": "2026-01-06T10:00:00Z", "closedAt": "2026-01-06T10:00:00Z",
        "author": {"login": "alice", "is_bot": False}, "headRefName": "alice/change", "baseRefName": "main",
        "labels": [], "files": [{"path": "src/app.py", "additions": 1, "deletions": 0}],
        "closingIssuesReferences": [],
    }
    record.update(fields)
    return record
