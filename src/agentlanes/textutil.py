"""Small helpers for the sentences agentlanes prints and writes."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """Return ``count`` with the noun in the right number: ``1 task``, ``2 tasks``, ``0 PRs``."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
