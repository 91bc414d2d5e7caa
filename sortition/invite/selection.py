"""The selection rule of stage 1: strata, who gets a letter for a key, and the public record's body.

Everything here is a pure function of its inputs and writes no file: :func:`plan_strata` gives the letters
and reserves per stratum, :func:`select_invitees` the units a key selects (per stratum in rank order, with
the household rules), :func:`invitations_record_body` the public record. :func:`compute_record` recomputes
that record from a committed plan; it reads the register and the private salt, and is what both
:func:`~sortition.invite.commands.draw_invitations` and
:func:`~sortition.invite.verification.verify_invitations` run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quotas.errors import InputError, SortitionError, VerificationError
from sortition.identity import ADDRESS_PART_KEYS
from sortition.invite.fastread import sha256_beside
from sortition.invite.plan import (
    HouseholdRule,
    InvitePlanSpec,
    allocate,
    plan_from_mapping,
    reserves_for,
    resolve_rates,
)
from sortition.invite.ranking import exact_order, pseudonym_hex, ranks_of
from sortition.invite.register import SamplingFrame, build_frame, read_register
from sortition.invite.units import DrawUnits, plan_cache_key, read_units_cache, units_from_frame
from sortition.progress import NULL_PROGRESS, ProgressReporter
from sortition.pseudonyms import load_or_create_salt
from sortition.randomness import derive_key, normalise_seed, order_by_rank
from sortition.records import EXCLUDE_FILE, INVITATIONS_FORMAT, PLAN_FILE, SALT_FILE, private_file

SELECTION_RULE = (
    "K = HMAC-SHA256(SHA-256 of this plan file, 'sortition-v1' 0x00 seed). The units of a stratum (people, or "
    "addresses under one_letter_per_address) are ordered by rank(K, pseudonym); the first 'letters' get a "
    "letter and the next 'reserves' form the reserve list. one_person_per_address: people are taken in rank "
    "order over all strata, skipping those whose address already has a letter (reserves likewise, after all "
    "letters). one_letter_per_address: the letter goes to the eligible resident of the address with the lowest "
    "rank of their person pseudonym."
)


@dataclass(frozen=True)
class StratumPlan:
    """One stratum of a plan: its label, values, eligible units and people, letters and reserves."""

    label: str
    values: tuple[str, ...]
    eligible: int
    people: int
    letters: int
    reserves: int
    expected_response: str | None


# ---------------------------------------------------------------------------------------------- strata

def _units(frame: SamplingFrame, plan: InvitePlanSpec) -> tuple[np.ndarray, np.ndarray]:
    """(people per stratum, units per stratum): units are addresses under one_letter_per_address."""
    n = len(frame.labels)
    people = np.bincount(frame.stratum, minlength=n)
    if plan.households is HouseholdRule.ONE_LETTER_PER_ADDRESS:
        assert frame.address is not None and frame.address_first is not None
        return people, np.bincount(frame.stratum[frame.address_first], minlength=n)
    return people, people


def plan_strata(frame: SamplingFrame, plan: InvitePlanSpec) -> tuple[StratumPlan, ...]:
    """Letters and reserves per stratum for this frame, in canonical stratum order."""
    people, units = _units(frame, plan)
    sizes = {label: int(units[i]) for i, label in enumerate(frame.labels)}
    values = dict(zip(frame.labels, frame.values, strict=True))
    letters = allocate(plan, sizes, values)
    if plan.households is HouseholdRule.ONE_PERSON_PER_ADDRESS:
        _check_addresses_suffice(frame, plan, letters)
    reserves = reserves_for(plan, sizes, letters)
    rates = resolve_rates(plan, values) or {}
    return tuple(StratumPlan(label, values[label], sizes[label], int(people[i]), letters[label], reserves[label],
                             str(rates[label]) if label in rates else None)
                 for i, label in enumerate(frame.labels))


def _check_addresses_suffice(frame: SamplingFrame, plan: InvitePlanSpec, letters: Mapping[str, int]) -> None:
    assert frame.address is not None and frame.address_first is not None
    # Every address counts once in the stratum of its first resident: a lower bound of the addresses per stratum
    # that settles the common case without the exact count (distinct pairs of 17 million people).
    distinct = np.bincount(frame.stratum[frame.address_first], minlength=len(frame.labels))
    if all(letters[label] <= distinct[i] for i, label in enumerate(frame.labels)):
        return
    pairs = pd.DataFrame({"s": frame.stratum, "a": frame.address}).drop_duplicates()
    distinct = np.bincount(pairs["s"].to_numpy(), minlength=len(frame.labels))
    for i, label in enumerate(frame.labels):
        if letters[label] > distinct[i]:
            raise InputError(f"'letters': stratum '{label}' gets {letters[label]} letters but its people live at "
                             f"only {distinct[i]} addresses (one person per address).", file=plan.source,
                             hint="Send fewer letters, or merge strata.")


# ------------------------------------------------------------------------------------------- selection

@dataclass(frozen=True, eq=False)
class InviteSelection:
    """The units a key selects: per stratum, the letters and the reserves in rank order."""

    invited: dict[str, list[int]]   # stratum label -> unit indices in rank order
    reserves: dict[str, list[int]]
    unit_pseudonyms: np.ndarray     # uint64 per unit
    addressee: dict[int, int]       # address mode: household -> person index (into frame.positions)
    person_pseudonyms: dict[int, str]


def spec_from_plan(plan: Mapping[str, Any]) -> InvitePlanSpec:
    """The plan settings a committed plan file states, as the spec prepare read them from the YAML."""
    s = dict(plan.get("settings", {}))
    columns = dict(s.get("columns", {}))
    if s.get("address"):
        columns["address"] = list(s["address"])
    mapping = {k: s[k] for k in ("letters", "strata", "age_bands", "reference_date", "min_age", "households",
                                 "expected_response", "reserves") if s.get(k) is not None}
    return plan_from_mapping({**mapping, "columns": columns}, source=PLAN_FILE)


def address_rule(plan: Mapping[str, Any]) -> int:
    """The address key rule a committed plan states; plans without ``address_rule`` predate rule 2."""
    rule = plan.get("address_rule", 1)
    if rule not in ADDRESS_PART_KEYS:
        raise VerificationError(f"the plan's address_rule {rule!r} is unknown to this version of sortition.")
    return int(rule)


def _by_stratum(order: np.ndarray, stratum: np.ndarray, n: int) -> list[np.ndarray]:
    grouped = order[np.argsort(stratum[order], kind="stable")]
    bounds = np.searchsorted(stratum[grouped], np.arange(n + 1))
    return [grouped[bounds[i]:bounds[i + 1]] for i in range(n)]


def _greedy(order: np.ndarray, stratum: np.ndarray, address: np.ndarray, quota: np.ndarray,
            blocked: set[int], taken: set[int]) -> list[list[int]]:
    """Units in rank order, at most one per address, until every stratum has its quota."""
    out: list[list[int]] = [[] for _ in quota]
    left = int(quota.sum())
    need = quota.copy()
    for u in order.tolist():
        if left == 0:
            break
        s = stratum[u]
        if need[s] == 0 or u in taken or address[u] in blocked:
            continue
        out[s].append(u)
        taken.add(u)
        blocked.add(int(address[u]))
        need[s] -= 1
        left -= 1
    return out


#: The first part of the rank order sorted: this many units per letter or reserve (at least FIRST_PART_MIN).
FIRST_PART = 64
FIRST_PART_MIN = 4096


def _lowest(ranks: np.ndarray, size: int) -> np.ndarray:
    """Positions of the ``size`` lowest ranks (and any equal to the largest of them), in position order."""
    if size >= len(ranks):
        return np.arange(len(ranks))
    bound = np.partition(ranks, size - 1)[size - 1]
    return np.flatnonzero(ranks <= bound)


def _refuse_equal_pseudonyms(pseudonyms: np.ndarray) -> None:
    """What ordering all units refuses: two units with one pseudonym (a 64-bit collision of two ids)."""
    ordered = np.sort(pseudonyms)
    if (ordered[1:] == ordered[:-1]).any():
        raise InputError("two people (or addresses) got the same pseudonym, which the draw cannot order.",
                         hint="Prepare again in a new folder: that draws a new salt.")


def select_invitees(frame: SamplingFrame, spec: InvitePlanSpec, plan: Mapping[str, Any], key: bytes, salt: bytes,
           progress: ProgressReporter = NULL_PROGRESS) -> InviteSelection:
    """The letters and reserves a key selects (pure function of the frame, the plan, the key and the salt)."""
    return select_units(units_from_frame(frame, spec, salt, progress=progress), spec, plan, key, salt, progress)


def select_units(units: DrawUnits, spec: InvitePlanSpec, plan: Mapping[str, Any], key: bytes, salt: bytes,
                 progress: ProgressReporter = NULL_PROGRESS) -> InviteSelection:
    """:func:`select_invitees` on units whose pseudonyms are known (computed now, or by prepare)."""
    pseud = units.unit_pseudonyms
    ranks = ranks_of(pseud, key, progress=progress)
    _refuse_equal_pseudonyms(pseud)
    unit_stratum = units.unit_stratum
    letters = np.array([plan["strata"][s]["letters"] for s in units.labels], dtype=np.int64)
    reserves = np.array([plan["strata"][s]["reserves"] for s in units.labels], dtype=np.int64)
    wanted = letters + reserves
    per_stratum = np.bincount(unit_stratum, minlength=len(units.labels))
    # The rule reads the units in rank order until every stratum is served: only the first part of that order
    # is sorted (the units with the lowest ranks), and a part that does not serve them all is made larger.
    size = max(FIRST_PART * int(wanted.sum()), FIRST_PART_MIN)
    while True:
        first = _lowest(ranks, size)
        order = first[exact_order(pseud[first], ranks[first], key)]
        whole = len(first) == len(ranks)
        if spec.households is HouseholdRule.ONE_PERSON_PER_ADDRESS:
            assert units.address is not None
            blocked: set[int] = set()
            taken: set[int] = set()
            inv = _greedy(order, unit_stratum, units.address, letters, blocked, taken)
            res = _greedy(order, unit_stratum, units.address, reserves, blocked, taken)
            if whole or sum(map(len, inv)) + sum(map(len, res)) == int(wanted.sum()):
                break
        else:
            seen = np.bincount(unit_stratum[first], minlength=len(units.labels))
            if whole or ((seen >= wanted) | (seen == per_stratum)).all():
                groups = _by_stratum(order, unit_stratum, len(units.labels))
                inv = [g[:a].tolist() for g, a in zip(groups, letters.tolist(), strict=True)]
                res = [g[a:a + r].tolist() for g, a, r in zip(groups, letters.tolist(), reserves.tolist(), strict=True)]
                break
        size *= 8
    addressee: dict[int, int] = {}
    persons: dict[int, str] = {}
    if spec.households is HouseholdRule.ONE_LETTER_PER_ADDRESS:
        chosen = [u for group in (*inv, *res) for u in group]
        addressee, persons = _addressees(units, chosen, salt, key)
    return InviteSelection(dict(zip(units.labels, inv, strict=True)), dict(zip(units.labels, res, strict=True)),
                      pseud, addressee, persons)


def _addressees(units: DrawUnits, households: Sequence[int], salt: bytes, key: bytes
                ) -> tuple[dict[int, int], dict[int, str]]:
    """Per drawn address, the eligible resident with the lowest rank of their person pseudonym."""
    assert units.address is not None
    wanted = np.zeros(int(units.address.max(initial=-1)) + 1, dtype=bool)
    wanted[np.asarray(households, dtype=np.int64)] = True
    people = np.flatnonzero(wanted[units.address])
    if units.person_pseudonyms is not None:
        names = {int(p): pseudonym_of(units.person_pseudonyms, int(p)) for p in people}
    else:
        assert units.person_ids is not None
        names = {int(p): pseudonym_hex(salt, str(units.person_ids[p])) for p in people}
    residents: dict[int, list[int]] = {}
    for p in people.tolist():
        residents.setdefault(int(units.address[p]), []).append(p)
    out: dict[int, int] = {}
    for household, members in residents.items():
        by_name = {names[p]: p for p in members}
        out[household] = by_name[order_by_rank(key, list(by_name))[0]]
    return out, names


def invitations_record_body(plan_raw: bytes, plan: Mapping[str, Any], seed: str, selection: InviteSelection
                            ) -> dict[str, Any]:
    """The public record: commitment, seed and, per stratum, the pseudonyms in rank order."""
    strata: dict[str, Any] = {}
    for label in plan.get("strata_order", []):
        entry: dict[str, Any] = {
            "letters": len(selection.invited[label]),
            "invited": [pseudonym_of(selection.unit_pseudonyms, u) for u in selection.invited[label]],
            "reserves": [pseudonym_of(selection.unit_pseudonyms, u) for u in selection.reserves[label]],
        }
        if selection.addressee:
            entry["addressees"] = [selection.person_pseudonyms[selection.addressee[u]]
                                   for u in selection.invited[label]]
            entry["reserve_addressees"] = [selection.person_pseudonyms[selection.addressee[u]]
                                           for u in selection.reserves[label]]
        strata[label] = entry
    return {
        "format": INVITATIONS_FORMAT,
        "commitment": hashlib.sha256(plan_raw).hexdigest(),
        "seed": normalise_seed(seed),
        "unit": plan.get("unit"),
        "strata": strata,
        "letters_total": sum(len(v) for v in selection.invited.values()),
        "reserves_total": sum(len(v) for v in selection.reserves.values()),
    }


def pseudonym_of(pseudonyms: np.ndarray, unit: int) -> str:
    return f"{int(pseudonyms[unit]):016x}"


# ------------------------------------------------------------------------------------ recomputation

def _private_inputs(folder: Path, plan: Mapping[str, Any], *, salt: bytes | None = None) -> tuple[bytes, list[str]]:
    salt_file = private_file(folder, SALT_FILE)
    if salt is None:
        if not salt_file.exists():
            raise InputError("the private salt is missing.", file=salt_file,
                             hint="Use the folder 'invite prepare' wrote, with its private/ folder.")
        salt = load_or_create_salt(folder)
    if hashlib.sha256(salt).hexdigest() != plan.get("salt_sha256"):
        raise VerificationError(f"{salt_file}: the salt differs from the one the plan committed to (salt_sha256).")
    exclude_file = private_file(folder, EXCLUDE_FILE)
    data = exclude_file.read_bytes() if exclude_file.exists() else b""
    if hashlib.sha256(data).hexdigest() != plan.get("exclude_ids_sha256"):
        raise VerificationError(f"{exclude_file}: the exclusion list differs from the one the plan committed to.")
    return salt, [line for line in data.decode("utf-8").splitlines() if line]


def compute_record(plan_raw: bytes, plan: Mapping[str, Any], folder: Path, register_path: str | Path, seed: str, *,
                   progress: ProgressReporter = NULL_PROGRESS, cache: Path | None = None
                   ) -> tuple[dict[str, Any], DrawUnits, InviteSelection]:
    """Recompute the record from the plan, the private salt and exclusions, the register and the seed.

    ``cache``: the units prepare stored (:mod:`sortition.invite.units`), used instead of parsing the register
    when they were made from exactly the plan's inputs (the register's SHA-256 is checked either way).
    """
    spec = spec_from_plan(plan)
    salt, excluded = _private_inputs(folder, plan)
    committed = plan.get("register", {})
    # Before reading it as a register: another file (a pool, a newer export) would only say "fix columns".
    if not Path(register_path).is_file():
        raise InputError("register not found.", file=register_path, hint="Check the path.")

    def check_sha256(digest: str) -> None:
        if digest != committed.get("sha256"):
            raise VerificationError(f"{register_path}: not the register the plan was made from: SHA-256 differs "
                                    f"(the plan was made from {committed.get('file', 'another file')!r}, "
                                    f"{committed.get('rows', '?')} rows); use exactly that file.")

    rule = address_rule(plan)
    # The register is hashed in a second process meanwhile; it is checked before anything is returned (so
    # before anything is written), and before any other error is reported: a wrong file is the first thing to say.
    sha256_later: Callable[[], str] | None = sha256_beside(Path(register_path))
    try:
        units = read_units_cache(cache, plan_cache_key(plan, rule)) if cache is not None else None
        if units is not None:
            units = replace(units, source=replace(units.source, path=str(register_path)))
        else:
            assert sha256_later is not None
            check_sha256(sha256_later())
            sha256_later = None
            progress.start("Reading the register")
            register = read_register(register_path, spec)
            frame = build_frame(register, spec, excluded, address_rule=rule)
            progress.finish()
            units = units_from_frame(frame, spec, salt, progress=progress)
        got = units.units_per_stratum()
        stated = {s: v.get("eligible") for s, v in plan.get("strata", {}).items()}
        if got != stated or list(units.labels) != plan.get("strata_order"):
            raise VerificationError("the strata of the register differ from the plan's (software version?).")
        key = derive_key(hashlib.sha256(plan_raw).digest(), seed)
        selection = select_units(units, spec, plan, key, salt, progress)
    except SortitionError:
        if sha256_later is not None:
            check_sha256(sha256_later())
        raise
    if sha256_later is not None:
        check_sha256(sha256_later())
    return invitations_record_body(plan_raw, plan, seed, selection), units, selection


__all__ = ["SELECTION_RULE", "InviteSelection", "StratumPlan", "compute_record", "invitations_record_body",
           "plan_strata", "pseudonym_of", "select_invitees", "select_units", "spec_from_plan"]
