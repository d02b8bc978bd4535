"""Classify each pull request as human, coding-agent, dependency-bot or other-bot work.

Signals are tried strongest first, and the first match decides:

1. the author is a dependency bot (``dependency-bot``);
2. the author is an agent's bot account (``bot-author``);
3. the author's login or git name is an agent's name (``author-name``);
4. the head branch starts with an agent's prefix (``branch-prefix``);
5. a commit author or ``Co-authored-by`` name is an agent (``commit-trailer``);
6. the body carries an agent's marker (``body-marker``);
7. the author is a generic agent identity such as "AI Agent" (``generic-agent-name``);
8. the author is some other bot (``bot-author-other``);
9. otherwise a human (``default-human``).

Local agents leave markers only optionally, so agent counts are lower bounds.
"""

from __future__ import annotations

import dataclasses

from agentlanes.config import AgentConfig, Config
from agentlanes.model import Attribution, Author, AuthorKind, PullRequest

GENERIC_AGENT = "unidentified"
# Rules that show the agent itself ran the task (its account, name, branch or
# marker). A co-author trailer only shows that a person used the agent, so such a
# PR does not occupy the agent's capacity.
AGENT_RUN_RULES = frozenset({"bot-author", "author-name", "branch-prefix", "body-marker"})
_GENERIC_AGENT_NAMES = ("ai agent", "ai assistant", "coding agent", "autonomous agent")
_BOT_NAME_SUFFIXES = (" bot", "-bot", "[bot]")


def account_slug(login: str) -> str:
    """Lower-case login without ``app/`` and ``[bot]``: ``app/Foo[bot]`` -> ``foo``."""
    slug = login.strip().lower()
    if slug.startswith("app/"):
        slug = slug[4:]
    if slug.endswith("[bot]"):
        slug = slug[:-5]
    return slug


def _name_matches(name: str, candidate: str) -> bool:
    """Whole-word prefix match: "claude opus 4.5" matches "claude", "ampere" not "amp"."""
    if not candidate:
        return False
    return name == candidate or name.startswith((candidate + " ", candidate + "-", candidate + "["))


def agent_ran(attribution: Attribution) -> str | None:
    """Return the agent that ran the work, by one of ``AGENT_RUN_RULES``, or ``None``."""
    if attribution.kind is AuthorKind.AGENT and attribution.rule in AGENT_RUN_RULES:
        return attribution.agent
    return None


def is_bot_account(author: Author) -> bool:
    login = author.login.lower()
    return bool(author.is_bot) or login.startswith("app/") or login.endswith(_BOT_NAME_SUFFIXES)


class Attributor:
    """Applies the rules above with one configuration's agent list."""

    def __init__(self, config: Config) -> None:
        self._agents: tuple[AgentConfig, ...] = config.agents
        self._dependency_bots = {account_slug(b) for b in config.classification.dependency_bots}
        self._coauthor_means_agent = config.classification.coauthor_means_agent

    def _agent_by_login(self, slug: str) -> str | None:
        for agent in self._agents:
            if slug in (account_slug(login) for login in agent.recognise.logins):
                return agent.name
        return None

    def _agent_by_name(self, name: str) -> str | None:
        lowered = account_slug(name)
        for agent in self._agents:
            if lowered in (n.lower() for n in agent.recognise.author_names):
                return agent.name
        return None

    def _agent_by_branch(self, branch: str) -> str | None:
        lowered = branch.lower()
        for agent in self._agents:
            if any(lowered.startswith(prefix.lower()) for prefix in agent.recognise.branch_prefixes):
                return agent.name
        return None

    def _agent_by_trailer(self, names: tuple[str, ...]) -> tuple[str, str] | None:
        for raw in names:
            name = account_slug(raw)
            for agent in self._agents:
                candidates = agent.recognise.trailer_names + agent.recognise.logins
                if any(_name_matches(name, c.lower()) for c in candidates):
                    return agent.name, raw
        return None

    def _agent_by_marker(self, body: str) -> tuple[str, str] | None:
        lowered = body.lower()
        for agent in self._agents:
            for marker in agent.recognise.body_markers:
                if marker and marker.lower() in lowered:
                    return agent.name, marker
        return None

    def agent_of_names(self, names: tuple[str, ...]) -> str | None:
        """Return the agent that any of a commit's author or co-author names belongs to, if one does."""
        for name in names:
            slug = account_slug(name)
            if agent := self._agent_by_login(slug) or self._agent_by_name(name):
                return agent
        found = self._agent_by_trailer(names)
        return found[0] if found else None

    def attribute(self, pull: PullRequest) -> Attribution:
        author = pull.author
        slug = account_slug(author.login)
        bot = is_bot_account(author)
        if bot and slug in self._dependency_bots:
            return Attribution(AuthorKind.DEPENDENCY_BOT, None, "dependency-bot", author.login)
        if bot and (agent := self._agent_by_login(slug)):
            return Attribution(AuthorKind.AGENT, agent, "bot-author", author.login)
        if agent := self._agent_by_name(author.login):
            return Attribution(AuthorKind.AGENT, agent, "author-name", author.login)
        if pull.head_ref and (agent := self._agent_by_branch(pull.head_ref)):
            return Attribution(AuthorKind.AGENT, agent, "branch-prefix", pull.head_ref)
        if self._coauthor_means_agent and (found := self._agent_by_trailer(pull.commit_authors)):
            return Attribution(AuthorKind.AGENT, found[0], "commit-trailer", found[1])
        if pull.body and (found := self._agent_by_marker(pull.body)):
            return Attribution(AuthorKind.AGENT, found[0], "body-marker", found[1])
        if slug in _GENERIC_AGENT_NAMES:
            return Attribution(AuthorKind.AGENT, GENERIC_AGENT, "generic-agent-name", author.login)
        if bot:
            return Attribution(AuthorKind.OTHER_BOT, None, "bot-author-other", author.login)
        return Attribution(AuthorKind.HUMAN, None, "default-human", author.login)

    def apply(self, pulls: tuple[PullRequest, ...]) -> tuple[PullRequest, ...]:
        return tuple(dataclasses.replace(p, attribution=self.attribute(p)) for p in pulls)
