"""The register's ids as one arrow array (sortition/invite/ids.py) give exactly what the per-id Python code
gives: the same stripped ids, keys, duplicates and exclusions, and a draw byte for byte the same."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sortition.invite.units as units_module
from sortition.identity import id_key
from sortition.invite import draw_invitations, prepare_invitations
from sortition.invite.ids import check_keys, first_duplicate, id_array, id_key_array, in_set, packed, strip_ids
from sortition.invite.ranking import pseudonym_hex, pseudonyms_of
from sortition.records import SALT_FILE, private_dir

# Unicode spaces (NBSP, ideographic, en quad), full-width letters, combining accents, invisible characters,
# upper case, leading zeros, controls.
AWKWARD = [" 007", "007", "07 ", "0007", "\u00a0P1", "Ｐ2", "p3\u200b", "é4", "e\u03015x", "Q 6", "q\t7", "ß8",
           "İ9", "\u3000R10\u3000", "s\x0111", "\x1cT12", "U13\x85", "", "   ", "Ab\u2000", "ÄÖÜ", "ａｂｃ",
           "x\x00y", "Z" * 40]
ALPHABET = st.sampled_from(list("aAzZ09 \t_-.é\u0301\u00a0\u3000\u200bＰß\x00\x1c\x85İ"))
TEXTS = st.lists(st.text(ALPHABET, max_size=12) | st.text(max_size=20).filter(lambda t: t.isprintable()),
                 max_size=40)


def _first_duplicate_by_python(keys: list[str]) -> tuple[int, int] | None:
    seen: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        seen.setdefault(k, []).append(i)
    repeated = sorted(v for v in seen.values() if len(v) > 1)
    return (repeated[0][0], repeated[0][1]) if repeated else None


def _keyed_as_in_python(values: list[str]) -> tuple[Any, Any]:
    """The id array and its keys, after checking that stripping, keys and the first duplicate are the per-id
    Python rules'."""
    ids = id_array(values)
    assert strip_ids(ids).to_pylist() == [v.strip() for v in values]
    keys = id_key_array(ids)
    assert keys.to_pylist() == [id_key(v) for v in values]
    assert first_duplicate(keys) == _first_duplicate_by_python([id_key(v) for v in values])
    return ids, keys


@pytest.mark.parametrize("values", [AWKWARD, [], ["only"], ["A", "a"], ["x" * 17, "x" * 16 + "y", "x" * 17]])
def test_awkward_ids_are_stripped_keyed_and_compared_as_in_python(values: list[str]) -> None:
    _, keys = _keyed_as_in_python(values)
    wanted = {id_key(v) for v in values[::3]}
    assert in_set(keys, wanted).tolist() == [id_key(v) in wanted for v in values]


def _check_keys_by_python(values: list[str]) -> tuple[int | None, tuple[int, int] | None]:
    keys = [id_key(v) for v in values]
    if "" in keys:
        return keys.index(""), None
    return None, _first_duplicate_by_python(keys)


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_vectorised_ids_equal_the_per_id_rules(values: list[str]) -> None:
    ids, _ = _keyed_as_in_python(values)
    assert check_keys(ids) == _check_keys_by_python(values)


@pytest.mark.parametrize("values", [
    ["x", "y", "Y", "X"],                    # the first repeated key by its first position: x, not y
    ["P1", "p2", "ＰＩ", "pi", "P 1"],        # full-width and spaced forms of other ids
    ["AB", "ab", "Ab"], ["r0000001", "R0000002", "r0000002"], ["ok", "\u200b"], ["a", " ", "b"],
    [f"R{i:010d}" for i in range(300)] + ["r0000000150"],  # one length: the matrix path, lowered
])
def test_check_keys_finds_what_the_per_id_rules_find(values: list[str]) -> None:
    assert check_keys(id_array(values)) == _check_keys_by_python(values)


@settings(max_examples=50, deadline=None)
@given(TEXTS, st.integers(0, 5))
def test_packed_ids_hash_to_the_pseudonyms_of_their_strings(values: list[str], cut: int) -> None:
    ids = id_array(values).slice(min(cut, len(values)))  # a sliced array: its offsets do not start at 0
    names = ids.to_pylist()
    salt = b"0123456789abcdef"
    assert pseudonyms_of(packed(ids), salt, workers=1).tolist() == pseudonyms_of(names, salt, workers=1).tolist()
    assert [f"{p:016x}" for p in pseudonyms_of(packed(ids), salt, workers=1).tolist()] == [
        pseudonym_hex(salt, n) for n in names]


def _register(folder: Path) -> tuple[Path, Path]:
    """Awkward but valid ids (unique by key, none empty): Unicode, spaces around, leading zeros."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = [" 007", "0007", "\u00a0P1", "Ｐ2", "é4", "e\u03015x", "Q 6", "ß8", "İ9", "\u3000R10\u3000", "U13\x85",
           "Ab\u2000", "ÄÖÜ", "ａｂｃ", "Z" * 40, "00042", "42"]
    ids += [f"{i:05d}" for i in range(100, 160)]
    reg = folder / "register.csv"
    with open(reg, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "geboortedatum", "wijk", "postcode", "huisnummer"])
        for i, ident in enumerate(ids):
            w.writerow([ident, f"{1940 + i % 60}-0{1 + i % 9}-1{i % 10}", ("Noord", "Zuid")[i % 2],
                        f"20{i:02d} AB", str(i % 5 + 1)])
    plan = folder / "plan.json"
    plan.write_text(json.dumps({"letters": 12, "strata": ["wijk", "age_band"], "age_bands": [16, 50],
                                "reference_date": "2027-01-01", "min_age": 16, "reserves": 2,
                                "households": "one_person_per_address",
                                "columns": {"id": "id", "birth_date": "geboortedatum", "wijk": "wijk",
                                            "address": ["postcode", "huisnummer"]}}), encoding="utf-8")
    return reg, plan


def _draw(folder: Path, reg: Path, plan: Path) -> dict[str, bytes]:
    prep = prepare_invitations(reg, plan, folder / "out")
    draw_invitations(prep.plan_path, reg, "seed 1")
    out = folder / "out"
    return {name: (out / name).read_bytes() for name in
            ("invitation_plan.json", "invitations.json", "private/invitations.csv", "private/invite_reserves.csv")}


def test_packed_ids_draw_the_same_record_as_python_strings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reg, plan = _register(tmp_path / "a")
    packed_run = _draw(tmp_path / "a", reg, plan)
    salt = (private_dir(tmp_path / "a" / "out") / SALT_FILE).read_bytes()
    (tmp_path / "b").mkdir()
    shutil.copy(reg, tmp_path / "b" / "register.csv")
    shutil.copy(plan, tmp_path / "b" / "plan.json")
    (private_dir(tmp_path / "b" / "out") / SALT_FILE).write_bytes(salt)
    # The path before ids.py: one Python string per id, hashed as name.encode("utf-8").
    monkeypatch.setattr(units_module, "packed", lambda ids: ids.to_pylist() if isinstance(ids, pa.Array) else ids)
    strings_run = _draw(tmp_path / "b", tmp_path / "b" / "register.csv", tmp_path / "b" / "plan.json")
    assert packed_run == strings_run


@pytest.mark.parametrize("width", [1, 8, 11, 16, 32])
def test_ids_of_one_length_hash_as_the_general_path_does(width: int) -> None:
    from sortition.invite.ids import _hashes

    same = [f"{i:0{width}d}"[-width:] for i in range(50)]
    assert _hashes(id_array(same)).tolist() == _hashes(id_array([*same, "x" * (width + 1)])).tolist()[:-1]


@pytest.mark.parametrize(("values", "counted"), [
    (["1975-01-31", "2001-12-01", "1975-01-31", "1900-02-28"], True),   # dates
    (["20010203", "19991231", "20010203"], True),                      # BRP dates
    (["007", "070", "700", "007"], True),
    (["1975-01-31", "1975/01/31"], False),                             # other separators
    (["1975-01-31", "31-01-1975"], False),                             # same width, digits elsewhere
    (["1", "10", "2"], False), (["a", "b"], False), (["", ""], False),
])
def test_counted_columns_are_the_categoricals_pandas_makes(values: list[str], counted: bool) -> None:
    import pandas as pd

    from sortition.invite.fastread import _fixed_digits_categorical

    column = pa.chunked_array([pa.array(values[:2], pa.string()), pa.array(values[2:], pa.string())])
    fixed = _fixed_digits_categorical(column)
    assert (fixed is not None) == counted
    if fixed is not None:
        expected = pd.Categorical(values)
        assert list(fixed.categories) == list(expected.categories)
        assert fixed.codes.tolist() == expected.codes.tolist()
