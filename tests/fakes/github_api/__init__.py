"""A GitHub API fake for tests: TLS on 127.0.0.1, REST under /api/v3, GraphQL at /api/graphql."""

from fakes.github_api.faults import Fault
from fakes.github_api.server import FakeGitHub, FakeRequest, FakeResponse
from fakes.github_api.state import FakeRepository, ManualClock

__all__ = ["Fault", "FakeGitHub", "FakeRepository", "FakeRequest", "FakeResponse", "ManualClock"]
