"""agentlanes init: a commented, valid agentlanes.toml from a real git checkout and the repository's labels."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import pytest

from agentlanes.analysis.paths import ComponentIndex, configured_components
from agentlanes.config import load_config
from agentlanes.init.codeowners import parse_codeowners, pattern_globs
from agentlanes.init.inference import priority_weight

from conftest import gh_issue, gh_pull
from repo_builder import Repo

CODEOWNERS = """\
# Owners of this repository
*                 @octo/maintainers
/src/api/         @octo/api
*.js              @octo/web   # every JavaScript file
/docs             @octo/docs
/ghost/           @octo/nobody
"""

FILES = {
    "src/api/handler.py": "x", "src/api/routes.py": "x", "src/web/app.js": "x", "src/core/engine.py": "x",
    "docs/guide.md": "x", "tools/release.sh": "x", "README.md": "x", "pyproject.toml": "x",
    ".github/CODEOWNERS": CODEOWNERS,
}


@pytest.fixture
def checkout(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "octo-repo")
    repo.commit("Start", FILES, "2026-01-05T10:00:00+00:00")
    return repo


def file_header(text: str) -> str:
    """Return the file's opening comment as one line, however it was wrapped."""
    block = text.split("\n\n", 1)[0]
    return " ".join(line.removeprefix("#").strip() for line in block.splitlines())


def init(run_cli, *args: str):
    result = run_cli("init", *args)
    assert result.code == 0, result.err
    return result


def test_writes_valid_commented_file(run_cli, checkout: Repo, tmp_path: Path):
    result = init(run_cli, "--repo", checkout.path)
    path = tmp_path / "agentlanes.toml"
    text = path.read_text("utf-8")
    config = load_config(path)
    assert config.source == str(path)
    assert [(c.name, c.paths) for c in config.components] == [
        ("docs", ("docs/**",)), ("*.js", ("**/*.js",)), ("api", ("src/api/**",)),
        (".github", (".github/**",)), ("src", ("src/**",)), ("tools", ("tools/**",)), ("root", ("*",)),
    ]
    assert [agent.name for agent in config.routable_agents] == ["copilot", "codex", "jules", "claude", "devin"]
    assert text.startswith("# agentlanes configuration for octo-repo\n")
    header = file_header(text)
    assert f"from the checkout at {checkout.path} (9 tracked files); .github/CODEOWNERS (5 rules)." in header
    assert "# From .github/CODEOWNERS line 3: /src/api/ @octo/api." in text
    assert "line 6 (/ghost/) matches no file in the checkout; left" in text
    assert "line 2 (*) covers every file; it is not a component" in text
    assert "wrote agentlanes.toml" in result.err


def test_every_key_has_comment_above(run_cli, checkout: Repo, tmp_path: Path):
    init(run_cli, "--repo", checkout.path)
    lines = (tmp_path / "agentlanes.toml").read_text("utf-8").splitlines()
    for key in ("method", "footprint_threshold", "lock_open_pulls"):
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{key} = "))
        assert lines[index - 1].startswith("# "), key
    assert any("Allowed: a number from 0 to 1." in line for line in lines)
    assert "# daily_quota = 20" in lines
    assert "# [classification]" in lines


def test_components_follow_codeowners_precedence(run_cli, checkout: Repo, tmp_path: Path):
    init(run_cli, "--repo", checkout.path)
    index = ComponentIndex(configured_components(load_config(tmp_path / "agentlanes.toml").components))
    expected = {
        "src/api/handler.py": "api", "src/api/widget.js": "*.js", "src/web/app.js": "*.js",
        "src/core/engine.py": "src", "docs/guide.md": "docs", "docs/api/index.md": "docs",
        "tools/release.sh": "tools", "README.md": "root", ".github/CODEOWNERS": ".github",
    }
    assert {path: index.component_of(path) for path in expected} == expected


def test_top_level_folders_without_codeowners(run_cli, tmp_path: Path):
    repo = Repo(tmp_path / "plain")
    repo.commit("Start", {"api/a.py": "x", "web/b.ts": "x", "setup.py": "x"}, "2026-01-05T10:00:00+00:00")
    init(run_cli, "--repo", repo.path)
    config = load_config(tmp_path / "agentlanes.toml")
    assert [(c.name, c.paths) for c in config.components] == [
        ("api", ("api/**",)), ("web", ("web/**",)), ("root", ("*",)),
    ]
    assert "# From a top-level folder." in (tmp_path / "agentlanes.toml").read_text("utf-8")


def test_checkout_found_from_current_folder(run_cli, checkout: Repo, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(checkout.path / "src")
    result = init(run_cli)
    config = load_config(checkout.path / "src" / "agentlanes.toml")
    assert "api" in [c.name for c in config.components]
    assert "rules from .github/CODEOWNERS" in result.err


@pytest.mark.parametrize(("remote", "read"), [
    ("git@github.com:o/r.git", True),
    ("https://github.com/someone/else.git", False),
    (None, False),
])
def test_current_checkout_read_only_for_the_data_repository(
    run_cli, write_json, checkout: Repo, monkeypatch: pytest.MonkeyPatch, remote: str | None, read: bool
):
    if remote is not None:
        subprocess.run(["git", "remote", "add", "origin", remote], cwd=checkout.path, check=True)
    write_json("export/issues.json", [gh_issue(1)])
    write_json("export/pulls.json", [gh_pull(2, files=[{"path": "server/main.go"}], url="https://github.com/o/r/pull/2")])
    folder = checkout.path.parent / "export"
    monkeypatch.chdir(checkout.path)
    result = init(run_cli, "--from", folder, "--output", "-")
    names = [c["name"] for c in tomllib.loads(result.out).get("components", [])]
    if read:
        assert "api" in names
    else:
        assert names == ["server"]
        assert f"the checkout at {checkout.path} was not read: its origin remote is not o/r" in result.err


def test_priorities_from_labels(run_cli, write_json, tmp_path: Path, checkout: Repo):
    label = lambda name: {"name": name}  # noqa: E731
    issues = [
        gh_issue(1, labels=[label("priority: high"), label("type: bug")]),
        gh_issue(2, labels=[label("P0")]),
        gh_issue(3, labels=[label("priority: high")]),
        gh_issue(4, labels=[label("wontfix")], state="CLOSED", closedAt="2026-01-06T10:00:00Z"),
        gh_issue(5, labels=[label("security")], state="CLOSED", closedAt="2026-01-06T10:00:00Z"),
    ]
    folder = tmp_path / "export"
    write_json("export/issues.json", issues)
    write_json("export/pulls.json", [gh_pull(9)])
    init(run_cli, "--repo", checkout.path, "--from", folder)
    text = (tmp_path / "agentlanes.toml").read_text("utf-8")
    assert load_config(tmp_path / "agentlanes.toml").priorities == {
        "P0": 8.0, "priority: high": 4.0, "security": 4.0, "type: bug": 1.5,
    }
    assert '"priority: high" = 4.0  # high priority, 2 open issues' in text
    assert "security = 4.0  # security, 0 open issues" in text
    assert "wontfix" not in text
    header = file_header(text)
    assert f"the labels of 5 issues and 1 pull requests in {folder}." in header


def test_no_priority_labels_keeps_builtin_table(run_cli, write_json, tmp_path: Path):
    write_json("export/issues.json", [gh_issue(1, labels=[{"name": "question"}])])
    init(run_cli, "--from", tmp_path / "export")
    text = (tmp_path / "agentlanes.toml").read_text("utf-8")
    assert "None of the repository's 1 labels looks like a priority" in text
    assert load_config(tmp_path / "agentlanes.toml").priorities["p0"] == 8.0


def test_history_files_without_checkout(run_cli, write_json, tmp_path: Path):
    pulls = [gh_pull(1, files=[{"path": "server/main.go"}]), gh_pull(2, files=[{"path": "cli/cmd.go"}])]
    write_json("export/pulls.json", pulls)
    result = init(run_cli, "--from", tmp_path / "export")
    assert "the current folder is not a git checkout" in result.err
    config = load_config(tmp_path / "agentlanes.toml")
    assert [c.name for c in config.components] == ["cli", "server"]


def test_existing_file_kept_unless_force(run_cli, checkout: Repo, tmp_path: Path):
    (tmp_path / "agentlanes.toml").write_text("# mine\n", encoding="utf-8")
    result = run_cli("init", "--repo", checkout.path)
    assert result.code == 2
    assert "agentlanes.toml already exists" in result.err
    assert "--force" in result.err
    assert (tmp_path / "agentlanes.toml").read_text("utf-8") == "# mine\n"
    init(run_cli, "--repo", checkout.path, "--force")
    assert load_config(tmp_path / "agentlanes.toml").components


def test_output_to_stdout(run_cli, checkout: Repo, tmp_path: Path):
    result = init(run_cli, "--repo", checkout.path, "-o", "-")
    assert not (tmp_path / "agentlanes.toml").exists()
    document = tomllib.loads(result.out)
    assert document["conflict"]["footprint_threshold"] == 0.05


def test_json_result(run_cli, checkout: Repo, tmp_path: Path):
    result = init(run_cli, "--repo", checkout.path, "-o", "custom.toml", "--json")
    payload = json.loads(result.out)
    assert payload["path"] == "custom.toml"
    assert payload["codeowners"] == ".github/CODEOWNERS"
    assert payload["tracked_files"] == len(FILES)
    assert payload["components"][2] == {
        "name": "api", "paths": ["src/api/**"], "origin": ".github/CODEOWNERS line 3: /src/api/ @octo/api",
    }
    assert (tmp_path / "custom.toml").read_text("utf-8") == payload["text"]


def test_missing_repo_is_clear_error(run_cli):
    result = run_cli("init", "--repo", "no/such/checkout")
    assert result.code == 2
    assert "--repo no/such/checkout: folder not found" in result.err


def test_written_config_drives_analysis(run_cli, checkout: Repo, write_json, tmp_path: Path):
    init(run_cli, "--repo", checkout.path)
    issues = [gh_issue(1, "Crash in src/api/handler.py on empty body")]
    pulls = [gh_pull(5, files=[{"path": "src/api/handler.py"}])]
    result = run_cli("analyze", "--issues", write_json("i.json", issues), "--pulls", write_json("p.json", pulls),
                     "--repo", checkout.path, "--json", "-q")
    assert result.code == 0, result.err
    analysis = json.loads(result.out)
    assert analysis["config_source"] == "agentlanes.toml"
    assert [c["name"] for c in analysis["components"]][:3] == ["docs", "*.js", "api"]
    assert "api" in [component["name"] for component in analysis["issues"][0]["components"]]


# (CODEOWNERS pattern, files in the checkout, globs)
PATTERNS = [
    ("/docs/", [], ("docs/**",)),
    ("docs/", [], ("**/docs/**",)),
    ("/docs", ["docs/a.md"], ("docs/**",)),
    ("/Makefile", ["Makefile"], ("Makefile",)),
    ("/build", [], ("build", "build/**")),
    ("*.js", [], ("**/*.js",)),
    ("/src/*.py", [], ("src/*.py",)),
    ("apps/web", ["apps/web/x.ts"], ("apps/web/**",)),
    ("**/logs", ["a/logs/x"], ("**/logs/**",)),
    ("*", [], ()),
    ("/**", [], ()),
]


@pytest.mark.parametrize(("pattern", "tree", "globs"), PATTERNS, ids=[case[0] for case in PATTERNS])
def test_codeowners_pattern_globs(pattern: str, tree: list[str], globs: tuple[str, ...]):
    assert pattern_globs(pattern, tree) == globs


def test_codeowners_comments_and_escapes():
    rules = parse_codeowners("# comment\n\n\\#notes/ @a  # inline\n/api/   @b @c\nlonely\n")
    assert [(r.line, r.pattern, r.owners) for r in rules] == [
        (3, "#notes/", ("@a",)), (4, "/api/", ("@b", "@c")), (5, "lonely", ()),
    ]


@pytest.mark.parametrize(("label", "weight"), [
    ("P0", 8.0), ("priority: p0", 8.0), ("priority/critical", 8.0), ("urgent", 8.0), ("P1", 4.0),
    ("priority-high", 4.0), ("Security", 4.0), ("P2", 2.0), ("priority: medium", 2.0), ("kind/bug", 1.5),
    ("bug", 1.5), ("P3", None), ("low", None), ("bugfix", None), ("enhancement", None),
])
def test_priority_label_weights(label: str, weight: float | None):
    found = priority_weight(label)
    assert (found[0] if found else None) == weight
