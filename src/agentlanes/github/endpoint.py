"""GitHub endpoints, repository names and tokens.

``GITHUB_API_URL`` (set by GitHub Actions, also on GitHub Enterprise Server) or
``--api-url`` picks the REST base URL; the GraphQL URL follows from it as GitHub
lays them out: ``https://api.github.com`` -> ``https://api.github.com/graphql``
and ``https://HOST/api/v3`` -> ``https://HOST/api/graphql``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from agentlanes.errors import InputError

DEFAULT_API_URL = "https://api.github.com"
PUBLIC_HOST = "github.com"

# GitHub's own rules: owners are letters, digits and single hyphens; repository
# names also allow dots and underscores.
_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


class Secret:
    """A token that prints as ``***`` in every repr, str, log line and error."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the token itself; call this only to build the Authorization header."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True)
class Endpoint:
    """The REST and GraphQL URLs of one GitHub installation, and its host name as gh names it."""

    api_url: str
    graphql_url: str
    host: str

    @property
    def is_enterprise(self) -> bool:
        return self.host != PUBLIC_HOST


def resolve_endpoint(api_url: str | None = None, env: Mapping[str, str] | None = None) -> Endpoint:
    """Build the endpoint from ``--api-url``, else ``GITHUB_API_URL``, else github.com."""
    env = os.environ if env is None else env
    raw = (api_url or env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise InputError(
            f"invalid API URL {raw!r}",
            "use https://api.github.com or, for GitHub Enterprise Server, https://HOST/api/v3",
        )
    if parts.netloc == "api.github.com":
        return Endpoint(api_url=raw, graphql_url=f"{raw}/graphql", host=PUBLIC_HOST)
    if parts.path.endswith("/api/v3"):
        base = raw[: -len("/v3")]
        return Endpoint(api_url=raw, graphql_url=f"{base}/graphql", host=parts.netloc)
    return Endpoint(api_url=raw, graphql_url=f"{raw}/graphql", host=parts.netloc)


@dataclass(frozen=True)
class RepoRef:
    """A repository named ``OWNER/REPO``; ``host`` is empty when the name did not give one."""

    owner: str
    name: str
    host: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def __str__(self) -> str:
        return f"{self.host}/{self.full_name}" if self.host else self.full_name


def parse_repo(value: str) -> RepoRef:
    """Parse ``OWNER/REPO`` or ``HOST/OWNER/REPO`` (as ``gh -R`` takes it)."""
    parts = value.strip().strip("/").split("/")
    if len(parts) == 2:
        host, owner, name = "", parts[0], parts[1]
    elif len(parts) == 3:
        host, owner, name = parts
    else:
        raise InputError(f"invalid repository {value!r}", "write it as OWNER/REPO, e.g. cli/cli, or HOST/OWNER/REPO")
    if name.endswith(".git"):
        name = name[: -len(".git")]
    if not _OWNER.match(owner) or not _NAME.match(name) or name in (".", ".."):
        raise InputError(
            f"invalid repository {value!r}",
            "owners are letters, digits and hyphens; names also allow '.', '_' (e.g. octo-org/my_repo.js)",
        )
    return RepoRef(owner=owner, name=name, host=host.lower())


def find_token(env: Mapping[str, str] | None = None, endpoint: Endpoint | None = None) -> Secret | None:
    """Return the token from the environment, in gh's order of precedence, or ``None``.

    github.com reads ``GH_TOKEN`` then ``GITHUB_TOKEN``; an Enterprise host reads
    ``GH_ENTERPRISE_TOKEN`` and ``GITHUB_ENTERPRISE_TOKEN`` first, then the same two.
    """
    env = os.environ if env is None else env
    names = ["GH_TOKEN", "GITHUB_TOKEN"]
    if endpoint is not None and endpoint.is_enterprise:
        names = ["GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN", *names]
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return Secret(value)
    return None


def redact(text: str, secrets: tuple[Secret | None, ...]) -> str:
    """Replace every occurrence of the given secrets in text that came from outside."""
    for secret in secrets:
        if secret is not None and secret.reveal():
            text = text.replace(secret.reveal(), "***")
    return text
