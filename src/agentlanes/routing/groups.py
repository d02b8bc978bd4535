"""Parallel groups: ready issues split into sets that can all run at once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def parallel_groups(
    tasks: Iterable[int], neighbours: Mapping[int, Iterable[int]], priorities: Mapping[int, float]
) -> list[list[int]]:
    """Greedy colouring, highest priority first: each task joins the first group
    holding none of its conflicting neighbours. Every group is conflict-free."""
    groups: list[set[int]] = []
    order = sorted(tasks, key=lambda number: (-priorities.get(number, 1.0), number))
    for number in order:
        conflicts = set(neighbours.get(number, ()))
        for group in groups:
            if not group & conflicts:
                group.add(number)
                break
        else:
            groups.append({number})
    return [sorted(group) for group in groups]
