"""The shared public instances (../shared/instances), loaded with the real loaders, for tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

from quotas.io import load_quotas
from quotas.model import PanelProblem
from sortition.pool import load_pool

INSTANCES = Path(__file__).resolve().parents[1].parent / "shared" / "instances"

#: name -> (pool file, quota file, panel size), paths relative to INSTANCES.
SHARED = {
    "example_small_20": ("example_small_20/respondents.csv", "example_small_20/categories.csv", 20),
    "example_large_200": ("example_large_200/respondents.csv", "example_large_200/categories.csv", 200),
    "sfalgo_fixture_22": ("sfalgo_fixture_22/candidates.csv", "sfalgo_fixture_22/features.csv", 22),
    "diversimax_wide_60": ("diversimax_example_60/participants_pool.csv",
                           "diversimax_example_60/categories_wide_ranges.csv", 60),
    "diversimax_exact_60": ("diversimax_example_60/participants_pool.csv",
                            "diversimax_example_60/categories_exact_ranges.csv", 60),
}


def shared_problem(name: str) -> PanelProblem:
    """One of the shared instances at its published panel size, as the solvers see it."""
    pool, quotas, k = SHARED[name]
    return load_pool(INSTANCES / pool, load_quotas(INSTANCES / quotas, panel_size=k)).problem
