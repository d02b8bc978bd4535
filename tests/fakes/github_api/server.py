"""A GitHub API fake served over TLS on 127.0.0.1, as gh and httpx reach GitHub Enterprise Server.

REST lives under ``/api/v3/`` and GraphQL at ``POST /api/graphql``. The fake keeps
a request log, mutable repository state (``fake.state``), a primary rate-limit
budget reported in ``x-ratelimit-*`` headers, injectable faults, and a route
table that tests extend with ``fake.add_route(method, pattern, handler)``.
"""

from __future__ import annotations

import functools
import re
import socket
import ssl
import struct
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson
import trustme

from fakes.github_api.faults import BEFORE_KINDS, Fault
from fakes.github_api.graphql import GraphQLEngine
from fakes.github_api.state import FakeState, ManualClock

_OPERATION = re.compile(r"^\s*(?:query|mutation)\s+(\w+)")
DEFAULT_TOKEN = "fake-token-0123456789abcdef"


@dataclass
class FakeRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any = None
    operation: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    status: int = 0
    fault: str | None = None


@dataclass
class FakeResponse:
    status: int = 200
    json: Any = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def payload(self) -> bytes:
        if self.body is not None:
            return self.body
        return orjson.dumps(self.json) if self.json is not None else b""


Handler = Callable[["FakeGitHub", FakeRequest, re.Match[str]], FakeResponse]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeGitHub

    def finish_request(self, request: Any, client_address: Any) -> None:
        try:
            wrapped = self.fake.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        self.RequestHandlerClass(wrapped, client_address, self)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Keep the test output clean; the fake's request log has every request."""

    def handle(self) -> None:
        try:
            super().handle()
        except (OSError, ValueError):
            pass

    def finish(self) -> None:
        try:
            super().finish()
        except (OSError, ValueError):
            pass

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        body = self._read_body()
        split = urlsplit(self.path)
        request = FakeRequest(self.command, split.path, dict(parse_qsl(split.query)),
                              {k.lower(): v for k, v in self.headers.items()}, body)
        self.server.fake.serve(request, self)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def send(self, response: FakeResponse, payload: bytes, *, length: int | None = None, reset: bool = False) -> None:
        self.send_response(response.status)
        headers = {"Content-Type": "application/json; charset=utf-8", **response.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload) if length is None else length))
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()


@functools.lru_cache(maxsize=1)
def _certificates() -> tuple[trustme.CA, trustme.LeafCert]:
    """One certificate authority and server certificate per process (making them takes a moment)."""
    authority = trustme.CA()
    return authority, authority.issue_cert("localhost", "127.0.0.1")


class FakeGitHub:
    """Start with ``with FakeGitHub(tmp_path) as fake:``; the attributes give the URLs and CA file."""

    def __init__(self, folder: Path, *, token: str = DEFAULT_TOKEN, clock: ManualClock | None = None,
                 rate_limit: int = 5000) -> None:
        self.clock = clock or ManualClock()
        self.token = token
        self.state = FakeState(self.clock)
        self.graphql = GraphQLEngine(self.state)
        self.log: list[FakeRequest] = []
        self.faults: list[Fault] = []
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.rate_limit = rate_limit
        self.remaining = rate_limit
        self.reset_at = int(self.clock.time()) + 3600
        self._lock = threading.Lock()
        authority, certificate = _certificates()
        self.ca_file = folder / "fake-github-ca.pem"
        authority.cert_pem.write_to_path(str(self.ca_file))
        self.ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(self.ssl_context)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self.port = self._server.server_address[1]
        self.host = f"localhost:{self.port}"
        self.url = f"https://{self.host}"
        self.api_url = f"{self.url}/api/v3"
        self.graphql_url = f"{self.url}/api/graphql"
        self._thread: threading.Thread | None = None
        _register_default_routes(self)

    def __enter__(self) -> FakeGitHub:
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-github", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # Extension points

    def add_route(self, method: str, pattern: str, handler: Handler) -> None:
        """Serve ``method`` requests whose path (after /api/v3) matches ``pattern``; later routes win."""
        self.routes.insert(0, (method.upper(), re.compile(f"^{pattern}$"), handler))

    def inject(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def set_budget(self, remaining: int, reset_in: int = 3600) -> None:
        with self._lock:
            self.remaining = remaining
            self.reset_at = int(self.clock.time()) + reset_in

    def requests(self, operation: str | None = None) -> list[FakeRequest]:
        with self._lock:
            return [r for r in self.log if operation is None or r.operation == operation]

    def env(self, folder: Path) -> dict[str, str]:
        """Environment variables that point gh (GH_HOST ...) and agentlanes at this fake."""
        config = folder / "gh-config"
        config.mkdir(exist_ok=True)
        return {
            "GH_HOST": self.host, "GH_ENTERPRISE_TOKEN": self.token, "SSL_CERT_FILE": str(self.ca_file),
            "GH_CONFIG_DIR": str(config), "GITHUB_API_URL": self.api_url, "GH_PROMPT_DISABLED": "1",
            "GH_NO_UPDATE_NOTIFIER": "1", "NO_COLOR": "1", "NO_PROXY": "localhost,127.0.0.1",
            "no_proxy": "localhost,127.0.0.1",
        }

    # Serving

    def serve(self, request: FakeRequest, handler: _Handler) -> None:
        if request.body:
            try:
                request.json = orjson.loads(request.body)
            except orjson.JSONDecodeError:
                request.json = None
        if request.path == "/api/graphql" and isinstance(request.json, dict):
            request.variables = request.json.get("variables") or {}
            match = _OPERATION.match(str(request.json.get("query") or ""))
            request.operation = request.json.get("operationName") or (match.group(1) if match else None)
        with self._lock:
            self.log.append(request)
            fault = next((f for f in self.faults if f.take(request)), None)
        request.fault = fault.kind if fault else None
        try:
            response = self._respond(request, fault)
        except Exception as exc:  # a broken test handler must show up as a 500, not a dropped connection
            traceback.print_exc()
            response = FakeResponse(500, {"message": f"fake handler failed: {exc!r}"})
        response.headers.update(self._budget_headers(request))
        request.status = response.status
        payload = response.payload()
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.seconds)
        if fault is not None and fault.kind == "truncated":
            payload = payload[: len(payload) // 2]
            handler.send(response, payload)
        elif fault is not None and fault.kind == "reset":
            handler.send(response, payload[: len(payload) // 2], length=len(payload), reset=True)
        else:
            handler.send(response, payload)

    def _respond(self, request: FakeRequest, fault: Fault | None) -> FakeResponse:
        if not self._authorized(request):
            return FakeResponse(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
        if fault is not None and fault.kind in BEFORE_KINDS:
            return self._fault_response(fault, request)
        spent = self._spend(request)
        if spent is not None:
            return spent
        if request.path == "/api/graphql" and request.method == "POST":
            response = self._graphql(request)
            if fault is not None and fault.kind == "repeat_cursor":
                _repeat_cursor(response, request)
            return response
        rest_path = request.path.removeprefix("/api/v3") or "/"
        for method, pattern, route in self.routes:
            found = pattern.match(rest_path)
            if found and method == request.method:
                return route(self, request, found)
        return FakeResponse(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})

    def _authorized(self, request: FakeRequest) -> bool:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() in ("token", "bearer") and value == self.token

    def _spend(self, request: FakeRequest) -> FakeResponse | None:
        with self._lock:
            if self.clock.time() >= self.reset_at:
                self.remaining, self.reset_at = self.rate_limit, int(self.clock.time()) + 3600
            if self.remaining > 0:
                self.remaining -= 1
                return None
        message = "API rate limit exceeded for user ID 1."
        if request.path == "/api/graphql":
            return FakeResponse(200, {"errors": [{"type": "RATE_LIMITED", "message": message}]})
        return FakeResponse(403, {"message": message})

    def _budget_headers(self, request: FakeRequest) -> dict[str, str]:
        with self._lock:
            headers = {
                "x-ratelimit-limit": str(self.rate_limit), "x-ratelimit-remaining": str(self.remaining),
                "x-ratelimit-used": str(self.rate_limit - self.remaining), "x-ratelimit-reset": str(self.reset_at),
                "x-ratelimit-resource": "graphql" if request.path == "/api/graphql" else "core",
            }
        if request.fault == "rate_limited_body":
            headers["x-ratelimit-remaining"] = "0"
        return headers

    def _fault_response(self, fault: Fault, request: FakeRequest) -> FakeResponse:
        if fault.kind == "status":
            return FakeResponse(fault.status, body=b"<html><body><h1>Bad Gateway</h1></body></html>",
                                headers={"Content-Type": "text/html"})
        if fault.kind == "secondary_limit":
            headers = {"retry-after": str(fault.retry_after)} if fault.retry_after is not None else {}
            message = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
            return FakeResponse(403, {"message": message, "documentation_url": "https://docs.github.com/rest"}, headers=headers)
        with self._lock:
            self.remaining, self.reset_at = 0, int(self.clock.time()) + fault.reset_in
        return FakeResponse(200, {"data": None, "errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}]})

    def _graphql(self, request: FakeRequest) -> FakeResponse:
        if not isinstance(request.json, dict) or not isinstance(request.json.get("query"), str):
            return FakeResponse(400, {"message": "Problems parsing JSON"})
        reply = self.graphql.run(request.json["query"], request.variables, request.json.get("operationName"), {})
        return FakeResponse(200, reply)


def _repeat_cursor(response: FakeResponse, request: FakeRequest) -> None:
    repository = ((response.json or {}).get("data") or {}).get("repository") or {}
    for connection in repository.values():
        if isinstance(connection, dict) and "pageInfo" in connection and request.variables.get("after"):
            connection["pageInfo"]["endCursor"] = request.variables["after"]


def _register_default_routes(fake: FakeGitHub) -> None:
    def meta(_fake: FakeGitHub, _request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        return FakeResponse(200, {"verifiable_password_authentication": False, "installed_version": "3.14.0"})

    def rate_limit(fake: FakeGitHub, _request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        core = {"limit": fake.rate_limit, "remaining": fake.remaining, "reset": fake.reset_at}
        return FakeResponse(200, {"resources": {"core": core, "graphql": core}, "rate": core})

    def user(_fake: FakeGitHub, _request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        return FakeResponse(200, {"login": "octocat", "id": 1, "type": "User"}, headers={"x-oauth-scopes": "repo, read:org"})

    def repository(fake: FakeGitHub, _request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        found = fake.state.repository(match["owner"], match["repo"])
        if found is None:
            return FakeResponse(404, {"message": "Not Found"})
        return FakeResponse(200, {"name": found.name, "full_name": found.full_name, "default_branch": found.default_branch,
                                  "owner": {"login": found.owner}, "private": False})

    fake.add_route("GET", "/?", meta)
    fake.add_route("GET", "/meta", meta)
    fake.add_route("GET", "/rate_limit", rate_limit)
    fake.add_route("GET", "/user", user)
    fake.add_route("GET", r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)", repository)

    from fakes.github_api.rest import register_issue_routes

    register_issue_routes(fake)
