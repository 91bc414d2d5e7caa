"""Read delimited text files as spreadsheet programs and editors write them: the one place that does it.

Registers and pools (:mod:`sortition.tables`), quota files and margins files (:mod:`quotas.io`,
:mod:`quotas.propose`) all come through here, so an encoding, a separator or a broken row is recognised and
reported the same way whichever file it is in:

- :func:`read_bytes`: the file's bytes, or an :class:`~quotas.errors.InputError` saying it is missing, a
  folder, not a regular file (a FIFO or device, refused before ``open`` could block) or larger than the limit;
  an :class:`~quotas.errors.EnvironmentProblem` when the system refuses the read.
- :func:`decode_bytes`: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252; Excel workbooks
  and binary data are refused with the byte offset and row of the first bad byte.
- :func:`detect_delimiter`: ``;``, tab or ``,``, whichever splits the header into the most fields.
- :func:`parse_delimited`: a header and records numbered as in a spreadsheet (header = row 1).
- :func:`write_atomically`: the other direction, for every file the tool writes: a complete new file or the
  old one, never half of one; temporary files of interrupted writes are removed by the next write, and a
  refusal of the system (disk full, read-only, permission) is an :class:`~quotas.errors.EnvironmentProblem`.

Example:
    >>> text, encoding = decode_bytes("naam;wijk\\r\\nJoke;Zuid\\r\\n".encode("cp1252"), "pool.csv")
    >>> delimiter = detect_delimiter(text)
    >>> parse_delimited(text, delimiter, "pool.csv"), encoding, delimiter_name(delimiter)
    ((['naam', 'wijk'], [(2, ['Joke', 'Zuid'])]), 'utf-8', "';'")
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from quotas.errors import InputError, environment_problem

#: The separators recognised, in the order that breaks ties; "," is the fallback for a single column.
DELIMITERS = (";", "\t", ",")

#: What to do with a file that cannot be read as text, when an Excel .xlsx file is also accepted.
SAVE_AS_HINT = "Export it again as 'CSV UTF-8' or as an Excel .xlsx file."
#: The same for readers that take text files only.
SAVE_AS_CSV_HINT = "Save it again as 'CSV UTF-8' and give that file."

ZIP_MAGIC = b"PK\x03\x04"  # .xlsx (and other zip) files
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary .xls (and .doc) files
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"
#: Most columns a table may have: Excel's own limit. A wider header is a broken export (or an attack) and
#: would cost seconds and hundreds of MB to build into a table.
MAX_COLUMNS = 16_384
#: Largest input file read whole into memory (pools, quota and margins files, public records): 512 MiB. A pool
#: of 100,000 people is a few tens of MB; anything larger is the wrong file, and reading it would cost several
#: times its size in memory before any error could be given.
MAX_INPUT_BYTES = 512 * 1024 * 1024
_SNIFF_RECORDS = 50  # data records looked at to break delimiter ties
_BINARY_SCAN = 65536  # bytes searched for a zero byte


def regular_file_size(path: str | Path, *, what: str = "file", max_bytes: int | None = MAX_INPUT_BYTES) -> int:
    """The size of ``path`` after checking that it is a regular file of at most ``max_bytes`` bytes.

    Checked with ``stat`` before anything opens the file: a FIFO would block ``open`` forever and a device
    such as ``/dev/zero`` never ends, so both are refused at once.

    Raises:
        InputError: missing, a folder, not a regular file, or larger than ``max_bytes`` (naming the limit).
        EnvironmentProblem: the system refused to look at it (permission denied, ...).
    """
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError(f"{what} not found.", file=path, hint="Check the path and the file name.") from None
    except NotADirectoryError:
        raise InputError(f"{what} not found: a part of this path is a file, not a folder.", file=path,
                         hint="Check the path.") from None
    except OSError as exc:
        raise environment_problem(exc, path, doing="read") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("this is a folder, not a file.", file=path, hint="Give the path of the file itself.")
    if not stat.S_ISREG(st.st_mode):
        raise InputError("this is not a regular file (a pipe, device or socket), so it is not read.",
                         file=path, hint="Save the data to a file and give that file.")
    if max_bytes is not None and st.st_size > max_bytes:
        raise InputError(f"this file has {st.st_size:,} bytes; a {what} may have at most {max_bytes:,}.",
                         file=path, hint="Check that this is the right file.")
    return st.st_size


def read_bytes(path: str | Path, *, what: str = "file", max_bytes: int | None = MAX_INPUT_BYTES) -> bytes:
    """The bytes of ``path``, a regular file of at most ``max_bytes`` bytes (see :func:`regular_file_size`).

    Raises:
        InputError: the file is missing, is a folder, is not a regular file or is too large (naming the file).
        EnvironmentProblem: the system refused to read it (permission denied, I/O error).
    """
    p = Path(path)
    regular_file_size(p, what=what, max_bytes=max_bytes)
    try:
        with open(p, "rb") as fh:
            data = fh.read() if max_bytes is None else fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{what} not found.", file=path, hint="Check the path and the file name.") from None
    except IsADirectoryError:
        raise InputError("this is a folder, not a file.", file=path, hint="Give the path of the file itself.") from None
    except OSError as exc:
        raise environment_problem(exc, path, doing="read") from None
    if max_bytes is not None and len(data) > max_bytes:  # grew while being read
        raise InputError(f"this file has more than {max_bytes:,} bytes; a {what} may have at most {max_bytes:,}.",
                         file=path, hint="Check that this is the right file.")
    return data


def decode_bytes(data: bytes, file: str | Path | None, *, hint: str = SAVE_AS_CSV_HINT) -> tuple[str, str]:
    """Decode the bytes of a text file as a spreadsheet program or editor wrote them.

    A UTF-16 byte-order mark decides UTF-16; otherwise the text is UTF-8 (with or without BOM), else
    Windows-1252 (what Dutch Excel writes as "CSV"). An Excel workbook (.xlsx or old .xls) and any data
    holding a zero byte are refused rather than read as garbage.

    Args:
        data: the file's bytes.
        file: the file name used in error messages.
        hint: what the user should do when the file cannot be read as text.

    Returns:
        ``(text, encoding)`` with encoding one of ``utf-16``, ``utf-8-sig``, ``utf-8``, ``cp1252``; the
        text holds no byte-order mark.

    Raises:
        InputError: an Excel file, binary data or undecodable bytes; the message names the byte offset and
            the (physical) line of the first bad byte.

    Example:
        >>> decode_bytes("wijk\\nZuid-Oost é\\n".encode("cp1252"), "q.csv")
        ('wijk\\nZuid-Oost é\\n', 'cp1252')
    """
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise _undecodable(data, exc.start, file, "UTF-16", hint) from None
    _refuse_binary(data, file, hint)
    if data.startswith(_UTF8_BOM):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _undecodable(data, exc.start + len(_UTF8_BOM), file, "UTF-8", hint) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise _undecodable(data, exc.start, file, "UTF-8 or Windows-1252 (cp1252)", hint) from None


def _refuse_binary(data: bytes, file: str | Path | None, hint: str) -> None:
    if data.startswith(ZIP_MAGIC):
        raise InputError("this looks like an Excel (.xlsx) file, not a text file.", file=file, hint=hint)
    if data.startswith(OLE_MAGIC):
        raise InputError("this is an old Excel .xls (or other Office) file, which cannot be read.",
                         file=file, hint=hint)
    nul = data.find(b"\x00", 0, _BINARY_SCAN)
    if nul >= 0:
        raise InputError(
            f"this does not look like a table: it holds binary data (a zero byte at byte offset {nul}).",
            file=file, row=_row_at(data, nul), hint=hint)


def _row_at(data: bytes, offset: int) -> int:
    # Counts physical lines; equals the spreadsheet row unless a quoted value spans lines before it.
    return data.count(b"\n", 0, offset) + 1


def _undecodable(data: bytes, offset: int, file: str | Path | None, tried: str, hint: str) -> InputError:
    return _undecodable_byte(data[offset], offset, _row_at(data, offset), file, tried, hint)


def _undecodable_byte(byte: int, offset: int, row: int, file: str | Path | None, tried: str, hint: str
                      ) -> InputError:
    return InputError(f"byte 0x{byte:02x} at byte offset {offset} cannot be read as {tried} text.",
                      file=file, row=row, hint=hint)


def undecodable_in_file(path: Path, encoding: str, tried: str, hint: str, *, block: int = 1 << 26) -> InputError:
    """The error for the first byte of a file, however large, that ``encoding`` cannot decode.

    For readers that decode only the start of a file themselves (a register of millions of rows) and learn
    from their parser that a later byte is bad: the file is read again block by block to name that byte's
    offset and line, in the words :func:`decode_bytes` uses.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    rows = 1
    with open(path, "rb") as fh:
        for data in iter(lambda: fh.read(block), b""):
            try:
                decoder.decode(data)
            except UnicodeDecodeError as exc:
                # exc.object may start with a partial character carried over from the previous block
                carried = len(exc.object) - len(data)
                return _undecodable_byte(exc.object[exc.start], offset - carried + exc.start,
                                         rows + exc.object.count(b"\n", 0, exc.start), path, tried, hint)
            offset += len(data)
            rows += data.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return _undecodable_byte(exc.object[exc.start], offset - len(exc.object) + exc.start, rows, path, tried,
                                 hint)
    return InputError(f"cannot be read as {tried} text.", file=path, hint=hint)


def _first_records(text: str, delimiter: str, limit: int) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[list[str]] = []
    try:
        for rec in reader:
            if any(f.strip() for f in rec):
                out.append(rec)
            if len(out) > limit:
                break
    except csv.Error:
        pass  # a malformed file is reported by the full parse, with its row
    return out


def detect_delimiter(text: str) -> str:
    """The separator of a delimited text: ``;``, tab or ``,``.

    The one that splits the header (the first non-blank record) into the most fields wins; on a tie, the
    one that the most of the next 50 records agree with (same number of fields); then the order of
    :data:`DELIMITERS`. A single column gives ``,``. Quoted values are respected.

    Example:
        >>> detect_delimiter('naam;"adres, plaats"\\nJoke;"Dorpsstraat 1, Ee"\\n')
        ';'
    """
    best = ","
    best_score = (1, -1)
    for delim in DELIMITERS:
        recs = _first_records(text, delim, _SNIFF_RECORDS)
        if not recs:
            continue
        width = len(recs[0])
        agree = sum(1 for r in recs[1:] if len(r) == width)
        score = (width, agree)
        if width > 1 and score > best_score:
            best, best_score = delim, score
    return best


def parse_delimited(
    text: str, delimiter: str, file: str | Path | None, *, on_empty: InputError | None = None,
    check_widths: bool = True,
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Split delimited text into its header and its records, numbered as a spreadsheet numbers rows.

    Blank lines above the header are skipped (and counted). Cells are returned as written (not trimmed);
    a record may be shorter than the header, and longer only when the extra cells are blank (unless
    ``check_widths`` is false).

    Args:
        text: the decoded text (see :func:`decode_bytes`).
        delimiter: the separator (see :func:`detect_delimiter`).
        file: the file name used in error messages.
        on_empty: the error to raise when the text holds no non-blank cell; by default an
            :class:`~quotas.errors.InputError` "the file is empty.".
        check_widths: refuse a record with more non-blank values than the header has names (a value
            holding the separator, unquoted). A reader that checks the header's names first and ignores
            cells beyond them passes False, so that a wrong header is reported as such.

    Returns:
        ``(header, records)``: the header's cells, and one ``(row number, cells)`` per record below it,
        the header being row 1 when it is the first line.

    Raises:
        InputError: a record cannot be parsed (e.g. a stray quote) or has more values than the header
            has names; the message names the row and says what to do.

    Example:
        >>> parse_delimited("id,wijk\\n7,Zuid\\n\\n8,Noord\\n", ",", "pool.csv")
        (['id', 'wijk'], [(2, ['7', 'Zuid']), (3, []), (4, ['8', 'Noord'])])
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    header: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    row = 0
    try:
        for rec in reader:
            row += 1
            if header is None:
                if not any(f.strip() for f in rec):
                    continue  # blank lines above the header
                header = rec
                continue
            records.append((row, rec))
    except csv.Error as exc:
        raise InputError(f"this row cannot be read as {delimiter_name(delimiter)}-separated values ({exc}).",
                         file=file, row=row + 1, hint="Check the quotes on this row.") from None
    if header is None:
        raise on_empty or InputError("the file is empty.", file=file,
                                     hint="Give a file with a header row (row 1) and one row per person.")
    _check_header_width(header, delimiter, file)
    if check_widths:
        _check_widths(len(header), records, delimiter, file)
    return header, records


def _check_header_width(header: list[str], delimiter: str, file: str | Path | None) -> None:
    width = len(header)
    if width > MAX_COLUMNS:
        raise InputError(
            f"the header has {width:,} {delimiter_name(delimiter)}-separated fields; a table may have at "
            f"most {MAX_COLUMNS:,} columns (Excel's limit).", file=file, row=1,
            hint="This is not a register or pool export: check the file, or export it again as 'CSV UTF-8'.")


def _check_widths(width: int, records: list[tuple[int, list[str]]], delimiter: str,
                  file: str | Path | None) -> None:
    for num, rec in records:
        if len(rec) > width and any(f.strip() for f in rec[width:]):
            raise InputError(
                f"this row has {len(rec)} fields but the header has {width}.", file=file, row=num,
                hint=f"A value probably contains the separator {delimiter_name(delimiter)}: put that value "
                     "in double quotes, or fix the row.")


def delimiter_name(delimiter: str) -> str:
    """The separator as a message names it: ``tab``, ``';'``, ``','``."""
    return {"\t": "tab", ";": "';'", ",": "','"}.get(delimiter, repr(delimiter))




#: Fault injection for the crash tests (None in use): called with the target after the temporary file is
#: complete, just before the rename -- the worst moment to die. It lives here, in the one function every file
#: of the tool is written through (quota files and sortition's files alike), so one hook reaches every write.
_before_replace: Callable[[Path], None] | None = None


#: A temporary file whose writer may still be running is removed anyway once it is this old (a pid reused).
STALE_TEMP_SECONDS = 3600.0
_TEMP_RANDOM = 8  # characters tempfile.mkstemp puts between prefix and suffix


def temp_prefix(path: Path, pid: int | None = None) -> str:
    """The name start of :func:`write_atomically`'s temporary files for ``path``: ``.NAME.PID.``."""
    return f".{path.name}.{os.getpid() if pid is None else pid}."


def _writer_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def remove_stale_temps(path: Path) -> list[Path]:
    """Remove the temporary files that interrupted writes of ``path`` left beside it; return those removed.

    A temporary file is stale when the process that wrote it is gone, or when it is older than
    :data:`STALE_TEMP_SECONDS`. Only names :func:`write_atomically` makes are touched.
    """
    head = f".{path.name}."
    removed: list[Path] = []
    try:
        candidates = [c for c in path.parent.iterdir() if c.name.startswith(head) and c.name.endswith(".tmp")]
    except OSError:
        return removed
    now = time.time()
    for cand in candidates:
        pid_text, _, rest = cand.name[len(head):-len(".tmp")].partition(".")
        if not pid_text.isdigit() or len(rest) != _TEMP_RANDOM:
            continue
        with contextlib.suppress(OSError):
            st = cand.lstat()
            if stat.S_ISREG(st.st_mode) and (not _writer_alive(int(pid_text))
                                             or now - st.st_mtime > STALE_TEMP_SECONDS):
                cand.unlink()
                removed.append(cand)
    return removed


def write_atomically(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``path`` through a synced temporary file in the same folder and one rename.

    A crash at any moment leaves either the old complete file or the new complete one; its temporary file
    is removed by the next write of the same target. Callers decide whether ``path`` may be replaced. The
    crash tests break in through :data:`_before_replace`.

    Raises:
        EnvironmentProblem: the system refused the write (disk full, read-only, permission denied, ...).
    """
    remove_stale_temps(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise environment_problem(exc, path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if _before_replace is not None:
            _before_replace(path)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise environment_problem(exc, path) from None
        raise


__all__ = [
    "DELIMITERS",
    "MAX_COLUMNS",
    "MAX_INPUT_BYTES",
    "OLE_MAGIC",
    "SAVE_AS_CSV_HINT",
    "SAVE_AS_HINT",
    "ZIP_MAGIC",
    "decode_bytes",
    "delimiter_name",
    "detect_delimiter",
    "parse_delimited",
    "read_bytes",
    "regular_file_size",
    "remove_stale_temps",
    "undecodable_in_file",
    "write_atomically",
]
