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
from sortition.beacon import (
    QUICKNET_ROUND_URL,
    BeaconCommitment,
    BeaconRound,
    beacon_round_to_json,
    read_beacon,
    seed_from_beacon,
)
from sortition.commands.folder import bring_up_to_record
from sortition.files import atomic_write, canonical_json
from sortition.i18n import check_lang
from sortition.records import (
    DRAW_FILE,
    PANEL_LIST,
    PANEL_XLSX,
    RESERVE_LIST,
    RESERVE_XLSX,
    VERIFIER_PAGE,
    append_ledger,
    locked,
    private_file,
    read_draw,
    read_ledger,
    read_lottery,
    write_private_lists,
)
from sortition.report.data import DEFAULT_LANG, draw_lang
from sortition.report.output import write_folder_reports
from sortition.rules.outcome import Outcome, compute_outcome, record_body
from sortition.web import write_verifier_page


@dataclass(frozen=True)
class DrawResult:
    """What ``draw`` wrote (the public record, reports and page, the private lists) and the :class:`Outcome`.

    ``record_sha256`` is the SHA-256 of ``draw.json`` as it is now; ``private_paths`` every private list
    (panel and reserves, each as .csv and .xlsx).
    """

    folder: Path
    draw_path: Path
    report_path: Path
    panel_csv: Path
    reserves_csv: Path
    outcome: Outcome
    report_paths: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()
    record_sha256: str = ""
    private_paths: tuple[Path, ...] = ()


def _seed_and_beacon(lottery: Mapping[str, Any], lottery_file: Path, seed: str | None,
                     beacon: str | Path | BeaconRound | None) -> tuple[str, dict[str, Any] | None]:
    """The seed of the draw and, for a lottery committed to a drand round, that round as the record keeps it.

    Raises:
        InputError: for a seed where the lottery commits to a drand round, a beacon where it does not, both,
            or neither; a beacon file that cannot be read.
        VerificationError: for a round that is not the committed one or not genuine.
    """
    if seed is not None and beacon is not None:
        raise InputError("give either --seed or --beacon, not both.")
    if "seed_beacon" not in lottery:
        if beacon is not None:
            raise InputError("commits to no drand round (it has no seed_beacon), so --beacon does not apply.",
                             file=lottery_file, hint="Draw it with --seed and the public seed it announced.")
        if seed is None:
            raise InputError("no seed given.", hint="Pass --seed with the public seed, exactly as published.")
        return seed, None
    commitment = BeaconCommitment.from_json(lottery["seed_beacon"], source=lottery_file)
    if beacon is None:
        url = QUICKNET_ROUND_URL.format(round=commitment.round)
        raise InputError(f"commits to drand round {commitment.round}: its seed is that round's randomness, not a "
                         "text given with --seed.", file=lottery_file,
                         hint=f"Save the round from {url} into a file and pass it with --beacon FILE.")
    beacon_round = beacon if isinstance(beacon, BeaconRound) else read_beacon(beacon)
    return seed_from_beacon(commitment, beacon_round), beacon_round_to_json(beacon_round)


def draw(lottery_path: str | Path, seed: str | None = None, *, beacon: str | Path | BeaconRound | None = None,
         published_before_seed: bool, report_lang: str | None = None) -> DrawResult:
    """Draw the panel of a committed lottery with the public seed; write the record, report, private lists.

    For a lottery committed to a drand round (``seed_beacon``, see ``prepare(drand_round=...)``), give the
    round as drand publishes it with ``beacon`` (a JSON file or a :class:`~sortition.beacon.BeaconRound`)
    instead of ``seed``: its BLS signature, round and randomness are checked before anything is written,
    the seed is its randomness (64 hexadecimal characters) and the record keeps the round as ``beacon``.

    One draw per commitment, also under concurrency: the command holds the folder's lock, so of two draws
    started together one draws and the other is refused before writing anything. Running it again with the
    same seed writes no new record: it brings the private lists and the ledger up to the record (after an
    interruption) and rewrites the reports; another seed for a lottery already drawn is refused. A lottery
    prepared for practice (``select``, ``settings.practice``) is always recorded as not published before the seed.

    ``published_before_seed`` says whether the commitment was published before the seed existed; the record
    and the report state it. It has no default: only the caller knows (a draw right after ``prepare``, as
    practice, passes False).

    ``report_lang`` (``nl`` or ``en``) is recorded in the ledger's draw line, so ``replace`` and ``report`` keep
    writing the published reports in it; None keeps the language of an earlier draw of the lottery, else Dutch.

    Example:
        >>> result = draw("out/lottery.json", "Lotto 2027-01-09: 3 11 17 25 32 41",
        ...               published_before_seed=True)  # doctest: +SKIP
        >>> result = draw("out/lottery.json", beacon="round-27946612.json",
        ...               published_before_seed=True)  # doctest: +SKIP
    """
    if report_lang is not None:
        check_lang(report_lang)  # every argument is checked before the first write
    lottery_file = Path(lottery_path)
    folder = lottery_file.parent
    with locked(folder, "draw"):
        raw, lottery = read_lottery(lottery_file)
        seed, beacon_json = _seed_and_beacon(lottery, lottery_file, seed, beacon)
        outcome = compute_outcome(raw, lottery, seed)
        draw_path = folder / DRAW_FILE
        if draw_path.exists():
            return _again(folder, draw_path, outcome, report_lang, beacon_json)
        settings = lottery.get("settings")
        if isinstance(settings, dict) and settings.get("practice") is True:
            published_before_seed = False
        body = record_body(outcome, published_before_seed=published_before_seed, beacon=beacon_json)
        data = canonical_json(body)
        atomic_write(draw_path, data)
        lists = write_private_lists(folder, outcome.panel, outcome.reserves,
                                    id_column=settings.get("id_column") if isinstance(settings, dict) else None)
        panel_csv, reserves_csv = lists[0], lists[2]
        sha = hashlib.sha256(data).hexdigest()
        lang = report_lang or DEFAULT_LANG
        append_ledger(folder, {"event": "draw", "commitment": outcome.commitment, "seed": outcome.seed,
                               "draw_sha256": sha, "report_lang": lang})
        html, md = write_folder_reports(draw_path, lang=lang)  # after the ledger line: shows the time
        page = write_verifier_page(folder / VERIFIER_PAGE, overwrite=True)
    return DrawResult(folder, draw_path, html, panel_csv, reserves_csv, outcome, (html, md, page),
                      record_sha256=sha, private_paths=tuple(lists))


def _again(folder: Path, draw_path: Path, outcome: Outcome, report_lang: str | None,
           beacon_json: Mapping[str, Any] | None) -> DrawResult:
    """A second draw of a drawn lottery: refused with another seed; with the same one, repairs and reports."""
    draw_raw, old = read_draw(draw_path)
    if old.get("commitment") != outcome.commitment:
        raise InputError("holds the draw of another lottery.", file=draw_path,
                         hint="Keep each lottery in its own folder.")
    if old.get("seed") != outcome.seed:
        raise InputError(
            f"this lottery was drawn already with seed {old.get('seed')!r}; one draw per commitment.",
            file=draw_path,
            hint="A new draw needs a new prepare (a new commitment) and a new future seed.")
    expect = record_body(outcome, published_before_seed=bool(old.get("commitment_published_before_seed")),
                         events=old.get("events", []), beacon=beacon_json)
    if canonical_json(expect) != draw_raw:
        raise InputError("is not the record this lottery and seed give (it was edited?); nothing was written.",
                         file=draw_path, hint="Run sortition verify on it to see what differs.")
    repairs = bring_up_to_record(folder)
    recorded = draw_lang(read_ledger(folder), outcome.commitment)
    if report_lang is not None and report_lang != (recorded or DEFAULT_LANG):
        # The published reports change language: the ledger says so, and replace and report follow it.
        append_ledger(folder, {"event": "report_lang", "commitment": outcome.commitment, "report_lang": report_lang})
    html, md = write_folder_reports(draw_path, lang=report_lang)
    page = write_verifier_page(folder / VERIFIER_PAGE, overwrite=True)  # a newer version's page after an upgrade
    lists = [private_file(folder, name) for name in (PANEL_LIST, PANEL_XLSX, RESERVE_LIST, RESERVE_XLSX)]
    return DrawResult(folder, draw_path, html, lists[0], lists[2], outcome, (html, md, page), repairs,
                      hashlib.sha256(draw_raw).hexdigest(), tuple(lists))
