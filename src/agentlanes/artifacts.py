"""Write and read artifacts atomically, so no reader ever sees a half-written file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from agentlanes.errors import InputError

ARTIFACT_DIR = Path("artifacts") / "orchestration"
ANALYSIS_FILE = "backlog_analysis.json"
PLAN_FILE = "routing_plan.json"
PLAN_SUMMARY_FILE = "routing_plan.md"
DASHBOARD_MD = "velocity_dashboard.md"
DASHBOARD_JSON = "velocity_dashboard.json"
DASHBOARD_HTML = "velocity_dashboard.html"
DISPATCH_LOG_FILE = "dispatch_log.jsonl"

ModelT = TypeVar("ModelT", bound=BaseModel)


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file and an atomic rename."""
    return write_bytes(path, text.encode("utf-8"))


def _new_file_mode(target: Path) -> int:
    """Return the mode a plain ``open(target, "w")`` would give: the old file's, else 0o666 less the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """Return the process umask, read from /proc on Linux so that it is never changed, even briefly."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        # mkstemp creates the file readable by its owner only; an artifact is meant to be shared.
        os.fchmod(handle, _new_file_mode(target))
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def model_json(model: BaseModel) -> bytes:
    return orjson.dumps(model.model_dump(mode="json", by_alias=True), option=orjson.OPT_INDENT_2) + b"\n"


def write_model(path: str | Path, model: BaseModel) -> Path:
    return write_bytes(path, model_json(model))


def read_model(path: str | Path, model_type: type[ModelT], what: str, producer: str = "") -> ModelT:
    """Read an artifact back, with an error naming the file and the first bad field.

    ``producer`` is the command that writes the artifact, for the hint when it is missing.
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        hint = (f"run `{producer}` first (or pass the file's path)" if producer
                else f"run the command that writes the {what} first")
        raise InputError(f"{what} not found: {path}", hint) from None
    try:
        return model_type.model_validate(orjson.loads(raw))
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: malformed JSON ({exc})", f"regenerate the {what}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(
            f"{path}: not a valid {what} (field '{where}': {first['msg']})",
            "regenerate it with this version of agentlanes",
        ) from None
