"""Build PanelProblems straight from the shared instance CSVs (the real loaders are written elsewhere)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from quotas.model import Category, PanelProblem, QuotaSpec, ValueQuota

INSTANCES = Path(__file__).resolve().parents[1].parent / "shared" / "instances"


def problem_from_csv(pool_csv: Path, quota_csv: Path, k: int, *, value_column: str | None = None,
                     household_column: str | None = None) -> PanelProblem:
    """A PanelProblem from a pool CSV and a ``category,<value>,min,max`` quota CSV."""
    quotas = pd.read_csv(quota_csv, dtype=str, keep_default_na=False)
    cat_col = quotas.columns[0]
    val_col = value_column or quotas.columns[1]
    pool = pd.read_csv(pool_csv, dtype=str, keep_default_na=False)
    categories = []
    for name, rows in quotas.groupby(cat_col, sort=False):
        values = tuple(ValueQuota(str(r[val_col]), int(r["min"]), int(r["max"])) for _, r in rows.iterrows())
        categories.append(Category(str(name), values))
    spec = QuotaSpec(panel_size=k, categories=tuple(categories))
    features = np.zeros((len(pool), len(categories)), dtype=np.int64)
    for c, cat in enumerate(categories):
        index = cat.index_of()
        features[:, c] = [index[v.strip().casefold()] for v in pool[cat.name]]
    households = None
    if household_column is not None:
        households = pd.factorize(pool[household_column])[0].astype(np.int64)
    return PanelProblem(spec, features, households)


def shared_problem(name: str) -> PanelProblem:
    """One of the shared instances at its published panel size."""
    table = {
        "example_small_20": ("example_small_20/respondents.csv", "example_small_20/categories.csv", 20),
        "example_large_200": ("example_large_200/respondents.csv", "example_large_200/categories.csv", 200),
        "sfalgo_fixture_22": ("sfalgo_fixture_22/candidates.csv", "sfalgo_fixture_22/features.csv", 22),
        "diversimax_exact_60": ("diversimax_example_60/participants_pool.csv",
                                "diversimax_example_60/categories_exact_ranges.csv", 60),
        "diversimax_wide_60": ("diversimax_example_60/participants_pool.csv",
                               "diversimax_example_60/categories_wide_ranges.csv", 60),
    }
    pool, quotas, k = table[name]
    return problem_from_csv(INSTANCES / pool, INSTANCES / quotas, k)


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
