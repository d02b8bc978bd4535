"""Send GraphQL and REST requests one at a time, with retries and rate-limit waits.

``GitHubClient`` wraps a transport. It sends one request at a time (GitHub
counts concurrent requests against the secondary limit), waits as the reply's
status and rate-limit headers require (see ``agentlanes.github.ratelimit``),
retries transient failures,
and stops with a ``RemoteError`` when retries do not help. ``max_requests``
caps the requests of one run; reaching it raises ``RequestLimitReached``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson

from agentlanes.errors import RemoteError
from agentlanes.github import ratelimit
from agentlanes.github.endpoint import Secret, redact
from agentlanes.github.ratelimit import Budget, Clock, SystemClock
from agentlanes.github.transport import Response, Transport, TransportError

log = logging.getLogger("agentlanes.github")

# GraphQL error messages GitHub (and GHES) send when a query ran past its time limit.
_TIMEOUT_PHRASES = ("timeout", "timed out", "something went wrong while executing your query")
RETRY_HINT = "run the command again later; agentlanes sync resumes where it stopped"


class RequestLimitReached(Exception):
    """The run used all requests that ``max_requests`` allowed."""


class HTTPStatusError(RemoteError):
    """GitHub answered with an error status (401, 403 without a rate limit, 404, 422 ...) that retrying cannot fix."""

    def __init__(self, message: str, hint: str, status: int) -> None:
        super().__init__(message, hint)
        self.status = status


class QueryRejected(RemoteError):
    """GitHub rejected a GraphQL query without running it (a field it does not know, an invalid argument).

    ``errors`` contains the error objects of the reply, so a caller can tell which
    fields an older server lacks.
    """

    def __init__(self, message: str, hint: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message, hint)
        self.errors = errors


class ClientObserver(Protocol):
    def requested(self, count: int, budget: Budget) -> None: ...

    def waiting(self, seconds: float, reason: str) -> None: ...


@dataclass
class GraphQLReply:
    """The ``data`` of a GraphQL reply and any errors GitHub sent beside it."""

    data: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Outcome:
    kind: str  # ok, transient, timeout, primary, secondary, fatal
    detail: str = ""
    payload: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    status: int = 0


def _json(response: Response) -> Any:
    return orjson.loads(response.body) if response.body.strip() else None


def _message(payload: Any) -> str:
    if isinstance(payload, dict):
        if isinstance(payload.get("message"), str):
            return payload["message"]
        errors = payload.get("errors")
        if isinstance(errors, list) and errors:
            return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors[:3])
    return ""


def _classify_limits(response: Response, payload: Any, now: float) -> _Outcome | None:
    message = _message(payload)
    lowered = message.lower()
    if response.status in (403, 429) or "rate limit" in lowered:
        if ratelimit.primary_wait(response.headers, now) is not None:
            return _Outcome("primary", message or f"HTTP {response.status}", headers=response.headers)
        if response.header("retry-after") is not None or "rate limit" in lowered or "abuse" in lowered:
            return _Outcome("secondary", message or f"HTTP {response.status}", headers=response.headers)
    return None


def classify(response: Response, now: float, graphql: bool) -> _Outcome:
    """Sort one reply into success, a kind of wait, or a failure that retrying cannot fix."""
    try:
        payload = _json(response)
    except orjson.JSONDecodeError as exc:
        if 200 <= response.status < 300:
            return _Outcome("transient", f"HTTP {response.status} with an incomplete or malformed JSON body ({exc})", headers=response.headers)
        payload = None  # error pages (502 ...) are often HTML

    limited = _classify_limits(response, payload, now)
    if limited is not None:
        return limited
    if response.status in (502, 504):
        return _Outcome("timeout", f"HTTP {response.status} (GitHub's reply when a query runs too long)", headers=response.headers)
    if response.status >= 500:
        return _Outcome("transient", f"HTTP {response.status} {_message(payload)}".strip(), headers=response.headers)
    if response.status == 401:
        return _Outcome("fatal", f"HTTP 401 {_message(payload) or 'Bad credentials'}".strip(), status=401)
    if not 200 <= response.status < 300:
        return _Outcome("fatal", f"HTTP {response.status} {_message(payload)}".strip(), status=response.status)

    if not graphql:
        return _Outcome("ok", payload=payload)
    if not isinstance(payload, dict):
        return _Outcome("transient", "the GraphQL reply is not a JSON object", headers=response.headers)
    errors = [e for e in payload.get("errors") or [] if isinstance(e, dict)]
    data = payload.get("data")
    if not isinstance(data, dict):
        text = _message(payload) or "no data and no error message"
        if any(phrase in text.lower() for phrase in _TIMEOUT_PHRASES):
            return _Outcome("timeout", text, headers=response.headers)
        return _Outcome("fatal", f"GitHub rejected the query: {text}", payload=errors)
    return _Outcome("ok", payload=GraphQLReply(data, errors))


def _clock_text(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M:%S UTC")


class GitHubClient:
    """One GitHub connection for one run; not safe to share between threads."""

    def __init__(
        self,
        transport: Transport,
        *,
        clock: Clock | None = None,
        max_requests: int | None = None,
        observer: ClientObserver | None = None,
        secrets: tuple[Secret | None, ...] = (),
    ) -> None:
        self.transport = transport
        self.clock = clock or SystemClock()
        self.max_requests = max_requests
        self.observer = observer
        self.requests = 0
        self.retries = 0
        self.waited_seconds = 0.0
        # GitHub keeps separate budgets for GraphQL and REST ("core").
        self.budgets = {"graphql": Budget(), "core": Budget()}
        self._secrets = secrets
        # Failures in a row of the request being sent, reset by every success.
        self._transient_attempts = 0
        self._limit_attempts = 0

    def graphql(
        self,
        query: str,
        variables: Mapping[str, Any],
        *,
        description: str,
        shrink: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None,
        check: Callable[[GraphQLReply, dict[str, Any]], str | None] | None = None,
    ) -> GraphQLReply:
        """Run one query until it succeeds; ``description`` names it in logs and errors.

        ``shrink`` returns smaller variables to retry with after a timeout (or
        ``None`` to keep them). ``check`` returns a problem found in a reply that
        looks successful, which makes the request count as failed and repeat.
        """
        current = dict(variables)

        def send() -> Response:
            return self.transport.graphql(query, current)

        while True:
            outcome = self._exchange(send, graphql=True)
            if outcome.kind == "ok" and check is not None:
                problem = check(outcome.payload, current)
                if problem:
                    outcome = _Outcome("transient", problem)
            if outcome.kind == "ok":
                self._reset_attempts()
                return outcome.payload  # type: ignore[no-any-return]
            if outcome.kind == "timeout" and shrink is not None:
                current = shrink(current) or current
            self._after_failure(outcome, description)

    def rest(self, method: str, path: str, body: Any = None, *, description: str, retry_transient: bool = True) -> Any:
        """Send one REST request until it succeeds; return the decoded JSON (``None`` for no body).

        With ``retry_transient=False`` a 5xx reply, a timeout or a lost connection
        raises ``RemoteError`` instead of sending the request again: use it for
        requests that must not take effect twice, such as posting a comment,
        because GitHub may have acted on a request whose reply was lost. Rate-limit
        replies are still waited out and repeated, since GitHub did not act on them.
        """
        while True:
            outcome = self._exchange(lambda: self.transport.rest(method, path, body), graphql=False)
            if outcome.kind == "ok":
                self._reset_attempts()
                return outcome.payload
            if not retry_transient and outcome.kind in ("transient", "timeout"):
                raise RemoteError(
                    f"{description} failed: {outcome.detail}",
                    "GitHub may have acted on the request although its reply was lost; check before repeating it",
                )
            self._after_failure(outcome, description)

    @property
    def budget(self) -> Budget:
        """The GraphQL budget, which sync spends."""
        return self.budgets["graphql"]

    def _reset_attempts(self) -> None:
        self._transient_attempts = 0
        self._limit_attempts = 0

    def _exchange(self, send: Callable[[], Response], graphql: bool) -> _Outcome:
        if self.max_requests is not None and self.requests >= self.max_requests:
            raise RequestLimitReached(self.max_requests)
        budget = self.budgets["graphql" if graphql else "core"]
        pause = budget.wait_before_next(self.clock.time())
        if pause > 0:
            self._wait(pause, f"rate limit spent; it resets at {_clock_text(budget.reset_at or 0)}")
        self.requests += 1
        try:
            response = send()
        except TransportError as exc:
            kind = "transient" if exc.retryable else "fatal"
            return _Outcome(kind, redact(str(exc), self._secrets))
        budget.update(response.headers)
        if self.observer is not None:
            self.observer.requested(self.requests, budget)
        outcome = classify(response, self.clock.time(), graphql)
        outcome.detail = redact(outcome.detail, self._secrets)
        return outcome

    def _after_failure(self, outcome: _Outcome, description: str) -> None:
        if outcome.kind == "fatal":
            if outcome.status:
                raise HTTPStatusError(f"{description} failed: {outcome.detail}", _fatal_hint(outcome.detail), outcome.status)
            if isinstance(outcome.payload, list):
                raise QueryRejected(f"{description} failed: {outcome.detail}", _fatal_hint(outcome.detail), outcome.payload)
            raise RemoteError(f"{description} failed: {outcome.detail}", _fatal_hint(outcome.detail))
        if outcome.kind in ("transient", "timeout"):
            self._transient_attempts += 1
            if self._transient_attempts >= ratelimit.TRANSIENT_ATTEMPTS:
                raise RemoteError(
                    f"{description} failed {self._transient_attempts} times in a row; last error: {outcome.detail}",
                    RETRY_HINT,
                )
            seconds = ratelimit.transient_wait(outcome.headers, self._transient_attempts)
            reason = f"{description}: {outcome.detail}; retry {self._transient_attempts} of {ratelimit.TRANSIENT_ATTEMPTS - 1}"
        else:
            self._limit_attempts += 1
            if self._limit_attempts >= ratelimit.RATE_LIMIT_ATTEMPTS:
                raise RemoteError(f"{description}: still rate limited after {self._limit_attempts} waits ({outcome.detail})", RETRY_HINT)
            seconds = None
            if outcome.kind == "primary":
                seconds = ratelimit.primary_wait(outcome.headers, self.clock.time())
            if seconds is None:
                seconds = ratelimit.secondary_wait(outcome.headers, self._limit_attempts)
            kind = "rate limit" if outcome.kind == "primary" else "secondary rate limit"
            reason = f"{description}: {kind} ({outcome.detail})"
        self.retries += 1
        self._wait(seconds, reason)

    def _wait(self, seconds: float, reason: str) -> None:
        log.warning("waiting %.0f s: %s", seconds, reason)
        if self.observer is not None:
            self.observer.waiting(seconds, reason)
        self.waited_seconds += seconds
        self.clock.sleep(seconds)


def _fatal_hint(detail: str) -> str:
    if detail.startswith("HTTP 401"):
        return "check GH_TOKEN / GITHUB_TOKEN, or run `gh auth login` (gh auth status shows the active account)"
    if detail.startswith("HTTP 403"):
        return "the token needs read access to the repository's issues, pull requests and contents"
    if detail.startswith("HTTP 404"):
        return "check the repository name and that the token can see it"
    if "certificate" in detail.lower() or "ssl" in detail.lower():
        return "set SSL_CERT_FILE to the certificate authority of your GitHub Enterprise Server"
    return "check --api-url and the repository name; run with a newer agentlanes if GitHub changed its API"
