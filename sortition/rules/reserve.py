"""The reserve rule committed in every lottery file: who replaces a member who drops out.

A drop-out is replaced by the first person on the reserve list (rank order, skipping reserves already used)
whose addition keeps every quota and the household rule met with the rest of the panel. Only when nobody
fits, and only when the official asks for it (``allow_quota_break``), the first reserve among those breaking
the fewest quota bounds is taken, and the event says so. The household rule is never broken. Drop-outs given
together are handled in sorted pseudonym order, so not even their order is a choice.

Each replacement is an event in the draw record's ``events``; it holds the SHA-256 of the record as it was
before the event (``previous_sha256``), so the events form a hash chain that :func:`replay_events` checks.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quotas.errors import InfeasibleError, VerificationError
from sortition.files import canonical_json
from sortition.rules.public import PublicPool, public_pool

RESERVE_RULE = (
    "Reserves are every pool member not on the drawn panel, ordered by rank = "
    "HMAC-SHA256(K, 'rank' || 0x00 || pseudonym) compared as bytes (ties by pseudonym); "
    "a drop-out is replaced by the first reserve whose addition keeps every quota and the household rule."
)
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


def current_state(lottery: Mapping[str, Any], record: Mapping[str, Any]) -> PanelState:
    """The panel after a record's events (checked against the rule), from the public files."""
    return replay_events(public_pool(lottery), record)
