"""One HTTP exchange with GitHub, through httpx or the gh CLI.

A transport sends exactly one request and returns the raw status, headers and
body; it never retries and never interprets rate limits. ``GitHubClient`` does
both, the same way for every transport.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from urllib.parse import urlsplit
from urllib.request import proxy_bypass_environment

import httpx
import orjson

from agentlanes import __version__
from agentlanes.github.endpoint import Endpoint, Secret, redact

USER_AGENT = f"agentlanes/{__version__}"
# ``mergeStateStatus`` is a preview field of GitHub's GraphQL API; this media type enables it.
GRAPHQL_ACCEPT = "application/vnd.github.merge-info-preview+json"
# GitHub gives up on a GraphQL query after 10 s and replies 502. Waiting longer for
# the reply only matters for slow links, so reads get three times that.
READ_TIMEOUT_SECONDS = 30.0
CONNECT_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Response:
    """A reply as received: status code, headers with lower-case names, raw body."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class TransportError(Exception):
    """The exchange failed before a complete reply arrived (reset, timeout, refused).

    ``retryable`` is false when repeating the request cannot help, for example a
    TLS certificate that does not verify.
    """

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class Transport(Protocol):
    """Sends one request to GitHub. ``name`` appears in logs and the sync report."""

    name: str

    def graphql(self, query: str, variables: Mapping[str, Any]) -> Response: ...

    def rest(self, method: str, path: str, body: Any = None) -> Response: ...

    def close(self) -> None: ...


def ssl_context(env: Mapping[str, str] | None = None) -> ssl.SSLContext:
    """Return a TLS context with the certifi roots, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when set (gh honours them too)."""
    env = os.environ if env is None else env
    cafile = env.get("SSL_CERT_FILE") or None
    capath = env.get("SSL_CERT_DIR") or None
    if cafile or capath:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def proxy_for(url: str, env: Mapping[str, str] | None = None) -> str | None:
    """Return the proxy URL for ``url`` from ``HTTPS_PROXY`` / ``ALL_PROXY`` (any case), honouring ``NO_PROXY``.

    httpx would read these itself with ``trust_env``, but that also applies
    ``.netrc`` credentials over the token, so the proxy is chosen here instead.
    """
    variables = os.environ if env is None else env
    proxies = {name.lower()[: -len("_proxy")]: value for name, value in variables.items()
               if name.lower().endswith("_proxy") and value}
    parts = urlsplit(url)
    if proxy_bypass_environment(parts.hostname or "", proxies):
        return None
    return proxies.get(parts.scheme) or proxies.get("all")


def _is_certificate_error(exc: BaseException) -> bool:
    """Check whether a certificate check failed anywhere in the exception chain (retrying cannot fix that)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class HttpTransport:
    """HTTPS with a token through httpx, with one keep-alive connection."""

    name = "http"

    def __init__(self, endpoint: Endpoint, token: Secret, env: Mapping[str, str] | None = None) -> None:
        self._endpoint = endpoint
        self._token = token
        self._client = httpx.Client(
            headers={
                "Accept": "application/vnd.github+json",
                "User-Agent": USER_AGENT,
                "X-GitHub-Api-Version": "2022-11-28",
            },
            timeout=httpx.Timeout(READ_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS),
            verify=ssl_context(env),
            proxy=proxy_for(endpoint.api_url, env),
            trust_env=False,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"HttpTransport({self._endpoint.api_url!r})"

    def _send(self, method: str, url: str, body: Any, accept: str | None = None) -> Response:
        content = orjson.dumps(body) if body is not None else None
        headers = {"Authorization": f"Bearer {self._token.reveal()}"}
        if accept:
            headers["Accept"] = accept
        if content is not None:
            headers["Content-Type"] = "application/json"
        try:
            reply = self._client.request(method, url, content=content, headers=headers)
        except httpx.ConnectError as exc:
            raise TransportError(self._describe(exc, url), retryable=not _is_certificate_error(exc)) from None
        except httpx.HTTPError as exc:
            raise TransportError(self._describe(exc, url)) from None
        return Response(reply.status_code, {k.lower(): v for k, v in reply.headers.items()}, reply.content)

    def _describe(self, exc: Exception, url: str) -> str:
        detail = redact(str(exc) or type(exc).__name__, (self._token,))
        return f"{type(exc).__name__} on {url}: {detail}"

    def graphql(self, query: str, variables: Mapping[str, Any]) -> Response:
        body = {"query": query, "variables": dict(variables)}
        return self._send("POST", self._endpoint.graphql_url, body, accept=GRAPHQL_ACCEPT)

    def rest(self, method: str, path: str, body: Any = None) -> Response:
        return self._send(method.upper(), f"{self._endpoint.api_url}/{path.lstrip('/')}", body)

    def close(self) -> None:
        self._client.close()
