"""Round a distribution over panels to a uniform lottery of ``m`` panels (each drawn with probability 1/m).

Flanigan, Kehne, Procaccia, "Fair sortition made transparent" (NeurIPS 2021): a lottery that an audience
can check by eye is a list of ``m`` panels, one of which is drawn uniformly. We choose how often each panel
of the distribution appears (its *count* ``c_j``, with ``sum c_j = m``) so that each person's share
``count_i / m`` stays close to their probability ``p_i`` under the distribution.

Method: iterative LP rounding in the style of Beck and Fiala (our own implementation). Write
``m * weight_j = floor_j + x_j`` with fractional parts ``x_j`` in [0, 1). Keep, as equalities, "the x's sum
to what they sum to now" (always) and "person i's share of the x's stays what it is now" (while person i
is *active*); move to a vertex of that polytope in the box [0, 1] with simplex, which makes variables 0 or
1. When a vertex has no further progress, drop the active persons with the fewest fractional panels left.

Guarantee: at a vertex, the fractional variables number at most the rank of the active rows. If every
active person still had more than ``k`` fractional panels, the person rows would either be fewer than the
fractional variables minus one (each variable lies in exactly ``k`` person rows), or all equal to the sum
row (when there are at most ``k + 1`` fractional variables), so the rank would be too small for a vertex:
some active person has at most ``k`` fractional panels and can be dropped. After a person is dropped, each
of their at most ``k`` fractional variables moves by less than 1, so ``|count_i - m p_i| < k`` and
``|p_i - count_i / m| < k / m`` for everyone (``Lottery.bound``). The sum row is never dropped and starts
integral, so exactly ``m`` panels come out. In practice the deviation is far below the bound, and every
panel of the lottery is one of the distribution's panels, so it meets every quota.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quotas.errors import SolverError
from quotas.model import PanelProblem
from sortition.algorithms.base import Distribution

#: Fractional parts closer than this to 0 or 1 count as integral.
INTEGRAL_TOLERANCE = 1e-7


@dataclass(frozen=True)
class Lottery:
    """A uniform lottery: ``m`` panels, one drawn with probability ``1/m``.

    Attributes:
        panels: exactly ``m`` panels (sorted person indices), sorted lexicographically, repeats adjacent.
        probabilities: array (n,), ``count_i / m``: each person's exact chance under the lottery.
        max_deviation: ``max_i |p_i - count_i / m|`` against the distribution's probabilities.
        bound: the deviation this method guarantees (``k / m``; 0 when the distribution was exact).
    """

    panels: tuple[tuple[int, ...], ...]
    probabilities: np.ndarray
    max_deviation: float
    bound: float

    @property
    def m(self) -> int:
        return len(self.panels)


def _vertex(frac: np.ndarray, members: np.ndarray, active: np.ndarray) -> np.ndarray:
    """A simplex vertex of {x in [0,1]: sum x and every active person's share of x unchanged}."""
    import highspy

    float_idx = np.flatnonzero((frac > 0) & (frac < 1))
    sub = members[np.ix_(active, float_idx)]  # active persons x floating panels
    keep = sub.any(axis=1)
    sub = sub[keep]
    rows = np.vstack([np.ones((1, len(float_idx))), sub.astype(float)])
    rhs = rows @ frac[float_idx]
    # column-wise sparse matrix of `rows`
    starts, index = [0], []
    for j in range(len(float_idx)):
        nz = np.flatnonzero(rows[:, j])
        index.extend(nz.tolist())
        starts.append(len(index))
    lp = highspy.HighsLp()
    lp.num_col_ = len(float_idx)
    lp.num_row_ = rows.shape[0]
    lp.col_cost_ = np.zeros(len(float_idx))
    lp.col_lower_ = np.zeros(len(float_idx))
    lp.col_upper_ = np.ones(len(float_idx))
    lp.row_lower_ = rhs
    lp.row_upper_ = rhs
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(len(index))
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "simplex")
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SolverError(f"HiGHS failed while rounding the lottery ({h.modelStatusToString(h.getModelStatus())}).")
    out = frac.copy()
    out[float_idx] = np.clip(np.asarray(h.getSolution().col_value), 0.0, 1.0)
    return _snap(out)


def _snap(x: np.ndarray) -> np.ndarray:
    x = x.copy()
    x[x < INTEGRAL_TOLERANCE] = 0.0
    x[x > 1 - INTEGRAL_TOLERANCE] = 1.0
    return x


def round_counts(weights: np.ndarray, members: np.ndarray, m: int) -> np.ndarray:
    """Integer counts ``c_j`` (``floor`` or ``ceil`` of ``m * weights[j]``, summing to ``m``).

    Args:
        weights: panel probabilities (sum 1).
        members: bool (n, panels), person i on panel j.
        m: number of lottery panels.
    """
    scaled = m * np.asarray(weights, dtype=float)
    base = np.floor(scaled + INTEGRAL_TOLERANCE)
    frac = _snap(np.clip(scaled - base, 0.0, 1.0))
    active = members.any(axis=1)
    while ((frac > 0) & (frac < 1)).any():
        before = int(((frac > 0) & (frac < 1)).sum())
        frac = _vertex(frac, members, active)
        floating = (frac > 0) & (frac < 1)
        if int(floating.sum()) < before:
            continue
        # no progress at this vertex: drop the active persons with the fewest fractional panels
        counts = members[:, floating].sum(axis=1)
        counts[~active] = np.iinfo(np.int64).max
        counts[counts == 0] = np.iinfo(np.int64).max
        if counts.min() == np.iinfo(np.int64).max:
            raise SolverError("lottery rounding made no progress; report this as a bug.")
        active &= counts != counts.min()
    counts_out = (base + frac).astype(np.int64)
    if counts_out.sum() != m:
        raise SolverError(f"lottery rounding produced {counts_out.sum()} panels instead of {m}; report this.")
    return counts_out


def round_to_lottery(problem: PanelProblem, dist: Distribution, m: int = 1000) -> Lottery:
    """Round ``dist`` to ``m`` equally likely panels whose shares stay within ``k / m`` of ``dist``.

    Args:
        problem: the problem ``dist`` solves (for ``k`` and the pool size).
        dist: the distribution to round.
        m: how many panels the lottery holds.

    Raises:
        ValueError: ``m`` is not a positive whole number.

    Example:
        >>> lottery = round_to_lottery(problem, leximin(problem), m=1000)  # doctest: +SKIP
        >>> len(lottery.panels)                                          # doctest: +SKIP
        1000
    """
    if not isinstance(m, int) or m <= 0:
        raise ValueError(f"m must be a positive whole number, got {m!r}")
    n = problem.n
    weights = np.asarray(dist.weights, dtype=float)
    members = np.zeros((n, len(dist.panels)), dtype=bool)
    for j, panel in enumerate(dist.panels):
        members[list(panel), j] = True
    scaled = m * weights
    exact = bool(np.all(np.abs(scaled - np.round(scaled)) < INTEGRAL_TOLERANCE))
    counts = np.round(scaled).astype(np.int64) if exact else round_counts(weights, members, m)
    order = sorted(range(len(dist.panels)), key=lambda j: dist.panels[j])
    panels = tuple(dist.panels[j] for j in order for _ in range(int(counts[j])))
    probabilities = members.astype(float) @ counts / m
    deviation = float(np.abs(probabilities - dist.probabilities).max(initial=0.0))
    return Lottery(panels, probabilities, deviation, 0.0 if exact else problem.k / m)
