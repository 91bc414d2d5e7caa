"""The outcome of a seed: from a committed lottery file and a public seed, the panel and the reserve list.

Everything here is a pure function of the lottery file's bytes and the seed (stream v1, DESIGN.md), so
``draw`` and ``verify`` compute it with the very same function, and an auditor can with the reference verifier.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quotas.errors import VerificationError
from sortition.algorithms.base import Algorithm
from sortition.algorithms.legacy import legacy_panel
from sortition.randomness import Stream, derive_key, normalise_seed, order_by_rank
from sortition.records import DRAW_FORMAT, LOTTERY_FORMAT
from sortition.rules.checks import MALFORMED, malformed
from sortition.rules.public import public_pool


@dataclass(frozen=True)
class Outcome:
    """The panel a seed selects from a lottery, and the reserve list in rank order."""

    commitment: str
    seed: str
    panel_index: int | None
    panel: tuple[str, ...]
    reserves: tuple[str, ...]


def compute_outcome(lottery_bytes: bytes, lottery: Mapping[str, Any], seed: str) -> Outcome:
    """Recompute the outcome from the lottery file's exact bytes and the seed (used by draw and verify).

    Raises:
        VerificationError: not a lottery file, or one whose fields have the wrong shape.
    """
    try:
        return _compute_outcome(lottery_bytes, lottery, seed)
    except MALFORMED as exc:
        raise VerificationError(f"the lottery file is malformed: {malformed(exc)}") from None


def _compute_outcome(lottery_bytes: bytes, lottery: Mapping[str, Any], seed: str) -> Outcome:
    if lottery.get("format") != LOTTERY_FORMAT:
        raise VerificationError(f"not a lottery file (format is {lottery.get('format')!r}, "
                                f"expected {LOTTERY_FORMAT!r}).")
    commitment = hashlib.sha256(lottery_bytes).digest()
    text = normalise_seed(seed)
    key = derive_key(commitment, text)
    people = sorted(lottery.get("people", {}))
    panels = lottery.get("panels") or []
    algorithm = lottery.get("settings", {}).get("algorithm")
    index: int | None
    if panels:
        index = Stream(key, "panel").uniform(len(panels))
        panel = tuple(sorted(panels[index]))
    elif algorithm == Algorithm.LEGACY.value:
        pub = public_pool(lottery)
        index = None
        chosen = legacy_panel(pub.problem, Stream(key, "legacy"))
        panel = tuple(sorted(pub.pseudonyms[i] for i in chosen))
    else:
        raise VerificationError("the lottery file has no panels and is not a legacy lottery.")
    on_panel = set(panel)
    reserves = tuple(order_by_rank(key, [p for p in people if p not in on_panel]))
    return Outcome(commitment.hex(), text, index, panel, reserves)


def record_body(outcome: Outcome, *, published_before_seed: bool, events: Sequence[Mapping[str, Any]] = (),
                beacon: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The draw record's content (``format`` sortition-draw/1) for an outcome and its replacement events.

    ``beacon`` is the drand round the seed came from, as the record keeps it (``beacon_round_to_json``);
    a record of a seed given as text has no ``beacon`` field.
    """
    return {
        "format": DRAW_FORMAT,
        "commitment": outcome.commitment,
        "seed": outcome.seed,
        **({"beacon": dict(beacon)} if beacon is not None else {}),
        "panel_index": outcome.panel_index,
        "panel": list(outcome.panel),
        "reserves": list(outcome.reserves),
        "commitment_published_before_seed": published_before_seed,
        "events": list(events),
    }
