"""The suite's own instances: deterministic generators shaped like the published ones, written as pool and
quota files in the published layouts and loaded with the real loaders.

Only the shapes of the published instances are used (sizes, categories, quota bounds, the property a test
relies on); every row is generated here, so the suite runs on a fresh clone with nothing beside it.

- ``alternate_20`` / ``alternate_200``: the "Alternate(n, k)" construction of Flanigan et al. (the shape of
  example_small_20 / example_large_200): n = 10k people over two binary categories, 5k male-conservative,
  5k - 1 female-liberal and one female-conservative; every value needs k/2 - 1 to k. A distribution giving
  everyone k/n exists, so LEXIMIN must give everyone exactly k/n.
- ``tight_22``: the shape of sortition-algorithms' 22-seat fixture: 150 people with unique addresses, four
  categories with 20 values, tight bounds (the region minima add up to k), two values nobody in the pool has
  (one of them with max 0); many types (about one per person).
- ``wide_60`` / ``exact_60``: the shape of the diversimax example: 219 people, five categories, k = 60, wide
  bounds or min = max everywhere; one person of an age whose quota is 0-0, and an age group of 7 that the
  exact bounds take whole. A planted panel meets both bound sets, so both are feasible by construction.
"""

from __future__ import annotations

import csv
import functools
import io
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from quotas.io import load_quotas
from quotas.model import PanelProblem
from sortition.pool import Pool, load_pool


@dataclass(frozen=True)
class Instance:
    """A pool file and a quota file (CSV, as published tools write them) at panel size ``k``."""

    name: str
    k: int
    pool_header: tuple[str, ...]
    pool_rows: tuple[tuple[str, ...], ...]
    quota_header: tuple[str, ...]
    quota_rows: tuple[tuple[str, ...], ...]
    id_column: str | None = None
    #: the category columns of the pool, in quota order
    categories: tuple[str, ...] = field(default=())

    @property
    def n(self) -> int:
        return len(self.pool_rows)

    def write(self, folder: Path, *, trailing_newline: bool = True, lower: bool = False) -> tuple[Path, Path]:
        """Write ``pool.csv`` and ``quotas.csv`` into ``folder`` (``lower``: the pool lower-cased, as some
        tools export it); returns their paths."""
        folder.mkdir(parents=True, exist_ok=True)
        pool_rows = [[c.lower() for c in row] for row in self.pool_rows] if lower else self.pool_rows
        header = [c.lower() for c in self.pool_header] if lower else self.pool_header
        pool = folder / ("pool_lower.csv" if lower else "pool.csv")
        quotas = folder / "quotas.csv"
        pool.write_bytes(_csv(header, pool_rows, trailing_newline))
        quotas.write_bytes(_csv(self.quota_header, self.quota_rows, trailing_newline))
        return pool, quotas

    def load(self, folder: Path, **write_options: bool) -> Pool:
        pool, quotas = self.write(folder, **write_options)
        spec = load_quotas(quotas, panel_size=self.k)
        if self.id_column:
            spec = replace(spec, id_column=self.id_column)
        return load_pool(pool, spec)


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]], trailing_newline: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    return (text if trailing_newline else text.rstrip("\n")).encode("utf-8")


# ---------------------------------------------------------------------------------------------- alternate


def alternate(k: int) -> Instance:
    """Alternate(10k, k): 5k male-conservative, 5k - 1 female-liberal, 1 female-conservative, shuffled."""
    assert k % 2 == 0
    half = 5 * k
    people = [("male", "conservative")] * half + [("female", "liberal")] * (half - 1) + [("female", "conservative")]
    order = np.random.default_rng(k).permutation(len(people))
    rows = tuple(people[i] for i in order)
    lo = str(k // 2 - 1)
    quota_rows = tuple((c, v, lo, str(k)) for c, vs in (("gender", ("female", "male")),
                                                         ("leaning", ("liberal", "conservative"))) for v in vs)
    return Instance(f"alternate_{k}", k, ("gender", "leaning"), rows, ("category", "feature", "min", "max"),
                    quota_rows, categories=("gender", "leaning"))


# ---------------------------------------------------------------------------------------------- tight_22

TIGHT_CATEGORIES: tuple[tuple[str, tuple[tuple[str, int, int], ...]], ...] = (
    ("Gender", (("Female", 11, 12), ("Male", 10, 11), ("Non-binary or other", 0, 1))),
    ("age_bracket", (("0-15", 0, 0), ("16-29", 5, 7), ("30-44", 5, 7), ("45-59", 5, 6), ("60+", 5, 6))),
    ("edu_level", (("None", 5, 7), ("Level 1", 5, 7), ("Level 2 or 3", 5, 6), ("Level 4 and above", 5, 6))),
    ("region", (("North", 3, 5), ("North East", 2, 5), ("East", 3, 5), ("South East", 3, 5),
                ("South", 3, 5), ("South West", 2, 5), ("West", 3, 5), ("Centre", 3, 5))),
)


def tight_22() -> Instance:
    """150 people, k = 22; nobody is "Non-binary or other" or "0-15"; a planted panel meets every bound."""
    rng = np.random.default_rng(22)
    columns: list[list[str]] = []
    for _, values in TIGHT_CATEGORIES:
        present = [(v, lo) for v, lo, _ in values if v not in ("Non-binary or other", "0-15")]
        planted = [v for v, lo in present for _ in range(lo)]
        planted += [present[i][0] for i in range(22 - len(planted))]  # fill up from the first values
        rest = [present[i][0] for i in rng.integers(0, len(present), size=150 - 22)]
        column = planted + rest
        columns.append([column[i] for i in rng.permutation(22).tolist() + list(range(22, 150))])
    rows = []
    for i in range(150):
        personal = (f"p{i}", f"first{i}", f"last{i}", f"person{i}@example.org", f"Street {i}", f"{1000 + i}")
        rows.append((*personal, *(col[i] for col in columns)))
    order = rng.permutation(150)  # the planted panel is spread through the file
    header = ("person_id", "first_name", "last_name", "email", "address", "postcode",
              *(c for c, _ in TIGHT_CATEGORIES))
    quota_rows = tuple((c, v, str(lo), str(hi), "0", str(hi)) for c, values in TIGHT_CATEGORIES
                       for v, lo, hi in values)
    return Instance("tight_22", 22, header, tuple(rows[i] for i in order),
                    ("feature", "value", "min", "max", "min_flex", "max_flex"), quota_rows,
                    id_column="person_id", categories=tuple(c for c, _ in TIGHT_CATEGORIES))


# ---------------------------------------------------------------------------------------------- wide / exact 60

#: category -> (value, exact count, wide min, wide max, weight of the value among the other 159 people)
WIDE_CATEGORIES: tuple[tuple[str, tuple[tuple[str, int, int, int, float], ...]], ...] = (
    ("area", (("centre-north", 18, 18, 22, 6), ("centre-south", 15, 14, 19, 5), ("east", 11, 9, 13, 4),
              ("south-west", 5, 1, 5, 2), ("south", 5, 1, 5, 2), ("west", 6, 4, 6, 2))),
    ("age", (("18-21", 0, 0, 0, 0), ("22-29", 7, 3, 8, 0), ("30-39", 8, 7, 14, 2), ("40-49", 11, 10, 15, 4),
             ("50-59", 11, 7, 13, 3), ("60-69", 12, 6, 12, 5), ("70+", 11, 11, 16, 6))),
    ("gender", (("male", 30, 26, 34, 4), ("female", 30, 26, 34, 6))),
    ("education", (("12-9", 18, 15, 30, 0.5), ("15-13", 20, 14, 24, 3), ("16+", 22, 14, 24, 6))),
    ("religiousness", (("secular", 37, 36, 44, 8), ("traditional", 15, 10, 16, 1.5),
                       ("religious", 8, 3, 8, 0.3))),
)


def _sixty(exact: bool) -> Instance:
    rng = np.random.default_rng(60)
    others = 219 - 60 - 1
    columns = []
    for _, values in WIDE_CATEGORIES:
        planted = [v for v, count, *_ in values for _ in range(count)]
        weights = np.array([w for *_, w in values], dtype=float)
        rest = [values[i][0] for i in rng.choice(len(values), size=others, p=weights / weights.sum())]
        column = [planted[i] for i in rng.permutation(60)] + rest
        columns.append(column)
    # one person aged 18-21, whose age the quotas allow 0 of (the published pool has one, too)
    columns[1].append("18-21")
    for col, (_, values) in zip(columns, WIDE_CATEGORIES, strict=True):
        if len(col) < 219:
            col.append(values[-1][0])
    order = rng.permutation(219)
    rows = tuple((*(col[i] for col in columns), "?") for i in order)
    header = (*(c for c, _ in WIDE_CATEGORIES), "participating")
    quota_rows = tuple((c, v, str(n if exact else lo), str(n if exact else hi), "", "", "", "", "")
                       for c, values in WIDE_CATEGORIES for v, n, lo, hi, _ in values)
    return Instance("exact_60" if exact else "wide_60", 60, header, rows,
                    ("category", "name", "min", "max", "", "", "", "", ""), quota_rows,
                    categories=tuple(c for c, _ in WIDE_CATEGORIES))


GENERATORS = {
    "alternate_20": lambda: alternate(20),
    "alternate_200": lambda: alternate(200),
    "tight_22": tight_22,
    "wide_60": lambda: _sixty(exact=False),
    "exact_60": lambda: _sixty(exact=True),
}


@functools.cache
def instance(name: str) -> Instance:
    return GENERATORS[name]()


@functools.cache
def generated_pool(name: str) -> Pool:
    """The generated instance written to files and read back by load_quotas and load_pool."""
    with tempfile.TemporaryDirectory() as folder:
        return instance(name).load(Path(folder))


def generated_problem(name: str) -> PanelProblem:
    """The generated instance as the solvers see it."""
    return generated_pool(name).problem
