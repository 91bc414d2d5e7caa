"""Build PanelProblems straight from the shared instance CSVs (the real loaders are written elsewhere)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

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
