"""LP machinery shared by the column-generation algorithms (LEXIMIN, maximin, Nash).

The *master* problems are small linear programs over the panels found so far; new panels come from the
pricing oracle (:class:`~sortition.algorithms.base.PanelOracle`). Everything solver-specific lives here,
and ``highspy`` is imported only inside the functions that solve.

Why HiGHS interior point without crossover for the LEXIMIN dual: an interior-point method stops near the
*analytic centre* of the optimal face, which is strictly complementary. So every person whose probability
is forced down to the current level gets a clearly positive dual value, and a whole group of people can be
fixed per stage instead of one (a simplex vertex puts dual weight on as few people as possible). Crossover
would move the answer back to a vertex and cost time, so it is off. The final primal LP, in contrast, uses
simplex: a vertex has few panels with positive weight, which keeps the distribution and its rounding small.
OR-tools PDLP was not chosen: first-order accuracy (~1e-4 to 1e-6) is too coarse against a stopping
tolerance of 5e-4, and on these sizes (a few hundred rows, a few thousand columns) HiGHS IPM is fast.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from quotas.errors import SolverError
from sortition.algorithms.base import PanelOracle

#: Multiplicative-weights factor for people already on a starting panel.
MW_DECAY = 0.8


@dataclass
class PanelSet:
    """The panels found so far (distinct, in order of discovery)."""

    n: int
    panels: list[np.ndarray] = field(default_factory=list)
    _seen: set[tuple[int, ...]] = field(default_factory=set)

    def add(self, panel: np.ndarray | Sequence[int]) -> bool:
        """Add a panel; False when it was already there."""
        arr = np.sort(np.asarray(panel, dtype=np.int64))
        key = tuple(arr.tolist())
        if key in self._seen:
            return False
        self._seen.add(key)
        self.panels.append(arr)
        return True

    def __len__(self) -> int:
        return len(self.panels)

    def coverage(self) -> np.ndarray:
        """Boolean array (n,): who is on at least one panel."""
        covered = np.zeros(self.n, dtype=bool)
        for p in self.panels:
            covered[p] = True
        return covered

    def membership(self) -> np.ndarray:
        """Dense 0/1 matrix (n, panels): person i is on panel j."""
        a = np.zeros((self.n, len(self.panels)))
        for j, p in enumerate(self.panels):
            a[p, j] = 1.0
        return a


class Deadline:
    """A wall-clock budget; ``None`` means no limit."""

    def __init__(self, seconds: float | None) -> None:
        self.start = time.perf_counter()
        self.seconds = seconds

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def passed(self) -> bool:
        return self.seconds is not None and self.elapsed() >= self.seconds


def starting_panels(oracle: PanelOracle, n: int, k: int, *, rounds: int | None = None,
                    deadline: Deadline | None = None) -> tuple[PanelSet, np.ndarray]:
    """A diverse first set of panels, and who can be on no panel at all.

    Multiplicative weights: each round asks for the heaviest panel and then shrinks the weights of its
    members, so later panels favour people not yet chosen. Afterwards, while someone is still uncovered, ask
    for the panel holding as many uncovered people as possible; when it holds none, no feasible panel holds
    any of them (the oracle is exact), so they are *impossible* (probability 0 under every algorithm).

    Returns:
        The panel set and a boolean array (n,) that is True for impossible people.
    """
    if rounds is None:
        rounds = int(min(max(2 * n // max(k, 1), 10), 60))
    found = PanelSet(n)
    weights = np.ones(n)
    for _ in range(rounds):
        panel = oracle.find_panel(weights)
        found.add(panel)
        weights[panel] *= MW_DECAY
        weights /= weights.max()
        if deadline is not None and deadline.passed():
            break
    impossible = np.zeros(n, dtype=bool)
    while True:
        todo = ~found.coverage() & ~impossible
        if not todo.any():
            return found, impossible
        panel = oracle.find_panel(todo.astype(float))
        if not todo[panel].any():
            impossible |= todo
        else:
            found.add(panel)


@dataclass(frozen=True)
class StageSolution:
    """Answer of one LEXIMIN-stage dual LP over the current panels."""

    y: np.ndarray  # dual weight per person (0 for people outside the LP)
    y_hat: float  # the largest panel weight allowed (dual of "weights sum to 1")
    value: float  # LP value: the best minimum probability of the unfixed people with these panels
    panel_weights: np.ndarray  # primal: probability per panel (from the row duals)


def _new_highs(time_limit: float | None = None):  # type: ignore[no-untyped-def]
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if time_limit is not None:
        h.setOptionValue("time_limit", max(float(time_limit), 1.0))
    return h


def _run(h, what: str) -> None:  # type: ignore[no-untyped-def]
    import highspy

    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise SolverError(f"HiGHS could not solve the {what} LP ({h.modelStatusToString(status)}); "
                          "try again with a longer time limit or report this as a bug.")


def solve_stage_dual(panels: Sequence[np.ndarray], n: int, active: np.ndarray, fixed: np.ndarray,
                     fixed_value: np.ndarray, *, time_limit: float | None = None) -> StageSolution:
    """Solve the dual of "maximise the minimum probability of the unfixed people".

    Primal over the current panels: max z s.t. p_i >= z for unfixed i, p_i >= fixed_value[i] for fixed i,
    weights sum to 1. Dual (solved here)::

        min  y_hat - sum_{i fixed} fixed_value[i] * y_i
        s.t. sum_{i in P} y_i <= y_hat   for every panel P
             sum_{i unfixed} y_i = 1,    y >= 0

    Args:
        panels: the panels found so far.
        n: pool size.
        active: bool (n,), people in the LP (possible people).
        fixed: bool (n,), people whose probability is already fixed (subset of active).
        fixed_value: float (n,), the fixed probabilities.
        time_limit: seconds for the LP.
    """
    import highspy

    people = np.flatnonzero(active)
    col_of = np.full(n, -1, dtype=np.int64)
    col_of[people] = np.arange(len(people))
    m = len(people)  # y columns 0..m-1, y_hat is column m
    starts, index, values = [0], [], []
    for panel in panels:
        cols = col_of[panel]
        cols = cols[cols >= 0]
        index.extend(cols.tolist())
        index.append(m)
        values.extend([1.0] * len(cols))
        values.append(-1.0)
        starts.append(len(index))
    unfixed_cols = col_of[np.flatnonzero(active & ~fixed)]
    index.extend(unfixed_cols.tolist())
    values.extend([1.0] * len(unfixed_cols))
    starts.append(len(index))

    lp = highspy.HighsLp()
    lp.num_col_ = m + 1
    lp.num_row_ = len(panels) + 1
    cost = np.zeros(m + 1)
    fixed_people = np.flatnonzero(fixed)
    cost[col_of[fixed_people]] = -fixed_value[fixed_people]
    cost[m] = 1.0
    lp.col_cost_ = cost
    lp.col_lower_ = np.concatenate([np.zeros(m), [-highspy.kHighsInf]])
    lp.col_upper_ = np.full(m + 1, highspy.kHighsInf)
    lp.row_lower_ = np.concatenate([np.full(len(panels), -highspy.kHighsInf), [1.0]])
    lp.row_upper_ = np.concatenate([np.zeros(len(panels)), [1.0]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(values, dtype=float)
    h = _new_highs(time_limit)
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "off")
    h.passModel(lp)
    _run(h, "LEXIMIN stage")
    sol = h.getSolution()
    col = np.asarray(sol.col_value)
    y = np.zeros(n)
    y[people] = np.maximum(col[:m], 0.0)
    row_dual = np.asarray(sol.row_dual)[: len(panels)]
    weights = np.maximum(-row_dual, 0.0)
    total = weights.sum()
    weights = weights / total if total > 0 else np.full(len(panels), 1.0 / len(panels))
    return StageSolution(y, float(col[m]), float(h.getInfo().objective_function_value), weights)


def solve_final_primal(panels: Sequence[np.ndarray], n: int, targets: np.ndarray, *,
                       time_limit: float | None = None) -> tuple[np.ndarray, float]:
    """Panel probabilities that give every person at least ``targets[i]`` (as nearly as possible).

    Solves ``min t`` s.t. ``p_i + t >= targets[i]``, weights sum to 1, with dual simplex so that the answer
    is a vertex (few panels with positive weight).

    Returns:
        The weight of each panel and the largest shortfall ``t`` (0 when every target is met).
    """
    import highspy

    people = np.flatnonzero(targets > 0)
    row_of = np.full(n, -1, dtype=np.int64)
    row_of[people] = np.arange(1, len(people) + 1)  # row 0: weights sum to 1
    starts, index, values = [0], [], []
    for panel in panels:
        rows = row_of[panel]
        rows = np.sort(rows[rows >= 0])
        index.append(0)
        index.extend(rows.tolist())
        values.extend([1.0] * (len(rows) + 1))
        starts.append(len(index))
    index.extend(range(1, len(people) + 1))  # the shortfall column t
    values.extend([1.0] * len(people))
    starts.append(len(index))

    lp = highspy.HighsLp()
    lp.num_col_ = len(panels) + 1
    lp.num_row_ = len(people) + 1
    lp.col_cost_ = np.concatenate([np.zeros(len(panels)), [1.0]])
    lp.col_lower_ = np.zeros(len(panels) + 1)
    lp.col_upper_ = np.full(len(panels) + 1, highspy.kHighsInf)
    lp.row_lower_ = np.concatenate([[1.0], targets[people]])
    lp.row_upper_ = np.concatenate([[1.0], np.full(len(people), highspy.kHighsInf)])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(values, dtype=float)
    h = _new_highs(time_limit)
    h.setOptionValue("solver", "simplex")
    h.passModel(lp)
    _run(h, "final distribution")
    col = np.asarray(h.getSolution().col_value)
    weights = np.maximum(col[: len(panels)], 0.0)
    return weights / weights.sum(), float(col[-1])
