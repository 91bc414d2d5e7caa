"""The draw report as Markdown (for a repository, a wiki or an e-mail).

Every value that comes from a file (category and value names, the seed, file names, check details) is data,
never markup: :func:`md_text` escapes it for Markdown and for the HTML a Markdown renderer lets through.
"""

from __future__ import annotations

import re

from sortition.i18n import check_lang, count, has_text, percent, text
from sortition.report.data import (
    DEFAULT_LANG,
    ReportData,
    check_text,
    early_stop_note,
    facts,
    fairness_note,
    ledger_line,
    probability_summary,
    subtitle,
)

# Characters a Markdown renderer may read as markup inside a line (CommonMark lets any ASCII punctuation be
# escaped; GitHub also reads ~ as strike-through and $ as maths). Escaped text never starts a line here, so
# list and heading markers at a line start (- + 1. =) need no escape.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~!$^])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]+")
_HEX = re.compile(r"^[0-9a-f]{16,}$")  # a pseudonym or a SHA-256


def md_text(value: object) -> str:
    """``value`` as literal text in Markdown, also inside a table cell or a heading.

    Line breaks become spaces (a table row or heading is one line), ``& < >`` become HTML entities (so no
    tag reaches the rendered page) and every other markup character is backslash-escaped.
    """
    plain = _BREAKS.sub(" ", str(value))
    plain = "".join(_HTML.get(ch, ch) for ch in plain)
    return _MD_SPECIAL.sub(r"\\\1", plain).strip()


def _code(value: str) -> str:
    """A hex digest or pseudonym as a code span; anything else as escaped text."""
    return f"`{value}`" if _HEX.match(value) else md_text(value)


def _md_bar(n: int, k: int, width: int = 20) -> str:
    filled = round(width * n / k) if k else 0
    if n and not filled:
        filled = 1  # one person is visible
    return "█" * filled + "·" * (width - filled)


def _md_quotas(data: ReportData, lang: str) -> list[str]:
    t = lambda key: text(key, lang)  # noqa: E731
    show_now = bool(data.replacements)
    intro = t("quotas_intro_population") if data.has_population else t("quotas_intro")
    lines: list[str] = [intro, ""]
    for cat in dict.fromkeys(r.category for r in data.rows):
        pop = any(r.population is not None for r in data.rows if r.category == cat)
        head = [t("value")] + ([t("population")] if pop else []) + [t("pool"), t("quota"), t("panel")]
        head += [t("panel_now")] if show_now else []
        head.append("")
        lines += [f"### {md_text(cat)}", "", "| " + " | ".join(head) + " |",
                  "|---|" + "---:|" * (len(head) - 2) + "---|"]
        for r in (r for r in data.rows if r.category == cat):
            share = f" ({percent(r.pool / data.pool_size, lang)})" if data.pool_size else ""
            cells = [md_text(r.value)]
            if pop:
                cells.append("—" if r.population is None else percent(r.population, lang))
            cells += [f"{r.pool}{share}", f"{r.min}–{r.max}", str(r.panel)]
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
        key = f"rule_{e.get('rule')}"
        rule = md_text(text(key, lang) if has_text(key) else e.get("rule"))
        breaks = "; ".join(str(b) for b in e.get("quota_breaks", []))
        rule = f"{rule}: {md_text(breaks)}" if breaks else rule
        lines.append(f"| {n} | {_code(str(e.get('dropout')))} | {_code(str(e.get('replacement')))} "
                     f"| {md_text(e.get('reserve_rank'))} | {rule} |")
    return lines


def _md_timeline(data: ReportData, lang: str) -> list[str]:
    lines = [f"| {text('when', lang)} | {text('step', lang)} | {text('detail', lang)} |", "|---|---|---|"]
    for e in data.timeline:
        lines.append(f"| {md_text(e.time)} | {text(e.step, lang)} | {_code(e.detail)} |")
    if not data.timeline:
        lines.append(f"| | {text('no_ledger', lang)} | |")
    if data.ledger_status:
        lines += ["", ledger_line(data, lang)]
    return lines


def _md_checks(data: ReportData, lang: str) -> list[str]:
    lines = []
    for check in data.checks:
        name, sentence = check_text(check, lang)
        line = f"- {'✓' if check.passed else '✗'} **{md_text(name)}**: {md_text(sentence)}"
        if not check.passed and sentence != check.detail:
            line += f" ({text('check_failed_detail', lang)}: {md_text(check.detail)})"
        lines.append(line)
    return lines


def render_markdown(data: ReportData, lang: str = DEFAULT_LANG) -> str:
    """The report as Markdown."""
    lang = check_lang(lang)
    t = lambda key, **kw: text(key, lang, **kw)  # noqa: E731
    lines = [f"# {t('title')}", "", md_text(subtitle(data, lang)), ""]
    if not data.published_before_seed:
        lines += [f"> **{md_text(t('practice'))}**", ""]
    lines += [f"## {t('facts')}", "", *[f"- {label}: {_code(v)}" for label, v in facts(data, lang)], ""]
    lines += [f"*{t('glossary')}*", "", *[f"- {t(key)}" for key in
                                          ("glossary_commitment", "glossary_seed", "glossary_pseudonym")], ""]
    lines += [f"## {t('timeline')}", "", *_md_timeline(data, lang), ""]
    lines += [f"## {t('inputs')}", "", f"| {t('file')} | SHA-256 |", "|---|---|",
              *[f"| {md_text(name)} | {_code(digest)} |" for name, digest in data.inputs], ""]
    lines += [f"## {t('quotas')}", "", *_md_quotas(data, lang)]
    lines += [f"## {t('fairness')}", "", md_text(fairness_note(data, lang)), "",
              md_text(probability_summary(data, lang)), ""]
    if early_stop_note(data, lang):
        lines += [f"> **{md_text(early_stop_note(data, lang))}**", ""]
    lines += [f"- {label}: **{value}**. {explain}" for label, value, explain in data.stat_lines(lang)]
    lines += ["", f"## {t('verification')}", "", t("verification_intro"), "", *_md_checks(data, lang)]
    lines += ["", f"**{t('verified_ok') if data.verified else t('verified_failed')}**", ""]
    lines += [f"## {t('replacements')}", "", *_md_replacements(data, lang), ""]
    lines += [f"## {t('members')}", "", ", ".join(_code(p) for p in sorted(data.panel)), "",
              t("members_note", r=count(data.reserves, "person", lang)), ""]
    lines += [f"## {t('how_to_verify')}", "", t("how_to_verify_text"), "", f"*{t('privacy')}*", ""]
    return "\n".join(lines)
