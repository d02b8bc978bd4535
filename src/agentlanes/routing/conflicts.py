"""When two tasks may not be in flight together.

A task's footprint maps each predicted file to the probability that its fix
touches the file. Two tasks conflict on a file when the product of their two
probabilities reaches the threshold ``tau`` (configured; 0.05 by default, e.g.
both at 0.23, or 0.5 and 0.1). Taking the maximum over files, instead of combining them, keeps the
rule decomposable per file, which is what lets the optimiser express all
conflicts as one constraint group per file instead of one per pair.

The component rule (the classic one) says two tasks in the same component
conflict. Under the footprint rule, two tasks whose every predicted file has
``p * p < tau`` never conflict with each other, even when both predictions point
at the same files, so such a task falls back to its components: it claims the
pseudo-file ``component:<name>`` with probability 1, and every other task and
lock claims the components it touches with probability ``tau``. Such a task
then conflicts with all work in its components, while two tasks with confident
footprints never conflict on a component (``tau * tau < tau``).

Files of open pull requests and of already dispatched tasks are locks: a lock
holds its file with probability 1 (open PR) or its predicted probability (a
dispatched issue with no PR yet).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


def file_conflict(p: float, q: float, tau: float) -> bool:
    """Return whether two claims on one file conflict: both positive and ``p * q >= tau``.

    Every solver, checker and report uses this one predicate, so they agree on
    each pair to the last bit of floating point.
    """
    return p > 0 and q > 0 and p * q >= tau


@dataclass(frozen=True, slots=True)
class Lock:
    """Work already in flight: an open PR or a dispatched issue."""

    holder: str  # "PR #12" or "issue #34 (dispatched to codex)"
    files: Mapping[str, float]
    components: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ConflictReason:
    other: str
    kind: str  # "file", "component", "lock"
    detail: str
    strength: float

    def describe(self) -> str:
        if self.kind == "component":
            return f"conflicts with {self.other} on component {self.detail}"
        if is_component_claim(self.detail):
            name = self.detail.removeprefix(COMPONENT_CLAIM)
            return (f"conflicts with {self.other} on component {name}: one of the two has no file "
                    "predicted with enough confidence, so its whole component counts")
        return f"conflicts with {self.other} on {self.detail} (joint probability {self.strength:.2f})"


@dataclass(frozen=True, slots=True)
class ConflictRule:
    method: str = "footprint"  # footprint, component or both
    tau: float = 0.05

    @property
    def uses_files(self) -> bool:
        return self.method in ("footprint", "both")

    @property
    def uses_components(self) -> bool:
        return self.method in ("component", "both")


COMPONENT_CLAIM = "component:"


def is_component_claim(path: str) -> bool:
    """Return whether ``path`` is a pseudo-file of the component fallback."""
    return path.startswith(COMPONENT_CLAIM)


def has_confident_file(files: Mapping[str, float], tau: float) -> bool:
    """Return whether some file could make two tasks like this one conflict (``p * p >= tau``).

    Below that, the file rule cannot separate two such tasks even when their
    predictions agree (two tasks each 5 % likely to touch a file), so they fall
    back to their components.
    """
    return any(file_conflict(p, p, tau) for path, p in files.items() if not is_component_claim(path))


def with_component_fallback(
    files: Mapping[str, float], components: Iterable[str], rule: ConflictRule
) -> dict[str, float]:
    """Return ``files`` plus the component claims described in the module docstring.

    Only the footprint rule needs them (the other rules compare components
    directly), and only while ``tau < 1``, where ``tau * tau < tau`` holds.
    """
    claims = dict(files)
    if rule.method != "footprint" or not 0 < rule.tau < 1:
        return claims
    weight = rule.tau if has_confident_file(files, rule.tau) else 1.0
    for name in components:
        claims[COMPONENT_CLAIM + name] = weight
    return claims


def _stronger(reason: ConflictReason, other: ConflictReason) -> bool:
    """Return whether ``reason`` outranks ``other``.

    A real file beats a component claim; between equals, the higher joint probability wins.
    """
    return ((not is_component_claim(reason.detail), reason.strength)
            > (not is_component_claim(other.detail), other.strength))


@dataclass
class Claims:
    """Files and components claimed by selected tasks and locks, for fast checks.

    For each file only the highest claim matters: if a new task's probability
    times the highest claim stays under ``tau``, it stays under for every claim.
    """

    rule: ConflictRule
    files: dict[str, tuple[float, str]] = field(default_factory=dict)
    components: dict[str, str] = field(default_factory=dict)

    def add(self, holder: str, files: Mapping[str, float], components: Iterable[str]) -> None:
        if self.rule.uses_files:
            for path, probability in files.items():
                current = self.files.get(path)
                if current is None or current[0] < probability:
                    self.files[path] = (probability, holder)
        if self.rule.uses_components:
            for component in components:
                self.components.setdefault(component, holder)

    def add_lock(self, lock: Lock) -> None:
        self.add(lock.holder, lock.files, lock.components)

    def conflict(self, files: Mapping[str, float], components: Iterable[str]) -> ConflictReason | None:
        """Return the strongest conflict of a candidate with the claims, or ``None``."""
        best: ConflictReason | None = None
        if self.rule.uses_files:
            for path, probability in files.items():
                claim = self.files.get(path)
                if claim is None or not file_conflict(probability, claim[0], self.rule.tau):
                    continue
                reason = ConflictReason(claim[1], "file", path, probability * claim[0])
                if best is None or _stronger(reason, best):
                    best = reason
        if best is None and self.rule.uses_components:
            for component in sorted(components):
                if component in self.components:
                    return ConflictReason(self.components[component], "component", component, 1.0)
        return best


def conflicting_pairs(
    footprints: Mapping[int, Mapping[str, float]],
    components: Mapping[int, Iterable[str]],
    rule: ConflictRule,
) -> dict[tuple[int, int], ConflictReason]:
    """Return every conflicting pair (a < b) among tasks, with the strongest reason.

    Built per file and per component, so the cost follows the number of
    (task, file) entries rather than the square of the task count.
    """
    pairs: dict[tuple[int, int], ConflictReason] = {}
    if rule.uses_files:
        by_file: dict[str, list[tuple[float, int]]] = defaultdict(list)
        for task, footprint in footprints.items():
            for path, probability in footprint.items():
                if probability > 0:
                    by_file[path].append((probability, task))
        for path, entries in by_file.items():
            entries.sort(reverse=True)
            for index, (p_a, a) in enumerate(entries):
                for p_b, b in entries[index + 1:]:
                    if not file_conflict(p_a, p_b, rule.tau):
                        break
                    key = (a, b) if a < b else (b, a)
                    reason = ConflictReason(f"#{key[1]}", "file", path, p_a * p_b)
                    if key not in pairs or _stronger(reason, pairs[key]):
                        pairs[key] = reason
    if rule.uses_components:
        by_component: dict[str, list[int]] = defaultdict(list)
        for task, names in components.items():
            for name in names:
                by_component[name].append(task)
        for name, tasks in by_component.items():
            tasks.sort()
            for index, a in enumerate(tasks):
                for b in tasks[index + 1:]:
                    pairs.setdefault((a, b), ConflictReason(f"#{b}", "component", name, 1.0))
    return pairs


@dataclass(frozen=True, slots=True)
class FileCliques:
    """The conflict structure of one file under the product rule.

    ``heavy`` lists the tasks whose claim conflicts with itself (``p * p >= tau``),
    heaviest first: any two of them conflict, so they form a clique. A lighter
    task conflicts only with a prefix of ``heavy`` (the heavy tasks with
    ``p_h * p_l >= tau``), and two light tasks never conflict. ``light`` maps each
    light task that has such a neighbour to the length of its prefix.
    """

    path: str
    heavy: tuple[tuple[float, int], ...]
    light: tuple[tuple[float, int, int], ...]  # (probability, task, prefix length)

    @property
    def clique_size(self) -> int:
        """Size of the largest set of tasks that pairwise conflict on this file."""
        best = len(self.heavy)
        for _, _, prefix in self.light:
            best = max(best, prefix + 1)
        return best


def file_cliques(path: str, entries: Iterable[tuple[float, int]], tau: float) -> FileCliques:
    """Split one file's (probability, task) claims into the heavy clique and light tasks.

    The split is exact for the ``file_conflict`` predicate because floating-point
    multiplication is monotone: if ``p_h * p_l >= tau`` and ``p_l * p_l < tau``
    then ``p_h > p_l``, so ``p_h * p_h >= tau``.
    """
    ordered = sorted((e for e in entries if e[0] > 0), key=lambda e: (-e[0], e[1]))
    heavy = tuple(e for e in ordered if file_conflict(e[0], e[0], tau))
    descending = [-p for p, _ in heavy]
    light: list[tuple[float, int, int]] = []
    for probability, task in ordered[len(heavy):]:
        # Heavy claims are sorted, so the neighbours of a light task are a prefix.
        prefix = bisect.bisect_right(descending, -(tau / probability)) if tau > 0 else len(heavy)
        while prefix < len(heavy) and file_conflict(heavy[prefix][0], probability, tau):
            prefix += 1
        while prefix > 0 and not file_conflict(heavy[prefix - 1][0], probability, tau):
            prefix -= 1
        if prefix:
            light.append((probability, task, prefix))
    return FileCliques(path, heavy, tuple(light))


def cliques_by_file(footprints: Mapping[int, Mapping[str, float]], tau: float) -> list[FileCliques]:
    """Return the conflict structure of every file that at least two tasks claim."""
    by_file: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for task, footprint in footprints.items():
        for path, probability in footprint.items():
            if probability > 0:
                by_file[path].append((probability, task))
    return [file_cliques(path, entries, tau) for path, entries in sorted(by_file.items()) if len(entries) > 1]
