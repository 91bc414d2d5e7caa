"""Replacing panel members who drop out, by the rule committed in the lottery file.

The rule (``RESERVE_RULE``): a drop-out is replaced by the first person on the reserve list (rank order,
skipping reserves already used) whose addition keeps every quota and the household rule met with the rest
of the panel. Only when nobody fits, and only when the official asks for it (``allow_quota_break``), the
first reserve among those breaking the fewest quota bounds is taken, and the event says so. The household
rule is never broken. Drop-outs given together are handled in sorted pseudonym order, so not even their
order is a choice.

Each replacement is an event appended to the draw record's ``events``; it holds the SHA-256 of the record
as it was before the event (``previous_sha256``), so the events form a hash chain that ``verify`` replays
with :func:`replay_events`.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quotas.errors import InfeasibleError, InputError, VerificationError
from sortition.files import append_ledger, atomic_write, canonical_json, read_json
from sortition.lottery import PSEUDONYM_COLUMN, PublicPool, public_pool

EVENT_TYPE = "replacement"
RULE_FIT = "first-fitting-reserve"
RULE_QUOTA_BREAK = "fewest-quota-breaks"


@dataclass(frozen=True)
class Replacement:
    """One replacement: who dropped out, who replaces them, and by which rule.

    Attributes:
        dropout: pseudonym of the member who dropped out.
        replacement: pseudonym of the reserve who takes the seat.
        reserve_rank: the replacement's position on the reserve list (1 = first).
        rule: ``first-fitting-reserve``, or ``fewest-quota-breaks`` when a quota break was allowed.
        quota_breaks: the quota bounds the new panel breaks (empty under the normal rule).
    """

    dropout: str
    replacement: str
    reserve_rank: int
    rule: str
    quota_breaks: tuple[str, ...] = ()

    def event(self, previous_sha256: str) -> dict[str, Any]:
        """The event as the draw record stores it."""
        return {"type": EVENT_TYPE, "previous_sha256": previous_sha256, "dropout": self.dropout,
                "replacement": self.replacement, "reserve_rank": self.reserve_rank, "rule": self.rule,
                "quota_breaks": list(self.quota_breaks)}


@dataclass(frozen=True)
class PanelState:
    """The panel after the recorded events: members (drawn order, replacements in the drop-out's seat)."""

    panel: tuple[str, ...]
    used: frozenset[str]
    replacements: tuple[Replacement, ...]

    def unused_reserves(self, reserves: Sequence[str]) -> list[str]:
        return [r for r in reserves if r not in self.used]


@dataclass(frozen=True)
class ReplaceResult:
    """What ``replace`` did and wrote.

    ``record_sha256`` is the SHA-256 of the updated draw record and ``events`` its number of events: publish
    the hash after every replacement, because removing the last events leaves a hash chain that still holds
    (``verify(..., record_sha256=...)`` checks against the published value).
    """

    draw_path: Path
    replacements: tuple[Replacement, ...]
    panel: tuple[str, ...]
    panel_csv: Path
    report_paths: tuple[Path, ...]
    record_sha256: str
    events: int


def record_sha256(record: Mapping[str, Any], events: Sequence[Mapping[str, Any]]) -> str:
    """SHA-256 of the record's canonical bytes with exactly ``events`` as its events."""
    return hashlib.sha256(canonical_json({**record, "events": list(events)})).hexdigest()


class _Counts:
    """Quota counts of a partial panel, and what one more person would do to them."""

    def __init__(self, pub: PublicPool, members: Sequence[int]) -> None:
        self.problem = pub.problem
        self.cats = pub.problem.spec.categories
        self.counts = [[0] * len(cat.values) for cat in self.cats]
        for i in members:
            for c in range(len(self.cats)):
                self.counts[c][int(pub.problem.features[i, c])] += 1
        hh = pub.problem.households
        self.households = {int(hh[i]) for i in members} if hh is not None else set()

    def shares_household(self, person: int) -> bool:
        hh = self.problem.households
        return hh is not None and int(hh[person]) in self.households

    def breaks_with(self, person: int) -> list[str]:
        """The quota bounds broken by the partial panel plus ``person``."""
        out: list[str] = []
        for c, cat in enumerate(self.cats):
            own = int(self.problem.features[person, c])
            for j, vq in enumerate(cat.values):
                n = self.counts[c][j] + (j == own)
                if not vq.min <= n <= vq.max:
                    out.append(f"{cat.name} {vq.value}: {n} not in [{vq.min}, {vq.max}]")
        return out

    def needs(self) -> list[str]:
        """Values the replacement must have (the partial panel is below their minimum)."""
        return [f"{cat.name} = {vq.value} ({self.counts[c][j]} on the panel, min {vq.min})"
                for c, cat in enumerate(self.cats) for j, vq in enumerate(cat.values)
                if self.counts[c][j] < vq.min]


def choose_replacement(pub: PublicPool, panel: Sequence[str], reserves: Sequence[str], used: frozenset[str],
                       dropout: str, *, allow_quota_break: bool = False) -> Replacement:
    """Apply the committed rule: the first unused reserve that fits once ``dropout`` leaves ``panel``.

    Raises:
        InfeasibleError: nobody fits (and no quota break is allowed, or only the household rule blocks);
            the message names the blocking quotas and the options.
    """
    index = pub.index()
    counts = _Counts(pub, [index[p] for p in panel if p != dropout])
    best: tuple[int, int, str, list[str]] | None = None  # (breaks, rank, pseudonym, broken bounds)
    blocked: Counter[str] = Counter()
    for rank, person in enumerate(reserves, 1):
        if person in used:
            continue
        i = index[person]
        if counts.shares_household(i):
            blocked["shares a household with a panel member"] += 1
            continue
        broken = counts.breaks_with(i)
        if not broken:
            return Replacement(dropout, person, rank, RULE_FIT)
        blocked.update(broken)
        if best is None or len(broken) < best[0]:
            best = (len(broken), rank, person, broken)
    if best is not None and allow_quota_break:
        return Replacement(dropout, best[2], best[1], RULE_QUOTA_BREAK, tuple(best[3]))
    raise InfeasibleError(_blocked_message(dropout, counts, blocked, best))


def _blocked_message(dropout: str, counts: _Counts, blocked: Counter[str],
                     best: tuple[int, int, str, list[str]] | None) -> str:
    needs = counts.needs()
    lines = [f"No unused reserve can replace {dropout} without breaking a quota or the household rule."]
    if needs:
        lines.append("Without them the panel needs someone with " + " and ".join(needs) + ".")
    if blocked:
        top = "; ".join(f"{reason} ({n} reserves)" for reason, n in blocked.most_common(3))
        lines.append(f"What blocks the reserves: {top}.")
    else:
        lines.append("The reserve list is used up.")
    if best is not None:
        lines.append(f"Options: run replace again with --allow-quota-break to take reserve {best[2]} "
                     f"(rank {best[1]}), who breaks the fewest quota bounds ({'; '.join(best[3])}); the draw "
                     "record and the report say so. Or leave the seat empty.")
    else:
        lines.append("Option: leave the seat empty; no reserve keeps the household rule.")
    return " ".join(lines)


def replay_events(pub: PublicPool, record: Mapping[str, Any]) -> PanelState:
    """Check every event of a draw record against the committed rule; return the panel they lead to.

    Raises:
        VerificationError: an event's hash chain link, drop-out or replacement is not the one the rule gives.
    """
    panel = [str(p) for p in record.get("panel", [])]
    reserves = [str(p) for p in record.get("reserves", [])]
    events = record.get("events", [])
    if not isinstance(events, list):
        raise VerificationError("the draw record's 'events' is not a list.")
    used: set[str] = set()
    done: list[Replacement] = []
    for n, event in enumerate(events):
        where = f"event {n + 1}"
        if not isinstance(event, Mapping) or event.get("type") != EVENT_TYPE:
            raise VerificationError(f"{where} is not a replacement event.")
        expected_hash = record_sha256(record, events[:n])
        if event.get("previous_sha256") != expected_hash:
            raise VerificationError(f"{where}: previous_sha256 is {event.get('previous_sha256')}, but the "
                                    f"record before it hashes to {expected_hash}.")
        dropout = event.get("dropout")
        if dropout not in panel:
            raise VerificationError(f"{where}: the drop-out {dropout} is not on the panel at that point.")
        try:
            expected = choose_replacement(pub, panel, reserves, frozenset(used), str(dropout),
                                          allow_quota_break=event.get("rule") == RULE_QUOTA_BREAK)
        except InfeasibleError as exc:
            raise VerificationError(f"{where}: the rule gives no replacement ({exc})") from None
        if dict(event) != expected.event(expected_hash):
            raise VerificationError(f"{where}: records {event.get('replacement')} ({event.get('rule')}), but "
                                    f"the committed rule gives {expected.replacement} ({expected.rule}).")
        panel[panel.index(str(dropout))] = expected.replacement
        used.add(expected.replacement)
        done.append(expected)
    return PanelState(tuple(panel), frozenset(used), tuple(done))


def _id_lookup(folder: Path, id_column: str | None) -> dict[str, str]:
    """Register id -> pseudonym from the private pool copy (so officials can name drop-outs by id)."""
    path = folder / "private" / "pool.csv"
    if not id_column or not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {row[id_column]: row[PSEUDONYM_COLUMN] for row in rows
            if row.get(id_column) is not None and row.get(PSEUDONYM_COLUMN)}


def _resolve(folder: Path, lottery: Mapping[str, Any], names: Sequence[str], panel: Sequence[str]) -> list[str]:
    """Pseudonyms of the drop-outs (given as pseudonyms or register ids), checked to be on the panel."""
    by_id: dict[str, str] | None = None
    out: list[str] = []
    for name in names:
        text = name.strip()
        if text not in lottery.get("people", {}):
            if by_id is None:
                by_id = _id_lookup(folder, lottery.get("settings", {}).get("id_column"))
            if text not in by_id:
                raise InputError(f"{text!r} is neither a pseudonym in the lottery nor an id in the pool.",
                                 hint="Use the pseudonym from private/panel.csv (column "
                                      f"{PSEUDONYM_COLUMN}) or the id from the pool file.")
            text = by_id[text]
        if text not in panel:
            raise InputError(f"{name!r} ({text}) is not on the current panel, so cannot drop out.",
                             hint="Check private/panel.csv for the current panel.")
        if text in out:
            raise InputError(f"{name!r} is given twice.")
        out.append(text)
    return sorted(out)


def replace(draw_path: str | Path, dropouts: Sequence[str], *, allow_quota_break: bool = False,
            lang: str = "nl") -> ReplaceResult:
    """Replace panel members who dropped out, by the committed rule; record each as a draw-record event.

    Args:
        draw_path: the draw record ``DIR/draw.json`` (the lottery file is beside it).
        dropouts: pseudonyms (or register ids) of members who dropped out.
        allow_quota_break: when no reserve fits, take the one breaking the fewest quota bounds.
        lang: language of the regenerated reports (``nl`` or ``en``).

    Example:
        >>> result = replace("draw1/draw.json", ["3f9a0c1d2b4e5f60"])  # doctest: +SKIP
        >>> result.replacements[0].replacement  # doctest: +SKIP
    """
    from sortition.draw import write_private_lists
    from sortition.report import write_reports
    from sortition.verify import verify

    if not dropouts:
        raise InputError("name at least one drop-out with --dropout.")
    path = Path(draw_path)
    folder = path.parent
    checked = verify(path)
    if not checked.ok:
        failed = checked.failed
        raise VerificationError(f"{path}: the draw does not verify ({failed.name if failed else '?'}: "
                                f"{failed.detail if failed else ''}); fix that before replacing anyone.")
    _, record = read_json(path, what="draw record")
    _, lottery = read_json(folder / "lottery.json", what="lottery file")
    pub = public_pool(lottery)
    state = replay_events(pub, record)
    panel, used = list(state.panel), set(state.used)
    events = list(record.get("events", []))
    made: list[Replacement] = []
    for dropout in _resolve(folder, lottery, dropouts, panel):
        choice = choose_replacement(pub, panel, record["reserves"], frozenset(used), dropout,
                                    allow_quota_break=allow_quota_break)
        events.append(choice.event(record_sha256(record, events)))
        panel[panel.index(dropout)] = choice.replacement
        used.add(choice.replacement)
        made.append(choice)
    new_record = {**record, "events": events}
    data = canonical_json(new_record)
    new_sha256 = hashlib.sha256(data).hexdigest()
    atomic_write(path, data, overwrite=True)
    panel_csv, _ = write_private_lists(folder, panel, [r for r in record["reserves"] if r not in used])
    for choice in made:
        append_ledger(folder, {"event": "replace", "commitment": record.get("commitment"),
                               "dropout": choice.dropout, "replacement": choice.replacement,
                               "rule": choice.rule, "draw_sha256": new_sha256})
    reports = write_reports(path, lang=lang)
    return ReplaceResult(path, tuple(made), tuple(panel), panel_csv, reports, new_sha256, len(events))


def current_state(lottery: Mapping[str, Any], record: Mapping[str, Any]) -> PanelState:
    """The panel after a record's events (checked against the rule), from the public files."""
    return replay_events(public_pool(lottery), record)
