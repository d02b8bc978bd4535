"""The tasks a routing plan selects, each with its configured agent, and the repository they belong to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentlanes.config import AgentConfig, Config, Trigger
from agentlanes.errors import ConfigError, InputError
from agentlanes.github.endpoint import RepoRef, parse_repo
from agentlanes.routing.plan import RoutingPlan

_ISSUE_URL = re.compile(r"^https?://[^/]+/(?P<owner>[^/]+)/(?P<name>[^/]+)/(?:issues|pull)/\d+/?$")


@dataclass(frozen=True)
class DispatchTask:
    """One selected task: the issue, its agent from the configuration and the trigger to apply."""

    number: int
    title: str
    agent: AgentConfig

    @property
    def trigger(self) -> Trigger:
        return self.agent.trigger


def plan_tasks(plan: RoutingPlan, config: Config) -> tuple[list[DispatchTask], list[str]]:
    """Pair every selected task with its configured agent; also return notes on triggers that changed.

    The configured trigger wins over the one copied into the plan, so a plan
    file cannot make dispatch run a command the configuration does not name.
    An agent missing from the configuration is an error for the whole plan,
    raised before anything is sent.
    """
    unknown = sorted({task.agent for task in plan.selected if config.agent(task.agent) is None})
    if unknown:
        numbers = ", ".join(f"#{task.number}" for task in plan.selected if task.agent in unknown)
        raise ConfigError(
            f"the routing plan selects {numbers} for agent(s) {', '.join(repr(a) for a in unknown)}, "
            f"which the configuration ({config.source}) does not define",
            "pass the --config / --agents the plan was made with, or run `agentlanes route` again",
        )
    agents = {agent.name: agent for agent in config.agents}
    tasks, notes = [], []
    for planned in plan.selected:
        agent = agents[planned.agent]
        if (planned.trigger.kind, planned.trigger.value) != (agent.trigger.kind, agent.trigger.value):
            notes.append(f"#{planned.number}: the trigger of {agent.name} is now {agent.trigger.kind} "
                         f"{agent.trigger.value!r} (the plan has {planned.trigger.kind} {planned.trigger.value!r}); "
                         "the configured one is used")
        tasks.append(DispatchTask(planned.number, planned.title, agent))
    return tasks, notes


def plan_repository(plan: RoutingPlan) -> str | None:
    """Return the ``OWNER/REPO`` the plan's issue URLs point to, else its repository name if it has that form."""
    for task in plan.selected:
        match = _ISSUE_URL.match(task.url)
        if match:
            return f"{match['owner']}/{match['name']}"
    name = plan.repository.strip()
    if name.count("/") == 1:
        try:
            return parse_repo(name).full_name
        except InputError:
            return None
    return None


def target_repository(plan: RoutingPlan, repository: str | None, apply: bool) -> RepoRef:
    """Choose the repository to dispatch in: ``-R`` (required to apply), else the plan's own.

    A ``-R`` that names another repository than the plan's issue URLs is an
    error, so a plan is never applied to the wrong repository's issue numbers.
    """
    planned = plan_repository(plan)
    if repository is None:
        if apply:
            raise InputError("--apply needs the repository", f"pass -R {planned or 'OWNER/REPO'}")
        if planned is None:
            raise InputError("the routing plan does not name its GitHub repository",
                             "pass -R OWNER/REPO")
        return parse_repo(planned)
    ref = parse_repo(repository)
    if planned is not None and planned.lower() != ref.full_name.lower():
        raise InputError(
            f"the routing plan is for {planned}, but -R names {ref.full_name}",
            f"pass -R {planned}, or route the backlog of {ref.full_name} first",
        )
    return ref
