"""The feasibility model and the pricing oracle: "the feasible panel of largest total weight".

A panel is a set of exactly ``k`` people that meets every value's min/max and, when the household rule is
on, holds at most one person per household. :class:`PanelModel` builds that 0/1 model once per problem and
then re-solves it with new objective coefficients only; LEXIMIN calls :meth:`PanelModel.find_panel`
thousands of times.

Three backends answer the same model behind one seam (:class:`Backend`) and agree on the optimum in the
tests: HiGHS MIP, OR-tools CP-SAT and SCIP (through OR-tools' pywraplp). SCIP is the production default
(``DEFAULT_BACKEND``): it was fastest per ``find_panel`` call and in whole LEXIMIN runs on the shared
instances; HiGHS scales far better on very large pools, so it takes over above ``LARGE_POOL`` people.
CP-SAT was slowest. The HiGHS model is built through :mod:`quotas.lp`. Measured
(``python benchmarks/solvers.py``): docs/performance.md.

Example:
    >>> model = PanelModel(problem)                      # doctest: +SKIP
    >>> panel = model.find_panel(np.random.rand(problem.n))  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import numpy as np

from quotas import lp
from quotas.errors import InfeasibleError, SolverError
from quotas.lp import SolveStatus
from quotas.model import PanelProblem, all_rows
from quotas.relaxations import relaxations_for

logger = logging.getLogger(__name__)

#: Tolerance for every float comparison on weights, objective values and 0/1 solution values.
TOLERANCE = 1e-6
#: Relative MIP gap at which a solve counts as optimal (HiGHS defaults to 1e-4, too loose for pricing).
MIP_REL_GAP = 1e-7
#: Added to an LP relaxation's optimum so that the simplex's own tolerances never make it less than an upper
#: bound.
RELAXATION_MARGIN = 1e-7
#: CP-SAT needs integer objective coefficients: weights are scaled so the largest becomes this.
CPSAT_WEIGHT_SCALE = 1_000_000


class Backend(StrEnum):
    """Which MIP/CP solver answers the model."""

    HIGHS = "highs"
    CPSAT = "cpsat"
    SCIP = "scip"


#: The backend :class:`PanelModel` uses for pools up to ``LARGE_POOL`` people (chosen by measurement, above).
DEFAULT_BACKEND = Backend.SCIP
#: Above this many people SCIP scales badly and HiGHS does not (one feasibility solve on the paper-shaped
#: synthetic pool at n=5,000 and n=20,000; measured: docs/performance.md).
LARGE_POOL = 2500


def default_backend(problem: PanelProblem) -> Backend:
    """SCIP for ordinary pools (fastest per pricing call), HiGHS for very large ones (scales far better)."""
    return DEFAULT_BACKEND if problem.n <= LARGE_POOL else Backend.HIGHS


@dataclass(frozen=True)
class SolveResult:
    """The answer of one solve: status, selected people (sorted) and objective value."""

    status: SolveStatus
    panel: np.ndarray | None
    objective: float | None


class _Solver(Protocol):
    def solve(self, weights: np.ndarray, time_limit: float | None,
              excluded: Sequence[np.ndarray]) -> SolveResult: ...


class _HighsSolver:
    """HiGHS MIP kept alive between solves; each solve only changes the column costs."""

    def __init__(self, problem: PanelProblem) -> None:
        h = lp.new_highs()
        h.setOptionValue("mip_rel_gap", MIP_REL_GAP)
        n = problem.n
        self._n = n
        self._cols = np.arange(n, dtype=np.int32)
        h.addVars(n, np.zeros(n), np.ones(n))
        lp.make_integer(h, n)
        self._add_rows(h, all_rows(problem))
        self._base_rows = h.getNumRow()
        lp.maximize(h)
        self._h = h

    @staticmethod
    def _add_rows(h: Any, rows: Sequence[tuple[np.ndarray, float, float]]) -> None:
        starts = np.cumsum([0] + [len(m) for m, _, _ in rows[:-1]]).astype(np.int32)
        index = np.concatenate([m for m, _, _ in rows]).astype(np.int32)
        lo = np.array([r[1] for r in rows], dtype=np.float64)
        hi = np.array([r[2] for r in rows], dtype=np.float64)
        h.addRows(len(rows), lo, hi, len(index), starts, index, np.ones(len(index)))

    def solve(self, weights: np.ndarray, time_limit: float | None,
              excluded: Sequence[np.ndarray]) -> SolveResult:
        h = self._h
        h.changeColsCost(self._n, self._cols, np.asarray(weights, dtype=np.float64))
        h.setOptionValue("time_limit", float(time_limit) if time_limit is not None else lp.INF)
        if excluded:  # no-good cuts: at most k-1 members of each excluded panel
            self._add_rows(h, [(p, -lp.INF, len(p) - 1) for p in excluded])
        try:
            h.run()
            status = lp.mip_status(h)
            panel = None
            if status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
                panel = np.flatnonzero(np.asarray(h.getSolution().col_value) > 0.5)
            objective = h.getInfo().objective_function_value if panel is not None else None
        finally:
            extra = h.getNumRow() - self._base_rows
            if extra:
                h.deleteRows(extra, np.arange(self._base_rows, h.getNumRow(), dtype=np.int32))
        return SolveResult(status, panel, objective)


class PanelRelaxation:
    """The LP relaxation of the panel model (every 0/1 choice relaxed to [0, 1]), kept alive in HiGHS.

    Its optimum is an upper bound on the heaviest panel's weight, in a few milliseconds where the exact
    model takes tenths of a second: on the stage duals of LEXIMIN it was within 3e-5 of the exact optimum
    (realistic 321/30 pool), which is all a bound on a stage's level needs. Each call changes only the
    costs, so the simplex starts from the last basis.
    """

    def __init__(self, problem: PanelProblem) -> None:
        h = lp.new_highs()
        n = problem.n
        h.addVars(n, np.zeros(n), np.ones(n))
        _HighsSolver._add_rows(h, all_rows(problem))
        lp.maximize(h)
        self._h, self._n, self._cols = h, n, np.arange(n, dtype=np.int32)
        #: The relaxation's optimal point of the last :meth:`upper_bound` (one value in [0, 1] per person; often
        #: nearly a panel, so a swap search towards it finds panels single swaps from known ones do not).
        self.solution = np.zeros(n)

    def upper_bound(self, weights: np.ndarray) -> float:
        """At least the largest ``weights[panel].sum()`` over feasible panels (inf when the LP fails)."""
        h = self._h
        h.changeColsCost(self._n, self._cols, np.asarray(weights, dtype=np.float64))
        h.run()
        if not lp.is_optimal(h):
            return float("inf")
        value = float(h.getInfo().objective_function_value)
        self.solution = np.asarray(h.getSolution().col_value, dtype=float)
        return value + RELAXATION_MARGIN * (1.0 + abs(value))


class _CpSatSolver:
    """OR-tools CP-SAT; weights are scaled to integers (see ``CPSAT_WEIGHT_SCALE``)."""

    def __init__(self, problem: PanelProblem) -> None:
        from ortools.sat.python import cp_model

        self._cp = cp_model
        m = cp_model.CpModel()
        self._x = [m.new_bool_var(f"x{i}") for i in range(problem.n)]
        for members, lo, hi in all_rows(problem):
            m.add_linear_constraint(sum(self._x[i] for i in members), int(lo), int(hi))
        self._model = m

    def solve(self, weights: np.ndarray, time_limit: float | None,
              excluded: Sequence[np.ndarray]) -> SolveResult:
        cp = self._cp
        top = float(np.max(np.abs(weights))) if len(weights) else 0.0
        scale = CPSAT_WEIGHT_SCALE / top if top > TOLERANCE else 0.0
        ints = np.rint(np.asarray(weights) * scale).astype(np.int64)
        model = self._model.clone() if excluded else self._model
        x = [model.get_bool_var_from_proto_index(i) for i in range(len(self._x))] if excluded else self._x
        for p in excluded:
            model.add(sum(x[i] for i in p) <= len(p) - 1)
        model.maximize(cp.LinearExpr.weighted_sum(x, ints.tolist()))
        solver = cp.CpSolver()
        if time_limit is not None:
            solver.parameters.max_time_in_seconds = float(time_limit)
        code = solver.solve(model)
        status = {cp.OPTIMAL: SolveStatus.OPTIMAL, cp.FEASIBLE: SolveStatus.FEASIBLE,
                  cp.INFEASIBLE: SolveStatus.INFEASIBLE}.get(code, SolveStatus.ERROR)
        if code == cp.UNKNOWN:
            status = SolveStatus.TIME_LIMIT
        if status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            return SolveResult(status, None, None)
        panel = np.array([i for i, v in enumerate(x) if solver.boolean_value(v)], dtype=np.int64)
        return SolveResult(status, panel, float(np.sum(np.asarray(weights)[panel])))


class _ScipSolver:
    """SCIP through OR-tools' pywraplp; the solver object is kept and only coefficients change."""

    def __init__(self, problem: PanelProblem) -> None:
        from ortools.linear_solver import pywraplp

        self._pywraplp = pywraplp
        s = pywraplp.Solver.CreateSolver("SCIP")
        if s is None:
            raise SolverError("SCIP is not available in this OR-tools build; use the HiGHS backend.")
        self._x = [s.BoolVar(f"x{i}") for i in range(problem.n)]
        for members, lo, hi in all_rows(problem):
            ct = s.Constraint(float(lo), float(hi))
            for i in members:
                ct.SetCoefficient(self._x[i], 1.0)
        s.SetSolverSpecificParametersAsString(f"limits/gap = {MIP_REL_GAP}\n")
        self._s = s
        self._cuts: list[Any] = []

    def solve(self, weights: np.ndarray, time_limit: float | None,
              excluded: Sequence[np.ndarray]) -> SolveResult:
        s, pywraplp = self._s, self._pywraplp
        obj = s.Objective()
        for v, w in zip(self._x, np.asarray(weights, dtype=float).tolist(), strict=True):
            obj.SetCoefficient(v, w)
        obj.SetMaximization()
        s.SetTimeLimit(max(1, int(1000 * time_limit)) if time_limit is not None else 2**31 - 1)
        for j, p in enumerate(excluded):  # no-good cuts, reusing rows: pywraplp cannot delete them
            if j == len(self._cuts):
                self._cuts.append(s.Constraint(-s.infinity(), s.infinity()))
            self._cuts[j].SetBounds(-s.infinity(), float(len(p) - 1))
            for i in p:
                self._cuts[j].SetCoefficient(self._x[i], 1.0)
        code = s.Solve()
        status = {pywraplp.Solver.OPTIMAL: SolveStatus.OPTIMAL, pywraplp.Solver.FEASIBLE: SolveStatus.FEASIBLE,
                  pywraplp.Solver.INFEASIBLE: SolveStatus.INFEASIBLE,
                  pywraplp.Solver.NOT_SOLVED: SolveStatus.TIME_LIMIT}.get(code, SolveStatus.ERROR)
        result = SolveResult(status, None, None)
        if status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):  # read before the model changes again
            panel = np.array([i for i, v in enumerate(self._x) if v.solution_value() > 0.5], dtype=np.int64)
            result = SolveResult(status, panel, obj.Value())
        for ct in self._cuts[:len(excluded)]:
            ct.Clear()
            ct.SetBounds(-s.infinity(), s.infinity())
        return result


_SOLVERS: dict[Backend, type[_HighsSolver] | type[_CpSatSolver] | type[_ScipSolver]] = {
    Backend.HIGHS: _HighsSolver,
    Backend.CPSAT: _CpSatSolver,
    Backend.SCIP: _ScipSolver,
}


class PanelModel:
    """The panel model of one problem, built once and re-solved with new weights.

    Args:
        problem: the pool and quotas.
        backend: which solver answers (by default :func:`default_backend`: SCIP, or HiGHS for huge pools).

    Attributes:
        last_status: the :class:`SolveStatus` of the latest solve (OPTIMAL or FEASIBLE after a panel
            was returned; FEASIBLE means the time limit stopped the search early).
        last_objective: the total weight of the latest panel returned.

    Example:
        >>> model = PanelModel(problem)                        # doctest: +SKIP
        >>> model.is_feasible()                                # doctest: +SKIP
        True
        >>> model.find_panel(np.ones(problem.n))               # doctest: +SKIP
        array([  3,  17, ...])
    """

    def __init__(self, problem: PanelProblem, *, backend: Backend | str | None = None) -> None:
        self.problem = problem
        self.backend = default_backend(problem) if backend is None else Backend(backend)
        self._solver: _Solver = _SOLVERS[self.backend](problem)
        self._feasible: bool | None = None
        self.last_status: SolveStatus | None = None
        self.last_objective: float | None = None
        self.solve_count = 0

    def _solve(self, weights: np.ndarray, time_limit: float | None,
               excluded: Sequence[np.ndarray] = ()) -> SolveResult:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (self.problem.n,):
            raise ValueError(f"weights must have shape ({self.problem.n},), got {w.shape}")
        if not np.all(np.isfinite(w)):
            raise ValueError("weights must be finite numbers")
        result = self._solver.solve(w, time_limit, excluded)
        self.solve_count += 1
        self.last_status = result.status
        self.last_objective = result.objective
        return result

    def is_feasible(self) -> bool:
        """True when at least one panel meets every quota (and the household rule)."""
        if self._feasible is None:
            result = self._solve(np.zeros(self.problem.n), None)
            if result.status == SolveStatus.ERROR:
                raise SolverError(f"the {self.backend} solver failed while checking feasibility.")
            self._feasible = result.status != SolveStatus.INFEASIBLE
        return self._feasible

    def find_panel(self, weights: np.ndarray, *, time_limit: float | None = None) -> np.ndarray:
        """The feasible panel of largest total weight, as sorted person indices.

        Args:
            weights: one finite number per person (any sign).
            time_limit: seconds; when hit with a panel in hand, that panel is returned and
                ``last_status`` is FEASIBLE instead of OPTIMAL.

        Raises:
            InfeasibleError: no panel meets the quotas (with the smallest relaxations attached).
            SolverError: the time limit passed before any panel was found, or the solver failed.
        """
        if self._feasible is False:
            raise self._infeasible_error()
        result = self._solve(weights, time_limit)
        return self._panel_or_raise(result, time_limit)

    def find_panels(self, weights: np.ndarray, count: int, *,
                    time_limit: float | None = None) -> list[np.ndarray]:
        """Up to ``count`` distinct panels in order of decreasing weight (the best first).

        Each panel after the first is the best panel that differs from all earlier ones (one no-good cut per
        panel found; the cuts are removed afterwards), so this costs ``count`` solves. Fewer panels come back
        when fewer exist. ``time_limit`` applies to each solve.
        """
        panels: list[np.ndarray] = [self.find_panel(weights, time_limit=time_limit)]
        while len(panels) < count:
            result = self._solve(weights, time_limit, excluded=panels)
            if result.status == SolveStatus.INFEASIBLE:
                break
            panels.append(self._panel_or_raise(result, time_limit))
        return panels

    def _panel_or_raise(self, result: SolveResult, time_limit: float | None) -> np.ndarray:
        if result.panel is not None:
            return np.sort(result.panel).astype(np.int64)
        if result.status == SolveStatus.INFEASIBLE:
            self._feasible = False
            raise self._infeasible_error()
        if result.status == SolveStatus.TIME_LIMIT:
            raise SolverError(
                f"the {self.backend} solver found no panel within the time limit of {time_limit} s; "
                "allow more time.")
        raise SolverError(f"the {self.backend} solver failed ({result.status.value}).")

    def _infeasible_error(self) -> InfeasibleError:
        try:
            relaxations = relaxations_for(self.problem)
        except InfeasibleError as exc:  # not fixable by quota changes (e.g. too few households)
            return exc
        return InfeasibleError(
            f"No panel of {self.problem.k} people from this pool of {self.problem.n} meets all quotas.",
            relaxations=relaxations)


__all__ = [
    "DEFAULT_BACKEND",
    "LARGE_POOL",
    "TOLERANCE",
    "Backend",
    "PanelModel",
    "SolveResult",
    "SolveStatus",
    "default_backend",
]
