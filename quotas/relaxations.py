"""The smallest change to the quotas that lets a panel exist, for an infeasible problem.

:func:`relaxations_for` solves an integer MIP with a slack on every min and max and returns the smallest
total quota change (in people) that makes a panel possible, e.g. ``Relaxation("age", "65+", "max", 2, 3)``.
The panel oracle (:mod:`quotas.solver`) attaches it to its InfeasibleError, and :mod:`quotas.diagnose`
reports it; both import it from here.
"""

from __future__ import annotations

import numpy as np

from quotas import lp
from quotas.errors import InfeasibleError, Relaxation
from quotas.model import PanelProblem, household_groups, quota_rows


def relaxations_for(problem: PanelProblem) -> tuple[Relaxation, ...]:
    """The smallest total change to the quota bounds that lets a panel exist (empty when feasible).

    Every min may drop (not below 0) and every max may rise; the cost of a change is its size in people.

    Raises:
        InfeasibleError: when no quota change helps: the pool has fewer than ``k`` people or households.
    """
    rows = quota_rows(problem)
    n, r, k = problem.n, len(rows), problem.k
    h = lp.new_highs()
    # columns: x (n people), then a min-slack and a max-slack per quota row
    lower = np.zeros(n + 2 * r)
    upper = np.concatenate([np.ones(n), [q.lo for q in rows], np.full(r, float(k))])
    cost = np.concatenate([np.zeros(n), np.ones(2 * r)])
    h.addVars(len(lower), lower, upper)
    h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
    lp.make_integer(h, len(cost))
    inf = lp.INF
    h.addRow(k, k, n, np.arange(n, dtype=np.int32), np.ones(n))
    for j, q in enumerate(rows):
        idx = q.members.astype(np.int32)
        ones = np.ones(len(idx))
        h.addRow(q.lo, inf, len(idx) + 1, np.append(idx, n + j).astype(np.int32), np.append(ones, 1.0))
        h.addRow(-inf, q.hi, len(idx) + 1, np.append(idx, n + r + j).astype(np.int32), np.append(ones, -1.0))
    for g in household_groups(problem):
        h.addRow(-inf, 1, len(g), g.astype(np.int32), np.ones(len(g)))
    h.run()
    if not lp.is_optimal(h):
        raise InfeasibleError(_too_small_message(problem))
    slack = np.rint(np.asarray(h.getSolution().col_value)[n:]).astype(int)
    out = []
    for j, q in enumerate(rows):
        cat = problem.spec.categories[q.category]
        name = cat.values[q.value].value
        if slack[j]:
            out.append(Relaxation(cat.name, name, "min", q.lo, q.lo - int(slack[j])))
        if slack[r + j]:
            out.append(Relaxation(cat.name, name, "max", q.hi, q.hi + int(slack[r + j])))
    return tuple(out)


def _too_small_message(problem: PanelProblem) -> str:
    groups = household_groups(problem)
    units = problem.n - sum(len(g) - 1 for g in groups)
    what = f"{units} households" if groups else f"{problem.n} people"
    return (f"The pool has only {what}, fewer than the panel size {problem.k}; no quota change can fix "
            "this. Invite more people or choose a smaller panel.")


__all__ = ["relaxations_for"]
