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


def xlsx_bytes(header: Sequence[object], rows: Iterable[Sequence[object]], *, sheet: str = "list") -> bytes:
    """An Excel workbook of one sheet: a bold header row, frozen, and every cell text (ids keep leading zeros).

    A cell that a spreadsheet would read as a formula (:data:`FORMULA_PREFIXES`) is stored as text with
    Excel's quote prefix: shown as typed, never run, and without the ``'`` a CSV cell needs.
    """
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r, row in enumerate([header, *rows], 1):
        for c, value in enumerate(row, 1):
            text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
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
    ws.freeze_panes = "A2"
    # Same rows, same bytes: fixed document times and zip entry times, so re-running a command that writes the
    # same list writes nothing (atomic_write keeps an identical file) and the number of writes is deterministic.
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
    return out.getvalue()


def write_xlsx(path: str | Path, header: Sequence[object], rows: Iterable[Sequence[object]], *,
               mode: int = PRIVATE_FILE_MODE, overwrite: bool = True) -> Path:
    """Write :func:`xlsx_bytes` atomically (private by default, like every list with personal data)."""
    target = Path(path)
    atomic_write(target, xlsx_bytes(header, rows, sheet=target.stem[:31]), mode=mode, overwrite=overwrite)
    return target


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
