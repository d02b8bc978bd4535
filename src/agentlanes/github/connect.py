"""Choose the transport: the gh CLI when it is installed and signed in, else HTTPS with a token."""

from __future__ import annotations

import os
from collections.abc import Mapping

from agentlanes.errors import InputError, RemoteError
from agentlanes.github.endpoint import Endpoint, Secret, find_token
from agentlanes.github.ghcli import GhTransport, find_gh, gh_authenticated
from agentlanes.github.transport import HttpTransport, Transport

TRANSPORTS = ("auto", "gh", "http")


def open_transport(
    kind: str, endpoint: Endpoint, env: Mapping[str, str] | None = None
) -> tuple[Transport, tuple[Secret | None, ...]]:
    """Return the transport for ``kind`` and the secrets to scrub from its messages.

    ``auto`` takes gh when it has a token for the host (see ``gh_authenticated``),
    else a token from ``GH_TOKEN`` / ``GITHUB_TOKEN`` (``GH_ENTERPRISE_TOKEN``
    first for Enterprise hosts) over HTTPS.
    """
    env = dict(os.environ if env is None else env)
    if kind not in TRANSPORTS:
        raise InputError(f"invalid transport {kind!r}", f"use one of: {', '.join(TRANSPORTS)}")
    token = find_token(env, endpoint)
    if kind in ("auto", "gh"):
        executable = find_gh(env)
        if executable and gh_authenticated(executable, endpoint.host, env):
            return GhTransport(endpoint, executable, env), (token,)
        if kind == "gh":
            if executable is None:
                raise RemoteError("gh is not installed (not found on PATH)", "install GitHub CLI, or use --transport http with GH_TOKEN")
            raise RemoteError(
                f"gh is not signed in to {endpoint.host}",
                f"run `gh auth login --hostname {endpoint.host}`, or set GH_TOKEN",
            )
    if token is None:
        names = "GH_ENTERPRISE_TOKEN or GH_TOKEN" if endpoint.is_enterprise else "GH_TOKEN or GITHUB_TOKEN"
        raise RemoteError(
            f"no GitHub credentials for {endpoint.host}",
            f"run `gh auth login --hostname {endpoint.host}`, or set {names} to a token with read access (dispatch --apply also needs write access to issues)",
        )
    return HttpTransport(endpoint, token, env), (token,)
