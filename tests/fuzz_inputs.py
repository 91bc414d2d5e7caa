"""Generators of bad input files for the hardening tests and ``benchmarks/hardening.py``.

Each ``*_file`` strategy draws the bytes of one file (with the suffix it should be saved under); each
``LOADERS`` entry reads such a file the way the tool does. A loader may accept a file or refuse it with a
``SortitionError``; any other exception is a bug.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import yaml
from hypothesis import strategies as st

from quotas.io import load_quotas
from quotas.model import Category, QuotaSpec, ValueQuota
from quotas.propose import propose_quotas
from sortition.invite.plan import load_plan, plan_from_mapping
from sortition.invite.register import build_frame, read_register
from sortition.pool import load_pool
from sortition.tables import read_table

# Header names: the ones the loaders look for, look-alikes and junk.
NAMES = ["id", "geslacht", "leeftijd", "wijk", "straat", "huisnummer", "category", "value", "min", "max",
         "share", "feature", "name", "person_id", "geboortedatum", "postcode", "Id", " ID ", "gеslacht",
         "", "=1+1", "id\x00", "\ufeffid", "ｉｄ", "x" * 300]
# Cells: valid values, wrong types, huge numbers, negative quotas, look-alikes (Cyrillic 'а' in 'vrouw'),
# formulas, empty cells, NUL bytes, BOMs in the middle, odd whitespace and quotes.
CELLS = ["vrouw", "man", "vrоuw", "vrouw\u200b", "Vrouw ", "16-29", "65+", "Noord", "P001", "P001", "007",
         "", " ", "0", "1", "2", "-1", "-5", "3.5", "1e309", "nan", "inf", "-inf", "99999999999999999999999",
         "1_000", "50%", "50,5", "=1+1", "+1", "@SUM(A1)", "-2+3", "\x00", "a\x00b", "\ufeff", "x\ufeffy",
         "\"", "'", "\"quoted, comma\"", "line\nbreak", "\r", "TRUE", "null", "~", "[1, 2]", "{a: 1}",
         "1975-01-31", "31-01-1975", "19750131", "2027-02-30", "0000-00-00", "🙂", "\u202e", "ـ" * 5]
DELIMS = [",", ";", "\t", "|", " "]
ENDINGS = ["\n", "\r\n", "\r"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


@st.composite
def csv_file(draw: st.DrawFn) -> tuple[str, bytes]:
    """A delimited text file: random header and cells, delimiters, mixed line endings, BOMs, encodings."""
    width = draw(st.integers(1, 8))
    header = draw(st.lists(st.sampled_from(NAMES), min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(st.sampled_from(CELLS) | st.text(max_size=6), min_size=0, max_size=width + 2),
                         max_size=12))
    delim = draw(st.sampled_from(DELIMS))
    parts = []
    for cells in [header, *rows]:
        parts.append(delim.join(cells) + draw(st.sampled_from(ENDINGS)))
    text = "".join(parts)
    if draw(st.booleans()):
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + "\ufeff" + text[pos:]  # a BOM in the middle (files glued together)
    data = _encode(text, draw(st.sampled_from(ENCODINGS)))
    if draw(st.integers(0, 9)) == 0:
        pos = draw(st.integers(0, len(data)))
        data = data[:pos] + draw(st.binary(max_size=4)) + data[pos:]
    return draw(st.sampled_from([".csv", ".tsv", ".txt"])), data


def _yaml_scalars() -> st.SearchStrategy[object]:
    return (st.sampled_from(CELLS) | st.integers(-10**30, 10**30) | st.floats(allow_nan=True)
            | st.booleans() | st.none())


@st.composite
def quota_yaml_file(draw: st.DrawFn) -> tuple[str, bytes]:
    """A quota (or plan) YAML file: a valid one with values swapped for wrong ones, or random YAML."""
    base: dict[str, object] = {
        "panel_size": 4, "id_column": "id", "households": ["straat"],
        "categories": {"geslacht": {"vrouw": {"min": 1, "max": 3}, "man": {"min": 1, "max": 3}}},
        "letters": 10, "strata": ["wijk"], "columns": {"id": "id", "wijk": "wijk"}, "reserves": 1,
    }
    scalar = _yaml_scalars()
    tree = st.recursive(scalar, lambda kids: st.lists(kids, max_size=3)
                        | st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=5), kids, max_size=3),
                        max_leaves=10)
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.sampled_from(sorted(base)))
        base[key] = draw(tree)
    if draw(st.booleans()):
        cats = base.get("categories")
        if isinstance(cats, dict) and isinstance(cats.get("geslacht"), dict):
            cats["geslacht"][draw(st.sampled_from(CELLS))] = {"min": draw(scalar), "max": draw(scalar)}
    text = yaml.safe_dump(base, allow_unicode=True)
    if draw(st.integers(0, 3)) == 0:  # break the YAML itself
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + draw(st.sampled_from(["\t", ": :", "- [", "&a *b", "\x00", "\ufeff", "{", "'"])) + \
            text[pos:]
    return draw(st.sampled_from([".yaml", ".yml", ".json"])), _encode(text, draw(st.sampled_from(ENCODINGS)))


@st.composite
def random_bytes_file(draw: st.DrawFn) -> tuple[str, bytes]:
    """Random bytes, sometimes behind a zip, Excel or BOM signature."""
    prefix = draw(st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xef\xbb\xbf", b"\xff\xfe",
                                   b"\xfe\xff", b"id,geslacht\n"]))
    suffix = draw(st.sampled_from([".csv", ".txt", ".yaml", ".xlsx", ".tsv", ".json"]))
    return suffix, prefix + draw(st.binary(max_size=200))


@st.composite
def xlsx_file(draw: st.DrawFn) -> tuple[str, bytes]:
    """An Excel workbook with random cells: formulas, huge numbers, dates, booleans, several sheets."""
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    value = (st.sampled_from(CELLS).map(lambda s: s.replace("\x00", "")) | st.integers(-10**15, 10**15)
             | st.floats(allow_nan=False, allow_infinity=False) | st.booleans() | st.none()
             | st.just(dt.datetime(1975, 1, 31)) | st.just("=1+1") | st.just("=A1/0"))
    sheets = draw(st.integers(1, 2))
    for s in range(sheets):
        ws = wb.active if s == 0 else wb.create_sheet(f"S{s}")
        ws.append(draw(st.lists(st.sampled_from(NAMES).map(lambda n: n.replace("\x00", "")), min_size=1,
                                max_size=6)))
        for _ in range(draw(st.integers(0, 6))):
            ws.append(draw(st.lists(value, max_size=7)))
    buf = io.BytesIO()
    try:
        wb.save(buf)
    except ValueError:  # openpyxl refuses some control characters itself
        return ".xlsx", b"PK\x03\x04"
    return draw(st.sampled_from([".xlsx", ".csv"])), buf.getvalue()


SPEC = QuotaSpec(4, (Category("geslacht", (ValueQuota("vrouw", 1, 3), ValueQuota("man", 1, 3))),),
                 id_column="id")
PLAN = plan_from_mapping({"letters": 3, "strata": ["wijk"], "columns": {"id": "id", "wijk": "wijk"}},
                         source="plan.yaml")


def _register(path: Path) -> object:
    return build_frame(read_register(path, PLAN), PLAN)


#: name -> (loader, file kinds it is fed): every way the tool reads a user's file.
LOADERS: dict[str, Callable[[Path], object]] = {
    "read_table": read_table,
    "load_pool": lambda p: load_pool(p, SPEC),
    "load_quotas": lambda p: load_quotas(p, panel_size=4),
    "propose_quotas": lambda p: propose_quotas(p, 4),
    "read_register": _register,
    "load_plan": load_plan,
}
