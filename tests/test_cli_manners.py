"""Terminal manners: --json and --quiet on every command, NO_COLOR, outputs to stdout, exit codes."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agentlanes import api
from agentlanes.cli import cli
from agentlanes.demo.generator import REPOSITORY, write_sample

from fakes.github_api import FakeGitHub
from fakes.github_api.data import generate
from repo_builder import Repo

TOKEN = "ghp_MannersTokenForTheFake0007"
ANSI_COLOUR = ("\x1b[31m", "\x1b[1;31m", "\x1b[33m", "\x1b[38;")
# Select Graphic Rendition: colours and text attributes. Cursor movement (the spinner) is not colour.
SGR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's generated export folder: issues, pull requests and commits of a fictional project."""
    return write_sample(tmp_path_factory.mktemp("sample") / "sample", 7)


@pytest.fixture
def github(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A GitHub fake with a generated repository; sync reaches it over HTTPS with a token."""
    folder = tmp_path / "fake"
    folder.mkdir()
    with FakeGitHub(folder, token=TOKEN) as fake:
        generate(fake.state.add_repository("octo", "demo"), 12, 15)
        monkeypatch.setenv("GITHUB_API_URL", fake.api_url)
        monkeypatch.setenv("GH_TOKEN", TOKEN)
        monkeypatch.setenv("SSL_CERT_FILE", str(fake.ca_file))
        monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
        yield fake


@pytest.fixture
def branches(tmp_path: Path) -> Repo:
    """A repository whose two branches change the same line, so they conflict."""
    repo = Repo(tmp_path / "branches")
    root = repo.commit("Start", {"a.txt": "one\n"}, "2026-01-05T10:00:00Z")
    repo.checkout("left", root)
    repo.commit("Left", {"a.txt": "left\n"}, "2026-01-06T10:00:00Z")
    repo.checkout("right", root)
    repo.commit("Right", {"a.txt": "right\n"}, "2026-01-06T11:00:00Z")
    repo.checkout("main")
    return repo


def run_json(run_cli, *args: str):
    result = run_cli(*args, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out), result


def test_every_command_has_json_and_quiet():
    for name, command in cli.commands.items():
        options = {option for param in command.params for option in getattr(param, "opts", [])}
        assert {"--json", "-q", "--quiet"} <= options, name


def test_json_analyze_route_dashboard(run_cli, sample: Path, tmp_path: Path):
    analysis, result = run_json(run_cli, "analyze", "--from", sample)
    assert analysis["summary"]["open_issues"] > 30
    assert json.loads((tmp_path / "artifacts/orchestration/backlog_analysis.json").read_text()) == analysis
    assert "analyzed" in result.err
    plan, _ = run_json(run_cli, "route")
    assert plan["selected"]
    assert json.loads((tmp_path / "artifacts/orchestration/routing_plan.json").read_text()) == plan
    board, _ = run_json(run_cli, "dashboard", "--from", sample, "--format", "md")
    assert board["merged_per_week"]
    assert (tmp_path / "artifacts/orchestration/velocity_dashboard.md").is_file()


def test_json_simulate_predict_backtest(run_cli, sample: Path):
    report, _ = run_json(run_cli, "simulate", "--from", sample, "--as-of", "2026-03-15", "--runs", "1",
                         "--parallel", "1,2", "--policies", "fifo,optimal")
    assert report["runs"] == 1
    assert report["policies"] == ["fifo", "optimal"]
    predictions, _ = run_json(run_cli, "predict", "--from", sample, "--top", "3",
                              str(_text_file(sample.parent / "task.txt", "Fix the retry scheduler")))
    assert len(predictions) == 3
    assert set(predictions[0]) == {"path", "score", "signals"}
    backtest, _ = run_json(run_cli, "backtest", "--from", sample, "--limit", "4", "--no-conflicts")
    assert backtest["files"]["overall"]["predictor"]["tasks"] == 4


def _text_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_json_conflicts(run_cli, branches: Repo):
    matrix, result = run_json(run_cli, "conflicts", "--repo", branches.path)
    assert len(matrix["pairs"]) == 1
    assert "# " not in result.out, "the Markdown table must not reach stdout with --json"


def test_json_sync_and_export(run_cli, github: FakeGitHub, tmp_path: Path):
    report, result = run_json(run_cli, "sync", "octo/demo", "--db", tmp_path / "s.db", "--transport", "http")
    assert (report["issues"], report["pulls"]) == (12, 15)
    assert TOKEN not in result.out + result.err
    exported, _ = run_json(run_cli, "export", tmp_path / "s.db", tmp_path / "export")
    assert exported["pulls"] == 15
    assert exported["directory"] == str(tmp_path / "export")
    written, _ = run_json(run_cli, "init", "-R", "octo/demo", "--db", tmp_path / "s.db", "-o", "from-store.toml")
    assert [item["label"] for item in written["priorities"]] == ["bug"]
    header = " ".join(line.removeprefix("#").strip() for line in written["text"].split("\n\n", 1)[0].splitlines())
    assert f"in octo/demo in the store {tmp_path / 's.db'}." in header


def test_json_demo(run_cli, tmp_path: Path):
    result, _ = run_json(run_cli, "demo", "-q")
    assert result["plan"] == "artifacts/orchestration/routing_plan.json"
    assert result["selected"] > 0


def test_quiet_before_or_after_command(run_cli, sample: Path):
    for args in (("-q", "analyze", "--from", sample), ("analyze", "--from", sample, "--quiet")):
        result = run_cli(*args)
        assert result.code == 0
        assert result.err == ""
        assert result.out == ""


def test_quiet_keeps_errors(run_cli):
    result = run_cli("analyze", "-q", "--from", "no/such/folder")
    assert result.code == 2
    assert "error: export folder not found" in result.err


def test_outputs_to_stdout(run_cli, sample: Path, tmp_path: Path):
    assert run_cli("analyze", "--from", sample, "-q").code == 0
    result = run_cli("route", "--summary", "-", "-q")
    assert result.out.startswith(f"# Routing plan: {REPOSITORY}")
    assert (tmp_path / "artifacts/orchestration/routing_plan.json").is_file()
    board = run_cli("dashboard", "--from", sample, "--format", "md", "-o", "-", "-q")
    assert board.out.startswith("# Velocity dashboard")
    both = run_cli("route", "--summary", "-", "--json")
    assert both.code == 2
    assert "--json and an output of '-' both write to stdout" in both.err


def _run_in_terminal(args: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run agentlanes with stdout and stderr on a pseudo-terminal; return what the terminal received."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "agentlanes", *args], stdin=subprocess.DEVNULL,
                               stdout=follower, stderr=follower, env=env, cwd=cwd)
    os.close(follower)
    received = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        received += chunk
    process.wait(timeout=60)
    os.close(leader)
    return received.decode("utf-8", errors="replace")


def terminal_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR")}
    return {**env, "TERM": "xterm-256color", "COLUMNS": "120", **extra}


def test_colour_on_terminal_and_no_color(tmp_path: Path):
    args = ["analyze", "--from", "no/such/folder"]
    coloured = _run_in_terminal(args, terminal_env(), tmp_path)
    assert "error: export folder not found" in coloured
    assert any(code in coloured for code in ANSI_COLOUR), repr(coloured)
    plain = _run_in_terminal(args, terminal_env(NO_COLOR="1"), tmp_path)
    assert "error: export folder not found" in plain
    assert not SGR.search(plain), repr(plain)
    empty = _run_in_terminal(args, terminal_env(NO_COLOR=""), tmp_path)
    assert any(code in empty for code in ANSI_COLOUR), "an empty NO_COLOR does not turn colour off"


def test_quiet_on_terminal_prints_nothing(sample: Path, tmp_path: Path):
    shown = _run_in_terminal(["analyze", "--from", str(sample)], terminal_env(NO_COLOR="1"), tmp_path)
    assert "analyzed" in shown
    silent = _run_in_terminal(["analyze", "--from", str(sample), "-q"], terminal_env(NO_COLOR="1"), tmp_path)
    assert silent == ""


def test_exit_code_usage_error(run_cli):
    result = run_cli("route", "--solver", "magic")
    assert result.code == 2
    assert "error: Invalid value for '--solver'" in result.err
    assert "hint: run `agentlanes route --help` for the options" in result.err
    assert "Usage:" not in result.err


def test_usage_errors_name_the_fix(run_cli, tmp_path: Path):
    misplaced = run_cli("route", "--as-of", "2026-03-01")
    assert misplaced.code == 2
    assert "error: route has no option --as-of" in misplaced.err
    assert "pass --as-of to `agentlanes analyze`" in misplaced.err
    assert "--json" not in misplaced.err
    data_file = tmp_path / "issues.json"
    data_file.write_text("[]", encoding="utf-8")
    as_folder = run_cli("analyze", "--from", data_file)
    assert as_folder.code == 2
    assert "for single files use --issues FILE and --pulls FILE" in as_folder.err


def test_exit_code_remote_failure(run_cli, github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GH_TOKEN", "ghp_wrong_token")
    result = run_cli("sync", "octo/demo", "--db", tmp_path / "s.db", "--transport", "http")
    assert result.code == 3, result.err
    assert result.err.startswith("error: issues page 1 of octo/demo failed: HTTP 401 Bad credentials")
    assert "Traceback" not in result.err


def test_exit_code_file_error(run_cli, sample: Path, tmp_path: Path):
    (tmp_path / "taken").write_text("a file, not a folder\n", encoding="utf-8")
    result = run_cli("analyze", "--from", sample, "-o", "taken/analysis.json")
    assert result.code == 2
    assert "taken" in result.err
    assert "hint: check the path and its permissions" in result.err


def test_exit_code_internal_error(run_cli, monkeypatch: pytest.MonkeyPatch, write_json):
    # A mock: nothing in agentlanes fails unexpectedly on purpose, so the analysis is replaced by one that raises.
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(api, "analyze", broken)
    result = run_cli("analyze", "--issues", write_json("i.json", []))
    assert result.code == 1
    assert "error: unexpected internal error: ZeroDivisionError: division by zero (at test_cli_manners.py line" in result.err
    assert "AGENTLANES_TRACEBACK=1" in result.err
    assert "Traceback" not in result.err
    monkeypatch.setenv("AGENTLANES_TRACEBACK", "1")
    traced = run_cli("analyze", "--issues", write_json("i.json", []))
    assert traced.code == 1
    assert "Traceback (most recent call last)" in traced.err


def _sleeping(pid: int) -> bool:
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        return handle.read().rsplit(")", 1)[1].split()[0] == "S"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to see the process wait")
def test_exit_code_interrupted(tmp_path: Path):
    Repo(tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "agentlanes", "predict", "--repo", str(tmp_path), "-"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    # predict reads the task text from stdin first; once the process sleeps for a while, it waits there.
    deadline = time.monotonic() + 60
    quiet_checks = 0
    while quiet_checks < 5 and time.monotonic() < deadline:
        time.sleep(0.1)
        quiet_checks = quiet_checks + 1 if _sleeping(process.pid) else 0
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert b"error: interrupted" in err
    assert b"Traceback" not in err


def test_closed_stdout_ends_quietly(sample: Path, tmp_path: Path):
    process = subprocess.Popen([sys.executable, "-m", "agentlanes", "analyze", "--from", str(sample), "--json", "-q"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    assert process.stdout is not None
    assert process.stdout.read(100)
    process.stdout.close()
    err = process.stderr.read() if process.stderr else b""
    process.wait(timeout=60)
    assert process.returncode == 0
    assert err == b""


def test_artifacts_follow_the_umask(tmp_path: Path):
    from agentlanes.artifacts import write_text

    old = os.umask(0o022)
    try:
        fresh = write_text(tmp_path / "out" / "fresh.md", "x")
        kept = tmp_path / "out" / "kept.md"
        kept.write_text("old", encoding="utf-8")
        kept.chmod(0o600)
        write_text(kept, "new")
    finally:
        os.umask(old)
    assert fresh.stat().st_mode & 0o777 == 0o644
    assert kept.stat().st_mode & 0o777 == 0o600
    assert kept.read_text("utf-8") == "new"


def test_option_before_command_names_the_fix(run_cli):
    result = run_cli("--from", "exports/repo", "analyze")
    assert result.code == 2
    assert "error: --from must follow a command name" in result.err
    assert "`agentlanes analyze --from ...`" in result.err


def test_route_summary_follows_output(run_cli, sample: Path, tmp_path: Path):
    assert run_cli("analyze", "--from", sample, "-q").code == 0
    assert run_cli("route", "-o", "plans/other.json", "-q").code == 0
    assert (tmp_path / "plans" / "other.md").is_file()
    assert not (tmp_path / "artifacts" / "orchestration" / "routing_plan.md").exists()
