"""Work already in flight per agent, counted from GitHub and the audit log.

An agent's load is its open pull requests (recognised the way the dashboard
recognises agent work: bot author, author name, branch prefix, body marker)
plus its open issues without an open pull request: those carrying its label or
assignee trigger, and those the audit log says were dispatched to it. The
audit log is the only record of comment and command triggers, because dispatch
does not read every issue's comments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from agentlanes.attribution import Attributor, account_slug
from agentlanes.config import AgentConfig, Config
from agentlanes.model import AuthorKind, Issue, PullRequest, PullState
from agentlanes.routing.dispatched import QUOTA_WINDOW

# At most this many issue numbers are listed when a capacity skip is explained.
LISTED_NUMBERS = 5


@dataclass(frozen=True)
class AgentLoad:
    """An agent's work in flight: open pull requests and open issues handed to it without one."""

    agent: str
    pulls: tuple[int, ...] = ()
    issues: tuple[int, ...] = ()

    @property
    def count(self) -> int:
        return len(self.pulls) + len(self.issues)

    def describe(self) -> str:
        parts = []
        if self.pulls:
            parts.append(f"open pull requests {_numbers(self.pulls)}")
        if self.issues:
            parts.append(f"issues without a pull request {_numbers(self.issues)}")
        return "; ".join(parts) or "nothing"


def _numbers(numbers: tuple[int, ...]) -> str:
    listed = ", ".join(f"#{n}" for n in numbers[:LISTED_NUMBERS])
    return listed + (f" and {len(numbers) - LISTED_NUMBERS} more" if len(numbers) > LISTED_NUMBERS else "")


def trigger_owner(agents: Iterable[AgentConfig], labels: Iterable[str], assignees: Iterable[str]) -> tuple[AgentConfig, str] | None:
    """Return the agent whose label or assignee trigger is on an issue, and how it shows."""
    label_set = {label.lower(): label for label in labels}
    slugs = {account_slug(login): login for login in assignees}
    for agent in agents:
        trigger = agent.trigger
        if trigger.kind == "label" and trigger.value.lower() in label_set:
            return agent, f"label {label_set[trigger.value.lower()]!r}"
        if trigger.kind == "assignee":
            names = {account_slug(trigger.value), *(account_slug(login) for login in agent.recognise.logins)}
            found = next((login for slug, login in slugs.items() if slug in names), None)
            if found is not None:
                return agent, f"assignee {found}"
    return None


def agent_loads(config: Config, pulls: Iterable[PullRequest], issues: Iterable[Issue],
                dispatched: Mapping[int, str]) -> dict[str, AgentLoad]:
    """Count each agent's work in flight; ``dispatched`` maps issue numbers to agents from the audit log."""
    open_pulls = [pull for pull in pulls if pull.state is PullState.OPEN]
    attributor = Attributor(config)
    pull_numbers: dict[str, list[int]] = {}
    for pull in open_pulls:
        attribution = attributor.attribute(pull)
        if attribution.kind is AuthorKind.AGENT and attribution.agent:
            pull_numbers.setdefault(attribution.agent, []).append(pull.number)
    worked_on = {number for pull in open_pulls for number in pull.closing_issues}
    open_numbers = {pull.number for pull in open_pulls}
    issue_numbers: dict[str, list[int]] = {}
    for issue in issues:
        if issue.number in worked_on or open_numbers.intersection(issue.closed_by_pulls):
            continue
        agent = dispatched.get(issue.number)
        if agent is None:
            owner = trigger_owner(config.agents, issue.label_names, issue.assignees)
            agent = owner[0].name if owner else None
        if agent is not None:
            issue_numbers.setdefault(agent, []).append(issue.number)
    names = set(pull_numbers) | set(issue_numbers)
    return {name: AgentLoad(name, tuple(sorted(pull_numbers.get(name, ()))), tuple(sorted(issue_numbers.get(name, ()))))
            for name in names}


def dispatched_today(moments: Iterable[datetime], now: datetime) -> int:
    """Count the dispatches in the quota window (24 hours) before ``now``."""
    return sum(1 for moment in moments if now - QUOTA_WINDOW < moment <= now)
