"""The draw report as Markdown."""

from __future__ import annotations

from sortition.i18n import check_lang, has_text, text
from sortition.report.data import DEFAULT_LANG, ReportData, facts, fairness_note, probability_summary


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
