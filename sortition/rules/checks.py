"""The checklist a verification produces: named checks that pass or fail, each with one line of detail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from quotas.errors import SortitionError
from sortition.rules.computation import EarlyStop

#: What reading a field of the wrong shape raises (``null`` where a list is, a string where a mapping is):
#: in a public record that is a failed check, never a crash.
MALFORMED = (AttributeError, IndexError, KeyError, TypeError, ValueError)


def malformed(exc: Exception) -> str:
    """One line for a shape error met while reading a public record."""
    return f"a field is missing or of the wrong kind ({type(exc).__name__}: {exc})."


@dataclass(frozen=True)
class Check:
    """One check: its English ``name`` (what ``verify`` prints), the outcome, one line of detail, and a stable
    ``key`` by which reports name it in their own language (empty when the check has none)."""

    name: str
    passed: bool
    detail: str = ""
    key: str = ""


@dataclass(frozen=True)
class VerifyReport:
    """The checklist; ``ok`` when every check passed. ``failures`` are the failing checks, ``failed`` the first.

    For a draw record, ``record_sha256`` is the SHA-256 of the record's bytes as verified and ``events`` the
    number of replacement events in it: the values officials publish after each replacement (``None`` for
    invitation records). ``commitment`` is the SHA-256 of the committed file as verified, and
    ``commitment_checked`` says whether it was compared with a published value: without that, the checks prove
    that the record follows from these files, not that these files are the ones published before the seed.
    ``published_before_seed`` is the record's claim (False for practice draws; None for invitation records).
    ``early_stop`` is what the lottery file says when the time limit stopped its computation (None otherwise):
    not a check (such a lottery is as valid as any), but a reader should know how fair it is.
    """

    checks: tuple[Check, ...]
    record_sha256: str | None = None
    events: int | None = None
    commitment: str | None = None
    commitment_checked: bool = False
    published_before_seed: bool | None = None
    early_stop: EarlyStop | None = None

    @property
    def ok(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        """Every failing check, in checklist order."""
        return tuple(c for c in self.checks if not c.passed)

    @property
    def failed(self) -> Check | None:
        return next(iter(self.failures), None)


class Checklist:
    """Collects checks; a failing check is recorded, never raised, so every independent check still runs.

    A check that meets malformed content (a field of the wrong type, a missing key) fails with that as detail.
    """

    def __init__(self) -> None:
        self.checks: list[Check] = []

    def run(self, name: str, fn: Callable[[], str], *, key: str = "") -> bool:
        """Run one check; it returns a detail on success and raises SortitionError on failure."""
        try:
            detail = fn()
        except SortitionError as exc:
            self.checks.append(Check(name, False, str(exc), key))
            return False
        except MALFORMED as exc:
            self.checks.append(Check(name, False, f"malformed content ({type(exc).__name__}: {exc})", key))
            return False
        self.checks.append(Check(name, True, detail, key))
        return True
