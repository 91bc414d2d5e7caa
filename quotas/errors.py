"""The exceptions of sortition, in one small tree.

::

    SortitionError                 root: catch this to catch everything we raise on purpose
    ├── InputError                 a pool, register or other input file is unreadable or wrong
    ├── QuotaError                 the quota specification itself is invalid
    ├── InfeasibleError            valid quotas that no panel from this pool can meet
    ├── SolverError                a solver failed or ran out of its time budget
    └── VerificationError          a published draw does not check out

Every message names the file, row and column where it can, and says what to do. The tree lives in
``quotas`` because ``quotas`` is the bottom layer; ``sortition.errors`` re-exports it.
"""

from __future__ import annotations

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


__all__ = [
    "InfeasibleError",
    "InputError",
    "QuotaError",
    "Relaxation",
    "SolverError",
    "SortitionError",
    "VerificationError",
]
