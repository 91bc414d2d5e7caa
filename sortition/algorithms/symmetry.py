"""Interchangeable people ("types") and how a panel over types becomes panels over people.

Two people are *interchangeable* when they have the same value in every category and neither shares a
household with anyone else: swapping them maps every feasible panel to a feasible panel. The LEXIMIN
probability vector is unique, so it is invariant under such swaps and gives everyone of a type the same
probability; maximin and Nash optima can be chosen symmetric too (their objectives are concave and
symmetric). The column generation therefore works over types: a panel is a *count vector* (how many of
each type it holds), person ``i`` of type ``t`` gets ``count_t / size_t`` of the panel's weight, and the
pricing oracle sees the dual weight of a type spread evenly over its members. On the paper's example pools
(2000 people, 3 types) this turns thousands of near-identical panels into a handful.

:meth:`TypePartition.expand` turns a weighted count vector back into concrete panels with equal marginals
within each type, by rotating each type's members (see there). People in multi-person households are
always a type of their own, so rotation never touches them and the household rule keeps holding.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from math import gcd

import numpy as np

from quotas.model import PanelProblem


@dataclass(frozen=True, eq=False)
class TypePartition:
    """A partition of the pool into types of interchangeable people.

    Attributes:
        type_of: int array (n,), each person's type.
        members: per type, its people (sorted indices); types are numbered by their first member.
        sizes: int array (types,), how many people each type has.

    Example:
        >>> import numpy as np
        >>> from quotas.model import Category, PanelProblem, QuotaSpec, ValueQuota
        >>> spec = QuotaSpec(1, (Category("c", (ValueQuota("a", 0, 1), ValueQuota("b", 0, 1))),))
        >>> TypePartition.of(PanelProblem(spec, np.array([[0], [1], [0]]))).sizes.tolist()
        [2, 1]
    """

    type_of: np.ndarray
    members: tuple[np.ndarray, ...]
    sizes: np.ndarray

    @classmethod
    def of(cls, problem: PanelProblem) -> TypePartition:
        """Group the people of ``problem`` into types (people in shared households stay alone)."""
        n = problem.n
        key = np.asarray(problem.features, dtype=np.int64).reshape(n, -1)
        if problem.households is not None:
            hh = np.asarray(problem.households)
            _, inverse, counts = np.unique(hh, return_inverse=True, return_counts=True)
            shared = counts[inverse] > 1
            # an extra key column that is unique for people in shared households, -1 for everyone else
            key = np.column_stack([key, np.where(shared, np.arange(n), -1)])
        _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        # number the types by their first member, so the partition does not depend on value order
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        type_of = rank[inverse].astype(np.int64)
        members = tuple(np.flatnonzero(type_of == t) for t in range(len(order)))
        sizes = np.array([len(m) for m in members], dtype=np.int64)
        return cls(type_of, members, sizes)

    @property
    def count(self) -> int:
        """Number of types."""
        return int(self.sizes.shape[0])

    def counts(self, panel: np.ndarray) -> np.ndarray:
        """How many people of each type ``panel`` (person indices) holds."""
        return np.bincount(self.type_of[np.asarray(panel, dtype=np.int64)], minlength=self.count)

    def person_values(self, type_values: np.ndarray) -> np.ndarray:
        """Spread a per-type quantity over people: person ``i`` gets ``type_values[t] / size_t``."""
        return np.asarray(type_values, dtype=float)[self.type_of] / self.sizes[self.type_of]

    def per_person(self, type_values: np.ndarray) -> np.ndarray:
        """Give every person the value of their type (e.g. a probability)."""
        return np.asarray(type_values, dtype=float)[self.type_of]

    def expand(self, counts: np.ndarray, weight: float) -> list[tuple[tuple[int, ...], float]]:
        """Concrete panels with type counts ``counts`` and total weight ``weight``, fair within each type.

        A type of size ``s`` with ``0 < c < s`` members on the panel is *rotated*: its members sit on a
        circle and the panel takes ``c`` consecutive ones starting at ``a * c`` (mod ``s``), for
        ``a = 0 .. P-1`` with ``P = s / gcd(s, c)``; these windows cover the circle exactly ``c / gcd``
        times, so each member is on a share ``c / s`` of them. All types rotate together over one
        parameter ``u`` in [0, 1): type ``t`` uses window ``floor(u * P_t)``, so the pieces between the
        breakpoints ``a / P_t`` (at most ``1 + sum(P_t - 1)`` of them) give every member of every type
        exactly ``weight * c_t / s_t``.

        Returns:
            ``(panel, weight)`` pairs, panels as sorted tuples of person indices.
        """
        counts = np.asarray(counts, dtype=np.int64)
        fixed: list[int] = []
        rotating: list[tuple[np.ndarray, int, int]] = []  # (members, count, period)
        breaks = {Fraction(0), Fraction(1)}
        for t in np.flatnonzero(counts):
            c, members = int(counts[t]), self.members[t]
            if c >= len(members):
                fixed.extend(members.tolist())
                continue
            period = len(members) // gcd(len(members), c)
            rotating.append((members, c, period))
            breaks.update(Fraction(a, period) for a in range(1, period))
        points = sorted(breaks)
        out = []
        for lo, hi in itertools.pairwise(points):
            panel = list(fixed)
            for members, c, period in rotating:
                start = (int(lo * period) * c) % len(members)
                panel.extend(members[(start + np.arange(c)) % len(members)].tolist())
            out.append((tuple(sorted(panel)), weight * float(hi - lo)))
        return out
