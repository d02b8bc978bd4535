"""``agentlanes predict``."""

from __future__ import annotations

import sys

import click
import orjson

from agentlanes import api
from agentlanes.analysis.footprint import PredictedFile
from agentlanes.cli.console import json_output, status
from agentlanes.cli.options import config_options, pass_common, source_options
from agentlanes.errors import InputError


@click.command("predict", short_help="Predict the files a task's fix will change.")
@click.argument("text_file", metavar="FILE", required=False, default="-")
@source_options
@config_options
@click.option("--top", type=click.IntRange(1, 500), default=10, show_default=True, help="Number of files to list.")
@click.option("--type", "task_type", type=click.Choice(["bug", "feature", "docs", "test", "refactor", "chore",
              "security", "performance"]), help="Task type. Default: classified from the text.")
@click.option("--format", "output_format", type=click.Choice(["json", "table"]), default="json", show_default=True,
              help="json: [{path, score, signals}]; table: aligned columns.")
@pass_common
def command(source: api.Source, config, as_of: str | None, text_file: str, top: int, task_type: str | None,
            output_format: str) -> list[PredictedFile]:
    """Predict the files a task's fix will change, from its text (FILE, or - for stdin).

    The score is the probability, calibrated on the repository's past tasks, that
    the fix changes the file.
    """
    if text_file == "-":
        text = sys.stdin.read()
    else:
        try:
            with open(text_file, encoding="utf-8") as handle:
                text = handle.read()
        except FileNotFoundError:
            raise InputError(f"file not found: {text_file}", "pass the issue text as a file, or - for stdin") from None
    with status("predicting the footprint"):
        predictions = api.predict(text, source, config=config, as_of=as_of, top=top, task_type=task_type)
    if json_output():
        return predictions
    if output_format == "json":
        payload = [{"path": p.path, "score": p.score, "signals": list(p.signals)} for p in predictions]
        click.echo(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())
        return predictions
    width = max((len(p.path) for p in predictions), default=4)
    click.echo(f"{'score':>6}  {'path':<{width}}  signals")
    for prediction in predictions:
        click.echo(f"{prediction.score:6.3f}  {prediction.path:<{width}}  {'; '.join(prediction.signals)}")
    return predictions
