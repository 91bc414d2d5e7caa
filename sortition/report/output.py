"""A draw folder's report: read the public records and the ledger, verify them, render, write.

The report is built from the public files alone (``lottery.json``, ``draw.json``) plus the ledger's times;
the verification's checklist is part of it.
"""

from __future__ import annotations

from pathlib import Path

from quotas.errors import VerificationError
from sortition.files import atomic_write
from sortition.i18n import LANGUAGES, check_lang
from sortition.records import REPORT_HTML, REPORT_MD, lottery_beside, read_draw, read_ledger, read_lottery
from sortition.report.data import DEFAULT_LANG, ReportData, ReportFormat, build_report
from sortition.report.html import render_html
from sortition.report.markdown import render_markdown
from sortition.rules.checks import MALFORMED, malformed
from sortition.rules.verification import check_draw

REPORT_FILES = {ReportFormat.HTML: REPORT_HTML, ReportFormat.MD: REPORT_MD}


def folder_report(draw_path: str | Path, *, lottery_path: str | Path | None = None) -> ReportData:
    """The report's content for the draw record at ``draw_path`` (its lottery file beside it unless given)."""
    path = Path(draw_path)
    lot_file = lottery_beside(path, lottery_path)
    draw_raw, record = read_draw(path)
    lot_raw, lottery = read_lottery(lot_file)
    verification = check_draw(draw_raw, record, lot_raw, lottery, draw_name=path.name, lottery_name=lot_file.name)
    try:
        return build_report(lottery, record, verification, read_ledger(path.parent))
    except MALFORMED as exc:  # a field of the wrong shape: the checks above have failed already
        raise VerificationError(f"{path}: no report can be made, the records are malformed: {malformed(exc)}") from None


def render(data: ReportData, fmt: ReportFormat | str = ReportFormat.HTML, lang: str = DEFAULT_LANG) -> str:
    """The report in ``fmt`` (``html`` or ``md``) and ``lang`` (``nl`` or ``en``)."""
    if ReportFormat(fmt) is ReportFormat.MD:
        return render_markdown(data, lang)
    return render_html(data, lang)


def published_lang(data: ReportData) -> str:
    """The language of a folder's published reports: the one recorded at draw time, else the default."""
    return data.draw_lang if data.draw_lang in LANGUAGES else DEFAULT_LANG


def write_folder_reports(draw_path: str | Path, *, lang: str | None = None) -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.md`` beside the draw record (what draw and replace do).

    ``lang`` None keeps the language recorded in the ledger at draw time (Dutch when none was recorded).
    """
    if lang is not None:
        check_lang(lang)
    data = folder_report(draw_path)
    lang = lang or published_lang(data)
    folder = Path(draw_path).parent
    paths = (folder / REPORT_FILES[ReportFormat.HTML], folder / REPORT_FILES[ReportFormat.MD])
    for path, fmt in zip(paths, (ReportFormat.HTML, ReportFormat.MD), strict=True):
        atomic_write(path, render(data, fmt, lang).encode("utf-8"), overwrite=True)
    return paths


__all__ = ["REPORT_FILES", "folder_report", "published_lang", "render", "write_folder_reports"]
