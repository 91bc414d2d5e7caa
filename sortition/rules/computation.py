"""What a lottery file says about its computation: whether the time limit stopped it, and how far it may be
from the fairest lottery.

``prepare`` has a time limit (10 minutes unless told otherwise). When it is reached, the fairest lottery found
so far is kept, and the lottery file's ``statistics`` say so: ``time_limit_reached`` is 1,
``min_probability_reached`` is the lowest probability reached (before rounding to the lottery's panels) of the
people who can be selected at all (someone whose quota is 0 has probability 0 in every lottery) and, for LEXIMIN
and maximin, ``min_probability_upper_bound`` is a proven upper bound on that lowest probability in any lottery
meeting the quotas. The gap between the two is how far the lowest probability can be from
the optimum. The terminal, ``verify`` and the reports say this in the same terms (:func:`early_stop`).
Verification ignores these figures: a lottery stopped early is as valid as any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sortition.algorithms.base import PROBABILITY_TOLERANCE

#: The ``statistics`` key of the proven upper bound on the best possible lowest probability.
UPPER_BOUND_KEY = "min_probability_upper_bound"
#: The ``statistics`` key of the lowest probability reached of the people who can be selected at all.
REACHED_KEY = "min_probability_reached"
#: A lowest probability this close to the upper bound counts as the fairest possible: the tolerance within
#: which LEXIMIN itself calls a stage finished.
OPTIMAL_GAP = PROBABILITY_TOLERANCE


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass(frozen=True)
class EarlyStop:
    """A computation the time limit stopped: the lowest probability it reached and, when the algorithm proves
    one, the upper bound on the fairest possible lowest probability (``None`` for Nash and for lottery files
    written before the bound was recorded)."""

    algorithm: str
    time_limit: float | None
    lowest: float
    upper_bound: float | None

    @property
    def gap(self) -> float | None:
        """How much higher the fairest possible lowest probability can be, at most (``None`` without a bound)."""
        return None if self.upper_bound is None else max(self.upper_bound - self.lowest, 0.0)

    @property
    def lowest_is_optimal(self) -> bool:
        """Whether the lowest probability is the fairest possible (within LEXIMIN's own tolerance)."""
        return self.gap is not None and self.gap <= OPTIMAL_GAP

    def sentence(self) -> str:
        """One plain English line for the terminal and ``verify``."""
        limit = f" of {self.time_limit:g} s" if self.time_limit is not None else ""
        head = (f"the time limit{limit} was reached before {self.algorithm} finished: the lottery meets every "
                "quota, and its lowest probability before rounding")
        if self.upper_bound is None:
            return f"{head} ({self.lowest:.4f}) may be lower than the fairest possible."
        if self.lowest_is_optimal:
            rest = (f", {self.lowest:.4f}, is the fairest possible (within {OPTIMAL_GAP:g})")
            if self.algorithm == "leximin":
                rest += ", but the higher probabilities were not all raised as far as they could be"
            return head + rest + "."
        return (f"{head}, {self.lowest:.4f}, is at most {self.gap:.4f} lower than the fairest possible "
                f"(which is at most {self.upper_bound:.4f}).")


def early_stop(lottery: Mapping[str, Any]) -> EarlyStop | None:
    """The lottery file's early stop, or None when its computation finished (or the file does not say)."""
    stats = lottery.get("statistics")
    settings = lottery.get("settings")
    if not isinstance(stats, Mapping) or not stats.get("time_limit_reached"):
        return None
    lowest = _number(stats.get(REACHED_KEY, stats.get("distribution_min_probability")))
    if lowest is None:
        return None
    bound = _number(stats.get(UPPER_BOUND_KEY))
    limit = _number(settings.get("time_limit_seconds")) if isinstance(settings, Mapping) else None
    algorithm = settings.get("algorithm") if isinstance(settings, Mapping) else None
    return EarlyStop(algorithm=str(algorithm or "the algorithm"), time_limit=limit, lowest=lowest,
                     upper_bound=bound if bound is not None and bound >= lowest - 1e-12 else None)
