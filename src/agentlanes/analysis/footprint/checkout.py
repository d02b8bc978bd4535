"""File trees and content tokens from a git checkout, cached per commit.

Content tokens are the slowest part of an index build on a large repository, so
they are stored on disk (in the user cache folder, or ``AGENTLANES_CACHE_DIR``)
under the commit they were read at, and reused until the commit changes.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from datetime import datetime
from pathlib import Path

import platformdirs

from agentlanes.analysis.footprint.tokens import tokenize
from agentlanes.sources.gitrepo import Checkout

# Files larger than this are skipped for content retrieval (generated or data files).
MAX_CONTENT_BYTES = 200_000
# Characters of each file that are tokenised; identifiers near the top say most.
MAX_CONTENT_CHARS = 40_000
CACHE_VERSION = 1
_BATCH = 2000


def cache_dir() -> Path:
    configured = os.environ.get("AGENTLANES_CACHE_DIR")
    return Path(configured) if configured else Path(platformdirs.user_cache_dir("agentlanes"))


class CheckoutProviders:
    """Tree and content providers for ``FootprintEngine`` over one checkout."""

    def __init__(self, checkout: Checkout, use_disk_cache: bool = True) -> None:
        self.checkout = checkout
        self.use_disk_cache = use_disk_cache
        self._commits: dict[datetime, str | None] = {}
        self._trees: dict[str, list[str]] = {}
        self._contents: dict[str, dict[str, list[str]]] = {}

    def tree(self, moment: datetime) -> tuple[str, list[str]] | None:
        if moment not in self._commits:
            self._commits[moment] = self.checkout.commit_at(moment)
        commit = self._commits[moment]
        if commit is None:
            return None
        if commit not in self._trees:
            self._trees[commit] = self.checkout.tree(commit)
        return commit, self._trees[commit]

    def _cache_file(self, commit: str) -> Path:
        key = hashlib.sha256(f"{self.checkout.path}\0{commit}\0{CACHE_VERSION}".encode()).hexdigest()[:32]
        return cache_dir() / "content-tokens" / f"{key}.pickle"

    def contents(self, commit: str, paths: list[str]) -> dict[str, list[str]]:
        if commit in self._contents:
            return self._contents[commit]
        cached = self._cache_file(commit)
        if self.use_disk_cache and cached.is_file():
            try:
                with cached.open("rb") as handle:
                    tokens = pickle.load(handle)
                self._contents[commit] = tokens
                return tokens
            except (OSError, pickle.UnpicklingError, EOFError):
                cached.unlink(missing_ok=True)
        tokens = {}
        for start in range(0, len(paths), _BATCH):
            batch = paths[start:start + _BATCH]
            for path, text in self.checkout.read_files(commit, batch, MAX_CONTENT_BYTES).items():
                tokens[path] = tokenize(text, MAX_CONTENT_CHARS)
        self._contents[commit] = tokens
        if self.use_disk_cache:
            cached.parent.mkdir(parents=True, exist_ok=True)
            temporary = cached.with_suffix(".tmp")
            with temporary.open("wb") as handle:
                pickle.dump(tokens, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, cached)
        return tokens
