"""Spreadsheet safety: every CSV people open has formula cells neutralised (CSV injection), one function."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sortition import invite, replace, select
from sortition.algorithms.base import Algorithm
from sortition.files import FORMULA_PREFIXES, csv_bytes, spreadsheet_safe

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "veiligheid"
EVIL = ("=1+1", "+31 6 1234", "-2", "@SUM(A1)", "\tx", "=HYPERLINK(\"http://evil\",\"klik\")")


def read_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def assert_safe(path: Path) -> int:
    """No cell of ``path`` starts with a formula character; returns the number of neutralised cells."""
    rows = read_rows(path)
    assert rows, path
    bad = [c for r in rows for c in r if c.startswith(FORMULA_PREFIXES)]
    assert not bad, f"{path.name}: formula cells {bad[:3]}"
    return sum(c.startswith("'") and c[1:].startswith(FORMULA_PREFIXES) for r in rows for c in r)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_spreadsheet_safe_only_adds_a_quote(cell: str) -> None:
    out = spreadsheet_safe(cell)
    assert not out.startswith(FORMULA_PREFIXES)
    assert out == cell or out == "'" + cell
    assert (out != cell) == cell.startswith(FORMULA_PREFIXES)


def test_csv_bytes_roundtrip_and_raw_mode() -> None:
    rows = [[v, "ok"] for v in EVIL]
    safe = list(csv.reader(csv_bytes(["a", "b"], rows).decode("utf-8").splitlines(keepends=True)))
    assert [r[0] for r in safe[1:]] == ["'" + v for v in EVIL]
    raw = list(csv.reader(csv_bytes(["a", "b"], rows, safe=False).decode("utf-8").splitlines(keepends=True)))
    assert [r[0] for r in raw[1:]] == list(EVIL)


def evil_pool(folder: Path) -> Path:
    """The veiligheid pool with formula-like names, e-mails and house numbers."""
    rows = read_rows_sig(EXAMPLE / "pool.csv")
    header, body = rows[0], rows[1:]
    for n, row in enumerate(body):
        row[header.index("voornaam")] = EVIL[n % len(EVIL)]
        row[header.index("email")] = "@" + row[header.index("email")]
    path = folder / "pool.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *body])
    return path


def read_rows_sig(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_panel_and_reserve_lists_are_neutralised(tmp_path: Path) -> None:
    pool = evil_pool(tmp_path)
    result = select(pool, EXAMPLE / "quotas.yaml", "seed", tmp_path / "out", algorithm=Algorithm.LEGACY,
                    legacy_runs=50)
    replace(result.draw_path, [result.outcome.panel[0]])
    private = tmp_path / "out" / "private"
    assert assert_safe(private / "panel.csv") >= 40  # every e-mail starts with @
    assert assert_safe(private / "reserves.csv") > 500
    # The internal copy keeps the raw values, so the lists show the real value behind the quote.
    raw = {r[0]: r for r in read_rows(private / "pool.csv")[1:]}
    header = read_rows(private / "pool.csv")[0]
    for row in read_rows(private / "panel.csv")[1:]:  # rank, replaces, replaces_id, then the pool copy's
        original = raw[row[3]]
        shown = [c[1:] if c.startswith("'") and c[1:].startswith(FORMULA_PREFIXES) else c for c in row[3:]]
        assert shown == original, header
    # The .xlsx lists store the same cells as text (never a formula), without the quote a CSV needs.
    import openpyxl

    sheet = openpyxl.load_workbook(private / "panel.xlsx").active
    cells = [c for r in sheet.iter_rows(min_row=2) for c in r]
    assert all(c.data_type == "s" for c in cells if c.value is not None)
    assert sum(bool(c.quotePrefix) for c in cells) >= 40 and any(str(c.value).startswith("@") for c in cells)
    assert any(c in EVIL for r in raw.values() for c in r)


def test_invitation_lists_are_neutralised(tmp_path: Path) -> None:
    src = tmp_path / "in"
    shutil.copytree(EXAMPLE, src, ignore=shutil.ignore_patterns("pool.csv"))
    text = (src / "register.csv").read_text(encoding="utf-8")
    # Formula-like first names (the register's second column) on every row.
    text = re.sub(r"^(R\d+),([^,\n]*)", lambda m: f"{m.group(1)},=1+{m.group(2)}", text, flags=re.M)
    (src / "register.csv").write_text(text, encoding="utf-8")
    prep = invite.prepare_invitations(src / "register.csv", src / "plan.yaml", tmp_path / "letters")
    result = invite.draw_invitations(prep.plan_path, src / "register.csv", "seed")
    assert assert_safe(result.invitations_csv) == result.letters
    assert assert_safe(result.reserves_csv) == result.reserves


def test_every_csv_writer_goes_through_the_shared_function() -> None:
    """No module writes CSV itself: csv.writer and to_csv appear only in sortition/files.py."""
    offenders = []
    for path in (ROOT / "sortition").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name != "files.py" and re.search(r"csv\.writer|csv\.DictWriter|\.to_csv\(", text):
            offenders.append(path.name)
    assert not offenders
