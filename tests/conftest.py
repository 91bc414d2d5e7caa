"""Shared test helpers: scanning output for personal data."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path


def personal_values(path: Path, columns: Iterable[str], *, joined: tuple[str, str] | None = None) -> set[str]:
    """The values of ``columns`` in a CSV file (3+ characters), plus ``joined`` columns glued by a space."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    cols = tuple(columns)
    values = {row[c] for row in rows for c in cols if row.get(c)}
    if joined:
        values |= {f"{row[joined[0]]} {row[joined[1]]}" for row in rows}
    return {v for v in values if len(v) >= 3}


def personal_pattern(values: Iterable[str]) -> re.Pattern[str]:
    """Whole-word matcher for the values (the first name "Lotte" is inside the word "Lottery")."""
    alternatives = "|".join(map(re.escape, sorted(values, key=len, reverse=True)))
    return re.compile(r"(?<!\w)(" + alternatives + r")(?!\w)")


#: A small quota spec (panel of 4, gender and age, one per household) shared by the protocol tests.
QUOTAS = """\
panel_size: 4
id_column: id
households: [street, number]
categories:
  gender:
    f: {min: 2, max: 2}
    m: {min: 2, max: 2}
  age:
    young: {min: 1, max: 3}
    old: {min: 1, max: 3}
"""
