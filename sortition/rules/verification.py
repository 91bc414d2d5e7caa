"""The checks of a draw: from the public records' bytes alone, is this the panel the commitment and seed give?

No solver and no file access: the checks are hashing, the stream, counting quotas and comparing fractions.
``sortition verify`` reads the files and calls :func:`check_draw`; the reports show its checklist.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from quotas.errors import VerificationError
from sortition.files import canonical_json
from sortition.records import DRAW_FORMAT
from sortition.rules.checks import Checklist, VerifyReport
from sortition.rules.outcome import compute_outcome, record_body
from sortition.rules.public import public_pool
from sortition.rules.reserve import current_state

PROBABILITY_TOLERANCE = 1e-9

#: Each check of a draw: its stable key (reports translate it: ``check_<key>`` in sortition.i18n) and the
#: English name ``verify`` prints.
CHECK_NAMES = {
    "commitment": "commitment",
    "outcome": "panel and reserves recomputed from commitment + seed",
    "panel_quotas": "drawn panel meets the quotas",
    "replacements": "replacements follow the committed rule",
    "lottery_panels": "every lottery panel meets the quotas",
    "probabilities": "probabilities follow from the panels",
    "inputs": "input files match",
    "record": "record is the published one",
}
RECORD_CHECK = CHECK_NAMES["record"]


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
    state = current_state(lottery, record)
    if not state.replacements:
        return "no replacements"
    breaks = sum(bool(r.quota_breaks) for r in state.replacements)
    note = f", {breaks} with an allowed quota break" if breaks else ""
    return (f"{len(state.replacements)} replacement(s){note}: hash chain intact, each the one the rule gives")


def _check_record(name: str, actual: str, published: str, events: int) -> str:
    if actual != published:
        raise VerificationError(f"SHA-256({name}) is {actual}, but the published value is {published}: this "
                                "record differs from the published one (e.g. replacement events were "
                                "removed or added).")
    return f"SHA-256({name}) = the published value, {events} replacement event(s)"


def _check_commitment(record: Mapping[str, Any], lottery_raw: bytes, lottery: Mapping[str, Any],
                      lottery_name: str) -> str:
    if record.get("format") != DRAW_FORMAT:
        raise VerificationError(f"the draw record's format is {record.get('format')!r}, not {DRAW_FORMAT!r}.")
    outcome = compute_outcome(lottery_raw, lottery, str(record.get("seed", "")))
    if record.get("commitment") != outcome.commitment:
        raise VerificationError(f"commitment in the record is {record.get('commitment')}, but SHA-256 of "
                                f"{lottery_name} is {outcome.commitment}.")
    return f"SHA-256({lottery_name}) = {outcome.commitment}"


def _check_outcome(draw_raw: bytes, record: Mapping[str, Any], lottery_raw: bytes, lottery: Mapping[str, Any]
                   ) -> str:
    outcome = compute_outcome(lottery_raw, lottery, str(record.get("seed", "")))
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


def _check_inputs(stated: Mapping[str, str], inputs: Sequence[tuple[str, str]]) -> str:
    for name, actual in inputs:
        if stated.get(name) != actual:
            raise VerificationError(f"{name}: its SHA-256 differs from the lottery file's inputs[{name!r}].")
    return ", ".join(name for name, _ in inputs) + " match the committed hashes"


def check_draw(draw_raw: bytes, record: Mapping[str, Any], lottery_raw: bytes, lottery: Mapping[str, Any], *,
               draw_name: str = "draw.json", lottery_name: str = "lottery.json",
               inputs: Sequence[tuple[str, str]] = (), published_sha256: str | None = None) -> VerifyReport:
    """Check a draw record against its lottery file, from their exact bytes and parsed content.

    Args:
        inputs: (file name, SHA-256 of the file) of input files to compare with the committed hashes.
        published_sha256: the record's SHA-256 as published after the last replacement (lower-case hex):
            the events' hash chain cannot show that trailing events were removed, only this can.

    The report always carries the record's SHA-256 and number of events.
    """
    cl = Checklist()

    def run(key: str, fn: Callable[[], str]) -> bool:
        return cl.run(CHECK_NAMES[key], fn, key=key)

    if run("commitment", lambda: _check_commitment(record, lottery_raw, lottery, lottery_name)):
        run("outcome", lambda: _check_outcome(draw_raw, record, lottery_raw, lottery))
        run("panel_quotas", lambda: _check_panel_valid(lottery, list(record.get("panel", []))))
        run("replacements", lambda: _check_events(lottery, record))
    run("lottery_panels", lambda: _check_panels(lottery))
    run("probabilities", lambda: _check_probabilities(lottery))
    if inputs:
        run("inputs", lambda: _check_inputs(lottery.get("inputs", {}), inputs))
    actual = hashlib.sha256(draw_raw).hexdigest()
    events = record.get("events", [])
    count = len(events) if isinstance(events, list) else 0
    if published_sha256 is not None:
        run("record", lambda: _check_record(draw_name, actual, published_sha256, count))
    return VerifyReport(tuple(cl.checks), record_sha256=actual, events=count)
