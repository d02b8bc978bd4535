"""Backlog analysis: every open issue's type, components, size, dependencies,
readiness, footprint, conflicts, parallel group and recommended agent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from agentlanes import __version__
from agentlanes.analysis import artifact as art
from agentlanes.analysis.components import infer_components
from agentlanes.analysis.dependencies import dependency_edges, resolve_dependencies
from agentlanes.analysis.footprint import FootprintPredictor, build_cached
from agentlanes.analysis.footprint.checkout import CheckoutProviders
from agentlanes.analysis.kinds import classify_type
from agentlanes.analysis.paths import ComponentIndex, known_paths, resolve_components
from agentlanes.analysis.size import estimate_size
from agentlanes.analysis.records import TaskFindings, agent_record, in_flight_items, issue_record, summary
from agentlanes.analysis.tasks import (
    assess_readiness,
    duplicate_titles,
    open_pulls_by_issue,
    priority_score,
    replay_tasks,
)
from agentlanes.config import Config
from agentlanes.model import Dataset, Dependency, Issue, IssueState, PullRequest, PullState
from agentlanes.routing.conflicts import ConflictRule, conflicting_pairs, with_component_fallback
from agentlanes.routing.fitness import AgentHistory, build_history, rank_agents
from agentlanes.routing.groups import parallel_groups
from agentlanes.timeutil import format_timestamp

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


@dataclass(frozen=True)
class _Context:
    """What every task's assessment reads."""

    config: Config
    predictor: FootprintPredictor
    components: ComponentIndex
    history: AgentHistory
    edges: dict[int, list[Dependency]]
    states: dict[int, IssueState]
    linked: dict[int, list[int]]
    duplicates: dict[int, int]


def _assess(task: Issue, context: _Context) -> TaskFindings:
    config = context.config
    decision = classify_type(task)
    footprint = context.predictor.predict_text(task.text, decision.value, top=FOOTPRINT_TOP)
    evidence = infer_components(task, footprint, context.components)
    size = estimate_size(task, decision.value, len(footprint), len(evidence))
    score, priority_reasons = priority_score(task, config.priorities)
    dependencies = resolve_dependencies(task, context.edges, context.states)
    return TaskFindings(
        task=task,
        decision=decision,
        footprint=footprint,
        evidence=evidence,
        size=size,
        score=score,
        priority_reasons=priority_reasons,
        dependencies=dependencies,
        readiness=assess_readiness(task, dependencies, context.linked, context.duplicates.get(task.number)),
        ranking=rank_agents(config.agents, decision.value, [e.name for e in evidence], size.label, context.history),
    )


def _context(inputs: AnalysisInputs, config: Config, tasks: list[Issue], tasks_from: str,
             components: ComponentIndex) -> _Context:
    dataset = inputs.dataset
    merged_before = [p for p in dataset.pulls if p.state is not PullState.OPEN]
    history = (
        build_history(merged_before, pull_type, lambda pull: _pull_components(pull, components))
        if config.agents else AgentHistory.empty()
    )
    states = {issue.number: issue.state for issue in dataset.issues}
    states.update({task.number: IssueState.OPEN for task in tasks})
    return _Context(
        config=config,
        predictor=build_cached(dataset, dataset.now, inputs.providers),
        components=components,
        history=history,
        edges=dependency_edges(list(dataset.issues) + (tasks if tasks_from != "issues" else [])),
        states=states,
        linked=open_pulls_by_issue(dataset.pulls) if tasks_from == "issues" else {},
        # Replayed pull requests often share titles ("Bump x", "Fix lint") and are still separate work.
        duplicates=duplicate_titles(tasks) if tasks_from == "issues" else {},
    )


def _conflicts(findings: list[TaskFindings], config: Config, rule: ConflictRule) -> tuple[int, dict[int, list[int]]]:
    """Count conflicting pairs and list each task's conflicting neighbours."""
    component_sets = {f.task.number: [e.name for e in f.evidence] for f in findings}
    footprints = {
        f.task.number: with_component_fallback(
            {p.path: p.score for p in f.footprint if p.score > 0 and not config.conflict.ignores(p.path)},
            component_sets[f.task.number], rule)
        for f in findings
    }
    pairs = conflicting_pairs(footprints, component_sets, rule)
    neighbours: dict[int, list[int]] = {f.task.number: [] for f in findings}
    for a, b in pairs:
        neighbours[a].append(b)
        neighbours[b].append(a)
    return len(pairs), neighbours


def analyze(inputs: AnalysisInputs, config: Config) -> art.BacklogAnalysis:
    """Analyse the open backlog of ``inputs.dataset`` as of its ``now``."""
    dataset = inputs.dataset
    tasks, tasks_from = _tasks(inputs)
    paths = known_paths(dataset, inputs.tree)
    components = resolve_components(config, paths)
    context = _context(inputs, config, tasks, tasks_from, ComponentIndex(components))
    findings = [_assess(task, context) for task in tasks]

    rule = ConflictRule(config.conflict.method, config.conflict.footprint_threshold)
    pair_count, neighbours = _conflicts(findings, config, rule)
    ready = [f.task.number for f in findings if f.readiness.status == "ready"]
    groups = parallel_groups(ready, neighbours, {f.task.number: f.score for f in findings})
    group_of = {number: index for index, members in enumerate(groups, 1) for number in members}
    component_sets = {f.task.number: [e.name for e in f.evidence] for f in findings}

    origin = "issue" if tasks_from == "issues" else "pull-request replay"
    issues = [issue_record(found, origin, neighbours, group_of) for found in findings]
    issues.sort(key=lambda record: (-record.priority.score, record.number))
    predictor = context.predictor
    return art.BacklogAnalysis(
        generated_by=f"agentlanes {__version__}",
        repository=dataset.name,
        source=dataset.origin,
        as_of=format_timestamp(dataset.as_of),
        now=format_timestamp(dataset.now),
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
        summary=summary(issues, groups, pair_count),
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
        in_flight=in_flight_items(dataset),
        agent_records=[agent_record(row) for row in context.history.rows],
        notes=list(dataset.notes),
        skipped=[art.SkippedItem(source=s.source, item=s.item, reason=s.reason) for s in dataset.skips],
    )


def _pull_components(pull: PullRequest, index: ComponentIndex) -> set[str]:
    return {name for name in (index.component_of(path) for path in pull.file_paths) if name}
