"""The output folder and the public records: file names, format identifiers, readers, the ledger.

Every file a command reads from or writes to a draw folder is named here, once. Public records (the lottery
file, the draw record, the invitation plan and record) are canonical JSON (:func:`sortition.files.canonical_json`);
the ledger ``ledger.jsonl`` holds wall-clock times, hash-chained line by line, so that the public records stay
pure functions of their inputs.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import hashlib
import json
import os
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from quotas.errors import EnvironmentProblem, InputError, VerificationError, environment_problem
from quotas.textfiles import read_bytes
from sortition.files import (
    PRIVATE_DIR_MODE,
    PRIVATE_FILE_MODE,
    atomic_write,
    canonical_json,
    make_folder,
    write_csv,
    write_xlsx,
)
from sortition.identity import id_key
from sortition.schemacheck import compile_schema

try:  # the folder lock: flock on POSIX, msvcrt.locking on Windows
    import fcntl as _fcntl
except ImportError:  # pragma: no cover - Windows
    _fcntl = None  # type: ignore[assignment]
    import msvcrt as _msvcrt

# Format identifiers of the public records.
LOTTERY_FORMAT = "sortition-lottery/1"
DRAW_FORMAT = "sortition-draw/1"
PLAN_FORMAT = "sortition-invitation-plan/1"
INVITATIONS_FORMAT = "sortition-invitations/1"

# Public files of a draw folder.
LOTTERY_FILE = "lottery.json"
DRAW_FILE = "draw.json"
REPORT_HTML = "report.html"
REPORT_MD = "report.md"
LEDGER_FILE = "ledger.jsonl"
#: The self-contained page with which anyone checks the draw in a browser (sortition.web).
VERIFIER_PAGE = "verify.html"
# Public files of an invitation folder.
PLAN_FILE = "invitation_plan.json"
INVITATIONS_FILE = "invitations.json"

# Private files (personal data or secrets), under PRIVATE_DIR.
PRIVATE_DIR = "private"
SALT_FILE = "salt"
POOL_COPY = "pool.csv"
PANEL_LIST = "panel.csv"
RESERVE_LIST = "reserves.csv"
# The same lists as Excel workbooks.
PANEL_XLSX = "panel.xlsx"
RESERVE_XLSX = "reserves.xlsx"
EXCLUDE_FILE = "exclude_ids.txt"
#: What invite prepare computed of the register (pseudonyms, strata, rows), so invite draw need not parse it again.
UNITS_CACHE_FILE = "invite_units.npz"
#: How the input file was separated, so the lists people open in a spreadsheet come back the same way.
LIST_FORMAT_FILE = "format.json"

#: The column of private/pool.csv that holds each person's pseudonym.
PSEUDONYM_COLUMN = "sortition_pseudonym"

GENESIS = "0" * 64  # the "previous" of a ledger's first line

#: The JSON Schemas (draft 2020-12) of the public records, shipped with the package; docs/schemas links here.
SCHEMA_DIR = Path(__file__).parent / "schemas"
#: Format identifier -> schema file in SCHEMA_DIR.
SCHEMA_FILES = {
    LOTTERY_FORMAT: "lottery.schema.json",
    DRAW_FORMAT: "draw.schema.json",
    PLAN_FORMAT: "invitation_plan.schema.json",
    INVITATIONS_FORMAT: "invitations.schema.json",
}

#: The lock file of a folder: every command that changes a folder holds an exclusive lock on it.
LOCK_FILE = ".lock"
BUSY = "another sortition command is working in this folder"


def _try_lock(fd: int) -> bool:
    """Take an exclusive, non-blocking lock on the open file ``fd``; False when another process holds it."""
    try:
        if _fcntl is not None:
            _fcntl.flock(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
        else:  # Windows: lock the file's first byte
            _msvcrt.locking(fd, _msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    with contextlib.suppress(OSError):
        if _fcntl is not None:
            _fcntl.flock(fd, _fcntl.LOCK_UN)
        else:
            os.lseek(fd, 0, os.SEEK_SET)
            _msvcrt.locking(fd, _msvcrt.LK_UNLCK, 1)


@contextlib.contextmanager
def locked(folder: str | Path, what: str) -> Iterator[Path]:
    """Hold the exclusive lock of ``folder`` (``folder/.lock``) while a command changes it.

    One command at a time per folder: a second one, in this or another process, does not wait but gets an
    EnvironmentProblem (exit code 3) naming ``what`` it was about to do, before it has written anything. The
    lock is released when the process ends, however it ends (the operating system drops it), so a crash never
    leaves a folder locked; the empty ``.lock`` file stays. POSIX uses ``flock``, Windows ``msvcrt.locking``.
    Not for network file systems whose locks are not shared between machines (a documented limit,
    docs/auditing.md).
    """
    path = make_folder(folder)  # a file or a dangling link in the way: InputError, not an OSError
    try:
        fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise environment_problem(exc, path / LOCK_FILE, doing="create the lock file") from None
    try:
        if not _try_lock(fd):  # the environment, not the input: exit 3, like any other locked folder
            raise EnvironmentProblem(f"{BUSY}; {what} did not start and wrote nothing. Wait until the other "
                                     "command has finished, then run this one again.", file=path)
        try:
            yield path
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def private_dir(base: str | Path) -> Path:
    """``base/private``, created (or tightened) to mode 0700."""
    make_folder(base)
    path = make_folder(Path(base) / PRIVATE_DIR, what="private folder")
    try:
        os.chmod(path, PRIVATE_DIR_MODE)
    except OSError as exc:
        raise environment_problem(exc, path, doing="protect (chmod 0700)") from None
    return path


def private_file(base: str | Path, name: str) -> Path:
    """The path of a private file of a folder (without creating anything)."""
    return Path(base) / PRIVATE_DIR / name


#: Largest public record read (lottery file, draw record, invitation plan and record): 256 MiB. A lottery of
#: 10,000 panels of 100 people is about 20 MB.
MAX_RECORD_BYTES = 256 * 1024 * 1024
#: Longest integer literal accepted in a public record: counts and indices have a few digits, and Python
#: refuses to convert more than 4,300 digits anyway (with an error that would not name the file).
MAX_INT_DIGITS = 30


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(text.lstrip('-')):,} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def parse_record(raw: bytes) -> Any:
    """Parse the bytes of a public record as strict JSON: no NaN or Infinity, no huge integers.

    Raises:
        ValueError: not UTF-8, not JSON, a refused number, or nested too deeply to parse.
    """
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant, parse_int=_bounded_int)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def read_json(path: str | Path, *, what: str) -> tuple[bytes, dict[str, Any]]:
    """Read a JSON file; return its exact bytes and the parsed object. Clear errors for bad files.

    Only a regular file of at most :data:`MAX_RECORD_BYTES` bytes is read; NaN, Infinity, integers of more
    than :data:`MAX_INT_DIGITS` digits and very deep nesting are refused (sortition never writes them).
    """
    p = Path(path)
    raw = read_bytes(p, what=what, max_bytes=MAX_RECORD_BYTES)
    try:
        obj = parse_record(raw)
    except ValueError as exc:  # UnicodeDecodeError and json.JSONDecodeError are ValueErrors
        line = getattr(exc, "lineno", None)
        raise InputError(f"is not a valid {what} (not JSON as sortition writes it: {exc}).", file=p, row=line,
                         hint="Use the file exactly as sortition wrote it.") from None
    if not isinstance(obj, dict):
        raise InputError(f"is not a valid {what} (expected a JSON object).", file=p)
    return raw, obj


def read_lottery(path: str | Path) -> tuple[bytes, dict[str, Any]]:
    """The lottery file's exact bytes (the commitment is their SHA-256) and its content, schema-checked."""
    return read_record(path, LOTTERY_FORMAT, what="lottery file")


def read_draw(path: str | Path) -> tuple[bytes, dict[str, Any]]:
    """The draw record's exact bytes and its content, schema-checked."""
    return read_record(path, DRAW_FORMAT, what="draw record")


def read_plan(path: str | Path) -> tuple[bytes, dict[str, Any]]:
    """The invitation plan's exact bytes (the commitment is their SHA-256) and its content, schema-checked."""
    return read_record(path, PLAN_FORMAT, what="invitation plan")


def read_invitations(path: str | Path) -> tuple[bytes, dict[str, Any]]:
    """The invitation record's exact bytes and its content, schema-checked."""
    return read_record(path, INVITATIONS_FORMAT, what="invitation record")


def read_record(path: str | Path, format_id: str, *, what: str) -> tuple[bytes, dict[str, Any]]:
    """Read a public record and check it against the schema of ``format_id`` (docs/schemas).

    A file of another format is returned unchecked: the caller's format check names the mix-up.

    Raises:
        InputError: the file is missing or not a JSON object.
        VerificationError: the record breaks its schema; the message names the path of the bad field.
    """
    raw, obj = read_json(path, what=what)
    if obj.get("format") == format_id:
        problem = schema_problem(obj, format_id)
        if problem:
            raise VerificationError(f"{path}: is not a valid {what}: {problem}")
    return raw, obj


@cache
def _checker(format_id: str) -> Callable[[Any], str | None]:
    schema = json.loads((SCHEMA_DIR / SCHEMA_FILES[format_id]).read_text(encoding="utf-8"))
    return compile_schema(schema)


def schema_problem(record: Mapping[str, Any], format_id: str) -> str | None:
    """None when ``record`` meets the schema of ``format_id``, else where and what is wrong, e.g.
    ``people.3f9a0c1d2b4e5f60.household: expected a pseudonym (16 lowercase hexadecimal digits), got "zz".``"""
    return _checker(format_id)(record)


def record_format(path: str | Path) -> object:
    """The ``format`` field of a public record, or None when the file cannot be read as one."""
    try:
        return read_json(path, what="record")[1].get("format")
    except InputError:
        return None


def lottery_beside(draw_path: str | Path, lottery_path: str | Path | None = None) -> Path:
    """The lottery file of a draw record: the one given, else ``lottery.json`` beside the record."""
    return Path(lottery_path) if lottery_path else Path(draw_path).parent / LOTTERY_FILE


def append_ledger(folder: str | Path, entry: Mapping[str, Any]) -> None:
    """Append one event to ``folder/ledger.jsonl``; each line holds the SHA-256 of the line before it.

    The file is rewritten atomically (old lines + the new one) rather than appended to in place, so a crash
    leaves the old ledger or the new one, never a torn last line (ledgers hold a handful of lines). A torn
    line left by an older version is ended with a newline, kept as evidence and chained like any other.
    """
    path = Path(folder) / LEDGER_FILE
    old = path.read_bytes() if path.exists() else b""
    if old and not old.endswith(b"\n"):
        old += b"\n"
    lines = old.splitlines()
    prev = hashlib.sha256(lines[-1]).hexdigest() if lines else GENESIS
    record = {"time": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"), "previous": prev, **entry}
    line = json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n"
    atomic_write(path, old + line.encode("utf-8"), overwrite=True)


@dataclass(frozen=True)
class Ledger:
    """A folder's ledger as read back: its entries (``{}`` for a line that is not a JSON object) and whether
    the hash chain holds. ``broken_at`` is the 1-based number of the first line that breaks it."""

    entries: tuple[Mapping[str, Any], ...]
    broken_at: int | None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def read_ledger(folder: str | Path) -> Ledger | None:
    """Read and check ``folder/ledger.jsonl``; None when the folder has none."""
    path = Path(folder) / LEDGER_FILE
    if not path.exists():
        return None
    prev = GENESIS
    broken: int | None = None
    entries: list[Mapping[str, Any]] = []
    for n, line in enumerate(path.read_bytes().splitlines(), 1):
        try:
            entry = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            entry = None  # a torn or edited line: the chain is broken here, the lines after still count
        if not isinstance(entry, dict):
            entry = {}
        if broken is None and entry.get("previous") != prev:
            broken = n
        prev = hashlib.sha256(line).hexdigest()
        entries.append(entry)
    return Ledger(tuple(entries), broken)


def _private_rows(folder: Path, order: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    path = private_file(folder, POOL_COPY)
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        raise InputError("the private copy of the pool is missing.", file=path,
                         hint="Run draw in the folder that prepare wrote.") from None
    header, body = rows[0], rows[1:]
    by_name = {r[0]: r for r in body}
    missing = [p for p in order if p not in by_name]
    if missing:
        raise InputError(f"does not hold {len(missing)} people of the lottery.", file=path,
                         hint="Run draw in the folder that prepare wrote.")
    return header, [by_name[p] for p in order]


def write_list_format(folder: str | Path, delimiter: str | None) -> None:
    """Remember the input's field separator (private: it says nothing about anyone, but belongs to the lists)."""
    data = canonical_json({"delimiter": delimiter or ","})
    atomic_write(private_dir(folder) / LIST_FORMAT_FILE, data, mode=PRIVATE_FILE_MODE, overwrite=True)


def list_delimiter(folder: str | Path) -> str:
    """The field separator for the folder's private lists: the input's (``,`` for folders made before it was kept)."""
    path = private_file(folder, LIST_FORMAT_FILE)
    if not path.exists():
        return ","
    value = read_json(path, what="list format file")[1].get("delimiter")
    return value if value in (",", ";", "\t") else ","


def write_list(folder: str | Path, name: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[Path]:
    """A private list people open: ``name.csv`` (the input's separator, UTF-8 with BOM for Excel) and ``name.xlsx``."""
    priv = private_dir(folder)
    csv_path = write_csv(priv / f"{name}.csv", header, rows, delimiter=list_delimiter(folder), bom=True)
    xlsx_path = write_xlsx(priv / f"{name}.xlsx", header, rows)
    return [csv_path, xlsx_path]


def write_private_lists(folder: Path, panel: Sequence[str], reserves: Sequence[str], *,
                        used: Collection[str] = (), replaces: Mapping[str, str] | None = None,
                        id_column: str | None = None) -> list[Path]:
    """The panel and the reserve list with the pool's own columns (private: personal data).

    ``reserves`` is the whole committed reserve list; those ``used`` (called up to the panel) are left out and
    the others keep their committed rank. ``replaces`` maps a replacement's pseudonym to the drop-out's, shown
    in the panel list's ``replaces`` column, and with ``id_column`` (the pool's id column) the drop-out's id in
    ``replaces_id``. Returns the files written: panel.csv, panel.xlsx, reserves.csv, reserves.xlsx.
    """
    gone = set(used) | set(panel)
    ranked = [(n, r) for n, r in enumerate(reserves, 1) if r not in gone]
    header, panel_rows = _private_rows(folder, panel)
    _, reserve_rows = _private_rows(folder, [r for _, r in ranked])
    swaps = dict(replaces or {})
    columns = ["rank", "replaces", *header]
    rows = [[str(i + 1), swaps.get(row[0], ""), *row] for i, row in enumerate(panel_rows)]
    if id_column in header:
        at = header.index(id_column)
        dropouts = sorted(set(swaps.values()))
        ids = {row[0]: row[at] for row in _private_rows(folder, dropouts)[1]}
        columns.insert(2, "replaces_id")
        for row in rows:
            row.insert(2, ids.get(row[1], ""))
    paths = write_list(folder, Path(PANEL_LIST).stem, columns, rows)
    # private/pool.csv holds the raw values; the lists people open get formula cells neutralised.
    paths += write_list(folder, Path(RESERVE_LIST).stem, ["rank", *header],
                        [[str(n), *row] for (n, _), row in zip(ranked, reserve_rows, strict=True)])
    return paths


def pseudonyms_by_id(folder: Path, id_column: str | None) -> dict[str, str]:
    """Id key (:func:`sortition.identity.id_key`) -> pseudonym from the private pool copy, so officials can
    name people by their id as they find it written (``p 389437`` for ``P389437``)."""
    path = private_file(folder, POOL_COPY)
    if not id_column or not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {id_key(row[id_column]): row[PSEUDONYM_COLUMN] for row in rows
            if row.get(id_column) is not None and row.get(PSEUDONYM_COLUMN)}
