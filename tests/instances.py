"""The published instances (../shared/instances), loaded with the real loaders, for the tests that compare
against them and for the benchmarks; absent on a fresh clone, where those tests skip (``requires_shared``).

The suite's own instances, shaped like these, are generated in generated.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quotas.io import load_quotas
from quotas.model import PanelProblem
from sortition.pool import load_pool

INSTANCES = Path(__file__).resolve().parents[1].parent / "shared" / "instances"

#: Whether the published instances sit beside the repository (they are not part of it).
HAVE_SHARED = INSTANCES.is_dir()
SHARED_REASON = (f"compares against the published instances in {INSTANCES}, which are not part of the "
                 "repository (absent on a fresh clone)")
#: Marks a test that reads the published files in ../shared/instances: skipped with a reason when absent.
requires_shared = pytest.mark.skipif(not HAVE_SHARED, reason=SHARED_REASON)

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
    """One of the published instances at its published panel size, as the solvers see it (the calling test
    skips when the published files are absent)."""
    if not HAVE_SHARED:
        pytest.skip(SHARED_REASON)
    pool, quotas, k = SHARED[name]
    return load_pool(INSTANCES / pool, load_quotas(INSTANCES / quotas, panel_size=k)).problem
