"""LEXIMIN in one go, when the LP relaxation of the panel model is tight: its LEXIMIN point, split into panels.

The LEXIMIN vector over the relaxation ``R`` (:class:`~sortition.algorithms.relaxed.StageRelaxation`: every
stage one LP over types) is an upper bound, in the LEXIMIN order, on the LEXIMIN vector over distributions of
panels, because every distribution's probability vector lies in ``R``. When that point is *also* a convex
combination of panels, it is the LEXIMIN distribution, exactly: nothing else is left to prove. On every
realistic pool of ``benchmarks/synthetic.py`` it was (the stage levels of column generation matched it
within 2e-5).

Splitting the point ``x`` into panels (Caratheodory, the face walk). Every panel of any split lies in the
smallest face ``F`` of ``R`` that holds ``x`` (the bounds and rows ``x`` meets with equality, met with equality
by the panel too). So: find a panel ``v`` in ``F`` (a small MIP over type counts; the heaviest for the
point's own probabilities, which makes longer steps: on realistic 321/30 the walk then ended in 91 steps
where a panel without objective left 29% of the weight after 100), and move ``x`` away from ``v`` as far as
``R`` allows, ``x' = (x - l v) / (1 - l)``; ``v`` gets weight ``l`` of what is left. ``x'`` meets one more
row or bound with equality, so its face is smaller; after at most one step per type the split is complete.
Where ``R`` is not the convex hull of the panels near ``x``, a step can go too far (``x'`` is in ``R`` but no
longer a combination of panels) and the next face has no panel; the rest is then found by column generation
(:func:`_complete`), pricing panels of the first face ``F`` only, until the panels found reach ``x`` or
pricing proves they cannot.

Neither step proves anything by itself: the split is used only when the panels reach the point (the walk
left at most ``ACCEPT_LEFT`` of the weight, or column generation's shortfall is below ``SHORTFALL``); the
caller then fixes every type at the lower of its value and what the panels give it. Otherwise the caller
falls back to stage-by-stage column generation, which starts from the panels found here.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from quotas import lp
from sortition.algorithms.colgen import Deadline, PanelSet
from sortition.algorithms.relaxed import StageRelaxation

#: A row or bound counts as met with equality within this (in type counts).
FACE_TOLERANCE = 1e-9
#: Column generation ends when the panels' total shortfall (in type counts) is below this.
SHORTFALL = 1e-7
#: A priced panel must improve the split by more than this (its reduced cost).
REDUCED_COST = 1e-9
#: The walk stops, complete, once at most this share of the weight is left: the weights found, scaled up to
#: 1, then give every type its probability within this (50 times less than the stages' tolerance). The
#: last steps are tiny and each is a MIP: closing the last 5e-7 on realistic 321/30 took 78 more MIPs, and
#: on the n=1727 pool the last 1.5e-4 took 80 of the walk's 178 steps (with HiGHS, at about a second each).
ACCEPT_LEFT = 1e-5
#: The walk's panel need only be near the point, not the nearest: within this relative gap.
WALK_GAP = 1e-2
#: Pricing after the walk asks for the heaviest panel within this relative gap.
PRICING_GAP = 1e-6
#: Face MIP costs are scaled to integers up to this (CP-SAT's objective is integer): at most 5e-10 of the
#: largest cost lost per member, far below the gaps asked for.
COST_SCALE = 1_000_000_000
#: At most this many swaps to mend a panel into the next face (:meth:`FacePanels.repair`).
MAX_REPAIRS = 50
#: At most this many rounds of column generation after the walk (each an exact face MIP: past this, the
#: stages do better from the panels found).
MAX_ROUNDS = 200


class FacePanels:
    """Panels (integer type counts) in a face of ``R``: one CP-SAT model over type counts, built once; each
    call changes only the bounds and the objective.

    CP-SAT without its presolve (one worker, so the same answer every run): on the walk's MIPs of realistic
    321/30 it took 3.0 s where HiGHS took 6.6-8.3 s, and 3-4 s on the first 40 of n=1727 where HiGHS took
    17-24 s (HiGHS spends its time on cuts and sub-MIPs before its first good panel; with presolve, CP-SAT
    took 10-11 s there).
    """

    def __init__(self, relaxation: StageRelaxation) -> None:
        from ortools.sat.python import cp_model

        counts = relaxation.count_rows.tocsr()
        self.rows, self.lo, self.hi = counts, relaxation.row_lower, relaxation.row_upper
        self.sizes = relaxation.sizes.astype(float)
        self.count = len(self.sizes)
        self._cp = cp_model
        model = cp_model.CpModel()
        self._x = [model.new_int_var(0, int(size), f"t{t}") for t, size in enumerate(relaxation.sizes)]
        #: The rows that count some type, one constraint each (in this order); an empty row binds no panel.
        self._kept = np.flatnonzero(np.diff(counts.indptr) > 0)
        for r in self._kept:
            members = counts.indices[counts.indptr[r]:counts.indptr[r + 1]]
            model.add_linear_constraint(cp_model.LinearExpr.sum([self._x[t] for t in members]),
                                        int(np.rint(self.lo[r])), int(np.rint(self.hi[r])))
        # the objective holds every type (coefficients are replaced in place; CP-SAT stores a maximisation
        # negated)
        model.maximize(cp_model.LinearExpr.weighted_sum(self._x, [1] * self.count))
        self._model = model
        #: The bounds now in the model (columns, then kept rows): only those that change are written.
        self._bounds = np.r_[np.zeros(self.count), relaxation.sizes, self.lo[self._kept], self.hi[self._kept]]
        self.dense = counts.toarray()
        self.calls = 0
        self.repairs = 0
        self.seconds = 0.0

    def face(self, x: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, ...]:
        """Bounds of the smallest face of ``R`` (scaled: counts up to ``upper``) that holds ``x``: column lower
        and upper bounds, row lower and upper bounds."""
        ax = self.rows @ x
        col_lower = np.where(x >= upper - FACE_TOLERANCE, upper, 0.0)
        col_upper = np.where(x <= FACE_TOLERANCE, 0.0, upper)
        row_lower = np.where(ax >= self.hi - FACE_TOLERANCE, self.hi, self.lo)
        row_upper = np.where(ax <= self.lo + FACE_TOLERANCE, self.lo, self.hi)
        return col_lower, col_upper, row_lower, row_upper

    def repair(self, panel: np.ndarray, face: tuple[np.ndarray, ...]) -> np.ndarray | None:
        """A panel in ``face`` made from ``panel`` (a panel of a larger face) by swaps of one member for another,
        each one bringing it closer to the face and breaking no row or bound it meets; None when no swap helps.

        After a step of the walk the panel just used breaks the row or bound that became tight. A swap mends
        it on only 10-30% of the walk's steps (the new equality usually needs two), but it costs well under a
        millisecond where the MIP takes tens.
        """
        col_lower, col_upper, row_lower, row_upper = face
        rows = self.dense
        counts = panel.astype(float).copy()
        for _ in range(MAX_REPAIRS):
            values = rows @ counts
            high, low = values > row_upper + 0.5, values < row_lower - 0.5
            over, under = counts > col_upper + 0.5, counts < col_lower - 0.5
            if not (high.any() or low.any() or over.any() or under.any()):
                return counts
            # who may leave (stays at or above its lower bound, or is above its upper one) and who may come in
            leave = np.flatnonzero((counts - 1 >= col_lower - 0.5) | over)
            come = np.flatnonzero((counts + 1 <= col_upper + 0.5) | under)
            helps_leave = over[leave] | (rows[high][:, leave].any(axis=0))
            helps_come = under[come] | (rows[low][:, come].any(axis=0))
            if helps_leave.any():
                leave = leave[helps_leave]
            if helps_come.any():
                come = come[helps_come]
            if not len(leave) or not len(come):
                return None
            full, empty = values >= row_upper - 0.5, values <= row_lower + 0.5
            out_rows, in_rows = rows[:, leave], rows[:, come]
            # a swap may not push a full row up or an empty row down
            bad = ((1 - out_rows[full]).T @ in_rows[full]) + (out_rows[empty].T @ (1 - in_rows[empty]))
            gain = ((out_rows[high].T @ (1 - in_rows[high])) + ((1 - out_rows[low]).T @ in_rows[low])
                    + over[leave][:, None] + under[come][None, :])
            gain = np.where((bad > 0) | (leave[:, None] == come[None, :]), -1, gain)
            a, b = divmod(int(np.argmax(gain)), len(come))
            if gain[a, b] <= 0:
                return None
            counts[leave[a]] -= 1
            counts[come[b]] += 1
        return None

    def find(self, face: tuple[np.ndarray, ...], cost: np.ndarray | None = None, gap: float = PRICING_GAP,
             deadline: Deadline | None = None) -> np.ndarray | None:
        """A panel in ``face`` (within the relative ``gap`` of the heaviest for ``cost``, when given), or None
        when the face holds none or the ``deadline`` passed first."""
        cp, model = self._cp, self._model
        proto = model.proto
        col_lower, col_upper, row_lower, row_upper = face
        kept, count = self._kept, self.count
        bounds = np.rint(np.r_[col_lower, col_upper, row_lower[kept], row_upper[kept]])
        for i in np.flatnonzero(bounds != self._bounds).tolist():
            side, index = divmod(i, count) if i < 2 * count else divmod(i - 2 * count, len(kept))
            domain = proto.variables[index].domain if i < 2 * count else proto.constraints[index].linear.domain
            domain[side] = int(bounds[i])
        self._bounds = bounds
        weights = np.zeros(count) if cost is None else np.asarray(cost, dtype=float)
        top = float(np.max(np.abs(weights))) if count else 0.0
        scaled = np.rint(weights * (COST_SCALE / top)).astype(np.int64) if top > 0 else np.zeros(count, np.int64)
        coefficients = proto.objective.coeffs
        coefficients.clear()
        coefficients.extend((-scaled).tolist())
        solver = cp.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.cp_model_presolve = False
        solver.parameters.relative_gap_limit = gap
        if deadline is not None and deadline.seconds is not None:
            solver.parameters.max_time_in_seconds = max(deadline.seconds - deadline.elapsed(), 0.01)
        start = time.perf_counter()
        status = solver.solve(model)
        self.seconds += time.perf_counter() - start
        self.calls += 1
        if status not in (cp.OPTIMAL, cp.FEASIBLE):
            return None
        return np.asarray(solver.response_proto.solution, dtype=float)


def _step(finder: FacePanels, rest: np.ndarray, mass: float, panel: np.ndarray) -> float:
    """The largest weight ``l`` that ``panel`` can take from ``rest`` (counts, total weight ``mass``) so that
    ``(rest - l panel) / (mass - l)`` stays in ``R``."""
    step = mass
    sizes = finder.sizes
    a_rest, a_panel = finder.rows @ rest, finder.rows @ panel
    for have, take, bound, upper in ((rest, panel, sizes, True), (a_rest, a_panel, finder.hi, True),
                                     (rest, panel, np.zeros_like(sizes), False), (a_rest, a_panel, finder.lo, False)):
        room = (bound - take) if upper else (take - bound)
        slack = (bound * mass - have) if upper else (have - bound * mass)
        moving = room > 1e-12
        if moving.any():
            step = min(step, float(np.min(slack[moving] / room[moving])))
    return max(step, 0.0)


def walk(finder: FacePanels, target: np.ndarray, deadline: Deadline, report: Callable[[float, int], None]
         ) -> tuple[list[np.ndarray], list[float], float]:
    """Split ``target`` (expected type counts) into panels by the face walk (see the module docstring).

    ``report(weight split, panels)`` is called after every step.

    Returns:
        The panels (type counts), their weights, and the weight left unsplit (0 when the walk completed).
    """
    rest, mass = target.astype(float).copy(), 1.0
    panels: list[np.ndarray] = []
    weights: list[float] = []
    panel: np.ndarray | None = None
    while mass > ACCEPT_LEFT and not deadline.passed():
        face = finder.face(rest / mass, finder.sizes)
        panel = None if panel is None else finder.repair(panel, face)
        if panel is not None:
            finder.repairs += 1
        else:
            panel = finder.find(face, rest / mass / finder.sizes, WALK_GAP, deadline)  # near the point: longer steps
        if panel is None:
            break
        step = _step(finder, rest, mass, panel)
        if step <= 1e-15:
            break
        panels.append(panel)
        weights.append(step)
        rest -= step * panel
        mass -= step
        report(1.0 - mass, len(panels))
    return panels, weights, max(mass, 0.0)


def _complete(finder: FacePanels, target: np.ndarray, panels: list[np.ndarray], deadline: Deadline
              ) -> np.ndarray | None:
    """Weights on ``panels`` (extended in place by column generation) whose expected counts reach ``target``,
    or None when pricing proves they cannot (or time runs out).

    LP: minimise the total shortfall ``sum_t e_t`` s.t. ``sum_j w_j c_jt + e_t >= target_t``, ``sum_j w_j = 1``.
    Pricing: the panel of the target's face heaviest for the row duals.
    """
    import highspy

    count = finder.count
    face = finder.face(target, finder.sizes)
    h = lp.new_highs()
    h.addRows(count, target, np.full(count, lp.INF), 0, np.array([0], np.int32), np.zeros(0, np.int32),
              np.zeros(0))
    h.addRow(1.0, 1.0, 0, np.zeros(0, np.int32), np.zeros(0))
    for t in range(count):
        h.addCol(1.0, 0.0, lp.INF, 1, np.array([t], np.int32), np.array([1.0]))
    seen: set[bytes] = set()

    def add(panel: np.ndarray) -> bool:
        key = panel.astype(np.int64).tobytes()
        if key in seen:
            return False
        seen.add(key)
        support = np.flatnonzero(panel)
        h.addCol(0.0, 0.0, lp.INF, len(support) + 1, np.r_[support, count].astype(np.int32),
                 np.r_[panel[support], 1.0])
        return True

    for panel in panels:
        add(panel)
    for _ in range(MAX_ROUNDS):
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        shortfall = float(h.getInfo().objective_function_value)
        if shortfall <= SHORTFALL:
            return np.asarray(h.getSolution().col_value, dtype=float)[count:]
        if deadline.passed():
            return None
        duals = np.asarray(h.getSolution().row_dual, dtype=float)
        y, mu = duals[:count], -duals[count]
        priced = finder.find(face, y, deadline=deadline)
        if priced is None or float(y @ priced) - mu <= REDUCED_COST or not add(priced):
            return None
        panels.append(priced)
    return None


def split(relaxation: StageRelaxation, panels: PanelSet, target: np.ndarray, deadline: Deadline,
          stats: dict[str, float], report: Callable[[float, int], None] = lambda share, count: None
          ) -> np.ndarray | None:
    """Weights over ``panels`` (the panels found are added to it) whose probabilities reach ``target`` (per
    type) within ``SHORTFALL``, or None.

    The face walk first; column generation over the target's face for whatever it leaves.
    """
    finder = FacePanels(relaxation)
    counts_target = target * finder.sizes
    start = time.perf_counter()
    found, weights, left = walk(finder, counts_target, deadline, report)
    stats["walk_panels"] = len(found)
    stats["walk_mass_left"] = left
    chosen: np.ndarray | None
    if left <= ACCEPT_LEFT:
        chosen = np.asarray(weights, dtype=float)
    else:
        chosen = _complete(finder, counts_target, found, deadline)
    stats["face_mips"] = finder.calls
    stats["face_repairs"] = finder.repairs
    stats["face_mip_seconds"] = finder.seconds
    stats["split_seconds"] = time.perf_counter() - start
    if chosen is None:
        for panel in found:  # still useful to the stage-by-stage fallback
            panels.add_counts(panel.astype(np.int64))
        return None
    weights_by_panel: dict[int, float] = {}
    for panel, w in zip(found, chosen.tolist(), strict=True):
        panels.add_counts(panel.astype(np.int64))
        index = panels.index_of(panel.astype(np.int64))
        weights_by_panel[index] = weights_by_panel.get(index, 0.0) + max(w, 0.0)
    out = np.zeros(len(panels))
    for index, w in weights_by_panel.items():
        out[index] = w
    return out / out.sum()


def leximin_in_one_go(relaxation: StageRelaxation, panels: PanelSet, active: np.ndarray, deadline: Deadline,
                      stats: dict[str, float], report: Callable[[float, str], None] = lambda share, message: None
                      ) -> tuple[np.ndarray, list[float], np.ndarray] | None:
    """The relaxation's LEXIMIN point (per type), its stage levels and weights over ``panels`` that reach it;
    None when the panels do not reach it or time ran out (the panels found stay in ``panels``).

    ``report(share, message)`` hears of the progress (share of the weight split so far).
    """
    start = time.perf_counter()
    report(0.0, "the LEXIMIN point of the LP relaxation")
    point = relaxation.leximin_point(active, deadline.passed)
    stats["relaxation_seconds"] = stats.get("relaxation_seconds", 0.0) + time.perf_counter() - start
    if point is None:
        return None
    values, levels = point
    weights = split(relaxation, panels, values, deadline, stats, lambda share, count: report(
        share, f"splitting it into panels: {count} panels, lowest probability {levels[0]:.4f}"))
    return None if weights is None else (values, levels, weights)
