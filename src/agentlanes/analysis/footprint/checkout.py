"""File trees and content tokens from a git checkout, cached by blob.

Content tokens are the slowest part of an index build on a large repository.
They are kept per blob id, so a file read once is never tokenised again while
its content is unchanged, and stored on disk (in the user cache folder, or
``AGENTLANES_CACHE_DIR``) so the next run starts with them.
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
CACHE_VERSION = 2
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
        self._blobs: dict[str, dict[str, str]] = {}
        self._tokens: dict[str, tuple[str, ...]] | None = None
        self._dirty = False

    def commit_at(self, moment: datetime) -> str | None:
        if moment not in self._commits:
            self._commits[moment] = self.checkout.commit_at(moment)
        return self._commits[moment]

    def _tree_blobs(self, commit: str) -> dict[str, str]:
        if commit not in self._blobs:
            self._blobs[commit] = self.checkout.blobs(commit)
        return self._blobs[commit]

    def tree(self, moment: datetime) -> tuple[str, list[str]] | None:
        commit = self.commit_at(moment)
        if commit is None:
            return None
        return commit, list(self._tree_blobs(commit))

    def _cache_file(self) -> Path:
        key = hashlib.sha256(f"{self.checkout.path.resolve()}\0{CACHE_VERSION}".encode()).hexdigest()[:32]
        return cache_dir() / "content-tokens" / f"{key}.pickle"

    def _load_tokens(self) -> dict[str, tuple[str, ...]]:
        if self._tokens is None:
            self._tokens = {}
            cached = self._cache_file()
            if self.use_disk_cache and cached.is_file():
                try:
                    with cached.open("rb") as handle:
                        self._tokens = pickle.load(handle)
                except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
                    cached.unlink(missing_ok=True)
        return self._tokens

    def contents(self, commit: str, paths: list[str]) -> dict[str, list[str]]:
        """Content tokens of ``paths`` at ``commit``; new blobs are read and remembered."""
        blobs = self._tree_blobs(commit)
        tokens = self._load_tokens()
        missing = sorted({blobs[p] for p in paths if p in blobs and blobs[p] not in tokens})
        for start in range(0, len(missing), _BATCH):
            batch = missing[start:start + _BATCH]
            texts = self.checkout.read_blobs(batch, MAX_CONTENT_BYTES)
            for blob in batch:
                # Unreadable (binary or large) blobs are remembered as empty, so they are not read again.
                tokens[blob] = tuple(tokenize(texts[blob], MAX_CONTENT_CHARS)) if blob in texts else ()
            self._dirty = True
        if self._dirty and self.use_disk_cache:
            self.save()
        return {path: list(tokens[blobs[path]]) for path in paths if path in blobs and tokens.get(blobs[path])}

    def save(self) -> None:
        """Write the blob token cache atomically."""
        cached = self._cache_file()
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(f".{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(self._tokens or {}, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, cached)
        self._dirty = False
