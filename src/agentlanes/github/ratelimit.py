"""Rate limits and retries: how long to wait after each kind of reply.

The rules follow GitHub's REST and GraphQL documentation on rate limits:

- ``x-ratelimit-remaining: 0`` means the primary budget is spent, so wait until
  ``x-ratelimit-reset`` (epoch seconds);
- a 403 or 429 with ``retry-after`` means wait that many seconds;
- any other secondary limit means wait at least 60 s, then back off
  exponentially while it repeats;
- 5xx replies, resets and truncated bodies are transient: retry after 1, 2, 4 ...
  seconds.

Waiting goes through a ``Clock`` so tests can run the waits without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

SECONDARY_MIN_WAIT_SECONDS = 60.0
SECONDARY_MAX_WAIT_SECONDS = 960.0
TRANSIENT_FIRST_WAIT_SECONDS = 1.0
TRANSIENT_MAX_WAIT_SECONDS = 60.0
# A reset time is read from GitHub's clock; this margin covers a local clock
# that runs slightly behind it.
RESET_MARGIN_SECONDS = 1.0
# Attempts per request for each kind of failure before the sync stops.
TRANSIENT_ATTEMPTS = 6
RATE_LIMIT_ATTEMPTS = 8


class Clock(Protocol):
    """Wall-clock time in epoch seconds, and a way to wait."""

    def time(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass
class Budget:
    """The primary rate-limit budget as the last reply reported it; ``None`` where unknown."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None
    resource: str | None = None

    def update(self, headers: Mapping[str, str]) -> None:
        limit = _integer(headers.get("x-ratelimit-limit"))
        remaining = _integer(headers.get("x-ratelimit-remaining"))
        reset = _integer(headers.get("x-ratelimit-reset"))
        if remaining is not None:
            self.limit, self.remaining = limit, remaining
            self.reset_at = float(reset) if reset is not None else None
            self.resource = headers.get("x-ratelimit-resource")

    def wait_before_next(self, now: float) -> float:
        """Seconds to wait before sending anything, so a spent budget is not hit again."""
        if self.remaining == 0 and self.reset_at is not None and self.reset_at > now:
            return self.reset_at - now + RESET_MARGIN_SECONDS
        return 0.0


def _integer(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value.strip()))
    except ValueError:
        return None


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Return the ``retry-after`` header in seconds (GitHub sends whole seconds, not an HTTP date)."""
    value = _integer(headers.get("retry-after"))
    return float(max(value, 0)) if value is not None else None


def primary_wait(headers: Mapping[str, str], now: float) -> float | None:
    """Return the seconds until the primary budget resets, when the reply reports it spent."""
    if _integer(headers.get("x-ratelimit-remaining")) != 0:
        return None
    reset = _integer(headers.get("x-ratelimit-reset"))
    if reset is None:
        return None
    return max(reset - now, 0.0) + RESET_MARGIN_SECONDS


def secondary_wait(headers: Mapping[str, str], repeat: int) -> float:
    """Wait after the ``repeat``-th secondary limit in a row (1-based)."""
    after = retry_after_seconds(headers)
    if after is not None:
        return after
    return min(SECONDARY_MIN_WAIT_SECONDS * 2 ** (repeat - 1), SECONDARY_MAX_WAIT_SECONDS)


def transient_wait(headers: Mapping[str, str], attempt: int) -> float:
    """Wait after the ``attempt``-th transient failure in a row (1-based)."""
    backoff = min(TRANSIENT_FIRST_WAIT_SECONDS * 2 ** (attempt - 1), TRANSIENT_MAX_WAIT_SECONDS)
    after = retry_after_seconds(headers)
    return max(backoff, after) if after is not None else backoff
