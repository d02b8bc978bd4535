"""``agentlanes backtest``."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from agentlanes import api
from agentlanes.backtest.report import render_backtest_markdown
from agentlanes.cli.console import info, status, write_output
from agentlanes.cli.options import check_stdout_free, config_options, make_config

DEFAULT_DIR = Path("artifacts") / "backtest"


@click.command("backtest", short_help="Replay history to measure footprint and conflict predictions.")
@click.option("--from", "from_dirs", multiple=True, type=click.Path(file_okay=False),
              help="Export folder of one repository (repeatable; the report pools them).")
@click.option("--repo", "repo_path", type=click.Path(file_okay=False),
              help="Checkout of the repository (with at most one --from): file trees and contents at each moment. "
                   "Alone, its commits are the tasks.")
@config_options
@click.option("--since", metavar="TIME", help="Evaluate tasks opened at or after this moment (ISO 8601). Default: from the first task.")
@click.option("--until", metavar="TIME", help="Evaluate tasks opened before this moment (ISO 8601). Default: up to the last task.")
@click.option("--limit", type=click.IntRange(1), help="Evaluate at most this many tasks per data set, earliest first. Default: all.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.3, show_default=True,
              help="Probability at or above which a file counts as in the predicted footprint.")
@click.option("--conflicts/--no-conflicts", default=True, show_default=True,
              help="Also backtest conflict prediction between concurrent pull requests.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=str(DEFAULT_DIR / "backtest.json"),
              show_default=True, help="Where to write the JSON report, or - for stdout.")
@click.option("--summary", "--markdown", "markdown_file", type=click.Path(dir_okay=False),
              default=str(DEFAULT_DIR / "backtest.md"), show_default=True,
              help="Where to write the Markdown report, or - for stdout (--markdown is the older name).")
def command(from_dirs: tuple[str, ...], repo_path: str | None, config_file: str | None, agents_file: str | None,
            since: str | None, until: str | None, limit: int | None, threshold: float, conflicts: bool,
            output: str, markdown_file: str) -> dict:
    """Replay history: predict each past task's footprint as of when it was opened,
    and compare with the files its fix changed."""
    check_stdout_free(output, markdown_file)
    if output == "-" and markdown_file == "-":
        raise click.UsageError("--output and --summary cannot both be -; write one of them to a file")
    config = make_config(config_file, agents_file)
    if not from_dirs and not repo_path:
        raise click.UsageError("pass --from FOLDER (repeatable) or --repo CHECKOUT")
    sources = [api.Source(from_dir=folder, repo=repo_path) for folder in from_dirs] or [api.Source(repo=repo_path)]
    with status("replaying the history"):
        report = api.backtest(sources, config=config, since=since, until=until, limit=limit, threshold=threshold,
                              conflicts=conflicts)
    json_path = write_output(output, orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n")
    md_path = write_output(markdown_file, render_backtest_markdown(report))
    overall = report["files"]["overall"]["predictor"]
    info(f"backtest over {overall['tasks']} tasks: recall@10 {overall['recall@10']}, MRR {overall['mrr']}")
    info(f"wrote {json_path} and {md_path}")
    return report
