"""Terminal rendering for the CLI: exit codes, error handling, the rich progress reporter, small helpers.

Exit codes (documented in docs/cli.md, generated from :data:`EXIT_CODE_DOCS`):

- 0 success; 1 a verdict (infeasible quotas, no panel found, a record that does not verify); 2 bad input or
  usage; 3 the environment (disk full, read-only, permission denied, a folder locked); 4 an internal error
  (a bug: one line, the traceback in a log file); 130 interrupted (Ctrl-C), as shells report SIGINT.

Every piece of user or file text printed through rich goes through :func:`esc` (or :func:`say`/:func:`warn`),
so a value such as ``Centrum [/x]`` is shown as written and never read as markup.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Column
from typer.core import TyperGroup, TyperOption

from sortition.errors import (
    EnvironmentProblem,
    InfeasibleError,
    SolverError,
    SortitionError,
    VerificationError,
    environment_problem,
)

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
EXIT_BAD_INPUT = 2  # a bad input file, option or argument (Click's usage errors are 2 as well)
EXIT_ENVIRONMENT = 3  # the machine refused: disk full, read-only, permission denied, locked
EXIT_INTERNAL = 4  # a bug in sortition: one line, the traceback in a log file
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), what shells report for an interrupted command

#: Error class -> (exit code, label of the one line). The first class an error is an instance of decides.
EXIT_CODES: tuple[tuple[type[BaseException], int, str], ...] = (
    (InfeasibleError, EXIT_FAILED, "Infeasible"),
    (VerificationError, EXIT_FAILED, "Does not verify"),
    (SolverError, EXIT_FAILED, "No result"),
    (EnvironmentProblem, EXIT_ENVIRONMENT, "Cannot continue"),
    (SortitionError, EXIT_BAD_INPUT, "Error"),
)

#: The table docs/cli.md shows (docs/gen_cli_reference.py reads it).
EXIT_CODE_DOCS: tuple[tuple[int, str], ...] = (
    (EXIT_OK, "Success (`check`: feasible; `verify`: every check passed)."),
    (EXIT_FAILED, "A verdict: infeasible quotas, no panel found (solver), a draw or record that does not "
                  "verify, or a public record that is malformed."),
    (EXIT_BAD_INPUT, "Bad input or usage: a missing, malformed or too large input file, a wrong option, an "
                     "output that would overwrite a file it should not."),
    (EXIT_ENVIRONMENT, "The environment: disk full, read-only file system, permission denied, a folder locked "
                       "or in use."),
    (EXIT_INTERNAL, "An internal error (a bug): one line naming a log file with the details; please report it."),
    (EXIT_INTERRUPTED, "Interrupted with Ctrl-C. Files are written atomically, so none is left half-written."),
)


#: What Typer and Click handle themselves: an exit with a code, Ctrl-C at a prompt, usage errors (exit 2).
#: (Typer vendors its own Click: its usage errors derive from TyperException.)
PASS_THROUGH = (typer.Exit, typer.Abort, typer.TyperException)


def esc(value: object) -> str:
    """User or file text as rich shows it literally: ``[`` never starts markup."""
    return escape(str(value))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def fail(label: str, message: str, code: int) -> NoReturn:
    """Print ``label: message`` as one red line on stderr and exit with ``code``."""
    err_console.print(f"[bold red]{esc(label)}:[/] {esc(_one_line(message))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def exit_code_of(exc: BaseException) -> tuple[int, str]:
    """The exit code and label for a SortitionError (see :data:`EXIT_CODES`)."""
    for cls, code, label in EXIT_CODES:
        if isinstance(exc, cls):
            return code, label
    return EXIT_INTERNAL, "Internal error"


def log_folder() -> Path:
    """Where tracebacks of internal errors go: ``$XDG_CACHE_HOME/sortition`` or ``~/.cache/sortition``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sortition"


def write_crash_log(exc: BaseException) -> Path | None:
    """Write the traceback of ``exc`` (no local variables: no personal data) to a new log file; its path.

    Falls back to the system's temporary folder; None when no log could be written at all.
    """
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [f"sortition internal error, {stamp}\n", f"command: {' '.join(sys.argv[:1] + sys.argv[1:2])}\n\n",
             *traceback.format_exception(type(exc), exc, exc.__traceback__)]
    for folder in (log_folder(), Path(tempfile.gettempdir())):
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f"sortition-error-{stamp}-", suffix=".log", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.writelines(lines)
            return Path(name)
    return None


def handle(exc: BaseException) -> NoReturn:
    """Turn any exception a command lets through into one line and its exit code; never a traceback."""
    if isinstance(exc, KeyboardInterrupt):
        fail("Interrupted", "Every file is whole (each is written atomically), but the command may have stopped "
             "between two files. In a draw folder, draw.json is the source of truth: the next draw (same seed), "
             "replace or report in that folder brings the private lists and the ledger up to it. Otherwise run "
             "the command again.", EXIT_INTERRUPTED)
    if isinstance(exc, SortitionError):
        code, label = exit_code_of(exc)
        fail(label, str(exc), code)
    if isinstance(exc, OSError):  # an OSError the library did not name: still the machine, not a bug
        problem = environment_problem(exc)
        fail("Cannot continue", str(problem), EXIT_ENVIRONMENT)
    if isinstance(exc, RecursionError | MemoryError):
        fail("Error", "the input is too large or too deeply nested to process "
             f"({type(exc).__name__}).", EXIT_BAD_INPUT)
    log = write_crash_log(exc)
    where = f"details in {log}" if log else "no log file could be written"
    summary = _one_line(f"{type(exc).__name__}: {exc}")[:200]
    fail("Internal error", f"{summary} ({where}; please report it).", EXIT_INTERNAL)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn any error into one red line and its exit code (see :data:`EXIT_CODES`), never a traceback."""
    try:
        yield
    except PASS_THROUGH:
        raise
    except (Exception, KeyboardInterrupt) as exc:
        handle(exc)


class SafeGroup(TyperGroup):
    """The app's command group: whatever a command lets through still ends as one line and an exit code."""

    def invoke(self, ctx: Any) -> Any:  # a click Context (of the Click copy Typer vendors)
        try:
            return super().invoke(ctx)
        except PASS_THROUGH:
            raise
        except (Exception, KeyboardInterrupt) as exc:
            handle(exc)


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
        self._task = self._progress.add_task(esc(task), total=total, message="")  # columns read markup

    def update(self, advance: float = 0.0, *, completed: float | None = None, message: str = "") -> None:
        if self._progress is None or self._task is None:
            return
        self._progress.update(self._task, advance=advance, completed=completed, message=esc(message))

    def finish(self, message: str = "") -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
            self._task = None


def command(text: str) -> None:
    """A command to copy: on its own line, never wrapped by us (the terminal may fold it, the text stays one line)."""
    console.print(f"  {text}", highlight=False, markup=False, soft_wrap=True)


def ok(text: str) -> None:
    """A green tick and ``text`` (plain text: escaped here)."""
    console.print(f"[green]✓[/] {esc(text)}", highlight=False)


def say(text: str, **kwargs: Any) -> None:
    """Print plain ``text`` (escaped: never markup) on stdout."""
    console.print(esc(text), highlight=False, **kwargs)


def warn(text: str) -> None:
    """A yellow ``Warning:`` and plain ``text`` on stderr."""
    err_console.print(f"[yellow]Warning:[/] {esc(text)}", highlight=False, soft_wrap=True)
