"""The checklist a verification produces: named checks that pass or fail, each with one line of detail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from quotas.errors import SortitionError


@dataclass(frozen=True)
class Check:
    """One line of a verification's checklist: its name, whether it passed, and one line of detail."""

    name: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class VerifyReport:
    """The checklist; ``ok`` when every check passed. ``failures`` lists every failing check, ``failed`` is the
    first of them (None when every check passed).

    For a draw record, ``record_sha256`` is the SHA-256 of the record's bytes as verified and ``events`` the
    number of replacement events in it: the values officials publish after each replacement (``None`` for
    invitation records).
    """

    checks: tuple[Check, ...]
    record_sha256: str | None = None
    events: int | None = None

    @property
    def ok(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        """Every check that failed, in checklist order (empty when the draw verifies)."""
        return [c for c in self.checks if not c.passed]

    @property
    def failed(self) -> Check | None:
        return next((c for c in self.checks if not c.passed), None)


class Checklist:
    """Collects checks; a failing check is recorded, never raised, so every independent check still runs."""

    def __init__(self) -> None:
        self.checks: list[Check] = []

    def run(self, name: str, fn: Callable[[], str]) -> bool:
        """Run one check; it returns a detail on success and raises SortitionError on failure."""
        try:
            detail = fn()
        except SortitionError as exc:
            self.checks.append(Check(name, False, str(exc)))
            return False
        self.checks.append(Check(name, True, detail))
        return True
