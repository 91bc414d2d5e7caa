"""What every fairness algorithm shares: the enum that names it, the result type and the oracle seam.

An algorithm turns a :class:`~quotas.model.PanelProblem` into a :class:`Distribution`: a probability for
each of a few feasible panels, and so a selection probability (marginal) for every person. The panels come
from a *pricing oracle*, "the feasible panel of largest total weight", which
:class:`quotas.solver.PanelModel` provides; tests pass a brute-force oracle through the same
:class:`PanelOracle` protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import numpy as np

from quotas.model import PanelProblem
from quotas.solver import PanelModel
from sortition.progress import NULL_PROGRESS, ProgressReporter

#: Two probabilities closer than this are treated as equal (the LEXIMIN stopping tolerance).
PROBABILITY_TOLERANCE = 5e-4
#: Panel weights below this are dropped from a distribution (then the rest is renormalised).
WEIGHT_EPSILON = 1e-9


class Algorithm(StrEnum):
    """The selection algorithms: ``leximin`` (the default), ``maximin``, ``nash`` and ``legacy``."""

    LEXIMIN = "leximin"
    MAXIMIN = "maximin"
    NASH = "nash"
    LEGACY = "legacy"


class PanelOracle(Protocol):
    """Answers "which feasible panel has the largest total weight?" (``quotas.solver.PanelModel`` does)."""

    def find_panel(self, weights: np.ndarray) -> np.ndarray:
        """Sorted person indices of a feasible panel maximising ``weights[panel].sum()``."""
        ...


@dataclass(frozen=True)
class Distribution:
    """A probability distribution over feasible panels.

    Attributes:
        panels: the panels with positive weight, each a sorted tuple of person indices; sorted.
        weights: the probability of each panel (same order), summing to 1.
        probabilities: array (n,), each person's selection probability
            (the sum of the weights of the panels that hold them).
        algorithm: which algorithm produced it.
        stats: counters for reports and benchmarks (rounds, panels found, runtime in seconds, ...).

    Example:
        >>> d = Distribution.from_panels([(0, 1), (1, 2)], [0.5, 0.5], n=3, algorithm=Algorithm.MAXIMIN)
        >>> d.probabilities.tolist()
        [0.5, 1.0, 0.5]
    """

    panels: tuple[tuple[int, ...], ...]
    weights: tuple[float, ...]
    probabilities: np.ndarray
    algorithm: Algorithm
    stats: Mapping[str, float | int] = field(default_factory=dict)

    @classmethod
    def from_panels(cls, panels: Sequence[Sequence[int]], weights: Sequence[float] | np.ndarray, *, n: int,
                    algorithm: Algorithm, stats: Mapping[str, float | int] | None = None) -> Distribution:
        """Build a distribution: merge duplicate panels, drop tiny weights, renormalise, sort the panels."""
        merged: dict[tuple[int, ...], float] = {}
        for panel, w in zip(panels, weights, strict=True):
            key = tuple(sorted(int(i) for i in panel))
            merged[key] = merged.get(key, 0.0) + max(float(w), 0.0)
        kept = sorted((p, w) for p, w in merged.items() if w > WEIGHT_EPSILON)
        if not kept:
            raise ValueError("a distribution needs at least one panel with positive weight")
        total = sum(w for _, w in kept)
        out_panels = tuple(p for p, _ in kept)
        out_weights = tuple(w / total for _, w in kept)
        return cls(out_panels, out_weights, marginals(out_panels, out_weights, n), algorithm,
                   dict(stats or {}))

    @property
    def n(self) -> int:
        return int(self.probabilities.shape[0])


def marginals(panels: Sequence[Sequence[int]], weights: Sequence[float], n: int) -> np.ndarray:
    """Each person's probability: the total weight of the panels that contain them."""
    probs = np.zeros(n)
    for panel, w in zip(panels, weights, strict=True):
        probs[np.asarray(panel, dtype=np.int64)] += w
    return probs


class DistributionFunc(Protocol):
    """The shape every LP-based algorithm has (``oracle`` is for tests and benchmarks)."""

    def __call__(self, problem: PanelProblem, *, progress: ProgressReporter = NULL_PROGRESS,
                 time_limit: float | None = None, oracle: PanelOracle | None = None) -> Distribution: ...


def default_oracle(problem: PanelProblem) -> PanelOracle:
    """The production oracle (solvers load only when it first solves)."""
    return PanelModel(problem)


def gini(probabilities: np.ndarray) -> float:
    """Gini coefficient of the selection probabilities (0 = everyone equal)."""
    p = np.sort(np.asarray(probabilities, dtype=float))
    n = p.size
    if n == 0 or p.sum() <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2 * ranks - n - 1) @ p / (n * p.sum()))


ProgressCallback = Callable[[str], None]
