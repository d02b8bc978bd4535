"""The command line: demo, error messages, exit codes, module entry point."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from agentlanes.demo.generator import generate, sample_digest, write_sample

from conftest import gh_issue, gh_pull


def test_demo_writes_all_artifacts(run_cli, tmp_path: Path):
    result = run_cli("demo")
    assert result.code == 0, result.err
    out = tmp_path / "artifacts" / "orchestration"
    for name in ("backlog_analysis.json", "routing_plan.json", "routing_plan.md", "velocity_dashboard.md",
                 "velocity_dashboard.json"):
        assert str(Path("artifacts") / "orchestration" / name) in result.out
        assert (out / name).stat().st_size > 0
    plan = json.loads((out / "routing_plan.json").read_text("utf-8"))
    assert plan["selected"], "the demo backlog should have tasks to start"


def test_demo_is_deterministic(run_cli, tmp_path: Path):
    assert sample_digest(7) == sample_digest(7)
    assert sample_digest(7) != sample_digest(8)
    run_cli("demo", "--output-dir", "one")
    run_cli("demo", "--output-dir", "two")
    for name in ("backlog_analysis.json", "routing_plan.json", "velocity_dashboard.md"):
        first = (tmp_path / "one" / "orchestration" / name).read_bytes()
        second = (tmp_path / "two" / "orchestration" / name).read_bytes()
        assert first == second, name


def test_sample_has_agents_and_backlog():
    data = generate(7)
    logins = {p["author"]["login"] for p in data["pulls"]}
    assert {"app/copilot-swe-agent", "app/google-labs-jules", "app/claude", "app/dependabot"} <= logins
    assert any("chatgpt.com/codex/tasks" in p["body"] for p in data["pulls"])
    open_issues = [i for i in data["issues"] if i["state"] == "OPEN"]
    assert len(open_issues) > 30
    assert any("Depends on #" in i["body"] for i in open_issues)


def test_missing_folder_is_a_clear_error(run_cli):
    result = run_cli("analyze", "--from", "no/such/folder")
    assert result.code == 2
    assert "export folder not found: no/such/folder" in result.err
    assert "Traceback" not in result.err


def test_no_input_is_a_clear_error(run_cli):
    result = run_cli("dashboard")
    assert result.code == 2
    assert "no input data given" in result.err
    assert "--from" in result.err


def test_bad_as_of_is_a_clear_error(run_cli, write_json):
    path = write_json("pulls.json", [])
    result = run_cli("dashboard", "--pulls", path, "--as-of", "last tuesday")
    assert result.code == 2
    assert "invalid --as-of time 'last tuesday'" in result.err
    offset_date = run_cli("dashboard", "--pulls", path, "--as-of", "2026-03-01+02:00")
    assert offset_date.code == 2
    assert "invalid --as-of time '2026-03-01+02:00'" in offset_date.err
    empty = run_cli("dashboard", "--pulls", path, "--as-of", " ")
    assert empty.code == 2
    assert "empty --as-of value" in empty.err


def test_as_of_outside_the_data_says_so(run_cli, write_json, tmp_path: Path):
    pulls = write_json("pulls.json", [gh_pull(1)])
    issues = write_json("issues.json", [gh_issue(2)])
    early = run_cli("analyze", "--issues", issues, "--pulls", pulls, "--as-of", "2020-01-01",
                    "--output", str(tmp_path / "a.json"))
    assert early.code == 2
    assert "--as-of 2020-01-01 00:00 UTC is before the first event in o/r (2026-01-05 10:00 UTC)" in early.err
    assert "hint: pick a moment between 2026-01-05 and the newest event" in early.err
    assert "Traceback" not in early.err
    late = run_cli("analyze", "--issues", issues, "--pulls", pulls, "--as-of", "2026-03-01",
                   "--output", str(tmp_path / "b.json"))
    assert "53 days after the newest event" in late.err


def test_route_without_analysis_says_what_to_run(run_cli):
    result = run_cli("route")
    assert result.code == 2
    assert "backlog analysis not found" in result.err
    assert "run `agentlanes analyze --from DIR` first" in result.err


def test_malformed_config_names_the_problem(run_cli, tmp_path: Path, write_json):
    (tmp_path / "agentlanes.toml").write_text("[conflict]\nmethod = 'guess'\n", encoding="utf-8")
    result = run_cli("dashboard", "--pulls", write_json("p.json", []))
    assert result.code == 2
    assert "conflict.method" in result.err
    assert "'guess'" in result.err


def test_module_entry_point_runs(tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "agentlanes", "--help"], capture_output=True, text=True,
                            cwd=tmp_path, check=False)
    assert result.returncode == 0
    for command in ("analyze", "route", "dashboard", "demo"):
        assert command in result.stdout


def test_readme_library_example_runs(tmp_path: Path, monkeypatch, capsys):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    assert blocks, "the README has no Python example"
    write_sample(tmp_path / "artifacts" / "demo" / "sample", 7)
    monkeypatch.chdir(tmp_path)
    exec(compile(blocks[0], "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("#")
    assert "->" in printed[0]
    assert printed[-1].startswith("Conflict rate")
