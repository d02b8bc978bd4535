"""Why a task must not be dispatched now: the checks made before every action.

Each check returns a ``Skip`` (a short ``check`` code and a reason in words) or
``None``. The codes, in the order they are tried:

- from the plan and the audit log: ``duplicate``, ``dispatched``, ``interrupted``;
- from GitHub, right before acting: ``not-found``, ``pull-request``, ``closed``,
  ``trigger`` (an agent's label, assignee or comment is already there),
  ``assigned``, ``open-pull-request``;
- from the work in flight: ``capacity`` and ``quota``.

A trigger found on GitHub that agentlanes itself applied (its marked comment,
or the label or assignee of an attempt whose outcome a crash kept out of the
log) is not a skip but a recovered dispatch (``Recovered``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from agentlanes.config import AgentConfig
from agentlanes.dispatch.audit import AuditRecord
from agentlanes.dispatch.capacity import AgentLoad, trigger_owner
from agentlanes.dispatch.remote import IssueOnGitHub
from agentlanes.dispatch.tasks import DispatchTask
from agentlanes.dispatch.triggers import marked_agent
from agentlanes.timeutil import format_timestamp

_MENTION = re.compile(r"^@([A-Za-z0-9][A-Za-z0-9_.-]*)")


@dataclass(frozen=True)
class Skip:
    check: str
    reason: str


@dataclass(frozen=True)
class Recovered:
    """The task's own trigger is on GitHub already because agentlanes applied it earlier."""

    note: str


def log_skip(task: DispatchTask, dispatched: Mapping[int, AuditRecord], pending: Mapping[int, AuditRecord],
             checked: bool) -> Skip | None:
    """Skip an issue the audit log lists as dispatched, or a command whose earlier run may have acted."""
    earlier = dispatched.get(task.number)
    if earlier is not None:
        return Skip("dispatched", f"already dispatched to {earlier.agent} at {format_timestamp(earlier.at)} (audit log)")
    attempt = pending.get(task.number)
    if attempt is None:
        return None
    if task.trigger.kind == "command" or attempt.agent != task.agent.name:
        return Skip("interrupted", f"a run at {format_timestamp(attempt.at)} started dispatching it to {attempt.agent} "
                    "and recorded no outcome; check the agent, then append a 'dispatched' or 'failed' record "
                    "for it to the audit log")
    if not checked:
        return Skip("interrupted", f"a run at {format_timestamp(attempt.at)} started dispatching it and recorded no "
                    "outcome; pass -R OWNER/REPO so dispatch checks GitHub for the trigger")
    return None


def github_skip(task: DispatchTask, issue: IssueOnGitHub, agents: Iterable[AgentConfig],
                pending: bool) -> Skip | Recovered | None:
    """Check the issue as GitHub shows it now; ``pending`` marks an attempt of this task without an outcome."""
    agents = tuple(agents)
    if not issue.found:
        return Skip("not-found", "GitHub has no such issue (deleted or transferred)")
    if issue.is_pull:
        return Skip("pull-request", "the number belongs to a pull request, not an issue")
    if not issue.open:
        return Skip("closed", "the issue is closed")
    owner = trigger_owner(agents, issue.labels, issue.assignees)
    if owner is not None:
        agent, shown_as = owner
        if agent.name == task.agent.name and pending:
            return Recovered(f"found its {shown_as} on GitHub after an interrupted run")
        return Skip("trigger", f"already carries the trigger of {agent.name} ({shown_as})")
    if issue.assignees:
        return Skip("assigned", f"assigned to {', '.join(issue.assignees)}")
    if issue.open_pulls:
        return Skip("open-pull-request", f"has an open pull request: {', '.join(issue.open_pulls)}")
    return _comment_skip(task, issue, agents, pending)


def _comment_skip(task: DispatchTask, issue: IssueOnGitHub, agents: tuple[AgentConfig, ...],
                  pending: bool) -> Skip | Recovered | None:
    for comment in issue.comments:
        marked = marked_agent(comment.body)
        if marked == task.agent.name:
            return Recovered(f"found the agentlanes comment by {comment.author} for {marked} on GitHub")
        if marked is not None:
            return Skip("trigger", f"agentlanes already dispatched it to {marked} (comment by {comment.author})")
    for comment in issue.comments:
        for agent in agents:
            if agent.trigger.kind == "comment" and _mentions(comment.body, agent.trigger.value):
                if agent.name == task.agent.name and pending:
                    return Recovered(f"found the trigger comment of {agent.name} on GitHub after an interrupted run")
                return Skip("trigger", f"a comment by {comment.author} already carries the trigger of {agent.name}")
    return None


def _mentions(body: str, trigger_text: str) -> bool:
    """Check for the trigger's leading @mention as a whole word, else for the whole trigger text."""
    match = _MENTION.match(trigger_text.strip())
    if match is None:
        return trigger_text.strip().lower() in body.lower()
    return re.search(rf"(?<![\w@/.-])@{re.escape(match.group(1))}(?![\w-])", body, re.IGNORECASE) is not None


def capacity_skip(agent: AgentConfig, load: AgentLoad | None, started: int, today: int) -> Skip | None:
    """Skip when the agent's slots are full with work in flight plus this run's dispatches, or its daily quota is used."""
    in_flight = (load.count if load else 0) + started
    if in_flight >= agent.capacity:
        detail = load.describe() if load and load.count else "nothing on GitHub"
        extra = f", plus {started} dispatched in this run" if started else ""
        return Skip("capacity", f"{agent.name} has {in_flight} of {agent.capacity} slots in use ({detail}{extra})")
    if agent.daily_quota is not None and today >= agent.daily_quota:
        return Skip("quota", f"{agent.name} has used its daily quota: {today} of {agent.daily_quota} dispatches in the last 24 hours")
    return None
