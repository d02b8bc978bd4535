"""Artifact records of a backlog analysis, built from what ``backlog`` found."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from agentlanes.analysis import artifact as art
from agentlanes.attribution import agent_ran
from agentlanes.analysis.components import ComponentEvidence
from agentlanes.analysis.dependencies import ResolvedDependency
from agentlanes.analysis.footprint import PredictedFile
from agentlanes.analysis.kinds import TypeDecision
from agentlanes.analysis.size import SizeEstimate
from agentlanes.analysis.tasks import Readiness, referenced_issues
from agentlanes.model import Dataset, Issue, PullState
from agentlanes.routing.fitness import Fitness, Record, TypeRecord
from agentlanes.timeutil import format_timestamp

MAX_LISTED_CONFLICTS = 50


@dataclass(frozen=True)
class TaskFindings:
    """Everything the analysis found about one open task."""

    task: Issue
    decision: TypeDecision
    footprint: list[PredictedFile]
    evidence: list[ComponentEvidence]
    size: SizeEstimate
    score: float
    priority_reasons: list[str]
    dependencies: list[ResolvedDependency]
    readiness: Readiness
    ranking: list[Fitness]


def in_flight_items(dataset: Dataset) -> list[art.InFlightItem]:
    """Open pull requests: work under way whose files are locked."""
    items = []
    for pull in dataset.pulls:
        if pull.state is not PullState.OPEN:
            continue
        items.append(
            art.InFlightItem(
                kind="pull",
                number=pull.number,
                title=pull.title,
                agent=pull.attribution.agent,
                author_kind=pull.attribution.kind.value,
                agent_ran=agent_ran(pull.attribution) is not None,
                draft=pull.is_draft,
                files=list(pull.file_paths),
                issues=sorted(referenced_issues(pull)),
                created_at=format_timestamp(pull.created_at),
            )
        )
    return items


def agent_record(row: TypeRecord) -> art.AgentRecord:
    def hours(record: Record) -> list[float]:
        return [round(h, 2) for h in record.merge_hours]

    return art.AgentRecord(
        agent=row.agent, type=row.type, merged=row.record.merged, abandoned=row.record.abandoned,
        merge_hours=hours(row.record),
        components=[
            art.ComponentRecord(component=name, merged=r.merged, abandoned=r.abandoned, merge_hours=hours(r))
            for name, r in row.components.items()
        ],
    )


def issue_record(
    found: TaskFindings, origin: str, neighbours: dict[int, list[int]], group_of: dict[int, int]
) -> art.IssueAnalysis:
    """The artifact record of one task."""
    task = found.task
    ranking = found.ranking
    best = next((f for f in ranking if f.eligible), None)
    conflicts = sorted(neighbours[task.number])
    return art.IssueAnalysis(
        number=task.number,
        title=task.title,
        url=task.url,
        origin=origin,
        created_at=format_timestamp(task.created_at),
        labels=list(task.label_names),
        author=task.author.login,
        type=art.TypeInfo(value=found.decision.value, rule=found.decision.rule),
        components=[art.ComponentInfo(name=e.name, reason=e.reason) for e in found.evidence],
        size=art.SizeInfo(label=found.size.label, points=found.size.points, reasons=list(found.size.reasons)),
        priority=art.PriorityInfo(score=found.score, reasons=found.priority_reasons),
        dependencies=[
            art.DependencyInfo(number=d.target, kind=d.kind, source=d.source, target_state=d.target_state,
                               blocking=d.blocking)
            for d in found.dependencies
        ],
        readiness=art.ReadinessInfo(
            status=found.readiness.status,
            reasons=list(found.readiness.reasons),
            open_pulls=list(found.readiness.open_pulls),
            assignees=list(found.readiness.assignees),
        ),
        footprint=[art.FootprintFile(path=f.path, score=f.score, signals=list(f.signals)) for f in found.footprint],
        conflicts_with=conflicts[:MAX_LISTED_CONFLICTS],
        conflict_count=len(conflicts),
        parallel_group=group_of.get(task.number),
        recommendation=art.Recommendation(
            agent=best.agent if best else None,
            score=best.score if best else 0.0,
            reasons=list(best.reasons) if best else ["no routable agent is eligible for this task"],
            alternatives=[
                art.AgentScore(agent=f.agent, score=f.score, eligible=f.eligible, reasons=list(f.reasons))
                for f in ranking
                if not best or f.agent != best.agent
            ],
        ),
    )


def summary(issues: list[art.IssueAnalysis], groups: list[list[int]], pair_count: int) -> art.Summary:
    statuses = Counter(record.readiness.status for record in issues)
    return art.Summary(
        open_issues=len(issues),
        ready=statuses["ready"],
        blocked=statuses["blocked"],
        in_progress=statuses["in_progress"],
        assigned=statuses["assigned"],
        tracking=statuses["tracking"],
        duplicate=statuses["duplicate"],
        by_type=dict(sorted(Counter(r.type.value for r in issues).items())),
        by_component=dict(sorted(Counter(c.name for r in issues for c in r.components).items())),
        recommended_agents=dict(
            sorted(Counter(r.recommendation.agent or "none" for r in issues).items())
        ),
        parallel_groups=len(groups),
        largest_parallel_group=max((len(g) for g in groups), default=0),
        conflicting_pairs=pair_count,
    )
