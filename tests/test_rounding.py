"""Rounding a distribution to a uniform lottery of m panels: exact count, bound kept, quotas kept."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotas.model import Category, PanelProblem, QuotaSpec, ValueQuota
from sortition.algorithms import Algorithm, Distribution
from sortition.algorithms.rounding import round_to_lottery


def free_problem(n: int, k: int) -> PanelProblem:
    """Every k-subset of n people is a valid panel."""
    spec = QuotaSpec(panel_size=k, categories=(Category("c", (ValueQuota("a", 0, k),)),))
    return PanelProblem(spec, np.zeros((n, 1), dtype=np.int64))


@st.composite
def distributions(draw: st.DrawFn) -> tuple[PanelProblem, Distribution, int]:
    n = draw(st.integers(2, 9))
    k = draw(st.integers(1, n - 1))
    every = list(itertools.combinations(range(n), k))
    chosen = draw(st.lists(st.sampled_from(every), min_size=1, max_size=12, unique=True))
    weights = draw(st.lists(st.floats(0.01, 1.0), min_size=len(chosen), max_size=len(chosen)))
    dist = Distribution.from_panels(chosen, weights, n=n, algorithm=Algorithm.LEXIMIN)
    return free_problem(n, k), dist, draw(st.integers(1, 200))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(distributions())
def test_rounding_invariants(case: tuple[PanelProblem, Distribution, int]) -> None:
    problem, dist, m = case
    lottery = round_to_lottery(problem, dist, m)
    assert len(lottery.panels) == m
    assert set(lottery.panels) <= set(dist.panels)
    assert list(lottery.panels) == sorted(lottery.panels)
    counts = np.zeros(problem.n)
    for panel in lottery.panels:
        counts[list(panel)] += 1
    assert counts.sum() == m * problem.k
    assert np.array_equal(lottery.probabilities, counts / m)
    assert lottery.max_deviation == pytest.approx(np.abs(counts / m - dist.probabilities).max())
    assert lottery.max_deviation < lottery.bound + 1e-9 or lottery.bound == 0.0
    assert lottery.max_deviation <= problem.k / m + 1e-9


def test_exact_distribution_is_kept_as_is() -> None:
    problem = free_problem(4, 2)
    dist = Distribution.from_panels([(0, 1), (2, 3), (0, 2)], [0.25, 0.5, 0.25], n=4,
                                    algorithm=Algorithm.MAXIMIN)
    lottery = round_to_lottery(problem, dist, m=8)
    assert lottery.bound == 0.0
    assert lottery.max_deviation < 1e-12
    assert lottery.panels == ((0, 1),) * 2 + ((0, 2),) * 2 + ((2, 3),) * 4


def test_bad_m_is_refused() -> None:
    problem = free_problem(3, 1)
    dist = Distribution.from_panels([(0,)], [1.0], n=3, algorithm=Algorithm.NASH)
    with pytest.raises(ValueError, match="positive"):
        round_to_lottery(problem, dist, 0)


def test_float_noise_within_a_type_keeps_the_type_path() -> None:
    """Regression: rotations summed over ~10,000 panels differ by ~1e-9, which sent a big pool to the slow
    per-person path. Here the type path shows in the bound, (k + 1) / m instead of k / m."""
    problem = free_problem(4, 2)  # one type of 4 interchangeable people
    rotations = [(0, 1), (1, 2), (2, 3), (0, 3)]
    noise = [0.25 + 2e-9, 0.25 - 2e-9, 0.25 + 1e-9, 0.25 - 1e-9]
    dist = Distribution.from_panels(rotations, noise, n=4, algorithm=Algorithm.LEXIMIN)
    assert np.ptp(dist.probabilities) > 1e-9
    lottery = round_to_lottery(problem, dist, m=7)
    assert lottery.bound == pytest.approx(3 / 7)
    assert sorted(np.bincount(np.concatenate(lottery.panels), minlength=4).tolist()) == [3, 3, 4, 4]


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 8), st.integers(2, 10), st.integers(5, 60), st.data())
def test_polish_never_raises_the_largest_deviation(rows: int, panels: int, m: int, data: st.DataObject) -> None:
    """The moves after the walk keep m panels, never go below zero copies, and never make the worst row worse."""
    from sortition.algorithms.rounding import _polish

    shares = np.array(data.draw(st.lists(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=panels,
                                                  max_size=panels), min_size=rows, max_size=rows)))
    weights = np.array(data.draw(st.lists(st.floats(0.01, 1.0), min_size=panels, max_size=panels)))
    scaled = m * weights / weights.sum()
    counts = np.floor(scaled).astype(np.int64)
    counts[np.argsort(-(scaled - counts), kind="stable")[: m - counts.sum()]] += 1  # some rounding to start from
    polished = _polish(counts, shares, scaled)
    assert polished.sum() == m and polished.min() >= 0
    before = np.abs(shares @ counts - shares @ scaled).max()
    after = np.abs(shares @ polished - shares @ scaled).max()
    assert after <= before + 1e-9


def test_polish_evens_out_an_uneven_rounding() -> None:
    """Two people, two panels each holding one of them: 3 + 1 copies of a 50/50 distribution become 2 + 2."""
    from sortition.algorithms.rounding import _polish

    shares = np.eye(2)
    polished = _polish(np.array([3, 1]), shares, np.array([2.0, 2.0]))
    assert polished.tolist() == [2, 2]


def test_float_noise_that_leaves_one_panel_just_below_one_still_rounds() -> None:
    """m * w = 42.99999988 and three parts of 4e-8 (snapped to 0): the walk once stopped with "no progress"."""
    from sortition.algorithms.rounding import round_counts

    weights = np.array([0.4299999988, 0.19 + 4e-10, 0.19 + 4e-10, 0.19 + 4e-10])
    members = np.array([[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0], [0, 0, 1, 1]])
    counts = round_counts(weights, members, 100)
    assert counts.sum() == 100
    assert counts.tolist() == [43, 19, 19, 19]
