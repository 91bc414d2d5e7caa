"""sortition.files.xlsx_bytes writes the data rows itself: byte for byte the workbook openpyxl writes cell by
cell (the reference below is the code it replaced), at a fraction of the cost."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from sortition.files import FORMULA_PREFIXES, stamped_workbook, xlsx_bytes, xlsx_fingerprint


def _openpyxl_cell_by_cell(header: Sequence[object], rows: Sequence[Sequence[object]], sheet: str) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    rows = [list(row) for row in rows]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r, row in enumerate([header, *rows], 1):
        for c, value in enumerate(row, 1):
            text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
            if not text:
                continue
            cell = ws.cell(row=r, column=c)
            cell.value = text
            cell.data_type = "s"
            cell.number_format = "@"
            if text.startswith(FORMULA_PREFIXES):
                cell.quotePrefix = True
            if r == 1:
                cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    return stamped_workbook(wb, xlsx_fingerprint(header, rows, sheet=sheet))


CELL = st.one_of(st.none(), st.integers(), st.text(st.sampled_from(list("ab =+-@\t\r\n&<>\"'é\x01\x0b\x1f €0")),
                                                   max_size=6), st.text(max_size=5))


@settings(max_examples=200, deadline=None)
@given(st.lists(CELL, max_size=4), st.lists(st.lists(CELL, max_size=5), max_size=6),
       st.sampled_from(["list", "invitations", "x y"]))
def test_xlsx_bytes_are_the_workbook_openpyxl_writes_cell_by_cell(header: list[object], rows: list[list[object]],
                                                                  sheet: str) -> None:
    assert xlsx_bytes(header, rows, sheet=sheet) == _openpyxl_cell_by_cell(header, rows, sheet)


def test_a_long_list_too() -> None:
    header = ["stratum", "letter", "pseudonym", "id", "naam"]
    rows = [[f"Noord|{i % 4}", str(i), f"{i:016x}", f"{i:07d}", ("=x", "  A&B ", "", "Çelik")[i % 4]]
            for i in range(300)]
    assert xlsx_bytes(header, rows, sheet="invitations") == _openpyxl_cell_by_cell(header, rows, "invitations")
