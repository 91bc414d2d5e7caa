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
One HiGHS model is kept for the whole walk (:class:`_VertexWalk`). Afterwards, single copies move from one
panel to another while that evens out the deviations without raising the largest (:func:`_polish`).

Guarantee: at a vertex, the fractional variables number at most the rank of the active rows. If every
active person still had more than ``k`` fractional panels, the person rows would either be fewer than the
fractional variables minus one (each variable lies in exactly ``k`` person rows), or all equal to the sum
row (when there are at most ``k + 1`` fractional variables), so the rank would be too small for a vertex:
some active person has at most ``k`` fractional panels and can be dropped. After a person is dropped, each
of their at most ``k`` fractional variables moves by less than 1, so ``|count_i - m p_i| < k`` and
``|p_i - count_i / m| < k / m`` for everyone (``Lottery.bound``). The sum row is never dropped and starts
integral, so exactly ``m`` panels come out.
The polish keeps ``m`` and never raises the largest deviation, so the bound still holds. In practice the
deviation is far below the bound.

Fair-within-type distributions (LEXIMIN, maximin and Nash here give everyone of a type of interchangeable
people the same probability, see :mod:`sortition.algorithms.symmetry`) are rounded over *type counts*
instead: their thousands of rotated panels collapse to a few count vectors, which keeps the LPs small, and
each type's seats are then handed out round-robin (bound ``(k + 1) / m``). Either way every lottery panel
has the type counts of a panel of the distribution, so it meets every quota and the household rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quotas.errors import SolverError
from quotas.lp import INF, new_highs, run_robust, sparse_lp
from quotas.model import PanelProblem
from sortition.algorithms.base import Distribution
from sortition.algorithms.symmetry import TypePartition

#: Fractional parts closer than this to 0 or 1 count as integral.
INTEGRAL_TOLERANCE = 1e-7
#: After the walk, at most this many single-copy moves even out the deviations (see ``_polish``).
POLISH_MOVES = 400
#: Panels tried per move as the one that gives up a copy (those serving over-served rows most).
POLISH_SOURCES = 8
#: The moves lower the sum of |deviation| to this power: high enough to act like the largest deviation.
POLISH_POWER = 8
#: Seed of the rounding LP's objective (any fixed numbers do: they only make every answer a vertex).
ROUNDING_OBJECTIVE_SEED = 3797
#: Probabilities closer than this count as equal when checking that a distribution is fair within types.
#: Float sums over ~10,000 rotated panels differ by ~1e-9 (measured 1.6e-9 on the n=1727 pool), which sent
#: a time-limited LEXIMIN to the per-person path (1,727 rows x 9,628 panels); 1e-7 is still far below 1/m.
TYPE_TOLERANCE = 1e-7


@dataclass(frozen=True)
class Lottery:
    """A uniform lottery: ``m`` panels, one drawn with probability ``1/m``.

    Attributes:
        panels: exactly ``m`` panels (sorted person indices), sorted lexicographically, repeats adjacent.
        probabilities: array (n,), ``count_i / m``: each person's exact chance under the lottery.
        max_deviation: ``max_i |p_i - count_i / m|`` against the distribution's probabilities.
        bound: the deviation this method guarantees (``k / m``, or ``(k + 1) / m`` when rounded over types;
            0 when the distribution was exact).
    """

    panels: tuple[tuple[int, ...], ...]
    probabilities: np.ndarray
    max_deviation: float
    bound: float

    @property
    def m(self) -> int:
        return len(self.panels)


class _VertexWalk:
    """The rounding LP, kept in one HiGHS model and re-solved warm as panels become integral.

    Variables are the fractional parts of the panels that start fractional; rows are "their sum stays what
    it is" and one per person (or type) "their share stays what it is". A fixed, seeded random objective
    makes every answer a vertex; a panel that reaches 0 or 1 is fixed there, and a dropped person's row is
    freed, after which the warm simplex moves on to the next vertex in a few pivots, several times faster
    than a fresh LP per vertex (measured: docs/performance.md).
    """

    def __init__(self, frac: np.ndarray, members: np.ndarray) -> None:
        self.columns = np.flatnonzero((frac > 0) & (frac < 1))
        rows = np.vstack([np.ones((1, len(self.columns))), np.asarray(members[:, self.columns], dtype=float)])
        rhs = rows @ frac[self.columns]
        nz_col, nz_row = np.nonzero(rows.T)  # column-major order: sorted by column, then row
        lp = sparse_lp(cost=np.random.default_rng(ROUNDING_OBJECTIVE_SEED).random(len(self.columns)) + 1.0,
                       col_lower=np.zeros(len(self.columns)), col_upper=np.ones(len(self.columns)),
                       row_lower=rhs, row_upper=rhs,
                       starts=np.searchsorted(nz_col, np.arange(len(self.columns) + 1)), index=nz_row,
                       values=rows[nz_row, nz_col])
        self._h = new_highs()
        self._h.setOptionValue("solver", "simplex")
        self._h.setOptionValue("presolve", "off")  # presolve would throw the warm basis away
        self._h.passModel(lp)
        self._free = np.zeros(rows.shape[0] - 1, dtype=bool)

    def vertex(self, frac: np.ndarray, active: np.ndarray) -> np.ndarray:
        """The next vertex, with the rows of persons no longer ``active`` freed."""
        newly = np.flatnonzero(~active & ~self._free)
        if len(newly):
            self._h.changeRowsBounds(len(newly), (newly + 1).astype(np.int32), np.full(len(newly), -INF),
                                     np.full(len(newly), INF))
            self._free[newly] = True
        run_robust(self._h, "lottery rounding")
        out = frac.copy()
        out[self.columns] = np.clip(np.asarray(self._h.getSolution().col_value), 0.0, 1.0)
        out = _snap(out)
        done = np.flatnonzero((out[self.columns] == 0.0) | (out[self.columns] == 1.0))
        if len(done):
            values = out[self.columns[done]]
            self._h.changeColsBounds(len(done), done.astype(np.int32), values, values)
        return out


def _snap(x: np.ndarray) -> np.ndarray:
    x = x.copy()
    x[x < INTEGRAL_TOLERANCE] = 0.0
    x[x > 1 - INTEGRAL_TOLERANCE] = 1.0
    return x


def round_counts(weights: np.ndarray, members: np.ndarray, m: int) -> np.ndarray:
    """Integer counts ``c_j`` (``floor`` or ``ceil`` of ``m * weights[j]``, summing to ``m``).

    Args:
        weights: panel probabilities (sum 1).
        members: (rows, panels), person i's share of panel j (1 or 0 for people; ``count / size`` for
            types); only its pattern of nonzeros decides which rows are dropped.
        m: number of lottery panels.
    """
    scaled = m * np.asarray(weights, dtype=float)
    base = np.floor(scaled + INTEGRAL_TOLERANCE)
    frac = _snap(np.clip(scaled - base, 0.0, 1.0))
    active = (members != 0).any(axis=1)
    walk = _VertexWalk(frac, members) if ((frac > 0) & (frac < 1)).any() else None
    while walk is not None and ((frac > 0) & (frac < 1)).any():
        before = int(((frac > 0) & (frac < 1)).sum())
        frac = walk.vertex(frac, active)
        floating = (frac > 0) & (frac < 1)
        if int(floating.sum()) < before:
            continue
        # no progress at this vertex: drop the active persons with the fewest fractional panels
        counts = (members[:, floating] != 0).sum(axis=1)
        counts[~active] = np.iinfo(np.int64).max
        counts[counts == 0] = np.iinfo(np.int64).max
        if counts.min() == np.iinfo(np.int64).max:
            # Every person's row is free: only the total binds. Snapping the other panels' tiny parts to 0
            # can leave one stuck just below 1 (0.99999988), so round the rest to the integral total.
            frac = _round_to_total(frac)
            break
        active &= counts != counts.min()
    counts_out = _polish((base + frac).astype(np.int64), members, scaled)
    if counts_out.sum() != m:
        raise SolverError(f"lottery rounding produced {counts_out.sum()} panels instead of {m}; report this.")
    return counts_out


def _round_to_total(frac: np.ndarray) -> np.ndarray:
    """Round the floating parts to 0 or 1, the largest up, so that their sum is the (integral) total."""
    floating = np.flatnonzero((frac > 0) & (frac < 1))
    up = round(float(frac.sum())) - int((frac == 1.0).sum())
    order = floating[np.argsort(-frac[floating], kind="stable")]
    out = frac.copy()
    out[floating] = 0.0
    out[order[:max(0, min(up, len(order)))]] = 1.0
    return out


def _polish(counts: np.ndarray, members: np.ndarray, scaled: np.ndarray) -> np.ndarray:
    """Move single copies from one panel to another while that evens out the deviations.

    The walk's guarantee is for the worst case; on pools with many types its largest deviation is often
    several copies (measured: docs/performance.md). Each move takes one copy from a panel and gives it to
    another (still ``m`` panels, each one of the distribution's), chosen to lower the sum of the deviations to
    the power :data:`POLISH_POWER` (a smooth stand-in for the largest) without raising the largest
    deviation, so the bound still holds. A fixed number of moves keeps the result reproducible.
    """
    shares = np.asarray(members, dtype=float)
    target = shares @ scaled
    counts = counts.copy()
    dev = shares @ counts - target
    for _ in range(POLISH_MOVES):
        move = _best_move(shares, counts, dev)
        if move is None:
            break
        a, b = move
        counts[a] -= 1
        counts[b] += 1
        dev += shares[:, b] - shares[:, a]
    return counts


def _best_move(shares: np.ndarray, counts: np.ndarray, dev: np.ndarray) -> tuple[int, int] | None:
    """The move (one copy from panel a to panel b) that lowers the power sum most, keeping the largest.

    Rows a panel does not hold add exactly 0 to the sums below, so they need no masking."""
    worst = float(np.abs(dev).max(initial=0.0))
    if worst < INTEGRAL_TOLERANCE:
        return None
    power = POLISH_POWER
    base = dev ** power
    # gain_b: the change from adding a copy of b, on b's own rows
    gain = ((dev[:, None] + shares) ** power - base[:, None]).sum(axis=0)
    relief = shares.T @ dev  # taking a copy of a helps the rows it over-serves
    sources = np.flatnonzero(counts > 0)
    sources = sources[np.argsort(-relief[sources], kind="stable")][:POLISH_SOURCES]
    best: tuple[float, int, int] | None = None
    for a in sources.tolist():
        rows = np.flatnonzero(shares[:, a])
        moved = dev[rows, None] - shares[rows, a, None] + shares[rows]  # a's rows after the move, for each b
        on_rows = (moved ** power).sum(axis=0) - base[rows].sum()
        both = ((dev[rows, None] + shares[rows]) ** power - base[rows, None]).sum(axis=0)  # counted in gain too
        change = on_rows + gain - both
        change[a] = np.inf
        for b in np.argsort(change, kind="stable")[:3].tolist():
            if change[b] >= -1e-9 * max(float(base.sum()), 1.0) or (best is not None and change[b] >= best[0]):
                break
            after = dev + shares[:, b] - shares[:, a]
            if float(np.abs(after).max()) <= worst + 1e-12:
                best = (float(change[b]), a, b)
                break
    return None if best is None else (best[1], best[2])


def _symmetric(dist: Distribution, types: TypePartition) -> bool:
    """True when everyone of a type has the same probability under ``dist`` (as LEXIMIN guarantees)."""
    probs = dist.probabilities
    return bool(np.all(np.abs(probs - probs[[m[0] for m in types.members]][types.type_of]) <= TYPE_TOLERANCE))


def _round_by_type(problem: PanelProblem, dist: Distribution, m: int, types: TypePartition) -> Lottery:
    """Round over type counts, then hand out each type's seats round-robin over its members.

    Panels with the same count per type are merged first (a LEXIMIN distribution holds thousands of
    rotations of a few count vectors), the counts are rounded as in :func:`round_counts` with a type's
    share ``count / size`` as its coefficient, and then each type's members take its seats in the lottery
    panels in turn (consecutive members on a circle), so their counts differ by at most one. That adds
    less than ``1/m`` to the rounding error: the bound is ``(k + 1) / m``.
    """
    merged: dict[bytes, float] = {}
    vectors: dict[bytes, np.ndarray] = {}
    for panel, w in zip(dist.panels, dist.weights, strict=True):
        counts = types.counts(np.asarray(panel, dtype=np.int64))
        key = counts.tobytes()
        vectors[key] = counts
        merged[key] = merged.get(key, 0.0) + w
    keys = sorted(merged, key=lambda kk: tuple(vectors[kk].tolist()))
    count_matrix = np.column_stack([vectors[kk] for kk in keys])  # types x merged panels
    weights = np.array([merged[kk] for kk in keys])
    scaled = m * weights
    exact = bool(np.all(np.abs(scaled - np.round(scaled)) < INTEGRAL_TOLERANCE))
    shares = count_matrix / types.sizes[:, None]
    lottery_counts = np.round(scaled).astype(np.int64) if exact else round_counts(weights, shares, m)
    cursor = np.zeros(types.count, dtype=np.int64)
    panels: list[tuple[int, ...]] = []
    for j in np.flatnonzero(lottery_counts):
        for _ in range(int(lottery_counts[j])):
            seats: list[int] = []
            for t in np.flatnonzero(count_matrix[:, j]):
                members, c = types.members[t], int(count_matrix[t, j])
                seats.extend(members[(cursor[t] + np.arange(c)) % len(members)].tolist())
                cursor[t] = (cursor[t] + c) % len(members)
            panels.append(tuple(sorted(seats)))
    panels.sort()
    probabilities = np.zeros(problem.n)
    for panel in panels:
        probabilities[list(panel)] += 1
    probabilities /= m
    deviation = float(np.abs(probabilities - dist.probabilities).max(initial=0.0))
    return Lottery(tuple(panels), probabilities, deviation, (problem.k + 1) / m)


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
    types = TypePartition.of(problem)
    if types.count < problem.n and _symmetric(dist, types):
        return _round_by_type(problem, dist, m, types)
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
