"""Step 3 of a verifiable draw: from a committed lottery and the public seed, the panel and reserve list.

The outcome itself is a pure rule (:func:`sortition.rules.outcome.compute_outcome`), so ``verify``
recomputes it with the very same function; this command writes the record, reports and private lists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from quotas.errors import InputError
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
    read_lottery,
    write_private_lists,
)
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

    One draw per commitment, also under concurrency: the command holds the folder's lock, so of two draws
    started together one draws and the other is refused before writing anything. Running it again with the
    same seed writes no new record: it brings the private lists and the ledger up to the record (after an
    interruption) and rewrites the reports; another seed for a lottery already drawn is refused. A lottery
    prepared for practice (``select``, ``settings.practice``) is always recorded as not published before the seed.

    Example:
        >>> result = draw("out/lottery.json", "Lotto 2027-01-09: 3 11 17 25 32 41",
        ...               published_before_seed=True)  # doctest: +SKIP
    """
    check_lang(report_lang)  # every argument is checked before the first write
    lottery_file = Path(lottery_path)
    folder = lottery_file.parent
    with locked(folder, "draw"):
        raw, lottery = read_lottery(lottery_file)
        outcome = compute_outcome(raw, lottery, seed)
        draw_path = folder / DRAW_FILE
        if draw_path.exists():
            return _again(folder, draw_path, outcome, report_lang)
        settings = lottery.get("settings")
        if isinstance(settings, dict) and settings.get("practice") is True:
            published_before_seed = False
        body = record_body(outcome, published_before_seed=published_before_seed)
        data = canonical_json(body)
        atomic_write(draw_path, data)
        lists = write_private_lists(folder, outcome.panel, outcome.reserves,
                                    id_column=settings.get("id_column") if isinstance(settings, dict) else None)
        panel_csv, reserves_csv = lists[0], lists[2]
        sha = hashlib.sha256(data).hexdigest()
        append_ledger(folder, {"event": "draw", "commitment": outcome.commitment, "seed": outcome.seed,
                               "draw_sha256": sha})
        html, md = write_folder_reports(draw_path, lang=report_lang)  # after the ledger line: shows the time
        page = write_verifier_page(folder / VERIFIER_PAGE, overwrite=True)
    return DrawResult(folder, draw_path, html, panel_csv, reserves_csv, outcome, (html, md, page),
                      record_sha256=sha, private_paths=tuple(lists))


def _again(folder: Path, draw_path: Path, outcome: Outcome, report_lang: str) -> DrawResult:
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
                         events=old.get("events", []))
    if canonical_json(expect) != draw_raw:
        raise InputError("is not the record this lottery and seed give (it was edited?); nothing was written.",
                         file=draw_path, hint="Run sortition verify on it to see what differs.")
    repairs = bring_up_to_record(folder)
    html, md = write_folder_reports(draw_path, lang=report_lang)
    page = write_verifier_page(folder / VERIFIER_PAGE, overwrite=True)  # a newer version's page after an upgrade
    lists = [private_file(folder, name) for name in (PANEL_LIST, PANEL_XLSX, RESERVE_LIST, RESERVE_XLSX)]
    return DrawResult(folder, draw_path, html, lists[0], lists[2], outcome, (html, md, page), repairs,
                      hashlib.sha256(draw_raw).hexdigest(), tuple(lists))
