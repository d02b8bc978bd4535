"""pytest fixtures for the GitHub fake: ``fake_github`` (started, with a ``ManualClock``) and ``gh_path``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.github_api.server import FakeGitHub
from fakes.github_api.state import ManualClock


@pytest.fixture
def fake_github(tmp_path: Path) -> Iterator[FakeGitHub]:
    """A started fake on 127.0.0.1 whose clock moves only when a test or a client waits."""
    folder = tmp_path / "fake-github"
    folder.mkdir()
    with FakeGitHub(folder, clock=ManualClock()) as fake:
        yield fake


@pytest.fixture
def gh_path() -> str:
    """The real gh binary; missing fails in CI (where .ci/run installs it) and skips elsewhere."""
    found = shutil.which("gh")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("gh not found on PATH; .ci/run installs the Debian package gh")
        pytest.skip("gh not installed")
    return found
