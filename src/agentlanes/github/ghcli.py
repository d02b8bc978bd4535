"""The gh CLI as a transport: ``gh api graphql`` and ``gh api PATH``.

gh reads its own credentials (``gh auth login``, ``GH_TOKEN``,
``GH_ENTERPRISE_TOKEN``), so agentlanes never reads the token on this path.
``--include`` makes gh print the status line and headers before the body, which
gives the rate-limit headers the same way the HTTP transport gets them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

import orjson

from agentlanes.errors import RemoteError
from agentlanes.github.endpoint import Endpoint, find_token, redact
from agentlanes.github.transport import GRAPHQL_ACCEPT, READ_TIMEOUT_SECONDS, Response, TransportError

# stderr phrases of gh (2.23) after which repeating the request cannot help.
_PERMANENT_PHRASES = (
    "authentication", "gh auth login", "x509", "certificate", "token", "not logged", "usage:", "unknown flag",
)


def find_gh(env: Mapping[str, str] | None = None) -> str | None:
    """Return the path of the gh executable on the environment's PATH, or ``None``."""
    variables = os.environ if env is None else env
    return shutil.which("gh", path=variables.get("PATH", os.defpath))


def gh_environment(host: str, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the environment for gh, aimed at ``host``.

    gh 2.23 rejects ``--hostname`` values with a port (``localhost:8443``) but
    accepts them in ``GH_HOST``, so the host always goes there.
    """
    return {**(os.environ if env is None else env), "GH_HOST": host, "GH_PROMPT_DISABLED": "1", "GH_NO_UPDATE_NOTIFIER": "1"}


def gh_authenticated(executable: str, host: str, env: Mapping[str, str] | None = None) -> bool:
    """Check whether gh has a token for ``host``, without contacting GitHub.

    gh 2.23's ``gh auth token`` reports stored logins and ``GH_TOKEN`` but not
    ``GH_ENTERPRISE_TOKEN``, which ``gh api`` does use for Enterprise hosts, so
    that variable is checked here.
    """
    variables = os.environ if env is None else env
    if host != "github.com" and any(variables.get(name) for name in ("GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN")):
        return True
    try:
        result = subprocess.run(
            [executable, "auth", "token"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=gh_environment(host, env),
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def parse_included(stdout: bytes) -> Response | None:
    """Split ``gh api --include`` output into a response; ``None`` if no status line arrived."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        head, found, body = stdout.partition(separator)
        if found:
            break
    else:
        return None
    lines = head.decode("latin-1").splitlines()
    if not lines or not lines[0].startswith("HTTP/"):
        return None
    fields = lines[0].split()
    if len(fields) < 2 or not fields[1].isdigit():
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    return Response(int(fields[1]), headers, body)


class GhTransport:
    """Runs one ``gh api`` process per request against ``endpoint.host``."""

    name = "gh"

    def __init__(self, endpoint: Endpoint, executable: str, env: Mapping[str, str] | None = None) -> None:
        self._endpoint = endpoint
        self._executable = executable
        self._env = gh_environment(endpoint.host, env)
        # Only used to scrub gh's messages; gh itself reads the token.
        self._secrets = (find_token(self._env, endpoint),)

    def __repr__(self) -> str:
        return f"GhTransport({self._executable!r}, host={self._endpoint.host!r})"

    def _run(self, arguments: list[str], body: Any) -> Response:
        command = [self._executable, "api", "--include", *arguments]
        stdin = orjson.dumps(body) if body is not None else b""
        if body is not None:
            command += ["--input", "-"]
        try:
            result = subprocess.run(
                command,
                input=stdin,
                capture_output=True,
                env=self._env,
                timeout=READ_TIMEOUT_SECONDS * 2,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise TransportError(f"gh api timed out after {READ_TIMEOUT_SECONDS * 2:.0f} s") from None
        except OSError as exc:
            raise RemoteError(f"cannot run {self._executable}: {exc.strerror}", "check the gh installation, or use --transport http") from None
        response = parse_included(result.stdout)
        if response is not None:
            return response
        stderr = result.stderr.decode("utf-8", "replace").strip()
        message = redact(stderr.splitlines()[0] if stderr else f"exit status {result.returncode}", self._secrets)
        retryable = not any(phrase in message.lower() for phrase in _PERMANENT_PHRASES)
        raise TransportError(f"gh api failed: {message}", retryable=retryable)

    def graphql(self, query: str, variables: Mapping[str, Any]) -> Response:
        return self._run(["--method", "POST", "--header", f"Accept: {GRAPHQL_ACCEPT}", "graphql"], {"query": query, "variables": dict(variables)})

    def rest(self, method: str, path: str, body: Any = None) -> Response:
        return self._run(["--method", method.upper(), path.lstrip("/")], body)

    def close(self) -> None:
        """Nothing to release: every request is its own process."""
