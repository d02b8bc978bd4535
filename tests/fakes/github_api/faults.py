"""Faults the GitHub fake can inject into its replies.

A ``Fault`` matches requests (by GraphQL operation name, REST path pattern or a
predicate), lets the first ``skip`` matches through, then hits the next
``times`` of them. Kinds:

- ``status``: reply ``status`` (502 by default) with a short HTML body;
- ``secondary_limit``: 403 with GitHub's secondary-limit message and, when
  ``retry_after`` is set, a ``retry-after`` header;
- ``rate_limited_body``: 200 with a GraphQL ``RATE_LIMITED`` error and
  ``x-ratelimit-remaining: 0`` resetting ``reset_in`` seconds later;
- ``truncated``: the real reply cut in half, with a matching Content-Length;
- ``reset``: the real headers, half the body, then a TCP reset;
- ``repeat_cursor``: the real page, with ``endCursor`` replaced by the cursor the
  request sent (a server that repeats a cursor);
- ``delay``: the real reply after ``seconds`` of real time (to interrupt a
  client while it waits).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KINDS = ("status", "secondary_limit", "rate_limited_body", "truncated", "reset", "repeat_cursor", "delay")
BEFORE_KINDS = ("status", "secondary_limit", "rate_limited_body")


@dataclass
class Fault:
    kind: str
    operation: str | None = None
    path: str | None = None
    when: Callable[[Any], bool] | None = None
    skip: int = 0
    times: int = 1
    status: int = 502
    retry_after: int | None = None
    reset_in: int = 120
    seconds: float = 0.0
    hits: int = 0
    seen: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; use one of {KINDS}")

    def matches(self, request: Any) -> bool:
        if self.operation is not None and request.operation != self.operation:
            return False
        if self.path is not None and not re.search(self.path, request.path):
            return False
        return self.when is None or bool(self.when(request))

    def take(self, request: Any) -> bool:
        """Whether this fault hits ``request``; counts the match."""
        with self._lock:
            if self.hits >= self.times or not self.matches(request):
                return False
            self.seen += 1
            if self.seen <= self.skip:
                return False
            self.hits += 1
            return True
