"""The GitHub client against the TLS fake: endpoints, retries, rate limits and secrets."""

from __future__ import annotations

import logging

import pytest

from agentlanes.errors import InputError, RemoteError
from agentlanes.github.client import GitHubClient, RequestLimitReached
from agentlanes.github.endpoint import Secret, find_token, parse_repo, resolve_endpoint
from agentlanes.github.ghcli import parse_included
from agentlanes.github.transport import HttpTransport

from fakes.github_api import FakeGitHub, FakeResponse, Fault

PROBE = "query Probe { viewer { login } }"


def http_client(fake: FakeGitHub, token: str | None = None, **options) -> GitHubClient:
    endpoint = resolve_endpoint(fake.api_url, {})
    secret = Secret(token or fake.token)
    transport = HttpTransport(endpoint, secret, {"SSL_CERT_FILE": str(fake.ca_file)})
    return GitHubClient(transport, clock=fake.clock, secrets=(secret,), **options)


def probe(client: GitHubClient) -> str:
    return client.graphql(PROBE, {}, description="probe").data["viewer"]["login"]


def test_endpoint_from_api_url():
    public = resolve_endpoint(None, {})
    assert (public.graphql_url, public.host) == ("https://api.github.com/graphql", "github.com")
    enterprise = resolve_endpoint(None, {"GITHUB_API_URL": "https://ghe.example.com/api/v3/"})
    assert enterprise.graphql_url == "https://ghe.example.com/api/graphql"
    assert enterprise.host == "ghe.example.com"
    assert enterprise.is_enterprise


def test_endpoint_rejects_bad_url():
    with pytest.raises(InputError) as caught:
        resolve_endpoint("ghe.example.com", {})
    assert "invalid API URL 'ghe.example.com'" in caught.value.message
    assert "https://HOST/api/v3" in caught.value.hint


@pytest.mark.parametrize("value", ["octo", "a/b/c/d", "-bad/name", "octo/re po", "octo/.."])
def test_parse_repo_rejects(value):
    with pytest.raises(InputError) as caught:
        parse_repo(value)
    assert f"invalid repository {value!r}" in caught.value.message


def test_parse_repo_forms():
    assert str(parse_repo("octo-org/my_repo.js")) == "octo-org/my_repo.js"
    assert parse_repo("GHE.example.com/octo/tool.git").host == "ghe.example.com"
    assert parse_repo("octo/tool.git").name == "tool"


def test_token_precedence_and_repr():
    enterprise = resolve_endpoint("https://ghe.example.com/api/v3", {})
    env = {"GITHUB_TOKEN": "second", "GH_TOKEN": "first", "GH_ENTERPRISE_TOKEN": "ghe"}
    assert find_token(env, resolve_endpoint(None, {})).reveal() == "first"
    assert find_token(env, enterprise).reveal() == "ghe"
    assert find_token({}, enterprise) is None
    secret = Secret("ghp_abcdef")
    assert "ghp_abcdef" not in repr(secret) + str(secret) + f"{secret}"
    transport = HttpTransport(enterprise, secret, {})
    assert "ghp_abcdef" not in repr(transport)


def test_gh_include_output_parsed():
    response = parse_included(b"HTTP/2.0 403 Forbidden\r\nRetry-After: 30\r\nX-Ratelimit-Remaining: 10\r\n\r\n{\"message\": \"x\"}")
    assert response.status == 403
    assert response.header("retry-after") == "30"
    assert response.body == b'{"message": "x"}'
    assert parse_included(b"gh: connection reset") is None


def test_plain_query_uses_one_request(fake_github):
    client = http_client(fake_github)
    assert probe(client) == "octocat"
    assert client.requests == 1
    assert client.budget.remaining == fake_github.rate_limit - 1
    assert fake_github.requests("Probe")[0].headers["authorization"] == f"Bearer {fake_github.token}"


@pytest.mark.parametrize("kind", ["status", "truncated", "reset"])
def test_transient_failure_retried(fake_github, kind):
    fake_github.inject(Fault(kind, operation="Probe", times=2))
    client = http_client(fake_github)
    assert probe(client) == "octocat"
    assert client.requests == 3
    assert fake_github.clock.sleeps == [1.0, 2.0]


def test_transient_failures_give_up(fake_github):
    fake_github.inject(Fault("status", operation="Probe", status=503, times=50))
    client = http_client(fake_github)
    with pytest.raises(RemoteError) as caught:
        probe(client)
    assert "probe failed 6 times in a row; last error: HTTP 503" in caught.value.message
    assert "resumes where it stopped" in caught.value.hint
    assert fake_github.clock.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0]


def test_secondary_limit_honours_retry_after(fake_github):
    fake_github.inject(Fault("secondary_limit", operation="Probe", retry_after=37))
    client = http_client(fake_github)
    assert probe(client) == "octocat"
    assert fake_github.clock.sleeps == [37.0]


def test_secondary_limit_backs_off_from_a_minute(fake_github):
    fake_github.inject(Fault("secondary_limit", operation="Probe", times=3))
    client = http_client(fake_github)
    assert probe(client) == "octocat"
    assert fake_github.clock.sleeps == [60.0, 120.0, 240.0]


def test_rate_limited_body_waits_for_reset(fake_github):
    fake_github.inject(Fault("rate_limited_body", operation="Probe", reset_in=300))
    client = http_client(fake_github)
    assert probe(client) == "octocat"
    assert fake_github.clock.sleeps == [301.0]
    assert [r.status for r in fake_github.requests("Probe")] == [200, 200]


def test_spent_budget_waits_before_sending(fake_github):
    fake_github.set_budget(remaining=1, reset_in=900)
    client = http_client(fake_github)
    probe(client)
    probe(client)
    assert fake_github.clock.sleeps == [901.0]
    assert len(fake_github.requests("Probe")) == 2


def test_max_requests_stops(fake_github):
    client = http_client(fake_github, max_requests=1)
    probe(client)
    with pytest.raises(RequestLimitReached):
        probe(client)
    assert len(fake_github.requests("Probe")) == 1


def test_bad_credentials_hide_token(fake_github, caplog):
    caplog.set_level(logging.DEBUG)
    client = http_client(fake_github, token="ghp_wrongwrongwrong")
    with pytest.raises(RemoteError) as caught:
        probe(client)
    assert "HTTP 401 Bad credentials" in caught.value.message
    assert "GH_TOKEN" in caught.value.hint
    assert "ghp_wrongwrongwrong" not in str(caught.value) + caplog.text
    assert fake_github.clock.sleeps == []


def test_query_errors_are_fatal(fake_github):
    client = http_client(fake_github)
    with pytest.raises(RemoteError) as caught:
        client.graphql("query Broken { viewer { nonsense } }", {}, description="broken query")
    assert "broken query failed: GitHub rejected the query: Cannot query field 'nonsense'" in caught.value.message


def test_untrusted_certificate_fails_at_once(fake_github):
    endpoint = resolve_endpoint(fake_github.api_url, {})
    transport = HttpTransport(endpoint, Secret(fake_github.token), {})
    client = GitHubClient(transport, clock=fake_github.clock)
    with pytest.raises(RemoteError) as caught:
        probe(client)
    assert "CERTIFICATE_VERIFY_FAILED" in caught.value.message
    assert "SSL_CERT_FILE" in caught.value.hint
    assert client.requests == 1


def test_rest_route_registration(fake_github):
    fake_github.state.add_repository("octo", "demo").add_issue(3)
    labels: list[str] = []

    def add_labels(fake, request, match):
        labels.extend(request.json["labels"])
        fake.state.repository(match["owner"], match["repo"]).update(int(match["number"]))
        return FakeResponse(200, [{"name": name} for name in labels])

    fake_github.add_route("POST", r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/issues/(?P<number>\d+)/labels", add_labels)
    import orjson

    client = http_client(fake_github)
    reply = client.rest("POST", "repos/octo/demo/issues/3/labels", {"labels": ["jules"]}, description="add label")
    assert reply == [{"name": "jules"}]
    logged = fake_github.requests()[-1]
    assert (logged.method, logged.path, orjson.loads(logged.body)) == ("POST", "/api/v3/repos/octo/demo/issues/3/labels", {"labels": ["jules"]})
    assert client.rest("GET", "repos/octo/demo", description="repository")["default_branch"] == "main"


def test_proxy_from_environment():
    from agentlanes.github.transport import proxy_for

    env = {"HTTPS_PROXY": "http://proxy.internal:3128", "no_proxy": "localhost,.corp.example"}
    assert proxy_for("https://api.github.com", env) == "http://proxy.internal:3128"
    assert proxy_for("https://localhost:8443/api/v3", env) is None
    assert proxy_for("https://ghe.corp.example/api/v3", env) is None
    assert proxy_for("https://api.github.com", {"all_proxy": "socks5://127.0.0.1:1080"}) == "socks5://127.0.0.1:1080"
    assert proxy_for("https://api.github.com", {}) is None


def test_unreachable_proxy_is_used(fake_github):
    endpoint = resolve_endpoint(fake_github.api_url, {})
    env = {"SSL_CERT_FILE": str(fake_github.ca_file), "HTTPS_PROXY": "http://127.0.0.1:9"}
    client = GitHubClient(HttpTransport(endpoint, Secret(fake_github.token), env), clock=fake_github.clock)
    with pytest.raises(RemoteError) as caught:
        probe(client)
    assert "ConnectError" in caught.value.message
    assert fake_github.requests() == []


def test_rest_budget_apart_from_graphql(fake_github):
    fake_github.state.add_repository("octo", "demo")
    client = http_client(fake_github)
    fake_github.set_budget(remaining=1, reset_in=600)
    client.rest("GET", "repos/octo/demo", description="repository")
    assert client.budgets["core"].remaining == 0
    fake_github.set_budget(remaining=100, reset_in=600)
    assert probe(client) == "octocat"
    assert fake_github.clock.sleeps == []
    assert client.budget.remaining == 99
