"""The public verbs of agentlanes; each command-line command is a thin call into one.

Example::

    from agentlanes import Source, analyze, route, dashboard

    source = Source(from_dir="exports/myrepo")
    analysis = analyze(source, as_of="2024-03-01")
    plan = route(analysis)
    board = dashboard(source, as_of="2024-03-01")
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from agentlanes.analysis.artifact import BacklogAnalysis
from agentlanes.analysis.backlog import DEFAULT_REPLAY_HORIZON, AnalysisInputs
from agentlanes.analysis.backlog import analyze as analyze_inputs
from agentlanes.config import Config, load_config
from agentlanes.errors import InputError
from agentlanes.metrics.dashboard import build_dashboard
from agentlanes.metrics.models import Dashboard
from agentlanes.metrics.window import DEFAULT_WEEKS
from agentlanes.model import Dataset
from agentlanes.routing.dispatched import Dispatch
from agentlanes.routing.optimal import DEFAULT_TIME_LIMIT
from agentlanes.routing.plan import DEFAULT_SOLVER, RoutingPlan
from agentlanes.routing.plan import route as route_analysis
from agentlanes.simulation.policies import POLICIES
from agentlanes.simulation.report import SimulationReport
from agentlanes.simulation.sweep import DEFAULT_PARALLEL, DEFAULT_RUNS, simulate_backlog
from agentlanes.sources.asof import snapshot
from agentlanes.sources.gitrepo import Checkout
from agentlanes.sources.loader import load_dataset
from agentlanes.timeutil import parse_as_of


@dataclass(frozen=True)
class Source:
    """Where a repository's data comes from.

    ``from_dir`` is an export folder; ``issues``/``pulls``/``commits`` are single
    files (gh, REST or GraphQL shapes); ``repo`` is a local git checkout, used for
    the file tree, file contents and merge replays.
    """

    from_dir: str | Path | None = None
    issues: str | Path | None = None
    pulls: str | Path | None = None
    commits: str | Path | None = None
    repo: str | Path | None = None
    name: str | None = None


def _moment(value: str | datetime | None) -> datetime | None:
    if isinstance(value, datetime):
        return value
    return parse_as_of(value)


def load(source: Source, config: Config | None = None, as_of: str | datetime | None = None) -> tuple[Dataset, Dataset]:
    """Load the data; return it whole and as it stood at ``as_of``."""
    config = config or load_config()
    if source.from_dir is None and source.issues is None and source.pulls is None:
        raise InputError("no input data given", "pass --from FOLDER, or --issues FILE and/or --pulls FILE")
    full = load_dataset(config, source.from_dir, source.issues, source.pulls, source.commits, source.name)
    return full, snapshot(full, _moment(as_of))


def _checkout_tree(source: Source, moment: datetime | None) -> tuple[list[str] | None, str]:
    if source.repo is None:
        return None, ""
    checkout = Checkout.open(source.repo)
    commit = checkout.commit_at(moment)
    if commit is None:
        raise InputError(
            f"--repo {source.repo}: no commit at or before {moment}",
            "pick a later --as-of, or a checkout with that history",
        )
    tree = checkout.tree(commit)
    return tree, f"git tree of {commit[:12]} in {checkout.path} ({len(tree)} files)"


def _analysis(
    source: Source, config: Config, as_of: str | datetime | None, tasks_from: str, horizon: timedelta
) -> tuple[BacklogAnalysis, Dataset]:
    """Analyse the backlog; also return the whole data set it was cut from."""
    if tasks_from not in ("issues", "pulls"):
        raise InputError(f"invalid --tasks-from value {tasks_from!r}", "use 'issues' or 'pulls'")
    full, cut = load(source, config, as_of)
    if tasks_from == "pulls" and cut.as_of is None:
        raise InputError("--tasks-from pulls needs --as-of", "pick the moment whose following PRs become the backlog")
    tree, tree_source = _checkout_tree(source, cut.now)
    inputs = AnalysisInputs(cut, full, tree, tree_source, tasks_from, horizon)
    return analyze_inputs(inputs, config), full


def analyze(
    source: Source,
    *,
    config: Config | None = None,
    as_of: str | datetime | None = None,
    tasks_from: str = "issues",
    horizon: timedelta = DEFAULT_REPLAY_HORIZON,
) -> BacklogAnalysis:
    """Analyse the open backlog (see ``agentlanes.analysis.backlog``)."""
    return _analysis(source, config or load_config(), as_of, tasks_from, horizon)[0]


def route(
    analysis: BacklogAnalysis,
    *,
    config: Config | None = None,
    solver: str = DEFAULT_SOLVER,
    time_limit: float = DEFAULT_TIME_LIMIT,
    dispatched: Iterable[Dispatch] = (),
) -> RoutingPlan:
    """Pick the tasks to start now and plan the backlog in waves (see ``agentlanes.routing.plan``).

    ``dispatched`` lists issues already handed to agents (``routing.dispatched``);
    ``time_limit`` caps the CP-SAT search in seconds.
    """
    return route_analysis(analysis, config or load_config(), solver=solver, time_limit=time_limit,
                          dispatched=dispatched)


def dashboard(
    source: Source,
    *,
    config: Config | None = None,
    as_of: str | datetime | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    weeks: int = DEFAULT_WEEKS,
    group_by: str = "agent",
) -> Dashboard:
    """Compute the velocity dashboard (see ``agentlanes.metrics.dashboard``)."""
    config = config or load_config()
    _, cut = load(source, config, as_of)
    return build_dashboard(cut, config, since=_moment(since), until=_moment(until), weeks=weeks, group_by=group_by)


def simulate(
    source: Source,
    *,
    config: Config | None = None,
    as_of: str | datetime | None = None,
    tasks_from: str = "pulls",
    horizon: timedelta = DEFAULT_REPLAY_HORIZON,
    policies: Sequence[str] = POLICIES,
    parallel: Sequence[int] = DEFAULT_PARALLEL,
    runs: int = DEFAULT_RUNS,
    seed: int = 1,
) -> SimulationReport:
    """Simulate agents working through the backlog at ``as_of`` under each policy
    (see ``agentlanes.simulation``); the same seed gives the same report."""
    if as_of is None:
        raise InputError("simulate needs --as-of", "pick a past moment, so the history before it drives the simulation")
    config = config or load_config()
    analysis, full = _analysis(source, config, as_of, tasks_from, horizon)
    return simulate_backlog(analysis, full, config, policies=policies, parallel=parallel, runs=runs, seed=seed)


@dataclass(frozen=True)
class DemoResult:
    """Paths written by ``demo`` and the headline numbers for its summary."""

    sample: Path
    analysis: Path
    plan: Path
    plan_summary: Path
    dashboard_md: Path
    dashboard_json: Path
    open_tasks: int
    ready: int
    selected: int
    merged_in_window: int


def demo(output_dir: str | Path = "artifacts", seed: int = 7) -> DemoResult:
    """Generate the embedded sample and run analyze, route and dashboard on it."""
    from agentlanes import artifacts as files
    from agentlanes.demo.generator import write_sample
    from agentlanes.render.dashboard_md import render_markdown
    from agentlanes.render.routing_md import render_plan_markdown

    root = Path(output_dir)
    sample = write_sample(root / "demo" / "sample", seed)
    out = root / "orchestration"
    config = load_config(None)
    source = Source(from_dir=sample, name="example/orbit")
    analysis = analyze(source, config=config)
    # A stable description instead of the folder path, so every run writes identical files.
    analysis.source = f"embedded sample generated with seed {seed}"
    plan = route(analysis, config=config)
    # Solver timings differ between runs; zeroing them keeps the demo's files identical.
    plan.solver.seconds = 0.0
    plan.wave_plan.seconds = 0.0
    board = dashboard(source, config=config)
    analysis_path = files.write_model(out / files.ANALYSIS_FILE, analysis)
    plan_path = files.write_model(out / files.PLAN_FILE, plan)
    summary_path = files.write_text(out / files.PLAN_SUMMARY_FILE, render_plan_markdown(plan))
    md_path = files.write_text(out / files.DASHBOARD_MD, render_markdown(board))
    json_path = files.write_model(out / files.DASHBOARD_JSON, board)
    return DemoResult(
        sample=sample,
        analysis=analysis_path,
        plan=plan_path,
        plan_summary=summary_path,
        dashboard_md=md_path,
        dashboard_json=json_path,
        open_tasks=analysis.summary.open_issues,
        ready=analysis.summary.ready,
        selected=len(plan.selected),
        merged_in_window=sum(row.merged for row in board.merged_per_week),
    )
