"""Exceptions that reach the user as a message, never as a traceback.

The command line converts these once, at its boundary, into ``error: <message>``
on stderr and the exit code of the class.
"""

from __future__ import annotations

# Exit codes of the command line; docs/cli.md lists them.
EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INVALID = 2
EXIT_REMOTE = 3
EXIT_INTERRUPTED = 130


class AgentlanesError(Exception):
    """A failure the user can act on. ``hint`` says what to do next."""

    exit_code = EXIT_INVALID

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class InputError(AgentlanesError):
    """Invalid input data or arguments (exit code 2)."""


class ConfigError(AgentlanesError):
    """An invalid configuration or agents file (exit code 2)."""


class RemoteError(AgentlanesError):
    """GitHub or git failed in a way retries did not fix (exit code 3)."""

    exit_code = EXIT_REMOTE
