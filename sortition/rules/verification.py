"""The checks of a draw: from the public records' bytes alone, is this the panel the commitment and seed give?

No solver and no file access: the checks are hashing, the stream, counting quotas and comparing fractions
(and, for a seed from drand, one BLS signature check).
``sortition verify`` reads the files and calls :func:`check_draw`; the reports show its checklist.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from quotas.errors import VerificationError
from sortition.beacon import BeaconCommitment, beacon_round_from_json, beacon_round_to_json, recheck_beacon_seed
from sortition.files import canonical_json
from sortition.randomness import display_seed
from sortition.records import DRAW_FORMAT
from sortition.rules.checks import Checklist, VerifyReport
from sortition.rules.computation import early_stop
from sortition.rules.outcome import compute_outcome, record_body
from sortition.rules.public import public_pool
from sortition.rules.reserve import current_state

PROBABILITY_TOLERANCE = 1e-9

#: Each check of a draw: its stable key (reports translate it: ``check_<key>`` in sortition.i18n) and the
#: English name ``verify`` prints.
CHECK_NAMES = {
    "commitment": "commitment",
    "published_commitment": "commitment is the published one",
    "beacon": "seed is the committed drand round",
    "outcome": "panel and reserves recomputed from commitment + seed",
    "panel_quotas": "drawn panel meets the quotas",
    "replacements": "replacements follow the committed rule",
    "lottery_panels": "every lottery panel meets the quotas",
    "probabilities": "probabilities follow from the panels",
    "practice": "public draw or practice",
    "inputs": "input files match",
    "record": "record is the published one",
}
RECORD_CHECK = CHECK_NAMES["record"]
BEACON_CHECK = CHECK_NAMES["beacon"]
COMMITMENT_CHECK = CHECK_NAMES["published_commitment"]
PRACTICE_CHECK = CHECK_NAMES["practice"]


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


def _check_published(what: str, actual: str, published: str) -> str:
    if actual != published:
        raise VerificationError(f"SHA-256({what}) is {actual}, but the published commitment is {published}: "
                                "these are not the files the organiser committed to.")
    return f"SHA-256({what}) = the published commitment"


def _check_commitment(record: Mapping[str, Any], lottery_raw: bytes, lottery_name: str) -> str:
    if record.get("format") != DRAW_FORMAT:
        raise VerificationError(f"the draw record's format is {record.get('format')!r}, not {DRAW_FORMAT!r}.")
    commitment = hashlib.sha256(lottery_raw).hexdigest()
    if record.get("commitment") != commitment:
        raise VerificationError(f"commitment in the record is {record.get('commitment')}, but SHA-256 of "
                                f"{lottery_name} is {commitment}.")
    return f"SHA-256({lottery_name}) = {commitment}"


def _check_practice(lottery: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    claim = record.get("commitment_published_before_seed")
    if not isinstance(claim, bool):
        raise VerificationError("commitment_published_before_seed is neither true nor false.")
    settings = lottery.get("settings")
    practice = isinstance(settings, Mapping) and settings.get("practice") is True
    if practice and claim:
        raise VerificationError("the lottery file commits settings.practice = true (a practice draw made by "
                                "select), but the record claims the commitment was published before the seed.")
    if claim:
        return ("public draw: the record states that the commitment was published before the seed existed "
                "(only the publication times can show it)")
    kind = "practice (select, settings.practice in the lottery file)" if practice else "not a public draw"
    return (f"{kind}: the record states that the commitment was NOT published before the seed, so this draw "
            "proves nothing about who could know the seed")


def _differing_fields(record: Mapping[str, Any], expect: Mapping[str, Any]) -> str:
    extra = sorted(set(record) - set(expect))
    missing = sorted(set(expect) - set(record))
    other = sorted(k for k in set(record) & set(expect) if record[k] != expect[k])
    parts = [f"{label} {', '.join(map(repr, keys))}" for label, keys in
             (("extra", extra), ("missing", missing), ("different", other)) if keys]
    return "; ".join(parts)


def kept_beacon(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The drand round a draw record keeps (``beacon``), in the form draw writes it; None when it has none.

    Raises:
        InputError: when the ``beacon`` field is not a well-formed round.
    """
    if "beacon" not in record:
        return None
    return beacon_round_to_json(beacon_round_from_json(record["beacon"], source="the draw record's beacon"))


def _check_beacon(lottery: Mapping[str, Any], record: Mapping[str, Any], lottery_name: str) -> str:
    """Re-check offline the drand round a record holds: committed, genuine (BLS), and its randomness is the seed."""
    if "seed_beacon" not in lottery:
        raise VerificationError(f"the record holds a drand round, but {lottery_name} commits to none "
                                "(no seed_beacon): its seed was not committed to.")
    commitment = BeaconCommitment.from_json(lottery["seed_beacon"], source=lottery_name)
    if "beacon" not in record:
        raise VerificationError(f"{lottery_name} commits to drand round {commitment.round}, but the record holds "
                                "no beacon round: the seed cannot be checked against it.")
    beacon_round = beacon_round_from_json(record["beacon"], source="the draw record's beacon")
    recheck_beacon_seed(commitment, beacon_round, str(record.get("seed", "")))
    detail = (f"drand quicknet round {commitment.round}: BLS signature valid, randomness = SHA-256(signature) = "
              f"the seed; the round was published at {commitment.published_at:%Y-%m-%d %H:%M:%S} UTC: the "
              "commitment must have been published before that moment (compare with when it was)")
    if commitment.past_round_allowed:
        detail += (f"; BUT {lottery_name} records past_round_allowed: the organiser allowed a round that may "
                   "already have been published when the lottery was prepared, so this seed proves nothing "
                   "(practice only)")
    return detail


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
                         events=record.get("events", []), beacon=kept_beacon(record))
    if canonical_json(expect) != draw_raw:
        if dict(record) == expect:
            raise VerificationError("not the canonical bytes; content equal: the record differs from the canonical "
                                    "serialisation only in whitespace, line endings or key order, so its SHA-256 "
                                    "is not the one the draw produced.")
        raise VerificationError("the draw record holds other fields than the recomputed one: "
                                f"{_differing_fields(record, expect)}.")
    where = f"index {outcome.panel_index} of {len(lottery.get('panels') or [])}" \
        if outcome.panel_index is not None else "legacy re-run"
    return f"seed '{display_seed(outcome.seed)}' selects the recorded panel ({where}) and reserve list"


def _check_inputs(stated: Mapping[str, str], inputs: Sequence[tuple[str, str]]) -> str:
    for name, actual in inputs:
        if stated.get(name) != actual:
            raise VerificationError(f"{name}: its SHA-256 differs from the lottery file's inputs[{name!r}].")
    return ", ".join(name for name, _ in inputs) + " match the committed hashes"


def check_draw(draw_raw: bytes, record: Mapping[str, Any], lottery_raw: bytes, lottery: Mapping[str, Any], *,
               draw_name: str = "draw.json", lottery_name: str = "lottery.json",
               inputs: Sequence[tuple[str, str]] = (), published_sha256: str | None = None,
               published_commitment: str | None = None) -> VerifyReport:
    """Check a draw record against its lottery file, from their exact bytes and parsed content.

    Every check runs, whatever the others found: a tampered lottery file fails the commitment and still gets
    its panels, probabilities and the recomputed outcome checked, so the report names every failure.

    Args:
        inputs: (file name, SHA-256 of the file) of input files to compare with the committed hashes.
        published_sha256: the record's SHA-256 as published after the last replacement (lower-case hex):
            the events' hash chain cannot show that trailing events were removed, only this can.
        published_commitment: the commitment as the organiser published it before the seed (lower-case hex):
            without it, nothing here shows that the lottery file is the one committed to.

    The report always carries the record's SHA-256, number of events, the commitment and the practice flag.
    """
    cl = Checklist()
    commitment = hashlib.sha256(lottery_raw).hexdigest()

    def run(key: str, fn: Callable[[], str]) -> bool:
        return cl.run(CHECK_NAMES[key], fn, key=key)

    run("commitment", lambda: _check_commitment(record, lottery_raw, lottery_name))
    if published_commitment is not None:
        run("published_commitment", lambda: _check_published(lottery_name, commitment, published_commitment))
    if "seed_beacon" in lottery or "beacon" in record:
        run("beacon", lambda: _check_beacon(lottery, record, lottery_name))
    run("outcome", lambda: _check_outcome(draw_raw, record, lottery_raw, lottery))
    run("panel_quotas", lambda: _check_panel_valid(lottery, list(record.get("panel", []))))
    run("replacements", lambda: _check_events(lottery, record))
    run("lottery_panels", lambda: _check_panels(lottery))
    run("probabilities", lambda: _check_probabilities(lottery))
    run("practice", lambda: _check_practice(lottery, record))
    if inputs:
        run("inputs", lambda: _check_inputs(lottery.get("inputs", {}), inputs))
    actual = hashlib.sha256(draw_raw).hexdigest()
    events = record.get("events", [])
    count = len(events) if isinstance(events, list) else 0
    if published_sha256 is not None:
        run("record", lambda: _check_record(draw_name, actual, published_sha256, count))
    claim = record.get("commitment_published_before_seed")
    return VerifyReport(tuple(cl.checks), record_sha256=actual, events=count, commitment=commitment,
                        commitment_checked=published_commitment is not None,
                        published_before_seed=claim if isinstance(claim, bool) else None,
                        early_stop=early_stop(lottery) if isinstance(lottery, Mapping) else None)
