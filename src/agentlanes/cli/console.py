"""Output streams of the command line: results to stdout, everything else to stderr."""

from __future__ import annotations

import os
import sys

from rich.console import Console

_quiet = False


def set_quiet(value: bool) -> None:
    global _quiet
    _quiet = value


def is_quiet() -> bool:
    return _quiet


def stderr_console() -> Console:
    return Console(stderr=True, no_color="NO_COLOR" in os.environ, highlight=False, soft_wrap=True)


def info(message: str) -> None:
    """Print a progress or summary line on stderr unless --quiet is set."""
    if not _quiet:
        stderr_console().print(message, markup=False)


def error(message: str) -> None:
    stderr_console().print(f"error: {message}", markup=False, style="bold red" if sys.stderr.isatty() else None)
