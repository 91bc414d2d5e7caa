"""Test helpers for the fairness core: shared instances from CSV and a brute-force pricing oracle."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from quotas.model import Category, PanelProblem, QuotaSpec, ValueQuota

INSTANCES = Path(__file__).resolve().parents[1].parent / "shared" / "instances"


def load_instance(pool_csv: Path, quota_csv: Path, k: int) -> PanelProblem:
    """A PanelProblem from a pool CSV and a ``category,<value>,min,max`` quota CSV (extra columns ignored)."""
    quotas = pd.read_csv(quota_csv, dtype=str, keep_default_na=False)
    cat_col, val_col = quotas.columns[0], quotas.columns[1]
    pool = pd.read_csv(pool_csv, dtype=str, keep_default_na=False)
    categories = []
    for name, rows in quotas.groupby(cat_col, sort=False):
        values = tuple(ValueQuota(str(r[val_col]), int(r["min"]), int(r["max"])) for _, r in rows.iterrows())
        categories.append(Category(str(name), values))
    features = np.zeros((len(pool), len(categories)), dtype=np.int64)
    for c, cat in enumerate(categories):
        index = cat.index_of()
        features[:, c] = [index[v.strip().casefold()] for v in pool[cat.name]]
    return PanelProblem(QuotaSpec(panel_size=k, categories=tuple(categories)), features)


SHARED = {
    "example_small_20": ("example_small_20/respondents.csv", "example_small_20/categories.csv", 20),
    "example_large_200": ("example_large_200/respondents.csv", "example_large_200/categories.csv", 200),
    "sfalgo_fixture_22": ("sfalgo_fixture_22/candidates.csv", "sfalgo_fixture_22/features.csv", 22),
    "diversimax_wide_60": ("diversimax_example_60/participants_pool.csv",
                           "diversimax_example_60/categories_wide_ranges.csv", 60),
    "diversimax_exact_60": ("diversimax_example_60/participants_pool.csv",
                            "diversimax_example_60/categories_exact_ranges.csv", 60),
}


def shared_instance(name: str) -> PanelProblem:
    """One of the shared instances (README in /work/shared/instances) at its published panel size."""
    pool, quotas, k = SHARED[name]
    return load_instance(INSTANCES / pool, INSTANCES / quotas, k)


def all_feasible_panels(problem: PanelProblem) -> list[tuple[int, ...]]:
    """Every feasible panel, by enumeration (only for tiny pools)."""
    return [c for c in itertools.combinations(range(problem.n), problem.k) if not problem.panel_violations(c)]


class BruteForceOracle:
    """Exact pricing by enumerating every feasible panel; ties go to the lexicographically first panel."""

    def __init__(self, problem: PanelProblem) -> None:
        self.panels = all_feasible_panels(problem)
        self.matrix = np.zeros((len(self.panels), problem.n))
        for j, p in enumerate(self.panels):
            self.matrix[j, list(p)] = 1.0

    def find_panel(self, weights: np.ndarray) -> np.ndarray:
        if not self.panels:
            from quotas.errors import InfeasibleError

            raise InfeasibleError("no panel meets the quotas")
        return np.asarray(self.panels[int(np.argmax(self.matrix @ weights))], dtype=np.int64)
