"""read_table: encodings, delimiters, text-only cells, Excel sheets, and every input error."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pytest
from generated import instance

from quotas.errors import InputError
from sortition.tables import column_label, read_table

FIXTURES = Path(__file__).parent / "fixtures" / "pools"


def write(tmp_path: Path, name: str, data: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def message(exc: pytest.ExceptionInfo[InputError]) -> str:
    return str(exc.value)


# ------------------------------------------------------------------------------------------- good files

def test_basic_csv_keeps_ids_as_text_and_trims() -> None:
    t = read_table(FIXTURES / "basic.csv")
    assert t.columns == ("id", "name", "gender", "age")
    assert t.frame["id"].tolist() == ["007", "008", "009", "010"]
    assert t.frame["gender"].tolist() == ["Female", "male", "FEMALE", "Male"]
    assert t.frame.index.tolist() == [2, 3, 4, 5]
    assert t.row_number(0) == 2
    assert t.encoding == "utf-8" and t.delimiter == "," and t.sheet is None
    assert t.sha256 == hashlib.sha256((FIXTURES / "basic.csv").read_bytes()).hexdigest()
    assert all(isinstance(v, str) for v in t.frame.to_numpy().ravel())


def test_semicolon_cp1252_dutch(tmp_path: Path) -> None:
    text = "id;naam;woonplaats;opmerking\r\n001;Renée;Zoë-Oord;café, één\r\n002;Daniël;'s-Hertogenbosch;\r\n"
    path = write(tmp_path, "register.csv", text, "cp1252")
    t = read_table(path)
    assert (t.encoding, t.delimiter) == ("cp1252", ";")
    assert t.frame["naam"].tolist() == ["Renée", "Daniël"]
    assert t.frame["woonplaats"].tolist() == ["Zoë-Oord", "'s-Hertogenbosch"]
    assert t.frame["opmerking"].tolist() == ["café, één", ""]


def test_utf8_ij_ligature_and_bom_header_not_polluted(tmp_path: Path) -> None:
    # cp1252 has no "ĳ" (U+0133), so that character only arrives in UTF-8 files.
    path = write(tmp_path, "bom.csv", "\ufeffid;naam\n1;Ĳsbrand\n2;Bĳlsma\n")
    t = read_table(path)
    assert t.encoding == "utf-8-sig"
    assert t.columns == ("id", "naam")
    assert t.frame["naam"].tolist() == ["Ĳsbrand", "Bĳlsma"]


def test_tab_separated(tmp_path: Path) -> None:
    path = write(tmp_path, "pool.tsv", "id\tname\tplace\n1\tA, B\tX;Y\n2\tC\tZ\n")
    t = read_table(path)
    assert t.delimiter == "\t"
    assert t.frame.loc[2, "name"] == "A, B" and t.frame.loc[2, "place"] == "X;Y"


def test_utf16_tab_text_export(tmp_path: Path) -> None:
    # Excel's "Unicode text" export: UTF-16 with BOM, tab-separated.
    path = write(tmp_path, "pool.txt", "id\tnaam\n1\tRenée\n", "utf-16")
    t = read_table(path)
    assert t.encoding == "utf-16" and t.frame.loc[2, "naam"] == "Renée"


def test_quoted_fields_with_delimiters_and_newlines(tmp_path: Path) -> None:
    text = 'id;adres;note\n1;"Kerkstraat 1; achterhuis";"line one\nline two"\n2;Plein 3;ok'
    t = read_table(write(tmp_path, "q.csv", text))
    assert t.frame.loc[2, "adres"] == "Kerkstraat 1; achterhuis"
    assert t.frame.loc[2, "note"] == "line one\nline two"
    # A spreadsheet counts records, not lines: the second person is row 3.
    assert t.frame.index.tolist() == [2, 3]
    assert t.frame.loc[3, "note"] == "ok"  # no trailing newline


def test_missing_trailing_newline_research_export(tmp_path: Path) -> None:
    """Like the research data of Flanigan et al.: no id column, no newline after the last row."""
    pool, _ = instance("alternate_20").write(tmp_path, trailing_newline=False)
    assert not pool.read_bytes().endswith(b"\n")
    t = read_table(pool)
    assert len(t.frame) == 200 and t.frame.index[-1] == 201
    assert t.frame.loc[201].tolist() == list(instance("alternate_20").pool_rows[-1])


def test_blank_rows_skipped_but_numbering_kept_and_short_rows_padded(tmp_path: Path) -> None:
    text = "id;a;b\r\n1;x;y\r\n;;\r\n\r\n4;z\r\n"
    t = read_table(write(tmp_path, "gaps.csv", text))
    assert t.frame.index.tolist() == [2, 5]
    assert t.frame.loc[5].tolist() == ["4", "z", ""]


def test_trailing_unnamed_empty_columns_are_dropped(tmp_path: Path) -> None:
    """Like diversimax's quota files: five empty unnamed columns after min and max."""
    _, quotas = instance("exact_60").write(tmp_path)
    assert quotas.read_text(encoding="utf-8").splitlines()[0] == "category,name,min,max,,,,,"
    t = read_table(quotas)
    assert t.columns == ("category", "name", "min", "max")
    assert len(t.frame) == 6 + 7 + 2 + 3 + 3  # the values of area, age, gender, education, religiousness


def test_header_only_is_an_empty_table(tmp_path: Path) -> None:
    t = read_table(write(tmp_path, "h.csv", "id,gender\n"))
    assert t.columns == ("id", "gender") and len(t.frame) == 0


def test_column_label() -> None:
    assert [column_label(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


# ---------------------------------------------------------------------------------------------- errors

def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(InputError, match="not found") as exc:
        read_table(path)
    assert str(path) in message(exc)


@pytest.mark.parametrize("data", [b"", b"\n\r\n  \n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "empty.csv", data)
    with pytest.raises(InputError, match="empty") as exc:
        read_table(path)
    assert str(path) in message(exc) and "header" in message(exc)


def test_duplicate_header(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.csv", "id,Gender,age,gender\n1,f,20,f\n")
    with pytest.raises(InputError, match="appears twice") as exc:
        read_table(path)
    text = message(exc)
    assert str(path) in text and "row 1" in text and "column 'gender'" in text
    assert "columns B and D" in text


def test_blank_header_name_with_values(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.csv", "id,,age\n1,,20\n2,x,30\n")
    with pytest.raises(InputError, match="no name") as exc:
        read_table(path)
    text = message(exc)
    assert str(path) in text and "row 3" in text and "column 'B (no name)'" in text


def test_row_with_more_fields_than_header(tmp_path: Path) -> None:
    path = write(tmp_path, "wide.csv", "id;naam;plaats\n1;Anna;Delft\n2;Bram;Den Haag;extra\n")
    with pytest.raises(InputError, match="4 fields but the header has 3") as exc:
        read_table(path)
    text = message(exc)
    assert str(path) in text and "row 3" in text and "';'" in text and "quotes" in text


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path, "photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    with pytest.raises(InputError, match="does not look like a table") as exc:
        read_table(path)
    assert str(path) in message(exc) and "CSV UTF-8" in message(exc)


def test_old_xls_file(tmp_path: Path) -> None:
    path = write(tmp_path, "pool.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    with pytest.raises(InputError, match=r"old Excel \.xls") as exc:
        read_table(path)
    assert str(path) in message(exc) and ".xlsx" in message(exc)


def test_undecodable_bytes_name_offset_and_row(tmp_path: Path) -> None:
    # 0x81 is neither valid UTF-8 here nor defined in cp1252.
    data = b"id;naam\n1;Anna\n2;B\x81ram\n"
    path = write(tmp_path, "bad.csv", data)
    with pytest.raises(InputError, match="byte 0x81") as exc:
        read_table(path)
    text = message(exc)
    offset = data.index(0x81)
    assert f"offset {offset}" in text and "row 3" in text and str(path) in text


def test_sheet_given_for_csv(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="text file"):
        read_table(FIXTURES / "basic.csv", sheet="Sheet1")


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="folder"):
        read_table(tmp_path)


# ---------------------------------------------------------------------------------------------- Excel

def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def test_xlsx_single_sheet_numbers_dates_and_codes(tmp_path: Path) -> None:
    path = tmp_path / "pool.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Deelnemers"
    ws.append(["  id ", "leeftijd", "score", "geboren", "afspraak", "postcode", "actief"])
    ws.append(["007", 12, 12.5, dt.date(1980, 5, 17), dt.datetime(2024, 3, 1, 9, 30), 1234, True])
    ws.append([8, 40.0, None, dt.datetime(1999, 12, 31), None, "1234 AB", False])
    ws["A3"].number_format = "000"
    wb.save(path)
    t = read_table(path)
    assert t.sheet == "Deelnemers" and t.encoding is None and t.delimiter is None
    assert t.columns == ("id", "leeftijd", "score", "geboren", "afspraak", "postcode", "actief")
    first = ["007", "12", "12.5", "1980-05-17", "2024-03-01T09:30:00", "1234", "TRUE"]
    assert t.frame.loc[2].tolist() == first
    assert t.frame.loc[3].tolist() == ["008", "40", "", "1999-12-31", "", "1234 AB", "FALSE"]
    assert t.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_xlsx_several_sheets_needs_choice(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "two.xlsx", {"Uitleg": [["lees mij"]], "Pool": [["id", "g"], ["1", "f"]]})
    with pytest.raises(InputError, match="2 sheets") as exc:
        read_table(path)
    text = message(exc)
    assert "'Uitleg'" in text and "'Pool'" in text and "--sheet" in text and str(path) in text
    t = read_table(path, sheet="Pool")
    assert t.sheet == "Pool" and t.frame.loc[2, "g"] == "f"
    assert read_table(path, sheet="pool ").sheet == "Pool"  # forgiving about case and spaces


def test_xlsx_unknown_sheet_lists_sheets(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "two.xlsx", {"A": [["id"], ["1"]], "B": [["id"], ["2"]]})
    with pytest.raises(InputError, match="no sheet 'C'") as exc:
        read_table(path, sheet="C")
    assert "'A', 'B'" in message(exc)


def test_xlsx_hidden_sheet_ignored_when_choosing(tmp_path: Path) -> None:
    path = tmp_path / "hidden.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Pool"
    wb.active.append(["id"])
    wb.active.append(["1"])
    hidden = wb.create_sheet("lookup")
    hidden.sheet_state = "hidden"
    wb.save(path)
    assert read_table(path).sheet == "Pool"


def test_xlsx_rows_numbered_as_in_excel_and_errors_name_them(tmp_path: Path) -> None:
    path = tmp_path / "gaps.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = "id", "naam"
    ws["A2"], ws["B2"] = "1", "Anna"
    ws["A4"], ws["C4"] = "2", "orphan"
    wb.save(path)
    with pytest.raises(InputError, match="no name") as exc:
        read_table(path)
    assert "row 4" in message(exc) and "column 'C (no name)'" in message(exc)


def test_xlsx_empty_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "empty.xlsx", {"Leeg": []})
    with pytest.raises(InputError, match="sheet 'Leeg' is empty"):
        read_table(path)


def test_broken_xlsx(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.xlsx", b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="cannot be read as an Excel") as exc:
        read_table(path)
    assert str(path) in message(exc)
