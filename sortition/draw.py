"""Step 3 of a verifiable draw: from a committed lottery and a public seed, the panel and reserve list.

Everything here is a pure function of the lottery file's bytes and the seed (stream v1, DESIGN.md), so
``verify`` recomputes it with the very same functions, and an auditor can with the reference verifier.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quotas.errors import InputError, VerificationError
from sortition.algorithms.base import Algorithm
from sortition.files import append_ledger, atomic_write, canonical_json, private_dir, read_json, write_csv
from sortition.lottery import LOTTERY_FORMAT, public_pool
from sortition.randomness import Stream, derive_key, normalise_seed, order_by_rank

DRAW_FORMAT = "sortition-draw/1"


@dataclass(frozen=True)
class Outcome:
    """The panel a seed selects from a lottery, and the reserve list in rank order."""

    commitment: str
    seed: str
    panel_index: int | None
    panel: tuple[str, ...]
    reserves: tuple[str, ...]


def compute_outcome(lottery_bytes: bytes, lottery: Mapping[str, Any], seed: str) -> Outcome:
    """Recompute the outcome from the lottery file's exact bytes and the seed (used by draw and verify)."""
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
        from sortition.algorithms.legacy import legacy_panel

        pub = public_pool(lottery)
        index = None
        chosen = legacy_panel(pub.problem, Stream(key, "legacy"))
        panel = tuple(sorted(pub.pseudonyms[i] for i in chosen))
    else:
        raise VerificationError("the lottery file has no panels and is not a legacy lottery.")
    on_panel = set(panel)
    reserves = tuple(order_by_rank(key, [p for p in people if p not in on_panel]))
    return Outcome(commitment.hex(), text, index, panel, reserves)


def record_body(outcome: Outcome, *, published_before_seed: bool, events: Sequence[Mapping[str, Any]] = ()
                ) -> dict[str, Any]:
    return {
        "format": DRAW_FORMAT,
        "commitment": outcome.commitment,
        "seed": outcome.seed,
        "panel_index": outcome.panel_index,
        "panel": list(outcome.panel),
        "reserves": list(outcome.reserves),
        "commitment_published_before_seed": published_before_seed,
        "events": list(events),
    }


@dataclass(frozen=True)
class DrawResult:
    folder: Path
    draw_path: Path
    report_path: Path
    panel_csv: Path
    reserves_csv: Path
    outcome: Outcome
    report_paths: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()


def _private_rows(folder: Path, order: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    path = folder / "private" / "pool.csv"
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        raise InputError("the private copy of the pool is missing.", file=path,
                         hint="Run draw in the folder that prepare wrote.") from None
    header, body = rows[0], rows[1:]
    by_name = {r[0]: r for r in body}
    missing = [p for p in order if p not in by_name]
    if missing:
        raise InputError(f"does not hold {len(missing)} people of the lottery.", file=path,
                         hint="Run draw in the folder that prepare wrote.")
    return header, [by_name[p] for p in order]


def write_private_lists(folder: Path, panel: Sequence[str], reserves: Sequence[str]) -> tuple[Path, Path]:
    """The panel and the reserve list with the pool's own columns (private: personal data)."""
    header, panel_rows = _private_rows(folder, panel)
    _, reserve_rows = _private_rows(folder, reserves)
    priv = private_dir(folder)
    # private/pool.csv holds the raw values; the lists people open get formula cells neutralised.
    write_csv(priv / "panel.csv", ["rank", *header], [[str(i + 1), *r] for i, r in enumerate(panel_rows)])
    write_csv(priv / "reserves.csv", ["rank", *header], [[str(i + 1), *r] for i, r in enumerate(reserve_rows)])
    return priv / "panel.csv", priv / "reserves.csv"


def draw(lottery_path: str | Path, seed: str, *, published_before_seed: bool = True,
         report_lang: str = "nl") -> DrawResult:
    """Draw the panel of a committed lottery with the public seed; write the record, report, private lists.

    One draw per commitment: running it again with the same seed rewrites nothing and returns the same
    result; another seed for a lottery already drawn is refused.

    Example:
        >>> result = draw("out/lottery.json", "Lotto 2027-01-09: 3 11 17 25 32 41")  # doctest: +SKIP
    """
    from sortition.replace import current_state
    from sortition.report import write_reports

    lottery_file = Path(lottery_path)
    folder = lottery_file.parent
    raw, lottery = read_json(lottery_file, what="lottery file")
    outcome = compute_outcome(raw, lottery, seed)
    draw_path = folder / "draw.json"
    events: list[Mapping[str, Any]] = []
    if draw_path.exists():
        _, old = read_json(draw_path, what="draw record")
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
    panel_csv, reserves_csv = write_private_lists(folder, state.panel, state.unused_reserves(outcome.reserves))
    append_ledger(folder, {"event": "draw", "commitment": outcome.commitment, "seed": outcome.seed,
                           "draw_sha256": hashlib.sha256(canonical_json(body)).hexdigest()})
    html, md = write_reports(draw_path, lang=report_lang)  # after the ledger entry, so it shows the draw time
    return DrawResult(folder, draw_path, html, panel_csv, reserves_csv, outcome, (html, md))


def select(pool_path: str | Path, quotas_path: str | Path, seed: str, out_dir: str | Path,
           **prepare_options: Any) -> DrawResult:
    """Prepare and draw in one step, for practice and tests.

    The record says the commitment was not published before the seed, so nobody mistakes it for a
    verifiable public draw.
    """
    from sortition.lottery import prepare

    prep = prepare(pool_path, quotas_path, out_dir, **prepare_options)
    result = draw(prep.lottery_path, seed, published_before_seed=False)
    return dataclasses.replace(result, warnings=prep.warnings)
