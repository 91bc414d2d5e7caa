"""Step 4 of a verifiable draw: check a published draw from the public files alone.

No solver is needed: the checks are hashing, the stream, counting quotas and comparing fractions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from quotas.errors import SortitionError, VerificationError
from sortition.draw import DRAW_FORMAT, compute_outcome, record_body
from sortition.files import canonical_json, read_json, sha256_file
from sortition.lottery import public_pool

PROBABILITY_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class VerifyReport:
    """The checklist; ``ok`` when every check passed. ``failed`` is the first failing check, if any."""

    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failed(self) -> Check | None:
        return next((c for c in self.checks if not c.passed), None)


class _Checklist:
    def __init__(self) -> None:
        self.checks: list[Check] = []

    def run(self, name: str, fn: Callable[[], str]) -> bool:
        """Run one check; it returns a detail on success and raises SortitionError on failure."""
        try:
            detail = fn()
        except SortitionError as exc:
            self.checks.append(Check(name, False, str(exc)))
            return False
        self.checks.append(Check(name, True, detail))
        return True


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
    from sortition.invite import verify_invitations

    return cast(VerifyReport, verify_invitations(path, plan_path=plan_path, register=register))


def verify(
    draw_path: str | Path,
    *,
    lottery_path: str | Path | None = None,
    inputs: tuple[str | Path, ...] = (),
    register: str | Path | None = None,
) -> VerifyReport:
    """Verify a draw record (or, for stage 1, an invitation record with ``register``); see ``_verify_draw``."""
    invitations = _invitations_report(Path(draw_path), lottery_path, register)
    if invitations is not None:
        return invitations
    return _verify_draw(draw_path, lottery_path=lottery_path, inputs=inputs)


def _verify_draw(
    draw_path: str | Path,
    *,
    lottery_path: str | Path | None = None,
    inputs: tuple[str | Path, ...] = (),
) -> VerifyReport:
    """Verify a draw record against its lottery file (beside it unless given), and optionally the inputs.

    Example:
        >>> report = verify("out/draw.json")  # doctest: +SKIP
        >>> report.ok
        True
    """
    draw_file = Path(draw_path)
    lottery_file = Path(lottery_path) if lottery_path else draw_file.parent / "lottery.json"
    cl = _Checklist()
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
    return VerifyReport(tuple(cl.checks))
