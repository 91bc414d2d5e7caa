"""The ``report`` command: write one public report of a draw, in a chosen format and language."""

from __future__ import annotations

from pathlib import Path

from sortition.commands.folder import bring_up_to_record
from sortition.files import atomic_write
from sortition.i18n import check_lang
from sortition.records import locked
from sortition.report.data import DEFAULT_LANG, ReportFormat
from sortition.report.output import REPORT_FILES, folder_report, render


def write_report(draw_path: str | Path, *, fmt: ReportFormat | str = ReportFormat.HTML,
                 lang: str = DEFAULT_LANG, output: str | Path | None = None) -> Path:
    """Build and write one report (default ``DIR/report.html`` or ``DIR/report.md``); return its path.

    A report written into the draw folder holds the folder's lock and first brings the private lists and the
    ledger up to the draw record (after an interrupted command); one written elsewhere only reads the folder.

    Example:
        >>> write_report("draw1/draw.json", fmt="md", lang="en")  # doctest: +SKIP
        PosixPath('draw1/report.md')
    """
    check_lang(lang)
    fmt = ReportFormat(fmt)
    folder = Path(draw_path).parent
    path = Path(output) if output else folder / REPORT_FILES[fmt]
    if path.parent.resolve() != folder.resolve():
        content = render(folder_report(draw_path), fmt, lang)
        atomic_write(path, content.encode("utf-8"), overwrite=True)  # derived from the public files
        return path
    with locked(folder, "report"):
        bring_up_to_record(folder)
        content = render(folder_report(draw_path), fmt, lang)
        atomic_write(path, content.encode("utf-8"), overwrite=True)
    return path
