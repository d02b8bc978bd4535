"""The ``agentlanes`` command line: thin commands over ``agentlanes.api``.

Every command gets ``--json`` and ``-q/--quiet`` from ``options.with_output_flags``
when it is registered, so its callback returns its result instead of printing
it. Errors are converted to messages and exit codes once, in ``main``.
"""

from __future__ import annotations

import os
import sys
import traceback

import click

from agentlanes import __version__
from agentlanes.cli import console
from agentlanes.cli.options import with_output_flags
from agentlanes.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_REMOTE,
    AgentlanesError,
)

# Set to 1 to let an unexpected error end in its Python traceback instead of a one-line message.
TRACEBACK_VARIABLE = "AGENTLANES_TRACEBACK"

EPILOG = f"""\b
Exit codes:
  {EXIT_OK}    success
  {EXIT_INTERNAL}    unexpected internal error (a bug; set {TRACEBACK_VARIABLE}=1 for the traceback)
  {EXIT_INVALID}    invalid input, options or configuration
  {EXIT_REMOTE}    GitHub or git failed
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)
A reader closing stdout early (e.g. `| head`) ends the command quietly.

\b
Environment:
  NO_COLOR         set to any non-empty value for output without colour
  GH_TOKEN, GITHUB_TOKEN
                   token for sync and dispatch when gh is not signed in
  GITHUB_API_URL   API URL of a GitHub Enterprise Server
"""


class PipelineGroup(click.Group):
    """Lists the commands in the order they were registered (the pipeline's order), not alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(cls=PipelineGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}, epilog=EPILOG)
@click.version_option(__version__, prog_name="agentlanes")
@click.option("-q", "--quiet", is_flag=True,
              help="Print no progress, summary or note lines on stderr; warnings and errors still print.")
def cli(quiet: bool) -> None:
    """Turn a GitHub backlog into conflict-free parallel work for AI coding agents, and measure it.

    Start with `agentlanes init` in your repository, or `agentlanes demo` for a sample.
    Every command also takes --json (the result as JSON on stdout) and --quiet.
    """
    console.set_quiet(quiet)


def _register() -> None:
    from agentlanes.cli import (
        analyze, backtest, conflicts, dashboard, demo, dispatch, export, init, predict, route, simulate, sync,
    )

    for module in (init, sync, export, analyze, route, dispatch, simulate, dashboard, conflicts, predict, backtest,
                   demo):
        cli.add_command(module.command)
    for command in cli.commands.values():
        with_output_flags(command)


def _internal_error(exc: Exception) -> int:
    if os.environ.get(TRACEBACK_VARIABLE):
        traceback.print_exc()
        return EXIT_INTERNAL
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {os.path.basename(frames[-1].filename)} line {frames[-1].lineno})" if frames else ""
    console.error(f"unexpected internal error: {type(exc).__name__}: {exc}{where}\n"
                  f"  hint: this is a bug in agentlanes; rerun with {TRACEBACK_VARIABLE}=1 and report the traceback")
    return EXIT_INTERNAL


# Options that belong to the commands that read the data, not to those that read an artifact.
_DATA_OPTIONS = ("--as-of", "--from", "--issues", "--pulls", "--commits", "--repo", "-R", "--github-repo", "--db")


def _usage_message(exc: click.UsageError) -> tuple[str, str]:
    """Return the message and the next step for a command-line mistake, specific where a common one is known."""
    command = exc.ctx.command_path if exc.ctx is not None else "agentlanes"
    name = command.split()[-1]
    if isinstance(exc, click.NoSuchOption) and exc.option_name in _DATA_OPTIONS and name in ("route", "dispatch"):
        # Click would suggest a similar option name, which is the wrong fix here.
        return (f"{name} has no option {exc.option_name}",
                f"{name} reads the artifact of the step before it, not the data: pass {exc.option_name} to "
                "`agentlanes analyze`, then run `agentlanes route`")
    if isinstance(exc, click.NoSuchOption) and name == "agentlanes":
        owners = sorted(n for n, c in cli.commands.items() if any(exc.option_name in p.opts for p in c.params))
        if owners:
            return (f"{exc.option_name} must follow a command name",
                    f"put it after the command, e.g. `agentlanes {owners[0]} {exc.option_name} ...`")
    from_folder = isinstance(exc, click.BadParameter) and exc.param is not None and "--from" in exc.param.opts
    if from_folder and "is a file" in exc.format_message():
        return (exc.format_message(), "--from takes the export folder that holds issues.json and pulls.json; "
                "for single files use --issues FILE and --pulls FILE")
    return exc.format_message(), f"run `{command} --help` for the options"


def _run(argv: list[str] | None) -> int:
    try:
        cli.main(args=argv, prog_name="agentlanes", standalone_mode=False)
    except AgentlanesError as exc:
        console.error(str(exc))
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        console.error("interrupted")
        return EXIT_INTERRUPTED
    except click.UsageError as exc:
        message, hint = _usage_message(exc)
        console.error(f"{message}\n  hint: {hint}")
        return EXIT_INVALID
    except click.ClickException as exc:
        exc.show()
        return EXIT_INVALID
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except OSError as exc:
        if exc.filename is None:
            return _internal_error(exc)
        console.error(f"{exc.strerror or exc}: {exc.filename}\n  hint: check the path and its permissions")
        return EXIT_INVALID
    except Exception as exc:  # noqa: BLE001 - the one place where any error becomes a message
        return _internal_error(exc)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the command line; convert errors into messages on stderr and exit codes.

    click itself ends a run whose stdout reader went away (EPIPE) with exit code 0.
    """
    console.reset()
    return _run(argv)


def entry_point() -> None:
    sys.exit(main())


_register()
