"""Improve a feasible panel by single swaps (one member out, one non-member in), without a solver.

Two uses. *Covering* (``sortition check`` and the first step of the fair algorithms): people not yet on any
panel are swapped onto panels already found (:func:`swap_onto`), so the solver is asked only when swaps
bring nobody new in, which is also what proves that the people left can be on no panel at all.

*Cheap pricing*: column generation only needs *some* panel whose dual weight beats the LP's bound to make
progress; the exact MIP oracle is needed only to prove that none is left. Starting from the panels the LP
currently uses (their weight equals the bound exactly), a swap that raises the weight gives an improving
panel in well under a millisecond, where the MIP takes tens to hundreds of milliseconds.

A swap of ``i`` (on the panel) for ``j`` (off it) keeps the panel feasible when, in every category where
their values differ, ``j``'s value is below its maximum and ``i``'s value above its minimum, and ``j``'s
household has nobody else on the panel. All swaps are checked at once with numpy.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from quotas.model import PanelProblem

#: A swap must raise the panel's weight by more than this.
SWAP_EPSILON = 1e-12
#: At most this many swaps per search (each one raises the weight, so the search always ends).
MAX_SWAPS = 200
#: Each step first looks at only this many of the heaviest candidates to come in (all of them only when
#: none of those gives an improving swap): on large pools (n = 1727) the full (members x non-members)
#: check dominated the whole LEXIMIN run.
CANDIDATES = 128
#: When covering, people not yet on a panel are swapped onto (copies of) at most this many of the latest
#: panels before the solver is asked.
COVER_STARTS = 4


class SwapSearch:
    """Best-improvement swap search on the panels of one problem.

    Example:
        >>> search = SwapSearch(problem)                       # doctest: +SKIP
        >>> better = search.improve(panel, weights)            # doctest: +SKIP
    """

    def __init__(self, problem: PanelProblem, classes: np.ndarray | None = None) -> None:
        """``classes`` (optional, one int per person) groups interchangeable people: same values, and nobody
        else in their household. The search then weighs one person per class and side, since any other would
        give the same swap (the fair algorithms pass their types; weights are equal within a type)."""
        self.classes = None if classes is None else np.asarray(classes, dtype=np.int64)
        self.features = np.asarray(problem.features, dtype=np.int64).reshape(problem.n, -1)
        cats = problem.spec.categories
        width = max(len(c.values) for c in cats) if cats else 1
        self.lo = np.zeros((len(cats), width), dtype=np.int64)
        self.hi = np.full((len(cats), width), problem.k, dtype=np.int64)
        for c, cat in enumerate(cats):
            for v, vq in enumerate(cat.values):
                self.lo[c, v], self.hi[c, v] = vq.min, vq.max
        self.n = problem.n
        hh = problem.households
        self.households = None
        if hh is not None:
            _, inverse = np.unique(np.asarray(hh), return_inverse=True)
            self.households = inverse.reshape(-1).astype(np.int64)

    def _counts(self, inside: np.ndarray) -> np.ndarray:
        counts = np.zeros_like(self.lo)
        for c in range(self.features.shape[1]):
            counts[c] = np.bincount(self.features[inside, c], minlength=counts.shape[1])
        return counts

    def _feasible_swaps(self, out: np.ndarray, into: np.ndarray, counts: np.ndarray,
                        inside: np.ndarray) -> np.ndarray:
        """Boolean (len(out), len(into)): which swaps keep every quota and the household rule."""
        ok = np.ones((len(out), len(into)), dtype=bool)
        rows = np.arange(self.features.shape[1])[:, None]
        can_remove = counts > self.lo
        can_add = counts < self.hi
        fo = self.features[out].T  # (C, len(out))
        fi = self.features[into].T
        rem = can_remove[rows, fo]
        add = can_add[rows, fi]
        for c in range(fo.shape[0]):
            ok &= (fo[c][:, None] == fi[c][None, :]) | (rem[c][:, None] & add[c][None, :])
        if self.households is not None:
            taken = np.bincount(self.households[inside], minlength=self.households.max() + 1)
            ho, hi = self.households[out], self.households[into]
            ok &= (taken[hi] == 0)[None, :] | ((taken[hi] == 1)[None, :] & (ho[:, None] == hi[None, :]))
        return ok

    def _best_swap(self, out: np.ndarray, into: np.ndarray, weights: np.ndarray, counts: np.ndarray,
                   inside: np.ndarray) -> tuple[int, int] | None:
        """The feasible swap of largest gain among the heaviest candidates first, then among all."""
        pools = [into]
        if len(into) > CANDIDATES:
            pools.insert(0, into[np.argpartition(-weights[into], CANDIDATES)[:CANDIDATES]])
        for pool in pools:
            if len(pool) == 0 or len(out) == 0:
                continue
            gain = weights[pool][None, :] - weights[out][:, None]
            gain[~self._feasible_swaps(out, pool, counts, inside)] = -np.inf
            a, b = divmod(int(np.argmax(gain)), len(pool))
            if gain[a, b] > SWAP_EPSILON:
                return int(out[a]), int(pool[b])
        return None

    def _one_per_class(self, people: np.ndarray) -> np.ndarray:
        assert self.classes is not None
        return people[np.unique(self.classes[people], return_index=True)[1]]

    def improve(self, panel: np.ndarray, weights: np.ndarray, max_swaps: int = MAX_SWAPS) -> np.ndarray:
        """A feasible panel at least as heavy as ``panel`` (feasible) that no single swap improves (or after
        ``max_swaps`` improving swaps).

        Only people who could take part in an improving swap are looked at: members lighter than the
        heaviest non-member, and non-members heavier than the lightest member.
        """
        inside = np.zeros(self.n, dtype=bool)
        inside[np.asarray(panel, dtype=np.int64)] = True
        counts = self._counts(inside)
        for _ in range(max_swaps):
            members = np.flatnonzero(inside)
            others = np.flatnonzero(~inside)
            if len(others) == 0:
                break
            top = weights[others].max()
            out = members[weights[members] < top - SWAP_EPSILON]
            if len(out) == 0:
                break
            into = others[weights[others] > weights[out].min() + SWAP_EPSILON]
            if self.classes is not None:
                out, into = self._one_per_class(out), self._one_per_class(into)
            swap = self._best_swap(out, into, weights, counts, inside)
            if swap is None:
                break
            i, j = swap
            inside[i], inside[j] = False, True
            cats = np.arange(counts.shape[0])
            counts[cats, self.features[i]] -= 1
            counts[cats, self.features[j]] += 1
        return np.flatnonzero(inside)


def swap_onto(search: SwapSearch, recent: Iterable[np.ndarray], wanted: np.ndarray) -> np.ndarray | None:
    """A panel holding someone ``wanted`` (weight > 0), made by swaps from one of the ``recent`` panels.

    Each start is tried in turn; None when swaps bring nobody wanted onto any of them (the solver must then
    be asked). Such a panel is always new, as it holds someone no earlier panel held.
    """
    for panel in recent:
        better = search.improve(panel, wanted)
        if wanted[better].any():
            return better
    return None
