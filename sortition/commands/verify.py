"""Step 4 of a verifiable draw: check a published draw from the public files alone.

The checks themselves are pure rules (:mod:`sortition.rules.verification`); this command reads the files,
and for a stage-1 invitation record hands over to :func:`sortition.invite.verify_invitations`.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from quotas.errors import InputError
from sortition.files import sha256_file
from sortition.invite import verify_invitations
from sortition.records import (
    INVITATIONS_FORMAT,
    PLAN_FILE,
    lottery_beside,
    read_draw,
    read_lottery,
    record_format,
)
from sortition.rules.checks import Check, VerifyReport
from sortition.rules.verification import COMMITMENT_CHECK, check_draw

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def _published_sha256(text: str, option: str = "--record-sha256") -> str:
    """A published SHA-256, lower-cased; InputError when it is not 64 hex characters."""
    value = text.strip().lower()
    if not _SHA256_HEX.fullmatch(value):
        hint = ("Copy the value published after the last replacement (sortition replace prints it), or the "
                "output of sha256sum on the published draw.json." if option == "--record-sha256" else
                "Copy the commitment the organiser published before the seed (sortition prepare printed it).")
        raise InputError(f"{option} {text!r} is not a SHA-256 (64 hexadecimal characters).", hint=hint)
    return value


def _with_commitment(report: VerifyReport, plan_file: Path, published: str) -> VerifyReport:
    """An invitation record's report with the plan file compared with the published commitment."""
    actual = sha256_file(plan_file)
    check = (Check(COMMITMENT_CHECK, True, f"SHA-256({plan_file.name}) = the published commitment")
             if actual == published else
             Check(COMMITMENT_CHECK, False, f"SHA-256({plan_file.name}) is {actual}, but the published commitment "
                   f"is {published}: these are not the files the organiser committed to."))
    return dataclasses.replace(report, checks=(*report.checks, check), commitment=actual, commitment_checked=True)


def verify(
    draw_path: str | Path,
    *,
    lottery_path: str | Path | None = None,
    inputs: tuple[str | Path, ...] = (),
    register: str | Path | None = None,
    record_sha256: str | None = None,
    commitment: str | None = None,
) -> VerifyReport:
    """Verify a draw record against its lottery file (beside it unless given), and optionally the inputs.

    For stage 1, an invitation record is checked against its plan (``lottery_path`` names the plan file),
    and with ``register`` recomputed in full.

    The events' hash chain cannot show that trailing events were removed: only the record's SHA-256 as
    published after the last replacement can. With ``record_sha256`` (that published value) one more check
    compares the record with it; the report always carries the record's SHA-256 and number of events.

    The checks prove that the record follows from the lottery file and the seed; only ``commitment`` (the
    SHA-256 the organiser published before the seed existed) shows that the lottery file is the committed one.

    Example:
        >>> report = verify("out/draw.json", record_sha256=published_sha256)  # doctest: +SKIP
        >>> report.ok
        True
    """
    published = _published_sha256(record_sha256) if record_sha256 is not None else None
    committed = _published_sha256(commitment, "--commitment") if commitment is not None else None
    draw_file = Path(draw_path)
    if record_format(draw_file) == INVITATIONS_FORMAT:
        if published is not None:
            raise InputError("--record-sha256 is for draw records (they change with each replacement); an "
                             "invitation record never changes.", file=draw_file,
                             hint="Compare it with its published SHA-256 using sha256sum.")
        report = verify_invitations(draw_file, plan_path=lottery_path, register=register)
        plan_file = Path(lottery_path) if lottery_path else draw_file.parent / PLAN_FILE
        return _with_commitment(report, plan_file, committed) if committed is not None else report
    lottery_file = lottery_beside(draw_file, lottery_path)
    draw_raw, record = read_draw(draw_file)
    lot_raw, lottery = read_lottery(lottery_file)
    hashes = [(Path(p).name, sha256_file(p)) for p in inputs]
    return check_draw(draw_raw, record, lot_raw, lottery, draw_name=draw_file.name, lottery_name=lottery_file.name,
                      inputs=hashes, published_sha256=published, published_commitment=committed)
