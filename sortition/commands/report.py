"""The ``report`` command: write one public report of a draw, in a chosen format and language."""

from __future__ import annotations

from pathlib import Path

from quotas.errors import InputError
from sortition.commands.folder import bring_up_to_record
from sortition.files import atomic_write, check_writable_target
from sortition.i18n import check_lang
from sortition.records import (
    DRAW_FILE,
    INVITATIONS_FILE,
    LEDGER_FILE,
    LOTTERY_FILE,
    PLAN_FILE,
    PRIVATE_DIR,
    locked,
    lottery_beside,
    record_format,
)
from sortition.report.data import DEFAULT_LANG, ReportFormat
from sortition.report.output import REPORT_FILES, folder_report, render

#: File names a report may never be written over: the public records and the ledger.
RECORD_NAMES = frozenset({LOTTERY_FILE, DRAW_FILE, PLAN_FILE, INVITATIONS_FILE, LEDGER_FILE})


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def check_report_target(path: Path, draw_path: Path, *, default: bool, force: bool) -> None:
    """Refuse to write a report over an input, a public record, a private file or (without ``force``) any
    other existing file; the default report beside the record is derived and may be rewritten.

    Raises:
        InputError: naming the file and what to do instead.
    """
    check_writable_target(path)
    never = "a report is never written over it; give another file name with -o."
    if any(_same(path, p) for p in (draw_path, lottery_beside(draw_path))) or path.name in RECORD_NAMES:
        raise InputError(f"this is a public record or input of the draw: {never}", file=path)
    if PRIVATE_DIR in (path.parent.name, path.resolve().parent.name):
        raise InputError(f"this is in a private folder (personal data, secrets): {never}", file=path)
    if not path.exists() or default:
        return
    if not path.stat().st_mode & 0o077:
        raise InputError(f"this file is private (mode 0600): {never}", file=path)
    if record_format(path) is not None:
        raise InputError(f"this is a sortition record: {never}", file=path)
    if not force:
        raise InputError("exists already and would be overwritten.", file=path,
                         hint="Give another file name with -o, or pass --force to replace it.")


def write_report(draw_path: str | Path, *, fmt: ReportFormat | str = ReportFormat.HTML,
                 lang: str = DEFAULT_LANG, output: str | Path | None = None, force: bool = False) -> Path:
    """Build and write one report (default ``DIR/report.html`` or ``DIR/report.md``); return its path.

    The default report beside the record is rewritten freely (it is derived from the public files). An
    ``output`` is never an input, a public record or a private file; another existing file is replaced only
    with ``force``. A report written into the draw folder holds the folder's lock and first brings the
    private lists and the ledger up to the draw record (after an interrupted command); one written elsewhere
    only reads the folder.

    Example:
        >>> write_report("draw1/draw.json", fmt="md", lang="en")  # doctest: +SKIP
        PosixPath('draw1/report.md')
    """
    check_lang(lang)
    fmt = ReportFormat(fmt)
    record = Path(draw_path)
    folder = record.parent
    default = folder / REPORT_FILES[fmt]
    path = Path(output) if output else default
    check_report_target(path, record, default=_same(path, default), force=force)
    if not _same(path.parent, folder):
        content = render(folder_report(draw_path), fmt, lang)
        atomic_write(path, content.encode("utf-8"), overwrite=True)  # derived from the public files
        return path
    with locked(folder, "report"):
        bring_up_to_record(folder)
        content = render(folder_report(draw_path), fmt, lang)
        atomic_write(path, content.encode("utf-8"), overwrite=True)
    return path
