"""The gh extension: `gh extension install .` of this repository gives `gh agentlanes ...`.

The real gh binary installs the checkout as a local extension in a temporary gh
data folder. gh needs some token to run extension commands; every proxy variable
points at a closed port on 127.0.0.1, so a request to GitHub would fail here
instead of leaving the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from repo_builder import Repo

pytestmark = pytest.mark.gh

REPO_ROOT = Path(__file__).resolve().parents[1]
CLOSED_PORT = "http://127.0.0.1:9"


@pytest.fixture
def gh_env(gh_path: str, tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GH_", "GITHUB_")) and key.lower() not in ("no_proxy", "https_proxy", "http_proxy")}
    (tmp_path / "gh-config").mkdir()
    env.update({
        "GH_CONFIG_DIR": str(tmp_path / "gh-config"), "XDG_DATA_HOME": str(tmp_path / "gh-data"),
        "GH_TOKEN": "unused-token", "GH_PROMPT_DISABLED": "1", "GH_NO_UPDATE_NOTIFIER": "1", "NO_COLOR": "1",
        "HTTPS_PROXY": CLOSED_PORT, "HTTP_PROXY": CLOSED_PORT, "https_proxy": CLOSED_PORT, "http_proxy": CLOSED_PORT,
        "AGENTLANES_VENV": sys.prefix, "PATH": os.pathsep.join([os.path.dirname(gh_path), env.get("PATH", "")]),
    })
    return env


@pytest.fixture
def installed(gh_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """Install this checkout as the extension; gh names an extension after its folder, so link it as gh-agentlanes."""
    link = tmp_path / "gh-agentlanes"
    link.symlink_to(REPO_ROOT, target_is_directory=True)
    # gh takes the folder name from PWD, as a shell sets it after `cd gh-agentlanes`.
    result = subprocess.run(["gh", "extension", "install", "."], cwd=link, env={**gh_env, "PWD": str(link)},
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "gh-data" / "gh" / "extensions" / "gh-agentlanes").is_symlink()
    return gh_env


def gh(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["gh", *args], env=env, cwd=cwd, capture_output=True, text=True, check=False, timeout=120)


def test_entry_point_is_executable():
    assert os.access(REPO_ROOT / "gh-agentlanes", os.X_OK)


def test_gh_runs_agentlanes(installed: dict[str, str], tmp_path: Path):
    result = gh(installed, "agentlanes", "--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("agentlanes, version ")


def test_gh_passes_arguments_and_output(installed: dict[str, str], tmp_path: Path):
    repo = Repo(tmp_path / "project")
    repo.commit("Start", {"api/app.py": "x", "docs/index.md": "x"}, "2026-01-05T10:00:00Z")
    result = gh(installed, "agentlanes", "init", "-o", "-", "-q", cwd=repo.path)
    assert result.returncode == 0, result.stderr
    assert 'name = "api"' in result.stdout
    assert result.stderr == ""


def test_gh_passes_exit_code_and_error(installed: dict[str, str], tmp_path: Path):
    result = gh(installed, "agentlanes", "route", cwd=tmp_path)
    assert result.returncode == 2
    assert "error: backlog analysis not found" in result.stderr


def test_bad_venv_is_clear_error(installed: dict[str, str], tmp_path: Path):
    result = gh({**installed, "AGENTLANES_VENV": str(tmp_path / "nowhere")}, "agentlanes", "--version", cwd=tmp_path)
    assert result.returncode == 2
    assert f"AGENTLANES_VENV={tmp_path / 'nowhere'} has no bin/agentlanes" in result.stderr
