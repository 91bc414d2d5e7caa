"""Step 3 of a verifiable draw: from a committed lottery and the public seed, the panel and reserve list.

The outcome itself is a pure rule (:func:`sortition.rules.outcome.compute_outcome`), so ``verify``
recomputes it with the very same function; this command writes the record, reports and private lists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quotas.errors import InputError
from sortition.files import atomic_write, canonical_json
from sortition.records import DRAW_FILE, append_ledger, read_draw, read_ledger, read_lottery, write_private_lists
from sortition.report.output import write_folder_reports
from sortition.rules.outcome import Outcome, compute_outcome, record_body
from sortition.rules.reserve import current_state


@dataclass(frozen=True)
class DrawResult:
    """What ``draw`` wrote (the public record and reports, the private lists) and the :class:`Outcome`."""

    folder: Path
    draw_path: Path
    report_path: Path
    panel_csv: Path
    reserves_csv: Path
    outcome: Outcome
    report_paths: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()
    #: Every private list written: panel and reserves, each as .csv and .xlsx.
    private_paths: tuple[Path, ...] = ()


def _in_ledger(folder: Path, draw_sha256: str) -> bool:
    """Whether the ledger already records this very draw record (by a draw or the replacement that made it)."""
    ledger = read_ledger(folder)
    return ledger is not None and any(e.get("draw_sha256") == draw_sha256 for e in ledger.entries)


def draw(lottery_path: str | Path, seed: str, *, published_before_seed: bool,
         report_lang: str = "nl") -> DrawResult:
    """Draw the panel of a committed lottery with the public seed; write the record, report, private lists.

    Args:
        lottery_path: the committed ``DIR/lottery.json``.
        seed: the public seed, exactly as published.
        published_before_seed: whether the commitment was published before the seed existed; the record
            and the report state it (a draw right after prepare, as practice, passes False). Required: only
            the caller knows.
        report_lang: language of the reports (``nl`` or ``en``).

    One draw per commitment: running it again with the same seed rewrites nothing and returns the same
    result; another seed for a lottery already drawn is refused.

    Example:
        >>> result = draw("out/lottery.json", "Lotto 2027-01-09: 3 11 17 25 32 41",
        ...               published_before_seed=True)  # doctest: +SKIP
    """
    lottery_file = Path(lottery_path)
    folder = lottery_file.parent
    raw, lottery = read_lottery(lottery_file)
    outcome = compute_outcome(raw, lottery, seed)
    draw_path = folder / DRAW_FILE
    events: list[Mapping[str, Any]] = []
    if draw_path.exists():
        _, old = read_draw(draw_path)
        if old.get("commitment") == outcome.commitment and old.get("seed") != outcome.seed:
            raise InputError(
                f"this lottery was drawn already with seed {old.get('seed')!r}; one draw per commitment.",
                file=draw_path,
                hint="A new draw needs a new prepare (a new commitment) and a new future seed.")
        if old.get("commitment") != outcome.commitment:
            raise InputError("holds the draw of another lottery.", file=draw_path,
                             hint="Keep each lottery in its own folder.")
        events = list(old.get("events", []))
        published_before_seed = bool(old.get("commitment_published_before_seed", published_before_seed))
    body = record_body(outcome, published_before_seed=published_before_seed, events=events)
    atomic_write(draw_path, canonical_json(body), overwrite=bool(events))
    state = current_state(lottery, body)  # a re-run after replacements keeps them in the private lists
    lists = write_private_lists(folder, state.panel, outcome.reserves, used=state.used,
                                replaces={r.replacement: r.dropout for r in state.replacements},
                                id_column=lottery.get("settings", {}).get("id_column"))
    panel_csv, reserves_csv = lists[0], lists[2]
    draw_sha256 = hashlib.sha256(canonical_json(body)).hexdigest()
    if not _in_ledger(folder, draw_sha256):  # a same-seed redraw that changes nothing adds nothing
        append_ledger(folder, {"event": "draw", "commitment": outcome.commitment, "seed": outcome.seed,
                               "draw_sha256": draw_sha256})
    html, md = write_folder_reports(draw_path, lang=report_lang)  # after the ledger entry: it shows the draw time
    return DrawResult(folder, draw_path, html, panel_csv, reserves_csv, outcome, (html, md),
                      private_paths=tuple(lists))
