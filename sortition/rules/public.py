"""The pool as a lottery file states it: pseudonyms in canonical order, their quota values and households.

What a verifier rebuilds from the public file alone, and what ``prepare`` derives the lottery from, so that
both see exactly the same problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from quotas.errors import VerificationError
from quotas.model import Category, PanelProblem, QuotaSpec, ValueQuota


def canonical_spec(spec: QuotaSpec) -> QuotaSpec:
    """The spec with categories and values in sorted order: the order the lottery file states them in."""
    cats = tuple(
        Category(c.name, tuple(sorted(c.values, key=lambda v: v.value)))
        for c in sorted(spec.categories, key=lambda c: c.name)
    )
    return QuotaSpec(spec.panel_size, cats, id_column=spec.id_column, households=spec.households,
                     source=spec.source)


def spec_to_public(spec: QuotaSpec) -> dict[str, dict[str, dict[str, int]]]:
    return {c.name: {v.value: {"min": v.min, "max": v.max} for v in c.values} for c in spec.categories}


def spec_from_public(categories: Mapping[str, Any], panel_size: int, *, source: str) -> QuotaSpec:
    try:
        cats = tuple(
            Category(name, tuple(ValueQuota(v, int(b["min"]), int(b["max"])) for v, b in sorted(vals.items())))
            for name, vals in sorted(categories.items())
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        raise VerificationError(f"{source}: the 'categories' field is malformed.") from None
    return QuotaSpec(panel_size, cats, source=source)


@dataclass(frozen=True)
class PublicPool:
    """The pool as the lottery file states it: pseudonyms in canonical (sorted) order and their problem."""

    pseudonyms: tuple[str, ...]
    problem: PanelProblem

    def index(self) -> dict[str, int]:
        return {p: i for i, p in enumerate(self.pseudonyms)}


def public_pool(lottery: Mapping[str, Any], *, source: str = "lottery file") -> PublicPool:
    """Rebuild the solver's view of the pool from a lottery file alone (what a verifier does)."""
    try:
        settings = lottery["settings"]
        k = int(settings["panel_size"])
        people: Mapping[str, Mapping[str, str]] = lottery["people"]
        spec = spec_from_public(lottery["categories"], k, source=source)
        names = tuple(sorted(people))
        features = np.zeros((len(names), len(spec.categories)), dtype=np.int64)
        for c, cat in enumerate(spec.categories):
            pos = {v.value: j for j, v in enumerate(cat.values)}
            for i, p in enumerate(names):
                features[i, c] = pos[people[p][cat.name]]
        households = None
        if settings.get("households"):
            hh_ids: dict[str, int] = {}
            households = np.array([hh_ids.setdefault(people[p]["household"], len(hh_ids)) for p in names],
                                  dtype=np.int64)
    except (KeyError, TypeError, ValueError) as exc:
        raise VerificationError(f"{source}: malformed or missing field ({exc}).") from None
    return PublicPool(names, PanelProblem(spec, features, households))
