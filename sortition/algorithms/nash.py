"""NASH: maximise the sum of the logarithms of the selection probabilities (the Nash welfare).

Method (our own choice, documented so it can be checked): fully corrective Frank-Wolfe with column
generation. The objective ``f(p) = sum_i log p_i`` is concave and its gradient is ``1/p_i``, so

1. the *restricted master* maximises ``f`` over mixtures of the panels found so far. It is solved with the
   classic multiplicative (EM) update ``w_j <- w_j * (1/n) sum_{i in P_j} 1/p_i``, which keeps the weights
   a probability vector and increases ``f`` monotonically (the fixed points are the optima);
2. *pricing* asks the oracle for the panel of largest total weight ``1/p_i``. For any distribution ``q``,
   concavity gives ``f(q) - f(p) <= sum_i q_i / p_i - n``, and the right side is largest at a single
   panel, so ``gap = max_P sum_{i in P} 1/p_i - n`` bounds the distance to the optimum. We stop when the
   gap is below ``NASH_GAP * n`` (the geometric mean of the probabilities is then within about 0.1% of
   optimal) or no new panel appears.

People who can be on no feasible panel get probability 0 and are left out of the objective (otherwise it
would be minus infinity for every distribution).
"""

from __future__ import annotations

import numpy as np

from quotas.localsearch import SwapSearch
from quotas.model import PanelProblem
from sortition.algorithms.base import Algorithm, Distribution, PanelOracle, default_oracle
from sortition.algorithms.colgen import Deadline, starting_panels
from sortition.algorithms.leximin import to_distribution
from sortition.algorithms.symmetry import TypePartition
from sortition.progress import NULL_PROGRESS, ProgressReporter

#: Stop when the Frank-Wolfe gap per person is below this.
NASH_GAP = 1e-3
#: Multiplicative updates of the restricted master per pricing round (at most).
MASTER_ITERATIONS = 2000


def _solve_master(a: np.ndarray, sizes: np.ndarray, w: np.ndarray, tol: float) -> np.ndarray:
    """Maximise sum(sizes * log(a @ w)) over the probability simplex, from ``w`` (all entries > 0).

    ``a`` is the share matrix (types, panels); ``sizes`` the number of people per type.
    """
    n = float(sizes.sum())
    for _ in range(MASTER_ITERATIONS):
        p = a @ w
        grad = (sizes / p) @ a  # sum_{i in P_j} 1/p_i, for every panel j
        if grad.max() - n <= tol * n:
            break
        w = w * grad / n
        w /= w.sum()
    return w


def nash(problem: PanelProblem, *, progress: ProgressReporter = NULL_PROGRESS,
         time_limit: float | None = None, oracle: PanelOracle | None = None) -> Distribution:
    """The distribution over feasible panels with the largest product of selection probabilities.

    Args:
        problem: the quotas and the pool.
        progress: receives panels found and the current gap.
        time_limit: seconds; when it passes, the best distribution so far is returned
            (``stats["time_limit_reached"] == 1``).
        oracle: the pricing oracle; defaults to ``quotas.solver.PanelModel(problem)``.

    Raises:
        InfeasibleError: no panel meets the quotas.
    """
    deadline = Deadline(time_limit)
    oracle = oracle if oracle is not None else default_oracle(problem)
    types = TypePartition.of(problem)
    found, impossible = starting_panels(oracle, types, problem.k, deadline=deadline, search=SwapSearch(problem))
    possible = ~impossible
    sizes = types.sizes[possible]
    n_possible = int(sizes.sum())
    progress.start("Nash welfare", total=None)
    w = np.full(len(found), 1.0 / len(found))
    rounds, gap, limit_hit = 0, float("inf"), 0
    while True:
        a = found.share_matrix()[possible]
        w = _solve_master(a, sizes, w, NASH_GAP / 2)
        probs = np.zeros(types.count)
        probs[possible] = a @ w
        type_weights = np.zeros(types.count)
        type_weights[possible] = 1.0 / probs[possible]
        weights = types.per_person(type_weights)
        panel = oracle.find_panel(weights)
        rounds += 1
        gap = float(weights[panel].sum()) - n_possible
        progress.update(advance=1, message=f"{len(found)} panels, gap per person {gap / n_possible:.5f}")
        if gap <= NASH_GAP * n_possible or not found.add(panel):
            break
        if deadline.passed():
            limit_hit = 1
            break
        w = np.append(w * (1 - 1 / (rounds + 2)), 1 / (rounds + 2))  # the new panel starts with some weight
    stats = {"rounds": rounds, "panels_found": len(found), "gap": gap / max(n_possible, 1),
             "impossible": int(types.sizes[impossible].sum()), "types": types.count,
             "time_limit_reached": limit_hit, "runtime": deadline.elapsed()}
    w = np.concatenate([w, np.zeros(len(found) - len(w))])  # a panel added just before the deadline
    dist = to_distribution(problem, found, w, Algorithm.NASH, stats)
    progress.finish(f"{len(dist.panels)} panels")
    return dist
