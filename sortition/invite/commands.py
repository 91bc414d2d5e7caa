"""The stage-1 commands: prepare and draw invitations. They read the register and write the output folder.

The same protocol as a panel draw, with the invitation plan as the committed file:

1. :func:`prepare_invitations` reads the register and the plan (YAML), counts the eligible people (or
   addresses) per stratum, allocates the letters by largest remainder and writes ``DIR/invitation_plan.json``:
   a pure function of the inputs (register SHA-256 and row count, strata sizes, letters per stratum, settings,
   seed source, the SHA-256 of the salt). Its SHA-256 is the commitment, published before the seed exists.
2. :func:`draw_invitations` derives ``K`` from the commitment and the public seed (stream v1). Within each
   stratum the units (people, or addresses) with the lowest order-free ranks ``rank(K, pseudonym)`` get a
   letter, the next ones form the reserve list; file row order never matters. It writes the public record
   ``DIR/invitations.json`` (pseudonyms only) and the private mail-merge files in ``DIR/private``.

The rule itself is in :mod:`sortition.invite.selection`; the checks of a record in
:mod:`sortition.invite.verification`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quotas.errors import InputError, SortitionError, VerificationError
from sortition.files import PRIVATE_FILE_MODE, atomic_write, canonical_json, sha256_file, write_csv, write_xlsx
from sortition.identity import ADDRESS_RULE
from sortition.invite.plan import HouseholdRule, InvitePlanSpec, load_plan
from sortition.invite.register import SamplingFrame, build_frame, fetch_rows, read_exclusions, read_register
from sortition.invite.selection import (
    SELECTION_RULE,
    InviteSelection,
    StratumPlan,
    compute_record,
    plan_strata,
    pseudonym_of,
)
from sortition.invite.units import DrawUnits, plan_cache_key, units_from_frame, write_units_cache
from sortition.progress import NULL_PROGRESS, ProgressReporter
from sortition.pseudonyms import load_or_create_salt
from sortition.randomness import normalise_seed
from sortition.records import (
    EXCLUDE_FILE,
    INVITATIONS_FILE,
    PLAN_FILE,
    PLAN_FORMAT,
    UNITS_CACHE_FILE,
    append_ledger,
    locked,
    private_dir,
    read_invitations,
    read_plan,
)
from sortition.rules.checks import MALFORMED, malformed
from sortition.version import software_version


@dataclass(frozen=True)
class InvitePrepareResult:
    """What prepare_invitations wrote: the plan file, its commitment, the strata and eligibility counts."""

    plan_path: Path
    commitment: str
    strata: tuple[StratumPlan, ...]
    eligibility: Mapping[str, int]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class InviteDrawResult:
    """What draw_invitations wrote: the public record, the private lists, and the counts drawn."""

    record_path: Path
    invitations_csv: Path
    reserves_csv: Path
    letters: int
    reserves: int
    commitment: str
    seed: str


# --------------------------------------------------------------------------------------------- prepare

def _plan_body(plan: InvitePlanSpec, plan_bytes: bytes, frame: SamplingFrame, strata: Sequence[StratumPlan],
               salt: bytes, exclude: tuple[list[str], str | None], seed_source: str) -> dict[str, Any]:
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
        "address_rule": ADDRESS_RULE,
    }


def _exclude_bytes(ids: Sequence[str]) -> bytes:
    return "".join(f"{i}\n" for i in sorted(set(ids))).encode("utf-8")


#: At most this many ids of the exclusion list that are not in the register are named in the warning.
MISSING_IDS_SHOWN = 10


def _missing_exclusions(listed: Sequence[str], register_ids: Iterable[object]) -> str:
    """The warning for exclusion-list ids the register does not hold, naming them (up to a limit)."""
    missing = sorted(set(listed) - set(register_ids))
    shown = ", ".join(missing[:MISSING_IDS_SHOWN])
    more = f" and {len(missing) - MISSING_IDS_SHOWN} more" if len(missing) > MISSING_IDS_SHOWN else ""
    ids = "id" if len(missing) == 1 else "ids"
    return (f"{len(missing)} {ids} of the exclusion list {'is' if len(missing) == 1 else 'are'} not in the register: "
            f"{shown}{more}. Check the exclusion list's id column against the register's.")


def _reads_as_plan(path: str | Path) -> bool:
    try:
        load_plan(path)
    except SortitionError:
        return False
    return True


def _load_plan_in_order(register_path: str | Path, plan_path: str | Path) -> InvitePlanSpec:
    """The plan; when it cannot be read but the file given as the register is a plan, say they are swapped."""
    try:
        return load_plan(plan_path)
    except SortitionError:
        if not _reads_as_plan(register_path):
            raise
    raise InputError(f"the arguments are swapped: {register_path} is an invitation plan and {plan_path} is not; "
                     "the register comes first, then the plan.",
                     hint=f"Run: sortition invite prepare {plan_path} {register_path} --out ...")


def _same_inputs(plan_file: Path, register_path: str | Path, plan_path: str | Path) -> bool:
    """Whether the plan in the folder was made from these very files (then prepare may run again, e.g. after a
    crash: the folder's salt makes it the same plan)."""
    try:
        _, old = read_plan(plan_file)
        inputs = old.get("inputs", {})
        return (inputs.get(Path(register_path).name) == sha256_file(register_path)
                and inputs.get(Path(plan_path).name) == sha256_file(plan_path))
    except (SortitionError, OSError, AttributeError):
        return False


def prepare_invitations(register_path: str | Path, plan_path: str | Path, out_dir: str | Path, *,
                        seed_source: str = "", force: bool = False,
                        progress: ProgressReporter = NULL_PROGRESS) -> InvitePrepareResult:
    """Write ``out_dir/invitation_plan.json`` and return its commitment (publish it before the seed exists).

    Raises:
        InputError: bad plan or register (the message names file, row and column), an empty stratum, more
            letters than people, or a folder whose plan was drawn already.
    """
    folder = Path(out_dir)
    plan_file = folder / PLAN_FILE
    if (folder / INVITATIONS_FILE).exists():  # before reading a register of a million rows
        raise InputError("holds invitations drawn already; their plan is never replaced.",
                         file=folder / INVITATIONS_FILE, hint="Choose another --out folder for a new plan.")
    if plan_file.exists() and not force and not _same_inputs(plan_file, register_path, plan_path):
        raise InputError("holds an invitation plan made from other inputs; it would be replaced.", file=plan_file,
                         hint="Choose another --out folder, or pass --force to replace it (only a plan that "
                              "has not been drawn).")
    plan = _load_plan_in_order(register_path, plan_path)
    plan_bytes = Path(plan_path).read_bytes()
    progress.start("Reading the register")
    register = read_register(register_path, plan)
    exclude = read_exclusions(plan, plan.columns["id"])
    progress.update(message=f"{register.rows:,} rows")
    frame = build_frame(register, plan, exclude[0])
    strata = plan_strata(frame, plan)
    progress.finish()
    with locked(folder, "invite prepare"):
        if (folder / INVITATIONS_FILE).exists():  # drawn meanwhile
            raise InputError("holds invitations drawn already; their plan is never replaced.",
                             file=folder / INVITATIONS_FILE, hint="Choose another --out folder for a new plan.")
        salt = load_or_create_salt(folder)
        atomic_write(private_dir(folder) / EXCLUDE_FILE, _exclude_bytes(exclude[0]), mode=PRIVATE_FILE_MODE,
                     overwrite=True)
        body = _plan_body(plan, plan_bytes, frame, strata, salt, exclude, seed_source or plan.seed_source)
        data = canonical_json(body)
        # The pseudonyms need the salt only, not the seed: computed once here, draw ranks them (units.py).
        units = units_from_frame(frame, plan, salt, all_persons=True, progress=progress)
        write_units_cache(private_dir(folder) / UNITS_CACHE_FILE, units,
                          plan_cache_key(json.loads(data), body["address_rule"]))
        del units
        atomic_write(plan_file, data, overwrite=force)
        commitment = hashlib.sha256(data).hexdigest()
        append_ledger(folder, {"event": "invite prepare", "commitment": commitment,
                               "register_sha256": register.sha256})
    warnings = [f"stratum '{s.label}' gets no letters ({s.eligible} eligible)." for s in strata if s.letters == 0]
    if exclude[0] and frame.stats["excluded_in_register"] < len(set(exclude[0])):
        warnings.append(_missing_exclusions(exclude[0], register.ids.to_pylist()))
    return InvitePrepareResult(plan_file, commitment, strata, frame.stats, tuple(warnings))


# ------------------------------------------------------------------------------------------------ draw

def _check_plan(raw: bytes, plan: Mapping[str, Any], file: Path) -> None:
    if plan.get("format") != PLAN_FORMAT:
        raise InputError(f"is not an invitation plan (format {plan.get('format')!r}, expected {PLAN_FORMAT!r}).",
                         file=file, hint="Give the invitation_plan.json that 'sortition invite prepare' wrote.")


def draw_invitations(plan_path: str | Path, register_path: str | Path, seed: str, *,
                     progress: ProgressReporter = NULL_PROGRESS) -> InviteDrawResult:
    """Draw the letters of a committed plan with the public seed; write the public record and private lists.

    One draw per commitment: the same seed again rewrites nothing; another seed is refused.
    """
    plan_file = Path(plan_path)
    folder = plan_file.parent
    seed = normalise_seed(seed)
    with locked(folder, "invite draw"):
        raw, plan = read_plan(plan_file)
        _check_plan(raw, plan, plan_file)
        record_path = folder / INVITATIONS_FILE
        if record_path.exists():
            _, old = read_invitations(record_path)
            if old.get("seed") != seed or old.get("commitment") != hashlib.sha256(raw).hexdigest():
                raise InputError(f"holds invitations drawn already (seed {old.get('seed')!r}); one draw per "
                                 "commitment.", file=record_path,
                                 hint="A new draw needs a new prepare and a new future seed.")
        try:
            body, units, selection = compute_record(raw, plan, folder, register_path, seed, progress=progress,
                                                    cache=private_dir(folder) / UNITS_CACHE_FILE)
        except VerificationError as exc:
            raise InputError(str(exc)) from None
        except MALFORMED as exc:  # a plan field of the wrong shape (the file was edited)
            raise InputError(f"the invitation plan is malformed: {malformed(exc)}", file=plan_file,
                             hint="Give the invitation_plan.json exactly as 'sortition invite prepare' wrote it."
                             ) from None
        atomic_write(record_path, canonical_json(body))
        inv_csv, res_csv = _write_private(folder, units, selection, plan)
        append_ledger(folder, {"event": "invite draw", "commitment": body["commitment"], "seed": body["seed"],
                               "record_sha256": hashlib.sha256(canonical_json(body)).hexdigest()})
    return InviteDrawResult(record_path, inv_csv, res_csv, body["letters_total"], body["reserves_total"],
                            body["commitment"], body["seed"])


def _write_private(folder: Path, units: DrawUnits, sel: InviteSelection, plan: Mapping[str, Any]
                   ) -> tuple[Path, Path]:
    def person(unit: int) -> int:
        return sel.addressee[unit] if sel.addressee else unit

    lists = {"invitations.csv": sel.invited, "invite_reserves.csv": sel.reserves}
    wanted = [int(units.person_rows[person(u)]) for g in lists.values() for group in g.values() for u in group]
    header, rows = fetch_rows(units.source, wanted)
    priv = private_dir(folder)
    paths = []
    for name, groups in lists.items():
        out = []
        for label in plan.get("strata_order", []):
            for n, u in enumerate(groups[label], 1):
                row = int(units.person_rows[person(u)])
                out.append([label, str(n), pseudonym_of(sel.unit_pseudonyms, u), str(row), *rows[row]])
        first = "letter" if name == "invitations.csv" else "reserve"
        columns = ["stratum", first, "pseudonym", "register_row", *header]
        # As the register came (its separator; UTF-8 with BOM so Excel shows accents), and as .xlsx.
        write_csv(priv / name, columns, out, mode=PRIVATE_FILE_MODE, overwrite=True,
                  delimiter=units.source.delimiter or ",", bom=True)
        write_xlsx((priv / name).with_suffix(".xlsx"), columns, out)
        os.chmod(priv / name, PRIVATE_FILE_MODE)
        paths.append(priv / name)
    return paths[0], paths[1]


__all__ = ["InviteDrawResult", "InvitePrepareResult", "draw_invitations", "prepare_invitations"]
