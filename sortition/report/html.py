"""The draw report as one self-contained HTML file: inline CSS and inline SVG charts, no script, no network.

Every value that comes from a file is escaped; the page loads nothing from anywhere.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from html import escape

from sortition.i18n import check_lang, count, has_text, percent, text
from sortition.report.data import (
    ReportData,
    ValueRow,
    check_text,
    early_stop_note,
    facts,
    fairness_note,
    ledger_line,
    probability_summary,
    subtitle,
)

POOL_COLOUR = "#9aa5b1"
QUOTA_COLOUR = "#c7ecd0"
PANEL_COLOUR = "#1f5fa8"
BREAK_COLOUR = "#b42318"
POPULATION_COLOUR = "#e8a33d"
EQUAL_COLOUR = "#e8590c"

#: Bars are drawn in a 1000-unit wide viewBox stretched to the page width; the narrowest bar of a count above
#: zero (one person, one volunteer) is this many units, so it shows even on a phone (3 px at 360 px wide).
BAR_UNITS = 1000
MIN_BAR = 8

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#1b1f24;
background:#fff;line-height:1.45;-webkit-text-size-adjust:100%;text-size-adjust:100%}
main{max-width:980px;margin:0 auto;padding:24px;box-sizing:border-box}
h1{font-size:1.8em;margin:.2em 0}h2{border-bottom:2px solid #e3e7eb;padding-bottom:.2em;margin-top:1.6em}
h3{margin:1em 0 .3em}
h1,h2,h3,p,li,td,th{overflow-wrap:break-word}
td.name,h3{overflow-wrap:anywhere}td.name{min-width:5em}
.nw{white-space:nowrap}
table{border-collapse:collapse;margin:.5em 0;width:100%}
th,td{border-bottom:1px solid #e3e7eb;padding:.3em .5em;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;white-space:nowrap}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.92em;
overflow-wrap:anywhere}
.banner{background:#fff4e5;border-left:6px solid #e8590c;padding:.8em 1em;font-weight:600}
.ok{color:#137333;font-weight:700}.fail{color:#b42318;font-weight:700}
.legend span{display:inline-block;margin-right:1.2em;white-space:nowrap}
.legend i{display:inline-block;width:14px;height:14px;margin-right:.35em;vertical-align:-2px;
-webkit-print-color-adjust:exact;print-color-adjust:exact}
.muted{color:#57606a}
figure{margin:.4em 0 1.2em}figcaption{margin-top:.4em}
.chart{margin:.4em 0 .8em}
.bar-row{display:grid;grid-template-columns:minmax(7em,15em) minmax(0,1fr);column-gap:.8em;align-items:center;
margin:.15em 0}
.bar-row>*{min-width:0}
.bar-label{text-align:right;line-height:1.2;overflow-wrap:anywhere}
.bar-label .name{font-weight:600}
.bar-label .nums{display:block;font-size:.85em;color:#57606a;white-space:nowrap}
svg{display:block;width:100%;max-width:100%}
.axis{position:relative;height:1.3em;font-size:.8em;color:#57606a;border-top:1px solid #8c959f}
.axis span{position:absolute;top:.1em;transform:translateX(-50%);white-space:nowrap}
.axis span.first{transform:none}.axis span.last{transform:translateX(-100%)}
.checks li{margin:.35em 0}
.checks .why{display:block;color:#3d444d}
@media (max-width:600px){
h1{font-size:1.45em}
.bar-row{grid-template-columns:minmax(0,1fr)}
.bar-label{text-align:left}
.bar-label .nums{display:inline;margin-left:.5em}
.axis-row>div:first-child{display:none}
main{padding:12px}
th,td{padding:.25em .2em}
table{font-size:.8em}
th{font-weight:normal;color:#57606a}
td.n,th.n{white-space:normal}
}
@page{size:A4;margin:14mm 12mm}
@media print{
body{font-size:10pt}
main{max-width:none;padding:0}
h2,h3{break-after:avoid;page-break-after:avoid}
h2{margin-top:1.1em}
tr,li,figure,.bar-row,.chart,.banner{break-inside:avoid;page-break-inside:avoid}
svg,.banner{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""


def _scale_top(shares: Sequence[float]) -> float:
    """The right end of a chart's scale: a round 5% step above the largest share, at most 100%."""
    return min(1.0, max(0.05, math.ceil(max(shares, default=0.05) * 1.05 * 20) / 20))


def _units(share: float, top: float, count: int = 1) -> float:
    """Bar length in viewBox units; a count above zero is never thinner than MIN_BAR."""
    length = BAR_UNITS * min(max(share, 0.0), top) / top
    return max(length, MIN_BAR) if count > 0 else 0.0


def _axis(top: float, lang: str) -> str:
    step = 0.1 if top > 0.3 else 0.05
    ticks = [step * n for n in range(int(top / step + 1e-9) + 1)]
    spans = []
    for n, share in enumerate(ticks):
        css = ' class="first"' if n == 0 else ' class="last"' if share >= top - 1e-9 else ""
        spans.append(f'<span{css} style="left:{100 * share / top:.2f}%">{percent(share, lang)}</span>')
    return f'<div class="bar-row axis-row"><div></div><div class="axis">{"".join(spans)}</div></div>'


def _bar_chart(rows: Sequence[ValueRow], k: int, pool_size: int, lang: str) -> str:
    """Per value one row: its name and counts as text, and bars for population share (when known), pool
    share, quota band (min..max of k) and panel share, all on one scale. The bars are an SVG stretched to
    the page width; no text is inside it, so nothing overlaps or shrinks to illegibility on a phone."""
    shares = [r.pool / pool_size if pool_size else 0.0 for r in rows]
    shares += [r.max / k if k else 0.0 for r in rows] + [r.panel_now / k if k else 0.0 for r in rows]
    shares += [r.population for r in rows if r.population is not None]
    top = _scale_top(shares)
    pop = any(r.population is not None for r in rows)
    out = [f'<div class="chart" role="group" aria-label="{escape(rows[0].category)}">']
    for r in rows:
        pool = r.pool / pool_size if pool_size else 0.0
        lo, hi, now = (r.min / k, r.max / k, r.panel_now / k) if k else (0.0, 0.0, 0.0)
        colour = PANEL_COLOUR if r.min <= r.panel_now <= r.max else BREAK_COLOUR
        y, bars = 2, []
        if pop:
            share = r.population or 0.0
            bars.append(f'<rect x="0" y="{y}" width="{_units(share, top, int(share > 0)):.1f}" height="7" '
                        f'fill="{POPULATION_COLOUR}"><title>{escape(text("population", lang))} '
                        f'{percent(share, lang, 1)}</title></rect>')
            y += 9
        bars.append(f'<rect x="0" y="{y}" width="{_units(pool, top, r.pool):.1f}" height="7" fill="{POOL_COLOUR}">'
                    f'<title>{escape(text("pool", lang))} {r.pool}</title></rect>')
        y += 9
        height = y + 16
        band_x = BAR_UNITS * min(lo, top) / top
        band_w = max(BAR_UNITS * min(hi, top) / top - band_x, 3)
        out.append(
            f'<div class="bar-row"><div class="bar-label"><span class="name">{escape(r.value)}</span> '
            f'<span class="nums">{escape(text("bar_label", lang, n=r.panel_now, k=k, lo=r.min, hi=r.max))}'
            f'</span></div><svg viewBox="0 0 {BAR_UNITS} {height}" preserveAspectRatio="none" height="{height}" '
            f'aria-hidden="true"><rect x="{band_x:.1f}" y="0" width="{band_w:.1f}" height="{height}" '
            f'fill="{QUOTA_COLOUR}"><title>{escape(text("quota", lang))} {r.min}–{r.max}</title></rect>'
            f'{"".join(bars)}<rect x="0" y="{y}" width="{_units(now, top, r.panel_now):.1f}" height="14" '
            f'fill="{colour}"><title>{escape(text("panel", lang))} {r.panel_now}</title></rect></svg></div>')
    out.append(_axis(top, lang) + "</div>")
    return "".join(out)


def _histogram(probs: Sequence[float], equal: float, lang: str) -> str:
    """Column chart of how many people have which selection probability; the labels are HTML below it."""
    if not probs:
        return ""
    bins, h = 25, 160
    top_p = max(max(probs), equal, 1e-9) * 1.04
    counts = [0] * bins
    for p in probs:
        counts[min(bins - 1, int(p / top_p * bins))] += 1
    peak = max(counts)
    bw = BAR_UNITS / bins
    parts = [f'<svg viewBox="0 0 {BAR_UNITS} {h}" preserveAspectRatio="none" height="{h}" role="img" '
             f'aria-label="{escape(text("histogram", lang, peak=count(peak, "person", lang)))}">']
    for b, c in enumerate(counts):
        bh = max(h * c / peak, 2) if c else 0
        lo, hi = top_p * b / bins, top_p * (b + 1) / bins
        parts.append(f'<rect x="{b * bw + 2:.1f}" y="{h - bh:.1f}" width="{bw - 4:.1f}" height="{bh:.1f}" '
                     f'fill="{PANEL_COLOUR}"><title>{percent(lo, lang, 2)}–{percent(hi, lang, 2)}: '
                     f'{escape(count(c, "person", lang))}</title></rect>')
    ex = BAR_UNITS * equal / top_p
    parts.append(f'<line x1="{ex:.1f}" y1="0" x2="{ex:.1f}" y2="{h}" stroke="{EQUAL_COLOUR}" stroke-width="2" '
                 'stroke-dasharray="6,4" vector-effect="non-scaling-stroke"/></svg>')
    ticks = []
    for tick in range(6):
        css = ' class="first"' if tick == 0 else ' class="last"' if tick == 5 else ""
        ticks.append(f'<span{css} style="left:{20 * tick}%">{percent(top_p * tick / 5, lang, 1)}</span>')
    return "".join(parts) + f'<div class="axis">{"".join(ticks)}</div>'


def _peak(probs: Sequence[float], equal: float, bins: int = 25) -> int:
    """The tallest column of the histogram (the same bins as :func:`_histogram`)."""
    if not probs:
        return 0
    top_p = max(max(probs), equal, 1e-9) * 1.04
    return max(Counter(min(bins - 1, int(p / top_p * bins)) for p in probs).values())


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = (),
           names: Sequence[int] = ()) -> str:
    """An HTML table; cells must already be escaped. ``names`` columns hold names from files, which may
    break anywhere on a narrow screen."""
    css = lambda i: "n" if i in numeric else "name" if i in names else ""  # noqa: E731
    th = "".join(f'<th class="{css(i)}">{h}</th>' for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f'<td class="{css(i)}">{c}</td>'
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _quota_section(data: ReportData, lang: str) -> list[str]:
    t = lambda key: escape(text(key, lang))  # noqa: E731
    show_now = bool(data.replacements)
    pop = data.has_population
    legend = [(POPULATION_COLOUR, t("legend_population"))] if pop else []
    legend += [(POOL_COLOUR, t("legend_pool")), (QUOTA_COLOUR, t("legend_quota")), (PANEL_COLOUR, t("legend_panel"))]
    out = [f"<p>{t('quotas_intro_population') if pop else t('quotas_intro')}</p>", '<p class="legend">' + "".join(
        f'<span><i style="background:{colour}"></i>{label}</span>' for colour, label in legend) + "</p>"]
    for cat in dict.fromkeys(r.category for r in data.rows):
        rows = [r for r in data.rows if r.category == cat]
        pop = any(r.population is not None for r in rows)  # a category the quota file gave no shares: no column
        head = [t("value")] + ([t("population")] if pop else []) + [t("pool"), t("quota"), t("panel")]
        head += [t("panel_now")] if show_now else []
        body = []
        for r in rows:
            share = f' <span class="nw">({percent(r.pool / data.pool_size, lang)})</span>' if data.pool_size else ""
            cells = [escape(r.value)]
            if pop:
                cells.append("—" if r.population is None else percent(r.population, lang))
            cells += [f"{r.pool}{share}", f'<span class="nw">{r.min}–{r.max}</span>', str(r.panel)]
            body.append(cells + ([str(r.panel_now)] if show_now else []))
        out += [f"<h3>{escape(cat)}</h3>", _bar_chart(rows, data.panel_size, data.pool_size, lang),
                _table(head, body, numeric=tuple(range(1, len(head))), names=(0,))]
    return out


def _timeline(data: ReportData, lang: str) -> list[str]:
    t = lambda key: escape(text(key, lang))  # noqa: E731
    rows = [[escape(e.time), t(e.step), f"<code>{escape(e.detail)}</code>"] for e in data.timeline]
    if data.seed_source:
        rows.insert(1 if rows else 0, ["", t("step_seed_source"), escape(data.seed_source)])
    if not data.timeline:
        rows.append(["", t("no_ledger"), ""])
    out = [_table([t("when"), t("step"), t("detail")], rows)]
    if data.ledger_status:
        css = "ok" if data.ledger_status[0] == "ledger_ok" else "fail"
        out.append(f'<p class="{css}">{escape(ledger_line(data, lang))}</p>')
    return out


def _replacements(data: ReportData, lang: str) -> list[str]:
    t = lambda key: escape(text(key, lang))  # noqa: E731
    if not data.replacements:
        return [f"<p>{t('no_replacements')}</p>"]
    rows = []
    for n, e in enumerate(data.replacements, 1):
        key = f"rule_{e.get('rule')}"
        rule = t(key) if has_text(key) else escape(str(e.get("rule")))
        breaks = "; ".join(str(b) for b in e.get("quota_breaks", []))
        if breaks:
            rule = f'<span class="fail">{rule}</span>: {escape(breaks)}'
        rows.append([str(n), f"<code>{escape(str(e.get('dropout')))}</code>",
                     f"<code>{escape(str(e.get('replacement')))}</code>", escape(str(e.get("reserve_rank"))), rule])
    return [_table(["#", t("dropout"), t("replacement"), t("reserve_rank"), t("rule")], rows, numeric=(0, 3))]


def _checks(data: ReportData, lang: str) -> list[str]:
    items = []
    for check in data.checks:
        name, sentence = check_text(check, lang)
        mark = f'<span class="{"ok" if check.passed else "fail"}">{"✓" if check.passed else "✗"}</span>'
        extra = "" if check.passed or sentence == check.detail else (
            f' <span class="fail">{escape(text("check_failed_detail", lang))}: {escape(check.detail)}</span>')
        items.append(f'<li>{mark} <strong>{escape(name)}</strong><span class="why">{escape(sentence)}{extra}'
                     "</span></li>")
    verdict = (f'<p class="ok">{escape(text("verified_ok", lang))}</p>' if data.verified
               else f'<p class="fail">{escape(text("verified_failed", lang))}</p>')
    return [f"<p>{escape(text('verification_intro', lang))}</p>", f'<ul class="checks">{"".join(items)}</ul>',
            verdict]


def render_html(data: ReportData, lang: str = "nl") -> str:
    """The report as one self-contained HTML page."""
    lang = check_lang(lang)
    t = lambda key, **kw: escape(text(key, lang, **kw))  # noqa: E731
    equal = data.panel_size / data.pool_size if data.pool_size else 0.0
    body: list[str] = [f"<h1>{t('title')}</h1>", f'<p class="muted">{escape(subtitle(data, lang))}</p>']
    if not data.published_before_seed:
        body.append(f'<p class="banner">{t("practice")}</p>')
    fact_rows = [[escape(k), f'<span class="mono">{escape(v)}</span>'] for k, v in facts(data, lang)]
    body += [f"<h2>{t('facts')}</h2>", _table([t("detail"), ""], fact_rows),
             f"<p><strong>{t('glossary')}</strong></p><ul>" + "".join(
                 f"<li>{t(key)}</li>" for key in ("glossary_commitment", "glossary_seed", "glossary_pseudonym"))
             + "</ul>"]
    body += [f"<h2>{t('timeline')}</h2>", *_timeline(data, lang)]
    body += [f"<h2>{t('inputs')}</h2>",
             _table([t("file"), "SHA-256"], [[escape(n), f"<code>{escape(d)}</code>"] for n, d in data.inputs],
                    names=(0,))]
    body += [f"<h2>{t('quotas')}</h2>", *_quota_section(data, lang)]
    body += [f"<h2>{t('fairness')}</h2>", f"<p>{escape(fairness_note(data, lang))}</p>",
             f"<p>{escape(probability_summary(data, lang))}</p>",
             *([f'<p class="banner">{escape(early_stop_note(data, lang))}</p>'] if early_stop_note(data, lang) else []),
             f"<figure>{_histogram(data.probabilities, equal, lang)}<figcaption class=\"muted\">"
             f"{t('histogram', peak=count(_peak(data.probabilities, equal), 'person', lang))} "
             f"{t('histogram_equal', equal=percent(equal, lang, 2))}</figcaption></figure>"]
    stats = data.stat_lines(lang)
    if stats:
        body += [f"<h3>{t('statistics')}</h3>", '<ul class="checks">' + "".join(
            f'<li><strong>{escape(a)}</strong>: {escape(b)}<span class="why">{escape(c)}</span></li>'
            for a, b, c in stats) + "</ul>"]
    body += [f"<h2>{t('verification')}</h2>", *_checks(data, lang)]
    body += [f"<h2>{t('replacements')}</h2>", *_replacements(data, lang)]
    members = ", ".join(f"<code>{escape(p)}</code>" for p in sorted(data.panel))
    body += [f"<h2>{t('members')}</h2>", f"<p>{members}</p>",
             f"<p>{t('members_note', r=count(data.reserves, 'person', lang))}</p>"]
    verify_text = re.sub(r"`([^`]+)`", r"<code>\1</code>", t("how_to_verify_text"))
    body += [f"<h2>{t('how_to_verify')}</h2>", f"<p>{verify_text}</p>",
             f'<p class="muted"><em>{t("privacy")}</em></p>']
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">\n"
            f"<title>{t('title')} — {escape(data.commitment[:16])}</title>\n<style>{_CSS}</style>\n</head>\n"
            f"<body><main>\n{chr(10).join(body)}\n</main></body>\n</html>\n")
