"""The units a draw ranks, and the private cache that lets a draw skip reading the register again.

A :class:`DrawUnits` holds what the selection rule needs of a sampling frame: the stratum and the pseudonym of
every unit (person, or address under one_letter_per_address), the address of every eligible person, and the
register row of every eligible person (for the private mail-merge lists). :func:`units_from_frame` makes it
from a register read just now: one ``HMAC(salt, .)`` per unit, over the machine's cores.

``invite prepare`` computes it once and stores it in ``private/`` (:func:`write_units_cache`): the pseudonyms
do not depend on the seed, only on the salt, which prepare creates. ``invite draw`` then only checks the
register's SHA-256 against the plan, loads the cache and ranks the units with ``K`` (one more HMAC per unit)
instead of parsing the whole register again. The cache is used only when it states the very inputs the plan
committed to (register, salt, exclusions, settings, address rule) and this software version; otherwise, or when
it is missing or damaged, draw recomputes everything from the register. ``verify`` never reads it: the full
check recomputes from the register, so a draw from a wrong cache could not pass unnoticed.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sortition.invite.ids import packed
from sortition.invite.plan import HouseholdRule, InvitePlanSpec
from sortition.invite.ranking import pseudonyms_of
from sortition.invite.register import RegisterFile, SamplingFrame
from sortition.progress import NULL_PROGRESS, ProgressReporter
from sortition.version import software_version

UNITS_FORMAT = "sortition-invite-units/1"
_ARRAYS = ("unit_stratum", "unit_pseudonyms", "person_rows", "address", "person_pseudonyms")


@dataclass(frozen=True, eq=False)
class DrawUnits:
    """What the selection rule and the private lists need of a sampling frame.

    Attributes:
        labels: stratum labels in canonical order. source: the register file (for the private rows).
        unit_stratum: stratum index of each unit. unit_pseudonyms: uint64 pseudonym prefix of each unit.
        person_rows: register row number of each eligible person.
        address: household index of each eligible person (None without a household rule).
        person_pseudonyms: uint64 pseudonym of each eligible person (address mode, when computed for all);
            else ``person_ids`` gives the ids, hashed only for the residents of drawn addresses.
    """

    labels: tuple[str, ...]
    source: RegisterFile
    unit_stratum: np.ndarray
    unit_pseudonyms: np.ndarray
    person_rows: np.ndarray
    address: np.ndarray | None = None
    person_pseudonyms: np.ndarray | None = None
    person_ids: np.ndarray | None = None

    def units_per_stratum(self) -> dict[str, int]:
        counts = np.bincount(self.unit_stratum, minlength=len(self.labels))
        return {s: int(n) for s, n in zip(self.labels, counts, strict=True)}


def units_from_frame(frame: SamplingFrame, spec: InvitePlanSpec, salt: bytes, *, all_persons: bool = False,
                     progress: ProgressReporter = NULL_PROGRESS, workers: int | None = None) -> DrawUnits:
    """The units of ``frame`` with their pseudonyms.

    ``all_persons``: under one_letter_per_address, also hash every eligible person's id now (for the cache);
    otherwise only the residents of the drawn addresses are hashed, at selection.
    """
    register_ids = frame.register.ids
    everyone = len(frame.positions) == len(register_ids)  # positions are sorted: then they are 0..n-1
    ids = register_ids if everyone else register_ids.take(frame.positions)  # arrow: bytes, not str objects
    rows = np.asarray(frame.register.row_numbers, dtype=np.int64)[frame.positions]
    if spec.households is HouseholdRule.ONE_LETTER_PER_ADDRESS:
        assert frame.address_first is not None
        pseud = pseudonyms_of(frame.address_keys(), salt, prefix=b"household\x00", progress=progress,
                              workers=workers)
        persons = pseudonyms_of(packed(ids), salt, progress=progress, workers=workers) if all_persons else None
        return DrawUnits(frame.labels, frame.register.file, frame.stratum[frame.address_first], pseud, rows,
                         frame.address, persons, None if all_persons else ids.to_numpy(zero_copy_only=False))
    pseud = pseudonyms_of(packed(ids), salt, progress=progress, workers=workers)
    return DrawUnits(frame.labels, frame.register.file, frame.stratum, pseud, rows, frame.address)


# ----------------------------------------------------------------------------------------------- cache

def cache_key(*, register_sha256: str, salt_sha256: str, exclude_ids_sha256: str, settings: Mapping[str, Any],
              address_rule: int) -> str:
    """What a cache was made from; a draw uses a cache only when its plan gives the same key."""
    text = json.dumps({"format": UNITS_FORMAT, "software_version": software_version(), "register": register_sha256,
                       "salt": salt_sha256, "exclude": exclude_ids_sha256, "settings": settings,
                       "address_rule": address_rule}, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def plan_cache_key(plan: Mapping[str, Any], address_rule: int) -> str:
    """:func:`cache_key` of a committed plan."""
    return cache_key(register_sha256=str(plan.get("register", {}).get("sha256")),
                     salt_sha256=str(plan.get("salt_sha256")), exclude_ids_sha256=str(plan.get("exclude_ids_sha256")),
                     settings=plan.get("settings", {}), address_rule=address_rule)


def write_units_cache(path: Path, units: DrawUnits, key: str) -> None:
    """Store ``units`` (private, 0600; replaced atomically). A failure to write is not an error: draw then
    reads the register again."""
    if units.person_ids is not None or units.source.table is not None:
        return  # ids not hashed yet, or an Excel register (small: nothing to gain)
    src = units.source
    meta = {"key": key, "labels": list(units.labels), "path": src.path, "encoding": src.encoding,
            "delimiter": src.delimiter, "header": list(src.header), "records": src.records}
    arrays = {name: getattr(units, name) for name in _ARRAYS if getattr(units, name) is not None}
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8), **arrays)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def read_units_cache(path: Path, key: str) -> DrawUnits | None:
    """The cached units when the cache exists, is whole (zip CRC) and was made from ``key``; else None."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            if meta.get("key") != key:
                return None
            arrays = {name: data[name] for name in _ARRAYS if name in data.files}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError):
        return None
    source = RegisterFile(path=str(meta["path"]), encoding=meta["encoding"], delimiter=meta["delimiter"],
                          header=tuple(meta["header"]), records=int(meta["records"]))
    return DrawUnits(labels=tuple(meta["labels"]), source=source, **arrays)


__all__ = ["DrawUnits", "cache_key", "plan_cache_key", "read_units_cache", "units_from_frame", "write_units_cache"]
