"""A pool: the volunteers of a table, matched against a quota specification.

Loading checks everything about the pool itself once (ids, category values, household addresses) and the one
pool-versus-quota fact that needs no solver: a minimum that the pool cannot supply. Algorithms then work on
:attr:`Pool.problem` and never see the file.

Example:
    >>> from quotas.model import Category, QuotaSpec, ValueQuota
    >>> spec = QuotaSpec(panel_size=2, categories=(
    ...     Category("gender", (ValueQuota("Female", 1, 1), ValueQuota("Male", 1, 1))),))
    >>> pool = load_pool("pool.csv", spec)          # doctest: +SKIP
    >>> pool.ids[:2], pool.problem.features[:2]     # doctest: +SKIP
    (('007', '008'), array([[0], [1]]))
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from quotas.errors import InfeasibleError, InputError, SortitionError
from quotas.io import load_quotas
from quotas.model import Category, PanelProblem, QuotaSpec
from sortition.identity import address_key, id_key
from sortition.tables import Table, read_table

ROW_NUMBER_WARNING = (
    "no id column: using row numbers; a real register should name its id column (id_column in the quota file)"
)
NO_ADDRESS_PREFIX = "NO ADDRESS:"  # upper case never occurs in a case-folded address, so keys stay unique
_LIST_LIMIT = 20  # at most this many unknown values are listed in one message


@dataclass(frozen=True, eq=False)
class Pool:
    """The people who may be selected, with their quota values in the integer form the solvers use.

    Attributes:
        table: the table the pool was read from (all columns, spreadsheet row numbers as index).
        ids: each person's id as written, in file order (``"1"``, ``"2"``, ... when the file has no id
            column). No two have the same :func:`sortition.identity.id_key`.
        id_column: the header of the id column, or None when row numbers are the ids.
        problem: the quota spec applied to this pool; ``problem.features[i, c]`` is the index of person
            i's value in ``spec.categories[c].values``.
        household_keys: per person, the address key of the household columns
            (:func:`sortition.identity.address_key`), or None when the household rule is off. People with an
            empty address get a unique key starting with ``NO ADDRESS:``.
        warnings: things the official should know that do not stop the draw.

    Example:
        >>> pool = load_pool("pool.csv", spec)               # doctest: +SKIP
        >>> pool.rows([0, 5])[["id", "name"]]                # private: the register's own columns
    """

    table: Table
    ids: tuple[str, ...]
    id_column: str | None
    problem: PanelProblem
    household_keys: tuple[str, ...] | None
    warnings: tuple[str, ...]

    @property
    def n(self) -> int:
        """Number of people in the pool."""
        return len(self.ids)

    def rows(self, indices: Iterable[int]) -> pd.DataFrame:
        """The original rows (all columns, as text) of the people at these 0-based positions, in order."""
        return self.table.frame.iloc[list(indices)]

    def row_number(self, index: int) -> int:
        """Spreadsheet row number (header = 1) of the person at 0-based position ``index``."""
        return self.table.row_number(index)

    def profile(self, index: int) -> dict[str, str]:
        """Category -> value (in the quota file's spelling) of the person at position ``index``."""
        return {cat.name: cat.values[int(self.problem.features[index, c])].value
                for c, cat in enumerate(self.problem.spec.categories)}


def load_pool(path: str | Path, quotas: QuotaSpec | str | Path, *, sheet: str | None = None,
              panel_size: int | None = None) -> Pool:
    """Read a pool file (CSV/TSV/TXT/XLSX) and match it against the quotas.

    Args:
        path: the pool file.
        quotas: a :class:`quotas.QuotaSpec`, or a quota file (YAML, or CSV with ``panel_size``).
        sheet: the sheet of an Excel pool with several.
        panel_size: the panel size, for a quota file that does not state it.

    Raises:
        InputError: the file cannot be read, or a column, id or value is missing or wrong.
        InfeasibleError: a quota minimum asks for more people with a value than the pool has.
    """
    spec = quotas if isinstance(quotas, QuotaSpec) else load_spec(quotas, pool=path, panel_size=panel_size)
    return pool_from_table(read_table(path, sheet=sheet), spec)


def load_spec(quotas: str | Path, *, pool: str | Path | None = None, panel_size: int | None = None) -> QuotaSpec:
    """:func:`quotas.load_quotas`, and when it fails while ``pool`` reads as a quota file, say they are swapped."""
    try:
        return load_quotas(quotas, panel_size=panel_size)
    except SortitionError:
        if pool is None or not _reads_as_quotas(pool, panel_size):
            raise
    raise InputError(f"the arguments are swapped: {pool} is a quota file and {quotas} is not; the pool comes "
                     "first, then the quota file.", hint=f"Give them as: {quotas} {pool}")


def _reads_as_quotas(path: str | Path, panel_size: int | None) -> bool:
    try:
        load_quotas(path, panel_size=panel_size)
    except SortitionError:
        return False
    return True


def pool_from_table(table: Table, spec: QuotaSpec) -> Pool:
    """Match a table against ``spec``; see :func:`load_pool` for what is checked and raised."""
    file = table.path
    if len(table.frame) == 0:
        raise InputError("the pool has a header but no people.", file=file,
                         hint="Add one row per volunteer below the header.")
    lookup = _column_lookup(table)
    warnings: list[str] = []
    ids, id_column = _read_ids(table, spec, lookup, warnings)
    features = np.column_stack(
        [_read_category(table, cat, _find_column(table, lookup, cat.name, "quota category"))
         for cat in spec.categories]).astype(np.int64)
    keys: tuple[str, ...] | None = None
    households: np.ndarray | None = None
    if spec.households:
        keys, households = _read_households(table, spec, lookup, ids, warnings)
    problem = PanelProblem(spec=spec, features=features, households=households)
    _check_supply(problem, file)
    warnings.extend(_value_warnings(problem))
    return Pool(table=table, ids=ids, id_column=id_column, problem=problem, household_keys=keys,
                warnings=tuple(warnings))


# ---------------------------------------------------------------------------------------------------- ids

def _column_lookup(table: Table) -> dict[str, str]:
    return {c.strip().casefold(): c for c in table.columns}


def _columns_found(table: Table) -> str:
    return ", ".join(f"'{c}'" for c in table.columns)


def _find_column(table: Table, lookup: dict[str, str], name: str, role: str) -> str:
    found = lookup.get(name.strip().casefold())
    if found is None:
        raise InputError(
            f"the pool has no column '{name}' ({role} in the quota file). Columns found: "
            f"{_columns_found(table)}.", file=table.path, row=1, column=name,
            hint="Rename the column in the pool, or correct the name in the quota file.")
    return found


def _read_ids(table: Table, spec: QuotaSpec, lookup: dict[str, str], warnings: list[str]
              ) -> tuple[tuple[str, ...], str | None]:
    if spec.id_column:
        column: str | None = _find_column(table, lookup, spec.id_column, "id_column")
    else:
        column = lookup.get("id")
    if column is None:
        warnings.append(ROW_NUMBER_WARNING)
        return tuple(str(i + 1) for i in range(len(table.frame))), None
    values = table.frame[column].tolist()
    first_row: dict[str, tuple[int, str]] = {}  # id key -> (row, id as written)
    for pos, value in enumerate(values):
        row = table.row_number(pos)
        key = id_key(value)
        if not key:
            raise InputError("this person has no id." if not value else f"the id {value!r} has only spaces or "
                             "invisible characters.", file=table.path, row=row, column=column,
                             hint="Every person needs a unique id: fill it in or remove the row.")
        if key in first_row:
            raise _duplicate_id_error(table.path, column, first_row[key], (row, value))
        first_row[key] = (row, value)
    return tuple(values), column


def _duplicate_id_error(file: str, column: str, first: tuple[int, str], second: tuple[int, str]) -> InputError:
    (row1, id1), (row2, id2) = first, second
    same = (f"id '{id1}' appears twice: in row {row1} and in row {row2}." if id1 == id2 else
            f"ids '{id1}' (row {row1}) and '{id2}' (row {row2}) are the same person: ids are compared ignoring "
            "case, spaces, full-width forms and invisible characters.")
    return InputError(same, file=file, row=row2, column=column,
                      hint="Every person needs a unique id: remove the duplicate or correct one of the ids.")


# -------------------------------------------------------------------------------------------- categories

def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _read_category(table: Table, cat: Category, column: str) -> np.ndarray:
    """Value index (in the spec's order) for every person; raise on empty or unknown values."""
    index = {_norm(v.value): i for i, v in enumerate(cat.values)}
    values = table.frame[column].tolist()
    out = np.empty(len(values), dtype=np.int64)
    unknown: dict[str, list[int]] = {}  # value as written -> [count, first row]
    empties: list[int] = []
    for pos, value in enumerate(values):
        if not value:
            empties.append(pos)
            continue
        j = index.get(_norm(value))
        if j is None:
            entry = unknown.setdefault(value, [0, table.row_number(pos)])
            entry[0] += 1
            continue
        out[pos] = j
    if empties:
        more = f" ({len(empties) - 1} more rows have no value here either)" if len(empties) > 1 else ""
        raise InputError(f"this person has no value for '{cat.name}'{more}.", file=table.path,
                         row=table.row_number(empties[0]), column=column,
                         hint="Fill in the value, or remove the person from the pool.")
    if unknown:
        raise _unknown_values_error(table, cat, column, unknown)
    return out


def _unknown_values_error(table: Table, cat: Category, column: str, unknown: dict[str, list[int]]
                          ) -> InputError:
    items = sorted(unknown.items(), key=lambda kv: kv[1][1])
    listed = "; ".join(f"'{v}' ({count} {'person' if count == 1 else 'people'}, first in row {row})"
                       for v, (count, row) in items[:_LIST_LIMIT])
    if len(items) > _LIST_LIMIT:
        listed += f"; and {len(items) - _LIST_LIMIT} more"
    known = ", ".join(f"'{v}'" for v in cat.value_names())
    return InputError(
        f"values that no quota mentions: {listed}. The quota file knows: {known}.",
        file=table.path, row=items[0][1][1], column=column,
        hint="Add them to the quota file (with min 0 if they need no seats), or fix the pool.")


# -------------------------------------------------------------------------------------------- households

def household_key(parts: Sequence[str]) -> str:
    """The address key of a household's columns (:func:`sortition.identity.address_key`); "" when empty."""
    return address_key(parts)


def _read_households(table: Table, spec: QuotaSpec, lookup: dict[str, str], ids: Sequence[str],
                     warnings: list[str]) -> tuple[tuple[str, ...], np.ndarray]:
    columns = [_find_column(table, lookup, name, "household column") for name in spec.households]
    parts = zip(*(table.frame[c].tolist() for c in columns), strict=True) if columns else iter(())
    keys: list[str] = []
    numbers: dict[str, int] = {}
    out = np.empty(len(ids), dtype=np.int64)
    no_address = 0
    for pos, address in enumerate(parts):
        key = address_key(address)
        if not key:
            no_address += 1
            key = f"{NO_ADDRESS_PREFIX}{ids[pos]}"
        keys.append(key)
        out[pos] = numbers.setdefault(key, len(numbers))
    if no_address:
        warnings.append(
            f"{no_address} {'person has' if no_address == 1 else 'people have'} an empty address "
            f"({', '.join(columns)}); each is treated as a household of their own.")
    shared = Counter(keys)
    multi = sum(1 for c in shared.values() if c > 1)
    if multi:
        people = sum(c for c in shared.values() if c > 1)
        warnings.append(f"{people} people share an address with someone else in the pool ({multi} "
                        "addresses); at most one person per address can be selected.")
    return tuple(keys), out


# -------------------------------------------------------------------------------------- pool vs quotas

def _check_supply(problem: PanelProblem, file: str) -> None:
    """Raise InfeasibleError when the pool cannot supply a minimum (or the panel size) at all."""
    spec = problem.spec
    units = "households" if problem.households is not None else "people"
    available = _available(problem)
    if available < spec.panel_size:
        raise InfeasibleError(
            f"{file}: the pool has only {available} {units}, fewer than the panel size {spec.panel_size}; "
            "the quotas cannot be met. Recruit more people or lower the panel size.")
    short: list[str] = []
    for c, cat in enumerate(spec.categories):
        for j, vq in enumerate(cat.values):
            if vq.min == 0:
                continue
            have = _available(problem, c, j)
            if have < vq.min:
                who = "nobody in the pool has it" if have == 0 else f"only {have} {units} in the pool have it"
                short.append(f"{cat.name} '{vq.value}' has min {vq.min} but {who}")
    if short:
        raise InfeasibleError(
            f"{file}: the quotas cannot be met: " + "; ".join(short)
            + ". Lower these minimums in the quota file, or recruit more people with these values.")


def _available(problem: PanelProblem, category: int | None = None, value: int | None = None) -> int:
    """People (or distinct households, under the household rule) with this value; all when None."""
    mask = np.ones(problem.n, dtype=bool) if category is None else problem.features[:, category] == value
    if problem.households is None:
        return int(mask.sum())
    return len(np.unique(problem.households[mask]))


def _value_warnings(problem: PanelProblem) -> list[str]:
    warnings: list[str] = []
    counts = problem.value_counts()
    for c, cat in enumerate(problem.spec.categories):
        for j, vq in enumerate(cat.values):
            have = int(counts[c][j])
            if have == 0:
                warnings.append(f"nobody in the pool has {cat.name} '{vq.value}' (min {vq.min}).")
            elif vq.max == 0:
                warnings.append(f"{have} {'person has' if have == 1 else 'people have'} {cat.name} "
                                f"'{vq.value}', whose max is 0: they can never be selected.")
    return warnings


__all__ = ["NO_ADDRESS_PREFIX", "ROW_NUMBER_WARNING", "Pool", "household_key", "load_pool",
           "pool_from_table"]
