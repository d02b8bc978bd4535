"""Output streams of the command line: results to stdout, everything else to stderr.

Results (the JSON of ``--json``, Markdown printed with ``--output -``, the
tables of ``predict`` and ``conflicts``) go to stdout, so they can be piped.
Progress, summaries, notes, warnings and errors go to stderr through one rich
console. ``--quiet`` silences progress, summaries and notes; warnings and errors
still print. Colour follows rich: only on a terminal, never when ``NO_COLOR`` is
set to a non-empty value (https://no-color.org), forced by ``FORCE_COLOR``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import orjson
from pydantic import BaseModel
from rich.console import Console

from agentlanes.artifacts import write_bytes

_quiet = False
_json_output = False
_consoles: dict[tuple[str, str], Console] = {}


def reset() -> None:
    """Forget the flags of an earlier run (``main`` may run several times in one process)."""
    set_quiet(False)
    set_json_output(False)


def set_quiet(value: bool) -> None:
    global _quiet
    _quiet = value


def is_quiet() -> bool:
    return _quiet


def set_json_output(value: bool) -> None:
    global _json_output
    _json_output = value


def json_output() -> bool:
    """Return whether ``--json`` was given; stdout then carries only the JSON result."""
    return _json_output


def stderr_console() -> Console:
    """Return the shared stderr console; a progress display on it keeps other lines above it."""
    key = (os.environ.get("NO_COLOR", ""), os.environ.get("FORCE_COLOR", ""))
    if key not in _consoles:
        _consoles[key] = Console(stderr=True, highlight=False, soft_wrap=True)
    return _consoles[key]


def info(message: str) -> None:
    """Print a progress or summary line on stderr unless --quiet is set."""
    if not _quiet:
        stderr_console().print(message, markup=False)


def error(message: str) -> None:
    console = stderr_console()
    console.print(f"error: {message}", markup=False, style=None if console.no_color else "bold red")


@contextlib.contextmanager
def status(message: str) -> Iterator[None]:
    """Show a spinner with ``message`` on stderr while the block runs, on a terminal and without --quiet."""
    console = stderr_console()
    if _quiet or not console.is_terminal:
        yield
        return
    with console.status(message, spinner="dots"):
        yield


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(result: Any) -> bytes:
    """Serialise a command's result: pydantic models, dataclasses, paths, lists and dicts."""
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json", by_alias=True)
    elif dataclasses.is_dataclass(result) and not isinstance(result, type):
        result = {field.name: getattr(result, field.name) for field in dataclasses.fields(result)}
    options = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
    return orjson.dumps(result, default=_default, option=options) + b"\n"


def print_result(data: bytes | str) -> None:
    """Write a result to stdout unchanged."""
    click.echo(data, nl=False)


def write_output(path: str | Path, data: bytes | str) -> str:
    """Write a result to ``path`` atomically, or to stdout when ``path`` is ``-``; return where it went."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if str(path) == "-":
        print_result(raw)
        return "stdout"
    return str(write_bytes(path, raw))
