"""The quota model: what a valid panel is. Frozen, validated once, no I/O and no randomness.

The same rules as linear constraint rows (:func:`quota_rows`, :func:`household_groups`, :func:`all_rows`) are
here too, for every solver that builds a panel model (:mod:`quotas.solver`, :mod:`quotas.relaxations`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from quotas.errors import QuotaError


@dataclass(frozen=True)
class ValueQuota:
    """How many panel members may have one value of a category (inclusive bounds).

    ``population`` is the value's share of the population (0 to 1) when the quota file states it (``quotas
    propose`` writes it); only reports show it, so it takes no part in comparing quotas.
    """

    value: str
    min: int
    max: int
    population: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Category:
    """A column of the pool (e.g. ``gender``) and the quota of each of its values."""

    name: str
    values: tuple[ValueQuota, ...]

    def value_names(self) -> tuple[str, ...]:
        return tuple(v.value for v in self.values)

    def index_of(self) -> dict[str, int]:
        """Case-insensitive lookup: lower-cased value -> position in ``values``."""
        return {v.value.casefold(): i for i, v in enumerate(self.values)}


@dataclass(frozen=True)
class QuotaSpec:
    """A complete quota specification.

    Example:
        >>> spec = QuotaSpec(panel_size=2, categories=(
        ...     Category("gender", (ValueQuota("f", 1, 1), ValueQuota("m", 1, 1))),))
        >>> spec.category("gender").values[0].max
        1
    """

    panel_size: int
    categories: tuple[Category, ...]
    id_column: str | None = None
    households: tuple[str, ...] = ()
    source: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        validate_spec(self)

    def category(self, name: str) -> Category:
        for c in self.categories:
            if c.name == name:
                return c
        raise KeyError(name)

    def iter_values(self) -> Iterator[tuple[Category, ValueQuota]]:
        for c in self.categories:
            for v in c.values:
                yield c, v


def _validate_values(cat: Category, src: str | None) -> None:
    seen_vals: set[str] = set()
    for v in cat.values:
        where = f"{cat.name} {v.value}"
        if v.value.casefold() in seen_vals:
            raise QuotaError(f"value '{where}' appears twice (values match case-insensitively).", file=src)
        seen_vals.add(v.value.casefold())
        for bound, num in (("min", v.min), ("max", v.max)):
            if not isinstance(num, int) or isinstance(num, bool) or num < 0:
                raise QuotaError(f"{where}: {bound} must be a whole number >= 0, got {num!r}.", file=src)
        if v.min > v.max:
            raise QuotaError(f"{where}: min {v.min} is above max {v.max}; swap or correct them.", file=src)
        if v.population is not None and not (isinstance(v.population, int | float)
                                             and not isinstance(v.population, bool) and 0 <= v.population <= 1):
            raise QuotaError(f"{where}: population must be a share from 0 to 1, got {v.population!r}.", file=src)


def validate_spec(spec: QuotaSpec) -> None:
    """Check the spec on its own (without a pool); raise QuotaError naming what to change."""
    src = spec.source
    k = spec.panel_size
    if not isinstance(k, int) or isinstance(k, bool) or k <= 0:
        raise QuotaError(f"panel_size must be a whole number above 0, got {k!r}.", file=src,
                         column="panel_size")
    if not spec.categories:
        raise QuotaError("no categories: give at least one category with its values and quotas.", file=src)
    seen_cats: set[str] = set()
    for cat in spec.categories:
        if cat.name.casefold() in seen_cats:
            raise QuotaError(f"category '{cat.name}' appears twice; merge its values into one.", file=src)
        seen_cats.add(cat.name.casefold())
        if not cat.values:
            raise QuotaError(f"category '{cat.name}' has no values.", file=src)
        _validate_values(cat, src)
        lo = sum(v.min for v in cat.values)
        hi = sum(v.max for v in cat.values)
        if lo > k:
            raise QuotaError(
                f"category '{cat.name}': the minimums add up to {lo}, more than the panel size {k}; "
                "lower some minimums.", file=src)
        if hi < k:
            raise QuotaError(
                f"category '{cat.name}': the maximums add up to {hi}, less than the panel size {k}; "
                "raise some maximums.", file=src)


@dataclass(frozen=True, eq=False)
class PanelProblem:
    """A quota spec applied to a concrete pool, in the integer form the solvers use.

    Attributes:
        spec: the quotas.
        features: int array (n, number of categories); ``features[i, c]`` is the index of person i's
            value in ``spec.categories[c].values``.
        households: int array (n,) of household numbers, or None when the household rule is off.
    """

    spec: QuotaSpec
    features: np.ndarray
    households: np.ndarray | None = None

    @property
    def n(self) -> int:
        return int(self.features.shape[0])

    @property
    def k(self) -> int:
        return self.spec.panel_size

    def value_counts(self) -> list[np.ndarray]:
        """Per category, how many people have each value."""
        return [np.bincount(self.features[:, c], minlength=len(cat.values))
                for c, cat in enumerate(self.spec.categories)]

    def panel_violations(self, panel: np.ndarray | list[int]) -> list[str]:
        """Human-readable list of every rule a panel (person indices) breaks; empty when valid."""
        idx = np.asarray(sorted(panel), dtype=np.int64)
        problems: list[str] = []
        if len(set(idx.tolist())) != len(idx):
            problems.append("a person appears twice")
        if len(idx) != self.k:
            problems.append(f"panel has {len(idx)} members, not {self.k}")
        for c, cat in enumerate(self.spec.categories):
            counts = np.bincount(self.features[idx, c], minlength=len(cat.values))
            for j, vq in enumerate(cat.values):
                if not vq.min <= counts[j] <= vq.max:
                    problems.append(f"{cat.name} {vq.value}: {counts[j]} not in [{vq.min}, {vq.max}]")
        if self.households is not None:
            hh = self.households[idx]
            if len(np.unique(hh)) != len(hh):
                problems.append("two members share a household")
        return problems


# The rules of a valid panel as linear constraints over 0/1 choices x (one per person), as the solvers take them.


@dataclass(frozen=True)
class QuotaRow:
    """One value's quota as a constraint: ``lo <= sum(x[members]) <= hi``."""

    category: int
    value: int
    members: np.ndarray
    lo: int
    hi: int


def quota_rows(problem: PanelProblem) -> list[QuotaRow]:
    """The quota constraints of ``problem``, one per value of every category."""
    rows = []
    for c, cat in enumerate(problem.spec.categories):
        column = problem.features[:, c]
        for j, vq in enumerate(cat.values):
            rows.append(QuotaRow(c, j, np.flatnonzero(column == j), vq.min, vq.max))
    return rows


def household_groups(problem: PanelProblem) -> list[np.ndarray]:
    """Groups of people (indices) sharing a household, only groups of two or more."""
    if problem.households is None:
        return []
    hh = np.asarray(problem.households)
    order = np.argsort(hh, kind="stable")
    _, starts, counts = np.unique(hh[order], return_index=True, return_counts=True)
    return [np.sort(order[s:s + m]) for s, m in zip(starts, counts, strict=True) if m > 1]


def all_rows(problem: PanelProblem) -> list[tuple[np.ndarray, float, float]]:
    """Every constraint as ``(members, lo, hi)``: panel size, quotas, then households."""
    rows: list[tuple[np.ndarray, float, float]] = [(np.arange(problem.n), problem.k, problem.k)]
    rows += [(r.members, r.lo, r.hi) for r in quota_rows(problem)]
    rows += [(g, 0, 1) for g in household_groups(problem)]
    return rows
