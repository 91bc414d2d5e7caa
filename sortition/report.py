"""The public draw report, in Markdown and self-contained HTML, in Dutch and English.

The report is built from the public files alone (``lottery.json``, ``draw.json``) plus the ledger's times,
and shows pseudonyms and counts per quota value only: never a name, address or any other pool column.
``sortition verify`` runs while the report is built, so its checklist is in the report.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from quotas.errors import SortitionError
from sortition.files import atomic_write, read_json
from sortition.i18n import check_lang, has_text, text

DEFAULT_LANG = "nl"


class ReportFormat(StrEnum):
    """The report formats; Typer turns this into a checked ``--format`` choice."""

    HTML = "html"
    MD = "md"


@dataclass(frozen=True)
class ValueRow:
    """One quota value: pool count, bounds, drawn panel count and the panel count after replacements."""

    category: str
    value: str
    pool: int
    min: int
    max: int
    panel: int
    panel_now: int


@dataclass(frozen=True)
class TimelineEntry:
    time: str
    step: str  # an i18n key: step_prepare, step_draw, step_replace
    detail: str


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows; built by :func:`build_report` from public files and the ledger."""

    commitment: str
    seed: str
    seed_source: str
    published_before_seed: bool
    software_version: str
    settings: Mapping[str, Any]
    inputs: tuple[tuple[str, str], ...]
    pool_size: int
    panel_index: int | None
    rows: tuple[ValueRow, ...]
    probabilities: tuple[float, ...]
    probabilities_are_estimates: bool
    statistics: Mapping[str, Any]
    checks: tuple[tuple[str, bool, str], ...]
    replacements: tuple[Mapping[str, Any], ...]
    panel: tuple[str, ...]
    reserves: int
    timeline: tuple[TimelineEntry, ...]
    ledger_status: tuple[str, int] | None  # ("ledger_ok" | "ledger_broken", n) or None

    @property
    def panel_size(self) -> int:
        return int(self.settings.get("panel_size", len(self.panel)))

    @property
    def verified(self) -> bool:
        return all(ok for _, ok, _ in self.checks)

    def stat_lines(self, lang: str) -> list[tuple[str, str]]:
        """(label, value) for the lottery's statistics that the report knows how to name."""
        m = self.settings.get("panels", 0)
        out = []
        for key, value in sorted(self.statistics.items()):
            if has_text(f"stat_{key}") and isinstance(value, int | float):
                out.append((text(f"stat_{key}", lang, m=m), f"{value:.4f}"))
        return out


def _time(entry: Mapping[str, Any]) -> str:
    """The ledger's ISO time as ``2027-01-09 14:03:22`` (the reports say the times are UTC)."""
    return str(entry.get("time", "")).replace("T", " ").removesuffix("+00:00")


def _ledger(folder: Path, commitment: str) -> tuple[tuple[TimelineEntry, ...], tuple[str, int] | None]:
    path = folder / "ledger.jsonl"
    if not path.exists():
        return (), None
    lines = path.read_bytes().splitlines()
    status: tuple[str, int] = ("ledger_ok", len(lines))
    prev = "0" * 64
    entries: list[TimelineEntry] = []
    seen: set[str] = set()
    for n, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            entry = None  # a torn or edited line: the chain is broken here, the lines after still count
        if not isinstance(entry, dict):
            entry = {}
            status = ("ledger_broken", n) if status[0] == "ledger_ok" else status
        if entry.get("previous") != prev and status[0] == "ledger_ok":
            status = ("ledger_broken", n)
        prev = hashlib.sha256(line).hexdigest()
        kind = entry.get("event")
        if entry.get("commitment") != commitment or kind not in ("prepare", "draw", "replace"):
            continue
        if kind == "replace":
            entries.append(TimelineEntry(_time(entry), "step_replace",
                                         f"{entry.get('dropout')} → {entry.get('replacement')}"))
        elif kind not in seen:  # a re-run of prepare or draw changes nothing: show the first
            seen.add(kind)
            detail = commitment if kind == "prepare" else str(entry.get("seed", ""))
            entries.append(TimelineEntry(_time(entry), f"step_{kind}", detail))
    return tuple(entries), status


def _rows(lottery: Mapping[str, Any], drawn: Sequence[str], now: Sequence[str]) -> tuple[ValueRow, ...]:
    people: Mapping[str, Mapping[str, str]] = lottery["people"]
    rows = []
    for cat, values in sorted(lottery["categories"].items()):
        pool = Counter(p[cat] for p in people.values())
        on_drawn = Counter(people[p][cat] for p in drawn)
        on_now = Counter(people[p][cat] for p in now)
        for value, bounds in sorted(values.items()):
            rows.append(ValueRow(cat, value, pool.get(value, 0), int(bounds["min"]), int(bounds["max"]),
                                 on_drawn.get(value, 0), on_now.get(value, 0)))
    return tuple(rows)


def build_report(draw_path: str | Path, *, lottery_path: str | Path | None = None) -> ReportData:
    """Gather the report's content from the draw record, its lottery file and the ledger beside them."""
    from sortition.replace import current_state
    from sortition.verify import verify

    path = Path(draw_path)
    lot_file = Path(lottery_path) if lottery_path else path.parent / "lottery.json"
    _, record = read_json(path, what="draw record")
    _, lottery = read_json(lot_file, what="lottery file")
    checks = tuple((c.name, c.passed, c.detail) for c in verify(path, lottery_path=lot_file).checks)
    drawn = [str(p) for p in record.get("panel", [])]
    try:
        state = current_state(lottery, record)
        now, used = list(state.panel), len(state.used)
    except SortitionError:  # the checklist shows why; report the drawn panel
        now, used = drawn, 0
    timeline, ledger_status = _ledger(path.parent, str(record.get("commitment", "")))
    return ReportData(
        commitment=str(record.get("commitment", "")), seed=str(record.get("seed", "")),
        seed_source=str(lottery.get("seed_source", "")),
        published_before_seed=bool(record.get("commitment_published_before_seed", False)),
        software_version=str(lottery.get("software_version", "")), settings=dict(lottery.get("settings", {})),
        inputs=tuple(sorted(lottery.get("inputs", {}).items())), pool_size=len(lottery.get("people", {})),
        panel_index=record.get("panel_index"), rows=_rows(lottery, drawn, now),
        probabilities=tuple(sorted(float(v) for v in lottery.get("probabilities", {}).values())),
        probabilities_are_estimates=bool(lottery.get("probabilities_are_estimates", False)),
        statistics=dict(lottery.get("statistics", {})), checks=checks,
        replacements=tuple(e for e in record.get("events", []) if isinstance(e, Mapping)),
        panel=tuple(now), reserves=len(record.get("reserves", [])) - used,
        timeline=timeline, ledger_status=ledger_status,
    )


def probability_summary(data: ReportData, lang: str) -> str:
    probs = data.probabilities
    if not probs:
        return ""
    equal = data.panel_size / data.pool_size if data.pool_size else 0.0
    return text("prob_summary", lang, min=f"{probs[0]:.4f}", median=f"{statistics.median(probs):.4f}",
                max=f"{probs[-1]:.4f}", ones=sum(p >= 1 - 1e-9 for p in probs),
                zeros=sum(p <= 1e-9 for p in probs), equal=f"{equal:.4f}")


def fairness_note(data: ReportData, lang: str) -> str:
    if data.probabilities_are_estimates:
        return text("fairness_estimate", lang, runs=data.settings.get("legacy_runs", "?"))
    return text("fairness_exact", lang, m=data.settings.get("panels", "?"))


def facts(data: ReportData, lang: str) -> list[tuple[str, str]]:
    """(label, value) lines of the key facts, in order."""
    s = data.settings
    return [
        (text("commitment", lang), data.commitment),
        (text("seed_source", lang), data.seed_source or text("none", lang)),
        (text("seed", lang), data.seed),
        (text("published_first", lang), text("yes" if data.published_before_seed else "no", lang)),
        (text("algorithm", lang), str(s.get("algorithm", ""))),
        (text("panels_in_lottery", lang), str(s.get("panels", 0))),
        (text("panel_index", lang), "—" if data.panel_index is None else str(data.panel_index)),
        (text("households", lang), text("yes" if s.get("households") else "none", lang)),
        (text("software", lang), data.software_version),
    ]


def _md_escape(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_bar(count: int, k: int, width: int = 20) -> str:
    filled = round(width * count / k) if k else 0
    return "█" * filled + "·" * (width - filled)


def _md_quotas(data: ReportData, lang: str) -> list[str]:
    t = lambda key: text(key, lang)  # noqa: E731
    show_now = bool(data.replacements)
    head = [t("value"), t("pool"), t("quota"), t("panel")] + ([t("panel_now")] if show_now else []) + [""]
    lines: list[str] = [t("quotas_intro"), ""]
    for cat in dict.fromkeys(r.category for r in data.rows):
        lines += [f"### {_md_escape(cat)}", "", "| " + " | ".join(head) + " |",
                  "|---|---:|---:|---:|" + ("---:|" if show_now else "") + "---|"]
        for r in (r for r in data.rows if r.category == cat):
            share = f"{r.pool} ({100 * r.pool / data.pool_size:.0f}%)" if data.pool_size else str(r.pool)
            cells = [_md_escape(r.value), share, f"{r.min}–{r.max}", str(r.panel)]
            cells += [str(r.panel_now)] if show_now else []
            cells.append(f"`{_md_bar(r.panel_now, data.panel_size)}`")
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def _md_replacements(data: ReportData, lang: str) -> list[str]:
    if not data.replacements:
        return [text("no_replacements", lang)]
    head = ["#", text("dropout", lang), text("replacement", lang), text("reserve_rank", lang), text("rule", lang)]
    lines = ["| " + " | ".join(head) + " |", "|---:|---|---|---:|---|"]
    for n, e in enumerate(data.replacements, 1):
        rule = text(f"rule_{e.get('rule')}", lang) if has_text(f"rule_{e.get('rule')}") else str(e.get("rule"))
        breaks = "; ".join(str(b) for b in e.get("quota_breaks", []))
        rule = f"{rule}: {breaks}" if breaks else rule
        lines.append(f"| {n} | `{e.get('dropout')}` | `{e.get('replacement')}` | {e.get('reserve_rank')} "
                     f"| {_md_escape(rule)} |")
    return lines


def _md_timeline(data: ReportData, lang: str) -> list[str]:
    lines = [f"| {text('when', lang)} | {text('step', lang)} | {text('detail', lang)} |", "|---|---|---|"]
    for e in data.timeline:
        lines.append(f"| {e.time} | {text(e.step, lang)} | `{_md_escape(e.detail)}` |")
    if not data.timeline:
        lines.append(f"| | {text('no_ledger', lang)} | |")
    if data.ledger_status:
        lines += ["", text(data.ledger_status[0], lang, n=data.ledger_status[1])]
    return lines


def render_markdown(data: ReportData, lang: str = DEFAULT_LANG) -> str:
    """The report as Markdown."""
    lang = check_lang(lang)
    t = lambda key, **kw: text(key, lang, **kw)  # noqa: E731
    lines = [f"# {t('title')}", "", t("subtitle", k=data.panel_size, n=data.pool_size), ""]
    if not data.published_before_seed:
        lines += [f"> **{t('practice')}**", ""]
    lines += [f"## {t('facts')}", "", *[f"- {label}: `{_md_escape(v)}`" for label, v in facts(data, lang)], ""]
    lines += [f"## {t('timeline')}", "", *_md_timeline(data, lang), ""]
    lines += [f"## {t('inputs')}", "", f"| {t('file')} | SHA-256 |", "|---|---|",
              *[f"| {_md_escape(name)} | `{digest}` |" for name, digest in data.inputs], ""]
    lines += [f"## {t('quotas')}", "", *_md_quotas(data, lang)]
    lines += [f"## {t('fairness')}", "", fairness_note(data, lang), "", probability_summary(data, lang), ""]
    lines += [f"- {label}: {value}" for label, value in data.stat_lines(lang)]
    lines += ["", f"## {t('verification')}", "", t("verification_intro"), ""]
    lines += [f"- {'✓' if ok else '✗'} {name}: {_md_escape(detail)}" for name, ok, detail in data.checks]
    lines += ["", f"**{t('verified_ok') if data.verified else t('verified_failed')}**", ""]
    lines += [f"## {t('replacements')}", "", *_md_replacements(data, lang), ""]
    lines += [f"## {t('members')}", "", ", ".join(f"`{p}`" for p in sorted(data.panel)), "",
              t("members_note", r=data.reserves), ""]
    lines += [f"## {t('how_to_verify')}", "", t("how_to_verify_text"), "", f"*{t('privacy')}*", ""]
    return "\n".join(lines)


def render(data: ReportData, fmt: ReportFormat | str = ReportFormat.HTML, lang: str = DEFAULT_LANG) -> str:
    """The report in ``fmt`` (``html`` or ``md``) and ``lang`` (``nl`` or ``en``)."""
    if ReportFormat(fmt) is ReportFormat.MD:
        return render_markdown(data, lang)
    from sortition.report_html import render_html

    return render_html(data, lang)


def write_report(draw_path: str | Path, *, fmt: ReportFormat | str = ReportFormat.HTML,
                 lang: str = DEFAULT_LANG, output: str | Path | None = None) -> Path:
    """Build and write one report (default ``DIR/report.html`` or ``DIR/report.md``); return its path.

    Example:
        >>> write_report("draw1/draw.json", fmt="md", lang="en")  # doctest: +SKIP
        PosixPath('draw1/report.md')
    """
    check_lang(lang)
    fmt = ReportFormat(fmt)
    path = Path(output) if output else Path(draw_path).parent / f"report.{fmt.value}"
    content = render(build_report(draw_path), fmt, lang)
    atomic_write(path, content.encode("utf-8"), overwrite=True)  # derived from the public files
    return path


def write_reports(draw_path: str | Path, *, lang: str = DEFAULT_LANG) -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.md`` beside the draw record (what draw and replace do)."""
    check_lang(lang)
    data = build_report(draw_path)
    folder = Path(draw_path).parent
    paths = (folder / "report.html", folder / "report.md")
    for path, fmt in zip(paths, (ReportFormat.HTML, ReportFormat.MD), strict=True):
        atomic_write(path, render(data, fmt, lang).encode("utf-8"), overwrite=True)
    return paths
