"""Guess a repository's components and priority labels for ``agentlanes init``.

Components come from CODEOWNERS rules, then one per top-level folder that the
rules leave (partly) uncovered, then ``root`` for uncovered files at the top
level. Priority weights come from the labels the repository's issues carry.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from agentlanes.analysis.paths import glob_match
from agentlanes.init.codeowners import OwnerRule, component_name, pattern_globs

# Components taken from CODEOWNERS at most; later rules beyond this are left out
# and their files fall to the top-level folder components.
MAX_CODEOWNERS_COMPONENTS = 50
ROOT_NAME = "root"


@dataclass(frozen=True, slots=True)
class InferredComponent:
    """A component for the generated file, with the reason it exists."""

    name: str
    paths: tuple[str, ...]
    origin: str


def _matches(path: str, globs: Iterable[str]) -> bool:
    return any(glob_match(path, glob) for glob in globs)


def _codeowners_components(rules: Sequence[OwnerRule], tree: Sequence[str], where: str) -> tuple[
        list[InferredComponent], list[str]]:
    """Build one component per rule that matches a file, the last rule first because it wins in CODEOWNERS."""
    components: list[InferredComponent] = []
    notes: list[str] = []
    taken: dict[str, int] = {}
    for rule in reversed(rules):
        globs = pattern_globs(rule.pattern, tree)
        if not globs:
            notes.append(f"{where} line {rule.line} ({rule.pattern}) covers every file; it is not a component")
            continue
        if tree and not any(_matches(path, globs) for path in tree):
            notes.append(f"{where} line {rule.line} ({rule.pattern}) matches no file in the checkout; left out")
            continue
        if len(components) == MAX_CODEOWNERS_COMPONENTS:
            notes.append(f"{where} has more rules than the {MAX_CODEOWNERS_COMPONENTS} components taken from it; "
                         f"rules above line {rule.line + 1} were left out")
            break
        name = component_name(rule.pattern)
        if name in taken:
            name = rule.pattern.strip("/")
        if name in taken:
            continue
        taken[name] = len(components)
        owners = " ".join(rule.owners) or "no owner"
        components.append(InferredComponent(name, globs, f"{where} line {rule.line}: {rule.pattern} {owners}"))
    return components, notes


def infer_components(tree: Sequence[str], rules: Sequence[OwnerRule] = (), where: str = "CODEOWNERS") -> tuple[
        list[InferredComponent], list[str]]:
    """Return the components for ``tree`` (repository paths) and notes on rules left out."""
    components, notes = _codeowners_components(rules, tree, where)
    covered = [component.paths for component in components]
    uncovered = [path for path in tree if not any(_matches(path, globs) for globs in covered)]
    folders = sorted({path.split("/", 1)[0] for path in uncovered if "/" in path})
    names = {component.name for component in components}
    for folder in folders:
        name = folder if folder not in names else f"{folder} (top level)"
        origin = "a top-level folder" if not rules else "a top-level folder that CODEOWNERS leaves uncovered"
        components.append(InferredComponent(name, (f"{folder}/**",), origin))
        names.add(name)
    if any("/" not in path for path in uncovered):
        components.append(InferredComponent(ROOT_NAME if ROOT_NAME not in names else "(root)", ("*",),
                                            "the files at the top level"))
    return components, notes


@dataclass(frozen=True, slots=True)
class PriorityLabel:
    """Priority-like label with its weight and the number of open issues carrying it."""

    label: str
    weight: float
    open_issues: int
    meaning: str


# Patterns over the lower-cased label with spaces, '-' and '_' removed, strongest first.
PRIORITY_PATTERNS: tuple[tuple[str, float, str], ...] = (
    (r"^(priority[:/]?)?p0$|^priority[:/]?(0|critical|urgent|highest)$", 8.0, "highest priority"),
    (r"^(critical|urgent|blocker|showstopper|severity[:/]?(critical|blocker|s1))$", 8.0, "critical"),
    (r"^(priority[:/]?)?p1$|^priority[:/]?(1|high)$|^(high|highpriority|important)$", 4.0, "high priority"),
    (r"^(security|vulnerability|type[:/]?security|kind[:/]?security)$", 4.0, "security"),
    (r"^(regression|type[:/]?regression|kind[:/]?regression)$", 4.0, "regression"),
    (r"^(priority[:/]?)?p2$|^priority[:/]?(2|medium)$", 2.0, "medium priority"),
    (r"^(bug|type[:/]?bug|kind[:/]?bug|t[:/]?bug)$", 1.5, "bug"),
)


def _normalise(label: str) -> str:
    return re.sub(r"[\s_-]+", "", label.lower())


def priority_weight(label: str) -> tuple[float, str] | None:
    """Return the weight and meaning of a label that looks like a priority, else ``None``."""
    normalised = _normalise(label)
    for pattern, weight, meaning in PRIORITY_PATTERNS:
        if re.match(pattern, normalised):
            return weight, meaning
    return None


def infer_priorities(labels_of_open: Iterable[Iterable[str]], all_labels: Iterable[str]) -> list[PriorityLabel]:
    """Pick the priority-like labels among ``all_labels``, counting the open issues that carry each."""
    counts: Counter[str] = Counter()
    for labels in labels_of_open:
        counts.update(set(labels))
    found: dict[str, PriorityLabel] = {}
    for label in sorted(set(all_labels), key=str.lower):
        weighed = priority_weight(label)
        if weighed is not None and label.lower() not in found:
            found[label.lower()] = PriorityLabel(label, weighed[0], counts[label], weighed[1])
    return sorted(found.values(), key=lambda item: (-item.weight, item.label.lower()))
