"""Selection algorithms: each turns a PanelProblem into a Distribution over feasible panels.

Choose one with :class:`Algorithm`; :data:`DISTRIBUTION_ALGORITHMS` maps the LP-based ones to their function
(LEGACY is stream-driven and lives in ``sortition.algorithms.legacy``, outside this registry). The functions
are not re-exported here under their own names, so ``sortition.algorithms.leximin`` is always the module.

Example:
    >>> dist = find_distribution(problem, Algorithm.LEXIMIN)   # doctest: +SKIP
"""

from __future__ import annotations

from quotas.model import PanelProblem
from sortition.algorithms.base import (
    PROBABILITY_TOLERANCE,
    Algorithm,
    Distribution,
    DistributionFunc,
    PanelOracle,
    gini,
)
from sortition.algorithms.leximin import leximin as _leximin
from sortition.algorithms.maximin import maximin as _maximin
from sortition.algorithms.nash import nash as _nash
from sortition.progress import NULL_PROGRESS, ProgressReporter

DISTRIBUTION_ALGORITHMS: dict[Algorithm, DistributionFunc] = {
    Algorithm.LEXIMIN: _leximin,
    Algorithm.MAXIMIN: _maximin,
    Algorithm.NASH: _nash,
}


def find_distribution(problem: PanelProblem, algorithm: Algorithm | str, *,
                      progress: ProgressReporter = NULL_PROGRESS, time_limit: float | None = None,
                      oracle: PanelOracle | None = None) -> Distribution:
    """Run one of the LP-based algorithms.

    Raises:
        ValueError: ``algorithm`` is LEGACY or unknown (LEGACY draws panels directly, see
            ``sortition.algorithms.legacy``).
        InfeasibleError: no panel meets the quotas.
        SolverError: a solver failed.
    """
    algo = Algorithm(algorithm)
    if algo not in DISTRIBUTION_ALGORITHMS:
        raise ValueError(f"{algo.value} does not produce a distribution over panels; "
                         f"choose one of {', '.join(a.value for a in DISTRIBUTION_ALGORITHMS)}")
    return DISTRIBUTION_ALGORITHMS[algo](problem, progress=progress, time_limit=time_limit, oracle=oracle)


__all__ = [
    "DISTRIBUTION_ALGORITHMS",
    "PROBABILITY_TOLERANCE",
    "Algorithm",
    "Distribution",
    "DistributionFunc",
    "PanelOracle",
    "find_distribution",
    "gini",
]
