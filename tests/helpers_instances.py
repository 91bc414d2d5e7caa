"""Test helpers for the fairness core: a brute-force pricing oracle (published instances come from instances.py,
generated ones from generated.py)."""

from __future__ import annotations

import itertools

import numpy as np
from instances import SHARED, requires_shared, shared_problem  # noqa: F401  (re-exported for tests, benchmark)

from quotas.model import PanelProblem


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
