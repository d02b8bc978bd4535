"""Per-group outcomes of the PRs created in the window (the Swarmia agent metrics, per --by group)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from agentlanes.attribution import Attributor
from agentlanes.metrics import models as m
from agentlanes.metrics.durations import hours_to_merge
from agentlanes.metrics.grouping import Grouper
from agentlanes.metrics.pullcommits import PullCommits, agent_share
from agentlanes.metrics.window import Window, percentile
from agentlanes.model import PullRequest, PullState


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _row(group: str, members: list[PullRequest], commits: Mapping[int, PullCommits],
         attributor: Attributor) -> m.Outcome:
    merged = [p for p in members if p.state is PullState.MERGED]
    abandoned = [p for p in members if p.state is PullState.CLOSED]
    hours = [h for p in merged if (h := hours_to_merge(p)) is not None]
    finished = len(merged) + len(abandoned)
    shares = [share for p in merged if p.number in commits
              if (share := agent_share(commits[p.number], attributor)) is not None]
    kinds = {p.attribution.kind.value for p in members}
    return m.Outcome(
        group=group,
        kind=kinds.pop() if len(kinds) == 1 else "mixed",
        opened=len(members),
        merged=len(merged),
        abandoned=len(abandoned),
        still_open=len(members) - finished,
        merge_pct=round(100 * len(merged) / finished, 1) if finished else None,
        median_hours_to_merge=_round(percentile(hours, 0.5)),
        p90_hours_to_merge=_round(percentile(hours, 0.9)),
        agent_commit_share=_round(sum(shares) / len(shares), 4) if shares else None,
        commit_share_pulls=len(shares),
    )


def outcomes(pulls: Sequence[PullRequest], window: Window, grouper: Grouper,
             commits: Mapping[int, PullCommits], attributor: Attributor) -> list[m.Outcome]:
    """Summarise per group the PRs created in the window and how they ended, agents first, then by PRs opened."""
    groups: dict[str, list[PullRequest]] = defaultdict(list)
    for pull in pulls:
        if window.contains(pull.created_at):
            groups[grouper.of(pull)].append(pull)
    rows = [_row(name, members, commits, attributor) for name, members in groups.items()]
    return sorted(rows, key=lambda row: (row.kind != "agent", -row.opened, row.group))
