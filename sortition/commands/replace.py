"""Replacing panel members who drop out, by the reserve rule committed in the lottery file.

The rule itself is pure (:mod:`sortition.rules.reserve`); this command checks the draw, applies the rule,
appends the events to the draw record and rewrites the private lists and the reports.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quotas.errors import InputError, VerificationError
from sortition.commands.folder import bring_up_to_record
from sortition.files import atomic_write, canonical_json
from sortition.i18n import check_lang
from sortition.identity import id_key
from sortition.records import (
    LEDGER_FILE,
    PSEUDONYM_COLUMN,
    append_ledger,
    locked,
    lottery_beside,
    pseudonyms_by_id,
    read_draw,
    read_lottery,
    write_private_lists,
)
from sortition.report.output import write_folder_reports
from sortition.rules.public import public_pool
from sortition.rules.reserve import PanelState, Replacement, choose_replacement, record_sha256, replay_events
from sortition.rules.verification import check_draw


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
    warnings: tuple[str, ...] = ()
    #: The private lists rewritten: panel and reserves (``replaces`` column, committed ranks), .csv and .xlsx.
    private_paths: tuple[Path, ...] = ()
    ledger_path: Path | None = None

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file ``replace`` updated: the draw record, the reports, the ledger and the private lists."""
        ledger = (self.ledger_path,) if self.ledger_path is not None else ()
        return (self.draw_path, *self.report_paths, *ledger, *self.private_paths)


def _resolve(folder: Path, lottery: Mapping[str, Any], names: Sequence[str], state: PanelState) -> list[str]:
    """Pseudonyms of the drop-outs (given as pseudonyms or register ids), checked to be on the panel."""
    panel = state.panel
    gone = {r.dropout: (n, r.replacement) for n, r in enumerate(state.replacements, 1)}
    by_id: dict[str, str] | None = None
    out: list[str] = []
    for name in names:
        text = name.strip()
        if text not in lottery.get("people", {}):
            if by_id is None:
                by_id = pseudonyms_by_id(folder, lottery.get("settings", {}).get("id_column"))
            if id_key(text) not in by_id:
                raise InputError(f"{text!r} is neither a pseudonym in the lottery nor an id in the pool.",
                                 hint="Use the pseudonym from private/panel.csv (column "
                                      f"{PSEUDONYM_COLUMN}) or the id from the pool file.")
            text = by_id[id_key(text)]
        if text in gone:
            n, by = gone[text]
            raise InputError(f"{name!r} ({text}) dropped out already: event {n} of the draw record replaced them "
                             f"by {by}. Nothing was written.",
                             hint="Check private/panel.csv for the current panel.")
        if text not in panel:
            raise InputError(f"{name!r} ({text}) is not on the current panel, so cannot drop out.",
                             hint="Check private/panel.csv for the current panel.")
        if text in out:
            raise InputError(f"{name!r} is given twice.")
        out.append(text)
    return sorted(out)


def replace(draw_path: str | Path, dropouts: str | Sequence[str], *, allow_quota_break: bool = False,
            lang: str | None = None) -> ReplaceResult:
    """Replace panel members who dropped out, by the committed rule; record each as a draw-record event.

    Args:
        draw_path: the draw record ``DIR/draw.json`` (the lottery file is beside it).
        dropouts: the pseudonym (or register id) of a member who dropped out, or a list of them.
        allow_quota_break: when no reserve fits, take the one breaking the fewest quota bounds.
        lang: language of the regenerated reports (``nl`` or ``en``); None keeps the one chosen at draw time.

    Example:
        >>> result = replace("draw1/draw.json", ["3f9a0c1d2b4e5f60"])  # doctest: +SKIP
        >>> result.replacements[0].replacement  # doctest: +SKIP
    """
    if lang is not None:
        check_lang(lang)  # every argument is checked before the first write
    if isinstance(dropouts, str):
        dropouts = [dropouts]
    if not dropouts:
        raise InputError("name at least one drop-out with --dropout.")
    path = Path(draw_path)
    folder = path.parent
    with locked(folder, "replace"):
        return _replace(path, dropouts, allow_quota_break, lang)


def _replace(path: Path, dropouts: Sequence[str], allow_quota_break: bool, lang: str | None) -> ReplaceResult:
    """replace, holding the folder's lock."""
    folder = path.parent
    draw_raw, record = read_draw(path)
    lottery_file = lottery_beside(path)
    lot_raw, lottery = read_lottery(lottery_file)
    checked = check_draw(draw_raw, record, lot_raw, lottery, draw_name=path.name, lottery_name=lottery_file.name)
    if not checked.ok:
        names = "; ".join(f"{c.name}: {c.detail}" for c in checked.failures)
        raise VerificationError(f"{path}: the draw does not verify ({names}); fix that before replacing anyone.")
    repairs = bring_up_to_record(folder)
    pub = public_pool(lottery)
    state = replay_events(pub, record)
    panel, used = list(state.panel), set(state.used)
    events = list(record.get("events", []))
    made: list[Replacement] = []
    for dropout in _resolve(folder, lottery, dropouts, state):
        choice = choose_replacement(pub, panel, record["reserves"], frozenset(used), dropout,
                                    allow_quota_break=allow_quota_break)
        events.append(choice.event(record_sha256(record, events)))
        panel[panel.index(dropout)] = choice.replacement
        used.add(choice.replacement)
        made.append(choice)
    new_record = {**record, "events": events}
    data = canonical_json(new_record)
    new_sha256 = hashlib.sha256(data).hexdigest()
    if path.read_bytes() != draw_raw:  # only a writer that ignores the lock can get here
        raise InputError("changed while replace was working (another program wrote it); nothing was written.",
                         file=path, hint="Run sortition verify on it, then replace again.")
    atomic_write(path, data, overwrite=True)
    swaps = {r.replacement: r.dropout for r in (*state.replacements, *made)}
    private = write_private_lists(folder, panel, record["reserves"], used=used, replaces=swaps,
                                  id_column=lottery.get("settings", {}).get("id_column"))
    for choice in made:
        append_ledger(folder, {"event": "replace", "commitment": record.get("commitment"),
                               "dropout": choice.dropout, "replacement": choice.replacement,
                               "rule": choice.rule, "draw_sha256": new_sha256})
    reports = write_folder_reports(path, lang=lang)
    return ReplaceResult(path, tuple(made), tuple(panel), private[0], reports, new_sha256, len(events), repairs,
                         private_paths=tuple(private), ledger_path=folder / LEDGER_FILE)
