"""Stage 1 invitations: allocation, household rules, order-freedom, determinism, verify, CLI and input errors."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_bad_input import one_red_line
from typer.testing import CliRunner

from cli.app import app
from quotas.errors import InputError
from sortition import verify
from sortition.identity import ADDRESS_RULE
from sortition.invite import draw_invitations, prepare_invitations, verify_invitations
from sortition.invite.plan import largest_remainder_letters, load_plan, plan_from_mapping
from sortition.invite.ranking import exact_order, hash_units
from sortition.invite.register import _HEAD, Register, build_frame, read_register
from sortition.invite.selection import address_rule
from sortition.pseudonyms import household_pseudonym, pseudonym
from sortition.randomness import order_by_rank

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
HEADER = ["id", "geboortedatum", "wijk", "postcode", "huisnummer", "naam"]
PLAN = {
    "letters": 6,
    "strata": ["wijk", "age_band"],
    "columns": {"id": "id", "birth_date": "geboortedatum", "wijk": "wijk", "address": ["postcode", "huisnummer"]},
    "age_bands": [16, 40],
    "reference_date": "2027-01-01",
    "min_age": 16,
    "households": "one_person_per_address",
}


def _people(n: int = 60) -> list[list[str]]:
    rows = []
    for i in range(n):
        year = 1940 + (i * 7) % 70
        rows.append([f"P{i:03d}", f"{year}-0{1 + i % 9}-1{i % 10}", ("Noord", "Zuid")[i % 2],
                     f"2000 A{chr(65 + (i // 3) % 26)}", str(i // 3 % 5 + 1), f"Naam {i}"])
    return rows


def _write(folder: Path, rows: list[list[str]], plan: dict | None = None, *, sep: str = ",",
           name: str = "register.csv") -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    reg = folder / name
    with open(reg, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=sep, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)
    plan_path = folder / "plan.yaml"
    plan_path.write_text(json.dumps(plan or PLAN), encoding="utf-8")  # JSON is YAML
    return reg, plan_path


def _csv_rows(path: Path) -> list[dict[str, str]]:
    """A private list: UTF-8 with BOM, separated as the register was."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
        fh.seek(0)
        if fh.read(1) != "\ufeff":
            fh.seek(0)
        return list(csv.DictReader(fh, delimiter=";" if first.count(";") > first.count(",") else ","))


def _run(tmp: Path, rows: list[list[str]], plan: dict | None = None, seed: str = "seed 1") -> Path:
    reg, plan_path = _write(tmp, rows, plan)
    out = tmp / "out"
    prep = prepare_invitations(reg, plan_path, out)
    draw_invitations(prep.plan_path, reg, seed)
    return out


# ------------------------------------------------------------------------------------------ allocation

@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=12).filter(lambda s: sum(s) > 0),
       st.integers(0, 5000))
def test_largest_remainder_allocation_is_exact(sizes: list[int], total: int) -> None:
    got = largest_remainder_letters({f"s{i}": n for i, n in enumerate(sizes)}, total)
    assert sum(got.values()) == total
    whole = sum(sizes)
    for i, n in enumerate(sizes):
        assert abs(got[f"s{i}"] - Fraction(total * n, whole)) < 1


@given(st.lists(st.tuples(st.integers(1, 5000), st.integers(1, 100)), min_size=1, max_size=10),
       st.integers(0, 3000))
def test_response_correction_sums_to_total(strata: list[tuple[int, int]], total: int) -> None:
    sizes = {f"s{i}": n for i, (n, _) in enumerate(strata)}
    rates = {f"s{i}": Fraction(r, 100) for i, (_, r) in enumerate(strata)}
    got = largest_remainder_letters(sizes, total, rates)
    assert sum(got.values()) == total
    whole = sum(Fraction(n) / rates[s] for s, n in sizes.items())
    for s, n in sizes.items():  # expected respondents proportional: letters ~ size / rate
        assert abs(got[s] - total * (Fraction(n) / rates[s]) / whole) < 1


def test_response_correction_gives_more_letters_to_low_responders() -> None:
    got = largest_remainder_letters({"young": 100, "old": 100}, 110, {"young": Fraction(1, 100),
                                                                     "old": Fraction(10, 100)})
    assert got == {"young": 100, "old": 10}


# --------------------------------------------------------------------------------- hashing and ranking

def test_fast_hmac_equals_standard_pseudonyms_and_ranks() -> None:
    salt, key = os.urandom(32), os.urandom(32)
    names = [f"id{i}" for i in range(50)] + ["é ü 漢"]
    pseud, ranks = hash_units(names, salt, key, workers=1)
    for name, p, r in zip(names, pseud, ranks, strict=True):
        assert f"{int(p):016x}" == pseudonym(salt, name)
        full = hmac.new(key, b"rank\x00" + pseudonym(salt, name).encode(), hashlib.sha256).digest()
        assert int(r) == int.from_bytes(full[:8], "big")
    hp, _ = hash_units(["2000 aa | 1"], salt, key, prefix=b"household\x00", workers=1)
    assert f"{int(hp[0]):016x}" == household_pseudonym(salt, "2000 aa | 1")
    order = exact_order(pseud, ranks, key)
    assert [f"{int(pseud[i]):016x}" for i in order] == order_by_rank(key, [f"{int(p):016x}" for p in pseud])


def test_exact_order_resolves_equal_prefixes() -> None:
    key = os.urandom(32)
    pseud = np.array([3, 1, 2], dtype=np.uint64)
    ranks = np.zeros(3, dtype=np.uint64)  # all prefixes equal: the full ranks decide
    order = exact_order(pseud, ranks, key)
    assert [f"{int(pseud[i]):016x}" for i in order] == order_by_rank(key, [f"{int(p):016x}" for p in pseud])


# ----------------------------------------------------------------------------------------- households

def test_one_person_per_address_holds(tmp_path: Path) -> None:
    out = _run(tmp_path, _people(), {**PLAN, "letters": 10, "reserves": 1})
    rows = _csv_rows(out / "private" / "invitations.csv")
    reserves = _csv_rows(out / "private" / "invite_reserves.csv")
    addresses = [(r["postcode"], r["huisnummer"]) for r in rows + reserves]
    assert len(rows) == 10
    assert len(addresses) == len(set(addresses))


def test_one_letter_per_address_chooses_one_eligible_resident(tmp_path: Path) -> None:
    plan = {**PLAN, "strata": ["wijk"], "households": "one_letter_per_address", "letters": 4}
    rows = _people()
    for r in rows:  # the whole address in one wijk
        r[2] = "Noord" if r[3] < "2000 AM" else "Zuid"
    out = _run(tmp_path, rows, plan)
    letters = _csv_rows(out / "private" / "invitations.csv")
    assert len(letters) == 4
    assert len({(r["postcode"], r["huisnummer"]) for r in letters}) == 4
    assert all(int(r["geboortedatum"][:4]) <= 2010 for r in letters)  # eligible: 16 or older
    record = json.loads((out / "invitations.json").read_text())
    assert record["unit"] == "address"
    assert all(len(v["addressees"]) == len(v["invited"]) for v in record["strata"].values())


def test_one_letter_per_address_refuses_person_level_strata(tmp_path: Path) -> None:
    reg, plan_path = _write(tmp_path, _people(), {**PLAN, "households": "one_letter_per_address"})
    with pytest.raises(InputError, match="different strata"):
        prepare_invitations(reg, plan_path, tmp_path / "out")


# ------------------------------------------------------------------------------ order and determinism

def _selected(register: Path, plan_file: Path, key: bytes, salt: bytes) -> dict[str, list[str]]:
    from sortition.invite.register import build_frame, read_register
    from sortition.invite.selection import select_invitees, spec_from_plan

    plan = json.loads(plan_file.read_text())
    spec = spec_from_plan(plan)
    frame = build_frame(read_register(register, spec), spec)
    sel = select_invitees(frame, spec, plan, key, salt)
    return {s: [f"{int(sel.unit_pseudonyms[u]):016x}" for u in sel.invited[s] + sel.reserves[s]]
            for s in frame.labels}


@settings(max_examples=6, deadline=None)
@given(st.randoms(use_true_random=False))
def test_row_order_does_not_matter(tmp_path_factory: pytest.TempPathFactory, rnd) -> None:  # type: ignore[no-untyped-def]
    # Shuffling the rows changes the file's SHA-256 and so the commitment; with the same key K and salt the
    # letters must be the same.
    rows = _people()
    base = tmp_path_factory.mktemp("a")
    reg, plan_path = _write(base, rows)
    prep = prepare_invitations(reg, plan_path, base / "out")
    key, salt = os.urandom(32), os.urandom(32)
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    other = tmp_path_factory.mktemp("b")
    reg2, _ = _write(other, shuffled)
    assert _selected(reg2, prep.plan_path, key, salt) == _selected(reg, prep.plan_path, key, salt)


def test_same_seed_same_letters_across_processes(tmp_path: Path) -> None:
    reg, plan_path = _write(tmp_path, _people())
    out = tmp_path / "out"
    prep = prepare_invitations(reg, plan_path, out)
    code = ("import sys, json; from sortition.invite import draw_invitations; "
            "r = draw_invitations(sys.argv[1], sys.argv[2], 'seed 1'); print(r.record_path)")
    records = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", code, str(prep.plan_path), str(reg)], check=True, env=env,
                       capture_output=True, cwd=ROOT)
        records.append((out / "invitations.json").read_bytes())
    assert records[0] == records[1]


def test_prepare_is_a_pure_function_of_its_inputs(tmp_path: Path) -> None:
    reg, plan_path = _write(tmp_path, _people())
    first = prepare_invitations(reg, plan_path, tmp_path / "out")
    again = prepare_invitations(reg, plan_path, tmp_path / "out")
    assert first.commitment == again.commitment


def test_other_seed_after_a_draw_is_refused(tmp_path: Path) -> None:
    out = _run(tmp_path, _people())
    with pytest.raises(InputError, match="one draw per commitment"):
        draw_invitations(out / "invitation_plan.json", tmp_path / "register.csv", "another seed")


# ---------------------------------------------------------------------------------------------- verify

def test_verify_passes_and_fails_on_tamper(tmp_path: Path) -> None:
    out = _run(tmp_path, _people())
    record = out / "invitations.json"
    assert verify(record).ok
    full = verify(record, register=tmp_path / "register.csv")
    assert full.ok and any("recomputation" in c.name for c in full.checks)
    data = json.loads(record.read_text())
    label = next(iter(data["strata"]))
    data["strata"][label]["invited"][0] = "0" * 16
    record.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    assert verify(record).ok  # counts and pseudonyms still look fine without the register ...
    report = verify(record, register=tmp_path / "register.csv")
    assert not report.ok  # ... the recomputation catches it
    assert "recomputation" in (report.failed.name if report.failed else "")


def test_verify_catches_a_changed_plan(tmp_path: Path) -> None:
    out = _run(tmp_path, _people())
    plan_file = out / "invitation_plan.json"
    plan = json.loads(plan_file.read_text())
    plan["seed_source"] = "something else"
    plan_file.write_text(json.dumps(plan, indent=1, sort_keys=True) + "\n")
    report = verify_invitations(out / "invitations.json")
    assert not report.ok and report.failed is not None and report.failed.name == "commitment"


def test_verify_catches_a_wrong_allocation(tmp_path: Path) -> None:
    out = _run(tmp_path, _people())
    record = json.loads((out / "invitations.json").read_text())
    plan_file = out / "invitation_plan.json"
    plan = json.loads(plan_file.read_text())
    first, second = plan["strata_order"][:2]
    plan["strata"][first]["letters"] += 1
    plan["strata"][second]["letters"] -= 1
    data = (json.dumps(plan, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()
    plan_file.write_bytes(data)
    record["commitment"] = hashlib.sha256(data).hexdigest()
    (out / "invitations.json").write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    report = verify_invitations(out / "invitations.json")
    assert not report.ok and report.failed is not None and "allocation" in report.failed.name


# ------------------------------------------------------------------------------------------------- CLI

def test_cli_prepare_draw_verify(tmp_path: Path) -> None:
    reg, plan_path = _write(tmp_path, _people(), sep=";")
    runner = CliRunner()
    out = tmp_path / "out"
    res = runner.invoke(app, ["invite", "prepare", str(reg), str(plan_path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Commitment" in res.output
    res = runner.invoke(app, ["invite", "draw", str(out / "invitation_plan.json"), "--register", str(reg),
                              "--seed", "dice 3 5 1"])
    assert res.exit_code == 0, res.output
    assert oct((out / "private" / "invitations.csv").stat().st_mode & 0o777) == "0o600"
    assert oct((out / "private").stat().st_mode & 0o777) == "0o700"
    res = runner.invoke(app, ["verify", str(out / "invitations.json"), "--register", str(reg)])
    assert res.exit_code == 0, res.output
    # A folder drawn already is refused before the inputs are even read; elsewhere a missing file is named.
    res = runner.invoke(app, ["invite", "prepare", str(tmp_path / "missing.csv"), str(plan_path), "--out", str(out)])
    assert res.exit_code == 2 and "never replaced" in res.output
    res = runner.invoke(app, ["invite", "prepare", str(tmp_path / "missing.csv"), str(plan_path), "--out",
                              str(tmp_path / "new")])
    assert res.exit_code == 2 and "not found" in res.output


def test_examples_run(tmp_path: Path) -> None:
    for name in ("schalkwijk-trees", "veiligheid"):
        reg = EXAMPLES / name / "register.csv"
        prep = prepare_invitations(reg, EXAMPLES / name / "plan.yaml", tmp_path / name)
        result = draw_invitations(prep.plan_path, reg, "oefening")
        assert result.letters == sum(s.letters for s in prep.strata)
        assert verify(result.record_path, register=reg).ok


# ---------------------------------------------------------------------------------------------- errors

def _error(tmp_path: Path, rows: list[list[str]], plan: dict | None = None) -> str:
    reg, plan_path = _write(tmp_path, rows, plan)
    with pytest.raises(InputError) as info:
        prepare_invitations(reg, plan_path, tmp_path / "out")
    return str(info.value)


def test_error_missing_column(tmp_path: Path) -> None:
    plan = {**PLAN, "columns": {**PLAN["columns"], "wijk": "buurt"}}
    message = _error(tmp_path, _people(), plan)
    assert "no column 'buurt'" in message and "row 1" in message


def test_error_unparseable_date_names_its_row(tmp_path: Path) -> None:
    rows = _people()
    rows[4][1] = "31-31-1980"
    message = _error(tmp_path, rows)
    assert "row 6" in message and "geboortedatum" in message and "31-31-1980" in message


def test_error_empty_stratum(tmp_path: Path) -> None:
    plan = {**PLAN, "strata": ["wijk"], "letters": {"Noord": 3, "Oost": 2}}
    assert "'letters: Oost'" in _error(tmp_path, _people(), plan) and "empty" in _error(tmp_path, _people(), plan)


def test_error_more_letters_than_people(tmp_path: Path) -> None:
    plan = {**PLAN, "households": "none", "letters": 1000}
    assert "only" in _error(tmp_path, _people(), plan)


def test_error_duplicate_id(tmp_path: Path) -> None:
    rows = _people()
    rows[7][0] = rows[2][0]
    message = _error(tmp_path, rows)
    assert "rows 4 and 9" in message


def test_error_empty_stratum_value(tmp_path: Path) -> None:
    rows = _people()
    rows[3][2] = ""
    message = _error(tmp_path, rows)
    assert "row 5" in message and "wijk" in message


def test_error_bad_plan_keys() -> None:
    with pytest.raises(InputError, match="unknown key"):
        plan_from_mapping({**PLAN, "letter": 5})
    with pytest.raises(InputError, match="households"):
        plan_from_mapping({**PLAN, "households": "one_per_flat"})
    with pytest.raises(InputError, match="reference_date"):
        plan_from_mapping({k: v for k, v in PLAN.items() if k != "reference_date"})


def test_exclusion_list_removes_people(tmp_path: Path) -> None:
    rows = _people()
    (tmp_path / "out_list.csv").write_text("id\n" + "\n".join(r[0] for r in rows[:50]) + "\n")
    plan = {**PLAN, "strata": ["wijk"], "households": "none", "letters": 4, "exclude": "out_list.csv"}
    out = _run(tmp_path, rows, plan)
    letters = _csv_rows(out / "private" / "invitations.csv")
    assert {r["id"] for r in letters} <= {r[0] for r in rows[50:]}


def test_excel_register_gives_the_same_letters_as_csv(tmp_path: Path) -> None:
    import openpyxl

    rows = _people()
    reg, plan_path = _write(tmp_path, rows)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    xlsx = tmp_path / "register.xlsx"
    wb.save(xlsx)
    prep = prepare_invitations(reg, plan_path, tmp_path / "out")
    key, salt = os.urandom(32), os.urandom(32)
    assert _selected(xlsx, prep.plan_path, key, salt) == _selected(reg, prep.plan_path, key, salt)
    result = draw_invitations(prepare_invitations(xlsx, plan_path, tmp_path / "x").plan_path, xlsx, "seed")
    assert len(_csv_rows(result.invitations_csv)) == 6


def test_blank_lines_and_padded_ids_keep_row_numbers(tmp_path: Path) -> None:
    rows = _people()
    rows[0][0] = "  P000 "
    rows[9][1] = "not a date"  # data row 10: spreadsheet row 11, plus one for the blank line above it = 12
    reg, plan_path = _write(tmp_path, rows)
    lines = reg.read_text().splitlines()
    lines.insert(4, "")  # after data row 3
    reg.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match="row 12"):
        prepare_invitations(reg, plan_path, tmp_path / "out")
    rows[9][1] = "1990-01-01"
    reg, plan_path = _write(tmp_path, rows)
    lines = reg.read_text().splitlines()
    lines.insert(4, "")
    reg.write_text("\n".join(lines) + "\n")
    result = draw_invitations(prepare_invitations(reg, plan_path, tmp_path / "out").plan_path, reg, "seed")
    letters = _csv_rows(result.invitations_csv)
    lines = reg.read_text().splitlines()
    for r in letters:  # register_row is the spreadsheet row of that person
        assert lines[int(r["register_row"]) - 1].split(",")[0].strip() == r["id"].strip()


def test_error_empty_id(tmp_path: Path) -> None:
    rows = _people()
    rows[5][0] = ""
    assert "row 7" in _error(tmp_path, rows) and "id is empty" in _error(tmp_path, rows)


def test_letters_per_stratum_value_are_split_over_the_other_columns(tmp_path: Path) -> None:
    reg, plan_path = _write(tmp_path, _people(), {**PLAN, "households": "none", "letters": {"Noord": 5, "Zuid": 2}})
    prep = prepare_invitations(reg, plan_path, tmp_path / "out")
    per_wijk = {w: sum(s.letters for s in prep.strata if s.values[0] == w) for w in ("Noord", "Zuid")}
    assert per_wijk == {"Noord": 5, "Zuid": 2}
    assert all(s.letters <= s.eligible for s in prep.strata)


def test_library_does_not_import_the_terminal_stack() -> None:
    code = "import sys, sortition.invite; print(any(m in sys.modules for m in ('typer', 'rich', 'ortools')))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_parallel_hashing_equals_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import sortition.invite.ranking as ih

    monkeypatch.setattr(ih, "PARALLEL_MIN", 10)
    monkeypatch.setattr(ih, "_CHUNK", 7)
    names = [f"id{i}" for i in range(50)]
    salt, key = os.urandom(32), os.urandom(32)
    one = hash_units(names, salt, key, workers=1)
    two = hash_units(names, salt, key, workers=2)
    assert all((a == b).all() for a, b in zip(one, two, strict=True))


STRASSE_HEADER = ["id", "geboortedatum", "wijk", "straße", "huisnummer", "naam;bijnaam"]
STRASSE_PLAN = dict(PLAN, columns={"id": "id", "birth_date": "geboortedatum", "wijk": "wijk",
                                   "address": ["straße", "huisnummer"]})


def _read_strasse_register(folder: Path, rows: list[list[str]]) -> tuple[Path, Register]:
    """Write ``rows`` under :data:`STRASSE_HEADER` as UTF-8 without BOM, and read it with the fast reader."""
    reg = folder / "register.csv"
    with open(reg, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=",", lineterminator="\n")
        w.writerow(STRASSE_HEADER)
        w.writerows(rows)
    plan_path = folder / "plan.yaml"
    plan_path.write_text(json.dumps(STRASSE_PLAN), encoding="utf-8")
    return reg, read_register(reg, load_plan(plan_path))


def test_register_header_in_utf8_without_bom_and_same_separator_as_pools(tmp_path: Path) -> None:
    """Regression: the fast register reader decoded a header without BOM as cp1252 ('straÃŸe'); now it decides
    encoding and separator as every other reader does (quotas.textfiles), also with a ';' inside a header."""
    from quotas.textfiles import decode_bytes, detect_delimiter

    rows = [[r[0], r[1], r[2], r[3], r[4], f"{r[5]},x"] for r in _people(12)]
    reg, register = _read_strasse_register(tmp_path, rows)
    text, _ = decode_bytes(reg.read_bytes(), reg)
    assert register.delimiter == detect_delimiter(text) == ","
    assert "straße" in register.header
    assert register.records == 12


def test_register_utf8_character_split_by_the_head_stays_utf8(tmp_path: Path) -> None:
    """The fast reader decodes only the first 64 KiB; a UTF-8 'é' cut in two there must not turn the head
    (and so the header 'straße') into Windows-1252."""
    for pad in ("", "x"):  # one of the two puts the cut inside an 'é'
        reg, register = _read_strasse_register(tmp_path, [[*r[:5], pad + "é" * _HEAD] for r in _people(3)])
        assert register.encoding == "utf-8" and "straße" in register.header and register.records == 3
        if reg.read_bytes()[_HEAD - 1:_HEAD + 1] == "é".encode():
            break
    else:
        pytest.fail("no 'é' straddles the end of the head")


def test_binary_register_is_refused_as_binary(tmp_path: Path) -> None:
    """Regression: a binary file named register.csv went past the fast reader's own decoding and was reported
    as "no column 'id'"; it now gets the same "binary data" error as a pool, in the library and the CLI."""
    _, plan_path = _write(tmp_path, _people())
    reg = tmp_path / "register.csv"
    reg.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)))
    with pytest.raises(InputError, match="binary data") as info:
        prepare_invitations(reg, plan_path, tmp_path / "out")
    assert info.value.file == str(reg) and info.value.row == 3  # the PNG signature holds two line breaks
    result = CliRunner().invoke(app, ["invite", "prepare", str(reg), str(plan_path), "--out", str(tmp_path / "o")])
    one_red_line(result)
    assert "binary data" in result.output and "no column" not in result.output


@pytest.mark.parametrize(("utf8_head", "byte", "read_as"), [
    (False, b"\x81", "UTF-8 or Windows-1252"),  # an ASCII head; a byte that is text in neither encoding
    (True, b"\xe9", "UTF-8 \\(as the start"),    # Windows-1252 'é' in a file whose head is UTF-8 ('straße')
])
def test_bad_byte_beyond_the_head_is_a_clear_error(tmp_path: Path, utf8_head: bool, byte: bytes,
                                                   read_as: str) -> None:
    """Regression: a bad byte beyond the 64 KiB the reader decodes itself came out of pandas as a bare
    UnicodeDecodeError (a traceback in the CLI), or made the whole file be read again as Windows-1252,
    which garbled the UTF-8 head ('straÃŸe') and reported a missing column."""
    from sortition.invite.register import _HEAD

    rows = _people(3000)
    if utf8_head:
        reg, _ = _read_strasse_register(tmp_path, rows)
    else:
        reg, _ = _write(tmp_path, rows)
    plan_path = tmp_path / "plan.yaml"
    data = reg.read_bytes()
    assert len(data) > _HEAD and data[:_HEAD].isascii() != utf8_head
    line = data.count(b"\n", 0, _HEAD) + 40  # well beyond the head
    start = [m.end() for m in re.finditer(b"\n", data)][line - 2]
    reg.write_bytes(data[:start] + byte + data[start:])
    with pytest.raises(InputError, match=rf"byte 0x{byte[0]:02x} at byte offset {start} cannot be read as {read_as}"
                       ) as info:
        read_register(reg, load_plan(plan_path))
    assert info.value.file == str(reg) and info.value.row == line
    result = CliRunner().invoke(app, ["invite", "prepare", str(reg), str(plan_path), "--out", str(tmp_path / "o")])
    one_red_line(result)
    assert f"0x{byte[0]:02x}" in result.output


def test_ascii_head_with_windows_1252_further_down_is_read_as_windows_1252(tmp_path: Path) -> None:
    """Dutch Excel writes 'CSV' as Windows-1252; the accents may first appear beyond the head."""
    from sortition.invite.register import _HEAD

    rows = _people(3000)
    rows[2900][2] = "Zuidé"
    reg, plan_path = _write(tmp_path, rows)
    reg.write_bytes(reg.read_bytes().replace("Zuidé".encode(), "Zuidé".encode("cp1252")))
    assert reg.read_bytes()[:_HEAD].isascii() and reg.read_bytes().find(b"Zuid\xe9") > _HEAD
    register = read_register(reg, load_plan(plan_path))
    assert register.encoding == "cp1252" and register.records == 3000
    assert "Zuidé" in list(register.columns["wijk"].categories)


# ---------------------------------------------------------------- identity: one person, one address

@pytest.mark.parametrize("other", ["p001", "P 001", "P001\u200b", "\uff30001"])
def test_error_duplicate_id_in_another_form(tmp_path: Path, other: str) -> None:
    rows = _people()
    rows[7][0] = other
    message = _error(tmp_path, rows)
    assert "'P001' (row 3)" in message and "(row 9)" in message and "same person" in message
    assert "row 9, column 'id'" in message


def test_error_id_of_invisible_characters_only(tmp_path: Path) -> None:
    rows = _people()
    rows[5][0] = "\u200b"
    message = _error(tmp_path, rows)
    assert "row 7" in message and "invisible" in message


def test_exclusion_list_matches_ids_in_another_form(tmp_path: Path) -> None:
    rows = _people()
    (tmp_path / "out_list.csv").write_text("id\n" + "\n".join(r[0].lower() for r in rows[:50]) + "\n")
    plan = {**PLAN, "strata": ["wijk"], "households": "none", "letters": 4, "exclude": "out_list.csv"}
    out = _run(tmp_path, rows, plan)
    letters = _csv_rows(out / "private" / "invitations.csv")
    assert {r["id"] for r in letters} <= {r[0] for r in rows[50:]}


def test_addresses_in_another_form_are_one_household(tmp_path: Path) -> None:
    rows = _people(12)
    for i, r in enumerate(rows):
        r[2], r[3], r[4] = "Noord", f"2000 B{chr(65 + i)}", "1"  # everyone at their own address
    # rows 0-2 live at one address; spell it three ways (spaces, case, house-number suffix punctuation)
    rows[0][3], rows[0][4] = "2000 AA", "1-a"
    rows[1][3], rows[1][4] = "2000aa", "1 A"
    rows[2][3], rows[2][4] = "2000 A A", "1/a"
    plan = {**PLAN, "strata": ["wijk"], "households": "one_letter_per_address", "letters": 2}
    reg, plan_path = _write(tmp_path, rows, plan)
    prep = prepare_invitations(reg, plan_path, tmp_path / "out")
    assert prep.eligibility["households"] == 10  # 12 people, 3 of them at one address


def test_plans_state_their_address_rule_and_old_plans_keep_theirs(tmp_path: Path) -> None:
    plan = {**PLAN, "strata": ["wijk"], "households": "one_letter_per_address", "letters": 2}
    rows = _people(6)
    for r in rows:
        r[2] = "Noord"
    reg, plan_path = _write(tmp_path, rows, plan)
    prep = prepare_invitations(reg, plan_path, tmp_path / "out")
    committed = json.loads(prep.plan_path.read_text())
    assert committed["address_rule"] == ADDRESS_RULE == address_rule(committed) == 2
    assert address_rule({k: v for k, v in committed.items() if k != "address_rule"}) == 1
    spec = load_plan(plan_path)
    register = read_register(reg, spec)
    assert build_frame(register, spec).address_keys()[0] == "2000aa | 1"
    assert build_frame(register, spec, address_rule=1).address_keys()[0] == "2000 aa | 1"  # as before rule 2


def test_plan_numbers_are_decimal(tmp_path: Path) -> None:
    text = ("letters: 010\nstrata: [wijk]\ncolumns: {id: id, wijk: wijk}\nmin_age: 018\n"
            "reference_date: 2027-01-01\n")
    path = tmp_path / "plan.yaml"
    path.write_text(text.replace("min_age: 018\n", ""), encoding="utf-8")
    assert load_plan(path).letters == 10  # YAML 1.1 would read octal 8
    path.write_text(text.replace("letters: 010", "letters: {Noord: 08, Zuid: 09}").replace(
        "columns: {id: id, wijk: wijk}", "columns: {id: id, wijk: wijk, birth_date: gd}"), encoding="utf-8")
    plan = load_plan(path)
    assert plan.letters == {"Noord": 8, "Zuid": 9} and plan.min_age == 18
    for raw in ("0x10", "0o10", "1:30"):
        path.write_text(text.replace("010", raw).replace("min_age: 018\n", ""), encoding="utf-8")
        with pytest.raises(InputError, match=r"'letters'.*not a decimal number.*digits 0-9"):
            load_plan(path)
