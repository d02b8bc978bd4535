"""The public verbs of agentlanes; each command-line command is a thin call into one.

Example::

    from agentlanes.api import Source, analyze, dashboard, route, sync

    source = Source(from_dir="exports/myrepo")
    analysis = analyze(source, as_of="2024-03-01")
    plan = route(analysis)
    board = dashboard(source, as_of="2024-03-01")

    report = sync("octo-org/octo-repo")            # into the store in the user cache folder
    board = dashboard(Source(github_repo="octo-org/octo-repo"))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from agentlanes.analysis.artifact import BacklogAnalysis
from agentlanes.analysis.backlog import DEFAULT_REPLAY_HORIZON, AnalysisInputs
from agentlanes.analysis.backlog import analyze as analyze_inputs
from agentlanes.analysis.footprint import PredictedFile
from agentlanes.analysis.footprint.checkout import CheckoutProviders
from agentlanes.config import Config, load_config
from agentlanes.errors import InputError
from agentlanes.metrics.dashboard import build_dashboard
from agentlanes.metrics.dispatch import dispatch_spans
from agentlanes.metrics.matrix import DEFAULT_MAX_HEADS, ConflictMatrix, conflict_matrix
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
from agentlanes.sources.gitrepo import Checkout
from agentlanes.sources.inputs import Source, checkout_tree, load, moment_of
from agentlanes.sources.sidecars import DispatchEntry

__all__ = [
    "Source", "analyze", "backtest", "conflicts", "dashboard", "demo", "dispatch", "export", "init", "load",
    "predict", "replayed_plan", "route", "simulate", "sync",
]

if TYPE_CHECKING:
    from collections.abc import Callable

    from agentlanes.demo.pipeline import DemoResult
    from agentlanes.dispatch.runner import DispatchReport, Outcome
    from agentlanes.init import InitResult
    from agentlanes.github.ratelimit import Clock
    from agentlanes.github.sync import SyncProgress, SyncReport
    from agentlanes.store.export import ExportReport


def _analysis(
    source: Source, config: Config, as_of: str | datetime | None, tasks_from: str, horizon: timedelta
) -> tuple[BacklogAnalysis, Dataset]:
    """Analyse the backlog; also return the whole data set it was cut from."""
    if tasks_from not in ("issues", "pulls"):
        raise InputError(f"invalid --tasks-from value {tasks_from!r}", "use 'issues' or 'pulls'")
    full, cut = load(source, config, as_of)
    if tasks_from == "pulls" and cut.as_of is None:
        raise InputError("--tasks-from pulls needs --as-of", "pick the moment whose following PRs become the backlog")
    tree, tree_source, providers = checkout_tree(source, cut.now)
    inputs = AnalysisInputs(cut, full, tree, tree_source, tasks_from, horizon, providers)
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


def _window_end(value: str | datetime | None) -> datetime | None:
    """``--until``: a bare date means the end of that day (the window is ``[since, until)``)."""
    moment = moment_of(value, "--until")
    if isinstance(value, str) and moment is not None and len(value.strip()) == 10:
        return moment + timedelta(days=1)
    return moment


def dashboard(
    source: Source,
    *,
    config: Config | None = None,
    as_of: str | datetime | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    weeks: int = DEFAULT_WEEKS,
    group_by: str = "agent",
    queue_snapshots: Sequence[tuple[datetime, int]] = (),
    dispatch_log: Sequence[DispatchEntry] = (),
) -> Dashboard:
    """Compute the velocity dashboard (see ``agentlanes.metrics.dashboard``).

    With ``source.repo``, the PRs finished in the window are replayed with
    ``git merge-tree`` for the conflict rate. ``queue_snapshots`` are stored live
    merge-queue depths; ``dispatch_log`` lists issues handed to agents (see
    ``agentlanes.sources.sidecars`` for both file formats).
    """
    config = config or load_config()
    end = _window_end(until)
    # Without --as-of, a past --until also fixes the state the PRs are shown in.
    if as_of is not None:
        moment = moment_of(as_of)
    elif end is not None:
        moment = end - timedelta(microseconds=1)
    else:
        moment = None
    full, cut = load(source, config, moment, "--as-of" if as_of is not None else "--until")
    # Snapshots passed in win; otherwise those stored by a sync (or an export folder's x_merge_queue.json).
    queue = list(queue_snapshots) or [(reading.taken_at, reading.depth) for reading in cut.queue_snapshots]
    return build_dashboard(
        cut, config, since=moment_of(since, "--since"), until=end, weeks=weeks, group_by=group_by,
        repo=source.repo, queue_snapshots=queue, dispatched=dispatch_spans(dispatch_log, cut),
        history=full.commits,
    )


def conflicts(
    source: Source,
    *,
    config: Config | None = None,
    base: str | None = None,
    max_heads: int = DEFAULT_MAX_HEADS,
    all_pairs: bool = False,
) -> ConflictMatrix:
    """Merge-test the open PR heads in ``source.repo`` against the base and each other.

    See ``agentlanes.metrics.matrix`` for how heads and the base are found.

    PR data in ``source`` is optional: with it, the open PRs are the heads;
    without it, the heads come from the repository's refs.
    """
    if source.repo is None:
        raise InputError("no repository given", "pass --repo PATH, a local clone with the PR heads fetched")
    pulls = None
    if source.from_dir is not None or source.pulls is not None or source.issues is not None:
        _, cut = load(source, config or load_config(), None)
        pulls = cut.pulls
    return conflict_matrix(source.repo, pulls, base=base, max_heads=max_heads, all_pairs=all_pairs)


def sync(
    repository: str,
    *,
    db: str | Path | None = None,
    api_url: str | None = None,
    transport: str = "auto",
    max_requests: int | None = None,
    full: bool = False,
    progress: SyncProgress | None = None,
    clock: Clock | None = None,
    env: Mapping[str, str] | None = None,
) -> SyncReport:
    """Fetch what changed in ``repository`` (``OWNER/REPO``) since the last sync into the store.

    ``db`` defaults to ``github.sqlite3`` in the user cache folder. ``api_url``
    defaults to ``GITHUB_API_URL``, else github.com. ``transport`` is ``auto``
    (gh when signed in, else ``GH_TOKEN`` / ``GITHUB_TOKEN`` over HTTPS), ``gh``
    or ``http``. ``max_requests`` stops the run after that many requests (the
    next run continues). ``full`` ignores the stored cursors and reads everything
    again. ``clock`` replaces the wall clock and ``time.sleep`` (tests), and ``env``
    replaces ``os.environ``.
    """
    from agentlanes.github.client import GitHubClient
    from agentlanes.github.connect import open_transport
    from agentlanes.github.endpoint import parse_repo, resolve_endpoint
    from agentlanes.github.sync import RepositorySync
    from agentlanes.store import Store

    if max_requests is not None and max_requests < 1:
        raise InputError(f"invalid --max-requests {max_requests}", "allow at least 1 request")
    ref = parse_repo(repository)
    endpoint = resolve_endpoint(api_url, env)
    if ref.host and ref.host != endpoint.host:
        raise InputError(
            f"{repository} names host {ref.host}, but the API URL is for {endpoint.host}",
            f"pass --api-url https://{ref.host}/api/v3, or leave the host out of the name",
        )
    chosen, secrets = open_transport(transport, endpoint, env)
    client = GitHubClient(chosen, clock=clock, max_requests=max_requests, observer=progress, secrets=secrets)
    try:
        with Store.open(db) as store, store.writer_lock():
            return RepositorySync(client, store, endpoint, ref, progress).run(full=full)
    finally:
        chosen.close()


def dispatch(
    plan: RoutingPlan,
    *,
    repository: str | None = None,
    config: Config | None = None,
    apply: bool = False,
    log: str | Path | None = None,
    api_url: str | None = None,
    transport: str = "auto",
    observer: Callable[[Outcome], None] | None = None,
    clock: Clock | None = None,
    env: Mapping[str, str] | None = None,
) -> DispatchReport:
    """Hand the plan's selected tasks to their agents through each agent's trigger (see ``agentlanes.dispatch``).

    Without ``apply`` nothing changes anywhere: the report says what would be
    done, checked read-only on GitHub when ``repository`` (``OWNER/REPO``, required
    with ``apply``) is given. ``log`` is the append-only audit log, by default
    ``artifacts/orchestration/dispatch_log.jsonl``; it is read for earlier
    dispatches and, with ``apply``, receives every decision. ``observer`` is called
    with each task's outcome as it is decided. ``api_url``, ``transport``, ``clock``
    and ``env`` work as for ``sync``.
    """
    from agentlanes.artifacts import ARTIFACT_DIR, DISPATCH_LOG_FILE
    from agentlanes.dispatch.runner import dispatch_plan

    replay = replayed_plan(plan)
    if apply and replay:
        raise InputError(f"the routing plan {replay}, so applying it would act on today's issues with "
                         "yesterday's reasons", "run `agentlanes analyze` without --as-of and --tasks-from, "
                         "then `agentlanes route`, and dispatch that plan")
    return dispatch_plan(plan, config or load_config(), repository=repository, apply=apply,
                         log=log if log is not None else ARTIFACT_DIR / DISPATCH_LOG_FILE, api_url=api_url,
                         transport=transport, observer=observer, clock=clock, env=env)


def replayed_plan(plan: RoutingPlan) -> str:
    """Say why the plan describes the past rather than the present, or return ``""``."""
    if plan.tasks_from != "issues":
        return f"replays the pull requests opened after {plan.as_of or plan.now}"
    if plan.as_of is not None:
        return f"describes the backlog as of {plan.as_of}"
    return ""


def export(db: str | Path | None, directory: str | Path, *, repository: str | None = None) -> ExportReport:
    """Write a synced repository as an export folder that ``--from`` reads back."""
    from agentlanes.store.export import export_store

    return export_store(db, directory, repository)


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


def demo(output_dir: str | Path = "artifacts", seed: int = 7) -> DemoResult:
    """Generate the embedded sample and run analyze, route and dashboard on it."""
    from agentlanes.demo.pipeline import run_demo

    return run_demo(output_dir, seed)


def predict(
    text: str,
    source: Source,
    *,
    config: Config | None = None,
    as_of: str | datetime | None = None,
    top: int = 20,
    task_type: str | None = None,
) -> list[PredictedFile]:
    """Rank the files a task's fix will likely change, from its text alone."""
    from agentlanes.analysis.footprint import build_cached, checkout_key, load_saved
    from agentlanes.analysis.kinds import classify_type
    from agentlanes.model import Issue, IssueState

    if not text.strip():
        raise InputError("the task text is empty", "pass a file with the issue's title and body, or pipe it to stdin")
    config = config or load_config()
    if source.from_dir is None and source.issues is None and source.pulls is None and source.repo is None \
            and not source.uses_store:
        raise InputError("no data to predict from", "pass --repo CHECKOUT and/or --from EXPORT_FOLDER")
    predictor = None
    repo_only = source.repo is not None and as_of is None and not source.uses_store and not any(
        (source.from_dir, source.issues, source.pulls, source.commits))
    head_key = None
    if repo_only:
        # A checkout alone: the head commit identifies the data, so a saved
        # predictor can be found before reading the history.
        checkout = Checkout.open(source.repo)  # type: ignore[arg-type]
        head = checkout.commit_at(None)
        head_key = checkout_key(str(checkout.path), head or "")
        predictor = load_saved(head_key)
    if predictor is None:
        _, cut = load(source, config, as_of)
        moment = cut.now or moment_of(as_of) or datetime.now(UTC)
        _, _, providers = checkout_tree(source, moment)
        predictor = build_cached(cut, moment, providers, extra_keys=(head_key,) if head_key else ())
    title = text.strip().splitlines()[0]
    kind = task_type or classify_type(Issue(0, title, text, IssueState.OPEN, None)).value
    return predictor.predict_text(text, kind, top=top)


def backtest(
    sources: list[Source],
    *,
    config: Config | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    limit: int | None = None,
    threshold: float = 0.3,
    conflicts: bool = True,
) -> dict:
    """Replay history: predict past tasks' footprints and conflicts, compare with what happened."""
    from agentlanes.backtest.report import run_backtests

    config = config or load_config()
    if not sources:
        raise InputError("no data set given", "pass --from FOLDER (repeatable)")
    if len(sources) > 1 and any(s.repo for s in sources):
        raise InputError("--repo works with a single --from", "run one backtest per repository with a checkout")
    datasets = [load(source, config)[0] for source in sources]
    providers = None
    if sources[0].repo is not None:
        providers = CheckoutProviders(Checkout.open(sources[0].repo))
    return run_backtests(
        datasets,
        since=moment_of(since, "--since"),
        until=moment_of(until, "--until"),
        limit=limit,
        threshold=threshold,
        conflicts=conflicts,
        tree=providers.tree if providers else None,
        contents=providers.contents if providers else None,
    )


def init(
    *,
    repo: str | Path | None = None,
    source: Source | None = None,
    output: str | Path | None = "agentlanes.toml",
    force: bool = False,
    nearby: str | Path | None = None,
) -> InitResult:
    """Write a commented ``agentlanes.toml`` for a repository.

    ``repo`` is a git checkout: its ``CODEOWNERS`` rules and top-level folders
    become components. ``source`` (an export folder or the store) supplies the
    labels that become priorities, and the files when no checkout is given.
    ``nearby`` is a checkout found without being asked for (the current
    folder's): it is read only when no data is given or when its ``origin``
    remote is the data's repository. ``output`` is the file to write, or
    ``None`` to only return the text; an existing file is kept unless ``force``
    is set.
    """
    from agentlanes import artifacts
    from agentlanes.config import build_config
    from agentlanes.init import InitResult, render_checked, same_repository, survey

    target = Path(output) if output is not None else None
    if target is not None and target.exists() and not force:
        raise InputError(f"{target} already exists", "pass --force to replace it, or --output PATH to write elsewhere")
    checkout = Checkout.open(repo) if repo is not None else None
    dataset = None
    origin = ""
    if source is not None:
        # The built-in configuration, so that an existing agentlanes.toml cannot stop init.
        dataset, _ = load(source, build_config({}, "built-in defaults"))
        if source.uses_store:
            origin = f"{source.github_repo or 'the repository'} in the store {source.db or 'in the user cache folder'}"
        else:
            origin = str(source.from_dir or source.issues or source.pulls)
    skipped: tuple[str, ...] = ()
    if checkout is None and nearby is not None:
        candidate = Checkout.open(nearby)
        if dataset is None or same_repository(candidate, dataset):
            checkout = candidate
        else:
            skipped = (f"the checkout at {candidate.path} was not read: its origin remote is not {dataset.name}; "
                       "pass --repo PATH to read it anyway",)
    found = survey(checkout, dataset, origin)
    text = render_checked(found)
    if target is not None:
        artifacts.write_text(target, text)
    return InitResult(
        path=target, text=text, components=found.components, priorities=found.priorities,
        codeowners=found.codeowners, tracked_files=found.tracked_files,
        notes=skipped + found.notes + found.component_notes,
    )
