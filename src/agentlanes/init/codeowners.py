"""Read a repository's CODEOWNERS file and turn its patterns into component path globs.

GitHub reads the first of ``.github/CODEOWNERS``, ``CODEOWNERS`` and
``docs/CODEOWNERS``. Each line is a gitignore-style pattern followed by owners;
the last matching line wins. agentlanes' globs differ from gitignore in two
ways handled here: a pattern without a slash (``*.js``, ``build/``) matches at
any depth, and a pattern naming a folder covers everything below it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from agentlanes.analysis.paths import glob_match

CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
_GLOB_CHARACTERS = re.compile(r"[*?\[]")


@dataclass(frozen=True, slots=True)
class OwnerRule:
    """One CODEOWNERS line: its 1-based line number, pattern and owners."""

    line: int
    pattern: str
    owners: tuple[str, ...]


def find_codeowners(root: Path) -> Path | None:
    """Return the CODEOWNERS file GitHub would use in the checkout at ``root``, if any."""
    for location in CODEOWNERS_LOCATIONS:
        candidate = root / location
        if candidate.is_file():
            return candidate
    return None


def parse_codeowners(text: str) -> list[OwnerRule]:
    """Parse CODEOWNERS text; comments, blank lines and lines without a pattern are skipped."""
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(?<!\\)#.*", "", raw).strip()
        if not line:
            continue
        pattern, *owners = line.split()
        rules.append(OwnerRule(number, pattern.replace("\\#", "#"), tuple(owners)))
    return rules


def _is_catch_all(pattern: str) -> bool:
    return pattern.strip("/") in ("*", "**", "**/*")


def pattern_globs(pattern: str, tree: Sequence[str]) -> tuple[str, ...]:
    """Translate one CODEOWNERS pattern into agentlanes path globs; ``()`` for a catch-all such as ``*``."""
    if _is_catch_all(pattern):
        return ()
    folder_only = pattern.endswith("/")
    body = pattern.strip("/")
    anchored = pattern.startswith("/") or "/" in body
    glob = body if anchored else f"**/{body}"
    if folder_only:
        return (f"{glob}/**",)
    last = body.rsplit("/", 1)[-1]
    if _GLOB_CHARACTERS.search(last):
        return (glob,)
    # A plain name matches a file of that name or a folder and everything below it.
    names_file = any(glob_match(path, glob) for path in tree)
    names_folder = any(glob_match(path, f"{glob}/**") for path in tree)
    if names_folder and not names_file:
        return (f"{glob}/**",)
    if names_file and not names_folder:
        return (glob,)
    return (glob, f"{glob}/**")


def component_name(pattern: str) -> str:
    """Name a component after its pattern: the last plain path segment, else the pattern itself."""
    segments = [segment for segment in pattern.strip("/").split("/") if segment]
    plain = [segment for segment in segments if not _GLOB_CHARACTERS.search(segment)]
    return plain[-1] if plain else pattern.strip("/")
