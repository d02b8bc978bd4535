"""The ``agentlanes`` command line: thin commands over ``agentlanes.api``.

Exit codes: 0 success; 1 an unexpected internal error; 2 invalid input, options
or configuration; 3 GitHub or git failed; 130 interrupted.
"""

from __future__ import annotations

import sys

import click

from agentlanes import __version__
from agentlanes.cli.console import error, set_quiet
from agentlanes.errors import AgentlanesError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="agentlanes")
@click.option("-q", "--quiet", is_flag=True, help="Print no progress or summary lines on stderr.")
def cli(quiet: bool) -> None:
    """Turn a GitHub backlog into conflict-free parallel work for AI coding agents, and measure it."""
    set_quiet(quiet)


def _register() -> None:
    from agentlanes.cli import (
        analyze, backtest, conflicts, dashboard, demo, export, predict, route, simulate, sync,
    )
    from agentlanes.cli import dispatch

    for module in (analyze, route, simulate, dashboard, conflicts, sync, export, demo, predict, backtest):
        cli.add_command(module.command)
    cli.add_command(dispatch.command)


_register()


def main(argv: list[str] | None = None) -> int:
    """Run the command line; convert agentlanes errors into messages and exit codes."""
    try:
        cli.main(args=argv, prog_name="agentlanes", standalone_mode=False)
    except AgentlanesError as exc:
        error(str(exc))
        return exc.exit_code
    except click.exceptions.Abort:
        error("interrupted")
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        error("interrupted")
        return 130
    return 0


def entry_point() -> None:
    sys.exit(main())
