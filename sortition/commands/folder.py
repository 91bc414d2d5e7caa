"""draw.json is the source of truth: bring a draw folder's private lists and ledger up to the record.

A command writes its files one at a time (each atomically), so an interruption between two writes leaves a
folder whose draw record is ahead of the rest: e.g. a replacement is in ``draw.json`` while
``private/panel.csv`` still lists the drop-out and ``ledger.jsonl`` lacks its line. Every command that reads a
draw folder (draw, replace, report into the folder) first calls :func:`bring_up_to_record`, under the
folder's lock, which rewrites the private lists from the record's state and appends the missing ledger lines.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from quotas.errors import SortitionError
from sortition.records import (
    DRAW_FILE,
    LOTTERY_FILE,
    PANEL_LIST,
    POOL_COPY,
    RESERVE_LIST,
    append_ledger,
    private_file,
    read_draw,
    read_ledger,
    read_lottery,
    write_private_lists,
)
from sortition.rules.reserve import current_state, record_sha256

#: The key a ledger line written on recovery carries (its time is when it was written, not when the event was).
RECOVERED = "recovered"


def bring_up_to_record(folder: str | Path) -> tuple[str, ...]:
    """Rewrite the private lists from ``draw.json`` and add its missing ledger lines; return what was repaired.

    Call it holding the folder's lock (:func:`sortition.records.locked`). It does nothing when the folder has
    no draw record, no private pool copy (e.g. an auditor's copy of the public files), or a record that does
    not belong to the lottery beside it or does not verify: the command itself then refuses with its message.
    """
    base = Path(folder)
    draw_path, lottery_path = base / DRAW_FILE, base / LOTTERY_FILE
    if not (draw_path.exists() and lottery_path.exists() and private_file(base, POOL_COPY).exists()):
        return ()
    try:
        draw_raw, record = read_draw(draw_path)
        lot_raw, lottery = read_lottery(lottery_path)
        commitment = hashlib.sha256(lot_raw).hexdigest()
        if record.get("commitment") != commitment:
            return ()
        state = current_state(lottery, record)
    except (SortitionError, KeyError, TypeError, ValueError, AttributeError):
        return ()
    repairs: list[str] = []
    lists = [private_file(base, PANEL_LIST), private_file(base, RESERVE_LIST)]
    before = [p.read_bytes() if p.exists() else None for p in lists]
    settings = lottery.get("settings")
    write_private_lists(base, state.panel, [str(r) for r in record.get("reserves", [])], used=state.used,
                        replaces={r.replacement: r.dropout for r in state.replacements},
                        id_column=settings.get("id_column") if isinstance(settings, dict) else None)
    if [p.read_bytes() for p in lists] != before:
        repairs.append("private/panel.csv and private/reserves.csv were behind draw.json (an earlier command was "
                       "interrupted); they were rewritten from it.")
    ledger = read_ledger(base)
    mine = [e for e in (ledger.entries if ledger else ()) if e.get("commitment") == commitment]
    added = 0
    if not any(e.get("event") == "draw" for e in mine):
        append_ledger(base, {"event": "draw", "commitment": commitment, "seed": record.get("seed"),
                             "draw_sha256": record_sha256(record, []), RECOVERED: True})
        added += 1
    logged = sum(e.get("event") == "replace" for e in mine)
    current = hashlib.sha256(draw_raw).hexdigest()
    for r in state.replacements[logged:]:
        append_ledger(base, {"event": "replace", "commitment": commitment, "dropout": r.dropout,
                             "replacement": r.replacement, "rule": r.rule, "draw_sha256": current,
                             RECOVERED: True})
        added += 1
    if added:
        repairs.append(f"ledger.jsonl lacked {added} line(s) of draw.json (an earlier command was interrupted); "
                       f"they were added, marked \"{RECOVERED}\", with the time of this repair.")
    return tuple(repairs)


__all__ = ["RECOVERED", "bring_up_to_record"]
