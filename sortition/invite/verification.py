"""Check an invitation record: from the public files alone, or with the register a full recomputation."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from quotas.errors import InputError, VerificationError
from sortition.files import canonical_json
from sortition.invite.plan import HouseholdRule, allocate, reserves_for
from sortition.invite.selection import compute_record, spec_from_plan
from sortition.randomness import normalise_seed
from sortition.records import INVITATIONS_FORMAT, PLAN_FILE, PLAN_FORMAT, read_invitations, read_plan
from sortition.rules.checks import Checklist, VerifyReport
from sortition.schemacheck import shown


def verify_invitations(record_path: str | Path, *, plan_path: str | Path | None = None,
                       register: str | Path | None = None) -> VerifyReport:
    """Check an invitation record; returns a :class:`~sortition.rules.checks.VerifyReport`.

    Without the register: the commitment, the seed, the allocation recomputed from the plan's strata sizes,
    and the record's counts and pseudonyms. With the register (and the plan folder's private salt): the
    whole selection is recomputed and compared byte for byte.
    """
    record_file = Path(record_path)
    plan_file = Path(plan_path) if plan_path else record_file.parent / PLAN_FILE
    raw_record, record = read_invitations(record_file)
    raw_plan, plan = read_plan(plan_file)
    cl = Checklist()
    # Independent checks: each runs whatever the others found, so the report names every failure.
    committed = cl.run("commitment", lambda: _check_commitment(raw_plan, plan, record, plan_file))
    cl.run("allocation follows from the plan's strata", lambda: _check_allocation(plan))
    cl.run("record counts and pseudonyms", lambda: _check_counts(plan, record))
    if register is not None:  # the costly one: listed, but only run on the committed plan
        cl.run("full recomputation from the register",
               lambda: _check_full(raw_plan, plan, plan_file, raw_record, record, register) if committed else
               _not_run("the plan or the record fails the commitment check"))
    return VerifyReport(tuple(cl.checks), commitment=hashlib.sha256(raw_plan).hexdigest())


def _not_run(why: str) -> str:
    raise VerificationError(f"not run: {why}.")


def _check_commitment(raw_plan: bytes, plan: Mapping[str, Any], record: Mapping[str, Any], plan_file: Path) -> str:
    if record.get("format") != INVITATIONS_FORMAT:
        raise VerificationError(f"the record's format is {record.get('format')!r}, not {INVITATIONS_FORMAT!r}.")
    if plan.get("format") != PLAN_FORMAT:
        raise VerificationError(f"{plan_file.name} is not an invitation plan.")
    commitment = hashlib.sha256(raw_plan).hexdigest()
    if record.get("commitment") != commitment:
        raise VerificationError(f"the record's commitment is {record.get('commitment')}, but SHA-256 of "
                                f"{plan_file.name} is {commitment}.")
    if record.get("seed") != normalise_seed(str(record.get("seed", ""))):
        raise VerificationError("the seed is not in normal form (NFC, no surrounding spaces).")
    return f"SHA-256({plan_file.name}) = {commitment}; seed {record.get('seed')!r}"


def _check_allocation(plan: Mapping[str, Any]) -> str:
    spec = spec_from_plan(plan)
    order = list(plan.get("strata_order", []))
    strata = plan.get("strata", {})
    if sorted(order) != sorted(strata):
        raise VerificationError("strata_order and strata name different strata.")
    sizes = {s: int(strata[s]["eligible"]) for s in order}
    values = {s: tuple(strata[s]["values"][c] for c in spec.strata) for s in order}
    try:
        letters = allocate(spec, sizes, values)
    except InputError as exc:
        raise VerificationError(f"the allocation cannot be recomputed: {exc}") from None
    reserves = reserves_for(spec, sizes, letters)
    for s in order:
        if (strata[s]["letters"], strata[s]["reserves"]) != (letters[s], reserves[s]):
            raise VerificationError(f"stratum '{s}': the plan states {strata[s]['letters']} letters and "
                                    f"{strata[s]['reserves']} reserves; the rule gives {letters[s]} and {reserves[s]}.")
    _check_count("the plan's letters_total", plan.get("letters_total"), sum(letters.values()))
    _check_count("the plan's reserves_total", plan.get("reserves_total"), sum(reserves.values()))
    unit = "address" if spec.households is HouseholdRule.ONE_LETTER_PER_ADDRESS else "person"
    if plan.get("unit") != unit:
        raise VerificationError(f"the plan's unit is {plan.get('unit')!r}, but its households rule "
                                f"'{spec.households.value}' draws by {unit}.")
    return f"{sum(letters.values())} letters over {len(order)} strata, by largest remainder"


def _check_counts(plan: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    """Every field of the record that the public files determine: the lists' lengths and pseudonyms, each
    stratum's ``letters``, the addressee lists, ``unit`` and the totals (the schema checks only their types)."""
    strata = plan.get("strata", {})
    got = record.get("strata", {})
    if sorted(got) != sorted(strata):
        raise VerificationError("the record and the plan name different strata.")
    if record.get("unit") != plan.get("unit"):
        raise VerificationError(f"unit: the record says {record.get('unit')!r}, the plan {plan.get('unit')!r}.")
    seen: set[str] = set()
    exact = plan.get("settings", {}).get("households") != HouseholdRule.ONE_PERSON_PER_ADDRESS.value
    by_address = plan.get("unit") == "address"
    totals = {"invited": 0, "reserves": 0}
    for label, entry in got.items():
        want = strata[label]
        for field, n in (("invited", want["letters"]), ("reserves", want["reserves"])):
            names = list(entry.get(field, []))
            if len(names) > n or (exact and len(names) != n):
                raise VerificationError(f"stratum '{label}': {len(names)} {field}, the plan says {n}.")
            bad = [p for p in names if len(p) != 16 or p.strip("0123456789abcdef") or p in seen]
            if bad:
                raise VerificationError(f"stratum '{label}': '{bad[0]}' is not a pseudonym or appears twice.")
            seen.update(names)
            totals[field] += len(names)
        _check_count(f"strata.{label}.letters", entry.get("letters"), len(entry.get("invited", [])))
        _check_addressees(label, entry, by_address)
    _check_count("letters_total", record.get("letters_total"), totals["invited"])
    _check_count("reserves_total", record.get("reserves_total"), totals["reserves"])
    return (f"{len(seen)} distinct pseudonyms; every stratum has its letters and reserves; "
            f"totals {totals['invited']} and {totals['reserves']}")


def _check_count(path: str, stated: object, counted: int) -> None:
    """A count a record states (``path``) is the whole number ``counted`` (not null, 6.0 or true)."""
    if type(stated) is not int or stated != counted:
        raise VerificationError(f"{path}: {shown(stated)} is stated, but the lists give {counted}.")


def _check_addressees(label: str, entry: Mapping[str, Any], by_address: bool) -> None:
    """One letter per address: each invited and reserve address has its addressee (a person's pseudonym);
    otherwise the record has no addressee lists."""
    for field, units in (("addressees", "invited"), ("reserve_addressees", "reserves")):
        path = f"strata.{label}.{field}"
        if not by_address:
            if field in entry:
                raise VerificationError(f"{path}: present, but the plan's unit is a person, not an address.")
            continue
        if field not in entry and entry.get(units):
            raise VerificationError(f"{path}: missing; the plan's unit is an address, so each letter names its "
                                    "addressee.")
        names = list(entry.get(field, []))
        if len(names) != len(entry.get(units, [])):
            raise VerificationError(f"{path}: {len(names)} addressees for {len(entry.get(units, []))} {units}.")
        if len(set(names)) != len(names):
            raise VerificationError(f"{path}: an addressee appears twice.")


def _check_full(raw_plan: bytes, plan: Mapping[str, Any], plan_file: Path, raw_record: bytes,
                record: Mapping[str, Any], register: str | Path) -> str:
    body, _, _ = compute_record(raw_plan, plan, plan_file.parent, register, str(record.get("seed", "")))
    if canonical_json(body) != raw_record:
        raise VerificationError("the record differs from the one recomputed from the register and the seed.")
    name = Path(register).name
    return f"{body['letters_total']} letters and {body['reserves_total']} reserves recomputed from {name}"


__all__ = ["verify_invitations"]
