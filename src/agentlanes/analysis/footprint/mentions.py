"""Files named in an issue's text: paths, file names, stack-trace frames.

A mention is matched against the known tree: an exact path, a unique path
suffix (``storage/sqlite.go`` -> ``internal/storage/sqlite.go``), or a file
name; a name that fits several files spreads its weight over them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

# Path-like tokens: at least one slash or a file extension of 1-8 characters.
_PATH_TOKEN = re.compile(r"(?<![\w@:/.-])((?:[\w.-]+/)*[\w-]+(?:\.[\w-]+)*\.[A-Za-z][\w]{0,7}|(?:[\w.-]+/)+[\w.-]+)(?![\w/])")
# Stack frames: Python ``File "x/y.py", line 3``, Go/JS/Java ``x/y.go:12``.
_FRAME = re.compile(r"""File "([^"]+)", line \d+|([\w./-]+\.\w{1,8}):\d+""")
_URL = re.compile(r"https?://\S+")
_EXTENSION_ONLY = re.compile(r"^\.?\w{1,8}$")
# Tokens that look like file names but are usually prose or versions.
_NOT_FILES = {"e.g", "i.e", "etc", "vs", "v1", "v2", "node.js", "next.js", "vue.js", "asp.net"}


@dataclass(frozen=True, slots=True)
class Mention:
    path: str
    weight: float
    signal: str


def _candidates(text: str) -> list[tuple[str, str]]:
    text = _URL.sub(" ", text)
    found: list[tuple[str, str]] = []
    for match in _FRAME.finditer(text):
        found.append((match.group(1) or match.group(2), "stack frame"))
    for match in _PATH_TOKEN.finditer(text):
        token = match.group(1).strip("./")
        if token.lower() in _NOT_FILES or _EXTENSION_ONLY.match(token) or token.replace(".", "").isdigit():
            continue
        found.append((token, "path"))
    return found


class MentionIndex:
    """Lookup tables over the known tree for resolving mentioned paths."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = set(paths)
        self.by_name: dict[str, list[str]] = defaultdict(list)
        for path in self.paths:
            self.by_name[path.rsplit("/", 1)[-1].lower()].append(path)

    def resolve(self, token: str) -> list[str]:
        token = token.lstrip("/")
        if token in self.paths:
            return [token]
        lowered = token.lower()
        name = lowered.rsplit("/", 1)[-1]
        same_name = self.by_name.get(name, [])
        if "/" in token:
            suffix = [p for p in same_name if p.lower().endswith("/" + lowered) or p.lower() == lowered]
            if suffix:
                return suffix
            # A folder named in the text: every file under it, if the folder is small.
            under = [p for p in self.paths if p.startswith(token.rstrip("/") + "/")]
            return under if 0 < len(under) <= 12 else []
        return same_name

    def mentions(self, text: str) -> list[Mention]:
        """Return the files the text names, weighted 1 for a unique match."""
        best: dict[str, Mention] = {}
        for token, signal in _candidates(text):
            matches = self.resolve(token)
            if not matches:
                continue
            weight = 1.0 if len(matches) == 1 else max(0.2, 1.0 / len(matches))
            label = f"{signal} '{token}' named in the text"
            for path in matches:
                if path not in best or best[path].weight < weight:
                    best[path] = Mention(path, weight, label)
        return sorted(best.values(), key=lambda m: (-m.weight, m.path))
