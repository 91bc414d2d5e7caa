"""The pricing oracle against brute force on tiny instances, on generated instances shaped like the published
ones, and on the published instances themselves when ../shared is present."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from generated import generated_problem
from hypothesis import given, settings
from hypothesis import strategies as st
from solver_instances import requires_shared, shared_problem, size_k_panels, tiny_problems, valid_panels

from quotas.errors import InfeasibleError, SolverError
from quotas.model import Category, PanelProblem, QuotaSpec, ValueQuota
from quotas.solver import TOLERANCE, Backend, PanelModel, SolveStatus

SETTINGS = settings(max_examples=60, deadline=None)


def _gender_spec(*, f_min: int) -> QuotaSpec:
    return QuotaSpec(panel_size=2, categories=(
        Category("g", (ValueQuota("f", f_min, 2), ValueQuota("m", 0, 2))),))


def _weights(problem: PanelProblem, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=problem.n)


@SETTINGS
@given(tiny_problems())
def test_is_feasible_matches_brute_force(problem: PanelProblem) -> None:
    assert PanelModel(problem).is_feasible() == bool(valid_panels(problem))


@SETTINGS
@given(tiny_problems(), st.integers(0, 2**32 - 1), st.sampled_from([Backend.HIGHS, Backend.SCIP]))
def test_find_panel_is_the_brute_force_optimum(problem: PanelProblem, seed: int, backend: Backend) -> None:
    panels = valid_panels(problem)
    model = PanelModel(problem, backend=backend)
    w = _weights(problem, seed)
    if not panels:
        with pytest.raises(InfeasibleError):
            model.find_panel(w)
        return
    panel = model.find_panel(w)
    assert problem.panel_violations(panel) == []
    assert list(panel) == sorted(panel)
    assert w[panel].sum() == pytest.approx(max(w[list(p)].sum() for p in panels), abs=TOLERANCE)
    assert model.last_status == SolveStatus.OPTIMAL


@SETTINGS
@given(tiny_problems(households=True), st.integers(0, 2**32 - 1), st.sampled_from(list(Backend)))
def test_find_panels_are_the_best_distinct_panels(problem: PanelProblem, seed: int, backend: Backend) -> None:
    panels = valid_panels(problem)
    if not panels:
        return
    w = _weights(problem, seed)
    model = PanelModel(problem, backend=backend)
    found = model.find_panels(w, 3)
    assert len(found) == min(3, len(panels))
    assert len({tuple(p) for p in found}) == len(found)
    for p in found:
        assert problem.panel_violations(p) == []
    expected = sorted((w[list(p)].sum() for p in panels), reverse=True)[:3]
    tol = 1e-4 if backend == Backend.CPSAT else TOLERANCE  # CP-SAT rounds weights to integers
    assert [w[p].sum() for p in found] == pytest.approx(expected, abs=tol)
    assert len(model.find_panels(w, 2)) == min(2, len(panels))  # cuts from the first call are gone


@settings(max_examples=15, deadline=None)
@given(tiny_problems(), st.integers(0, 2**32 - 1), st.sampled_from([Backend.CPSAT, Backend.SCIP]))
def test_other_backends_agree_with_highs(problem: PanelProblem, seed: int, backend: Backend) -> None:
    w = _weights(problem, seed)
    highs, other = PanelModel(problem, backend=Backend.HIGHS), PanelModel(problem, backend=backend)
    assert highs.is_feasible() == other.is_feasible()
    if highs.is_feasible():
        # CP-SAT rounds weights to integers, so compare with a tolerance on that scale
        assert w[other.find_panel(w)].sum() == pytest.approx(w[highs.find_panel(w)].sum(), abs=1e-4)


@pytest.mark.parametrize("backend", list(Backend))
def test_model_is_reused_across_weights(backend: Backend) -> None:
    problem = generated_problem("tight_22")
    model = PanelModel(problem, backend=backend)
    rng = np.random.default_rng(1)
    for _ in range(5):
        w = rng.random(problem.n)
        panel = model.find_panel(w)
        assert problem.panel_violations(panel) == []
        assert model.last_objective == pytest.approx(w[panel].sum(), abs=1e-4)
    assert model.solve_count == 5


def test_infeasible_raises_with_relaxations() -> None:
    spec = _gender_spec(f_min=2)
    problem = PanelProblem(spec, np.array([[0], [1], [1]]))
    model = PanelModel(problem)
    assert not model.is_feasible()
    with pytest.raises(InfeasibleError) as info:
        model.find_panel(np.ones(3))
    assert [(r.category, r.value, r.bound, r.old, r.new) for r in info.value.relaxations] == [
        ("g", "f", "min", 2, 1)]


def test_too_few_households_cannot_be_relaxed() -> None:
    spec = _gender_spec(f_min=0)
    problem = PanelProblem(spec, np.array([[0], [1], [1]]), households=np.array([7, 7, 7]))
    with pytest.raises(InfeasibleError, match="households"):
        PanelModel(problem).find_panel(np.ones(3))


def test_bad_weights_are_rejected() -> None:
    problem = generated_problem("alternate_20")
    model = PanelModel(problem)
    with pytest.raises(ValueError, match="shape"):
        model.find_panel(np.ones(3))
    with pytest.raises(ValueError, match="finite"):
        model.find_panel(np.full(problem.n, np.nan))


@pytest.mark.parametrize("backend", [Backend.HIGHS, Backend.SCIP])
def test_time_limit_without_solution_is_a_solver_error(backend: Backend) -> None:
    problem = generated_problem("alternate_200")
    model = PanelModel(problem, backend=backend)
    try:
        model.find_panel(np.random.default_rng(0).random(problem.n), time_limit=1e-9)
    except SolverError:
        assert model.last_status == SolveStatus.TIME_LIMIT
    else:  # the solver may find a panel before it first checks the clock
        assert model.last_status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


@pytest.mark.parametrize("name", ["alternate_20", "alternate_200", "tight_22", "exact_60", "wide_60"])
def test_generated_instances_are_feasible(name: str) -> None:
    _feasible(generated_problem(name))


@requires_shared
@pytest.mark.parametrize("name", ["example_small_20", "example_large_200", "sfalgo_fixture_22",
                                  "diversimax_exact_60", "diversimax_wide_60"])
def test_shared_instances_are_feasible(name: str) -> None:
    _feasible(shared_problem(name))


def _feasible(problem: PanelProblem) -> None:
    model = PanelModel(problem)  # the production backend
    assert model.is_feasible()
    panel = model.find_panel(np.random.default_rng(3).random(problem.n))
    assert problem.panel_violations(panel) == []


def test_brute_force_helper_respects_households() -> None:
    spec = _gender_spec(f_min=0)
    problem = PanelProblem(spec, np.array([[0], [1], [1]]), households=np.array([1, 1, 2]))
    assert size_k_panels(problem) == [(0, 2), (1, 2)]


def test_importing_quotas_loads_no_solver() -> None:
    code = "import quotas, quotas.solver, quotas.diagnose, sys; " \
           "print([m for m in ('highspy', 'ortools') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
