"""A LEXIMIN stage over the LP relaxation of the panel model: its exact level, and who cannot rise above it.

Every distribution over panels gives a probability vector ``p`` in the polytope ``R``: ``0 <= p <= 1``, the
panel size, every quota and every household row met by ``p`` (in expectation). ``R`` may be larger than the
set of vectors distributions can reach, never smaller, so anything proven over ``R`` holds for every
distribution:

- :meth:`StageRelaxation.level` is the stage's LP over ``R`` (maximise the lowest probability of the unfixed
  types, keeping every fixed type at its fixed value): an upper bound on the stage's level, with the dual
  that proves it, in one LP over types where column generation needs many. On the realistic pools of
  ``benchmarks/synthetic.py`` it equals the level column generation reaches (within 2e-5), so a stage may
  end as soon as its panels reach it.
- :meth:`StageRelaxation.leximin_point` is the LEXIMIN vector over ``R``, one LP per stage.
- :meth:`StageRelaxation.stuck` proves, type by type, that no distribution giving every unfixed type at least
  the stage's level can give a type more than ``excess`` above it: the type's largest probability over ``R``
  under those constraints, one small LP each. This certifies the types a stage fixes without the stage LP's
  interior-point duals and without asking the exact oracle to price them.

Everything is over *types* (:mod:`sortition.algorithms.symmetry`): ``R`` is symmetric in the members of a
type, so its optimum can be taken equal within a type, and a row counts a type's members in it times the
type's probability.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

from quotas import lp
from quotas.model import PanelProblem, all_rows
from sortition.algorithms.symmetry import TypePartition

#: A type whose probability reaches this much above the level in a witness solution can rise.
WITNESS_MARGIN = 1e-9
#: Stage levels of :meth:`StageRelaxation.leximin_point` closer than this are one level (LP tolerance).
EXACT = 1e-6
#: A type whose share of the stage dual (which sums to 1) exceeds this is stuck at the level (ten times HiGHS's
#: dual feasibility tolerance, so that no rounding noise fixes a type that could rise).
STUCK_DUAL = 1e-6
#: Added to every relaxation optimum so that the simplex's own tolerances never make it less than a bound.
MARGIN = 1e-7


def _type_rows(problem: PanelProblem, types: TypePartition) -> tuple[sp.csc_matrix, np.ndarray, np.ndarray]:
    """The rows of the panel model over types: coefficient = how many members of the type the row holds."""
    rows = all_rows(problem)
    row_of = np.concatenate([np.full(len(m), r) for r, (m, _, _) in enumerate(rows)])
    person = np.concatenate([np.asarray(m, dtype=np.int64) for m, _, _ in rows])
    matrix = sp.csc_matrix((np.ones(len(person)), (row_of, types.type_of[person])),
                           shape=(len(rows), types.count))
    matrix.sum_duplicates()
    return matrix, np.array([lo for _, lo, _ in rows], dtype=float), np.array([hi for _, _, hi in rows], dtype=float)


class StageRelaxation:
    """The LP relaxation of the panel model over types, kept alive in HiGHS for every stage of one LEXIMIN run.

    Two models share the rows of ``R``: one with the level ``z`` and a row ``p_t - z >= 0`` per type (switched
    off for fixed and impossible types), one without (for :meth:`stuck`, where only bounds and the objective
    change between calls, so the simplex starts from the last basis).

    Example:
        >>> relaxation = StageRelaxation(problem, TypePartition.of(problem))  # doctest: +SKIP
        >>> level, proof = relaxation.level(active, fixed, fixed_value)        # doctest: +SKIP
    """

    def __init__(self, problem: PanelProblem, types: TypePartition) -> None:
        matrix, lo, hi = _type_rows(problem, types)
        count = types.count
        self.count = count
        self.sizes = types.sizes
        #: The rows over type *counts* (every coefficient 1: a row holds all of a type's members or none),
        #: with their bounds, for models whose variables are a panel's type counts.
        self.count_rows = sp.csc_matrix(matrix @ sp.diags(1.0 / types.sizes))
        self.count_rows.data = np.rint(self.count_rows.data)
        self.row_lower, self.row_upper = lo, hi
        self._cols = np.arange(count, dtype=np.int32)
        self._bare = self._model(matrix, lo, hi)
        # the level model: columns p_0 .. p_{T-1}, z; rows R, then p_t - z >= 0
        level_rows = sp.hstack([sp.identity(count, format="csc"), -np.ones((count, 1))], format="csc")
        full = sp.vstack([sp.hstack([matrix, sp.csc_matrix((matrix.shape[0], 1))], format="csc"), level_rows],
                         format="csc")
        self._rows = matrix.shape[0]
        self._level = self._model(full, np.r_[lo, np.zeros(count)], np.r_[hi, np.full(count, lp.INF)],
                                  cost=np.r_[np.zeros(count), 1.0])

    @staticmethod
    def _model(matrix: sp.csc_matrix, lo: np.ndarray, hi: np.ndarray, cost: np.ndarray | None = None) -> Any:
        """Columns in [0, 1]; a last column with a cost (the level) is unbounded above, so that the level rows,
        not a bound of its own, carry the dual."""
        cols = matrix.shape[1]
        upper = np.ones(cols)
        if cost is not None:
            upper[-1] = lp.INF
        h = lp.new_highs()
        h.passModel(lp.sparse_lp(cost=np.zeros(cols) if cost is None else cost, col_lower=np.zeros(cols),
                                 col_upper=upper, row_lower=lo, row_upper=hi, starts=matrix.indptr,
                                 index=matrix.indices, values=matrix.data))
        lp.maximize(h)
        return h

    def _bounds(self, active: np.ndarray, fixed: np.ndarray, fixed_value: np.ndarray,
                level: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        lower = np.where(fixed & active, fixed_value, 0.0)
        if level is not None:
            lower = np.where(active & ~fixed, level, lower)
        upper = np.where(active, 1.0, 0.0)
        return np.minimum(lower, upper), upper

    def level(self, active: np.ndarray, fixed: np.ndarray, fixed_value: np.ndarray) -> tuple[float, np.ndarray]:
        """The stage's level over ``R`` (an upper bound on the level of every distribution that keeps the fixed
        values) and its proof: a dual ``y >= 0`` per type whose unfixed part sums to 1, with
        ``max_R y p - sum_fixed y_t f_t`` equal to the level (LP duality; the fixed part is the multipliers of
        the fixed values), the form :mod:`~sortition.algorithms.leximin` prices and certifies with.
        ``(inf, 0)`` when the LP fails."""
        h, count = self._level, self.count
        lower, upper = self._bounds(active, fixed, fixed_value)
        h.changeColsBounds(count, self._cols, lower, upper)
        unfixed = active & ~fixed
        rows = (self._rows + self._cols).astype(np.int32)
        h.changeRowsBounds(count, rows, np.where(unfixed, 0.0, -lp.INF), np.full(count, lp.INF))
        h.run()
        if not lp.is_optimal(h):
            return float("inf"), np.zeros(count)
        value = float(h.getInfo().objective_function_value)
        self.last_level = value
        solution = h.getSolution()
        # HiGHS's duals of a maximisation are <= 0 for rows and columns held at their lower bound: the level
        # rows of the unfixed types, and the fixed types' columns (held at their fixed values)
        level_dual = np.maximum(-np.asarray(solution.row_dual, dtype=float)[self._rows:], 0.0)
        bound_dual = np.maximum(-np.asarray(solution.col_dual, dtype=float)[:count], 0.0)
        y = np.where(unfixed, level_dual, np.where(fixed & active, bound_dual, 0.0))
        total = float(y[unfixed].sum())
        return value + MARGIN * (1.0 + abs(value)), (y / total if total > 0 else np.zeros(count))

    def stuck(self, active: np.ndarray, fixed: np.ndarray, fixed_value: np.ndarray, level: float,
              candidates: np.ndarray, excess: float) -> np.ndarray:
        """The ``candidates`` (unfixed types) that no vector of ``R`` giving every unfixed type at least
        ``level`` and every fixed type its fixed value lifts above ``level + excess``.

        One LP first maximises the candidates' total; each candidate it lifts is a witness against itself.
        The rest are asked one at a time (each answer may witness against others too).
        """
        h, count = self._bare, self.count
        lower, upper = self._bounds(active, fixed, fixed_value, level)
        h.changeColsBounds(count, self._cols, lower, upper)
        open_ = np.asarray(candidates, dtype=bool).copy()
        proven = np.zeros(count, dtype=bool)
        limit = level + excess

        def lifted(cost: np.ndarray) -> np.ndarray | None:
            h.changeColsCost(count, self._cols, cost)
            h.run()
            if not lp.is_optimal(h):
                return None
            return np.asarray(h.getSolution().col_value, dtype=float) > limit + WITNESS_MARGIN

        above = lifted(open_.astype(float))
        if above is None:
            return proven
        open_ &= ~above
        for t in np.flatnonzero(open_):
            if not open_[t]:
                continue
            cost = np.zeros(count)
            cost[t] = 1.0
            above = lifted(cost)
            if above is None:
                return proven
            if not above[t]:
                top = float(h.getInfo().objective_function_value)
                proven[t] = top + MARGIN * (1.0 + abs(top)) <= limit
            open_ &= ~above
            open_[t] = False
        return proven

    def leximin_point(self, active: np.ndarray, deadline: Callable[[], bool] = lambda: False
                      ) -> tuple[np.ndarray, list[float]] | None:
        """The LEXIMIN vector over ``R`` (per type; 0 for types not ``active``) and its stage levels, or None
        when an LP fails or ``deadline`` says time is up.

        Each stage is :meth:`level`; it fixes the types whose dual exceeds ``STUCK_DUAL``. Those cannot rise:
        a ``p`` of ``R`` giving every unfixed type at least the level ``z`` has ``sum_t y_t p_t <= z`` by
        duality, and ``>= z`` since ``y`` sums to 1, so ``p_t = z`` wherever ``y_t > 0``. Types stuck at ``z``
        with a zero dual are left to the next stage, which has the same level and fixes them by its dual
        (such a stage does not count as a new level). One LP per stage, where proving every type with
        :meth:`stuck` took one each: 11 s -> 0.8 s on the n=1727 pool, the same point within 2e-12.
        """
        fixed = ~np.asarray(active, dtype=bool)
        values = np.zeros(self.count)
        levels: list[float] = []
        while not fixed.all():
            if deadline():
                return None
            bound, proof = self.level(active, fixed, values)
            if not np.isfinite(bound):
                return None
            level = self.last_level
            unfixed = active & ~fixed
            chosen = unfixed & (proof > STUCK_DUAL)
            if not chosen.any():  # float noise: the largest dual is still the one the level rests on
                chosen[np.flatnonzero(unfixed)[int(np.argmax(proof[unfixed]))]] = True
            fixed |= chosen
            values[chosen] = level
            if not levels or level > levels[-1] + EXACT:
                levels.append(level)
        return values, levels
