"""Read a register or pool file (CSV, TSV, TXT or XLSX) into a table of text, exactly as the user sees it.

Every value stays text: an id ``007`` stays ``"007"``, an empty cell is ``""``. Rows are numbered as a
spreadsheet user counts them (the header is row 1, the first data row is row 2) and that number is the
index of :attr:`Table.frame`, so an error can always point at the row the official will find in Excel.

Example:
    >>> from sortition.tables import read_table
    >>> table = read_table("pool.csv")                       # doctest: +SKIP
    >>> table.delimiter, table.encoding, len(table.frame)    # doctest: +SKIP
    (';', 'cp1252', 200)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from quotas.errors import InputError
from quotas.textfiles import SAVE_AS_HINT, ZIP_MAGIC, decode_bytes, detect_delimiter, parse_delimited, read_bytes

TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})


@dataclass(frozen=True, eq=False)
class Table:
    """A table read from one file: text cells, trimmed, indexed by spreadsheet row number.

    Attributes:
        path: the file as the caller named it.
        sha256: hex SHA-256 of the file's bytes (recorded in the lottery file).
        frame: one column per header name (trimmed), every cell a ``str`` (dtype object, no NaN; empty
            cells are ``""``). The index, named ``row``, is the spreadsheet row number (header = row 1).
        encoding: the text encoding used (``utf-8-sig``, ``utf-8``, ``cp1252``, ``utf-16``); None for XLSX.
        delimiter: the field separator found (``,``, ``;`` or tab); None for XLSX.
        sheet: the worksheet read; None for text files.

    Example:
        >>> t = read_table("pool.csv")            # doctest: +SKIP
        >>> t.frame.loc[2, "id"]                  # the first data row  # doctest: +SKIP
        '007'
    """

    path: str
    sha256: str
    frame: pd.DataFrame
    encoding: str | None
    delimiter: str | None
    sheet: str | None

    @property
    def columns(self) -> tuple[str, ...]:
        """The header names, in file order."""
        return tuple(str(c) for c in self.frame.columns)

    def row_number(self, position: int) -> int:
        """Spreadsheet row number (header = 1) of the data row at 0-based ``position``."""
        return int(self.frame.index[position])


def read_table(path: str | Path, *, sheet: str | None = None) -> Table:
    """Read a CSV/TSV/TXT or XLSX file into a :class:`Table` of trimmed text.

    Text files: the encoding is UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252; the
    delimiter is whichever of ``;``, tab and ``,`` splits the header into the most fields. Excel files: the
    only (visible) sheet, or the one named by ``sheet``. Rows whose cells are all empty are skipped (their
    numbers are kept for the rows below them); columns with neither a name nor any value are dropped.

    Args:
        path: the file to read.
        sheet: the worksheet to read from an Excel file with several sheets.

    Returns:
        The table; it may have zero data rows (a header only).

    Raises:
        InputError: the file is missing, empty, binary, undecodable, or its header or rows are malformed;
            the message names the file, row and column and says what to do.
    """
    file = str(path)
    p = Path(path)
    data = read_bytes(p)
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError("the file is empty.", file=file,
                         hint="Give a file with a header row (row 1) and one row per person.")
    if data.startswith(ZIP_MAGIC) or p.suffix.lower() in EXCEL_SUFFIXES:
        sheet_name: str | None
        sheet_name, header, records = _read_xlsx(file, data, sheet)
        encoding = delimiter = None
    else:
        if sheet is not None:
            raise InputError(f"--sheet '{sheet}' was given but this is a text file, not an Excel file.",
                             file=file, hint="Leave out --sheet for CSV files.")
        text, encoding = decode_bytes(data, file, hint=SAVE_AS_HINT)
        delimiter = detect_delimiter(text)
        header, records = parse_delimited(text, delimiter, file)
        sheet_name = None
    frame = _build_frame(header, records, file)
    return Table(path=file, sha256=digest, frame=frame, encoding=encoding, delimiter=delimiter,
                 sheet=sheet_name)


# --------------------------------------------------------------------------------------------- Excel files

def _read_xlsx(file: str, data: bytes, sheet: str | None
               ) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    """Read one worksheet; returns (sheet name, header, numbered records)."""
    import zipfile

    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(f"this cannot be read as an Excel .xlsx file ({exc}).", file=file,
                         hint=SAVE_AS_HINT) from None
    try:
        ws = wb[_choose_sheet(wb, file, sheet)]
        title = str(ws.title)
        header: list[str] | None = None
        records: list[tuple[int, list[str]]] = []
        for cells in ws.iter_rows():
            values = [_cell_text(c.value, getattr(c, "number_format", None)) for c in cells]
            if not any(values):
                continue
            row = next(int(c.row) for c in cells if getattr(c, "row", None))
            if header is None:
                header = values
                continue
            records.append((row, values))
    finally:
        wb.close()
    if header is None:
        raise InputError(f"sheet '{title}' is empty.", file=file,
                         hint="Give a sheet with a header row and one row per person, or choose another "
                              "sheet with --sheet.")
    return title, header, records


def _choose_sheet(wb: object, file: str, sheet: str | None) -> str:
    names = [str(n) for n in wb.sheetnames]  # type: ignore[attr-defined]
    listing = ", ".join(f"'{n}'" for n in names)
    if sheet is not None:
        if sheet in names:
            return sheet
        folded = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
        if len(folded) == 1:
            return folded[0]
        raise InputError(f"there is no sheet '{sheet}'. The sheets are: {listing}.", file=file,
                         hint="Choose one of them with --sheet.")
    visible = [n for n in names if getattr(wb[n], "sheet_state", "visible") == "visible"]  # type: ignore[index]
    if len(visible) == 1:
        return visible[0]
    raise InputError(f"this workbook has {len(names)} sheets: {listing}.", file=file,
                     hint="Choose the sheet that holds the people with --sheet.")


def _cell_text(value: object, number_format: str | None) -> str:
    """An Excel cell as the text a user sees: 12 not 12.0, dates as ISO 8601, zero-padded codes kept."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return repr(value)
        text = str(int(value))
        fmt = number_format or ""
        if fmt and set(fmt) == {"0"} and len(fmt) > len(text):
            text = text.zfill(len(fmt))  # a "000" format shows 7 as 007: keep what the user sees
        return text
    return str(value).strip()


# ------------------------------------------------------------------------------------------- shared checks

def column_label(position: int) -> str:
    """Spreadsheet letter of a 0-based column position: 0 -> A, 26 -> AA."""
    label = ""
    n = position + 1
    while n:
        n, rem = divmod(n - 1, 26)
        label = chr(ord("A") + rem) + label
    return label


def _build_frame(raw_header: Sequence[str], records: Iterable[tuple[int, list[str]]], file: str
                 ) -> pd.DataFrame:
    """Trim, check the header, drop unnamed empty columns and all-empty rows; build the text frame."""
    header = [h.strip() for h in raw_header]
    rows: list[int] = []
    cells: list[list[str]] = []
    width = len(header)
    for num, rec in records:
        values = [v.strip() for v in rec[:width]]
        if not any(values):
            continue
        if len(values) < width:
            values.extend([""] * (width - len(values)))  # short rows: missing trailing cells are empty
        rows.append(num)
        cells.append(values)
    keep = _check_header(header, rows, cells, file)
    frame = pd.DataFrame([[r[i] for i in keep] for r in cells], columns=[header[i] for i in keep],
                         index=pd.Index(rows, name="row", dtype="int64"), dtype=object)
    return frame


def _check_header(header: list[str], rows: list[int], cells: list[list[str]], file: str) -> list[int]:
    """Positions of the columns to keep; raise on blank names that hold data and on duplicate names."""
    keep: list[int] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if not name:
            first = next((rows[j] for j, r in enumerate(cells) if r[i]), None)
            if first is None:
                continue  # an unnamed, empty column: an export artefact (trailing separators)
            raise InputError(
                "this column has values but no name in the header.", file=file, row=first,
                column=f"{column_label(i)} (no name)",
                hint="Give it a name in row 1, or delete the column.")
        key = name.casefold()
        if key in seen:
            j = seen[key]
            raise InputError(
                f"the header name '{name}' appears twice (columns {column_label(j)} and {column_label(i)}; "
                "names are compared ignoring upper/lower case).", file=file, row=1, column=name,
                hint="Rename or delete one of the two columns.")
        seen[key] = i
        keep.append(i)
    return keep


__all__ = ["Table", "column_label", "read_table"]
