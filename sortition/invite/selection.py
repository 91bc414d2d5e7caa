"""Stage 1: stratified, verifiable invitations from the resident register.

The same protocol as a panel draw, with the invitation plan as the committed file:

1. :func:`prepare` reads the register and the plan (YAML), counts the eligible people (or addresses) per
   stratum, allocates the letters by largest remainder and writes ``DIR/invitation_plan.json``: a pure function
   of the inputs (register SHA-256 and row count, strata sizes, letters per stratum, settings, seed source,
   the SHA-256 of the salt). Its SHA-256 is the commitment, published before the seed exists.
2. :func:`draw` derives ``K`` from the commitment and the public seed (stream v1). Within each stratum the
   units (people, or addresses) with the lowest order-free ranks ``rank(K, pseudonym)`` get a letter, the
   next ones form the reserve list; file row order never matters. It writes the public record
   ``DIR/invitations.json`` (pseudonyms only) and the private mail-merge files in ``DIR/private``.
3. :func:`verify_invitations` checks a record: without the register, the commitment, the seed and the
   published aggregates; with the register (and the private salt), a full recomputation.

Example:
    >>> prep = prepare("register.csv", "plan.yaml", "out")          # doctest: +SKIP
    >>> print(prep.commitment)                                       # publish this  # doctest: +SKIP
    >>> result = draw("out/invitation_plan.json", "register.csv", "Lotto 2027-01-09: 3 11 17 25 32 41")
    ...                                                              # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from quotas.errors import InputError, SortitionError, VerificationError
from sortition.files import (
    PRIVATE_FILE_MODE,
    append_ledger,
    atomic_write,
    canonical_json,
    private_dir,
    read_json,
    write_csv,
)
from sortition.invite_hash import exact_order, hash_units, pseudonym_hex, rank_key
from sortition.invite_plan import (
    HouseholdRule,
    InvitePlanSpec,
    allocate,
    load_plan,
    plan_from_mapping,
    reserves_for,
    resolve_rates,
)
from sortition.invite_register import SamplingFrame, build_frame, fetch_rows, read_exclusions, read_register
from sortition.progress import NULL_PROGRESS, ProgressReporter
from sortition.pseudonyms import load_or_create_salt
from sortition.randomness import derive_key, normalise_seed, order_by_rank

PLAN_FORMAT = "sortition-invitation-plan/1"
INVITATIONS_FORMAT = "sortition-invitations/1"
PLAN_FILE = "invitation_plan.json"
RECORD_FILE = "invitations.json"
EXCLUDE_FILE = "exclude_ids.txt"
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


@dataclass(frozen=True)
class InvitePrepareResult:
    plan_path: Path
    commitment: str
    strata: tuple[StratumPlan, ...]
    eligibility: Mapping[str, int]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class InviteDrawResult:
    record_path: Path
    invitations_csv: Path
    reserves_csv: Path
    letters: int
    reserves: int
    commitment: str
    seed: str


# --------------------------------------------------------------------------------------------- prepare

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
    import pandas as pd

    assert frame.address is not None
    pairs = pd.DataFrame({"s": frame.stratum, "a": frame.address}).drop_duplicates()
    distinct = np.bincount(pairs["s"].to_numpy(), minlength=len(frame.labels))
    for i, label in enumerate(frame.labels):
        if letters[label] > distinct[i]:
            raise InputError(f"'letters': stratum '{label}' gets {letters[label]} letters but its people live at "
                             f"only {distinct[i]} addresses (one person per address).", file=plan.source,
                             hint="Send fewer letters, or merge strata.")


def _plan_body(plan: InvitePlanSpec, plan_bytes: bytes, frame: SamplingFrame, strata: Sequence[StratumPlan],
               salt: bytes, exclude: tuple[list[str], str | None], seed_source: str) -> dict[str, Any]:
    from sortition.lottery import software_version

    register = frame.register
    ids, exclude_sha = exclude
    inputs = {Path(register.path).name: register.sha256, Path(plan.source).name: hashlib.sha256(plan_bytes).hexdigest()}
    if plan.exclude is not None and exclude_sha:
        inputs[plan.exclude.name] = exclude_sha
    return {
        "format": PLAN_FORMAT,
        "software_version": software_version(),
        "inputs": inputs,
        "register": {"file": Path(register.path).name, "sha256": register.sha256, "rows": register.rows},
        "settings": plan.settings(),
        "seed_source": seed_source,
        "salt_sha256": hashlib.sha256(salt).hexdigest(),
        "exclude_ids_sha256": hashlib.sha256(_exclude_bytes(ids)).hexdigest(),
        "eligibility": dict(sorted(frame.stats.items())),
        "unit": "address" if plan.households is HouseholdRule.ONE_LETTER_PER_ADDRESS else "person",
        "strata_order": [s.label for s in strata],
        "strata": {s.label: {"values": dict(zip(plan.strata, s.values, strict=True)), "eligible": s.eligible,
                             "people": s.people, "letters": s.letters, "reserves": s.reserves,
                             "expected_response": s.expected_response} for s in strata},
        "letters_total": sum(s.letters for s in strata),
        "reserves_total": sum(s.reserves for s in strata),
        "selection_rule": SELECTION_RULE,
    }


def _exclude_bytes(ids: Sequence[str]) -> bytes:
    return "".join(f"{i}\n" for i in sorted(set(ids))).encode("utf-8")


def prepare(register_path: str | Path, plan_path: str | Path, out_dir: str | Path, *, seed_source: str = "",
            force: bool = False, progress: ProgressReporter = NULL_PROGRESS) -> InvitePrepareResult:
    """Write ``out_dir/invitation_plan.json`` and return its commitment (publish it before the seed exists).

    Raises:
        InputError: bad plan or register (the message names file, row and column), an empty stratum, more
            letters than people, or a folder whose plan was drawn already.
    """
    plan = load_plan(plan_path)
    plan_bytes = Path(plan_path).read_bytes()
    progress.start("Reading the register")
    register = read_register(register_path, plan)
    exclude = read_exclusions(plan, plan.columns["id"])
    progress.update(message=f"{register.rows:,} rows")
    frame = build_frame(register, plan, exclude[0])
    strata = plan_strata(frame, plan)
    progress.finish()
    folder = Path(out_dir)
    plan_file = folder / PLAN_FILE
    if (folder / RECORD_FILE).exists() and not force:
        raise InputError("holds invitations drawn already; a new plan needs a new folder.", file=folder / RECORD_FILE,
                         hint="Choose another --out folder.")
    salt = load_or_create_salt(folder)
    atomic_write(private_dir(folder) / EXCLUDE_FILE, _exclude_bytes(exclude[0]), mode=PRIVATE_FILE_MODE,
                 overwrite=True)
    body = _plan_body(plan, plan_bytes, frame, strata, salt, exclude, seed_source or plan.seed_source)
    data = canonical_json(body)
    atomic_write(plan_file, data, overwrite=force)
    commitment = hashlib.sha256(data).hexdigest()
    append_ledger(folder, {"event": "invite prepare", "commitment": commitment, "register_sha256": register.sha256})
    warnings = [f"stratum '{s.label}' gets no letters ({s.eligible} eligible)." for s in strata if s.letters == 0]
    if exclude[0] and frame.stats["excluded_in_register"] < len(set(exclude[0])):
        warnings.append(f"{len(set(exclude[0])) - frame.stats['excluded_in_register']} ids of the exclusion list "
                        "are not in the register.")
    return InvitePrepareResult(plan_file, commitment, strata, frame.stats, tuple(warnings))


# ------------------------------------------------------------------------------------------- selection

@dataclass(frozen=True, eq=False)
class _Selection:
    invited: dict[str, list[int]]   # stratum label -> unit indices in rank order
    reserves: dict[str, list[int]]
    unit_pseudonyms: np.ndarray     # uint64 per unit
    addressee: dict[int, int]       # address mode: household -> person index (into frame.positions)
    person_pseudonyms: dict[int, str]


def _spec_from_plan(plan: Mapping[str, Any]) -> InvitePlanSpec:
    s = dict(plan.get("settings", {}))
    columns = dict(s.get("columns", {}))
    if s.get("address"):
        columns["address"] = list(s["address"])
    mapping = {k: s[k] for k in ("letters", "strata", "age_bands", "reference_date", "min_age", "households",
                                 "expected_response", "reserves") if s.get(k) is not None}
    return plan_from_mapping({**mapping, "columns": columns}, source=PLAN_FILE)


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


def select(frame: SamplingFrame, spec: InvitePlanSpec, plan: Mapping[str, Any], key: bytes, salt: bytes,
           progress: ProgressReporter = NULL_PROGRESS) -> _Selection:
    """The letters and reserves a key selects (pure function of the frame, the plan, the key and the salt)."""
    address_mode = spec.households is HouseholdRule.ONE_LETTER_PER_ADDRESS
    if address_mode:
        assert frame.address_first is not None
        names = frame.address_keys()
        unit_stratum = frame.stratum[frame.address_first]
        prefix = b"household\x00"
    else:
        names = frame.register.ids[frame.positions].tolist()
        unit_stratum = frame.stratum
        prefix = b""
    pseud, ranks = hash_units(names, salt, key, prefix=prefix, progress=progress)
    order = exact_order(pseud, ranks, key)
    letters = np.array([plan["strata"][s]["letters"] for s in frame.labels], dtype=np.int64)
    reserves = np.array([plan["strata"][s]["reserves"] for s in frame.labels], dtype=np.int64)
    if spec.households is HouseholdRule.ONE_PERSON_PER_ADDRESS:
        assert frame.address is not None
        blocked: set[int] = set()
        taken: set[int] = set()
        inv = _greedy(order, unit_stratum, frame.address, letters, blocked, taken)
        res = _greedy(order, unit_stratum, frame.address, reserves, blocked, taken)
    else:
        groups = _by_stratum(order, unit_stratum, len(frame.labels))
        inv = [g[:a].tolist() for g, a in zip(groups, letters.tolist(), strict=True)]
        res = [g[a:a + r].tolist() for g, a, r in zip(groups, letters.tolist(), reserves.tolist(), strict=True)]
    addressee: dict[int, int] = {}
    persons: dict[int, str] = {}
    if address_mode:
        chosen = [u for group in (*inv, *res) for u in group]
        addressee, persons = _addressees(frame, chosen, salt, key)
    return _Selection(dict(zip(frame.labels, inv, strict=True)), dict(zip(frame.labels, res, strict=True)),
                      pseud, addressee, persons)


def _addressees(frame: SamplingFrame, households: Sequence[int], salt: bytes, key: bytes
                ) -> tuple[dict[int, int], dict[int, str]]:
    """Per drawn address, the eligible resident with the lowest rank of their person pseudonym."""
    assert frame.address is not None
    wanted = np.zeros(int(frame.address.max(initial=-1)) + 1, dtype=bool)
    wanted[np.asarray(households, dtype=np.int64)] = True
    people = np.flatnonzero(wanted[frame.address])
    names = {int(p): pseudonym_hex(salt, str(frame.register.ids[frame.positions[p]])) for p in people}
    residents: dict[int, list[int]] = {}
    for p in people.tolist():
        residents.setdefault(int(frame.address[p]), []).append(p)
    out: dict[int, int] = {}
    for household, members in residents.items():
        by_name = {names[p]: p for p in members}
        out[household] = by_name[order_by_rank(key, list(by_name))[0]]
    return out, names


def record_body(plan_raw: bytes, plan: Mapping[str, Any], seed: str, selection: _Selection) -> dict[str, Any]:
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


# ------------------------------------------------------------------------------------------------ draw

def _check_plan(raw: bytes, plan: Mapping[str, Any], file: Path) -> None:
    if plan.get("format") != PLAN_FORMAT:
        raise InputError(f"is not an invitation plan (format {plan.get('format')!r}, expected {PLAN_FORMAT!r}).",
                         file=file, hint="Give the invitation_plan.json that 'sortition invite prepare' wrote.")


def _private_inputs(folder: Path, plan: Mapping[str, Any], *, salt: bytes | None = None) -> tuple[bytes, list[str]]:
    salt_file = folder / "private" / "salt"
    if salt is None:
        if not salt_file.exists():
            raise InputError("the private salt is missing.", file=salt_file,
                             hint="Use the folder 'invite prepare' wrote, with its private/ folder.")
        salt = load_or_create_salt(folder)
    if hashlib.sha256(salt).hexdigest() != plan.get("salt_sha256"):
        raise VerificationError(f"{salt_file}: the salt differs from the one the plan committed to (salt_sha256).")
    exclude_file = folder / "private" / EXCLUDE_FILE
    data = exclude_file.read_bytes() if exclude_file.exists() else b""
    if hashlib.sha256(data).hexdigest() != plan.get("exclude_ids_sha256"):
        raise VerificationError(f"{exclude_file}: the exclusion list differs from the one the plan committed to.")
    return salt, [line for line in data.decode("utf-8").splitlines() if line]


def compute_record(plan_raw: bytes, plan: Mapping[str, Any], folder: Path, register_path: str | Path, seed: str,
                   *, progress: ProgressReporter = NULL_PROGRESS) -> tuple[dict[str, Any], SamplingFrame, _Selection]:
    """Recompute the record from the plan, the private salt and exclusions, the register and the seed."""
    spec = _spec_from_plan(plan)
    salt, excluded = _private_inputs(folder, plan)
    progress.start("Reading the register")
    register = read_register(register_path, spec)
    if register.sha256 != plan.get("register", {}).get("sha256"):
        raise VerificationError(f"{register_path}: its SHA-256 differs from the register the plan was prepared "
                                "from; use exactly that file.")
    frame = build_frame(register, spec, excluded)
    progress.finish()
    got = {s: int(n) for s, n in zip(frame.labels, _units(frame, spec)[1], strict=True)}
    stated = {s: v.get("eligible") for s, v in plan.get("strata", {}).items()}
    if got != stated or list(frame.labels) != plan.get("strata_order"):
        raise VerificationError("the strata of the register differ from the plan's (software version?).")
    key = derive_key(hashlib.sha256(plan_raw).digest(), seed)
    selection = select(frame, spec, plan, key, salt, progress)
    return record_body(plan_raw, plan, seed, selection), frame, selection


def draw(plan_path: str | Path, register_path: str | Path, seed: str, *,
         progress: ProgressReporter = NULL_PROGRESS) -> InviteDrawResult:
    """Draw the letters of a committed plan with the public seed; write the public record and private lists.

    One draw per commitment: the same seed again rewrites nothing; another seed is refused.
    """
    plan_file = Path(plan_path)
    folder = plan_file.parent
    raw, plan = read_json(plan_file, what="invitation plan")
    _check_plan(raw, plan, plan_file)
    record_path = folder / RECORD_FILE
    seed = normalise_seed(seed)
    if record_path.exists():
        _, old = read_json(record_path, what="invitation record")
        if old.get("seed") != seed or old.get("commitment") != hashlib.sha256(raw).hexdigest():
            raise InputError(f"holds invitations drawn already (seed {old.get('seed')!r}); one draw per commitment.",
                             file=record_path, hint="A new draw needs a new prepare and a new future seed.")
    try:
        body, frame, selection = compute_record(raw, plan, folder, register_path, seed, progress=progress)
    except VerificationError as exc:
        raise InputError(str(exc)) from None
    atomic_write(record_path, canonical_json(body))
    inv_csv, res_csv = _write_private(folder, frame, selection, plan)
    append_ledger(folder, {"event": "invite draw", "commitment": body["commitment"], "seed": body["seed"],
                           "record_sha256": hashlib.sha256(canonical_json(body)).hexdigest()})
    return InviteDrawResult(record_path, inv_csv, res_csv, body["letters_total"], body["reserves_total"],
                            body["commitment"], body["seed"])


def _write_private(folder: Path, frame: SamplingFrame, sel: _Selection, plan: Mapping[str, Any]) -> tuple[Path, Path]:
    def person(unit: int) -> int:
        return sel.addressee[unit] if sel.addressee else unit

    lists = {"invitations.csv": sel.invited, "invite_reserves.csv": sel.reserves}
    wanted = [int(frame.register.row_numbers[frame.positions[person(u)]]) for g in lists.values()
              for units in g.values() for u in units]
    header, rows = fetch_rows(frame.register, wanted)
    priv = private_dir(folder)
    paths = []
    for name, groups in lists.items():
        out = []
        for label in plan.get("strata_order", []):
            for n, u in enumerate(groups[label], 1):
                row = int(frame.register.row_numbers[frame.positions[person(u)]])
                out.append([label, str(n), pseudonym_of(sel.unit_pseudonyms, u), str(row), *rows[row]])
        first = "letter" if name == "invitations.csv" else "reserve"
        write_csv(priv / name, ["stratum", first, "pseudonym", "register_row", *header], out,
                  mode=PRIVATE_FILE_MODE, overwrite=True)
        os.chmod(priv / name, PRIVATE_FILE_MODE)
        paths.append(priv / name)
    return paths[0], paths[1]


# ---------------------------------------------------------------------------------------------- verify

def verify_invitations(record_path: str | Path, *, plan_path: str | Path | None = None,
                       register: str | Path | None = None) -> Any:
    """Check an invitation record; returns a :class:`sortition.verify.VerifyReport`.

    Without the register: the commitment, the seed, the allocation recomputed from the plan's strata sizes,
    and the record's counts and pseudonyms. With the register (and the plan folder's private salt): the
    whole selection is recomputed and compared byte for byte.
    """
    from sortition.verify import Check, VerifyReport

    record_file = Path(record_path)
    plan_file = Path(plan_path) if plan_path else record_file.parent / PLAN_FILE
    raw_record, record = read_json(record_file, what="invitation record")
    raw_plan, plan = read_json(plan_file, what="invitation plan")
    checks: list[Check] = []

    def run(name: str, fn: Any) -> bool:
        try:
            checks.append(Check(name, True, fn()))
        except SortitionError as exc:
            checks.append(Check(name, False, str(exc)))
            return False
        return True

    if run("commitment", lambda: _check_commitment(raw_plan, plan, record, plan_file)):
        run("allocation follows from the plan's strata", lambda: _check_allocation(plan))
        run("record counts and pseudonyms", lambda: _check_counts(plan, record))
        if register is not None:
            run("full recomputation from the register", lambda: _check_full(raw_plan, plan, plan_file, raw_record,
                                                                            record, register))
    return VerifyReport(tuple(checks))


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
    spec = _spec_from_plan(plan)
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
    return f"{sum(letters.values())} letters over {len(order)} strata, by largest remainder"


def _check_counts(plan: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    strata = plan.get("strata", {})
    got = record.get("strata", {})
    if sorted(got) != sorted(strata):
        raise VerificationError("the record and the plan name different strata.")
    seen: set[str] = set()
    exact = plan.get("settings", {}).get("households") != HouseholdRule.ONE_PERSON_PER_ADDRESS.value
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
    return f"{len(seen)} distinct pseudonyms; every stratum has its letters and reserves"


def _check_full(raw_plan: bytes, plan: Mapping[str, Any], plan_file: Path, raw_record: bytes,
                record: Mapping[str, Any], register: str | Path) -> str:
    body, _, _ = compute_record(raw_plan, plan, plan_file.parent, register, str(record.get("seed", "")))
    if canonical_json(body) != raw_record:
        raise VerificationError("the record differs from the one recomputed from the register and the seed.")
    name = Path(register).name
    return f"{body['letters_total']} letters and {body['reserves_total']} reserves recomputed from {name}"


__all__ = ["INVITATIONS_FORMAT", "PLAN_FORMAT", "InviteDrawResult", "InvitePrepareResult", "StratumPlan",
           "compute_record", "draw", "plan_strata", "prepare", "rank_key", "select", "verify_invitations"]
