"""What a draw report shows: built from the public records, their verification and the ledger.

Pseudonyms and counts per quota value only: never a name, address or any other pool column.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from quotas.errors import SortitionError
from sortition.i18n import count, has_text, number, percent, text, yes_no
from sortition.randomness import display_seed
from sortition.records import Ledger
from sortition.rules.checks import Check, VerifyReport
from sortition.rules.computation import early_stop
from sortition.rules.reserve import current_state

DEFAULT_LANG = "nl"
#: The lottery's statistics a report shows, in the order a reader follows them.
STAT_ORDER = ("distribution_min_probability", "legacy_min_probability", "rounding_max_deviation", "rounding_bound",
              "time_limit_reached", "min_probability_reached", "min_probability_upper_bound")


class ReportFormat(StrEnum):
    """The report formats: ``html`` (the published report) or ``md`` (Markdown, for plain-text readers)."""

    HTML = "html"
    MD = "md"


@dataclass(frozen=True)
class ValueRow:
    """One quota value: pool count, bounds, drawn panel count, the panel count after replacements and, when
    the quota file stated it, the value's share of the population."""

    category: str
    value: str
    pool: int
    min: int
    max: int
    panel: int
    panel_now: int
    population: float | None = None


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
    checks: tuple[Check, ...]
    replacements: tuple[Mapping[str, Any], ...]
    panel: tuple[str, ...]
    reserves: int
    timeline: tuple[TimelineEntry, ...]
    ledger_status: tuple[str, int] | None  # ("ledger_ok" | "ledger_broken", n) or None
    seed_beacon: Mapping[str, Any] | None = None  # the lottery file's committed drand round, if any
    draw_lang: str | None = None  # the report language chosen at draw time (from the ledger), if recorded

    @property
    def panel_size(self) -> int:
        return int(self.settings.get("panel_size", len(self.panel)))

    @property
    def verified(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def has_population(self) -> bool:
        return any(r.population is not None for r in self.rows)

    def stat_lines(self, lang: str) -> list[tuple[str, str, str]]:
        """(label, value, one plain sentence) for the lottery's statistics that the report knows how to name."""
        m = self.settings.get("panels", 0)
        out = []
        known = [k for k in STAT_ORDER if k in self.statistics]
        for key, value in [(k, self.statistics[k]) for k in known]:
            if has_text(f"stat_{key}") and isinstance(value, int | float) and not isinstance(value, bool):
                shown = yes_no(value, lang) if key == "time_limit_reached" else percent(value, lang, 2)
                out.append((text(f"stat_{key}", lang), shown, text(f"explain_{key}", lang, m=m)))
        return out


def check_text(check: Check, lang: str) -> tuple[str, str]:
    """A check's name and one plain sentence about it in ``lang``; the English name and detail for a check
    the reports do not know."""
    if check.key and has_text(f"check_{check.key}"):
        return text(f"check_{check.key}", lang), text(f"explain_{check.key}", lang)
    return check.name, check.detail


def draw_lang(ledger: Ledger | None, commitment: str) -> str | None:
    """The report language the ledger records for ``commitment`` (its draw line, or a later ``report_lang``
    line when a re-run of draw changed it), or None."""
    found = None
    for entry in ledger.entries if ledger else ():
        if (entry.get("event") in ("draw", "report_lang") and entry.get("commitment") == commitment
                and entry.get("report_lang")):
            found = str(entry["report_lang"])
    return found


def _time(entry: Mapping[str, Any]) -> str:
    """The ledger's ISO time as ``2027-01-09 14:03:22`` (the reports say the times are UTC)."""
    return str(entry.get("time", "")).replace("T", " ").removesuffix("+00:00")


def _timeline(ledger: Ledger | None, commitment: str
              ) -> tuple[tuple[TimelineEntry, ...], tuple[str, int] | None]:
    """The steps of this commitment from the ledger, and ("ledger_ok", lines) or ("ledger_broken", line)."""
    if ledger is None:
        return (), None
    status = ("ledger_ok", len(ledger.entries)) if ledger.intact else ("ledger_broken", int(ledger.broken_at or 0))
    entries: list[TimelineEntry] = []
    seen: set[str] = set()
    for entry in ledger.entries:
        kind = entry.get("event")
        if entry.get("commitment") != commitment or kind not in ("prepare", "draw", "replace"):
            continue
        if kind == "replace":
            entries.append(TimelineEntry(_time(entry), "step_replace",
                                         f"{entry.get('dropout')} → {entry.get('replacement')}"))
        elif kind not in seen:  # a re-run of prepare or draw changes nothing: show the first
            seen.add(kind)
            detail = commitment if kind == "prepare" else display_seed(str(entry.get("seed", "")))
            entries.append(TimelineEntry(_time(entry), f"step_{kind}", detail))
    return tuple(entries), status


def _ordered(names: Sequence[str], order: object) -> list[str]:
    """``names`` in the quota file's ``order`` (a list from the lottery file); names it lacks follow, sorted.

    Lottery files written before the order was recorded have none: then sorted, as ``categories`` is."""
    first = [n for n in order if isinstance(n, str) and n in names] if isinstance(order, list) else []
    return list(dict.fromkeys(first)) + sorted(set(names) - set(first))


def _share(shares: object, cat: str, value: str) -> float | None:
    share = shares.get(cat, {}).get(value) if isinstance(shares, Mapping) and isinstance(
        shares.get(cat), Mapping) else None
    return float(share) if isinstance(share, int | float) and not isinstance(share, bool) else None


def _rows(lottery: Mapping[str, Any], drawn: Sequence[str], now: Sequence[str]) -> tuple[ValueRow, ...]:
    """One row per value, in the quota file's order when the lottery file records it."""
    people: Mapping[str, Mapping[str, str]] = lottery["people"]
    categories: Mapping[str, Mapping[str, Any]] = lottery["categories"]
    value_order = lottery.get("value_order")
    shares = lottery.get("population_shares")
    rows = []
    for cat in _ordered(list(categories), lottery.get("category_order")):
        values = categories[cat]
        pool = Counter(p[cat] for p in people.values())
        on_drawn = Counter(people[p][cat] for p in drawn)
        on_now = Counter(people[p][cat] for p in now)
        order = value_order.get(cat) if isinstance(value_order, Mapping) else None
        for value in _ordered(list(values), order):
            bounds = values[value]
            rows.append(ValueRow(cat, value, pool.get(value, 0), int(bounds["min"]), int(bounds["max"]),
                                 on_drawn.get(value, 0), on_now.get(value, 0), _share(shares, cat, value)))
    return tuple(rows)


def build_report(lottery: Mapping[str, Any], record: Mapping[str, Any], verification: VerifyReport,
                 ledger: Ledger | None) -> ReportData:
    """Gather a report's content from the public records, their verification and the folder's ledger."""
    checks = tuple(verification.checks)
    drawn = [str(p) for p in record.get("panel", [])]
    try:
        state = current_state(lottery, record)
        now, used = list(state.panel), len(state.used)
    except SortitionError:  # the checklist shows why; report the drawn panel
        now, used = drawn, 0
    timeline, ledger_status = _timeline(ledger, str(record.get("commitment", "")))
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
        seed_beacon=beacon if isinstance(beacon := lottery.get("seed_beacon"), Mapping) else None,
        draw_lang=draw_lang(ledger, str(record.get("commitment", ""))),
    )


def probability_summary(data: ReportData, lang: str) -> str:
    probs = data.probabilities
    if not probs:
        return ""
    equal = data.panel_size / data.pool_size if data.pool_size else 0.0
    return text("prob_summary", lang, min=percent(probs[0], lang, 2),
                median=percent(statistics.median(probs), lang, 2), max=percent(probs[-1], lang, 2),
                ones=count(sum(p >= 1 - 1e-9 for p in probs), "person", lang),
                zeros=count(sum(p <= 1e-9 for p in probs), "person", lang), equal=percent(equal, lang, 2))


def early_stop_note(data: ReportData, lang: str) -> str:
    """One paragraph when the time limit stopped the lottery's computation (how far from the fairest it can
    be), else an empty string."""
    stopped = early_stop({"statistics": data.statistics, "settings": data.settings})
    if stopped is None:
        return ""
    seconds = f"{stopped.time_limit:g}" if stopped.time_limit is not None else ""
    limit = text("early_stop_limit", lang, seconds=seconds.replace(".", ",") if lang == "nl" else seconds) \
        if seconds else ""
    lowest = percent(stopped.lowest, lang, 2)
    if stopped.upper_bound is None:
        return text("early_stop_unknown", lang, limit=limit, lowest=lowest)
    if stopped.lowest_is_optimal and stopped.algorithm == "leximin":
        return text("early_stop_optimal", lang, limit=limit, lowest=lowest)
    return text("early_stop_bound", lang, limit=limit, lowest=lowest, bound=percent(stopped.upper_bound, lang, 2))


def fairness_note(data: ReportData, lang: str) -> str:
    if data.probabilities_are_estimates:
        runs = data.settings.get("legacy_runs", "?")
        return text("fairness_estimate", lang, runs=number(runs, lang, 0) if isinstance(runs, int) else runs)
    return text("fairness_exact", lang, m=data.settings.get("panels", "?"))


def beacon_facts(data: ReportData, lang: str) -> list[tuple[str, str]]:
    """(label, value) lines of the committed drand round: which round, when published, and a past round's flag."""
    beacon = data.seed_beacon
    if beacon is None:
        return []
    past = bool(beacon.get("past_round_allowed"))
    return [
        (text("seed_beacon", lang), text("seed_beacon_value", lang, round=beacon.get("round", "?"),
                                         time=str(beacon.get("round_published_at", "?")).replace("T", " ")
                                         .removesuffix("Z"))),
        (text("past_round", lang), text("past_round_yes" if past else "past_round_no", lang)),
    ]


def subtitle(data: ReportData, lang: str) -> str:
    return text("subtitle", lang, k=count(data.panel_size, "person", lang), n=count(data.pool_size, "signup", lang))


def ledger_line(data: ReportData, lang: str) -> str:
    if not data.ledger_status:
        return ""
    key, n = data.ledger_status
    return text(key, lang, n=count(n, "line", lang) if key == "ledger_ok" else n)


def facts(data: ReportData, lang: str) -> list[tuple[str, str]]:
    """(label, value) lines of the key facts, in order. The seed is shown with invisible characters escaped."""
    s = data.settings
    return [
        (text("commitment", lang), data.commitment),
        (text("seed_source", lang), data.seed_source or text("none", lang)),
        (text("seed", lang), display_seed(data.seed)),
        *beacon_facts(data, lang),
        (text("published_first", lang), text("yes" if data.published_before_seed else "no", lang)),
        (text("algorithm", lang), str(s.get("algorithm", ""))),
        (text("panels_in_lottery", lang), str(s.get("panels", 0))),
        (text("panel_index", lang), "—" if data.panel_index is None else str(data.panel_index)),
        (text("households", lang), yes_no(s.get("households"), lang)),
        (text("software", lang), data.software_version),
    ]
