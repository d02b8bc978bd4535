"""Dispatch a routing plan: check every selected task, then apply its agent's trigger.

Without ``apply`` nothing is written anywhere: the run reports what it would do
(checking GitHub read-only when a repository is given). With ``apply`` each
decision goes to the audit log as it is made, and the first failed action stops
the run with ``RemoteError``, after its ``failed`` record.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agentlanes.config import Config
from agentlanes.dispatch import checks
from agentlanes.dispatch.audit import (
    ATTEMPT_EVENT, FAILED_EVENT, SKIPPED_EVENT, AuditRecord, AuditWriter, open_audit_log, read_audit_log,
)
from agentlanes.dispatch.capacity import AgentLoad, agent_loads, dispatched_today
from agentlanes.dispatch.remote import check_repository, fetch_issue, fetch_open_work
from agentlanes.dispatch.tasks import DispatchTask, plan_tasks, target_repository
from agentlanes.dispatch.triggers import Action, CommandAction, build_action
from agentlanes.errors import InputError, RemoteError
from agentlanes.github.client import GitHubClient, HTTPStatusError
from agentlanes.github.connect import open_transport
from agentlanes.github.endpoint import RepoRef, Secret, redact, resolve_endpoint
from agentlanes.github.ratelimit import Clock, SystemClock
from agentlanes.routing.plan import RoutingPlan
from agentlanes.sources.sidecars import DISPATCH_EVENT
from agentlanes.timeutil import format_timestamp

DISPATCHED = "dispatched"
WOULD_DISPATCH = "would dispatch"
SKIPPED = "skipped"
FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    """The decision on one task; ``detail`` is the request or command, or the reason for a skip or failure."""

    status: str
    repository: str
    issue: int
    agent: str
    detail: str
    check: str = ""

    def line(self) -> str:
        return f"{self.status:<14}  {self.repository}#{self.issue}  {self.agent}  {self.detail}"


@dataclass
class DispatchReport:
    """The outcome of one dispatch run.

    ``applied`` is false for a dry run; ``checked`` is true when GitHub was read.
    ``loads`` is the work in flight per agent found on GitHub before the run.
    """

    repository: str
    applied: bool
    checked: bool
    log: Path
    host: str = ""
    transport: str = ""
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    loads: dict[str, AgentLoad] = field(default_factory=dict)
    requests: int = 0

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def skipped_by_check(self) -> Counter[str]:
        return Counter(outcome.check for outcome in self.outcomes if outcome.status == SKIPPED)


@dataclass
class Connection:
    """The open GitHub connection of an online run."""

    client: GitHubClient
    host: str
    secrets: tuple[Secret | None, ...] = ()


def _latest_by_issue(records: list[AuditRecord]) -> tuple[dict[int, AuditRecord], dict[int, AuditRecord]]:
    """Split the log into the latest dispatch per issue and the attempts no later record resolved."""
    dispatched: dict[int, AuditRecord] = {}
    pending: dict[int, AuditRecord] = {}
    for record in records:
        if record.event == DISPATCH_EVENT:
            dispatched[record.issue] = record
            pending.pop(record.issue, None)
        elif record.event == ATTEMPT_EVENT:
            pending[record.issue] = record
        elif record.event == FAILED_EVENT:
            pending.pop(record.issue, None)
    return dispatched, pending


class Dispatcher:
    """One run over the tasks of one plan in one repository."""

    def __init__(self, tasks: list[DispatchTask], repo: RepoRef, config: Config, log: Path, *,
                 connection: Connection | None = None, writer: AuditWriter | None = None,
                 observer: Callable[[Outcome], None] | None = None, clock: Clock | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        self.tasks = tasks
        self.repo = repo
        self.config = config
        self.connection = connection
        self.writer = writer
        self.observer = observer
        self.clock = clock or SystemClock()
        self.env = env
        self.run_id = uuid.uuid4().hex
        records = [r for r in read_audit_log(log) if r.concerns(repo.full_name)]
        self.dispatched, self.pending = _latest_by_issue(records)
        self.dispatch_times: dict[str, list[datetime]] = {}
        for record in records:
            if record.event == DISPATCH_EVENT:
                self.dispatch_times.setdefault(record.agent, []).append(record.at)
        self.started: Counter[str] = Counter()
        self.seen: set[int] = set()
        # Built before anything is sent, so a broken command trigger stops the run before its first action.
        self.actions = {task.number: build_action(task.trigger, repo, task.number, task.agent.name) for task in tasks}
        self.report = DispatchReport(repo.full_name, writer is not None, connection is not None, log,
                                     host=connection.host if connection else "",
                                     transport=connection.client.transport.name if connection else "")

    def run(self) -> DispatchReport:
        if self.connection is not None and self.tasks:
            client = self.connection.client
            check_repository(client, self.repo)
            pulls, issues = fetch_open_work(client, self.repo)
            in_log = {number: record.agent for number, record in self.dispatched.items()}
            self.report.loads = agent_loads(self.config, pulls, issues, in_log)
        try:
            for task in self.tasks:
                self._handle(task)
        finally:
            if self.connection is not None:
                self.report.requests = self.connection.client.requests
        return self.report

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.time(), UTC)

    def _handle(self, task: DispatchTask) -> None:
        if task.number in self.seen:
            self._skip(task, checks.Skip("duplicate", "listed twice in the plan; dispatched at most once"))
            return
        self.seen.add(task.number)
        skip = checks.log_skip(task, self.dispatched, self.pending, self.connection is not None)
        if skip is not None:
            self._skip(task, skip)
            return
        action = self.actions[task.number]
        if self.connection is not None:
            issue = fetch_issue(self.connection.client, self.repo, task.number)
            found = checks.github_skip(task, issue, self.config.agents, task.number in self.pending)
            if isinstance(found, checks.Recovered):
                self._recover(task, action, found)
                return
            skip = found or self._capacity_skip(task)
            if skip is not None:
                self._skip(task, skip)
                return
        if self.writer is None:
            self.started[task.agent.name] += 1
            self._emit(WOULD_DISPATCH, task, action.describe())
            return
        self._apply(task, action)

    def _capacity_skip(self, task: DispatchTask) -> checks.Skip | None:
        name = task.agent.name
        today = dispatched_today(self.dispatch_times.get(name, []), self._now()) + self.started[name]
        return checks.capacity_skip(task.agent, self.report.loads.get(name), self.started[name], today)

    def _apply(self, task: DispatchTask, action: Action) -> None:
        request = action.describe()
        self._record(ATTEMPT_EVENT, task, request=request)
        try:
            if isinstance(action, CommandAction):
                action.apply(self.env, self.connection.secrets if self.connection else ())
            else:
                assert self.connection is not None, "an applied run always has a connection"
                action.apply(self.connection.client)
        except RemoteError as exc:
            self._record(FAILED_EVENT, task, request=request, error=exc.message)
            self._emit(FAILED, task, exc.message)
            raise RemoteError(f"dispatching {self.repo.full_name}#{task.number} to {task.agent.name} failed: {exc.message}",
                              _failure_hint(exc, self.report)) from None
        self._record(DISPATCH_EVENT, task, request=request)
        self.started[task.agent.name] += 1
        self._emit(DISPATCHED, task, request)

    def _recover(self, task: DispatchTask, action: Action, found: checks.Recovered) -> None:
        """Record a dispatch that an earlier run made but did not log, and count it as in flight."""
        self._record(DISPATCH_EVENT, task, request=action.describe(), note=found.note)
        load = self.report.loads.get(task.agent.name)
        if load is None or task.number not in load.issues:
            self.started[task.agent.name] += 1
        self._emit(SKIPPED, task, f"already dispatched: {found.note}", "recovered")

    def _skip(self, task: DispatchTask, skip: checks.Skip) -> None:
        self._record(SKIPPED_EVENT, task, check=skip.check, reason=skip.reason)
        self._emit(SKIPPED, task, skip.reason, skip.check)

    def _emit(self, status: str, task: DispatchTask, detail: str, check: str = "") -> None:
        secrets = self.connection.secrets if self.connection else ()
        outcome = Outcome(status, self.repo.full_name, task.number, task.agent.name, redact(detail, secrets), check)
        self.report.outcomes.append(outcome)
        if self.observer is not None:
            self.observer(outcome)

    def _record(self, event: str, task: DispatchTask, **fields: str) -> None:
        if self.writer is None:
            return
        secrets = self.connection.secrets if self.connection else ()
        record: dict[str, Any] = {
            "at": format_timestamp(self._now()), "event": event, "run": self.run_id,
            "repository": self.repo.full_name, "host": self.report.host, "issue": task.number,
            "agent": task.agent.name, "trigger": {"kind": task.trigger.kind, "value": redact(task.trigger.value, secrets)},
        }
        record.update({key: redact(value, secrets) for key, value in fields.items()})
        self.writer.append(record)


def _failure_hint(exc: RemoteError, report: DispatchReport) -> str:
    done = report.count(DISPATCHED)
    after = f"; {done} task(s) were dispatched before it, and the audit log {report.log} lists every step"
    if isinstance(exc, HTTPStatusError):
        if exc.status == 403:
            return "the token needs write access to the repository's issues (fine-grained tokens: Issues read and write)" + after
        if exc.status == 404:
            return "the issue or repository is not visible to this token, or this GitHub lacks the endpoint" + after
        if exc.status == 422:
            return "GitHub rejected the request as invalid: check the agent's trigger value (label name, assignable account)" + after
    return (exc.hint or "check the agent's trigger") + after


def connect(repo: RepoRef, api_url: str | None, transport: str, env: Mapping[str, str] | None,
            clock: Clock | None) -> Connection:
    """Open the GitHub connection the way ``sync`` does: gh when signed in, else a token over HTTPS."""
    endpoint = resolve_endpoint(api_url, env)
    if repo.host and repo.host != endpoint.host:
        raise InputError(
            f"{repo} names host {repo.host}, but the API URL is for {endpoint.host}",
            f"pass --api-url https://{repo.host}/api/v3, or leave the host out of the name",
        )
    chosen, secrets = open_transport(transport, endpoint, env)
    return Connection(GitHubClient(chosen, clock=clock, secrets=secrets), endpoint.host, secrets)


def dispatch_plan(plan: RoutingPlan, config: Config, *, repository: str | None, apply: bool, log: str | Path,
                  api_url: str | None = None, transport: str = "auto",
                  observer: Callable[[Outcome], None] | None = None, clock: Clock | None = None,
                  env: Mapping[str, str] | None = None) -> DispatchReport:
    """Check and (with ``apply``) dispatch every task the plan selects; see ``agentlanes.api.dispatch``."""
    tasks, notes = plan_tasks(plan, config)
    repo = target_repository(plan, repository, apply)
    connection = connect(repo, api_url, transport, env, clock) if repository is not None else None
    settings: dict[str, Any] = {"connection": connection, "observer": observer, "clock": clock, "env": env}
    try:
        if not apply:
            dispatcher = Dispatcher(tasks, repo, config, Path(log), **settings)
            dispatcher.report.notes.extend(notes)
            return dispatcher.run()
        with open_audit_log(log) as writer:
            dispatcher = Dispatcher(tasks, repo, config, Path(log), writer=writer, **settings)
            dispatcher.report.notes.extend(notes)
            return dispatcher.run()
    finally:
        if connection is not None:
            connection.client.transport.close()
