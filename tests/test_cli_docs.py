"""docs/cli.md against every registered command's --help, and what --help must state."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from agentlanes.cli import cli, main
from agentlanes.docgen.cli import render_cli_reference

REPO_ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = REPO_ROOT / "docs" / "cli.md"
STALE = "docs/cli.md differs from --help: run `make docs`"


def documented_help() -> dict[str, str]:
    """Map each '## agentlanes NAME' section of docs/cli.md to the help text in its code block."""
    text = CLI_DOC.read_text("utf-8")
    sections = re.findall(r"^## (agentlanes(?: [\w-]+)?)\n\n```text\n(.*?)\n```$", text, flags=re.M | re.S)
    return {title: body + "\n" for title, body in sections}


def live_help(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main([*args, "--help"]) == 0
    return capsys.readouterr().out


def test_every_command_is_documented():
    documented = set(documented_help())
    registered = {"agentlanes", *(f"agentlanes {name}" for name in cli.commands)}
    assert documented == registered, STALE


@pytest.mark.parametrize("name", ["", *cli.commands])
def test_help_matches_docs(name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    # COLUMNS=82 makes click wrap at 80 columns, the width docs/cli.md is rendered at.
    monkeypatch.setenv("COLUMNS", "82")
    args = [name] if name else []
    assert live_help(capsys, *args) == documented_help()[f"agentlanes {name}".strip()], STALE


def test_generated_page_is_current():
    assert CLI_DOC.read_text("utf-8") == render_cli_reference(), STALE


def test_installed_entry_point_help(tmp_path: Path):
    env = {"COLUMNS": "82", "PATH": str(Path(sys.executable).parent)}
    result = subprocess.run([sys.executable, "-m", "agentlanes", "--help"], capture_output=True, text=True,
                            env=env, cwd=tmp_path, check=False)
    assert result.returncode == 0
    assert result.stdout == documented_help()["agentlanes"], STALE


def _options() -> list[tuple[str, click.Option]]:
    return [(name, param) for name, command in cli.commands.items() for param in command.params
            if isinstance(param, click.Option)]


@pytest.mark.parametrize(("command", "option"), _options(), ids=[f"{c}-{o.name}" for c, o in _options()])
def test_option_states_help_and_default(command: str, option: click.Option):
    assert option.help, f"{command} {option.opts[0]} has no help text"
    default = option.get_default(click.Context(cli.commands[command]), call=False)
    # click 8.2 and later mark an option without a default with a sentinel named UNSET.
    unset = default is None or repr(default).endswith("UNSET")
    has_default = not unset and not option.is_flag and default not in (False, ())
    if has_default:
        assert option.show_default or "Default" in option.help, f"{command} {option.opts[0]} hides its default"


def test_exit_codes_documented():
    group_help = documented_help()["agentlanes"]
    for code, meaning in (("0", "success"), ("1", "unexpected internal error"),
                          ("2", "invalid input, options or configuration"), ("3", "GitHub or git failed"),
                          ("130", "interrupted")):
        assert re.search(rf"^\s+{code}\s+{re.escape(meaning)}", group_help, flags=re.M), code
