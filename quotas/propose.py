"""Propose quotas from population margins: proportional targets with a tolerance around them.

Example:
    >>> import pandas
    >>> spec = propose_quotas(pandas.DataFrame({
    ...     "category": ["gender", "gender"], "value": ["female", "male"], "share": [51, 49]}), 20)
    >>> [(v.value, v.min, v.max) for v in spec.categories[0].values]
    [('female', 9, 11), ('male', 9, 11)]
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from quotas.errors import QuotaError
from quotas.io import MAX_NUMBER, header_index, read_table
from quotas.model import Category, QuotaSpec, ValueQuota

#: Column names accepted for the share column of a margins file (matched case-insensitively).
SHARE_COLUMNS = ("share", "count", "percentage", "percent", "proportion", "fraction", "population share")

if TYPE_CHECKING:  # pandas is only needed when a DataFrame is passed in; keep `import quotas` light
    import pandas

_DECIMAL_COMMA = re.compile(r"^[0-9]+,[0-9]+$")
_PLAIN_DECIMAL = re.compile(r"^[0-9]*\.?[0-9]*$")


def largest_remainder(shares: Sequence[float | Fraction], total: int) -> list[int]:
    """Split ``total`` into whole numbers proportional to ``shares`` (Hamilton's largest-remainder method).

    Each entry gets the floor of its exact quota ``total * share / sum(shares)``; the units left over go to
    the largest remainders, ties to the earlier entry. The arithmetic is exact (fractions), so the result
    sums to ``total`` exactly, every entry is within 1 of its exact quota, a zero share gets 0, and the
    same input always gives the same output.

    Args:
        shares: non-negative weights (counts, fractions or percentages; only their ratios matter).
        total: the whole number to split, >= 0.

    Returns:
        One whole number per share, in the same order, summing to ``total``.

    Raises:
        ValueError: no shares, a negative or non-finite share, all shares zero, or a negative total.

    Example:
        >>> largest_remainder([1, 1, 1], 10)
        [4, 3, 3]
    """
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ValueError(f"total must be a whole number >= 0, got {total!r}")
    if len(shares) == 0:
        raise ValueError("no shares to split over")
    exact = [_fraction(s) for s in shares]
    whole = sum(exact, Fraction(0))
    if whole == 0:
        raise ValueError("all shares are zero")
    quotas = [Fraction(total) * s / whole for s in exact]
    result = [math.floor(q) for q in quotas]
    left = total - sum(result)
    # Largest remainder first; on equal remainders the earlier entry wins.
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - result[i]), i))
    for i in order[:left]:
        result[i] += 1
    return result


def _fraction(share: float | Fraction) -> Fraction:
    if isinstance(share, Fraction):
        value = share
    else:
        number = float(share)
        if not math.isfinite(number):
            raise ValueError(f"share {share!r} is not a finite number")
        value = Fraction(share) if isinstance(share, int) else Fraction(number)
    if value < 0:
        raise ValueError(f"share {share!r} is negative")
    return value


def propose_quotas(
    margins: pandas.DataFrame | str | Path,
    panel_size: int,
    *,
    tolerance: int = 1,
    households: tuple[str, ...] = (),
    id_column: str | None = None,
) -> QuotaSpec:
    """Propose quotas proportional to population margins, with ``tolerance`` of slack either side.

    The margins are a table (CSV file or DataFrame) with one row per value and three columns, matched
    case-insensitively::

        category,value,share
        gender,female,50.8
        gender,male,49.2
        age,16-34,3120
        age,35-64,4410
        age,65+,2470

    ``share`` may be a count, a fraction or a percentage (``50.8%`` and a decimal comma also work); only the
    ratios within a category matter, as each category is normalised on its own. ``count``, ``percentage``,
    ``proportion`` are accepted as names of that column. The CSV file may use ``,`` ``;`` or tab as
    separator, UTF-8 or cp1252. Row order sets category and value order.

    Per category the target ``t`` of each value is ``panel_size * share`` rounded by
    :func:`largest_remainder` (so targets sum exactly to ``panel_size``); the quota is then
    ``min = max(0, t - tolerance)`` and ``max = min(panel_size, t + tolerance)``. Each value keeps its share
    of the population (normalised within its category, 6 decimals) as ``population``, for the reports.

    Args:
        margins: the margins table, or the path of a CSV file holding it.
        panel_size: the panel size k.
        tolerance: slack in people either side of each target, >= 0.
        households: columns identifying a household (at most one member each), passed to the spec.
        id_column: the pool's id column, passed to the spec.

    Returns:
        A valid QuotaSpec (``source`` is the margins file, when one was given).

    Raises:
        QuotaError: bad margins (naming file, row and column), a bad tolerance, or a bad panel size.
        InputError: the margins file cannot be read.
    """
    if isinstance(tolerance, bool) or not isinstance(tolerance, int) or tolerance < 0:
        raise QuotaError(f"tolerance must be a whole number >= 0, got {tolerance!r}.",
                         hint="Give e.g. --tolerance 1.")
    if isinstance(panel_size, bool) or not isinstance(panel_size, int) or panel_size <= 0:
        raise QuotaError(f"panel size must be a whole number above 0, got {panel_size!r}.",
                         hint="Give e.g. --panel-size 30.")
    if panel_size > MAX_NUMBER:  # the quota file loader would refuse the file written
        raise QuotaError(f"panel size {panel_size:,} is far too large (at most {MAX_NUMBER:,}).",
                         hint="Give e.g. --panel-size 30.")
    if isinstance(margins, (str, Path)):
        source: str | None = str(margins)
        header, records = read_table(Path(margins))
        rows: Sequence[tuple[int, Sequence[object]]] = records
    else:
        source = None
        header, rows = _frame_rows(margins)
    groups = _read_margins(header, rows, source)
    categories = []
    for name, values in groups.values():
        targets = largest_remainder([share for _, share in values], panel_size)
        total = sum((share for _, share in values), Fraction(0))
        categories.append(Category(name, tuple(
            ValueQuota(value, max(0, t - tolerance), min(panel_size, t + tolerance),
                       population=round(float(share / total), 6))
            for (value, share), t in zip(values, targets, strict=True))))
    return QuotaSpec(panel_size=panel_size, categories=tuple(categories), id_column=id_column,
                     households=tuple(households), source=source)


def _frame_rows(frame: pandas.DataFrame) -> tuple[list[str], list[tuple[int, list[object]]]]:
    """A DataFrame like read_table's result: header, numbered rows from 2 (NaN becomes an empty cell)."""
    header = [str(c).strip() for c in frame.columns]
    body = [["" if _missing(cell) else cell for cell in row] for row in frame.itertuples(index=False)]
    return header, list(enumerate(body, start=2))


def _missing(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and math.isnan(cell))


def _columns(header: Sequence[str], source: str | None) -> tuple[int, int, int]:
    index = header_index(header, source)
    share = next((index[name] for name in SHARE_COLUMNS if name in index), None)
    category, value = index.get("category"), index.get("value")
    if category is None or value is None or share is None:
        found = ",".join(h for h in header if h) or "nothing"
        raise QuotaError(f"the header is '{found}'; expected the columns category,value,share.", file=source,
                         row=1, hint="Row 1 must be the header; one row per value follows.")
    return category, value, share


def _read_margins(
    header: Sequence[str], rows: Sequence[tuple[int, Sequence[object]]], source: str | None
) -> dict[str, tuple[str, list[tuple[str, Fraction]]]]:
    """Group the margin rows by category (case-insensitively), checking every cell."""
    cat_col, val_col, share_col = _columns(header, source)
    groups: dict[str, tuple[str, list[tuple[str, Fraction]]]] = {}
    seen: dict[tuple[str, str], int] = {}
    for number, row in rows:
        cells = [str(c).strip() if isinstance(c, str) else c for c in row]
        if all(c == "" for c in cells):
            continue
        names = [_name_cell(cells, i, number, header, source) for i in (cat_col, val_col)]
        share = _share_cell(cells, share_col, number, header[share_col], source)
        key = (names[0].casefold(), names[1].casefold())
        if key in seen:
            raise QuotaError(f"'{names[0]}: {names[1]}' appears twice (also on row {seen[key]}).",
                             file=source, row=number, hint="Keep one of the two rows.")
        seen[key] = number
        groups.setdefault(key[0], (names[0], []))[1].append((names[1], share))
    if not groups:
        raise QuotaError("the margins table has no rows.", file=source, hint="Give one row per value.")
    for name, values in groups.values():
        if sum(share for _, share in values) == 0:
            raise QuotaError(f"every share of category '{name}' is 0.", file=source,
                             column=header[share_col], hint="Give each value its population share.")
    return groups


def _name_cell(cells: Sequence[object], i: int, number: int, header: Sequence[str],
               source: str | None) -> str:
    text = str(cells[i]).strip() if i < len(cells) else ""
    if not text:
        raise QuotaError("is empty.", file=source, row=number, column=header[i],
                         hint="Fill it in or delete the row.")
    return text


def _share_cell(cells: Sequence[object], i: int, number: int, column: str, source: str | None) -> Fraction:
    raw = cells[i] if i < len(cells) else ""
    if raw == "":
        raise QuotaError("is empty.", file=source, row=number, column=column,
                         hint="Write the value's count, fraction or percentage.")
    try:
        share = _parse_share(raw)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise QuotaError(f"'{raw}' is not a number.", file=source, row=number, column=column,
                         hint="Write a count, a fraction or a percentage, e.g. 1234, 0.25 or 25%.") from None
    if share < 0:
        raise QuotaError(f"share {raw} is below 0.", file=source, row=number, column=column,
                         hint="Shares are counts, fractions or percentages, 0 or more.")
    return share


def _parse_share(raw: object) -> Fraction:
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, str):
        text = raw.strip().removesuffix("%").strip()
        if _DECIMAL_COMMA.match(text):
            text = text.replace(",", ".")
        if _PLAIN_DECIMAL.match(text):
            return Fraction(text)  # exact: "0.1" is 1/10
        number = float(text)  # "1e-3"; via float so that "1e999999999" cannot take forever
    else:
        number = float(raw)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValueError(raw)
    return Fraction(number)


__all__ = ["largest_remainder", "propose_quotas"]
