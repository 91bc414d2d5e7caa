"""Step 4 of a verifiable draw: check a published draw from the public files alone.

No solver is needed: the checks are hashing, the stream, counting quotas and comparing fractions.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from quotas.errors import InputError, SortitionError, VerificationError
from sortition.draw import DRAW_FORMAT, compute_outcome, record_body
from sortition.files import canonical_json, read_json, sha256_file
from sortition.invite import verify_invitations
from sortition.lottery import public_pool
from sortition.rules.checks import Checklist, VerifyReport

PROBABILITY_TOLERANCE = 1e-9
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
RECORD_CHECK = "record is the published one"


def _check_panels(lottery: Mapping[str, Any]) -> str:
    pub = public_pool(lottery)
    index = pub.index()
    for n, panel in enumerate(lottery.get("panels") or []):
        try:
            members = [index[p] for p in panel]
        except KeyError as exc:
            raise VerificationError(f"panel {n} names {exc.args[0]}, who is not in 'people'.") from None
        problems = pub.problem.panel_violations(members)
        if problems:
            raise VerificationError(f"panel {n} breaks the rules: {'; '.join(problems)}.")
    return f"{len(lottery.get('panels') or [])} panels, each of {pub.problem.k} people, meet every quota"


def _check_probabilities(lottery: Mapping[str, Any]) -> str:
    panels = lottery.get("panels") or []
    probs: Mapping[str, float] = lottery.get("probabilities", {})
    if set(probs) != set(lottery.get("people", {})):
        raise VerificationError("'probabilities' and 'people' name different people.")
    if not panels:
        if not lottery.get("probabilities_are_estimates"):
            raise VerificationError("a lottery without panels must label its probabilities as estimates.")
        return "legacy: probabilities are Monte-Carlo estimates (nothing to recompute)"
    counts = Counter(p for panel in panels for p in panel)
    m = len(panels)
    for person, stated in probs.items():
        if abs(counts.get(person, 0) / m - float(stated)) > PROBABILITY_TOLERANCE:
            raise VerificationError(f"{person}: stated probability {stated} but on "
                                    f"{counts.get(person, 0)} of {m} panels.")
    return f"every probability equals (panels containing the person) / {m}"


def _check_panel_valid(lottery: Mapping[str, Any], panel: list[str]) -> str:
    pub = public_pool(lottery)
    index = pub.index()
    unknown = [p for p in panel if p not in index]
    if unknown:
        raise VerificationError(f"the drawn panel names {unknown[0]}, who is not in the lottery's 'people'.")
    problems = pub.problem.panel_violations([index[p] for p in panel])
    if problems:
        raise VerificationError(f"the drawn panel breaks the rules: {'; '.join(problems)}.")
    return "the drawn panel meets every quota and the household rule"


def _check_events(lottery: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    from sortition.replace import current_state

    state = current_state(lottery, record)
    if not state.replacements:
        return "no replacements"
    breaks = sum(bool(r.quota_breaks) for r in state.replacements)
    note = f", {breaks} with an allowed quota break" if breaks else ""
    return (f"{len(state.replacements)} replacement(s){note}: hash chain intact, each the one the rule gives")


def _published_sha256(text: str) -> str:
    """The published SHA-256 of a record, lower-cased; InputError when it is not 64 hex characters."""
    value = text.strip().lower()
    if not _SHA256_HEX.fullmatch(value):
        raise InputError(f"--record-sha256 {text!r} is not a SHA-256 (64 hexadecimal characters).",
                         hint="Copy the value published after the last replacement (sortition replace "
                              "prints it), or the output of sha256sum on the published draw.json.")
    return value


def _check_record(name: str, actual: str, published: str, events: int) -> str:
    if actual != published:
        raise VerificationError(f"SHA-256({name}) is {actual}, but the published value is {published}: this "
                                "record differs from the published one (e.g. replacement events were "
                                "removed or added).")
    return f"SHA-256({name}) = the published value, {events} replacement event(s)"


def _anchor(cl: Checklist, name: str, raw: bytes, record: Mapping[str, Any], published: str | None
            ) -> tuple[str, int]:
    """The record's SHA-256 (of the bytes verified, not a second read) and number of events; with
    ``published``, the check that the record is the one whose SHA-256 was published."""
    actual = hashlib.sha256(raw).hexdigest()
    events = record.get("events", [])
    count = len(events) if isinstance(events, list) else 0
    if published is not None:  # already checked and lower-cased by verify()
        cl.run(RECORD_CHECK, lambda: _check_record(name, actual, published, count))
    return actual, count


def _check_inputs(lottery: Mapping[str, Any], files: list[Path]) -> str:
    stated: Mapping[str, str] = lottery.get("inputs", {})
    for f in files:
        if stated.get(f.name) != sha256_file(f):
            raise VerificationError(f"{f}: its SHA-256 differs from the lottery file's inputs[{f.name!r}].")
    return ", ".join(f.name for f in files) + " match the committed hashes"


INVITATIONS_FORMAT = "sortition-invitations/1"


def _record_format(path: Path) -> object:
    try:
        return read_json(path, what="draw record")[1].get("format")
    except SortitionError:
        return None  # reported by the regular checks below


def _invitations_report(path: Path, plan_path: str | Path | None, register: str | Path | None
                        ) -> VerifyReport | None:
    """Stage 1 records (``sortition invite``) are checked by :func:`sortition.invite.verify_invitations`."""
    if _record_format(path) != INVITATIONS_FORMAT:
        return None
    return cast(VerifyReport, verify_invitations(path, plan_path=plan_path, register=register))


def verify(
    draw_path: str | Path,
    *,
    lottery_path: str | Path | None = None,
    inputs: tuple[str | Path, ...] = (),
    register: str | Path | None = None,
    record_sha256: str | None = None,
) -> VerifyReport:
    """Verify a draw record (or, for stage 1, an invitation record with ``register``); see ``_verify_draw``."""
    if record_sha256 is not None:
        record_sha256 = _published_sha256(record_sha256)
    invitations = _invitations_report(Path(draw_path), lottery_path, register)
    if invitations is not None:
        if record_sha256 is not None:
            raise InputError("--record-sha256 is for draw records (they change with each replacement); an "
                             "invitation record never changes.", file=draw_path,
                             hint="Compare it with its published SHA-256 using sha256sum.")
        return invitations
    return _verify_draw(draw_path, lottery_path=lottery_path, inputs=inputs, record_sha256=record_sha256)


def _verify_draw(
    draw_path: str | Path,
    *,
    lottery_path: str | Path | None = None,
    inputs: tuple[str | Path, ...] = (),
    record_sha256: str | None = None,
) -> VerifyReport:
    """Verify a draw record against its lottery file (beside it unless given), and optionally the inputs.

    The events' hash chain cannot show that trailing events were removed: only the record's SHA-256 as
    published after the last replacement can. With ``record_sha256`` (that published value) one more check
    compares the record with it; the report always carries the record's SHA-256 and number of events.

    Example:
        >>> report = verify("out/draw.json", record_sha256=published_sha256)  # doctest: +SKIP
        >>> report.ok
        True
    """
    draw_file = Path(draw_path)
    lottery_file = Path(lottery_path) if lottery_path else draw_file.parent / "lottery.json"
    cl = Checklist()
    draw_raw, record = read_json(draw_file, what="draw record")
    lot_raw, lottery = read_json(lottery_file, what="lottery file")

    def commitment() -> str:
        if record.get("format") != DRAW_FORMAT:
            raise VerificationError(f"the draw record's format is {record.get('format')!r}, not {DRAW_FORMAT!r}.")
        outcome = compute_outcome(lot_raw, lottery, str(record.get("seed", "")))
        if record.get("commitment") != outcome.commitment:
            raise VerificationError(f"commitment in the record is {record.get('commitment')}, but SHA-256 of "
                                    f"{lottery_file.name} is {outcome.commitment}.")
        return f"SHA-256({lottery_file.name}) = {outcome.commitment}"

    def outcome_matches() -> str:
        outcome = compute_outcome(lot_raw, lottery, str(record.get("seed", "")))
        if record.get("seed") != outcome.seed:
            raise VerificationError("the seed is not in normal form (NFC, no surrounding spaces).")
        if record.get("panel_index") != outcome.panel_index:
            raise VerificationError(f"panel_index is {record.get('panel_index')}, the seed gives "
                                    f"{outcome.panel_index}.")
        if list(record.get("panel", [])) != list(outcome.panel):
            raise VerificationError("the panel differs from the one the seed selects.")
        if list(record.get("reserves", [])) != list(outcome.reserves):
            raise VerificationError("the reserve list differs from the rank order the seed gives.")
        expect = record_body(outcome, published_before_seed=bool(record.get("commitment_published_before_seed")),
                             events=record.get("events", []))
        if canonical_json(expect) != draw_raw:
            raise VerificationError("the draw record holds other fields or bytes than the recomputed one.")
        where = f"index {outcome.panel_index} of {len(lottery.get('panels') or [])}" \
            if outcome.panel_index is not None else "legacy re-run"
        return f"seed {outcome.seed!r} selects the recorded panel ({where}) and reserve list"

    if cl.run("commitment", commitment):
        cl.run("panel and reserves recomputed from commitment + seed", outcome_matches)
        cl.run("drawn panel meets the quotas", lambda: _check_panel_valid(lottery, list(record.get("panel", []))))
        cl.run("replacements follow the committed rule", lambda: _check_events(lottery, record))
    cl.run("every lottery panel meets the quotas", lambda: _check_panels(lottery))
    cl.run("probabilities follow from the panels", lambda: _check_probabilities(lottery))
    if inputs:
        cl.run("input files match", lambda: _check_inputs(lottery, [Path(p) for p in inputs]))
    actual, count = _anchor(cl, draw_file.name, draw_raw, record, record_sha256)
    return VerifyReport(tuple(cl.checks), record_sha256=actual, events=count)
