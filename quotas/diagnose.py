"""Why quotas cannot be met, and who can never be selected.

* :func:`relaxations_for` (:mod:`quotas.relaxations`, which the panel oracle uses too) returns the smallest
  total quota change (in people) that makes a panel possible, e.g. ``Relaxation("age", "65+", "max", 2, 3)``.
* :func:`diagnose` adds, for a feasible problem, the people who are on no feasible panel at all.
* :func:`check_feasibility` bundles both with the pool count of every value, for ``sortition check``.

Finding the impossible people uses *covering panels*: people not yet seen on a panel are swapped onto the
latest panels found (no solver, milliseconds); when swaps bring nobody new in, give weight 1 to everyone
not yet seen and 0 to the rest, and ask the solver for the best panel. Each solve either puts at least one
unseen person on a panel or proves (objective 0) that no feasible panel holds any of them. The solves are
capped at ``MAX_COVER_SOLVES``, after which the people still unseen are reported as unchecked rather than
impossible. It also stops after ``MAX_COVER_SECONDS`` (a pool of 20,000 needs seconds per solve), with the
same unchecked report; a solve cut short by that budget still counts when its panel holds someone unseen,
since only the final "nobody left" answer needs a proof.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from quotas.errors import Relaxation, SolverError
from quotas.localsearch import COVER_STARTS, SwapSearch, swap_onto
from quotas.model import PanelProblem
from quotas.relaxations import relaxations_for
from quotas.solver import PanelModel, SolveStatus

#: Most solves spent looking for people who can be on no panel (see the module docstring).
MAX_COVER_SOLVES = 200
#: Most seconds spent on that search.
MAX_COVER_SECONDS = 60.0


@dataclass(frozen=True)
class Diagnosis:
    """What stops a panel, or who can never be selected.

    Attributes:
        relaxations: the smallest set of quota changes that makes the problem feasible (empty when
            it already is).
        impossible_people: indices of people on no feasible panel (empty when infeasible).
        unchecked_people: people not decided within ``MAX_COVER_SOLVES`` solves or ``MAX_COVER_SECONDS``
            (usually empty).
    """

    relaxations: tuple[Relaxation, ...]
    impossible_people: tuple[int, ...]
    unchecked_people: tuple[int, ...] = ()

    @property
    def feasible(self) -> bool:
        return not self.relaxations


@dataclass(frozen=True)
class ValueCount:
    """One value's quota next to how many pool members have it."""

    category: str
    value: str
    min: int
    max: int
    pool: int


@dataclass(frozen=True)
class FeasibilityReport:
    """Everything ``sortition check`` shows about a pool and its quotas."""

    feasible: bool
    relaxations: tuple[Relaxation, ...]
    impossible_people: tuple[int, ...]
    pool_counts: tuple[ValueCount, ...]
    unchecked_people: tuple[int, ...] = ()


def covering_panels(model: PanelModel, *, max_solves: int = MAX_COVER_SOLVES,
                    max_seconds: float = MAX_COVER_SECONDS) -> tuple[list[np.ndarray], np.ndarray, bool]:
    """Feasible panels that together include everyone who can be on any panel.

    People not yet seen are first swapped onto the latest panels (:func:`quotas.localsearch.swap_onto`, no
    solver); only when swaps bring nobody new in is the solver asked, and only solver calls count against
    ``max_solves``. (The first step of the fair algorithms covers the same way, over types.)

    Returns:
        ``(panels, uncovered, complete)``: the panels found, the sorted indices of people on none of them,
        and whether the search finished within ``max_solves`` and ``max_seconds`` (then ``uncovered`` are
        exactly the people on no feasible panel).
    """
    n = model.problem.n
    seen = np.zeros(n, dtype=bool)
    panels: list[np.ndarray] = []
    search = SwapSearch(model.problem)
    deadline = time.monotonic() + max_seconds
    solves = 0
    while solves < max_solves:
        left = deadline - time.monotonic()
        if seen.all() or left <= 0:
            break
        wanted = (~seen).astype(np.float64)
        panel = swap_onto(search, reversed(panels[-COVER_STARTS:]), wanted)
        if panel is None:
            solves += 1
            try:
                panel = model.find_panel(wanted, time_limit=left)
            except SolverError:  # the budget ran out before any panel: undecided
                break
            if not np.any(~seen[panel]):
                proven = model.last_status == SolveStatus.OPTIMAL
                return panels, np.flatnonzero(~seen), proven
        seen[panel] = True
        panels.append(panel)
    return panels, np.flatnonzero(~seen), bool(seen.all())


def diagnose(problem: PanelProblem, *, max_solves: int = MAX_COVER_SOLVES,
             max_seconds: float = MAX_COVER_SECONDS) -> Diagnosis:
    """Smallest quota relaxations when infeasible; people on no feasible panel when feasible.

    Raises:
        InfeasibleError: only when no quota change can help (too few people or households in the pool).
    """
    model = PanelModel(problem)
    if not model.is_feasible():
        return Diagnosis(relaxations=relaxations_for(problem), impossible_people=())
    _, uncovered, complete = covering_panels(model, max_solves=max_solves, max_seconds=max_seconds)
    people = tuple(int(i) for i in uncovered)
    if complete:
        return Diagnosis(relaxations=(), impossible_people=people)
    return Diagnosis(relaxations=(), impossible_people=(), unchecked_people=people)


def check_feasibility(problem: PanelProblem, *, max_solves: int = MAX_COVER_SOLVES,
                      max_seconds: float = MAX_COVER_SECONDS) -> FeasibilityReport:
    """Feasibility, relaxations, impossible people and pool counts per value, for ``sortition check``."""
    counts = problem.value_counts()
    pool = tuple(
        ValueCount(cat.name, vq.value, vq.min, vq.max, int(counts[c][j]))
        for c, cat in enumerate(problem.spec.categories) for j, vq in enumerate(cat.values))
    d = diagnose(problem, max_solves=max_solves, max_seconds=max_seconds)
    return FeasibilityReport(feasible=d.feasible, relaxations=d.relaxations,
                             impossible_people=d.impossible_people, pool_counts=pool,
                             unchecked_people=d.unchecked_people)


__all__ = ["MAX_COVER_SECONDS", "MAX_COVER_SOLVES", "Diagnosis", "FeasibilityReport", "ValueCount", "check_feasibility",
           "covering_panels", "diagnose", "relaxations_for"]
