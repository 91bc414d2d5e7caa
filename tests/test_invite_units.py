"""Stage 1 at scale: the units prepare caches for draw, and hashing over several processes, give exactly the
serial result computed from the register."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import sortition.invite.ranking as ranking
import sortition.invite.selection as selection
from sortition.invite import draw_invitations, prepare_invitations, verify_invitations
from sortition.invite.ranking import hash_units, pseudonyms_of, ranks_of
from sortition.invite.register import build_frame, read_register
from sortition.invite.selection import select_invitees, select_units, spec_from_plan
from sortition.invite.units import read_units_cache, units_from_frame
from sortition.records import UNITS_CACHE_FILE, private_file

HEADER = ["id", "geboortedatum", "wijk", "postcode", "huisnummer", "naam"]
BASE = {
    "letters": 9,
    "strata": ["wijk", "age_band"],
    "columns": {"id": "id", "birth_date": "geboortedatum", "wijk": "wijk", "address": ["postcode", "huisnummer"]},
    "age_bands": [16, 40, 65],
    "reference_date": "2027-01-01",
    "min_age": 16,
    "reserves": 1,
}
PLANS = {
    "none": {**BASE, "households": "none"},
    "one_person_per_address": {**BASE, "households": "one_person_per_address"},
    "one_letter_per_address": {**BASE, "strata": ["wijk"], "households": "one_letter_per_address"},
}


def _write(folder: Path, plan: dict, n: int = 240) -> tuple[Path, Path]:
    """n people, three per address; the district is the address's (so every household rule accepts it)."""
    folder.mkdir(parents=True, exist_ok=True)
    reg = folder / "register.csv"
    with open(reg, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER)
        for i in range(n):
            home = i // 3
            born = f"{1930 + (i * 7) % 80}-0{1 + i % 9}-1{i % 10}"
            w.writerow([f"P{i:04d}", born, ("Noord", "Zuid", "Oost")[home % 3], f"20{home // 7:02d} AB",
                        str(home % 7 + 1), f"Naam {i}"])
    plan_path = folder / "plan.yaml"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")  # JSON is YAML
    return reg, plan_path


def _outputs(folder: Path) -> dict[str, bytes]:
    names = ("invitations.json", "private/invitations.csv", "private/invite_reserves.csv")
    return {name: (folder / name).read_bytes() for name in names}


@pytest.mark.parametrize("households", sorted(PLANS))
def test_draw_from_the_cache_equals_draw_from_the_register(tmp_path: Path, households: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    reg, plan_path = _write(tmp_path / "in", PLANS[households])
    cached = tmp_path / "cached"
    prep = prepare_invitations(reg, plan_path, cached)
    assert private_file(cached, UNITS_CACHE_FILE).is_file()
    assert private_file(cached, UNITS_CACHE_FILE).stat().st_mode & 0o077 == 0  # private, like the salt
    fresh = tmp_path / "fresh"
    shutil.copytree(cached, fresh)
    private_file(fresh, UNITS_CACHE_FILE).unlink()

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("draw parsed the register although prepare cached its units")

    with monkeypatch.context() as m:
        m.setattr(selection, "read_register", fail)
        draw_invitations(prep.plan_path, reg, "seed 42")
    draw_invitations(fresh / "invitation_plan.json", reg, "seed 42")  # no cache: reads the register
    assert _outputs(cached) == _outputs(fresh)
    report = verify_invitations(cached / "invitations.json", register=reg)
    assert report.ok, report


def test_a_cache_of_other_inputs_or_damaged_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reg, plan_path = _write(tmp_path / "in", PLANS["one_person_per_address"])
    folder = tmp_path / "out"
    prep = prepare_invitations(reg, plan_path, folder)
    reference = tmp_path / "reference"
    shutil.copytree(folder, reference)
    draw_invitations(reference / "invitation_plan.json", reg, "s")
    cache = private_file(folder, UNITS_CACHE_FILE)
    # A cache made for another plan (other letters) in a folder where the plan was then replaced.
    other_plan = tmp_path / "other.yaml"
    other_plan.write_text(json.dumps({**PLANS["one_person_per_address"], "letters": 12}), encoding="utf-8")
    prepare_invitations(reg, other_plan, tmp_path / "other")
    shutil.copy(private_file(tmp_path / "other", UNITS_CACHE_FILE), cache)
    plan = json.loads(prep.plan_path.read_text())
    from sortition.invite.units import plan_cache_key

    assert read_units_cache(cache, plan_cache_key(plan, plan["address_rule"])) is None
    draw_invitations(prep.plan_path, reg, "s")
    assert _outputs(folder) == _outputs(reference)
    # A damaged cache: the zip's CRC fails, draw reads the register.
    data = bytearray(cache.read_bytes())
    data[len(data) // 2] ^= 0xFF
    cache.write_bytes(bytes(data))
    assert read_units_cache(cache, plan_cache_key(plan, plan["address_rule"])) is None
    (folder / "invitations.json").unlink()
    draw_invitations(prep.plan_path, reg, "s")
    assert _outputs(folder) == _outputs(reference)


@pytest.mark.parametrize("households", sorted(PLANS))
def test_parallel_selection_equals_serial(tmp_path: Path, households: str, monkeypatch: pytest.MonkeyPatch) -> None:
    reg, plan_path = _write(tmp_path / "in", PLANS[households], n=300)
    prep = prepare_invitations(reg, plan_path, tmp_path / "out")
    plan = json.loads(prep.plan_path.read_text())
    spec = spec_from_plan(plan)
    frame = build_frame(read_register(reg, spec), spec)
    key, salt = os.urandom(32), os.urandom(32)
    serial = select_units(units_from_frame(frame, spec, salt, workers=1), spec, plan, key, salt)
    monkeypatch.setattr(ranking, "PARALLEL_MIN", 10)
    monkeypatch.setattr(ranking, "_CHUNK", 7)
    units = units_from_frame(frame, spec, salt, all_persons=True, workers=2)
    parallel = select_units(units, spec, plan, key, salt)
    whole = select_invitees(frame, spec, plan, key, salt)
    for got in (parallel, whole):
        assert got.invited == serial.invited and got.reserves == serial.reserves
        assert (got.unit_pseudonyms == serial.unit_pseudonyms).all()
        assert got.addressee == serial.addressee and got.person_pseudonyms == serial.person_pseudonyms


def test_pseudonyms_and_ranks_split_equal_the_combined_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranking, "PARALLEL_MIN", 10)
    monkeypatch.setattr(ranking, "_CHUNK", 7)
    names = [f"id{i}" for i in range(61)] + ["é ü 漢"]
    salt, key = os.urandom(32), os.urandom(32)
    pseud, ranks = hash_units(names, salt, key, workers=1)
    for workers in (1, 2):
        p = pseudonyms_of(names, salt, workers=workers)
        assert p.dtype == np.uint64 and (p == pseud).all()
        assert (ranks_of(p, key, workers=workers) == ranks).all()
    assert len(ranks_of(np.zeros(0, dtype=np.uint64), key)) == 0


# ------------------------------------------------------------------------------------------ the reader

READER_PLAN = {**BASE, "households": "one_person_per_address"}
ODD_FILES = {
    "plain": "id,geboortedatum,wijk,postcode,huisnummer,naam\n{rows}",
    "bom and CRLF": "\ufeffid,geboortedatum,wijk,postcode,huisnummer,naam\r\n{rows_crlf}",
    "lone CR": "id,geboortedatum,wijk,postcode,huisnummer,naam\r{rows_cr}",
    "quotes": 'id,geboortedatum,wijk,postcode,huisnummer,naam\n"Q1",1980-01-01,"No""rd"," 2000 AB ",1,"a, b"\n{rows}',
    "quoted line break": 'id,geboortedatum,wijk,postcode,huisnummer,naam\nQ1,1980-01-01,Noord,2000 AB,1,"a\nb"\n{rows}',
    "blank lines and spaces": ("id,geboortedatum,wijk,postcode,huisnummer,naam\n\n Q1 ,1980-01-01,Noord ,2000 AB,1,x\n"
                               "{rows}\n\n"),
    "accents": "id,geboortedatum,wijk,postcode,huisnummer,naam\nQé1,1980-01-01,Zuidë,2000 AB,1,Müller\n{rows}",
    "semicolons": "id;geboortedatum;wijk;postcode;huisnummer;naam\n{rows_semi}",
}


def _rows(n: int = 30, sep: str = ",", end: str = "\n") -> str:
    return "".join(sep.join([f"P{i}", f"19{50 + i % 40}-0{1 + i % 9}-1{i % 10}", ("Noord", "Zuid")[i % 2],
                             f"2000 A{chr(65 + i % 5)}", str(i % 4 + 1), f"N{i}"]) + end for i in range(n))


def _same_register(a: object, b: object) -> None:
    for field in ("sha256", "encoding", "delimiter", "header", "records"):
        assert getattr(a, field) == getattr(b, field), field
    assert list(a.ids) == list(b.ids) and list(a.row_numbers) == list(b.row_numbers)  # type: ignore[attr-defined]
    assert list(a.columns) == list(b.columns)  # type: ignore[attr-defined]
    for name, col in a.columns.items():  # type: ignore[attr-defined]
        other = b.columns[name]  # type: ignore[attr-defined]
        assert list(col.categories) == list(other.categories) and (col.codes == other.codes).all(), name


@pytest.mark.parametrize("kind", sorted(ODD_FILES))
def test_the_fast_reader_reads_what_pandas_reads(tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import sortition.invite.register as register

    text = ODD_FILES[kind].format(rows=_rows(), rows_crlf=_rows(end="\r\n"), rows_cr=_rows(end="\r"),
                                  rows_semi=_rows(sep=";"))
    path = tmp_path / "register.csv"
    path.write_bytes(text.encode("utf-8"))
    spec = spec_from_plan({"settings": READER_PLAN})
    used: list[bool] = []
    arrow = register._read_csv_arrow

    def spy(*args: object) -> object:
        frame = arrow(*args)  # type: ignore[arg-type]
        used.append(frame is not None)
        return frame

    monkeypatch.setattr(register, "_read_csv_arrow", spy)
    fast = read_register(path, spec)
    assert used == [True]  # each of these files is one the fast reader takes
    monkeypatch.setattr(register, "_read_csv_arrow", lambda *args: None)
    _same_register(fast, read_register(path, spec))


@pytest.mark.parametrize("text", [
    "id,geboortedatum,wijk,postcode,huisnummer,naam\nP1,1980-01-01,Noord,2000 AB,1,x,extra\n",  # too many cells
    "id,geboortedatum,wijk,postcode,huisnummer,naam\nP1,1980-01-01\n",  # too few
])
def test_rows_the_fast_reader_refuses_keep_the_pandas_message(tmp_path: Path, text: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import sortition.invite.register as register

    path = tmp_path / "register.csv"
    path.write_text(text + _rows(), encoding="utf-8")
    spec = spec_from_plan({"settings": READER_PLAN})

    def outcome() -> str:
        try:
            reg = read_register(path, spec)
            build_frame(reg, spec)
        except Exception as exc:  # the message is what is compared
            return f"{type(exc).__name__}: {exc}"
        return f"read {reg.records} records"

    fast = outcome()
    monkeypatch.setattr(register, "_read_csv_arrow", lambda *args: None)
    assert fast == outcome()


def test_a_cp1252_byte_further_down_goes_to_the_pandas_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sortition.invite.register as register

    path = tmp_path / "register.csv"
    path.write_bytes(("id,geboortedatum,wijk,postcode,huisnummer,naam\n" + _rows()).encode() +
                     b"Q1,1980-01-01,Noord,2000 AB,1,M\xfcller\n")
    called: list[object] = []
    monkeypatch.setattr(register, "_read_csv_arrow", lambda *args: called.append(args))
    reg = read_register(path, spec_from_plan({"settings": READER_PLAN}))
    assert called == [] and reg.encoding == "cp1252" and reg.records == 31


def test_households_are_numbered_as_np_unique_numbers_them() -> None:
    from sortition.invite.register import _dense_unique

    rng = np.random.default_rng(7)
    for n, top in ((1, 1), (50, 3), (1000, 40), (1000, 5000)):
        values = rng.integers(0, top, n)
        _, first, inverse = np.unique(values, return_index=True, return_inverse=True)
        got_inverse, got_first = _dense_unique(values)
        assert (got_inverse == inverse).all() and (got_first == first).all()
    assert [len(a) for a in _dense_unique(np.zeros(0, dtype=np.int64))] == [0, 0]
