"""The exceptions of sortition, in one small tree.

::

    SortitionError                 root: catch this to catch everything we raise on purpose
    ├── InputError                 a pool, register or other input file is unreadable or wrong
    │   └── QuotaError             the quota specification itself is invalid
    ├── InfeasibleError            valid quotas that no panel from this pool can meet
    ├── SolverError                a solver failed or ran out of its time budget
    ├── VerificationError          a published draw does not check out (also: a malformed public record)
    └── EnvironmentProblem         the machine, not the input: disk full, read-only, no permission, locked

Every message names the file, row and column where it can, and says what to do. The tree lives in
``quotas`` because ``quotas`` is the bottom layer; ``sortition.errors`` re-exports it. The command line
turns each class into one exit code (``cli.output.EXIT_CODES``): InfeasibleError, SolverError and
VerificationError 1 (a verdict), EnvironmentProblem 3, every other SortitionError 2 (bad input).
"""

from __future__ import annotations

import errno as _errno
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class SortitionError(Exception):
    """Root of every error sortition raises on purpose."""


def _where(file: str | Path | None, row: int | None, column: str | None) -> str:
    parts = []
    if file is not None:
        parts.append(str(file))
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


class InputError(SortitionError):
    """An input file (pool, register, quota file, ...) is unreadable or holds bad data.

    ``row`` counts as a spreadsheet user counts: the header is row 1, the first data row is row 2.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.hint = hint
        where = _where(file, row, column)
        text = f"{where}: {message}" if where else message
        if hint:
            text = f"{text} {hint}"
        super().__init__(text)


class QuotaError(InputError):
    """The quota specification is invalid (min > max, sums that cannot reach the panel size, ...)."""


@dataclass(frozen=True)
class Relaxation:
    """One suggested change to a quota bound: ``category: value`` bound ``old`` -> ``new``."""

    category: str
    value: str
    bound: str  # "min" or "max"
    old: int
    new: int

    def describe(self) -> str:
        verb = "raise" if self.new > self.old else "lower"
        return f"{self.category} {self.value}: {verb} {self.bound} from {self.old} to {self.new}"


class InfeasibleError(SortitionError):
    """No panel from this pool meets the quotas; carries the smallest relaxations that would fix it."""

    def __init__(
        self,
        message: str,
        *,
        relaxations: Sequence[Relaxation] = (),
        impossible_people: Sequence[str] = (),
    ) -> None:
        self.relaxations = tuple(relaxations)
        self.impossible_people = tuple(impossible_people)
        text = message
        if self.relaxations:
            text += " Smallest change that makes it feasible: " + "; ".join(
                r.describe() for r in self.relaxations
            ) + "."
        super().__init__(text)


class SolverError(SortitionError):
    """A solver failed, or stopped at its time limit before it had an answer."""


class VerificationError(SortitionError):
    """A published draw does not verify; the message names the first failing check."""


class EnvironmentProblem(SortitionError):
    """The machine refused: disk full, read-only file system, permission denied, a folder locked or in the way.

    Not the input's fault and not a verdict: the same command succeeds once the environment is fixed.
    ``errno`` is the operating system's error number when there was one.
    """

    def __init__(self, message: str, *, file: str | Path | None = None, errno: int | None = None) -> None:
        self.file = str(file) if file is not None else None
        self.errno = errno
        super().__init__(f"{file}: {message}" if file is not None else message)


#: What to do about an operating-system error number, for :func:`environment_problem`.
_ERRNO_ADVICE = {
    _errno.ENOSPC: "the disk is full. Free some space and run the command again.",
    _errno.EDQUOT: "your disk quota is used up. Free some space and run the command again.",
    _errno.EROFS: "the file system is read-only. Choose a folder you can write to.",
    _errno.EACCES: "permission denied. Choose a folder you may write to, or ask for access.",
    _errno.EPERM: "the operation is not permitted here. Choose another folder, or ask for access.",
    _errno.ENOTDIR: "a part of this path is a file, not a folder. Choose another path.",
    _errno.EISDIR: "this is a folder, where a file is needed. Choose another path.",
    _errno.EEXIST: "something is in the way (a file, or a link to nowhere). Choose another path.",
    _errno.ENAMETOOLONG: "the path is too long. Choose a shorter one.",
    _errno.ELOOP: "the path holds a loop of symbolic links. Choose another path.",
    _errno.EBUSY: "the file or folder is busy (locked). Close what uses it and run the command again.",
}


def environment_problem(exc: OSError, path: str | Path | None = None, *, doing: str = "write") -> EnvironmentProblem:
    """The :class:`EnvironmentProblem` for an :class:`OSError` met while trying to ``doing`` ``path``."""
    file = path if path is not None else exc.filename
    advice = _ERRNO_ADVICE.get(exc.errno or 0)
    if advice is None:
        reason = exc.strerror or type(exc).__name__
        advice = f"the system refused ({reason}). Check the disk, the path and your permissions."
    return EnvironmentProblem(f"cannot {doing}: {advice}", file=file, errno=exc.errno)


__all__ = [
    "EnvironmentProblem",
    "InfeasibleError",
    "InputError",
    "QuotaError",
    "Relaxation",
    "SolverError",
    "SortitionError",
    "VerificationError",
    "environment_problem",
]
