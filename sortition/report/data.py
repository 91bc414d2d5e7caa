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
from sortition.i18n import has_text, text
from sortition.records import Ledger
from sortition.rules.checks import VerifyReport
from sortition.rules.reserve import current_state

DEFAULT_LANG = "nl"


class ReportFormat(StrEnum):
    """The report formats: ``html`` (the published report) or ``md`` (Markdown, for plain-text readers)."""

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


def build_report(lottery: Mapping[str, Any], record: Mapping[str, Any], verification: VerifyReport,
                 ledger: Ledger | None) -> ReportData:
    """Gather a report's content from the public records, their verification and the folder's ledger."""
    checks = tuple((c.name, c.passed, c.detail) for c in verification.checks)
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
