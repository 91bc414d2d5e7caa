"""Writing files safely: canonical JSON, atomic writes, spreadsheet-safe CSV and XLSX.

Nothing is overwritten silently and nothing is ever left half-written: every file goes to a temporary file
in the same folder, is flushed to disk, then renamed over the target in one step.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from quotas.errors import InputError, environment_problem
from quotas.textfiles import regular_file_size, remove_stale_temps, write_atomically

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
PUBLIC_FILE_MODE = 0o644
UTF8_BOM = b"\xef\xbb\xbf"
#: The creation time stated in every .xlsx the tool writes (a fixed time keeps the bytes reproducible).
XLSX_EPOCH = datetime.datetime(2020, 1, 1)

#: First characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (CSV injection),
#: including tab and carriage return, which some of them skip before looking for one.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> str:
    """A cell as text that a spreadsheet shows but never runs: ``'`` before a leading ``= + - @`` tab or CR.

    Example:
        >>> spreadsheet_safe("=1+1"), spreadsheet_safe("-12"), spreadsheet_safe("Zuid")
        ("'=1+1", "'-12", 'Zuid')
    """
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_bytes(header: Sequence[object], rows: Iterable[Sequence[object]], *, safe: bool = True,
              delimiter: str = ",", bom: bool = False) -> bytes:
    """UTF-8 CSV (minimal quoting, ``\\n`` line ends) with every cell through :func:`spreadsheet_safe`.

    ``delimiter`` and ``bom`` serve spreadsheets: Dutch Excel splits on ``;`` and reads UTF-8 only after a
    byte-order mark (without it, ``Çelik`` shows as ``Ã‡elik``). ``safe=False`` is only for files the tool
    reads back itself and nobody needs to open (``private/pool.csv``).
    """
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    clean = spreadsheet_safe if safe else (lambda c: "" if c is None else str(c))
    writer.writerow([clean(c) for c in header])
    writer.writerows([clean(c) for c in row] for row in rows)
    return (UTF8_BOM if bom else b"") + buf.getvalue().encode("utf-8")


def write_csv(path: str | Path, header: Sequence[object], rows: Iterable[Sequence[object]], *,
              mode: int = PRIVATE_FILE_MODE, overwrite: bool = True, safe: bool = True, delimiter: str = ",",
              bom: bool = False) -> Path:
    """Write a CSV file for people to open in a spreadsheet: atomically, formula cells neutralised.

    Every CSV the tool writes goes through here (see "Spreadsheet safety" in the user guide).
    """
    target = Path(path)
    atomic_write(target, csv_bytes(header, rows, safe=safe, delimiter=delimiter, bom=bom), mode=mode,
                 overwrite=overwrite)
    return target


#: Bumped when xlsx_bytes changes what it writes for the same rows: a list written before is then rebuilt.
XLSX_LAYOUT = b"sortition-xlsx/1"


def xlsx_fingerprint(header: Sequence[object], rows: Iterable[Sequence[object]], *, sheet: str = "list") -> bytes:
    """What determines :func:`xlsx_bytes`' output (layout, sheet, cells), hashed; kept as the zip comment."""
    cells = [sheet, ["" if v is None else str(v) for v in header],
             [["" if v is None else str(v) for v in row] for row in rows]]
    digest = hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode("utf-8")).hexdigest()
    return XLSX_LAYOUT + b" rows-sha256:" + digest.encode("ascii")


def xlsx_bytes(header: Sequence[object], rows: Iterable[Sequence[object]], *, sheet: str = "list") -> bytes:
    """An Excel workbook of one sheet: a bold header row, frozen, and every cell text (ids keep leading zeros).

    A cell that a spreadsheet would read as a formula (:data:`FORMULA_PREFIXES`) is stored as text with
    Excel's quote prefix: shown as typed, never run, and without the ``'`` a CSV cell needs. The zip comment
    is :func:`xlsx_fingerprint`, so :func:`write_xlsx` can tell an up-to-date file without building it again.

    openpyxl writes the workbook around the cells (styles, theme, properties) from the header and one cell
    of each kind; the data rows are written here as the very XML openpyxl writes for them, at a fraction of
    its cost per cell (10,000 rows of invitations took seconds).
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cells(row: Sequence[object]) -> list[str]:
        return [ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))[:32767] for value in row]

    rows = [list(row) for row in rows]
    head = cells(header)
    body = [cells(row) for row in rows]
    # The kinds of data cell in order of first appearance: openpyxl numbers its cell styles in that order.
    kinds: list[bool] = []
    for row in body:
        for text in row:
            if text and text.startswith(FORMULA_PREFIXES) not in kinds:
                kinds.append(text.startswith(FORMULA_PREFIXES))
        if len(kinds) == 2:
            break
    samples = [["=" if quoted else "x" for quoted in kinds]] if kinds else []
    comment = xlsx_fingerprint(header, rows, sheet=sheet)
    book, style = _xlsx_skeleton(head, samples, sheet, comment)
    if not any(any(row) for row in body):
        return book  # the skeleton holds the header only: it is the workbook
    letters = [_column_letter(c) for c in range(1, max(len(head), *(len(r) for r in body)) + 1)]
    out = io.StringIO()
    write = out.write
    write("<sheetData>")
    cols: list[int] = []
    used_rows: list[int] = []
    for r, row in enumerate([head, *body], 1):
        if not any(row):
            continue
        write(f'<row r="{r}">')
        for c, text in enumerate(row):
            if not text:
                continue
            kind = style[(r == 1, text.startswith(FORMULA_PREFIXES))]
            stripped = text.strip()  # openpyxl's rule: "preserve" only around some non-space text
            space = ' xml:space="preserve"' if stripped and text != stripped else ""
            write(f'<c r="{letters[c]}{r}" s="{kind}" t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>')
        cols += [min(c for c, text in enumerate(row) if text), max(c for c, text in enumerate(row) if text)]
        write("</row>")
        used_rows.append(r)
    write("</sheetData>")
    dimension = f"{letters[min(cols)]}{used_rows[0]}:{letters[max(cols)]}{used_rows[-1]}"  # as openpyxl states it
    return _xlsx_with_sheet_data(book, out.getvalue(), dimension, comment)


def _column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _xml_text(text: str) -> str:
    """Text as ElementTree escapes it in an element."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _xlsx_skeleton(head: Sequence[str], samples: Sequence[Sequence[str]], sheet: str, comment: bytes
                   ) -> tuple[bytes, dict[tuple[bool, bool], int]]:
    """The workbook openpyxl writes for the header and ``samples`` (one data cell of each kind), and the cell
    style number of each kind of cell: (header?, quote prefix?) -> style id."""
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    style: dict[tuple[bool, bool], int] = {}
    for r, row in enumerate([head, *samples], 1):
        for c, text in enumerate(row, 1):
            if not text:
                continue  # an empty cell stays empty
            cell = ws.cell(row=r, column=c)
            cell.value = text
            cell.data_type = "s"  # text, also for "=..." that openpyxl would store as a formula
            cell.number_format = "@"
            if text.startswith(FORMULA_PREFIXES):
                cell.quotePrefix = True
            if r == 1:
                cell.font = Font(bold=True)
            style[(r == 1, text.startswith(FORMULA_PREFIXES))] = cell.style_id
    ws.freeze_panes = "A2"
    return stamped_workbook(wb, comment), style


def stamped_workbook(wb: Any, comment: bytes) -> bytes:
    """The bytes of openpyxl workbook ``wb`` with fixed document and zip entry times, and ``comment`` as the
    zip comment.

    Same rows, same bytes: re-running a command that writes the same list writes nothing (atomic_write keeps
    an identical file) and the number of writes is deterministic.
    """
    wb.properties.created = wb.properties.modified = XLSX_EPOCH
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    stamp = XLSX_EPOCH.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            dst.writestr(zipfile.ZipInfo(item.filename, date_time=XLSX_EPOCH.timetuple()[:6]), data,
                         compress_type=zipfile.ZIP_DEFLATED)
        dst.comment = comment
    return out.getvalue()


def _xlsx_with_sheet_data(book: bytes, sheet_data: str, dimension: str, comment: bytes) -> bytes:
    """``book`` with its sheet's cells and dimension replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                text = re.sub(r'<dimension ref="[^"]*" />', f'<dimension ref="{dimension}" />', text, count=1)
                start, end = text.index("<sheetData"), text.index("</sheetData>") + len("</sheetData>")
                if text.startswith("<sheetData />", start):
                    end = start + len("<sheetData />")
                data = (text[:start] + sheet_data + text[end:]).encode("utf-8")
            dst.writestr(zipfile.ZipInfo(item.filename, date_time=XLSX_EPOCH.timetuple()[:6]), data,
                         compress_type=zipfile.ZIP_DEFLATED)
        dst.comment = comment
    return out.getvalue()


def write_xlsx(path: str | Path, header: Sequence[object], rows: Iterable[Sequence[object]], *,
               mode: int = PRIVATE_FILE_MODE, overwrite: bool = True) -> Path:
    """Write :func:`xlsx_bytes` atomically (private by default, like every list with personal data).

    A file that xlsx_bytes wrote for the same rows (its zip comment is their fingerprint) is left as it is,
    without building the workbook again (tens of milliseconds): every draw, replace and report rewrites the
    folder's lists, mostly unchanged. A file changed since (opened and saved in Excel) is rebuilt.
    """
    target = Path(path)
    rows = [list(row) for row in rows]
    sheet = target.stem[:31]
    current = _current_xlsx(target, xlsx_fingerprint(header, rows, sheet=sheet))
    data = current if current is not None else xlsx_bytes(header, rows, sheet=sheet)
    atomic_write(target, data, mode=mode, overwrite=overwrite)  # the same bytes: only stale temps go
    return target


def _current_xlsx(target: Path, fingerprint: bytes) -> bytes | None:
    """The bytes of ``target`` when it is the workbook xlsx_bytes writes for ``fingerprint``, else None."""
    try:
        data = target.read_bytes()
    except OSError:
        return None  # missing or unreadable: atomic_write says what is wrong when it writes
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if z.comment != fingerprint or z.testzip() is not None:
                return None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    return data


def canonical_json(obj: Any) -> bytes:
    """The one serialisation of public files: sorted keys, UTF-8, 1-space indent, trailing newline."""
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, indent=1, allow_nan=False)
    return (text + "\n").encode("utf-8")


def sha256_file(path: str | Path) -> str:
    """The SHA-256 of a regular file (a pipe or device is refused rather than read forever)."""
    regular_file_size(path, max_bytes=None)
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def make_folder(folder: str | Path, *, what: str = "output folder") -> Path:
    """Create ``folder`` (and its parents) unless it exists; refuse a file or a dangling link in the way.

    Raises:
        InputError: the path is a file, a symbolic link to nowhere, or lies below a file.
        EnvironmentProblem: the system refused to create it (read-only, permission denied, disk full).
    """
    p = Path(folder)
    if p.is_symlink() and not p.exists():
        raise InputError(f"the {what} is a symbolic link to a folder that does not exist.", file=p,
                         hint="Remove the link or create the folder it points to, or choose another folder.")
    if p.exists() and not p.is_dir():
        raise InputError(f"the {what} is a file, not a folder.", file=p,
                         hint="Choose a folder (it is created when missing), not a file.")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise InputError(f"the {what} cannot be created: a part of its path is a file, not a folder.", file=p,
                         hint="Choose another folder.") from None
    except OSError as exc:
        raise environment_problem(exc, p, doing="create the folder") from None
    return p


def check_writable_target(target: Path) -> None:
    """Refuse a target that is a folder or a dangling symbolic link (writing would fail or go elsewhere)."""
    if target.is_dir():
        raise InputError("is a folder, so no file can be written under this name.", file=target,
                         hint="Remove or rename the folder, or give the path of a file.")
    if target.is_symlink() and not target.exists():
        raise InputError("is a symbolic link to nowhere; the file is not written through it.", file=target,
                         hint="Remove the link, or give another path.")


def read_existing(target: Path) -> bytes | None:
    """The bytes of an existing file, None when there is none (for the "same bytes: leave it" rule)."""
    try:
        return target.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise environment_problem(exc, target, doing="read") from None


def atomic_write(path: str | Path, data: bytes, *, mode: int = PUBLIC_FILE_MODE, overwrite: bool = False) -> None:
    """Write ``data`` to ``path`` atomically.

    An existing file with different content is refused unless ``overwrite``; an existing file with the
    same bytes is left as it is (re-running a step is harmless).

    Raises:
        InputError: the file exists (and ``overwrite`` is false), or the path is a folder or dangling link.
        EnvironmentProblem: the system refused the write (disk full, read-only, permission denied).
    """
    target = Path(path)
    check_writable_target(target)
    old = read_existing(target) if target.exists() else None
    if old is not None:
        if old == data:
            remove_stale_temps(target)  # what an interrupted earlier write left goes on this run too
            return
        if not overwrite:
            raise InputError(
                "exists already and would be overwritten.",
                file=target,
                hint="Choose another output folder, or pass --force to replace it.",
            )
        if not target.stat().st_mode & 0o077:
            mode &= 0o700  # a private file (0600) stays private when rewritten
    make_folder(target.parent, what="folder")
    write_atomically(target, data, mode)
