"""The draw report as one self-contained HTML file: inline CSS and inline SVG charts, no script, no network.

Every value that comes from a file is escaped; the page loads nothing from anywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from html import escape

from sortition.i18n import check_lang, has_text, text
from sortition.report.data import (
    ReportData,
    ValueRow,
    facts,
    fairness_note,
    probability_summary,
)

POOL_COLOUR = "#9aa5b1"
QUOTA_COLOUR = "#c7ecd0"
PANEL_COLOUR = "#1f5fa8"
BREAK_COLOUR = "#b42318"

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#1b1f24;
background:#fff;line-height:1.45}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:1.8em;margin:.2em 0}h2{border-bottom:2px solid #e3e7eb;padding-bottom:.2em;margin-top:1.6em}
h3{margin:1em 0 .3em}
table{border-collapse:collapse;margin:.5em 0;width:100%}
th,td{border-bottom:1px solid #e3e7eb;padding:.3em .5em;text-align:left;vertical-align:top}
td.n,th.n{text-align:right}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.92em;
overflow-wrap:anywhere}
.banner{background:#fff4e5;border-left:6px solid #e8590c;padding:.8em 1em;font-weight:600}
.ok{color:#137333;font-weight:700}.fail{color:#b42318;font-weight:700}
.legend span{display:inline-block;margin-right:1.2em}
.legend i{display:inline-block;width:14px;height:14px;margin-right:.35em;vertical-align:-2px}
.muted{color:#57606a}
figure{margin:.4em 0 1.2em}
"""


def _bar_chart(rows: Sequence[ValueRow], k: int, pool_size: int, lang: str) -> str:
    """Horizontal bars per value: pool share, quota band (min..max of k) and panel share."""
    label_w, chart_w, row_h = 170, 560, 34
    shares = [r.pool / pool_size if pool_size else 0.0 for r in rows] + [r.max / k if k else 0.0 for r in rows]
    top = min(1.0, math.ceil(max(shares, default=0.1) * 1.05 * 20) / 20)  # a round 5% step
    height = row_h * len(rows) + 26

    def x(share: float) -> float:
        return label_w + chart_w * min(share, top) / top

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + chart_w + 70}" height="{height}" '
             f'role="img" aria-label="{escape(rows[0].category)}">']
    for n, r in enumerate(rows):
        y = n * row_h + 4
        pool = r.pool / pool_size if pool_size else 0.0
        lo, hi, now = (r.min / k, r.max / k, r.panel_now / k) if k else (0.0, 0.0, 0.0)
        colour = PANEL_COLOUR if r.min <= r.panel_now <= r.max else BREAK_COLOUR
        parts += [
            f'<text x="{label_w - 8}" y="{y + 20}" text-anchor="end" font-size="13">{escape(r.value)}</text>',
            f'<rect x="{x(lo):.1f}" y="{y}" width="{max(x(hi) - x(lo), 2):.1f}" height="{row_h - 6}" '
            f'fill="{QUOTA_COLOUR}"><title>{escape(text("quota", lang))} {r.min}–{r.max}</title></rect>',
            f'<rect x="{label_w}" y="{y + 3}" width="{x(pool) - label_w:.1f}" height="9" fill="{POOL_COLOUR}">'
            f'<title>{escape(text("pool", lang))} {r.pool}</title></rect>',
            f'<rect x="{label_w}" y="{y + 14}" width="{x(now) - label_w:.1f}" height="12" fill="{colour}">'
            f'<title>{escape(text("panel", lang))} {r.panel_now}</title></rect>',
            f'<text x="{x(max(now, hi)) + 6:.1f}" y="{y + 24}" font-size="12">{r.panel_now} / {k}</text>',
        ]
    axis_y = len(rows) * row_h + 4
    parts.append(f'<line x1="{label_w}" y1="{axis_y}" x2="{label_w + chart_w}" y2="{axis_y}" stroke="#8c959f"/>')
    step = 0.1 if top > 0.3 else 0.05
    for tick in range(int(top / step + 1e-9) + 1):
        share = step * tick
        parts.append(f'<text x="{x(share):.1f}" y="{axis_y + 16}" font-size="11" text-anchor="middle" '
                     f'fill="#57606a">{100 * share:.0f}%</text>')
    parts.append("</svg>")
    return "".join(parts)


def _histogram(probs: Sequence[float], equal: float, lang: str) -> str:
    """Column chart of how many people have which selection probability."""
    if not probs:
        return ""
    bins, w, h, left, bottom = 25, 700, 220, 50, 40
    top_p = max(max(probs), equal, 1e-9) * 1.04
    counts = [0] * bins
    for p in probs:
        counts[min(bins - 1, int(p / top_p * bins))] += 1
    peak = max(counts)
    bw = w / bins
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + w + 20}" height="{h + bottom + 10}" '
             f'role="img" aria-label="{escape(text("histogram", lang))}">']
    for b, c in enumerate(counts):
        bh = h * c / peak if peak else 0
        lo, hi = top_p * b / bins, top_p * (b + 1) / bins
        parts.append(f'<rect x="{left + b * bw + 1:.1f}" y="{h - bh + 5:.1f}" width="{bw - 2:.1f}" '
                     f'height="{bh:.1f}" fill="{PANEL_COLOUR}"><title>{lo:.4f}–{hi:.4f}: {c} '
                     f'{escape(text("people", lang))}</title></rect>')
    ex = left + w * equal / top_p
    parts += [
        f'<line x1="{ex:.1f}" y1="0" x2="{ex:.1f}" y2="{h + 5}" stroke="#e8590c" stroke-dasharray="5,4" '
        'stroke-width="2"/>',
        f'<line x1="{left}" y1="{h + 5}" x2="{left + w}" y2="{h + 5}" stroke="#8c959f"/>',
        f'<text x="{left - 6}" y="14" font-size="11" text-anchor="end" fill="#57606a">{peak}</text>',
        f'<text x="{left - 6}" y="{h + 5}" font-size="11" text-anchor="end" fill="#57606a">0</text>',
    ]
    for tick in range(6):
        p = top_p * tick / 5
        parts.append(f'<text x="{left + w * tick / 5:.1f}" y="{h + 22}" font-size="11" text-anchor="middle" '
                     f'fill="#57606a">{p:.3f}</text>')
    parts.append(f'<text x="{left + w / 2:.1f}" y="{h + 40}" font-size="12" text-anchor="middle">'
                 f'{escape(text("probability", lang))}</text>')
    parts.append(f'<text x="{ex + 5:.1f}" y="14" font-size="11" fill="#e8590c">'
                 f'{escape(text("equal_chance", lang))} {equal:.4f}</text></svg>')
    return "".join(parts)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """An HTML table; cells must already be escaped."""
    th = "".join(f'<th class="{"n" if i in numeric else ""}">{h}</th>' for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f'<td class="{"n" if i in numeric else ""}">{c}</td>'
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _quota_section(data: ReportData, lang: str) -> list[str]:
    t = lambda key: escape(text(key, lang))  # noqa: E731
    show_now = bool(data.replacements)
    out = [f"<p>{t('quotas_intro')}</p>", '<p class="legend">'
           f'<span><i style="background:{POOL_COLOUR}"></i>{t("legend_pool")}</span>'
           f'<span><i style="background:{QUOTA_COLOUR}"></i>{t("legend_quota")}</span>'
           f'<span><i style="background:{PANEL_COLOUR}"></i>{t("legend_panel")}</span></p>']
    for cat in dict.fromkeys(r.category for r in data.rows):
        rows = [r for r in data.rows if r.category == cat]
        head = [t("value"), t("pool"), t("quota"), t("panel")] + ([t("panel_now")] if show_now else [])
        body = []
        for r in rows:
            share = f" ({100 * r.pool / data.pool_size:.0f}%)" if data.pool_size else ""
            cells = [escape(r.value), f"{r.pool}{share}", f"{r.min}–{r.max}", str(r.panel)]
            body.append(cells + ([str(r.panel_now)] if show_now else []))
        out += [f"<h3>{escape(cat)}</h3>", f"<figure>{_bar_chart(rows, data.panel_size, data.pool_size, lang)}"
                "</figure>", _table(head, body, numeric=(1, 2, 3, 4))]
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
        out.append(f'<p class="{css}">{escape(text(data.ledger_status[0], lang, n=data.ledger_status[1]))}</p>')
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
    items = "".join(f'<li><span class="{"ok" if ok else "fail"}">{"✓" if ok else "✗"}</span> '
                    f"<strong>{escape(name)}</strong>: {escape(detail)}</li>" for name, ok, detail in data.checks)
    verdict = (f'<p class="ok">{escape(text("verified_ok", lang))}</p>' if data.verified
               else f'<p class="fail">{escape(text("verified_failed", lang))}</p>')
    return [f"<p>{escape(text('verification_intro', lang))}</p>", f"<ul>{items}</ul>", verdict]


def render_html(data: ReportData, lang: str = "nl") -> str:
    """The report as one self-contained HTML page."""
    lang = check_lang(lang)
    t = lambda key, **kw: escape(text(key, lang, **kw))  # noqa: E731
    equal = data.panel_size / data.pool_size if data.pool_size else 0.0
    body: list[str] = [f"<h1>{t('title')}</h1>",
                       f'<p class="muted">{t("subtitle", k=data.panel_size, n=data.pool_size)}</p>']
    if not data.published_before_seed:
        body.append(f'<p class="banner">{t("practice")}</p>')
    fact_rows = [[escape(k), f'<span class="mono">{escape(v)}</span>'] for k, v in facts(data, lang)]
    body += [f"<h2>{t('facts')}</h2>", _table([t("detail"), ""], fact_rows)]
    body += [f"<h2>{t('timeline')}</h2>", *_timeline(data, lang)]
    body += [f"<h2>{t('inputs')}</h2>",
             _table([t("file"), "SHA-256"], [[escape(n), f"<code>{escape(d)}</code>"] for n, d in data.inputs])]
    body += [f"<h2>{t('quotas')}</h2>", *_quota_section(data, lang)]
    body += [f"<h2>{t('fairness')}</h2>", f"<p>{escape(fairness_note(data, lang))}</p>",
             f"<p>{escape(probability_summary(data, lang))}</p>",
             f"<figure>{_histogram(data.probabilities, equal, lang)}<figcaption class=\"muted\">"
             f"{t('histogram')}</figcaption></figure>"]
    stats = data.stat_lines(lang)
    if stats:
        body += [f"<h3>{t('statistics')}</h3>", _table([t("detail"), ""], [[escape(a), escape(b)] for a, b in stats],
                                                        numeric=(1,))]
    body += [f"<h2>{t('verification')}</h2>", *_checks(data, lang)]
    body += [f"<h2>{t('replacements')}</h2>", *_replacements(data, lang)]
    members = ", ".join(f"<code>{escape(p)}</code>" for p in sorted(data.panel))
    body += [f"<h2>{t('members')}</h2>", f"<p>{members}</p>", f"<p>{t('members_note', r=data.reserves)}</p>"]
    verify_text = re.sub(r"`([^`]+)`", r"<code>\1</code>", t("how_to_verify_text"))
    body += [f"<h2>{t('how_to_verify')}</h2>", f"<p>{verify_text}</p>",
             f'<p class="muted"><em>{t("privacy")}</em></p>']
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">\n"
            f"<title>{t('title')} — {escape(data.commitment[:16])}</title>\n<style>{_CSS}</style>\n</head>\n"
            f"<body><main>\n{chr(10).join(body)}\n</main></body>\n</html>\n")
