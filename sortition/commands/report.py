"""The ``report`` command: write one public report of a draw, in a chosen format and language."""

from __future__ import annotations

from pathlib import Path

from sortition.commands.folder import bring_up_to_record
from sortition.files import atomic_write
from sortition.i18n import check_lang
from sortition.records import locked
from sortition.report.data import ReportData, ReportFormat
from sortition.report.output import REPORT_FILES, folder_report, published_lang, render


def write_report(draw_path: str | Path, *, fmt: ReportFormat | str = ReportFormat.HTML,
                 lang: str | None = None, output: str | Path | None = None) -> Path:
    """Build and write one report; return its path.

    Without ``output`` the report goes beside the record: ``report.html`` / ``report.md`` in the language
    chosen at draw time (``lang`` None or that language), or ``report.en.html`` / ``report.en.md`` for
    another language, so the published report is never overwritten in another language.

    A report written into the draw folder holds the folder's lock and first brings the private lists and the
    ledger up to the draw record (after an interrupted command); one written elsewhere only reads the folder.

    Example:
        >>> write_report("draw1/draw.json", fmt="md", lang="en")  # doctest: +SKIP
        PosixPath('draw1/report.en.md')
    """
    if lang is not None:
        check_lang(lang)
    fmt = ReportFormat(fmt)
    folder = Path(draw_path).parent

    def target(data: ReportData) -> tuple[Path, str]:
        published = published_lang(data)
        chosen = lang or published
        if output:
            return Path(output), chosen
        name = REPORT_FILES[fmt]
        if chosen != published:  # never overwrite the published report in another language
            stem, _, suffix = name.rpartition(".")
            name = f"{stem}.{chosen}.{suffix}"
        return folder / name, chosen

    if output and Path(output).parent.resolve() != folder.resolve():
        path, chosen = target(data := folder_report(draw_path))
        atomic_write(path, render(data, fmt, chosen).encode("utf-8"), overwrite=True)  # derived from public files
        return path
    with locked(folder, "report"):
        bring_up_to_record(folder)
        path, chosen = target(data := folder_report(draw_path))
        atomic_write(path, render(data, fmt, chosen).encode("utf-8"), overwrite=True)
    return path
