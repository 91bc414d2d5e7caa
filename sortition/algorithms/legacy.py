"""The legacy greedy selection algorithm, driven by the verifiable stream so that a draw can be re-run.

This is the greedy used by today's sortition tools (e.g. the Sortition Foundation's "legacy" algorithm),
written from its published description. It is offered for comparison with LEXIMIN: it meets the quotas, but
it gives some volunteers a much lower chance than others (see :func:`legacy_probabilities`).

The rule, exactly (an auditor can reimplement it from this docstring and the stream spec):

Setup. People are ``0 .. n-1`` in the canonical order the caller gives (pseudonym order). The quota values
are numbered in spec order: category by category, and within a category value by value. Every person is
*available*, except anyone with a value whose maximum is 0; every value has ``selected = 0``.

One *attempt* repeats, until the panel has ``k`` members:

1. **Dead end?** With ``slots = k - len(panel)``, the attempt is a dead end when any of these holds:
   (a) some value has fewer available people than it still needs (``min - selected > available``);
   (b) in some category, the values' remaining needs (``max(0, min - selected)``) add up to more than
   ``slots``; (c) fewer than ``slots`` people are available. Each of these makes success impossible, so
   detecting it early only saves work.
2. **Choose a value.** Among the values with at least one available person, take the one with the largest
   ratio ``(min - selected) / available``: the value furthest below its minimum relative to the people
   left. Once every minimum is met, the same ratio (now zero or negative) still decides: a value exactly
   at its minimum comes first, then the value least above its minimum relative to its people left. Ratios
   are compared exactly, in integers (``a/b > c/d`` iff ``a*d > c*b``); ties go to the value that comes
   first in spec order.
3. **Choose a person.** List the available people with that value in index order; take the one at position
   ``stream.uniform(count)``. This is the only use of randomness: exactly one ``uniform`` call per pick.
4. **Update.** Add the person to the panel; make them and every other member of their household
   unavailable (when the household rule is on); for each of their values, ``selected += 1``, and when a
   value reaches its maximum, make everyone still available with that value unavailable.

After the ``k``-th pick the dead-end test runs once more (then (b) means "a minimum is not met"). A dead
end abandons the attempt and starts a new one from the setup, continuing the *same* stream (it is never
reset or re-keyed). After ``max_restarts`` restarts the algorithm gives up with :class:`SolverError`.

The panel is the sorted list of indices. The design's stream label for a draw is ``"legacy"``
(:data:`sortition.randomness.LEGACY_LABEL`).

Example::

    stream = Stream(derive_key(commitment, seed), LEGACY_LABEL)
    panel = legacy_panel(problem, stream)
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from quotas.errors import InfeasibleError, SolverError
from quotas.model import PanelProblem
from sortition.progress import NULL_PROGRESS, ProgressReporter
from sortition.randomness import Stream

#: How many times one draw may start over after a dead end before giving up.
DEFAULT_MAX_RESTARTS = 1000
#: Key of the Monte-Carlo estimate: fixed, so the estimate is a pure function of the problem and ``runs``.
MONTE_CARLO_KEY = hashlib.sha256(b"legacy-monte-carlo").digest()
#: Label of Monte-Carlo run ``r`` is ``MONTE_CARLO_LABEL.format(r=r)``.
MONTE_CARLO_LABEL = "legacy-mc-{r}"


@dataclass(frozen=True, eq=False)
class LegacyEstimate:
    """Monte-Carlo estimate of each person's selection probability under the legacy algorithm.

    Attributes:
        probabilities: float array (n,), person ``i``'s share of runs in which they were selected.
        runs: how many panels were drawn.
        restarts: how many dead ends the runs hit in total (a measure of how tight the quotas are for
            the greedy).
        note: a sentence for reports saying that these are estimates.
    """

    probabilities: np.ndarray
    runs: int
    restarts: int
    note: str


class _Tables:
    """The problem in the flat form the greedy loop uses; built once, read-only afterwards."""

    def __init__(self, problem: PanelProblem) -> None:
        spec = problem.spec
        self.n = problem.n
        self.k = problem.k
        offsets = np.cumsum([0] + [len(c.values) for c in spec.categories])
        self.value_count = int(offsets[-1])
        self.mins = [vq.min for _, vq in spec.iter_values()]
        self.maxs = [vq.max for _, vq in spec.iter_values()]
        self.category_values = [range(int(offsets[c]), int(offsets[c + 1])) for c in range(len(offsets) - 1)]
        # person -> their value numbers (one per category), as Python ints for the hot loop
        flat = np.asarray(problem.features, dtype=np.int64) + offsets[:-1]
        self.person_values: list[list[int]] = flat.tolist()
        # value -> its people, in index order
        members = [np.flatnonzero((flat == v).any(axis=1)) for v in range(self.value_count)]
        self.pool_count = [len(m) for m in members]
        # a value with maximum 0 is full from the start: its people can never be picked
        usable = np.ones(self.n, dtype=bool)
        for v in range(self.value_count):
            if self.maxs[v] == 0:
                usable[members[v]] = False
        self.initial_available: list[bool] = usable.tolist()
        self.initial_lists: list[list[int]] = [m[usable[m]].tolist() for m in members]
        self.initial_total = int(usable.sum())
        # person -> everyone in their household (themselves included), or None without the household rule
        self.mates: list[list[int]] | None = None
        if problem.households is not None and self.n:
            _, group = np.unique(np.asarray(problem.households), return_inverse=True)
            by_group = [np.flatnonzero(group == g).tolist() for g in range(int(group.max()) + 1)]
            self.mates = [by_group[g] for g in group.tolist()]


def _check_obviously_infeasible(problem: PanelProblem, tables: _Tables) -> None:
    """Raise InfeasibleError when no algorithm could succeed: too few people overall or for a value."""
    if tables.n < tables.k:
        raise InfeasibleError(
            f"the pool has {tables.n} people, fewer than the panel size {tables.k}; "
            "lower the panel size or recruit more volunteers.")
    for (cat, vq), have in zip(problem.spec.iter_values(), tables.pool_count, strict=True):
        if have < vq.min:
            raise InfeasibleError(
                f"{cat.name} {vq.value}: the minimum is {vq.min} but only {have} people in the pool have it; "
                f"lower that minimum to at most {have} or recruit more people with it.")


class _Attempt:
    """The state of one attempt of the greedy (see the module docstring for the rule).

    Plain Python lists keep the per-pick cost low: ``lists[v]`` holds the available people with value
    ``v`` in index order, so the candidates of a pick are exactly that list.
    """

    def __init__(self, tables: _Tables) -> None:
        self.t = tables
        self.available = list(tables.initial_available)
        self.lists = [list(lst) for lst in tables.initial_lists]
        self.selected = [0] * tables.value_count
        self.total_available = tables.initial_total
        self.panel: list[int] = []

    def dead_end(self) -> bool:
        t = self.t
        slots = t.k - len(self.panel)
        if self.total_available < slots:
            return True
        mins, selected, lists = t.mins, self.selected, self.lists
        for values in t.category_values:
            short = 0
            for v in values:
                need = mins[v] - selected[v]
                if need > 0:
                    if need > len(lists[v]):
                        return True
                    short += need
            if short > slots:
                return True
        return False

    def choose_value(self) -> int:
        mins, selected = self.t.mins, self.selected
        best = -1
        best_need = 0
        best_count = 1
        for v, lst in enumerate(self.lists):
            count = len(lst)
            if not count:
                continue
            need = mins[v] - selected[v]
            # need / count > best_need / best_count, compared in integers (counts are positive)
            if best < 0 or need * best_count > best_need * count:
                best, best_need, best_count = v, need, count
        return best

    def remove(self, people: list[int]) -> None:
        """Make these (currently available) people unavailable."""
        person_values, lists, available = self.t.person_values, self.lists, self.available
        for p in people:
            available[p] = False
            for v in person_values[p]:
                lst = lists[v]
                del lst[bisect_left(lst, p)]
        self.total_available -= len(people)

    def pick(self, stream: Stream) -> None:
        t = self.t
        candidates = self.lists[self.choose_value()]
        person = candidates[stream.uniform(len(candidates))]
        self.panel.append(person)
        if t.mates is None:
            self.remove([person])
        else:
            self.remove([p for p in t.mates[person] if self.available[p]])
        for v in t.person_values[person]:
            self.selected[v] += 1
            if self.selected[v] == t.maxs[v]:
                self.remove(list(self.lists[v]))

    def run(self, stream: Stream) -> bool:
        """Run to the end; True when the panel is complete and meets every quota."""
        while len(self.panel) < self.t.k:
            if self.dead_end():
                return False
            self.pick(stream)
        return not self.dead_end()


def _draw(tables: _Tables, stream: Stream, max_restarts: int) -> tuple[tuple[int, ...], int]:
    """Return (sorted panel, number of restarts used)."""
    for restarts in range(max_restarts + 1):
        attempt = _Attempt(tables)
        if attempt.run(stream):
            return tuple(sorted(attempt.panel)), restarts
    raise SolverError(
        f"the legacy algorithm found no panel meeting the quotas in {max_restarts + 1} attempts. The quotas "
        "may be impossible to meet with this pool, or too tight for this greedy algorithm; try the leximin "
        "algorithm (which also says which quotas to relax when none is possible), or widen the tightest "
        "minimums and maximums.")


def legacy_panel(
    problem: PanelProblem, stream: Stream, *, max_restarts: int = DEFAULT_MAX_RESTARTS
) -> tuple[int, ...]:
    """Draw one panel with the legacy greedy algorithm, every random choice taken from ``stream``.

    The result is a pure function of the problem (people in the caller's canonical order) and the stream's
    words, so ``draw`` and ``verify`` get the same panel from the same key. The exact rule and the order in
    which the stream is consumed are in the module docstring.

    Args:
        problem: the quotas and the pool, people already in canonical (pseudonym) order.
        stream: the stream to draw from; for a real draw ``Stream(K, "legacy")``. It is consumed in place.
        max_restarts: how many times to start over after a dead end before giving up.

    Returns:
        The panel as sorted person indices.

    Raises:
        InfeasibleError: when the pool plainly cannot meet the quotas (fewer people than seats, or fewer
            people with a value than its minimum).
        SolverError: when every attempt hit a dead end.
    """
    tables = _Tables(problem)
    _check_obviously_infeasible(problem, tables)
    panel, _ = _draw(tables, stream, max_restarts)
    return panel


def legacy_probabilities(
    problem: PanelProblem,
    *,
    runs: int = 10_000,
    key: bytes = MONTE_CARLO_KEY,
    max_restarts: int = DEFAULT_MAX_RESTARTS,
    progress: ProgressReporter = NULL_PROGRESS,
) -> LegacyEstimate:
    """Estimate each person's selection probability under the legacy algorithm by Monte Carlo.

    Run ``r`` (``r = 0 .. runs-1``) draws one panel with ``Stream(key, f"legacy-mc-{r}")``; a person's
    estimate is the share of runs that selected them. The result is deterministic for a given problem,
    ``runs`` and ``key`` (default: SHA-256 of ``b"legacy-monte-carlo"``), and the estimates add up to ``k``.
    With ``runs`` runs, an estimate ``p`` has a standard error of about ``sqrt(p (1 - p) / runs)``.

    Args:
        problem: the quotas and the pool, people in canonical order.
        runs: how many panels to draw.
        key: the 32-byte stream key of the runs.
        max_restarts: passed to each run (see :func:`legacy_panel`).
        progress: receives one update per run.

    Returns:
        The estimate, with a note for reports.

    Raises:
        ValueError: when ``runs`` is below 1.
        InfeasibleError, SolverError: as :func:`legacy_panel`.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, not {runs}")
    tables = _Tables(problem)
    _check_obviously_infeasible(problem, tables)
    hits = np.zeros(problem.n, dtype=np.int64)
    total_restarts = 0
    progress.start("legacy Monte-Carlo estimate", total=runs)
    for r in range(runs):
        panel, restarts = _draw(tables, Stream(key, MONTE_CARLO_LABEL.format(r=r)), max_restarts)
        hits[list(panel)] += 1
        total_restarts += restarts
        progress.update(1.0)
    progress.finish(f"{runs} panels drawn")
    return LegacyEstimate(
        probabilities=hits / runs,
        runs=runs,
        restarts=total_restarts,
        note=(f"Monte-Carlo estimates from {runs} runs of the legacy algorithm (not exact probabilities; "
              f"standard error up to {0.5 / np.sqrt(runs):.2%})."),
    )


__all__ = [
    "DEFAULT_MAX_RESTARTS",
    "MONTE_CARLO_KEY",
    "MONTE_CARLO_LABEL",
    "LegacyEstimate",
    "legacy_panel",
    "legacy_probabilities",
]
