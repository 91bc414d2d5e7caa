"""The ``report`` command: write one public report of a draw, in a chosen format and language."""

from __future__ import annotations

from pathlib import Path

from sortition.files import atomic_write
from sortition.i18n import check_lang
from sortition.report.data import ReportFormat
from sortition.report.output import REPORT_FILES, folder_report, published_lang, render


def write_report(draw_path: str | Path, *, fmt: ReportFormat | str = ReportFormat.HTML,
                 lang: str | None = None, output: str | Path | None = None) -> Path:
    """Build and write one report; return its path.

    Without ``output`` the report goes beside the record: ``report.html`` / ``report.md`` in the language
    chosen at draw time (``lang`` None or that language), or ``report.en.html`` / ``report.en.md`` for
    another language, so the published report is never overwritten in another language.

    Example:
        >>> write_report("draw1/draw.json", fmt="md", lang="en")  # doctest: +SKIP
        PosixPath('draw1/report.en.md')
    """
    if lang is not None:
        check_lang(lang)
    fmt = ReportFormat(fmt)
    data = folder_report(draw_path)
    published = published_lang(data)
    lang = lang or published
    if output:
        path = Path(output)
    else:
        name = REPORT_FILES[fmt]
        if lang != published:
            stem, dot, suffix = name.rpartition(".")
            name = f"{stem}.{lang}{dot}{suffix}"
        path = Path(draw_path).parent / name
    content = render(data, fmt, lang)
    atomic_write(path, content.encode("utf-8"), overwrite=True)  # derived from the public files
    return path
