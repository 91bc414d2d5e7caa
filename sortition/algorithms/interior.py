"""A dense primal-dual interior-point method for the LEXIMIN stage LPs of large pools.

Our own implementation of Mehrotra's predictor-corrector method (S. J. Wright, *Primal-Dual Interior-Point
Methods*, SIAM 1997, chapter 10) for ``min c x  s.t.  A x = b, x >= 0``, where ``A`` is a dense block (the
panels: a column per panel, a row per type) next to *unit* columns (one entry +-1: slacks and surpluses).

Why not HiGHS's interior point (IPX) here: IPX solves its linear systems iteratively, and the stage LPs of
a pool like the paper-shaped n=1727 one (1,317 type rows, each panel column holding ~110 of them) make those
systems dense, and slow. The normal equations of this LP are one dense ``rows x rows`` matrix, which BLAS
forms and LAPACK factorises (Cholesky) in a fraction of a second, so a whole solve takes a fraction of
IPX's time (measured: docs/performance.md). Unit columns only add to its diagonal. numpy factorises it
(Cholesky); ``scipy.linalg`` solves with the factor (LAPACK ``potrs``), which numpy does not expose.

The answer is *central* (near the analytic centre of the optimal face, strictly complementary), as the
LEXIMIN fixing needs. When the method does not converge, :class:`InteriorPointFailed` lets the caller fall
back to HiGHS.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from threadpoolctl import ThreadpoolController

#: Relative primal infeasibility, dual infeasibility and complementarity (x.s) at which the method stops.
TOLERANCE = 1e-8
#: When the iterations stop improving (late ones lose accuracy in floating point), the best iterate is taken
#: if its error is at most this (measured on the n=1727 pool: the primal error stalls at ~1e-8 to 1e-7),
#: after STALL iterations without improvement.
ACCEPTABLE = 1e-6
STALL = 6
#: The method gives up after this many iterations (it needs about 20-25 on the n=1727 stage LPs).
MAX_ITERATIONS = 120
#: Share of the step to the boundary that is taken (keeps the iterates strictly inside).
STEP_SHARE = 0.995
#: Up to this many rows the method runs BLAS on one thread. OpenBLAS's threads busy-wait for each other: on a
#: 2-core machine with anything else running, two threads made a 277-row normal-equations step 11x slower
#: (5 ms against 43-67 ms), and below ~1,500 rows a second thread gains little even on an idle machine.
SINGLE_THREAD_ROWS = 1500
#: Diagonal regularisation of the normal equations, relative to their largest diagonal entry.
REGULARISATION = 1e-14


class InteriorPointFailed(Exception):
    """The interior-point method did not converge (the caller falls back to another solver)."""


@dataclass(frozen=True)
class InteriorSolution:
    """Answer of :func:`solve`: the primal ``x`` (dense columns first, then unit columns), the row duals
    ``y`` and the reduced costs ``s`` (``c - A^T y``, the dual slacks), and the iterations it took."""

    x: np.ndarray
    y: np.ndarray
    s: np.ndarray
    iterations: int


class _Matrix:
    """``A = [dense | unit columns]`` with the products the method needs."""

    def __init__(self, dense: np.ndarray, unit_row: np.ndarray, unit_sign: np.ndarray) -> None:
        self.dense, self.unit_row, self.unit_sign = dense, unit_row, unit_sign
        self.rows, self.split = dense.shape

    def times(self, x: np.ndarray) -> np.ndarray:
        out = self.dense @ x[: self.split]
        return out + np.bincount(self.unit_row, weights=self.unit_sign * x[self.split:], minlength=self.rows)

    def transposed_times(self, y: np.ndarray) -> np.ndarray:
        return np.concatenate([self.dense.T @ y, self.unit_sign * y[self.unit_row]])

    def normal(self, d: np.ndarray) -> np.ndarray:
        """``A diag(d) A^T``: one BLAS product for the dense block, the unit columns on the diagonal."""
        scaled = self.dense * np.sqrt(d[: self.split])
        m = scaled @ scaled.T
        m[np.diag_indices(self.rows)] += np.bincount(self.unit_row, weights=d[self.split:], minlength=self.rows)
        return m


def _factor(m: np.ndarray) -> tuple[np.ndarray, bool]:
    """The Cholesky factor of ``m`` (slightly regularised), as ``scipy.linalg.cho_solve`` takes it.

    numpy factorises (with the same BLAS threads that formed ``m``: scipy's own BLAS threads competing with
    numpy's made this step much slower; measured: docs/performance.md); scipy only does the cheap solves.
    """
    diagonal = np.diag_indices(m.shape[0])
    reg = REGULARISATION * max(float(np.abs(m[diagonal]).max()), 1.0)
    for _ in range(8):  # a tiny regularisation first, larger ones only when the matrix is not definite
        regularised = m.copy()
        regularised[diagonal] += reg
        try:
            lower = np.linalg.cholesky(regularised)
        except np.linalg.LinAlgError:
            reg *= 100.0
            continue
        return lower.T, False  # the upper factor, Fortran-ordered as LAPACK wants it
    raise InteriorPointFailed("the normal equations are not positive definite")


def _solve(factor: tuple[np.ndarray, bool], m: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve ``m v = rhs`` with the Cholesky factor, plus one step of iterative refinement (the factor is of
    a regularised ``m``, and late iterations are ill-conditioned)."""
    import scipy.linalg

    v = scipy.linalg.cho_solve(factor, rhs, check_finite=False)
    return v + scipy.linalg.cho_solve(factor, rhs - m @ v, check_finite=False)


class _Newton:
    """The Newton system of one iteration, factorised once for the predictor and the corrector."""

    def __init__(self, a: _Matrix, x: np.ndarray, s: np.ndarray, rb: np.ndarray, rc: np.ndarray) -> None:
        self.a, self.x, self.s, self.rb, self.rc = a, x, s, rb, rc
        self.d = x / s
        self.m = a.normal(self.d)
        self.factor = _factor(self.m)

    def direction(self, rxs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(dx, dy, ds) for A dx = -rb, A^T dy + ds = -rc, S dx + X ds = -rxs (normal equations in dy)."""
        a, x, s = self.a, self.x, self.s
        dy = _solve(self.factor, self.m, -self.rb + a.times(rxs / s - self.d * self.rc))
        ds = -self.rc - a.transposed_times(dy)
        return -(rxs + x * ds) / s, dy, ds


def _step(v: np.ndarray, dv: np.ndarray) -> float:
    """The longest step in ``[0, 1]`` along ``dv`` that keeps ``v`` non-negative."""
    down = dv < 0
    return min(1.0, float((-v[down] / dv[down]).min())) if down.any() else 1.0


def _start(a: _Matrix, c: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mehrotra's starting point: least-squares ``x`` and ``y``, shifted to be strictly positive."""
    ones = np.ones(c.shape[0])
    m = a.normal(ones)
    factor = _factor(m)
    x = a.transposed_times(_solve(factor, m, b))
    y = _solve(factor, m, a.times(c))
    s = c - a.transposed_times(y)
    x = x + max(-1.5 * float(x.min()), 0.0)
    s = s + max(-1.5 * float(s.min()), 0.0)
    xs = float(x @ s)
    if xs > 0:
        x, s = x + 0.5 * xs / s.sum(), s + 0.5 * xs / x.sum()
    x[x <= 0] = 1.0  # degenerate LPs (b = 0, or c in the row space): start those entries at 1 instead
    s[s <= 0] = 1.0
    return x, y, s


def solve(dense: np.ndarray, unit_row: np.ndarray, unit_sign: np.ndarray, c: np.ndarray, b: np.ndarray, *,
          tolerance: float = TOLERANCE, max_iterations: int = MAX_ITERATIONS) -> InteriorSolution:
    """Solve ``min c x  s.t.  [dense | U] x = b,  x >= 0``; ``U`` has column ``j`` equal to
    ``unit_sign[j]`` in row ``unit_row[j]`` and 0 elsewhere.

    Raises:
        InteriorPointFailed: no convergence within ``max_iterations`` (or a breakdown of the factorisation).

    Example:
        >>> sol = solve(np.array([[1.0, 1.0]]), np.zeros(0, int), np.zeros(0), np.array([1.0, 2.0]),
        ...             np.array([1.0]))
        >>> [round(float(v), 6) for v in sol.x]
        [1.0, 0.0]
    """
    a = _Matrix(np.asarray(dense, dtype=float), np.asarray(unit_row, dtype=np.int64),
                np.asarray(unit_sign, dtype=float))
    x, y, s = _start(a, c, b)
    n = c.shape[0]
    b_scale, c_scale = 1.0 + float(np.linalg.norm(b)), 1.0 + float(np.linalg.norm(c))
    best, best_error, since_best = InteriorSolution(x, y, s, 0), np.inf, 0
    for iteration in range(max_iterations):
        rb = a.times(x) - b
        rc = a.transposed_times(y) + s - c
        primal = float(c @ x)
        # complementarity x.s rather than the objective gap: that also holds y.rb, and when the fixed values
        # are only just reachable the duals are ~1e4, so a primal error of 1e-8 kept the gap at 1e-5
        error = max(float(np.linalg.norm(rb)) / b_scale, float(np.linalg.norm(rc)) / c_scale,
                    float(x @ s) / (1.0 + abs(primal)))
        if error <= tolerance:
            return InteriorSolution(x, y, s, iteration)
        if error < best_error:
            best, best_error, since_best = InteriorSolution(x, y, s, iteration), error, 0
        else:
            since_best += 1
        if best_error <= ACCEPTABLE and since_best >= STALL:
            return best  # late iterations lose accuracy in floating point: take the best one seen
        newton = _Newton(a, x, s, rb, rc)
        mu = float(x @ s) / n
        dx, dy, ds = newton.direction(x * s)  # predictor (affine scaling)
        primal_step, dual_step = _step(x, dx), _step(s, ds)
        mu_affine = float((x + primal_step * dx) @ (s + dual_step * ds)) / n
        sigma = (mu_affine / mu) ** 3
        dx, dy, ds = newton.direction(x * s + dx * ds - sigma * mu)  # corrector, aiming at sigma * mu
        primal_step, dual_step = STEP_SHARE * _step(x, dx), STEP_SHARE * _step(s, ds)
        x = x + primal_step * dx
        y = y + dual_step * dy
        s = s + dual_step * ds
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            break
    if best_error <= ACCEPTABLE:
        return best
    raise InteriorPointFailed(f"no convergence in {max_iterations} interior-point iterations")


@dataclass(frozen=True)
class StageAnswer:
    """A LEXIMIN stage LP solved by :func:`solve_stage`: panel ``weights`` (summing to 1), the dual weight
    ``y`` of each type row, and each panel's ``reduced`` cost (near 0 on the optimal face, clearly positive
    for panels that no optimal distribution uses)."""

    weights: np.ndarray
    y: np.ndarray
    reduced: np.ndarray


def solve_stage(shares: np.ndarray, unfixed: np.ndarray, fixed_value: np.ndarray, slack_cost: float
                ) -> StageAnswer:
    """The primal stage LP of :class:`~sortition.algorithms.colgen.StageLP` by :func:`solve`, with one
    shared slack ``sigma`` for the fixed values instead of one per fixed type::

        max z - slack_cost * sigma
        s.t.  sum_j a_tj w_j - z >= 0                      (unfixed t)
              sum_j a_tj w_j + sigma >= fixed_value[t]     (fixed t)
              sum_j w_j = 1,  w, z, sigma >= 0

    The slack only absorbs float noise in the fixed values (the duals of the fixed rows then sum to at
    most ``slack_cost``). A slack per row, next to that row's surplus, is a free variable split in two,
    which interior-point methods handle badly: measured on the n=1727 pool, the primal error stalled at
    ~1e-7 after 40-50 iterations; with the shared slack it reaches 1e-8 in about 20.

    Args:
        shares: dense ``a`` (type rows, panel columns).
        unfixed: bool per row.
        fixed_value: per row (ignored for unfixed rows).
        slack_cost: the price of missing the fixed values.
    """
    if shares.shape[0] <= SINGLE_THREAD_ROWS:
        with _blas().limit(limits=1, user_api="blas"):
            return _solve_stage(shares, unfixed, fixed_value, slack_cost)
    return _solve_stage(shares, unfixed, fixed_value, slack_cost)


@cache
def _blas() -> ThreadpoolController:
    """The process's BLAS thread pools (inspected once, on first use)."""
    return ThreadpoolController()


def _solve_stage(shares: np.ndarray, unfixed: np.ndarray, fixed_value: np.ndarray, slack_cost: float
                 ) -> StageAnswer:
    rows, panels = shares.shape
    fixed = ~unfixed
    dense = np.zeros((rows + 1, panels + 2))  # row 0: the weights sum to 1; the last columns are z and sigma
    dense[0, :panels] = 1.0
    dense[1:, :panels] = shares
    dense[1:, panels] = np.where(unfixed, -1.0, 0.0)
    dense[1:, panels + 1] = np.where(fixed, 1.0 / slack_cost, 0.0)  # scaled to cost 1: a cost of 1e4 next
    # to the level's 1 made the starting point so poor that the first ~10 iterations went to undoing it
    c = np.concatenate([np.zeros(panels), [-1.0, 1.0], np.zeros(rows)])
    b = np.concatenate([[1.0], np.where(fixed, fixed_value, 0.0)])
    sol = solve(dense, np.arange(1, rows + 1), -np.ones(rows), c, b)  # unit columns: each row's surplus
    weights = np.maximum(sol.x[:panels], 0.0)
    return StageAnswer(weights / weights.sum(), np.maximum(sol.y[1:], 0.0), sol.s[:panels])
