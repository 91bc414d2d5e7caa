"""load_pool / pool_from_table: ids, values, households, supply check, instances in the published layouts
(generated; the published files themselves when ../shared is present), row-order freedom."""

from __future__ import annotations

import dataclasses
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from generated import GENERATORS, instance
from hypothesis import given, settings
from hypothesis import strategies as st
from instances import INSTANCES, requires_shared

from quotas.errors import InfeasibleError, InputError
from quotas.model import Category, QuotaSpec, ValueQuota
from sortition.identity import _fold, id_key, id_keys
from sortition.pool import NO_ADDRESS_PREFIX, ROW_NUMBER_WARNING, household_key, load_pool, pool_from_table
from sortition.tables import read_table

FIXTURES = Path(__file__).parent / "fixtures" / "pools"


def cat(name: str, *values: str | tuple[str, int, int]) -> Category:
    quotas = [v if isinstance(v, tuple) else (v, 0, 100) for v in values]
    return Category(name, tuple(ValueQuota(v, lo, hi) for v, lo, hi in quotas))


def spec(*categories: Category, k: int = 2, id_column: str | None = None,
         households: tuple[str, ...] = ()) -> QuotaSpec:
    return QuotaSpec(panel_size=k, categories=categories, id_column=id_column, households=households)


BASIC = spec(cat("Gender", "female", "Male"), cat("age", "18-34", "35+"))
DUTCH = spec(cat("geslacht", "v", "m"), k=2, households=("straat", "postcode"))


def write(tmp_path: Path, text: str, name: str = "pool.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------- good pools

def test_basic_pool_ids_values_in_quota_spelling() -> None:
    pool = load_pool(FIXTURES / "basic.csv", BASIC)
    assert pool.ids == ("007", "008", "009", "010")
    assert pool.id_column == "id" and pool.warnings == ()
    # "Female", "male", "FEMALE ", " Male" match the quota file's "female" / "Male".
    assert pool.problem.features.tolist() == [[0, 0], [1, 1], [0, 1], [1, 0]]
    assert pool.problem.features.dtype == np.int64
    assert pool.profile(1) == {"Gender": "Male", "age": "35+"}
    assert pool.problem.households is None and pool.household_keys is None
    assert pool.n == 4 and pool.row_number(3) == 5


def test_rows_give_all_original_columns() -> None:
    pool = load_pool(FIXTURES / "basic.csv", BASIC)
    rows = pool.rows([2, 0])
    assert rows["name"].tolist() == ["Chris", "Anna"]
    assert list(rows.columns) == ["id", "name", "gender", "age"]
    assert rows.index.tolist() == [4, 2]  # spreadsheet row numbers


def test_id_column_matched_case_insensitively(tmp_path: Path) -> None:
    path = write(tmp_path, " ID ,gender,age\nx1,female,35+\nx2,male,18-34\n")
    pool = load_pool(path, BASIC)
    assert pool.ids == ("x1", "x2") and pool.id_column == "ID"
    named = load_pool(path, dataclasses.replace(BASIC, id_column="id"))
    assert named.ids == ("x1", "x2")


def test_spec_id_column_overrides_id(tmp_path: Path) -> None:
    path = write(tmp_path, "id,nr,gender,age\n1,A,female,35+\n1,B,male,35+\n")
    pool = load_pool(path, dataclasses.replace(BASIC, id_column="NR"))
    assert pool.ids == ("A", "B") and pool.id_column == "nr"


def test_row_number_ids_with_warning_research_export(tmp_path: Path) -> None:
    """A pool without an id column (the shape of example_small_20: 100 + 99 + 1 people, no newline at the end)."""
    s = spec(cat("gender", ("female", 9, 20), ("male", 9, 20)),
             cat("leaning", ("liberal", 9, 20), ("conservative", 9, 20)), k=20)
    path, _ = instance("alternate_20").write(tmp_path, trailing_newline=False)
    pool = load_pool(path, s)
    assert pool.n == 200 and pool.id_column is None
    assert pool.ids[:3] == ("1", "2", "3") and pool.ids[-1] == "200"
    assert ROW_NUMBER_WARNING in pool.warnings
    counts = [c.tolist() for c in pool.problem.value_counts()]
    assert counts == [[100, 100], [99, 101]]


def test_households_grouped_by_normalised_address() -> None:
    pool = load_pool(FIXTURES / "households.csv", DUTCH)
    assert pool.ids == ("A1", "A2", "A3", "A4", "A5", "A6")
    keys = pool.household_keys
    assert keys is not None
    assert keys[0] == keys[1] == keys[5] == "dorpsstraat1 | 1234ab"
    assert keys[2] == "kerkweg2 | 1234ab"
    assert keys[3] == NO_ADDRESS_PREFIX + "A4" and keys[4] == NO_ADDRESS_PREFIX + "A5"
    hh = pool.problem.households
    assert hh is not None and hh.tolist() == [0, 0, 1, 2, 3, 0]
    assert any("2 people have an empty address" in w for w in pool.warnings)
    assert any("3 people share an address" in w for w in pool.warnings)


def test_household_key_normalisation() -> None:
    assert household_key(["Dorpsstraat  1 ", "1234\tAB"]) == household_key(["dorpsstraat 1", "1234 ab"])
    assert household_key(["Straße 5"]) == household_key(["STRASSE 5"])  # casefold, not lower


def test_unused_min_zero_value_is_only_a_warning() -> None:
    s = spec(cat("Gender", "female", "male", ("other", 0, 1)), cat("age", "18-34", "35+"))
    pool = load_pool(FIXTURES / "basic.csv", s)
    assert any("nobody in the pool has Gender 'other'" in w for w in pool.warnings)


# ---------------------------------------------------------------------------------------------- errors

def test_header_only_pool_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "id,gender,age\n")
    with pytest.raises(InputError, match="no people") as exc:
        load_pool(path, BASIC)
    assert str(path) in str(exc.value)


def test_missing_id_column_lists_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "nummer,gender,age\n1,female,35+\n")
    with pytest.raises(InputError, match="no column 'bsn'") as exc:
        load_pool(path, dataclasses.replace(BASIC, id_column="bsn"))
    text = str(exc.value)
    assert str(path) in text and "row 1" in text and "column 'bsn'" in text
    assert "'nummer', 'gender', 'age'" in text and "id_column" in text


def test_duplicate_id_names_both_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "id,gender,age\n7,female,35+\n8,male,35+\n7,male,18-34\n")
    with pytest.raises(InputError, match="id '7' appears twice: in row 2 and in row 4") as exc:
        load_pool(path, BASIC)
    text = str(exc.value)
    assert str(path) in text and "column 'id'" in text and "unique" in text


def test_empty_id(tmp_path: Path) -> None:
    path = write(tmp_path, "id,gender,age\n7,female,35+\n,male,35+\n")
    with pytest.raises(InputError, match="no id") as exc:
        load_pool(path, BASIC)
    assert "row 3" in str(exc.value) and "column 'id'" in str(exc.value)


def test_missing_category_column(tmp_path: Path) -> None:
    path = write(tmp_path, "id,sex,age\n1,female,35+\n")
    with pytest.raises(InputError, match="no column 'Gender'") as exc:
        load_pool(path, BASIC)
    assert "'id', 'sex', 'age'" in str(exc.value) and str(path) in str(exc.value)


def test_unknown_values_listed_with_counts_and_first_row(tmp_path: Path) -> None:
    path = write(tmp_path, "id,gender,age\n1,female,35+\n2,X,35+\n3,vrouw,35+\n4,x,18-34\n5,vrouw,35+\n"
                           "6,vrouw,35+\n")
    with pytest.raises(InputError, match="values that no quota mentions") as exc:
        load_pool(path, BASIC)
    text = str(exc.value)
    assert "'X' (1 person, first in row 3)" in text
    assert "'vrouw' (3 people, first in row 4)" in text
    assert "'x' (1 person, first in row 5)" in text
    assert str(path) in text and "row 3" in text and "column 'gender'" in text
    assert "min 0" in text and "fix the pool" in text and "'female', 'Male'" in text


def test_empty_category_cell(tmp_path: Path) -> None:
    path = write(tmp_path, "id,gender,age\n1,female,35+\n2,male,\n3,male,\n")
    with pytest.raises(InputError, match="no value for 'age'") as exc:
        load_pool(path, BASIC)
    text = str(exc.value)
    assert str(path) in text and "row 3" in text and "column 'age'" in text and "1 more" in text


def test_missing_household_column(tmp_path: Path) -> None:
    s = dataclasses.replace(BASIC, households=("street", "zip"))
    with pytest.raises(InputError, match="no column 'street'") as exc:
        load_pool(FIXTURES / "basic.csv", s)
    assert "household column" in str(exc.value) and "'id', 'name', 'gender', 'age'" in str(exc.value)


def test_min_nobody_has_is_infeasible() -> None:
    s = spec(cat("Gender", "female", "male", ("non-binary", 1, 1)), cat("age", "18-34", "35+"), k=3)
    with pytest.raises(InfeasibleError, match="cannot be met") as exc:
        load_pool(FIXTURES / "basic.csv", s)
    assert "Gender 'non-binary' has min 1 but nobody in the pool has it" in str(exc.value)
    assert "basic.csv" in str(exc.value)


def test_min_above_supply_counts_households() -> None:
    # Three men, but two share Dorpsstraat 1: at most two households can supply a man.
    s = spec(cat("geslacht", ("v", 0, 3), ("m", 0, 3)), k=2, households=("straat", "postcode"))
    pool = load_pool(FIXTURES / "households.csv", s)
    assert pool.n == 6
    s3 = spec(cat("geslacht", ("v", 0, 3), ("m", 3, 3)), k=3, households=("straat", "postcode"))
    with pytest.raises(InfeasibleError, match="'m' has min 3 but only 2 households"):
        load_pool(FIXTURES / "households.csv", s3)


def test_pool_smaller_than_panel() -> None:
    with pytest.raises(InfeasibleError, match="only 4 people, fewer than the panel size 5"):
        load_pool(FIXTURES / "basic.csv", dataclasses.replace(BASIC, panel_size=5))


# ------------------------------------------------------------------------ instances in the published layouts

@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generated_pools_load(tmp_path: Path, name: str) -> None:
    inst = instance(name)
    pool = inst.load(tmp_path)
    assert pool.n == inst.n == len(set(pool.ids))
    categories = pool.problem.spec.categories
    assert pool.problem.features.shape == (inst.n, len(categories))
    assert (ROW_NUMBER_WARNING in pool.warnings) == (inst.id_column is None)
    for c, column in enumerate(inst.categories):  # every person has the value of their row
        at = inst.pool_header.index(column)
        values = [v.value for v in categories[c].values]
        assert [values[j] for j in pool.problem.features[:, c]] == [row[at] for row in inst.pool_rows]


def test_lower_case_pool_matches_original(tmp_path: Path) -> None:
    """A pool exported in lower case (header and cells) reads as the original; profiles use the quota file's
    spelling; values nobody has are named in the warnings (the shape of sortition-algorithms' fixture)."""
    inst = instance("tight_22")
    upper, lower = inst.load(tmp_path), inst.load(tmp_path, lower=True)
    assert upper.ids[0] == inst.pool_rows[0][0]
    assert np.array_equal(upper.problem.features, lower.problem.features)
    gender = inst.pool_rows[0][inst.pool_header.index("Gender")]
    assert gender in ("Female", "Male") and lower.profile(0)["Gender"] == gender  # not the pool's lower case
    nobody = [w for w in lower.warnings if w.startswith("nobody")]
    assert len(nobody) == 2 and any("Non-binary or other" in w for w in nobody)
    assert any("'0-15'" in w for w in nobody)


def _shared(folder: str, pool: str, quotas: str, k: int, id_column: str | None = None) -> tuple:
    from quotas.io import load_quotas

    s = load_quotas(INSTANCES / folder / quotas, panel_size=k)
    if id_column:
        s = dataclasses.replace(s, id_column=id_column)
    return load_pool(INSTANCES / folder / pool, s), s


@requires_shared
@pytest.mark.parametrize(("folder", "pool_file", "quota_file", "k", "id_column", "n"), [
    ("example_small_20", "respondents.csv", "categories.csv", 20, None, 200),
    ("example_large_200", "respondents.csv", "categories.csv", 200, None, 2000),
    ("sfalgo_fixture_22", "candidates.csv", "features.csv", 22, "nationbuilder_id", 150),
    ("sfalgo_fixture_22", "candidates_lower.csv", "features.csv", 22, "nationbuilder_id", 150),
    # The file has 219 people; diversimax's own count of 218 leaves out the one aged 18-21 (max 0).
    ("diversimax_example_60", "participants_pool.csv", "categories_wide_ranges.csv", 60, None, 219),
    ("diversimax_example_60", "participants_pool.csv", "categories_exact_ranges.csv", 60, None, 219),
])
def test_shared_pools_load(folder: str, pool_file: str, quota_file: str, k: int, id_column: str | None,
                           n: int) -> None:
    pool, s = _shared(folder, pool_file, quota_file, k, id_column)
    assert pool.n == n == len(set(pool.ids))
    assert pool.problem.features.shape == (n, len(s.categories))
    assert (ROW_NUMBER_WARNING in pool.warnings) == (id_column is None)


@requires_shared
def test_sfalgo_lower_case_pool_matches_original() -> None:
    upper, _ = _shared("sfalgo_fixture_22", "candidates.csv", "features.csv", 22, "nationbuilder_id")
    lower, _ = _shared("sfalgo_fixture_22", "candidates_lower.csv", "features.csv", 22, "nationbuilder_id")
    assert upper.ids[0] == "p0"
    assert np.array_equal(upper.problem.features, lower.problem.features)
    assert lower.profile(0)["Gender"] == "Male"  # the quota file's spelling, not the pool's "male"
    nobody = [w for w in lower.warnings if w.startswith("nobody")]
    assert len(nobody) == 2 and any("Non-binary or other" in w for w in nobody)
    assert any("'0-15'" in w for w in nobody)


# ------------------------------------------------------------------------------------------ row order

VALUES = ("Female", "male", "X")


@settings(max_examples=40, deadline=None)
@given(people=st.lists(st.tuples(st.sampled_from(VALUES), st.sampled_from(("1", "2", "")),
                                 st.sampled_from(("A", "a ", "B"))), min_size=2, max_size=12),
       data=st.data())
def test_shuffling_rows_keeps_each_persons_features_and_household(
        tmp_path_factory: pytest.TempPathFactory, people: list[tuple[str, str, str]], data: st.DataObject
) -> None:
    s = spec(cat("g", ("female", 0, 12), ("MALE", 0, 12), ("x", 0, 12)), k=1, households=("nr", "street"))
    rows = [f"p{i},{g},{nr},{street}" for i, (g, nr, street) in enumerate(people)]
    shuffled = data.draw(st.permutations(rows))
    folder = tmp_path_factory.mktemp("shuffle")

    def mapping(lines: list[str], name: str) -> dict[str, tuple[tuple[int, ...], str]]:
        path = folder / name
        path.write_text("id,g,nr,street\n" + "\n".join(lines) + "\n", encoding="utf-8")
        pool = pool_from_table(read_table(path), s)
        keys = pool.household_keys
        assert keys is not None and pool.problem.households is not None
        # Same key <=> same household number, whatever the order.
        hh = pool.problem.households.tolist()
        assert all((keys[i] == keys[j]) == (hh[i] == hh[j]) for i in range(pool.n) for j in range(pool.n))
        return {pid: (tuple(pool.problem.features[i].tolist()), keys[i]) for i, pid in enumerate(pool.ids)}

    assert mapping(rows, "a.csv") == mapping(shuffled, "b.csv")


# ---------------------------------------------------------------------------- one person, one ticket

SAME_PERSON = ["P389437", "p389437", "P 389437", "P389437\u200b", "\uff30389437", " P389437\ufeff", "P\u00a0389437"]


@pytest.mark.parametrize("other", SAME_PERSON[1:])
def test_ids_that_differ_only_in_form_are_one_person(tmp_path: Path, other: str) -> None:
    path = write(tmp_path, f"id,gender,age\nP389437,female,18-34\nQ1,male,35+\n{other},male,35+\n")
    with pytest.raises(InputError) as info:
        load_pool(path, BASIC)
    message = str(info.value)
    assert "pool.csv, row 4, column 'id'" in message and "row 2" in message
    assert "same person" in message or "appears twice" in message
    assert "remove the duplicate" in message


def test_nfc_and_nfd_names_are_one_person(tmp_path: Path) -> None:
    nfc, nfd = unicodedata.normalize("NFC", "JOSÉ"), unicodedata.normalize("NFD", "JOSÉ")
    assert nfc != nfd
    path = write(tmp_path, f"id,gender,age\n{nfc},female,18-34\n{nfd},male,35+\n")
    with pytest.raises(InputError, match=r"row 2\).*row 3\)"):
        load_pool(path, BASIC)


def test_original_ids_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "id,gender,age\nP 1,female,18-34\nq2,male,35+\n")
    assert load_pool(path, BASIC).ids == ("P 1", "q2")  # the private lists and pseudonyms use these


def test_id_of_only_invisible_characters_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "id,gender,age\n\u200b,female,18-34\nq2,male,35+\n")
    with pytest.raises(InputError, match="invisible"):
        load_pool(path, BASIC)


_ID_CHARS = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"))


@settings(max_examples=200, deadline=None)
@given(st.text(_ID_CHARS, min_size=1, max_size=12), st.data())
def test_id_key_ignores_case_space_width_form_and_invisibles(ident: str, data: st.DataObject) -> None:
    variant = unicodedata.normalize(data.draw(st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"])), ident)
    variant = data.draw(st.sampled_from([str.upper, str.lower, str.casefold, str.swapcase, str]))(variant)
    cut = data.draw(st.integers(0, len(variant)))
    variant = " " + variant[:cut] + data.draw(st.sampled_from(["", " ", "\u200b", "\ufeff", "\u2060", "\t"])) \
        + variant[cut:] + "\u00a0"
    assert id_key(variant) == id_key(ident) or _case_changes_letters(ident)
    assert id_key(id_key(ident)) == id_key(ident)  # a key is its own key
    assert list(id_keys([ident, variant])) == [id_key(ident), id_key(variant)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=8), min_size=1, max_size=6))
def test_id_keys_in_bulk_equal_one_by_one(ids: list[str]) -> None:
    assert list(id_keys(ids)) == [id_key(i) for i in ids]  # any text: NUL, controls, surrogates, unassigned


def _case_changes_letters(text: str) -> bool:
    """A few letters (e.g. the Turkish dotless i, or 'ß' upper-cased to 'SS' then folded) fold differently
    after upper/lower-casing; those are not the forms an id takes in a register."""
    return any(c.upper().casefold() != c.casefold() or c.lower().casefold() != c.casefold() for c in text)


def test_id_key_full_width_and_ascii_fast_path_agree() -> None:
    for c in map(chr, range(128)):
        assert id_key(c) == _fold(c, drop_punctuation=False)
    assert id_key("\uff30\uff13\uff18\uff19") == "p389"
    assert id_key("12-34") != id_key("1234")  # punctuation counts in an id


# -------------------------------------------------------------------------- one address, one household

@pytest.mark.parametrize("a,b", [
    (["2013 MM", "12"], ["2013MM", "12"]),
    (["Kerkweg", "12-A"], ["kerkweg", "12 a"]),
    (["Kerkweg", "12A"], ["KERKWEG", "12/a"]),
    (["Kerkweg", "12.a"], ["Kerkweg", " 12 A "]),
    (["'s-Gravenhage", "1"], ["s Gravenhage", "1"]),
    (["Jos\u00e9straat 1"], ["Jose\u0301straat 1"]),  # NFC vs NFD
    (["\uff2b\uff45\uff52\uff4b\uff57\uff45\uff47 1"], ["Kerkweg 1"]),  # full width
    (["Kerkweg\u200b 1"], ["Kerkweg 1"]),
    (["Straße 5"], ["STRASSE 5"]),
])
def test_address_key_same_household(a: list[str], b: list[str]) -> None:
    assert household_key(a) == household_key(b)


@pytest.mark.parametrize("a,b", [
    (["Kerkweg", "12"], ["Kerkweg", "13"]),
    (["Kerkweg", "12a"], ["Kerkweg", "12b"]),
    (["1", "23"], ["12", "3"]),  # columns stay apart
    (["Jose straat"], ["José straat"]),  # accents count
])
def test_address_key_different_households(a: list[str], b: list[str]) -> None:
    assert household_key(a) != household_key(b)


def test_pool_households_use_the_address_key(tmp_path: Path) -> None:
    s = spec(cat("geslacht", "v", "m"), k=2, households=("straat", "postcode"))
    path = write(tmp_path, "id,geslacht,straat,postcode\n1,v,Kerkweg 12-A,2013 MM\n2,m,kerkweg 12a,2013MM\n"
                           "3,v,Kerkweg 12 b,2013MM\n4,m,-,  \n")
    pool = load_pool(path, s)
    hh = pool.problem.households
    assert hh is not None and hh.tolist() == [0, 0, 1, 2]
    assert pool.household_keys is not None and pool.household_keys[3] == NO_ADDRESS_PREFIX + "4"
