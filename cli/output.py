"""Terminal rendering for the CLI: error handling, the rich progress reporter, small helpers."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Column
from typer.core import TyperOption

from sortition.errors import InfeasibleError, SortitionError

console = Console()
err_console = Console(stderr=True)


def _flag_shows_no_type(display_type_rich: Callable[[Any, Any], str | None]) -> Callable[[Any, Any], str | None]:
    """Typer's help shows ``<bool>`` after every flag (``--force <bool>``), which reads as if it took a value."""

    def display(self: Any, ctx: Any) -> str | None:
        return None if getattr(self, "is_flag", False) else display_type_rich(self, ctx)

    return display


TyperOption.display_type_rich = _flag_shows_no_type(TyperOption.display_type_rich)  # type: ignore[method-assign,assignment]

EXIT_OK = 0
EXIT_FAILED = 1  # infeasible quotas, a failed verification: the input was fine, the answer is "no"
EXIT_BAD_INPUT = 2


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn a SortitionError into one red line and a non-zero exit, never a traceback."""
    try:
        yield
    except InfeasibleError as exc:
        err_console.print(f"[bold red]Infeasible:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_FAILED) from None
    except SortitionError as exc:
        err_console.print(f"[bold red]Error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except KeyboardInterrupt:
        err_console.print("[bold red]Interrupted.[/] Every file is whole (each is written atomically), but the "
                          "command may have stopped between two files. In a draw folder, draw.json is the source "
                          "of truth: the next draw (same seed), replace or report in that folder brings the "
                          "private lists and the ledger up to it. Otherwise run the command again.",
                          soft_wrap=True)
        raise typer.Exit(130) from None


class RichProgress:
    """The library's ProgressReporter, drawn with rich on stderr (silent when not a terminal or quiet)."""

    def __init__(self, *, quiet: bool = False, console: Console | None = None) -> None:
        self.console = console or err_console
        self.enabled = not quiet and (self.console.is_terminal if console is not None else sys.stderr.isatty())
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def start(self, task: str, total: float | None = None) -> None:
        if not self.enabled:
            return
        if self._progress is None:
            # One line at any width (80 columns too): the step and message shorten with "...", the bar
            # narrows, the spinner and the timer always show.
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}", table_column=Column(no_wrap=True, overflow="ellipsis", ratio=2)),
                BarColumn(bar_width=None, table_column=Column(ratio=1, min_width=10)),
                TextColumn("{task.fields[message]}", table_column=Column(no_wrap=True, overflow="ellipsis",
                                                                         ratio=2)),
                TimeElapsedColumn(), console=self.console, transient=True, expand=True)
            self._progress.start()
        elif self._task is not None:
            self._progress.update(self._task, visible=False)  # one line: the step now running
        self._task = self._progress.add_task(task, total=total, message="")

    def update(self, advance: float = 0.0, *, completed: float | None = None, message: str = "") -> None:
        if self._progress is None or self._task is None:
            return
        self._progress.update(self._task, advance=advance, completed=completed, message=message)

    def finish(self, message: str = "") -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
            self._task = None


def command(text: str) -> None:
    """A command to copy: on its own line, never wrapped by us (the terminal may fold it, the text stays one line)."""
    console.print(f"  {text}", highlight=False, markup=False, soft_wrap=True)


def ok(text: str) -> None:
    console.print(f"[green]✓[/] {text}", highlight=False)
