"""The legacy greedy: valid panels, exact replay from the stream, and its probability profile on the paper's
Alternate instance (generated; against the published profile when ../shared is present)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from generated import generated_problem, instance
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from instances import INSTANCES, requires_shared, shared_problem

from quotas.errors import InfeasibleError, SolverError
from quotas.model import Category, PanelProblem, QuotaSpec, ValueQuota
from sortition.algorithms.legacy import (
    MONTE_CARLO_KEY,
    LegacyEstimate,
    legacy_panel,
    legacy_probabilities,
)
from sortition.randomness import LEGACY_LABEL, Stream, derive_key

SMALL_20 = INSTANCES / "example_small_20"
COMMITMENT = bytes(range(32))
#: Characters a seed may hold (sortition.randomness refuses controls, format characters, odd spaces, ...).
SEED_CHARS = st.characters(exclude_categories=("Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp", "Zs")) | st.just(" ")


@pytest.fixture(scope="module")
def small_20() -> PanelProblem:
    """Alternate(200, 20), the shape of example_small_20."""
    return generated_problem("alternate_20")


def key(seed: str) -> bytes:
    return derive_key(COMMITMENT, seed)


class RecordingStream(Stream):
    """A real stream that remembers the ``n`` of every ``uniform(n)`` call."""

    def __init__(self, key: bytes, label: str) -> None:
        super().__init__(key, label)
        self.calls: list[int] = []

    def uniform(self, n: int) -> int:
        self.calls.append(n)
        return super().uniform(n)


# ---------------------------------------------------------------- random small instances


@st.composite
def planted_problems(draw: st.DrawFn) -> PanelProblem:
    """A random pool with quotas built around a planted valid panel, so the instance is feasible."""
    n = draw(st.integers(2, 12))
    k = draw(st.integers(1, min(n, 6)))
    n_cats = draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 3)) for _ in range(n_cats)]
    features = np.array([[draw(st.integers(0, s - 1)) for s in sizes] for _ in range(n)], dtype=np.int64)
    planted = draw(st.permutations(range(n)))[:k]
    categories = []
    for c, size in enumerate(sizes):
        counts = np.bincount(features[planted, c], minlength=size)
        values = []
        for j, have in enumerate(counts.tolist()):
            lo = have - draw(st.integers(0, have))
            values.append(ValueQuota(f"v{j}", lo, have + draw(st.integers(0, 2))))
        categories.append(Category(f"c{c}", tuple(values)))
    households = None
    if draw(st.booleans()):
        households = np.array([draw(st.integers(0, n + k - 1)) for _ in range(n)], dtype=np.int64)
        households[planted] = n + np.arange(k)  # planted members in distinct households
    problem = PanelProblem(QuotaSpec(k, tuple(categories)), features, households)
    assert problem.panel_violations(planted) == []
    return problem


@st.composite
def any_problems(draw: st.DrawFn) -> PanelProblem:
    """A random small instance, feasible or not (bounds only satisfy the spec's own checks)."""
    n = draw(st.integers(1, 9))
    k = draw(st.integers(1, 5))
    sizes = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(1, 2)))]
    features = np.array([[draw(st.integers(0, s - 1)) for s in sizes] for _ in range(n)], dtype=np.int64)
    categories = []
    for c, size in enumerate(sizes):
        mins = [draw(st.integers(0, k)) for _ in range(size)]
        while sum(mins) > k:
            mins[mins.index(max(mins))] -= 1
        maxs = [lo + draw(st.integers(0, k)) for lo in mins]
        maxs[-1] = max(maxs[-1], k)
        quotas = tuple(ValueQuota(f"v{j}", lo, hi) for j, (lo, hi) in enumerate(zip(mins, maxs, strict=True)))
        categories.append(Category(f"c{c}", quotas))
    households = np.array([draw(st.integers(0, n)) for _ in range(n)]) if draw(st.booleans()) else None
    return PanelProblem(QuotaSpec(k, tuple(categories)), features, households)


def is_feasible(problem: PanelProblem) -> bool:
    subsets = itertools.combinations(range(problem.n), problem.k)
    return any(not problem.panel_violations(list(p)) for p in subsets)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=planted_problems(), seed=st.text(SEED_CHARS, min_size=1, max_size=8).filter(lambda s: s.strip() != ""))
def test_panels_meet_quotas_and_replay_exactly(problem: PanelProblem, seed: str) -> None:
    panel = legacy_panel(problem, Stream(key(seed), LEGACY_LABEL))
    assert problem.panel_violations(list(panel)) == []
    assert list(panel) == sorted(set(panel))
    assert legacy_panel(problem, Stream(key(seed), LEGACY_LABEL)) == panel


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=any_problems())
def test_never_returns_an_invalid_panel(problem: PanelProblem) -> None:
    """On any instance the result is a valid panel or an error; infeasible instances always raise."""
    feasible = is_feasible(problem)
    try:
        panel = legacy_panel(problem, Stream(key("any"), LEGACY_LABEL), max_restarts=50)
    except (InfeasibleError, SolverError):
        return
    assert feasible
    assert problem.panel_violations(list(panel)) == []


# ---------------------------------------------------------------- the stream and the exact rule


def test_stream_consumption_is_one_uniform_per_pick(small_20: PanelProblem) -> None:
    stream = RecordingStream(key("dice: 3 5 1"), LEGACY_LABEL)
    legacy_panel(small_20, stream)
    # this pool never dead-ends, so one attempt of k picks: exactly k uniform calls
    assert len(stream.calls) == 20
    # pick 1: liberal has the largest ratio 9/99 -> 99 candidates; pick 2: male 9/100 beats
    # conservative 9/101, liberal 8/98 and female 8/99 -> 100 candidates
    assert stream.calls[:2] == [99, 100]


def test_golden_panel(small_20: PanelProblem) -> None:
    """A fixed key gives a fixed panel: any change to the rule or stream order shows up here."""
    panel = legacy_panel(small_20, Stream(key("golden"), LEGACY_LABEL))
    assert panel == GOLDEN_PANEL


#: On generated.alternate(20); a regression value of this code (a change to the rule or the stream shows up).
GOLDEN_PANEL = (14, 18, 25, 26, 28, 55, 66, 74, 92, 94, 105, 109, 111, 127, 133, 141, 170, 174, 177, 197)


def test_different_keys_give_different_panels(small_20: PanelProblem) -> None:
    panels = {legacy_panel(small_20, Stream(key(f"seed {i}"), LEGACY_LABEL)) for i in range(10)}
    assert len(panels) >= 9


def test_independent_of_hash_seed() -> None:
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from test_legacy import generated_problem, key;"
        "from sortition.algorithms.legacy import legacy_panel;"
        "from sortition.randomness import Stream;"
        "print(legacy_panel(generated_problem('alternate_20'), Stream(key('h'), 'legacy')))")
    outputs = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent)], env=env,
                             capture_output=True, text=True, check=True)
        outputs.add(run.stdout)
    assert len(outputs) == 1


# ---------------------------------------------------------------- errors


def spec_2x(k: int, lo: int = 0) -> QuotaSpec:
    return QuotaSpec(k, (Category("g", (ValueQuota("a", lo, k), ValueQuota("b", 0, k))),))


def test_pool_smaller_than_panel_is_infeasible() -> None:
    problem = PanelProblem(spec_2x(3), np.zeros((2, 1), dtype=np.int64))
    with pytest.raises(InfeasibleError, match="fewer than the panel size"):
        legacy_panel(problem, Stream(key("x"), LEGACY_LABEL))


def test_minimum_above_value_count_is_infeasible() -> None:
    problem = PanelProblem(spec_2x(2, lo=2), np.array([[0], [1], [1]]))
    with pytest.raises(InfeasibleError, match="g a: the minimum is 2 but only 1"):
        legacy_panel(problem, Stream(key("x"), LEGACY_LABEL))


def test_gives_up_after_max_restarts() -> None:
    # two people, one household, panel of two: every attempt dead-ends
    problem = PanelProblem(spec_2x(2), np.array([[0], [1]]), households=np.array([7, 7]))
    stream = RecordingStream(key("x"), LEGACY_LABEL)
    with pytest.raises(SolverError, match="in 6 attempts"):
        legacy_panel(problem, stream, max_restarts=5)
    assert len(stream.calls) == 6  # one pick per attempt, the stream continues across restarts


# ---------------------------------------------------------------- Monte Carlo


def test_monte_carlo_is_deterministic_and_sums_to_k(small_20: PanelProblem) -> None:
    first = legacy_probabilities(small_20, runs=300)
    again = legacy_probabilities(small_20, runs=300)
    assert isinstance(first, LegacyEstimate)
    assert np.array_equal(first.probabilities, again.probabilities)
    assert first.probabilities.sum() == pytest.approx(20)
    assert first.runs == 300 and "300 runs" in first.note and "estimate" in first.note.lower()
    other = legacy_probabilities(small_20, runs=300, key=bytes(32))
    assert not np.array_equal(first.probabilities, other.probabilities)
    assert bytes(32) != MONTE_CARLO_KEY


def test_tight_real_world_fixture() -> None:
    """sortition-algorithms' 22-seat fixture: 4 categories, 20 values, two of them empty, one with max 0."""
    problem = generated_problem("tight_22")
    for i in range(5):
        panel = legacy_panel(problem, Stream(key(f"fixture {i}"), LEGACY_LABEL))
        assert problem.panel_violations(list(panel)) == []
    estimate = legacy_probabilities(problem, runs=50)
    assert estimate.probabilities.sum() == pytest.approx(22)
    assert estimate.restarts > 0  # tight quotas: the greedy regularly starts over


@pytest.mark.slow
def test_profile_on_alternate_is_far_from_equal(small_20: PanelProblem) -> None:
    """On Alternate(200, 20) the greedy almost never takes the one female conservative (her value pair is the
    scarce one), while everyone else gets about k/n; LEXIMIN gives everyone k/n = 10%."""
    estimate = legacy_probabilities(small_20, runs=4000).probabilities
    rows = instance("alternate_20").pool_rows
    lone = rows.index(("female", "conservative"))
    assert rows.count(("female", "conservative")) == 1
    assert int(np.argmin(estimate)) == lone
    others = np.delete(estimate, lone)
    assert estimate[lone] < 0.03 and others.min() > 0.07  # a third of k/n at most, against about k/n


@pytest.mark.slow
@requires_shared
def test_matches_published_legacy_profile() -> None:
    """Flanigan et al.'s published legacy probabilities: the one female conservative gets about 1%."""
    ref = pd.read_csv(SMALL_20 / "reference_output" / "example_small_20_prob_allocs_data.csv")
    published = np.sort(ref.loc[ref.algorithm == "Legacy", "selection probability"].to_numpy())
    estimate = legacy_probabilities(shared_problem("example_small_20"), runs=4000).probabilities
    ours = np.sort(estimate)
    assert int(np.argmin(estimate)) == 0  # row 2 of respondents.csv: female, conservative
    assert abs(ours[0] - published[0]) < 0.01
    assert abs(ours[-1] - published[-1]) < 0.02
    assert np.abs(ours[1:] - published[1:]).mean() < 0.005
    assert ours[0] < 0.03 < 0.09 < ours[1]  # far from equal: LEXIMIN gives everyone 10%
