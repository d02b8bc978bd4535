"""Agent triggers as actions: what dispatching one issue to one agent sends or runs.

Each configured trigger kind becomes one action:

- ``label``: ``POST /repos/OWNER/REPO/issues/N/labels`` adding the label;
- ``assignee``: ``POST /repos/OWNER/REPO/issues/N/assignees`` adding the account;
- ``comment``: ``POST /repos/OWNER/REPO/issues/N/comments`` with the configured
  text and a hidden marker naming the agent, so later runs recognise it;
- ``command``: the configured program, run without a shell.

Every action describes itself in one line for the dry run and the audit log.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from agentlanes.config import Trigger
from agentlanes.errors import ConfigError, RemoteError
from agentlanes.github.client import GitHubClient
from agentlanes.github.endpoint import RepoRef, Secret, redact

# The hidden part of every comment agentlanes posts; the agent's name follows it.
COMMENT_MARKER = "<!-- agentlanes dispatch agent="
# A configured command that runs longer than this is stopped and counts as failed.
COMMAND_TIMEOUT_SECONDS = 300.0
# Lines of a failed command's stderr quoted in the error.
STDERR_LINES_SHOWN = 3


def comment_body(trigger_text: str, agent: str) -> str:
    return f"{trigger_text}\n\n{COMMENT_MARKER}{agent} -->"


def marked_agent(body: str) -> str | None:
    """Return the agent named by an agentlanes marker in a comment body, if there is one."""
    start = body.find(COMMENT_MARKER)
    if start < 0:
        return None
    rest = body[start + len(COMMENT_MARKER):]
    end = rest.find(" -->")
    return rest[:end].strip() if end > 0 else None


@dataclass(frozen=True)
class RestAction:
    """One REST request that applies a trigger; ``verify`` returns a problem found in the reply."""

    method: str
    path: str
    body: dict[str, Any]
    description: str
    # False for requests that must not take effect twice (see ``GitHubClient.rest``).
    retry_transient: bool = True
    verify: Callable[[Any], str | None] | None = field(default=None, compare=False)

    def describe(self) -> str:
        return f"{self.method} /{self.path} {orjson.dumps(self.body).decode()}"

    def apply(self, client: GitHubClient) -> None:
        reply = client.rest(self.method, self.path, self.body, description=self.description,
                            retry_transient=self.retry_transient)
        problem = self.verify(reply) if self.verify is not None else None
        if problem:
            raise RemoteError(f"{self.description}: {problem}", "check the agent's trigger in the configuration")


@dataclass(frozen=True)
class CommandAction:
    """A configured program with ``{number}`` and ``{repo}`` already replaced in its arguments."""

    argv: tuple[str, ...]
    description: str
    extra_env: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        return f"run {shlex.join(self.argv)}"

    def apply(self, env: Mapping[str, str] | None, secrets: tuple[Secret | None, ...]) -> None:
        variables = {**(os.environ if env is None else env), **dict(self.extra_env)}
        try:
            result = subprocess.run(self.argv, env=variables, stdin=subprocess.DEVNULL, capture_output=True,
                                    timeout=COMMAND_TIMEOUT_SECONDS, check=False)
        except FileNotFoundError:
            raise RemoteError(f"{self.description} failed: command not found: {self.argv[0]}",
                              "install the program, or fix the agent's command trigger") from None
        except PermissionError:
            raise RemoteError(f"{self.description} failed: {self.argv[0]} is not executable",
                              "make it executable, or fix the agent's command trigger") from None
        except subprocess.TimeoutExpired:
            raise RemoteError(f"{self.description} timed out after {COMMAND_TIMEOUT_SECONDS:.0f} s",
                              "check whether the agent received the task before running dispatch again") from None
        if result.returncode != 0:
            lines = result.stderr.decode("utf-8", "replace").strip().splitlines()[-STDERR_LINES_SHOWN:]
            detail = redact(" | ".join(lines), secrets) or "no error output"
            raise RemoteError(f"{self.description} failed with exit status {result.returncode}: {detail}",
                              "fix the command; the audit log records the failure and the next run tries again")


Action = RestAction | CommandAction


def build_action(trigger: Trigger, repo: RepoRef, number: int, agent: str) -> Action:
    """Turn an agent's trigger into the action that hands issue ``number`` to it."""
    issue_path = f"repos/{repo.full_name}/issues/{number}"
    target = f"{repo.full_name}#{number}"
    if trigger.kind == "label":
        return RestAction("POST", f"{issue_path}/labels", {"labels": [trigger.value]},
                          f"adding label {trigger.value!r} to {target}", verify=_label_verifier(trigger.value))
    if trigger.kind == "assignee":
        # NOTE: only the login is sent; Copilot's optional agent settings (base
        # branch, custom instructions) would need its GraphQL assignment API.
        return RestAction("POST", f"{issue_path}/assignees", {"assignees": [trigger.value]},
                          f"assigning {target} to {trigger.value}", verify=_assignee_verifier(trigger.value, repo))
    if trigger.kind == "comment":
        return RestAction("POST", f"{issue_path}/comments", {"body": comment_body(trigger.value, agent)},
                          f"commenting on {target} for {agent}", retry_transient=False, verify=_comment_verifier)
    argv = command_argv(trigger.value, repo, number, agent)
    extra = (("AGENTLANES_REPO", repo.full_name), ("AGENTLANES_ISSUE", str(number)), ("AGENTLANES_AGENT", agent))
    return CommandAction(argv, f"running the command trigger of {agent} for {target}", extra)


def command_argv(template: str, repo: RepoRef, number: int, agent: str) -> tuple[str, ...]:
    """Split the command like a POSIX shell, then replace ``{number}`` and ``{repo}`` inside each word.

    No shell runs the result, so the values can never be read as shell syntax.
    Both are safe even inside an explicit ``sh -c '...'``: the number is digits
    and the repository name passed ``parse_repo`` (letters, digits, ``.``, ``_``,
    ``-`` and one ``/``).
    """
    try:
        words = shlex.split(template)
    except ValueError as exc:
        raise ConfigError(f"the command trigger of agent {agent!r} cannot be split into words: {exc}",
                          f"fix the quoting in {template!r}") from None
    if not words:
        raise ConfigError(f"the command trigger of agent {agent!r} is empty", "name the program to run")
    return tuple(word.replace("{number}", str(number)).replace("{repo}", repo.full_name) for word in words)


def _label_verifier(label: str) -> Callable[[Any], str | None]:
    def verify(reply: Any) -> str | None:
        names = [entry.get("name", "") for entry in reply if isinstance(entry, dict)] if isinstance(reply, list) else []
        if label.lower() not in (name.lower() for name in names if isinstance(name, str)):
            return f"GitHub's reply does not list the label {label!r}"
        return None

    return verify


def _assignee_verifier(login: str, repo: RepoRef) -> Callable[[Any], str | None]:
    # GitHub replies 201 even when it ignores an account it cannot assign, so the
    # reply's assignees are checked. Dispatch only acts on unassigned issues, so
    # any assignee in the reply is the one just added (GitHub may show a bot
    # under another login, e.g. Copilot for copilot-swe-agent[bot]).
    def verify(reply: Any) -> str | None:
        assignees = reply.get("assignees") if isinstance(reply, dict) else None
        if not assignees:
            return (f"GitHub accepted the request but did not assign {login}: the account cannot be assigned in "
                    f"{repo.full_name}, or this token may not assign it (Copilot needs a user token with a Copilot seat)")
        return None

    return verify


def _comment_verifier(reply: Any) -> str | None:
    if not isinstance(reply, dict) or "id" not in reply:
        return "GitHub's reply carries no comment id"
    return None
