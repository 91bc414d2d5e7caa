"""MAXIMIN: maximise the smallest selection probability (the first stage of LEXIMIN).

Same column generation as :mod:`sortition.algorithms.leximin`, stopped after its first stage: everyone who
can be on a panel is then held at the optimal minimum ``z`` and the final primal LP returns a vertex
distribution (few panels) that gives everyone at least ``z``. Above ``z`` nothing is optimised, so use
LEXIMIN when the higher probabilities matter too.
"""

from __future__ import annotations

from quotas.model import PanelProblem
from sortition.algorithms.base import Algorithm, Distribution, PanelOracle, default_oracle
from sortition.algorithms.colgen import Deadline
from sortition.algorithms.leximin import finish, run_stages
from sortition.progress import NULL_PROGRESS, ProgressReporter


def maximin(problem: PanelProblem, *, progress: ProgressReporter = NULL_PROGRESS,
            time_limit: float | None = None, oracle: PanelOracle | None = None) -> Distribution:
    """A distribution over feasible panels whose smallest selection probability is as large as possible.

    Args:
        problem: the quotas and the pool.
        progress: receives panels found and the current bound.
        time_limit: seconds; when it passes, the best distribution so far is returned.
        oracle: the pricing oracle; defaults to ``quotas.solver.PanelModel(problem)``.

    Raises:
        InfeasibleError: no panel meets the quotas.
        SolverError: an LP could not be solved.
    """
    deadline = Deadline(time_limit)
    oracle = oracle if oracle is not None else default_oracle(problem)
    state = run_stages(problem, oracle, progress, deadline, max_stages=1)
    return finish(problem, state, Algorithm.MAXIMIN, deadline, progress)
