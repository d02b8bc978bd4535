"""``agentlanes simulate``."""

from __future__ import annotations

import click

from agentlanes import api
from agentlanes.artifacts import ARTIFACT_DIR, model_json
from agentlanes.cli.console import info, status, write_output
from agentlanes.cli.options import check_stdout_free, config_options, pass_common, source_options
from agentlanes.errors import InputError
from agentlanes.render.simulation_md import render_simulation_markdown
from agentlanes.simulation.policies import POLICIES
from agentlanes.simulation.report import SIMULATION_FILE, SIMULATION_SUMMARY_FILE, SimulationReport
from agentlanes.simulation.sweep import DEFAULT_PARALLEL, DEFAULT_RUNS
from agentlanes.timeutil import parse_duration
from agentlanes.textutil import counted


def _names(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _counts(value: str) -> list[int]:
    try:
        return [int(part) for part in _names(value)]
    except ValueError:
        raise InputError(f"invalid --parallel value {value!r}", "give whole numbers separated by commas, e.g. 1,2,4,8") from None


@click.command("simulate", short_help="Simulate dispatch policies on a past backlog.")
@source_options
@config_options
@click.option("--tasks-from", type=click.Choice(["issues", "pulls"]), default="pulls", show_default=True,
              help="Backlog: the PRs opened after --as-of replayed as tasks, or the issues open at --as-of.")
@click.option("--horizon", default="14d", show_default=True, metavar="DURATION",
              help="With --tasks-from pulls: how far after --as-of PRs are replayed (h, d or w, e.g. 14d).")
@click.option("--policies", default=",".join(POLICIES), show_default=True, metavar="NAMES",
              help=f"Comma-separated dispatch policies to compare, out of {', '.join(POLICIES)}.")
@click.option("--parallel", default=",".join(map(str, DEFAULT_PARALLEL)), show_default=True, metavar="COUNTS",
              help="Comma-separated numbers of agent slots working at once; one simulation per number.")
@click.option("--runs", type=click.IntRange(1, 1000), default=DEFAULT_RUNS, show_default=True,
              help="Runs per policy and slot count, each with its own duration draws.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the first run; the same seed gives the same report.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=str(ARTIFACT_DIR / SIMULATION_FILE),
              show_default=True, help="Where to write the report JSON, or - for stdout.")
@click.option("--summary", "summary_file", type=click.Path(dir_okay=False),
              default=str(ARTIFACT_DIR / SIMULATION_SUMMARY_FILE), show_default=True,
              help="Where to write the Markdown summary, or - for stdout.")
@pass_common
def command(source: api.Source, config, as_of: str | None, tasks_from: str, horizon: str, policies: str,
            parallel: str, runs: int, seed: int, output: str, summary_file: str) -> SimulationReport:
    """Simulate agents working through a backlog under each dispatch policy,
    with durations and conflicts drawn from the history. The default backlog,
    the PRs opened after --as-of, needs --as-of; with --tasks-from issues the
    backlog is the issues open at --as-of, or now."""
    check_stdout_free(output, summary_file)
    if output == "-" and summary_file == "-":
        raise click.UsageError("--output and --summary cannot both be -; write one of them to a file")
    with status("simulating the dispatch policies"):
        report = api.simulate(source, config=config, as_of=as_of, tasks_from=tasks_from,
                              horizon=parse_duration(horizon), policies=_names(policies), parallel=_counts(parallel),
                              runs=runs, seed=seed)
    path = write_output(output, model_json(report))
    summary = write_output(summary_file, render_simulation_markdown(report))
    info(f"simulated {counted(report.tasks, 'task')} of {report.repository} from {report.as_of}: "
         f"{counted(len(report.policies), 'policy', 'policies')} x {counted(len(report.parallel), 'slot count')} "
         f"x {counted(report.runs, 'run')}")
    for item in report.saturation:
        info(f"{item.policy}: {item.reason}")
    info(f"wrote {path} and {summary}")
    return report
