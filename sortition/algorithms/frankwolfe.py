"""Frank-Wolfe pricing for a LEXIMIN stage: panels that move the current distribution towards a target.

The usual pricing of column generation (the heaviest panel for the LP's dual weights) makes little progress
per round on large pools late in LEXIMIN: the vertex duals sit on a few dozen types, a new panel helps only
those, and the next LP's duals sit on others, so a late stage on the paper-shaped n=1727 pool needed over a
hundred rounds, nearly all of their time re-solving the LP (measured: docs/performance.md).

Here the panels come from a primal method instead. Starting from the LP's distribution, *pairwise
Frank-Wolfe* minimises the squared shortfall from a target, ``sum_i (b_i - p_i)_+^2``, over the convex hull
of the feasible panels; ``b_i`` is a fixed person's fixed value, and the stage's upper bound on the level for
everyone else. Its linear step needs the heaviest panel when each person weighs their shortfall: a swap
search (:mod:`quotas.localsearch`, no solver) from the heaviest panel in use. The pairwise step then moves
probability from the lightest panel in use to that one, as far as an exact line search says. The shortfall
weights are spread over everyone still below the target, so each new panel helps many people at once, and
steps need no LP. The panels stepped to are handed to the LP, which finds the best level over them; whether
a stage may end is still decided only by the LP and its bounds (this module never proves anything).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from quotas.localsearch import SwapSearch
from sortition.algorithms.base import WEIGHT_EPSILON
from sortition.algorithms.colgen import PanelSet

#: Swaps per linear step: a heavier panel is all a step needs, and early in LEXIMIN, when nearly everyone is
#: below the target, a full swap search is slow on large pools (measured: docs/performance.md).
STEP_SWAPS = 20
#: A new panel must beat the heaviest in use by this share of the largest shortfall: a smaller gain cannot
#: lower the squared shortfall in floating point (found by the property test: a gain of 2e-12 against a
#: shortfall of 1 added a panel and left the shortfall at exactly 1.0).
STEP_GAIN = 1e-9
#: Bisection steps of the line search (the step is then exact to 2**-40 of its range).
LINE_SEARCH_STEPS = 40


def _line_search(gap: np.ndarray, direction: np.ndarray, sizes: np.ndarray, longest: float) -> float:
    """The step ``g`` in [0, longest] that minimises ``sum_t s_t (gap_t - g d_t)_+^2`` (convex in ``g``)."""

    def slope(g: float) -> float:
        return -float(sizes @ (np.maximum(gap - g * direction, 0.0) * direction))

    if slope(longest) <= 0.0:
        return longest
    lo, hi = 0.0, longest
    for _ in range(LINE_SEARCH_STEPS):
        mid = (lo + hi) / 2
        if slope(mid) > 0.0:
            hi = mid
        else:
            lo = mid
    return lo


class Steps(NamedTuple):
    """What :func:`frank_wolfe_panels` did."""

    added: int  # new panels
    shortfall_before: float  # sum over people of (target - probability)_+^2, at the start
    shortfall_after: float  # the same after the steps (never more)


def _shortfall(targets: np.ndarray, probs: np.ndarray, sizes: np.ndarray) -> float:
    gap = np.maximum(targets - probs, 0.0)
    return float(sizes @ (gap * gap))


def frank_wolfe_panels(search: SwapSearch, panels: PanelSet, weights: np.ndarray, targets: np.ndarray,
                       steps: int, stop: Callable[[], bool] = lambda: False) -> Steps:
    """Up to ``steps`` pairwise Frank-Wolfe steps from the distribution ``weights`` towards ``targets``.

    Args:
        search: swap search on the problem the panels belong to.
        panels: the panels found so far; the panels stepped to are added to it.
        weights: probability of each of the first ``len(weights)`` panels (the LP's distribution).
        targets: per type, the probability each member should reach (0 for types that need none).
        steps: the most steps to take; fewer when every target is met or swaps find no heavier panel.
        stop: asked before each step; True ends the steps (a time limit).

    Returns:
        How many new panels were added, and the squared shortfall before and after.
    """
    types = panels.types
    sizes = types.sizes.astype(float)
    used = np.flatnonzero(weights > WEIGHT_EPSILON)
    capacity = len(used) + steps
    counts = np.zeros((types.count, capacity))  # type counts of the panels in use, one column each
    share = np.zeros(capacity)  # the probability of each
    members: list[np.ndarray] = []
    position: dict[bytes, int] = {}
    for col, j in enumerate(used.tolist()):
        counts[:, col] = panels.dense_counts(j)
        share[col] = weights[j]
        members.append(panels.representative(j))
        position[counts[:, col].tobytes()] = col
    share /= share.sum()
    probs = counts @ share / sizes
    before = _shortfall(targets, probs, sizes)
    added = 0
    for _ in range(steps):
        if stop():
            break
        gap = np.maximum(targets - probs, 0.0)
        if not gap.any():
            break
        heft = counts[:, :len(members)].T @ gap  # each panel's weight: its members' shortfalls
        live = share[:len(members)] > 0.0
        heaviest = int(np.argmax(np.where(live, heft, -np.inf)))
        lightest = int(np.argmin(np.where(live, heft, np.inf)))
        person_gap = gap[types.type_of]
        panel = search.improve(members[heaviest], person_gap, STEP_SWAPS)
        if float(person_gap[panel].sum()) <= heft[heaviest] + STEP_GAIN * float(gap.max()):
            break  # swaps find nothing heavier: leave the rest to the exact oracle
        panel_counts = types.counts(panel).astype(float)
        known = position.get(panel_counts.tobytes())
        col = len(members) if known is None else known
        if known is None:
            counts[:, col] = panel_counts
            members.append(panel)
            position[panel_counts.tobytes()] = col
            added += panels.add(panel)
        direction = (counts[:, col] - counts[:, lightest]) / sizes
        step = _line_search(gap, direction, sizes, float(share[lightest]))
        probs += step * direction
        share[lightest] -= step
        share[col] += step
        if share[lightest] <= WEIGHT_EPSILON:
            share[lightest] = 0.0
    return Steps(added, before, _shortfall(targets, probs, sizes))
