"""The dense interior-point method of the stage LPs: against HiGHS on random LPs, central on ties, and in
the stage LP (the same level as simplex, useless columns dropped and brought back, HiGHS when it fails)."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from generated import generated_problem
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotas.localsearch import SwapSearch
from sortition.algorithms import colgen, interior
from sortition.algorithms.base import default_oracle
from sortition.algorithms.symmetry import TypePartition


def highs_optimum(a: np.ndarray, c: np.ndarray, b: np.ndarray) -> float:
    """min c x s.t. a x = b, x >= 0 by HiGHS simplex."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "simplex")
    rows, cols = a.shape
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = cols, rows
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = c, np.zeros(cols), np.full(cols, highspy.kHighsInf)
    lp.row_lower_, lp.row_upper_ = b, b
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, rows * cols + 1, rows).astype(np.int32)
    lp.a_matrix_.index_ = np.tile(np.arange(rows), cols).astype(np.int32)
    lp.a_matrix_.value_ = a.T.ravel().astype(float)
    h.passModel(lp)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value)


@st.composite
def feasible_bounded_lps(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A random LP in the solver's form, feasible (b = A x0, x0 >= 0) and bounded (c = A^T y0 + s0, s0 >= 0),
    often with ties: x0 and s0 are zero in places, so the optimal face need not be a single vertex."""
    rows = draw(st.integers(1, 6))
    cols = draw(st.integers(1, 8))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    dense = rng.random((rows, cols)) * (rng.random((rows, cols)) < 0.6)
    unit_row = np.concatenate([np.arange(rows), rng.integers(0, rows, draw(st.integers(0, 3)))])
    unit_sign = np.where(rng.random(len(unit_row)) < 0.7, -1.0, 1.0)
    full = np.zeros((rows, cols + len(unit_row)))
    full[:, :cols] = dense
    full[unit_row, cols + np.arange(len(unit_row))] = unit_sign
    x0 = rng.random(full.shape[1]) * (rng.random(full.shape[1]) < 0.7)
    s0 = rng.random(full.shape[1]) * (rng.random(full.shape[1]) < 0.5)
    c = full.T @ rng.normal(size=rows) + s0
    return dense, unit_row, unit_sign, c, full @ x0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lp=feasible_bounded_lps())
def test_interior_point_reaches_the_simplex_optimum(lp: tuple[np.ndarray, ...]) -> None:
    dense, unit_row, unit_sign, c, b = lp
    sol = interior.solve(dense, unit_row, unit_sign, c, b)
    full = np.zeros((dense.shape[0], len(c)))
    full[:, : dense.shape[1]] = dense
    full[unit_row, dense.shape[1] + np.arange(len(unit_row))] = unit_sign
    optimum = highs_optimum(full, c, b)
    scale = 1.0 + abs(optimum)
    assert float(c @ sol.x) == pytest.approx(optimum, abs=1e-6 * scale)
    assert float(b @ sol.y) == pytest.approx(optimum, abs=1e-6 * scale)
    assert np.abs(full @ sol.x - b).max() <= 1e-6 * (1.0 + np.abs(b).max())
    assert sol.x.min() > 0 and sol.s.min() > 0  # strictly inside, as an interior point stays


def test_interior_point_answer_is_central_on_a_tie() -> None:
    """min x1 s.t. x1 + x2 + x3 = 1: every point with x1 = 0 is optimal; the centre of that face is
    x2 = x3 = 1/2. That is what LEXIMIN fixing needs: every tight person with a clearly positive dual."""
    sol = interior.solve(np.array([[1.0, 1.0, 1.0]]), np.zeros(0, dtype=np.int64), np.zeros(0),
                         np.array([1.0, 0.0, 0.0]), np.array([1.0]))
    assert sol.x[0] == pytest.approx(0.0, abs=1e-7)
    assert sol.x[1:] == pytest.approx([0.5, 0.5], abs=1e-6)


def test_interior_point_fails_clearly_on_an_infeasible_lp() -> None:
    with pytest.raises(interior.InteriorPointFailed):
        interior.solve(np.array([[1.0, 1.0]]), np.zeros(0, dtype=np.int64), np.zeros(0), np.array([1.0, 1.0]),
                       np.array([-1.0]))


def _stage_lp() -> colgen.StageLP:
    """The first stage's LP on a realistic generated instance, with some useless panels: those of the people whom the
    first panels already serve best."""
    problem = generated_problem("tight_22")
    types = TypePartition.of(problem)
    oracle = default_oracle(problem)
    panels, impossible = colgen.starting_panels(oracle, types, problem.k, rounds=8, search=SwapSearch(problem))
    first = colgen.StageLP(panels, ~impossible, impossible.copy(), np.zeros(types.count)).solve()
    served = types.per_person(panels.type_probabilities(first.panel_weights))
    rng = np.random.default_rng(0)
    for _ in range(6):
        panels.add(oracle.find_panel(served + 0.01 * rng.random(len(served))))
    return colgen.StageLP(panels, ~impossible, impossible.copy(), np.zeros(types.count))


def test_dense_stage_solve_matches_simplex_and_drops_useless_columns() -> None:
    simplex = _stage_lp().solve()
    lp = _stage_lp()
    with mock.patch.object(colgen, "IPM_NEW_COLUMNS", -1):
        dense = lp.solve()
        assert dense.central
        assert dense.value == pytest.approx(simplex.value, abs=1e-7)
        assert dense.y[~np.isclose(dense.y, 0)].sum() == pytest.approx(1.0, abs=1e-6)  # no fixed types yet
        dropped = len(dense.panel_weights) - len(lp._columns)
        assert dropped > 0 and np.all(dense.panel_weights[np.setdiff1d(np.arange(len(dense.panel_weights)),
                                                                        lp._columns)] <= colgen.WEIGHT_EPSILON)
        assert lp.include_all() and not lp.include_all()
        again = lp.solve()
    assert again.value == pytest.approx(simplex.value, abs=1e-7)


def test_stage_lp_falls_back_to_highs_when_the_dense_method_fails() -> None:
    simplex = _stage_lp().solve()
    lp = _stage_lp()
    with mock.patch.object(colgen, "IPM_NEW_COLUMNS", -1), \
            mock.patch.object(interior, "solve_stage", side_effect=interior.InteriorPointFailed("test")) as dense:
        sol = lp.solve()
    assert dense.called and sol.central
    assert sol.value == pytest.approx(simplex.value, abs=1e-6)
