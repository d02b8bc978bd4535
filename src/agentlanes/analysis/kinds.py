"""Classify an issue's type (bug, feature, docs, ...) and record the rule that decided.

Rules, first match wins: a label; the tracker's own type field; a conventional
title prefix (``fix:``, ``docs(api):``, ``[Bug]``); a keyword in the title; a
keyword in the body, unless the tracker type or a ``type:`` label calls the
issue a generic task; otherwise ``feature``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentlanes.model import Issue

# Checked in this order when several labels or keywords match, so the more
# specific type wins over the generic "feature".
TYPE_ORDER = ("security", "bug", "performance", "test", "docs", "refactor", "chore", "feature")

_LABEL_WORDS = {
    "security": ("security", "vulnerability", "cve", "security consideration"),
    "bug": ("bug", "defect", "regression", "crash", "broken", "type:bug", "kind/bug"),
    "performance": ("performance", "perf", "optimization", "optimisation", "speed"),
    "test": ("test", "tests", "testing", "flaky", "coverage"),
    "docs": ("documentation", "docs", "doc", "editorial", "typo", "readme"),
    "refactor": ("refactor", "refactoring", "cleanup", "code-quality", "tech-debt", "technical debt", "dead-code"),
    "chore": ("chore", "maintenance", "dependencies", "deps", "ci", "build", "tooling", "infrastructure", "type:chore"),
    "feature": ("feature", "enhancement", "feature request", "type:feature", "kind/feature", "idea", "new feature"),
}

_TRACKER_TYPES = {"bug": "bug", "feature": "feature", "chore": "chore"}
# Tracker types and type labels that mean "a piece of work" without naming its
# kind. For these the title decides, because a stray word in a long body
# ("fails", "version") is weak evidence.
_GENERIC_TYPES = ("task", "story", "issue", "todo")

_PREFIXES = {
    "fix": "bug", "bug": "bug", "bugfix": "bug", "hotfix": "bug",
    "feat": "feature", "feature": "feature",
    "docs": "docs", "doc": "docs",
    "test": "test", "tests": "test",
    "refactor": "refactor",
    "chore": "chore", "ci": "chore", "build": "chore", "deps": "chore",
    "perf": "performance",
    "security": "security", "sec": "security",
}
_PREFIX_PATTERN = re.compile(r"^\s*(?:\[([A-Za-z]+)\]|([A-Za-z]+)(?:\([^)]*\))?!?:)")

_KEYWORDS = {
    "security": r"vulnerab\w*|\bcve-\d|\bxss\b|injection|secrets? (?:leak|exposed)|auth(?:entication)? bypass|\bcsrf\b|hardcoded secret",
    "bug": r"\bcrash\w*|\bbug\b|\berror\b|exception|\bfail(?:s|ed|ing|ure)?\b|broken|regression|incorrect|\bwrong\b|\bpanic\b|traceback|doesn't work|does not work|\bfix\b",
    "performance": r"\bslow\w*|performance|latency|memory leak|speed up|\boptimi[sz]\w*|\bfaster\b|throughput",
    "test": r"\btests?\b|\btesting\b|coverage|\bflaky\b|unit test|test suite",
    "docs": r"\bdocs?\b|document\w*|readme|\btypo\b|clarif\w*|editorial|\bwording\b|\bguide\b",
    "refactor": r"refactor\w*|clean ?up|\brename\b|simplif\w*|restructur\w*|dead code|deduplicat\w*|split \w+ into",
    "chore": r"\bbump\b|upgrade|dependenc\w*|\bci\b|workflow|\brelease\b|\blint\w*|\bbuild\b|version bump",
}
_KEYWORD_PATTERNS = {kind: re.compile(pattern, re.IGNORECASE) for kind, pattern in _KEYWORDS.items()}


@dataclass(frozen=True, slots=True)
class TypeDecision:
    value: str
    rule: str


def _normalise_label(name: str) -> str:
    lowered = name.strip().lower()
    for prefix in ("type:", "type/", "kind/", "kind:", "t-", "area/"):
        if lowered.startswith(prefix) and lowered[len(prefix):]:
            return lowered[len(prefix):]
    return lowered


def _from_labels(issue: Issue) -> TypeDecision | None:
    found: dict[str, str] = {}
    for label in issue.labels:
        normalised = _normalise_label(label.name)
        for kind, words in _LABEL_WORDS.items():
            if normalised in words or label.name.lower() in words:
                found.setdefault(kind, label.name)
    for kind in TYPE_ORDER:
        if kind in found:
            return TypeDecision(kind, f"label '{found[kind]}'")
    return None


def _from_prefix(title: str) -> TypeDecision | None:
    match = _PREFIX_PATTERN.match(title)
    if not match:
        return None
    word = (match.group(1) or match.group(2) or "").lower()
    kind = _PREFIXES.get(word)
    if kind is None:
        return None
    return TypeDecision(kind, f"title prefix '{match.group(0).strip()}'")


def _from_keywords(text: str, where: str) -> TypeDecision | None:
    for kind in TYPE_ORDER:
        pattern = _KEYWORD_PATTERNS.get(kind)
        if pattern is None:
            continue
        match = pattern.search(text)
        if match:
            return TypeDecision(kind, f"keyword '{match.group(0).lower()}' in {where}")
    return None


def _generic_type(issue: Issue) -> str | None:
    if issue.issue_type and issue.issue_type.lower() in _GENERIC_TYPES:
        return f"tracker type '{issue.issue_type}'"
    for label in issue.labels:
        if label.name.lower() != _normalise_label(label.name) and _normalise_label(label.name) in _GENERIC_TYPES:
            return f"label '{label.name}'"
    return None


def classify_type(issue: Issue) -> TypeDecision:
    """Decide the issue's type; the rule names the label, prefix or keyword used."""
    decision = _from_labels(issue)
    if decision:
        return decision
    if issue.issue_type and issue.issue_type.lower() in _TRACKER_TYPES:
        return TypeDecision(_TRACKER_TYPES[issue.issue_type.lower()], f"tracker type '{issue.issue_type}'")
    decision = _from_prefix(issue.title) or _from_keywords(issue.title, "title")
    if decision:
        return decision
    generic = _generic_type(issue)
    if generic:
        return TypeDecision("feature", f"{generic} names no kind and the title has no keyword")
    decision = _from_keywords(issue.body[:4000], "body")
    if decision:
        return decision
    return TypeDecision("feature", "default (no label, prefix or keyword matched)")
