"""The sync progress bar on stderr: items per list, item rate, requests and remaining budget."""

from __future__ import annotations

import logging
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from agentlanes.cli.console import stderr_console
from agentlanes.github.ratelimit import Budget

_LABELS = {"issues": "issues", "pulls": "pull requests"}


class SyncProgressBar:
    """Draws one bar per list; implements ``agentlanes.github.sync.SyncProgress``."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("requests {task.fields[requests]}"),
            TextColumn("budget {task.fields[budget]}"),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            console=stderr_console(),
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}
        self._current: str | None = None
        self._requests = 0
        self._budget = "?"

    @property
    def console(self) -> Console:
        return self._progress.console

    def __enter__(self) -> SyncProgressBar:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None) -> None:
        if self._tasks:
            self._progress.stop()

    def start(self, connection: str, total: int | None) -> None:
        # The display starts with the first list, so a run that fails before any prints no empty bar.
        if not self._tasks:
            self._progress.start()
        self._current = connection
        self._tasks[connection] = self._progress.add_task(
            _LABELS.get(connection, connection), total=total, rate="", requests=self._requests, budget=self._budget, status=""
        )

    def advance(self, connection: str, items: int) -> None:
        task = self._tasks[connection]
        self._progress.advance(task, items)
        speed = self._progress.tasks[task].speed
        self._progress.update(task, rate=f"{speed:.0f} items/s" if speed else "", status="")

    def requested(self, count: int, budget: Budget) -> None:
        self._requests = count
        if budget.remaining is not None:
            self._budget = f"{budget.remaining}/{budget.limit}" if budget.limit else str(budget.remaining)
        if self._current in self._tasks:
            self._progress.update(self._tasks[self._current], requests=count, budget=self._budget)

    def waiting(self, seconds: float, reason: str) -> None:
        if self._current in self._tasks:
            self._progress.update(self._tasks[self._current], status=f"waiting {seconds:.0f} s")


class StderrLogHandler(logging.Handler):
    """Print agentlanes warnings on stderr; through the progress bar's console, they appear above the bar."""

    def __init__(self, console: Console | None = None) -> None:
        super().__init__(logging.WARNING)
        self._console = console or stderr_console()

    def emit(self, record: logging.LogRecord) -> None:
        self._console.print(f"warning: {self.format(record)}", markup=False, highlight=False)
