"""Column generation shared by the fair algorithms (LEXIMIN, maximin, Nash): the panels found, the first
panels, and the LPs over them.

The *master* problems are small linear programs over the panels found so far (:class:`PanelSet`, from
:func:`starting_panels` on); new panels come from the pricing oracle
(:class:`~sortition.algorithms.base.PanelOracle`). The master works over *types* of interchangeable people
(:mod:`sortition.algorithms.symmetry`): a panel is a count per type, and a type's share of a panel is
``count / size``. The LPs are built and solved through :mod:`quotas.lp` (the one seam to HiGHS).

Why interior point without crossover for the LEXIMIN stage LPs: an interior-point method stops near the
*analytic centre* of the optimal face, which is strictly complementary. So every type whose probability
is forced down to the current level gets a clearly positive dual value, and a whole group can be fixed per
stage instead of one (a simplex vertex puts dual weight on as few people as possible). Crossover would move
the answer back to a vertex and cost time, so it is off. Our own dense method (:mod:`interior`) does these
solves up to ``DENSE_ROWS`` type rows: HiGHS's interior point (IPX) solves its linear systems iteratively,
which is many times slower on these dense stage LPs; HiGHS remains the fallback. Within a stage, small LPs
are re-solved warm with primal simplex (:class:`StageLP`: a warm re-solve costs a fraction of a fresh
interior-point solve); after a round that added hundreds of panels at once (Frank-Wolfe pricing), and in
every round of a stage over more than a thousand types (up to ``DENSE_ROWS``), interior point instead. On
small degenerate LPs HiGHS's interior-point method can stop without a verdict; :func:`quotas.lp.run_robust`
then re-solves with simplex. The final primal LP must give a vertex: few panels with positive weight, which
keeps the distribution and its rounding small (dual simplex, or interior point with crossover over
thousands of panels). Measured: docs/performance.md.
OR-tools PDLP was not chosen: first-order accuracy (~1e-4 to 1e-6) is too coarse against a stopping
tolerance of 5e-4, and on these sizes (a few hundred rows, a few thousand columns) HiGHS IPM is fast.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from quotas.errors import SolverError
from quotas.localsearch import COVER_STARTS, SwapSearch, swap_onto
from quotas.lp import INF, new_highs, run_robust, sparse_lp
from sortition.algorithms import interior
from sortition.algorithms.base import WEIGHT_EPSILON, PanelOracle
from sortition.algorithms.symmetry import TypePartition

#: Upper bound on a fixed type's dual weight (in the dense interior point's form: on their sum, see
#: interior.solve_stage): the primal may then miss a fixed value by float noise (at this
#: price per unit) instead of the dual LP becoming unbounded; the final primal LP reports any shortfall.
FIXED_DUAL_CAP = 1e4
#: A stage LP with more new columns than this since its last solve is re-solved by interior point.
IPM_NEW_COLUMNS = 200
#: Stage LPs with at most this many type rows are solved by our dense interior point (interior.py), larger
#: ones by HiGHS: the dense normal equations grow with the rows squared (4,000 rows: 128 MB).
DENSE_ROWS = 4000
#: After a dense interior-point solve, a panel leaves the stage LP when its weight is at most
#: WEIGHT_EPSILON and its reduced cost above this (no optimal distribution of this LP uses it).
DROP_REDUCED_COST = 1e-6
#: The final primal LP over more panels than this is solved by interior point with crossover (a vertex still).
FINAL_IPM_COLUMNS = 2000
#: Multiplicative-weights factor for people already on a starting panel.
MW_DECAY = 0.8
#: The multiplicative-weights rounds of :func:`starting_panels` stop once this share of the time budget is used.
COVER_SHARE = 0.2
#: Solver calls still allowed for covering after the time budget is used (one usually proves that the people
#: left can be on no panel at all); after that, prepare stops with a clear message.
LATE_COVER_CALLS = 2


@dataclass
class PanelSet:
    """The panels found so far, as type counts (distinct, in order of discovery).

    Attributes:
        types: the partition the counts refer to.
        support: per panel, the types it holds (sorted).
        amount: per panel, how many of each of those types.
    """

    types: TypePartition
    support: list[np.ndarray] = field(default_factory=list)
    amount: list[np.ndarray] = field(default_factory=list)
    _seen: dict[bytes, int] = field(default_factory=dict)  # count vector -> panel index
    _flat_type: list[np.ndarray] = field(default_factory=list)
    _flat_share: list[np.ndarray] = field(default_factory=list)
    _flat_panel: list[np.ndarray] = field(default_factory=list)
    _flat_ends: list[int] = field(default_factory=list)

    def add(self, panel: np.ndarray) -> bool:
        """Add a panel given as person indices; False when its type counts were already there."""
        return self.add_counts(self.types.counts(panel))

    def add_counts(self, counts: np.ndarray) -> bool:
        """Add a panel given as a count per type; False when it was already there."""
        counts = np.asarray(counts, dtype=np.int64)
        key = counts.tobytes()
        if key in self._seen:
            return False
        self._seen[key] = len(self.support)
        support = np.flatnonzero(counts)
        self.support.append(support)
        self.amount.append(counts[support])
        return True

    def __len__(self) -> int:
        return len(self.support)

    def index_of(self, counts: np.ndarray) -> int:
        """The index of the panel with type counts ``counts`` (KeyError when it was never added)."""
        return self._seen[np.asarray(counts, dtype=np.int64).tobytes()]

    def shares(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Per panel: its types and each type's share ``count / size``."""
        sizes = self.types.sizes
        for support, amount in zip(self.support, self.amount, strict=True):
            yield support, amount / sizes[support]

    def dense_counts(self, j: int) -> np.ndarray:
        """The count vector of panel ``j``."""
        out = np.zeros(self.types.count, dtype=np.int64)
        out[self.support[j]] = self.amount[j]
        return out

    def representative(self, j: int) -> np.ndarray:
        """Panel ``j`` as sorted person indices (the first members of each type)."""
        members = self.types.members
        people = [members[t][:c] for t, c in zip(self.support[j].tolist(), self.amount[j].tolist(), strict=True)]
        return np.sort(np.concatenate(people)) if people else np.zeros(0, dtype=np.int64)

    def coverage(self) -> np.ndarray:
        """Boolean array (types,): which types are on at least one panel."""
        covered = np.zeros(self.types.count, dtype=bool)
        for support in self.support:
            covered[support] = True
        return covered

    def share_matrix(self, columns: Iterable[int] | None = None) -> np.ndarray:
        """Dense matrix (types, panels): the share of type t on panel j (of the panels ``columns``, or all)."""
        which = range(len(self)) if columns is None else list(columns)
        a = np.zeros((self.types.count, len(which)))
        sizes = self.types.sizes
        for k, j in enumerate(which):
            a[self.support[j], k] = self.amount[j] / sizes[self.support[j]]
        return a

    def type_probabilities(self, weights: np.ndarray) -> np.ndarray:
        """Each type's selection probability (per member) under weights of the first ``len(weights)`` panels."""
        if len(self._flat_ends) < len(self):  # flatten the panels added since the last call
            sizes = self.types.sizes
            new = range(len(self._flat_ends), len(self))
            self._flat_type.extend(self.support[j] for j in new)
            self._flat_share.extend(self.amount[j] / sizes[self.support[j]] for j in new)
            self._flat_panel.extend(np.full(len(self.support[j]), j) for j in new)
            end = self._flat_ends[-1] if self._flat_ends else 0
            for j in new:
                end += len(self.support[j])
                self._flat_ends.append(end)
            self._flat_type = [np.concatenate(self._flat_type)]
            self._flat_share = [np.concatenate(self._flat_share)]
            self._flat_panel = [np.concatenate(self._flat_panel)]
        m = len(weights)
        if m == 0:
            return np.zeros(self.types.count)
        end = self._flat_ends[m - 1]
        contrib = np.asarray(weights, dtype=float)[self._flat_panel[0][:end]] * self._flat_share[0][:end]
        return np.bincount(self._flat_type[0][:end], weights=contrib, minlength=self.types.count)


class Deadline:
    """A wall-clock budget; ``None`` means no limit."""

    def __init__(self, seconds: float | None) -> None:
        self.start = time.perf_counter()
        self.seconds = seconds

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def passed(self, share: float = 1.0) -> bool:
        """Whether ``share`` of the budget (all of it by default) is used up."""
        return self.seconds is not None and self.elapsed() >= share * self.seconds

    def passed_by(self, seconds: float) -> bool:
        """Whether the budget will be used up ``seconds`` from now."""
        return self.seconds is not None and self.elapsed() + seconds >= self.seconds


def starting_panels(oracle: PanelOracle, types: TypePartition, k: int, *, rounds: int | None = None,
                    deadline: Deadline | None = None, search: SwapSearch | None = None
                    ) -> tuple[PanelSet, np.ndarray]:
    """A diverse first set of panels, and which types can be on no panel at all.

    Multiplicative weights: each round asks for the heaviest panel and then shrinks the weights of its
    members, so later panels favour people not yet chosen (these rounds stop early once a fifth of the
    time budget is used). Afterwards, while some type is still uncovered, swaps from the panels found try
    to bring its people onto a panel (``search``; cheap), and otherwise the oracle is asked for the panel
    holding as many people of uncovered types as possible; when it holds none, no feasible panel holds
    any of them (the oracle is exact), so they are *impossible* (probability 0 under every algorithm).

    Returns:
        The panel set and a boolean array (types,) that is True for impossible types.

    Raises:
        SolverError: the time budget ran out before every person was on a panel or shown to be on none
            (without that, the fair lottery cannot even start).
    """
    n = types.type_of.shape[0]
    if rounds is None:
        rounds = int(min(max(types.count // max(k, 1), 4), 20))
    found = PanelSet(types)
    weights = np.ones(n)
    for _ in range(rounds):
        panel = oracle.find_panel(weights)
        found.add(panel)
        weights[panel] *= MW_DECAY
        weights /= weights.max()
        if deadline is not None and deadline.passed(COVER_SHARE):
            break
    impossible = np.zeros(types.count, dtype=bool)
    late_calls = 0
    while True:
        todo = ~found.coverage() & ~impossible
        if not todo.any():
            return found, impossible
        wanted = todo[types.type_of].astype(float)
        if search is not None and _cover_by_swaps(search, found, wanted):
            continue
        late_calls += deadline is not None and deadline.passed()
        if deadline is not None and late_calls > LATE_COVER_CALLS:
            left = int(types.sizes[todo].sum())
            raise SolverError(
                f"the time limit of {deadline.seconds:g} s ran out while looking for a panel for every "
                f"person: {left} of {n} are not on any panel found yet, so no fair lottery can be given. "
                "Allow more time with --time-limit (this pool needs more than that for the first step).")
        panel = oracle.find_panel(wanted)
        if not todo[types.type_of[panel]].any():
            impossible |= todo
        else:
            found.add(panel)


def _cover_by_swaps(search: SwapSearch, found: PanelSet, wanted: np.ndarray) -> bool:
    """Swap people with ``wanted > 0`` onto one of the latest panels; True when a new panel holds some."""
    latest = range(len(found) - 1, max(len(found) - 1 - COVER_STARTS, -1), -1)
    panel = swap_onto(search, (found.representative(j) for j in latest), wanted)
    return panel is not None and found.add(panel)


@dataclass(frozen=True)
class StageSolution:
    """Answer of one LEXIMIN-stage dual LP over the current panels (all per type)."""

    y: np.ndarray  # dual weight per type (0 for types outside the LP)
    y_hat: float  # the largest panel weight allowed (dual of "weights sum to 1")
    value: float  # LP value: the best minimum probability of the unfixed types with these panels
    panel_weights: np.ndarray  # primal: probability per panel (from the row duals)
    central: bool = False  # from an interior-point solve (strictly complementary duals, good for fixing)


def _panel_vectors(panels: PanelSet, position: np.ndarray, extra: tuple[int, float], *, extra_first: bool,
                   which: Iterable[int] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse vectors (starts, index, value) of the panels ``which`` (all by default): each type's share
    ``count / size`` at ``position[type]`` (types at -1 left out), plus one ``extra`` (index, value) entry,
    first or last so that the indices stay sorted. The rows of the stage dual and the columns of the stage
    and final primal LPs are all built here."""
    starts, index, values = [0], [np.zeros(0, dtype=np.int64)], [np.zeros(0)]
    sizes = panels.types.sizes
    extra_index, extra_value = np.array([extra[0]]), np.array([extra[1]])
    for j in range(len(panels)) if which is None else which:
        support, amount = panels.support[j], panels.amount[j]
        where = position[support]
        keep = where >= 0
        shares = amount[keep] / sizes[support[keep]]
        if extra_first:
            index += [extra_index, where[keep]]
            values += [extra_value, shares]
        else:
            index += [where[keep], extra_index]
            values += [shares, extra_value]
        starts.append(starts[-1] + int(keep.sum()) + 1)
    return np.asarray(starts), np.concatenate(index), np.concatenate(values)


def _stage_lp(panels: PanelSet, active: np.ndarray, fixed: np.ndarray, fixed_value: np.ndarray
              ) -> tuple[Any, np.ndarray]:
    """The stage dual as a HighsLp (row 0: the unfixed weights sum to 1; row j + 1: panel j), and col_of."""
    count = active.shape[0]
    people = np.flatnonzero(active)
    col_of = np.full(count, -1, dtype=np.int64)
    col_of[people] = np.arange(len(people))
    m = len(people)  # y columns 0..m-1, y_hat is column m
    unfixed_cols = col_of[np.flatnonzero(active & ~fixed)]
    starts, index, values = _panel_vectors(panels, col_of, (m, -1.0), extra_first=False)  # sum_t a_tj y_t - y_hat
    starts = np.concatenate([[0], starts + len(unfixed_cols)])
    index = np.concatenate([unfixed_cols, index])
    values = np.concatenate([np.ones(len(unfixed_cols)), values])

    fixed_people = np.flatnonzero(fixed & active)
    cost = np.zeros(m + 1)
    cost[col_of[fixed_people]] = -fixed_value[fixed_people]
    cost[m] = 1.0
    upper = np.full(m + 1, INF)
    upper[col_of[fixed_people]] = FIXED_DUAL_CAP  # float noise in fixed values must not make it unbounded
    lp = sparse_lp(cost=cost, col_lower=np.concatenate([np.zeros(m), [-INF]]), col_upper=upper,
                   row_lower=np.concatenate([[1.0], np.full(len(panels), -INF)]),
                   row_upper=np.concatenate([[1.0], np.zeros(len(panels))]),
                   starts=starts, index=index, values=values, rowwise=True)
    return lp, col_of


def _panel_distribution(raw: np.ndarray) -> np.ndarray:
    """Panel weights from an LP answer: float noise below zero cut off, scaled to sum to 1 (uniform if all 0)."""
    weights = np.maximum(np.asarray(raw, dtype=float), 0.0)
    total = weights.sum()
    return weights / total if total > 0 else np.full(len(weights), 1.0 / max(len(weights), 1))


def _read_stage(h: Any, col_of: np.ndarray) -> StageSolution:
    sol = h.getSolution()
    col = np.asarray(sol.col_value)
    m = col.shape[0] - 1
    y = np.zeros(col_of.shape[0])
    people = np.flatnonzero(col_of >= 0)
    y[people] = np.maximum(col[col_of[people]], 0.0)
    weights = _panel_distribution(-np.asarray(sol.row_dual)[1:])
    return StageSolution(y, float(col[m]), float(h.getInfo().objective_function_value), weights)


def solve_stage_dual(panels: PanelSet, active: np.ndarray, fixed: np.ndarray, fixed_value: np.ndarray, *,
                     time_limit: float | None = None) -> StageSolution:
    """Solve the dual of "maximise the minimum probability of the unfixed types" by interior point.

    Primal over the current panels (``a_tj`` = share of type t on panel j): max z s.t. p_t >= z for
    unfixed t, p_t >= fixed_value[t] for fixed t, weights sum to 1. Dual (solved here)::

        min  y_hat - sum_{t fixed} fixed_value[t] * y_t
        s.t. sum_t a_tj y_t <= y_hat     for every panel j
             sum_{t unfixed} y_t = 1,    y >= 0

    The interior-point answer is (nearly) strictly complementary, which is what fixing needs; for the
    many re-solves within a stage, :class:`StageLP` is much faster.

    Args:
        panels: the panels found so far.
        active: bool (types,), types in the LP (possible types).
        fixed: bool (types,), types whose probability is already fixed (subset of active).
        fixed_value: float (types,), the fixed probabilities.
        time_limit: seconds for the LP.
    """
    lp, col_of = _stage_lp(panels, active, fixed, fixed_value)
    h = new_highs(time_limit)
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "off")
    h.passModel(lp)
    run_robust(h, "LEXIMIN stage")
    return _read_stage(h, col_of)


class StageLP:
    """One stage's LP kept alive in HiGHS in *primal* form: new panels are columns, re-solved warm.

    Rows are the active types (plus "weights sum to 1"), columns the panels: the simplex basis has one
    row per type (a few hundred) however many panels there are, where the dual form had one per panel (late
    in a stage most of a warm re-solve of the dual form went into refactorising that basis, even for 2
    iterations; measured: docs/performance.md). Adding a column keeps the basis primal
    feasible, so primal simplex goes on from it. Primal::

        max z  s.t.  sum_j a_tj w_j - z >= 0              (unfixed t)
                     sum_j a_tj w_j + s_t >= fixed_value[t]  (fixed t; s_t costs FIXED_DUAL_CAP)
                     sum_j w_j = 1,  w, s >= 0

    Its row duals are the stage dual's ``y`` (see :func:`solve_stage_dual`). A simplex answer is a vertex,
    so it is used for pricing and for the stopping test, not for fixing; interior-point answers (``solve``
    with many new columns, :meth:`central`) are for both. The dense interior point (:mod:`interior`) solves
    the same LP with one shared slack for the fixed values instead of ``s_t``. ``columns`` restricts the
    first columns to some of the panels (a stage starts from the panels the last stage's distribution uses);
    panels found later are always added. ``stats`` counts ``interior_fallbacks`` (dense solves that failed,
    so that HiGHS solved instead).
    """

    def __init__(self, panels: PanelSet, active: np.ndarray, fixed: np.ndarray, fixed_value: np.ndarray,
                 columns: np.ndarray | None = None, stats: dict[str, float] | None = None) -> None:
        people = np.flatnonzero(active)
        self._row_of = np.full(active.shape[0], -1, dtype=np.int64)
        self._row_of[people] = np.arange(1, len(people) + 1)
        self._people = people
        unfixed = active & ~fixed
        self._unfixed = np.flatnonzero(unfixed)
        fixed_people = np.flatnonzero(fixed & active)
        self._fixed_people = fixed_people
        self._fixed_value = fixed_value[fixed_people]
        # columns: z, then s_t per fixed type, then the panels
        z_rows = self._row_of[np.flatnonzero(unfixed)]
        s_rows = self._row_of[fixed_people]
        first = [0, len(z_rows), *list(len(z_rows) + np.arange(1, len(s_rows) + 1))]
        index = [z_rows, s_rows]
        values = [np.full(len(z_rows), -1.0), np.ones(len(s_rows))]
        self._columns = list(range(len(panels))) if columns is None else sorted(int(j) for j in columns)
        p_starts, p_index, p_values = _panel_vectors(panels, self._row_of, (0, 1.0), extra_first=True,
                                                     which=self._columns)
        self._offset = 1 + len(s_rows)
        starts = np.concatenate([np.asarray(first, dtype=np.int64), first[-1] + p_starts[1:]])
        num_col = self._offset + len(self._columns)
        lower = np.zeros(len(people) + 1)
        lower[0] = 1.0
        lower[s_rows] = self._fixed_value
        upper = np.full(len(people) + 1, INF)
        upper[0] = 1.0
        cost = np.concatenate([[-1.0], np.full(len(s_rows), FIXED_DUAL_CAP), np.zeros(len(self._columns))])
        lp = sparse_lp(cost=cost, col_lower=np.concatenate([[-INF], np.zeros(num_col - 1)]),
                       col_upper=np.full(num_col, INF), row_lower=lower, row_upper=upper, starts=starts,
                       index=np.concatenate([*index, p_index]), values=np.concatenate([*values, p_values]))
        self._panels = panels
        self._stage = (active, fixed, fixed_value)
        self._stats = stats if stats is not None else {}  # counts "interior_fallbacks" (to HiGHS)
        self._cols = len(panels)
        self._new = len(self._columns)  # columns new to the solver (the first solve: all of them)
        self._warm = False  # whether the last solve left a simplex basis to start from
        self.pivots = 0  # simplex pivots of the last warm re-solve (0 after a cold or interior-point one)
        self._h = new_highs()
        self._h.setOptionValue("presolve", "off")  # presolve would throw the warm basis away
        self._h.passModel(lp)

    def include_all(self) -> bool:
        """Make every panel found a column from the next solve on; False when all of them already are.

        A stage that started from some of the panels must not end because the exact oracle's best panel is
        one it merely has not got as a column: the oracle is then asked again with all of them.
        """
        missing = np.setdiff1d(np.arange(self._cols), self._columns)
        if len(missing) == 0:
            return False
        self._add_columns(missing.tolist())
        return True

    def _add_columns(self, which: list[int]) -> None:
        starts, index, values = _panel_vectors(self._panels, self._row_of, (0, 1.0), extra_first=True,
                                               which=which)
        count = len(starts) - 1
        self._h.addCols(count, np.zeros(count), np.zeros(count), np.full(count, np.inf), len(index),
                        starts[:-1].astype(np.int32), index.astype(np.int32), values.astype(float))
        self._columns.extend(which)
        self._new += count

    def solve(self, *, interior_point: bool = False) -> StageSolution:
        """Add the panels found since the last solve as columns and re-solve.

        Warm primal simplex when few columns are new. With ``interior_point``, or after more than
        ``IPM_NEW_COLUMNS`` new columns (the first solve of a stage with many panels, a Frank-Wolfe round),
        interior point without crossover instead: warm simplex needs thousands of degenerate pivots for a few
        hundred new panels, and interior point (above all the dense one) is far faster then (measured:
        docs/performance.md). Its answer is central (``StageSolution.central``), so
        it also serves for fixing; its level is recomputed from its panel weights, since the interior-point
        objective can be off (see ``stages._central``). After a dense solve, the panels that no optimal
        distribution of this LP uses (weight 0, reduced cost above ``DROP_REDUCED_COST``) leave the LP, so
        that it stays near one column per type however many Frank-Wolfe rounds add.
        """
        h = self._h
        self._take_new_panels()
        central = interior_point or self._new > IPM_NEW_COLUMNS
        self._new = 0
        dense = self._try_dense() if central else None
        if dense is not None:
            return dense
        if central:
            h.setOptionValue("solver", "ipm")
            h.setOptionValue("run_crossover", "off")
        else:
            h.setOptionValue("solver", "simplex")
            # warm: primal, as the old basis is still primal feasible; cold: HiGHS's choice (dual)
            h.setOptionValue("simplex_strategy", 4 if self._warm else 0)
            h.setOptionValue("run_crossover", "on")
        run_robust(h, "LEXIMIN stage")
        self.pivots = int(h.getInfo().simplex_iteration_count) if self._warm and not central else 0
        self._warm = not central
        return self._read(central and h.getInfo().simplex_iteration_count == 0)

    def central(self) -> StageSolution:
        """The interior-point (central, strictly complementary) solution of this LP, which decides the fixing:
        by the dense method over the LP's columns, or (too many rows, or it fails) by HiGHS over every panel."""
        self._take_new_panels()
        dense = self._try_dense()
        return dense if dense is not None else solve_stage_dual(self._panels, *self._stage)

    def _take_new_panels(self) -> None:
        if len(self._panels) > self._cols:
            self._add_columns(list(range(self._cols, len(self._panels))))
            self._cols = len(self._panels)

    def _try_dense(self) -> StageSolution | None:
        """:meth:`_solve_dense`, or None when the LP has more than ``DENSE_ROWS`` rows or the method fails
        (counted in the stats): HiGHS then solves instead."""
        if len(self._people) > DENSE_ROWS:
            return None
        try:
            return self._solve_dense()
        except interior.InteriorPointFailed:
            self._stats["interior_fallbacks"] = self._stats.get("interior_fallbacks", 0) + 1
            return None

    def _solve_dense(self) -> StageSolution:
        """Solve by :func:`interior.solve_stage` (central), then drop the columns it shows to be useless."""
        shares = self._panels.share_matrix(self._columns)[self._people]
        unfixed = np.zeros(len(self._people), dtype=bool)
        unfixed[self._row_of[self._unfixed] - 1] = True
        fixed_value = np.zeros(len(self._people))
        fixed_value[self._row_of[self._fixed_people] - 1] = self._fixed_value
        answer = interior.solve_stage(shares, unfixed, fixed_value, FIXED_DUAL_CAP)
        self.pivots = 0  # (HiGHS keeps its last basis: dropped columns have weight 0, so are rarely in it)
        y = np.zeros(self._row_of.shape[0])
        y[self._people] = answer.y
        weights = np.zeros(len(self._panels))
        weights[self._columns] = answer.weights
        useless = (answer.weights <= WEIGHT_EPSILON) & (answer.reduced > DROP_REDUCED_COST)
        self._drop_columns(np.flatnonzero(useless))
        return self._solution(y, weights, 0.0, central=True)

    def _drop_columns(self, positions: np.ndarray) -> None:
        """Remove the LP's columns at ``positions`` (in ``self._columns``); ``include_all`` brings them back."""
        if len(positions) == 0:
            return
        self._h.deleteCols(len(positions), (self._offset + positions).astype(np.int32))
        keep = np.ones(len(self._columns), dtype=bool)
        keep[positions] = False
        self._columns = [j for j, kept in zip(self._columns, keep.tolist(), strict=True) if kept]

    def _read(self, central: bool) -> StageSolution:
        sol = self._h.getSolution()
        duals = np.abs(np.asarray(sol.row_dual))
        y = np.zeros(self._row_of.shape[0])
        y[self._people] = duals[1:]
        col = np.asarray(sol.col_value)
        weights = np.zeros(len(self._panels))
        weights[self._columns] = _panel_distribution(col[self._offset:])
        return self._solution(y, weights, float(col[0]), central=central)

    def _solution(self, y: np.ndarray, weights: np.ndarray, value: float, *, central: bool) -> StageSolution:
        if central:  # the level the weights reach (the interior-point objective can be off, see stages._central)
            probs = self._panels.type_probabilities(weights)
            value = float(probs[self._unfixed].min()) if len(self._unfixed) else value
        y_hat = value + float(self._fixed_value @ y[self._fixed_people])
        return StageSolution(y, y_hat, value, weights, central)


def solve_final_primal(panels: PanelSet, targets: np.ndarray, *, time_limit: float | None = None,
                       columns: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Panel probabilities that give every type at least ``targets[t]`` (as nearly as possible).

    Solves ``min s`` s.t. ``p_t + s >= targets[t]``, weights sum to 1, so that the answer is a vertex (few
    panels with positive weight): by dual simplex, or with more than ``FINAL_IPM_COLUMNS`` panels by interior
    point with crossover (over thousands of panels dual simplex takes many minutes; measured:
    docs/performance.md). ``columns`` restricts it to some of the panels (LEXIMIN: those its last stage used).

    Returns:
        The weight of each panel and the largest shortfall ``s`` (0 when every target is met).
    """
    which = np.arange(len(panels)) if columns is None else np.asarray(columns, dtype=np.int64)
    rows_needed = np.flatnonzero(targets > 0)
    row_of = np.full(targets.shape[0], -1, dtype=np.int64)
    row_of[rows_needed] = np.arange(1, len(rows_needed) + 1)  # row 0: weights sum to 1
    p_starts, p_index, p_values = _panel_vectors(panels, row_of, (0, 1.0), extra_first=True,
                                                 which=which.tolist())
    starts = np.concatenate([p_starts, [p_starts[-1] + len(rows_needed)]])
    index = [p_index, np.arange(1, len(rows_needed) + 1)]  # then the shortfall column s
    values = [p_values, np.ones(len(rows_needed))]

    lp = sparse_lp(cost=np.concatenate([np.zeros(len(which)), [1.0]]), col_lower=np.zeros(len(which) + 1),
                   col_upper=np.full(len(which) + 1, INF), row_lower=np.concatenate([[1.0], targets[rows_needed]]),
                   row_upper=np.concatenate([[1.0], np.full(len(rows_needed), INF)]),
                   starts=starts, index=np.concatenate(index), values=np.concatenate(values))
    h = new_highs(time_limit)
    many = len(which) > FINAL_IPM_COLUMNS
    h.setOptionValue("solver", "ipm" if many else "simplex")
    h.setOptionValue("run_crossover", "on")
    h.passModel(lp)
    run_robust(h, "final distribution")
    col = np.asarray(h.getSolution().col_value)
    weights = np.zeros(len(panels))
    weights[which] = _panel_distribution(col[: len(which)])
    return weights, float(col[-1])
