"""The one seam to HiGHS, for every LP and MIP the project solves.

It makes silent HiGHS objects (:func:`new_highs`), builds a model from sparse arrays (:func:`sparse_lp`),
solves with a fallback when a method ends without a verdict (:func:`run_robust`) and reads HiGHS's answer
as our own :class:`SolveStatus` (:func:`mip_status`). The panel oracle (:mod:`quotas.solver`), the quota
relaxations (:mod:`quotas.relaxations`), the column-generation LPs (:mod:`sortition.algorithms.colgen`) and
the lottery rounding (:mod:`sortition.algorithms.rounding`) all go through here, so an option, a HiGHS
version change or a new fallback is handled once. It lives in ``quotas``, the lowest layer, because the
quota solvers use HiGHS too and ``sortition`` may import ``quotas`` but not the reverse.

``highspy`` is imported only inside the functions that need it: importing ``quotas`` or ``sortition`` loads
no solver.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Iterator
from enum import Enum
from typing import Any

import numpy as np

from quotas.errors import SolverError

#: HiGHS's infinity (``highspy.kHighsInf`` is IEEE infinity), for bounds that are absent.
INF = math.inf


class SolveStatus(Enum):
    """Our own reading of a solver's answer."""

    OPTIMAL = "optimal"  # best panel, proven
    FEASIBLE = "feasible"  # a valid panel, optimality not proven (stopped at the time limit)
    INFEASIBLE = "infeasible"  # no panel meets the quotas
    TIME_LIMIT = "time_limit"  # stopped at the time limit without any panel
    ERROR = "error"  # the solver failed


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Silence C-level stdout (HiGHS prints a banner when its first object is made)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def new_highs(time_limit: float | None = None) -> Any:
    """A silent HiGHS object (its banner goes to C-level stdout, so it is made with stdout muted).

    ``time_limit`` (seconds, at least 1) is set when given; HiGHS's default is no limit.
    """
    import highspy

    with quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if time_limit is not None:
        h.setOptionValue("time_limit", max(float(time_limit), 1.0))
    return h


def sparse_lp(*, cost: np.ndarray, col_lower: np.ndarray, col_upper: np.ndarray, row_lower: np.ndarray,
              row_upper: np.ndarray, starts: np.ndarray, index: np.ndarray, values: np.ndarray,
              rowwise: bool = False) -> Any:
    """A HiGHS LP (minimise ``cost @ x``) with a sparse matrix, column-wise (or row-wise with ``rowwise``).

    ``starts`` has one entry per column (row) plus the end; ``index`` holds the row (column) of each value.
    Pass it to a HiGHS object from :func:`new_highs` with ``h.passModel``.
    """
    import highspy

    lp = highspy.HighsLp()
    lp.num_col_ = len(cost)
    lp.num_row_ = len(row_lower)
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(col_lower, dtype=float)
    lp.col_upper_ = np.asarray(col_upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise if rowwise else highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(starts).astype(np.int32)
    lp.a_matrix_.index_ = np.asarray(index).astype(np.int32)
    lp.a_matrix_.value_ = np.asarray(values).astype(float)
    return lp


def make_integer(h: Any, count: int) -> None:
    """Make the first ``count`` columns of the model in ``h`` integer (a MIP)."""
    import highspy

    h.changeColsIntegrality(count, np.arange(count, dtype=np.int32),
                            np.full(count, highspy.HighsVarType.kInteger, dtype=np.uint8))


def maximize(h: Any) -> None:
    """Make the model in ``h`` maximise its objective (HiGHS minimises by default)."""
    import highspy

    h.changeObjectiveSense(highspy.ObjSense.kMaximize)


def is_optimal(h: Any) -> bool:
    """Whether the last solve of ``h`` proved an optimum."""
    import highspy

    return bool(h.getModelStatus() == highspy.HighsModelStatus.kOptimal)


def mip_status(h: Any) -> SolveStatus:
    """The last solve of ``h`` as a :class:`SolveStatus` (FEASIBLE: stopped early with a solution in hand)."""
    import highspy

    ms = highspy.HighsModelStatus
    model_status = h.getModelStatus()
    has_solution = h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
    if model_status == ms.kOptimal:
        return SolveStatus.OPTIMAL
    if model_status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        return SolveStatus.INFEASIBLE
    if model_status in (ms.kTimeLimit, ms.kInterrupt, ms.kSolutionLimit, ms.kIterationLimit):
        return SolveStatus.FEASIBLE if has_solution else SolveStatus.TIME_LIMIT
    return SolveStatus.ERROR


def run_robust(h: Any, what: str) -> None:
    """Solve the model in ``h``; when the chosen method ends without a verdict, re-solve with simplex.

    On small degenerate LPs HiGHS's interior-point method can stop with status "unknown"; simplex always
    ends, and only a failure of that too (and of interior point with crossover) is an error.

    Raises:
        SolverError: no method proved an optimum.
    """
    h.run()
    for solver, crossover in (("simplex", "off"), ("ipm", "on")):
        if is_optimal(h):
            return
        h.clearSolver()
        h.setOptionValue("solver", solver)
        h.setOptionValue("run_crossover", crossover)
        h.run()
    if not is_optimal(h):
        raise SolverError(f"HiGHS could not solve the {what} LP ({h.modelStatusToString(h.getModelStatus())}); "
                          "try again with a longer time limit or report this as a bug.")


__all__ = [
    "INF",
    "SolveStatus",
    "is_optimal",
    "make_integer",
    "maximize",
    "mip_status",
    "new_highs",
    "quiet_stdout",
    "run_robust",
    "sparse_lp",
]
