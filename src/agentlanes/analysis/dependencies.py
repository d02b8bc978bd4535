"""Dependencies written in issue text, merged with structured relations.

Recognised phrases (case-insensitive), each followed by one or more references
(``#12``, ``owner/repo#12`` or an issue URL):

- ``depends on``, ``blocked by``, ``requires``, ``needs``, ``after``,
  ``waiting on``, ``waits for`` -> the issue waits for the reference;
- ``blocks`` / ``blocking`` -> the reference waits for this issue;
- ``part of``, ``parent:``, ``sub-issue of``, ``child of`` -> parent (not blocking);
- task-list items ``- [ ] #12`` -> a tracked child that must close first;
  checked items ``- [x] #12`` are recorded as done.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from agentlanes.model import Dependency, Issue, IssueState

_REF = r"(?:[\w.-]+/[\w.-]+)?#(\d+)|https?://[^\s/]+/[\w.-]+/[\w.-]+/issues/(\d+)"
_REF_LIST = rf"((?:\s*(?:,|and|&)?\s*(?:{_REF}))+)"
_WAITS = re.compile(
    rf"\b(?:depends? on|dependent on|blocked by|requires|needs|after|waiting (?:on|for)|waits for)\s*:?{_REF_LIST}",
    re.IGNORECASE,
)
_BLOCKS = re.compile(rf"\b(?:blocks|blocking)\s*:?{_REF_LIST}", re.IGNORECASE)
_PARENT = re.compile(rf"\b(?:part of|parent(?: issue)?:?|sub-issue of|child of|tracked (?:by|in))\s*:?{_REF_LIST}", re.IGNORECASE)
_TASK = re.compile(rf"^\s*[-*+]\s*\[( |x|X)\]\s*(?:{_REF})", re.MULTILINE)
_ONE_REF = re.compile(_REF)


def _numbers(fragment: str) -> list[int]:
    return [int(match.group(1) or match.group(2)) for match in _ONE_REF.finditer(fragment)]


@dataclass(frozen=True, slots=True)
class TextDependencies:
    waits_for: tuple[int, ...]
    blocks: tuple[int, ...]
    parents: tuple[int, ...]
    open_tasks: tuple[int, ...]
    done_tasks: tuple[int, ...]


def parse_text_dependencies(text: str) -> TextDependencies:
    """Extract dependency references from an issue's title and body."""
    waits = [n for m in _WAITS.finditer(text) for n in _numbers(m.group(1))]
    blocks = [n for m in _BLOCKS.finditer(text) for n in _numbers(m.group(1))]
    parents = [n for m in _PARENT.finditer(text) for n in _numbers(m.group(1))]
    open_tasks: list[int] = []
    done_tasks: list[int] = []
    for match in _TASK.finditer(text):
        number = int(match.group(2) or match.group(3))
        (done_tasks if match.group(1).lower() == "x" else open_tasks).append(number)
    unique = lambda values: tuple(dict.fromkeys(values))  # noqa: E731
    return TextDependencies(unique(waits), unique(blocks), unique(parents), unique(open_tasks), unique(done_tasks))


@dataclass(frozen=True, slots=True)
class ResolvedDependency:
    """One edge of an issue, with the target's state in the snapshot."""

    target: int
    kind: str  # blocked-by, child, parent, done-task
    source: str
    target_state: str  # open, closed, unknown
    blocking: bool


def dependency_edges(issues: Iterable[Issue]) -> dict[int, list[Dependency]]:
    """Collect every issue's edges from text and structure, with ``blocks`` reversed."""
    edges: dict[int, list[Dependency]] = defaultdict(list)
    for issue in issues:
        parsed = parse_text_dependencies(issue.text)
        own = list(issue.dependencies)
        own += [Dependency(n, "blocked-by", "text") for n in parsed.waits_for]
        own += [Dependency(n, "parent", "text") for n in parsed.parents]
        own += [Dependency(n, "child", "task-list") for n in parsed.open_tasks]
        own += [Dependency(n, "done-task", "task-list") for n in parsed.done_tasks]
        for number in parsed.blocks:
            edges[number].append(Dependency(issue.number, "blocked-by", "text (blocks)"))
        # A parent (an epic or tracking issue) cannot finish before its children,
        # and a "blocks" relation is the target's blocked-by edge.
        for edge in own:
            if edge.kind == "parent":
                edges[edge.target].append(Dependency(issue.number, "child", f"{edge.source} (parent of)"))
            elif edge.kind == "blocks":
                edges[edge.target].append(Dependency(issue.number, "blocked-by", f"{edge.source} (blocks)"))
        own = [edge for edge in own if edge.kind != "blocks"]
        edges[issue.number].extend(d for d in own if d.target != issue.number)
    return edges


def resolve_dependencies(
    issue: Issue, edges: dict[int, list[Dependency]], states: dict[int, IssueState]
) -> list[ResolvedDependency]:
    """Return the issue's edges with target states; ``blocking`` if the target is open."""
    seen: set[tuple[int, str]] = set()
    resolved: list[ResolvedDependency] = []
    for edge in edges.get(issue.number, []):
        key = (edge.target, edge.kind)
        if key in seen:
            continue
        seen.add(key)
        state = states.get(edge.target)
        target_state = state.value if state else "unknown"
        blocking = edge.kind in ("blocked-by", "child") and state is IssueState.OPEN
        resolved.append(ResolvedDependency(edge.target, edge.kind, edge.source, target_state, blocking))
    return resolved
