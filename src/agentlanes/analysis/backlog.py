"""Backlog analysis: every open issue's type, components, size, dependencies,
readiness, footprint, conflicts, parallel group and recommended agent."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from agentlanes import __version__
from agentlanes.analysis import artifact as art
from agentlanes.analysis.components import infer_components
from agentlanes.analysis.dependencies import dependency_edges, resolve_dependencies
from agentlanes.analysis.footprint import PredictedFile, build_cached
from agentlanes.analysis.footprint.checkout import CheckoutProviders
from agentlanes.analysis.kinds import classify_type
from agentlanes.analysis.paths import ComponentIndex, known_paths, resolve_components
from agentlanes.analysis.size import estimate_size
from agentlanes.analysis.tasks import (
    assess_readiness,
    open_pulls_by_issue,
    priority_score,
    referenced_issues,
    replay_tasks,
)
from agentlanes.config import Config
from agentlanes.model import Dataset, Issue, IssueState, PullRequest, PullState
from agentlanes.routing.conflicts import ConflictRule, conflicting_pairs
from agentlanes.routing.fitness import AgentHistory, Record, TypeRecord, build_history, rank_agents
from agentlanes.routing.groups import parallel_groups
from agentlanes.timeutil import format_timestamp

MAX_LISTED_CONFLICTS = 50
FOOTPRINT_TOP = 20
DEFAULT_REPLAY_HORIZON = timedelta(days=14)


def pull_type(pull: PullRequest) -> str:
    """Type of a pull request's task, classified from its own title, body and labels."""
    pseudo = Issue(pull.number, pull.title, pull.body, IssueState.CLOSED, pull.created_at, labels=pull.labels)
    return classify_type(pseudo).value


@dataclass(frozen=True)
class AnalysisInputs:
    """What ``analyze`` reads besides the configuration."""

    dataset: Dataset  # already cut at --as-of
    full_dataset: Dataset  # before the cut; only read for pull-request replay
    tree: Sequence[str] | None = None  # files of a checkout, if one was given
    tree_source: str = ""
    tasks_from: str = "issues"  # or "pulls"
    horizon: timedelta = DEFAULT_REPLAY_HORIZON
    providers: CheckoutProviders | None = None  # file trees and contents of the checkout


def _tasks(inputs: AnalysisInputs) -> tuple[list[Issue], str]:
    dataset = inputs.dataset
    if inputs.tasks_from == "pulls":
        moment = dataset.now
        if moment is None:
            return [], "pull-request replay"
        return replay_tasks(inputs.full_dataset, moment, inputs.horizon), "pull-request replay"
    return [issue for issue in dataset.issues if issue.state is IssueState.OPEN], "issues"


def _in_flight(dataset: Dataset) -> list[art.InFlightItem]:
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
                draft=pull.is_draft,
                files=list(pull.file_paths),
                issues=sorted(referenced_issues(pull)),
                created_at=format_timestamp(pull.created_at),
            )
        )
    return items


def analyze(inputs: AnalysisInputs, config: Config) -> art.BacklogAnalysis:
    """Analyse the open backlog of ``inputs.dataset`` as of its ``now``."""
    dataset = inputs.dataset
    now: datetime | None = dataset.now
    tasks, tasks_from = _tasks(inputs)
    paths = known_paths(dataset, inputs.tree)
    components = resolve_components(config, paths)
    component_index = ComponentIndex(components)
    providers = inputs.providers
    predictor = build_cached(dataset, now, providers)
    merged_before = [p for p in dataset.pulls if p.state is not PullState.OPEN]
    history = (
        build_history(merged_before, pull_type, lambda pull: _pull_components(pull, component_index))
        if config.agents else AgentHistory.empty()
    )

    states = {issue.number: issue.state for issue in dataset.issues}
    states.update({task.number: IssueState.OPEN for task in tasks})
    edges = dependency_edges(list(dataset.issues) + (tasks if tasks_from != "issues" else []))
    linked = open_pulls_by_issue(dataset.pulls) if tasks_from == "issues" else {}
    rule = ConflictRule(config.conflict.method, config.conflict.footprint_threshold)

    partial: list[dict] = []
    for task in tasks:
        decision = classify_type(task)
        footprint: list[PredictedFile] = predictor.predict_text(task.text, decision.value, top=FOOTPRINT_TOP)
        evidence = infer_components(task, footprint, component_index)
        size = estimate_size(task, decision.value, len(footprint), len(evidence))
        score, priority_reasons = priority_score(task, config.priorities)
        dependencies = resolve_dependencies(task, edges, states)
        readiness = assess_readiness(task, dependencies, linked)
        ranking = rank_agents(config.agents, decision.value, [e.name for e in evidence], size.label, history)
        partial.append(
            dict(task=task, decision=decision, footprint=footprint, evidence=evidence, size=size,
                 score=score, priority_reasons=priority_reasons, dependencies=dependencies,
                 readiness=readiness, ranking=ranking)
        )

    footprints = {p["task"].number: {f.path: f.score for f in p["footprint"] if not config.conflict.ignores(f.path)}
                  for p in partial}
    component_sets = {p["task"].number: [e.name for e in p["evidence"]] for p in partial}
    pairs = conflicting_pairs(footprints, component_sets, rule)
    neighbours: dict[int, list[int]] = {p["task"].number: [] for p in partial}
    for a, b in pairs:
        neighbours[a].append(b)
        neighbours[b].append(a)
    ready = [p["task"].number for p in partial if p["readiness"].status == "ready"]
    priorities = {p["task"].number: p["score"] for p in partial}
    groups = parallel_groups(ready, neighbours, priorities)
    group_of = {number: index for index, members in enumerate(groups, 1) for number in members}

    origin = "issue" if tasks_from == "issues" else "pull-request replay"
    issues = [_issue_record(p, origin, neighbours, group_of) for p in partial]
    issues.sort(key=lambda record: (-record.priority.score, record.number))
    return art.BacklogAnalysis(
        generated_by=f"agentlanes {__version__}",
        repository=dataset.name,
        source=dataset.origin,
        as_of=format_timestamp(dataset.as_of),
        now=format_timestamp(now),
        config_source=config.source,
        conflict_method=rule.method,
        conflict_threshold=rule.tau,
        tasks_from=tasks_from,
        file_tree=inputs.tree_source or f"paths changed in history ({len(paths)} files)",
        footprint_model=art.FootprintModel(
            training_tasks=predictor.training_tasks,
            task_source=predictor.mode,
            fitted=predictor.calibrator.trained,
            weights={name: round(value, 4) for name, value in predictor.calibrator.weights().items()},
        ),
        summary=_summary(issues, groups, len(pairs)),
        components=[art.ComponentDefinition(name=c.name, paths=list(c.globs), source=c.source) for c in components],
        issues=issues,
        parallel_groups=[
            art.ParallelGroup(
                id=index,
                issues=sorted(members),
                components=sorted({name for number in members for name in component_sets[number]}),
            )
            for index, members in enumerate(groups, 1)
        ],
        in_flight=_in_flight(dataset),
        agent_records=[_agent_record(row) for row in history.rows],
        notes=list(dataset.notes),
        skipped=[art.SkippedItem(source=s.source, item=s.item, reason=s.reason) for s in dataset.skips],
    )


def _pull_components(pull: PullRequest, index: ComponentIndex) -> set[str]:
    return {name for name in (index.component_of(path) for path in pull.file_paths) if name}


def _agent_record(row: TypeRecord) -> art.AgentRecord:
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


def _issue_record(
    p: dict, origin: str, neighbours: dict[int, list[int]], group_of: dict[int, int]
) -> art.IssueAnalysis:
    task: Issue = p["task"]
    ranking = p["ranking"]
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
        type=art.TypeInfo(value=p["decision"].value, rule=p["decision"].rule),
        components=[art.ComponentInfo(name=e.name, reason=e.reason) for e in p["evidence"]],
        size=art.SizeInfo(label=p["size"].label, points=p["size"].points, reasons=list(p["size"].reasons)),
        priority=art.PriorityInfo(score=p["score"], reasons=p["priority_reasons"]),
        dependencies=[
            art.DependencyInfo(number=d.target, kind=d.kind, source=d.source, target_state=d.target_state,
                               blocking=d.blocking)
            for d in p["dependencies"]
        ],
        readiness=art.ReadinessInfo(
            status=p["readiness"].status,
            reasons=list(p["readiness"].reasons),
            open_pulls=list(p["readiness"].open_pulls),
            assignees=list(p["readiness"].assignees),
        ),
        footprint=[art.FootprintFile(path=f.path, score=f.score, signals=list(f.signals)) for f in p["footprint"]],
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


def _summary(issues: list[art.IssueAnalysis], groups: list[list[int]], pair_count: int) -> art.Summary:
    statuses = Counter(record.readiness.status for record in issues)
    return art.Summary(
        open_issues=len(issues),
        ready=statuses["ready"],
        blocked=statuses["blocked"],
        in_progress=statuses["in_progress"],
        assigned=statuses["assigned"],
        by_type=dict(sorted(Counter(r.type.value for r in issues).items())),
        by_component=dict(sorted(Counter(c.name for r in issues for c in r.components).items())),
        recommended_agents=dict(
            sorted(Counter(r.recommendation.agent or "none" for r in issues).items())
        ),
        parallel_groups=len(groups),
        largest_parallel_group=max((len(g) for g in groups), default=0),
        conflicting_pairs=pair_count,
    )
