"""LEXIMIN from the LP relaxation (sortition/algorithms/relaxed.py) and its split into panels (facewalk.py).

Checked against enumeration on tiny pools: the relaxation's level bounds every distribution's, the types it
proves stuck really cannot rise, a split reaches its target exactly when the target is a convex combination of
panels, and the whole LEXIMIN vector still matches the definition on pools where the relaxation is not tight
(three categories: there the split can fail, and the stages take over from the panels it found).
"""

from __future__ import annotations

import importlib
from unittest import mock

import numpy as np
import pytest
from helpers_instances import BruteForceOracle, all_feasible_panels
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from test_algorithms import EXAMPLES, check_distribution, exact_leximin, possible_people, small_problems

from quotas.model import Category, PanelProblem, QuotaSpec, ValueQuota
from sortition.algorithms import Algorithm, find_distribution
from sortition.algorithms.colgen import Deadline, PanelSet
from sortition.algorithms.facewalk import FacePanels, split
from sortition.algorithms.relaxed import StageRelaxation
from sortition.algorithms.symmetry import TypePartition

SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def problems() -> st.SearchStrategy[PanelProblem]:
    """Feasible pools of 4-9 people with up to three binary categories (three make the relaxation loose)."""
    return small_problems(n_min=4, n_max=9, k_min=2, max_categories=3)


def _type_matrix(problem: PanelProblem, types: TypePartition) -> np.ndarray:
    """Every feasible panel as type probabilities (rows: panels)."""
    panels = all_feasible_panels(problem)
    return np.array([types.counts(np.array(p)) / types.sizes for p in panels])


def _setup(problem: PanelProblem) -> tuple[TypePartition, StageRelaxation, np.ndarray, np.ndarray]:
    """Types, the relaxation, every feasible panel as type probabilities, and the types on some panel."""
    types = TypePartition.of(problem)
    matrix = _type_matrix(problem, types)
    return types, StageRelaxation(problem, types), matrix, matrix.max(axis=0) > 0


def _reachable(matrix: np.ndarray, target: np.ndarray) -> bool:
    """Whether some distribution over the panels gives every type at least ``target`` (an LP)."""
    count = len(matrix)
    result = linprog(np.zeros(count), A_ub=-matrix.T, b_ub=-(target - 1e-9), A_eq=np.ones((1, count)), b_eq=[1.0],
                     bounds=(0, None), method="highs")
    return bool(result.status == 0)


@SETTINGS
@given(problems())
def test_the_relaxation_level_bounds_every_distribution_and_stuck_types_cannot_rise(problem: PanelProblem) -> None:
    types, relaxation, matrix, active = _setup(problem)
    none = np.zeros(types.count, dtype=bool)
    bound, proof = relaxation.level(active, ~active, np.zeros(types.count))
    count = len(matrix)
    # the best minimum over distributions (an LP over every panel): max z s.t. p_t >= z for active t
    result = linprog(np.r_[np.zeros(count), -1.0], A_ub=np.c_[-matrix.T[active], np.ones(int(active.sum()))],
                     b_ub=np.zeros(int(active.sum())), A_eq=np.r_[np.ones(count), 0.0][None, :], b_eq=[1.0],
                     bounds=[(0, None)] * count + [(None, None)], method="highs")
    best = -result.fun
    assert bound >= best - 1e-7
    assert proof[active].sum() == pytest.approx(1.0)
    # a type proven stuck at the best level cannot get more than the excess above it in any distribution
    stuck = relaxation.stuck(active, ~active, np.zeros(types.count), best, active & ~none, 1e-4)
    for t in np.flatnonzero(stuck):
        top = linprog(-matrix[:, t], A_ub=-matrix.T[active], b_ub=-np.full(int(active.sum()), best - 1e-9),
                      A_eq=np.ones((1, count)), b_eq=[1.0], bounds=(0, None), method="highs")
        assert -top.fun <= best + 1e-4 + 1e-6


@SETTINGS
@given(problems(), st.lists(st.floats(0.05, 1.0), min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_a_split_reaches_a_combination_of_panels_exactly(problem: PanelProblem, shares: list[float],
                                                        rng: object) -> None:
    """A target made of a few panels is reached (the walk and the column generation after it are exact)."""
    types = TypePartition.of(problem)
    matrix = _type_matrix(problem, types)
    picks = [rng.randrange(len(matrix)) for _ in shares]  # type: ignore[attr-defined]
    weights = np.array(shares) / sum(shares)
    target = weights @ matrix[picks]
    panels = PanelSet(types)
    stats: dict[str, float] = {}
    found = split(StageRelaxation(problem, types), panels, target, Deadline(None), stats)
    assert found is not None
    reached = panels.type_probabilities(found)
    assert np.all(reached >= target - 1e-7)
    assert found.sum() == pytest.approx(1.0)


@SETTINGS
@given(problems())
def test_a_split_succeeds_only_when_the_leximin_point_is_reachable(problem: PanelProblem) -> None:
    types, relaxation, matrix, active = _setup(problem)
    point = relaxation.leximin_point(active)
    assert point is not None
    values, levels = point
    assert levels == sorted(levels)
    panels = PanelSet(types)
    found = split(relaxation, panels, values, Deadline(None), {})
    if found is None:
        assert not _reachable(matrix, values - 1e-6)
    else:
        assert np.all(panels.type_probabilities(found) >= values - 1e-7)


@SETTINGS
@given(problems())
def test_repair_only_returns_panels_of_the_face(problem: PanelProblem) -> None:
    types = TypePartition.of(problem)
    finder = FacePanels(StageRelaxation(problem, types))
    matrix = _type_matrix(problem, types)
    counts = np.rint(matrix * types.sizes)
    target = counts.mean(axis=0)
    face = finder.face(target, finder.sizes)
    for panel in counts:
        mended = finder.repair(panel, face)
        if mended is not None:
            col_lower, col_upper, row_lower, row_upper = face
            values = finder.dense @ mended
            assert np.all(mended >= col_lower - 1e-9) and np.all(mended <= col_upper + 1e-9)
            assert np.all(values >= row_lower - 1e-9) and np.all(values <= row_upper + 1e-9)


@pytest.mark.parametrize("from_relaxation", [True, False], ids=["from_relaxation", "stages"])
@SETTINGS
@given(problem=problems())
def test_leximin_equals_the_definition_where_the_relaxation_is_loose(problem: PanelProblem,
                                                                     from_relaxation: bool) -> None:
    leximin = importlib.import_module("sortition.algorithms.leximin")
    with mock.patch.object(leximin, "FROM_RELAXATION", from_relaxation):
        dist = find_distribution(problem, Algorithm.LEXIMIN, oracle=BruteForceOracle(problem))
    check_distribution(problem, dist)
    expected = exact_leximin(problem)
    assert np.abs(np.sort(dist.probabilities) - np.sort(expected)).max() <= 2e-3
    assert dist.stats["impossible"] == int((~possible_people(problem)).sum())


@pytest.mark.parametrize("first_attempt", [True, False], ids=["one_go", "after_starting_panels"])
def test_people_no_panel_holds_are_found_with_or_without_the_starting_panels(first_attempt: bool) -> None:
    """Person 0 can be on no panel (a quota of 0 for their value). The one-go attempt finds that by itself;
    when it fails (here: made to fail), the starting panels find it and the attempt is made again."""
    spec = QuotaSpec(panel_size=2, categories=(Category("c0", (ValueQuota("a", 2, 2), ValueQuota("b", 0, 0))),))
    problem = PanelProblem(spec, np.array([[1], [0], [0], [0], [0]]), None)
    leximin = importlib.import_module("sortition.algorithms.leximin")
    real = leximin.facewalk.leximin_in_one_go
    calls: list[int] = []

    def attempt(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs) if first_attempt or len(calls) > 1 else None  # type: ignore[arg-type]

    with mock.patch.object(leximin.facewalk, "leximin_in_one_go", attempt):
        dist = find_distribution(problem, Algorithm.LEXIMIN, oracle=BruteForceOracle(problem))
    check_distribution(problem, dist)
    assert len(calls) == (1 if first_attempt else 2) and dist.stats["from_relaxation"] == 1
    assert dist.stats["impossible"] == 1 and dist.probabilities[0] == 0.0
    assert (dist.stats["oracle_calls"] == 0) == first_attempt  # the starting panels ask the oracle
    assert np.abs(np.sort(dist.probabilities) - np.sort(exact_leximin(problem))).max() <= 2e-3


@pytest.mark.parametrize("time_limit", [100.0, None])
def test_the_one_go_attempt_leaves_the_stages_half_of_the_time(time_limit: float | None) -> None:
    spec = QuotaSpec(panel_size=2, categories=(Category("c0", (ValueQuota("a", 1, 1), ValueQuota("b", 1, 1))),))
    problem = PanelProblem(spec, np.array([[0], [0], [1], [1], [1]]), None)
    leximin = importlib.import_module("sortition.algorithms.leximin")
    real = leximin.facewalk.leximin_in_one_go
    budgets: list[float | None] = []

    def attempt(relaxation: StageRelaxation, panels: PanelSet, active: np.ndarray, deadline: Deadline,
                *rest: object) -> object:
        budgets.append(deadline.seconds)
        return real(relaxation, panels, active, deadline, *rest)  # type: ignore[arg-type]

    with mock.patch.object(leximin.facewalk, "leximin_in_one_go", attempt):
        find_distribution(problem, Algorithm.LEXIMIN, time_limit=time_limit)
    if time_limit is None:
        assert budgets == [None]
    else:
        assert len(budgets) == 1 and 0 < budgets[0] <= leximin.ONE_GO_SHARE * time_limit  # type: ignore[operator]


#: Found by a search over random pools: three categories and households make the relaxation's LEXIMIN point
#: a point no distribution of panels reaches.
LOOSE = PanelProblem(
    QuotaSpec(panel_size=3, categories=(
        Category("c0", (ValueQuota("v0", 2, 3), ValueQuota("v1", 1, 1))),
        Category("c1", (ValueQuota("v0", 1, 3), ValueQuota("v1", 0, 2))),
        Category("c2", (ValueQuota("v0", 0, 1), ValueQuota("v1", 2, 2))))),
    np.array([[1, 0, 1], [1, 1, 1], [0, 1, 1], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 1, 0], [1, 0, 1]]),
    np.array([4, 1, 4, 9, 8, 5, 0, 10]))


def test_where_the_relaxation_is_loose_the_split_fails_and_the_stages_take_over() -> None:
    types = TypePartition.of(LOOSE)
    relaxation = StageRelaxation(LOOSE, types)
    matrix = _type_matrix(LOOSE, types)
    point = relaxation.leximin_point(matrix.max(axis=0) > 0)
    assert point is not None
    assert not _reachable(matrix, point[0] - 1e-6)
    panels = PanelSet(types)
    assert split(relaxation, panels, point[0], Deadline(None), {}) is None
    assert len(panels) > 0  # what it found is kept for the stages
    dist = find_distribution(LOOSE, Algorithm.LEXIMIN, oracle=BruteForceOracle(LOOSE))
    assert "from_relaxation" not in dist.stats
    check_distribution(LOOSE, dist)
    assert np.abs(np.sort(dist.probabilities) - np.sort(exact_leximin(LOOSE))).max() <= 2e-3
