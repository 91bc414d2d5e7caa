"""Quota relaxations and impossible people against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from generated import generated_problem
from hypothesis import given, settings
from solver_instances import relaxation_cost, size_k_panels, tiny_problems, valid_panels

from quotas.diagnose import check_feasibility, covering_panels, diagnose, relaxations_for
from quotas.errors import InfeasibleError, Relaxation
from quotas.model import Category, PanelProblem, QuotaSpec, ValueQuota
from quotas.solver import PanelModel

SETTINGS = settings(max_examples=60, deadline=None)


def relaxed(problem: PanelProblem, relaxations: tuple[Relaxation, ...]) -> PanelProblem:
    """The problem with the suggested bounds applied."""
    changes = {(r.category, r.value, r.bound): r.new for r in relaxations}
    cats = tuple(
        Category(cat.name, tuple(ValueQuota(v.value, changes.get((cat.name, v.value, "min"), v.min),
                                            changes.get((cat.name, v.value, "max"), v.max))
                                 for v in cat.values))
        for cat in problem.spec.categories)
    spec = QuotaSpec(panel_size=problem.k, categories=cats)
    return PanelProblem(spec, problem.features, problem.households)


@SETTINGS
@given(tiny_problems())
def test_relaxations_fix_infeasible_problems_minimally(problem: PanelProblem) -> None:
    candidates = size_k_panels(problem)
    if not candidates:
        with pytest.raises(InfeasibleError):
            relaxations_for(problem)
        return
    relaxations = relaxations_for(problem)
    best = min(relaxation_cost(problem, p) for p in candidates)
    assert sum(abs(r.new - r.old) for r in relaxations) == best
    for r in relaxations:
        assert (r.bound == "min" and 0 <= r.new < r.old) or (r.bound == "max" and r.new > r.old)
    assert PanelModel(relaxed(problem, relaxations)).is_feasible()


@SETTINGS
@given(tiny_problems())
def test_impossible_people_match_brute_force(problem: PanelProblem) -> None:
    panels = valid_panels(problem)
    if not size_k_panels(problem):
        return
    d = diagnose(problem)
    if not panels:
        assert d.relaxations and d.impossible_people == () and not d.feasible
        return
    possible = {i for p in panels for i in p}
    assert d.relaxations == ()
    assert d.impossible_people == tuple(i for i in range(problem.n) if i not in possible)
    assert d.unchecked_people == ()


def test_example_relaxation() -> None:
    spec = QuotaSpec(panel_size=3, categories=(
        Category("age", (ValueQuota("young", 1, 3), ValueQuota("65+", 0, 1))),))
    problem = PanelProblem(spec, np.array([[1], [1], [1], [0]]))
    assert relaxations_for(problem) == (Relaxation("age", "65+", "max", 1, 2),)
    assert "raise max from 1 to 2" in relaxations_for(problem)[0].describe()


def test_covering_panels_cover_everyone_possible() -> None:
    problem = generated_problem("wide_60")
    panels, uncovered, complete = covering_panels(PanelModel(problem))
    assert complete
    seen = set(np.concatenate(panels).tolist())
    assert seen | set(uncovered.tolist()) == set(range(problem.n))
    for p in panels:
        assert problem.panel_violations(p) == []


def test_covering_swaps_people_onto_panels_before_asking_the_solver() -> None:
    """People not yet seen are swapped onto the latest panels; the solver is asked only when that fails
    (Alternate(2000, 200): 1 solve instead of 11; a pool of 20,000 was left mostly unchecked without it)."""
    problem = generated_problem("alternate_200")

    class Counting(PanelModel):
        solves = 0

        def find_panel(self, weights: np.ndarray, **kwargs: object) -> np.ndarray:
            Counting.solves += 1
            return super().find_panel(weights, **kwargs)  # type: ignore[arg-type]

    panels, uncovered, complete = covering_panels(Counting(problem))
    assert complete and len(uncovered) == 0
    assert set(np.concatenate(panels).tolist()) == set(range(problem.n))
    assert all(problem.panel_violations(p) == [] for p in panels)
    assert Counting.solves < len(panels)


def test_cap_reports_unchecked_people() -> None:
    problem = generated_problem("wide_60")
    d = diagnose(problem, max_solves=1)
    assert d.impossible_people == ()
    assert len(d.unchecked_people) >= problem.n - problem.k


def test_check_feasibility_report() -> None:
    problem = generated_problem("tight_22")
    report = check_feasibility(problem)
    assert report.feasible and report.relaxations == ()
    counts = {(c.category, c.value): c.pool for c in report.pool_counts}
    assert counts[("age_bracket", "0-15")] == counts[("Gender", "Non-binary or other")] == 0
    assert sum(v for (cat, _), v in counts.items() if cat == "Gender") == problem.n
    assert counts == {(c.name, v.value): int((problem.features[:, i] == j).sum())
                      for i, c in enumerate(problem.spec.categories) for j, v in enumerate(c.values)}
