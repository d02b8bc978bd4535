"""Issue relation fields a GitHub server can report, and the relation lists an issue has.

GitHub.com reports each issue's ``parent``, the counts of its sub-issues
(``subIssuesSummary``) and of its dependencies (``issueDependenciesSummary``),
and the lists behind them (``subIssues``, ``blockedBy``, ``blocking``). GitHub's
schema changelog dates the dependency fields, with open counts (``blockedBy``,
``blocking``), to 2025-07-30. It dates the totals of open and closed issues
(``totalBlockedBy``, ``totalBlocking``) to 2025-10-15. A GitHub Enterprise
Server may therefore lack the totals, the dependencies or all of these. A server that
lacks a field rejects the whole query, naming the field. Sync starts with the
fullest selection and, after such a rejection, uses the fullest one that names
none of the rejected fields for the rest of the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agentlanes.github import queries


@dataclass(frozen=True)
class RelationFields:
    """One selection of relation fields for the issue page, and the GraphQL names it uses."""

    selection: str
    names: frozenset[str]
    # The reason this selection reports less than the fullest one, shown in the sync report. Empty for the fullest.
    note: str


# Field names only: an error names the type that lacks a field too ("on type 'Issue'"),
# and a type name must not count as rejected.
_SUB_ISSUE_NAMES = frozenset({"parent", "subIssuesSummary"})
_DEPENDENCY_NAMES = frozenset({"issueDependenciesSummary"})

LEVELS = (
    RelationFields(queries.RELATIONS_WITH_TOTALS, _SUB_ISSUE_NAMES | _DEPENDENCY_NAMES | {"totalBlockedBy", "totalBlocking"}, ""),
    RelationFields(
        queries.RELATIONS_OPEN_COUNTS, _SUB_ISSUE_NAMES | _DEPENDENCY_NAMES | {"blockedBy", "blocking"},
        "this GitHub counts only open blockers, so an issue whose blockers are all closed is stored without them",
    ),
    RelationFields(
        queries.RELATIONS_SUB_ISSUES, _SUB_ISSUE_NAMES,
        "this GitHub has no issue dependency API; sub-issues and parents are stored, blocked-by and blocking are not",
    ),
    RelationFields("", frozenset(), "this GitHub has no sub-issue or issue dependency API; no issue relations are stored"),
)

# Names GitHub quotes in its error messages: Field 'parent' doesn't exist on type 'Issue'.
_QUOTED = re.compile(r"['\"`]([A-Za-z_][A-Za-z0-9_]*)['\"`]")
# Some GraphQL servers append suggestions ("Did you mean 'blockedBy'?") that name fields the server has.
_SUGGESTION = re.compile(r"\bDid you mean\b.*", re.IGNORECASE | re.DOTALL)


def named_fields(errors: list[dict[str, Any]]) -> set[str]:
    """Return the names that GraphQL errors quote in their messages, and the ``fieldName`` of their extensions."""
    names: set[str] = set()
    for error in errors:
        message = _SUGGESTION.sub("", str(error.get("message") or ""))
        names.update(_QUOTED.findall(message))
        extensions = error.get("extensions")
        if isinstance(extensions, dict):
            if extensions.get("fieldName"):
                names.add(str(extensions["fieldName"]))
    return names


@dataclass
class RelationSupport:
    """The relation fields this run requests. ``step_down`` drops the fields the server rejected."""

    level: int = 0
    rejected: set[str] = field(default_factory=set)

    @property
    def fields(self) -> RelationFields:
        return LEVELS[self.level]

    def step_down(self, errors: list[dict[str, Any]]) -> bool:
        """Move to the fullest selection that names no rejected field.

        Return false, and keep the selection, when the errors name no relation field.
        """
        named = named_fields(errors) & self.fields.names
        if not named:
            return False
        self.rejected |= named
        self.level = next(i for i, level in enumerate(LEVELS) if level.names.isdisjoint(self.rejected))
        return True


def nonempty_lists(node: dict[str, Any]) -> list[str]:
    """Return the relation lists of an issue node whose count is above zero, in ``queries.RELATION_LISTS`` order."""
    lists: list[str] = []
    sub_issues = node.get("subIssuesSummary")
    if isinstance(sub_issues, dict) and (sub_issues.get("total") or 0) > 0:
        lists.append("subIssues")
    dependencies = node.get("issueDependenciesSummary")
    if isinstance(dependencies, dict):
        # The totals count open and closed issues. Older servers send only the open counts.
        for key, total in (("blockedBy", "totalBlockedBy"), ("blocking", "totalBlocking")):
            if (dependencies.get(total, dependencies.get(key)) or 0) > 0:
                lists.append(key)
    return lists
