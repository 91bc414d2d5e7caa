"""The ``report`` command: write one public report of a draw, in a chosen format and language."""

from __future__ import annotations

import re
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
from sortition.report.data import ReportData, ReportFormat
from sortition.report.output import REPORT_FILES, folder_report, published_lang, render

#: File names a report may never be written over: the public records and the ledger.
RECORD_NAMES = frozenset({LOTTERY_FILE, DRAW_FILE, PLAN_FILE, INVITATIONS_FILE, LEDGER_FILE})
#: The reports the tool itself writes beside a record (report.html, report.en.md, ...): derived, rewritten freely.
_FOLDER_REPORT = re.compile(r"report(\.[a-z]{2})?\.(html|md)")


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def check_report_target(path: Path, draw_path: Path, *, default: bool, force: bool) -> None:
    """Refuse to write a report over an input, a public record, a private file or (without ``force``) any
    other existing file; a report the tool writes beside the record (``default``) is derived and may be
    rewritten.

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
                 lang: str | None = None, output: str | Path | None = None, force: bool = False) -> Path:
    """Build and write one report; return its path.

    Without ``output`` the report goes beside the record: ``report.html`` / ``report.md`` in the language
    chosen at draw time (``lang`` None or that language), or ``report.en.html`` / ``report.en.md`` for
    another language, so the published report is never overwritten in another language. An ``output`` is
    never an input, a public record or a private file; another existing file (other than the tool's own
    reports beside the record) is replaced only with ``force``.

    A report written into the draw folder holds the folder's lock and first brings the private lists and the
    ledger up to the draw record (after an interrupted command); one written elsewhere only reads the folder.

    Example:
        >>> write_report("draw1/draw.json", fmt="md", lang="en")  # doctest: +SKIP
        PosixPath('draw1/report.en.md')
    """
    if lang is not None:
        check_lang(lang)
    fmt = ReportFormat(fmt)
    record = Path(draw_path)
    folder = record.parent

    def is_folder_report(path: Path) -> bool:
        return _same(path.parent, folder) and _FOLDER_REPORT.fullmatch(path.name) is not None

    if output:
        check_report_target(Path(output), record, default=is_folder_report(Path(output)), force=force)

    def target(data: ReportData) -> tuple[Path, str]:
        published = published_lang(data)
        chosen = lang or published
        if output:
            return Path(output), chosen
        name = REPORT_FILES[fmt]
        if chosen != published:  # never overwrite the published report in another language
            stem, _, suffix = name.rpartition(".")
            name = f"{stem}.{chosen}.{suffix}"
        path = folder / name
        check_report_target(path, record, default=True, force=force)
        return path, chosen

    if output and Path(output).parent.resolve() != folder.resolve():
        path, chosen = target(data := folder_report(draw_path))
        atomic_write(path, render(data, fmt, chosen).encode("utf-8"), overwrite=True)  # derived from public files
        return path
    with locked(folder, "report"):
        bring_up_to_record(folder)
        path, chosen = target(data := folder_report(draw_path))
        atomic_write(path, render(data, fmt, chosen).encode("utf-8"), overwrite=True)
    return path
