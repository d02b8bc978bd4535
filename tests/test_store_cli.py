"""The sync and export commands, and every data command reading the store with --db / -R."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentlanes import api
from agentlanes.errors import InputError
from agentlanes.store import Store
from agentlanes.sources.loader import load_dataset
from agentlanes.config import load_config
from agentlanes.timeutil import format_timestamp

from fakes.github_api import FakeGitHub, ManualClock
from fakes.github_api.data import generate, load_data_set

TOKEN = "ghp_CliTokenThatMustNeverLeak0042"


@pytest.fixture
def cli_fake(tmp_path, monkeypatch):
    """A fake with a generated repository, and the environment that points the CLI at it over HTTPS."""
    folder = tmp_path / "fake"
    folder.mkdir()
    with FakeGitHub(folder, token=TOKEN) as fake:
        repository = fake.state.add_repository("octo", "demo")
        generate(repository, 40, 60)
        repository.merge_queue = [n for n, r in repository.pulls.items() if r["state"] == "OPEN"][:2]
        monkeypatch.setenv("GITHUB_API_URL", fake.api_url)
        monkeypatch.setenv("GH_TOKEN", TOKEN)
        monkeypatch.setenv("SSL_CERT_FILE", str(fake.ca_file))
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
        yield fake


def dashboard_json(run_cli, *args: str) -> dict:
    result = run_cli("dashboard", *args, "--format", "json", "-o", "board.json")
    assert result.code == 0, result.err
    board = json.loads(Path("board.json").read_text())
    Path("board.json").unlink()
    return board


def test_sync_export_and_read_back(run_cli, cli_fake, tmp_path):
    result = run_cli("sync", "octo/demo", "--db", tmp_path / "s.db", "--transport", "http")
    assert result.code == 0, result.err
    assert "synced octo/demo from localhost" in result.err
    assert "40 issues and 60 pull requests fetched in 4 requests" in result.err
    assert "merge queue: 2 entries" in result.err
    assert "pull requests  " in result.err and "60/60" in result.err  # the progress bar's final state
    assert "budget 4996/5000" in result.err
    again = run_cli("sync", "octo/demo", "--db", tmp_path / "s.db", "--transport", "http")
    assert "0 issues and 0 pull requests fetched in 3 requests" in again.err

    exported = run_cli("export", tmp_path / "s.db", tmp_path / "export")
    assert exported.code == 0, exported.err
    assert "exported octo/demo: 40 issues, 60 pull requests" in exported.err
    assert sorted(p.name for p in (tmp_path / "export").iterdir()) == [
        "commits.jsonl", "issues.json", "pulls.json", "x_merge_queue.json"]

    from_store = dashboard_json(run_cli, "-R", "octo/demo", "--db", tmp_path / "s.db")
    from_files = dashboard_json(run_cli, "--from", tmp_path / "export")
    assert from_store["repository"] == "octo/demo"
    assert from_store["merge_queue"]["current"] == 2
    from_store.pop("repository"), from_files.pop("repository")
    assert from_store == from_files

    analysis = run_cli("analyze", "-R", "octo/demo", "--db", tmp_path / "s.db", "-o", "analysis.json")
    assert analysis.code == 0, analysis.err
    assert json.loads(Path("analysis.json").read_text())["repository"] == "octo/demo"


def test_default_store_in_cache_folder(run_cli, cli_fake, tmp_path):
    assert run_cli("sync", "octo/demo", "--transport", "http").code == 0
    assert (tmp_path / "cache" / "agentlanes" / "github.sqlite3").is_file()
    board = dashboard_json(run_cli, "-R", "octo/demo")
    assert board["repository"] == "octo/demo"


def test_token_never_written(run_cli, cli_fake, tmp_path):
    result = run_cli("sync", "octo/demo", "--db", tmp_path / "s.db", "--transport", "http")
    assert result.code == 0
    run_cli("export", tmp_path / "s.db", tmp_path / "export")
    bad = run_cli("sync", "octo/missing", "--db", tmp_path / "s.db", "--transport", "http")
    assert bad.code == 3
    texts = [result.out, result.err, bad.out, bad.err]
    assert all(TOKEN not in text for text in texts)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_sync_errors_are_messages(run_cli, cli_fake, tmp_path, monkeypatch):
    result = run_cli("sync", "octo", "--db", tmp_path / "s.db")
    assert result.code == 2
    assert "error: invalid repository 'octo'" in result.err
    monkeypatch.delenv("GH_TOKEN")
    result = run_cli("sync", "octo/demo", "--db", tmp_path / "s.db", "--transport", "http")
    assert result.code == 3
    assert "no GitHub credentials for localhost" in result.err
    assert "Traceback" not in result.err


def test_store_options_errors(run_cli, cli_fake, tmp_path):
    assert run_cli("sync", "octo/demo", "--db", tmp_path / "s.db", "--transport", "http").code == 0
    both = run_cli("dashboard", "-R", "octo/demo", "--db", tmp_path / "s.db", "--from", tmp_path)
    assert both.code == 2
    assert "both files (--from/--issues/--pulls/--commits) and the store (--db/-R) were given" in both.err
    unknown = run_cli("dashboard", "-R", "octo/other", "--db", tmp_path / "s.db")
    assert unknown.code == 2
    assert "repository octo/other is not in" in unknown.err
    assert "agentlanes sync octo/other" in unknown.err
    missing = run_cli("dashboard", "--db", tmp_path / "none.db")
    assert missing.code == 2
    assert f"database not found: {tmp_path / 'none.db'}" in missing.err
    assert not (tmp_path / "none.db").exists()


def test_max_requests_from_cli(run_cli, cli_fake, tmp_path):
    first = run_cli("sync", "octo/demo", "--db", tmp_path / "s.db", "--transport", "http", "--max-requests", "1")
    assert first.code == 0
    assert "stopped at --max-requests; run the same command again to continue" in first.err
    second = run_cli("sync", "octo/demo", "--db", tmp_path / "s.db", "--transport", "http")
    assert "resumed and synced octo/demo" in second.err
    assert "0 issues and 60 pull requests" in second.err


def _sync_data_set(tmp_path, folder: Path, clock_start: float, queue: list[int], with_commits: bool) -> Path:
    fake_folder = tmp_path / "fake"
    fake_folder.mkdir()
    with FakeGitHub(fake_folder, clock=ManualClock(clock_start)) as fake:
        repository = fake.state.add_repository("octo", "demo")
        load_data_set(repository, folder, with_commits=with_commits)
        repository.merge_queue = queue
        env = {"GITHUB_API_URL": fake.api_url, "GH_TOKEN": fake.token, "SSL_CERT_FILE": str(fake.ca_file), "PATH": ""}
        api.sync("octo/demo", db=tmp_path / "s.db", env=env, clock=fake.clock)
    return tmp_path / "s.db"


@pytest.mark.datasets
def test_dashboard_matches_data_set_files(run_cli, datasets_dir, tmp_path):
    folder = datasets_dir / "oauth-wg__draft-ietf-oauth-status-list"
    latest = load_dataset(load_config(None), folder).latest_event
    snapshot_epoch = latest.timestamp() - 86_400
    queue = [170, 172]
    db = _sync_data_set(tmp_path, folder, snapshot_epoch, queue, with_commits=False)

    files = tmp_path / "files"
    files.mkdir()
    for name in ("issues.json", "pulls.json"):
        (files / name).symlink_to(folder / name)
    (files / "x_merge_queue.json").write_text(json.dumps(
        [{"takenAt": format_timestamp(latest.fromtimestamp(snapshot_epoch, latest.tzinfo)), "branch": "main", "depth": 2, "pullRequests": queue}]))

    from_store = dashboard_json(run_cli, "-R", "octo/demo", "--db", db)
    from_files = dashboard_json(run_cli, "--from", files)
    assert from_store["merge_queue"]["source"] == "snapshots"
    assert from_store["merge_queue"]["current"] == 2
    from_store.pop("repository"), from_files.pop("repository")
    assert from_store == from_files


@pytest.mark.datasets
def test_dashboard_matches_with_commits_as_of(run_cli, datasets_dir, tmp_path):
    folder = datasets_dir / "D-sorganization__Maxwell_Daemon"
    db = _sync_data_set(tmp_path, folder, 1_780_000_000, [], with_commits=True)
    as_of = "2026-05-01"
    from_store = dashboard_json(run_cli, "-R", "octo/demo", "--db", db, "--as-of", as_of)
    # A sync stores the landing commits of merged PRs, not the branch history that
    # commits.jsonl also has, so the files side gets the same subset.
    landing = {p["mergeCommit"]["oid"] for p in json.loads((folder / "pulls.json").read_text("utf-8"))
               if p.get("mergeCommit")}
    subset = tmp_path / "landing-commits.jsonl"
    with (folder / "commits.jsonl").open(encoding="utf-8") as source, subset.open("w", encoding="utf-8") as target:
        target.writelines(line for line in source if json.loads(line)["sha"] in landing)
    from_files = dashboard_json(run_cli, "--issues", folder / "issues.json", "--pulls", folder / "pulls.json",
                                "--commits", subset, "--as-of", as_of)
    assert from_store["classification"]["by_rule"] == from_files["classification"]["by_rule"]
    assert sum(from_store["classification"]["by_kind"].values()) > 0
    from_store.pop("repository"), from_files.pop("repository")
    assert from_store == from_files


def test_export_errors(run_cli, cli_fake, tmp_path):
    assert run_cli("sync", "octo/demo", "--db", tmp_path / "s.db", "--transport", "http").code == 0
    (tmp_path / "occupied").write_text("a file")
    result = run_cli("export", tmp_path / "s.db", tmp_path / "occupied")
    assert result.code == 2
    assert f"Directory '{tmp_path / 'occupied'}' is a file" in result.err
    with pytest.raises(InputError) as caught:
        api.export(tmp_path / "s.db", tmp_path / "occupied")
    assert caught.value.message == f"{tmp_path / 'occupied'} exists and is not a folder"
    missing = run_cli("export", tmp_path / "nothing.db", tmp_path / "out")
    assert missing.code == 2
    assert "database not found" in missing.err


def test_bad_queue_snapshot_file(run_cli, write_json, tmp_path):
    from conftest import gh_pull

    folder = tmp_path / "export"
    write_json("export/pulls.json", [gh_pull(1)])
    write_json("export/x_merge_queue.json", [{"takenAt": "2026-01-06T00:00:00Z", "branch": "main", "depth": -1}])
    result = run_cli("dashboard", "--from", folder)
    assert result.code == 2
    assert "x_merge_queue.json: entry 1: field 'depth' must be a whole number of entries, got -1" in result.err


def test_ctrl_c_then_resume(cli_fake, tmp_path):
    """A real SIGINT to a running `agentlanes sync` keeps the complete pages; the next run finishes."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from fakes.github_api import Fault

    db = tmp_path / "s.db"
    # Long enough that a loaded machine delivers the signal before the page completes.
    delay = cli_fake.inject(Fault("delay", operation="SyncPullRequests", skip=1, seconds=20.0))
    process = subprocess.Popen(
        [sys.executable, "-m", "agentlanes", "sync", "octo/demo", "--db", str(db), "--transport", "http"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"},
    )
    deadline = time.monotonic() + 30
    while delay.hits == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert delay.hits == 1
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "sync interrupted; the store keeps every complete page" in err.decode()
    with Store.open(db, create=False) as store:
        repository = store.find_repository(None)
        assert (store.count(repository, "issues"), store.count(repository, "pulls")) == (40, 50)
        assert [run["status"] for run in store.runs(repository)] == ["interrupted"]
    resumed = subprocess.run(
        [sys.executable, "-m", "agentlanes", "sync", "octo/demo", "--db", str(db), "--transport", "http"],
        capture_output=True, env={**os.environ, "NO_COLOR": "1"}, timeout=60,
    )
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert "0 issues and 10 pull requests fetched" in resumed.stderr.decode()


def test_api_url_option(run_cli, cli_fake, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_API_URL")
    result = run_cli("sync", "octo/demo", "--db", tmp_path / "s.db", "--transport", "http", "--api-url", cli_fake.api_url)
    assert result.code == 0, result.err
    assert f"from {cli_fake.host} over http" in result.err
    wrong_host = run_cli("sync", "github.com/octo/demo", "--db", tmp_path / "s.db", "--api-url", cli_fake.api_url)
    assert wrong_host.code == 2
    assert f"names host github.com, but the API URL is for {cli_fake.host}" in wrong_host.err
    board = dashboard_json(run_cli, "-R", f"{cli_fake.host}/octo/demo", "--db", tmp_path / "s.db")
    assert board["repository"] == "octo/demo"


def test_sync_warnings_on_stderr(run_cli, cli_fake, tmp_path):
    from fakes.github_api import Fault

    cli_fake.inject(Fault("status", operation="SyncIssues"))
    result = run_cli("sync", "octo/demo", "--db", tmp_path / "s.db", "--transport", "http")
    assert result.code == 0, result.err
    assert "warning: waiting 1 s: issues page 1 of octo/demo: HTTP 502" in result.err
    assert "(1 retries, 1 s waited)" in result.err


@pytest.mark.datasets
@pytest.mark.parametrize("name", ["oauth-wg__draft-ietf-oauth-status-list", "cfrg__draft-irtf-cfrg-vdaf",
                                  "D-sorganization__Maxwell_Daemon"])
def test_store_records_match_files(datasets_dir, tmp_path, name):
    """Every issue and PR read back from the store equals the one parsed from the data set's files."""
    import dataclasses

    folder = datasets_dir / name
    db = _sync_data_set(tmp_path, folder, 1_780_000_000, [], with_commits=True)
    config = load_config(None)
    files = load_dataset(config, issues_path=folder / "issues.json", pulls_path=folder / "pulls.json",
                         commits_path=folder / "commits.jsonl")
    stored, _ = api.load(api.Source(db=db), config)
    assert [i.number for i in stored.issues] == [i.number for i in files.issues]
    assert [p.number for p in stored.pulls] == [p.number for p in files.pulls]
    for from_store, from_files in zip(stored.issues, files.issues, strict=True):
        # Data sets carry no updatedAt; the fake derives one, so only that field may differ.
        assert dataclasses.replace(from_store, updated_at=from_files.updated_at) == from_files
    for from_store, from_files in zip(stored.pulls, files.pulls, strict=True):
        if not from_files.commit_count:
            # The data set does not know the count, or records 0 commits beside co-author
            # trailers; GitHub (and the fake) report the commits they serve.
            from_store = dataclasses.replace(from_store, commit_count=from_files.commit_count)
        assert from_store == from_files
