"""Tiny random instances and brute force for the solver and diagnosis tests; published instances via instances.py."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st
from instances import requires_shared, shared_problem  # noqa: F401  (re-exported for the solver tests)

from quotas.model import Category, PanelProblem, QuotaSpec, ValueQuota

# ---- tiny random instances and brute force, for the hypothesis tests ----

def _bounds(draw: st.DrawFn, n_values: int, k: int) -> list[tuple[int, int]]:
    mins = [draw(st.integers(0, 2)) for _ in range(n_values)]
    maxs = [m + draw(st.integers(0, 3)) for m in mins]
    while sum(mins) > k:  # repair so the spec is valid on its own
        j = mins.index(max(mins))
        mins[j] -= 1
    if sum(maxs) < k:
        maxs[-1] += k - sum(maxs)
    return list(zip(mins, maxs, strict=True))


@st.composite
def tiny_problems(draw: st.DrawFn, *, households: bool | None = None, max_n: int = 10) -> PanelProblem:
    """Random problems with n <= max_n, 1-3 categories of 2-3 values, optional households."""
    n = draw(st.integers(2, max_n))
    k = draw(st.integers(1, min(n, 5)))
    cats = []
    for c in range(draw(st.integers(1, 3))):
        bounds = _bounds(draw, draw(st.integers(2, 3)), k)
        values = tuple(ValueQuota(f"v{j}", lo, hi) for j, (lo, hi) in enumerate(bounds))
        cats.append(Category(f"c{c}", values))
    features = np.array([[draw(st.integers(0, len(cat.values) - 1)) for cat in cats] for _ in range(n)],
                        dtype=np.int64).reshape(n, len(cats))
    use_hh = draw(st.booleans()) if households is None else households
    hh = np.array([draw(st.integers(0, max(1, n - 2))) for _ in range(n)], dtype=np.int64) if use_hh else None
    return PanelProblem(QuotaSpec(panel_size=k, categories=tuple(cats)), features, hh)


def size_k_panels(problem: PanelProblem) -> list[tuple[int, ...]]:
    """Every set of k people that keeps the household rule (quotas not checked)."""
    out = []
    for combo in itertools.combinations(range(problem.n), problem.k):
        if problem.households is not None and len(set(problem.households[list(combo)].tolist())) < len(combo):
            continue
        out.append(combo)
    return out


def valid_panels(problem: PanelProblem) -> list[tuple[int, ...]]:
    """Every panel meeting all rules, by brute force."""
    return [p for p in size_k_panels(problem) if not problem.panel_violations(list(p))]


def relaxation_cost(problem: PanelProblem, panel: tuple[int, ...]) -> int:
    """How many people of quota change this panel needs (sum of shortfalls and excesses)."""
    cost = 0
    for c, cat in enumerate(problem.spec.categories):
        counts = np.bincount(problem.features[list(panel), c], minlength=len(cat.values))
        for j, vq in enumerate(cat.values):
            cost += max(0, vq.min - int(counts[j])) + max(0, int(counts[j]) - vq.max)
    return cost
