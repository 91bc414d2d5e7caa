"""Loading, checking and writing quota files (quotas.io)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from generated import instance
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from instances import INSTANCES, requires_shared

from quotas import (
    Category,
    InputError,
    QuotaError,
    QuotaSpec,
    ValueQuota,
    dump_yaml,
    load_quotas,
    spec_from_dict,
    spec_to_dict,
    write_yaml,
)
from quotas.yamlload import DecimalLoader

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "quotas"

GOOD_YAML = """\
panel_size: 4
categories:
  gender:
    female: {min: 1, max: 3}
    male: {min: 1, max: 3}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def bounds(spec: QuotaSpec) -> dict[str, dict[str, tuple[int, int]]]:
    return {c.name: {v.value: (v.min, v.max) for v in c.values} for c in spec.categories}


def load_error(tmp_path: Path, name: str, text: str, **kwargs: int) -> QuotaError:
    path = write(tmp_path, name, text)
    with pytest.raises(QuotaError) as info:
        load_quotas(path, **kwargs)
    assert str(path) in str(info.value)
    return info.value


# ------------------------------------------------------------------- the published CSV layouts (generated)


@pytest.mark.parametrize(("name", "header"), [
    ("alternate_20", "category,feature,min,max"),  # Flanigan et al.'s research data, no final newline
    ("tight_22", "feature,value,min,max,min_flex,max_flex"),  # sortition-algorithms: flex columns ignored
    ("exact_60", "category,name,min,max,,,,,"),  # diversimax: empty trailing columns
    ("wide_60", "category,name,min,max,,,,,"),
])
def test_published_csv_layouts(tmp_path: Path, name: str, header: str) -> None:
    inst = instance(name)
    _, path = inst.write(tmp_path, trailing_newline=name != "alternate_20")
    assert path.read_text(encoding="utf-8").splitlines()[0] == header
    spec = load_quotas(path, panel_size=inst.k)
    assert spec.panel_size == inst.k
    expected: dict[str, dict[str, tuple[int, int]]] = {}
    for row in inst.quota_rows:
        expected.setdefault(row[0], {})[row[1]] = (int(row[2]), int(row[3]))
    assert bounds(spec) == expected
    assert list(bounds(spec)) == list(expected)  # the file's order, not alphabetical


def test_csv_needs_panel_size(tmp_path: Path) -> None:
    _, path = instance("alternate_20").write(tmp_path)
    with pytest.raises(QuotaError, match="--panel-size"):
        load_quotas(path)


# ------------------------------------------------------------------------ the published files themselves


@requires_shared
def test_example_small_20() -> None:
    spec = load_quotas(INSTANCES / "example_small_20" / "categories.csv", panel_size=20)
    assert spec.panel_size == 20
    assert bounds(spec) == {"gender": {"female": (9, 20), "male": (9, 20)},
                            "leaning": {"liberal": (9, 20), "conservative": (9, 20)}}


@requires_shared
def test_example_large_200() -> None:
    spec = load_quotas(INSTANCES / "example_large_200" / "categories.csv", panel_size=200)
    assert bounds(spec) == {"gender": {"female": (99, 200), "male": (99, 200)},
                            "leaning": {"liberal": (99, 200), "conservative": (99, 200)}}


@requires_shared
def test_sfalgo_fixture_22_ignores_flex_columns() -> None:
    spec = load_quotas(INSTANCES / "sfalgo_fixture_22" / "features.csv", panel_size=22)
    got = bounds(spec)
    assert list(got) == ["Gender", "age_bracket", "edu_level", "geo_bucket"]
    assert got["Gender"] == {"Female": (11, 12), "Male": (10, 11), "Non-binary or other": (0, 1)}
    assert got["age_bracket"] == {"0-15": (0, 0), "16-29": (5, 7), "30-44": (5, 7), "45-59": (5, 6),
                                  "60+": (5, 6)}
    assert got["edu_level"]["Level 4 and above"] == (5, 6)
    assert len(got["geo_bucket"]) == 8
    assert got["geo_bucket"]["Highlands and Islands"] == (2, 5)


@requires_shared
@pytest.mark.parametrize(("name", "area_east", "gender_male"), [
    ("categories_exact_ranges.csv", (11, 11), (30, 30)),
    ("categories_wide_ranges.csv", (9, 13), (26, 34)),
])
def test_diversimax_60(name: str, area_east: tuple[int, int], gender_male: tuple[int, int]) -> None:
    spec = load_quotas(INSTANCES / "diversimax_example_60" / name, panel_size=60)
    got = bounds(spec)
    assert list(got) == ["area", "age", "gender", "education", "religiousness"]
    assert [len(v) for v in got.values()] == [6, 7, 2, 3, 3]
    assert got["area"]["east"] == area_east
    assert got["gender"]["male"] == gender_male
    assert got["age"]["18-21"] == (0, 0)


@requires_shared
def test_shared_csv_needs_panel_size() -> None:
    with pytest.raises(QuotaError, match="--panel-size"):
        load_quotas(INSTANCES / "example_small_20" / "categories.csv")


# ----------------------------------------------------------------------------------- golden files


def test_golden_yaml_loads_and_dumps_byte_for_byte() -> None:
    path = FIXTURES / "panel30.yaml"
    spec = load_quotas(path)
    assert spec.panel_size == 30
    assert spec.id_column == "id"
    assert spec.households == ("street", "house_number", "postcode")
    assert bounds(spec)["owns_car"] == {"yes": (10, 20), "no": (10, 20)}  # not True/False
    assert spec.source == str(path)
    assert dump_yaml(spec) == path.read_text(encoding="utf-8")


def test_golden_yaml_reads_with_a_plain_yaml_parser() -> None:
    data = yaml.safe_load((FIXTURES / "panel30.yaml").read_text(encoding="utf-8"))
    assert spec_from_dict(data) == load_quotas(FIXTURES / "panel30.yaml")


def test_semicolon_cp1252_csv() -> None:
    spec = load_quotas(FIXTURES / "wijken_semicolon_cp1252.csv", panel_size=11)
    assert bounds(spec) == {"wijk": {"Centrum": (3, 5), "Noord": (3, 5), "Café-buurt": (2, 4)},
                            "geslacht": {"vrouw": (5, 6), "man": (5, 6)}}


def test_bom_tab_tsv_with_flex_columns() -> None:
    spec = load_quotas(FIXTURES / "features_bom_tab.tsv", panel_size=11)
    assert bounds(spec) == {"gender": {"female": (5, 6), "male": (5, 6)},
                            "age": {"16-29": (3, 4), "30+": (7, 8)}}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_csv_encodings_and_separators(tmp_path: Path, encoding: str, sep: str) -> None:
    rows = [["CATEGORY ", " Name", "min", "MAX", "", ""], ["wijk", "Zuid-Oost é", "1", "2", "", ""],
            ["wijk", "west", " 1 ", "2"]]
    path = tmp_path / "q.txt"
    path.write_bytes("\n".join(sep.join(r) for r in rows).encode(encoding))  # no trailing newline
    spec = load_quotas(path, panel_size=3)
    assert bounds(spec) == {"wijk": {"Zuid-Oost é": (1, 2), "west": (1, 2)}}


def test_csv_integral_float_cells_are_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", "category,value,min,max\ng,a,1.0,2\ng,b,1,2.0\n")
    assert bounds(load_quotas(path, panel_size=3)) == {"g": {"a": (1, 2), "b": (1, 2)}}


# ----------------------------------------------------------------------------------- YAML errors


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.yaml", "panel_size: 4\ncategories:\n  gender:\n    female: {min: 1, max: 3\n")
    assert "line 5" in str(err) or "line 4" in str(err)
    assert "not valid YAML" in str(err)


def test_yaml_bad_indentation(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.yaml", "panel_size: 4\ncategories:\n  gender:\n   female: 1\n  - x\n")
    assert "line" in str(err)


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_yaml_empty_file(tmp_path: Path, text: str) -> None:
    assert "empty" in str(load_error(tmp_path, "q.yml", text))


def test_yaml_not_a_mapping(tmp_path: Path) -> None:
    assert "panel_size" in str(load_error(tmp_path, "q.yaml", "- a\n- b\n"))


def test_yaml_unknown_top_level_key_suggests_nearest(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.yaml", GOOD_YAML + "panel_sise: 4\n")
    assert "unknown key 'panel_sise'" in str(err)
    assert "Did you mean 'panel_size'?" in str(err)
    assert "line 6" in str(err)


def test_yaml_unknown_key_without_near_match_lists_allowed(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.yaml", GOOD_YAML + "zzz: 1\n")
    assert "Allowed here: panel_size, id_column, households, categories" in str(err)


def test_yaml_unknown_bound_key(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.yaml", GOOD_YAML.replace("{min: 1, max: 3}\n    male",
                                                            "{mni: 1, max: 3}\n    male"))
    assert "Did you mean 'min'?" in str(err)
    assert "categories > gender > female > mni" in str(err)


@pytest.mark.parametrize(("old", "new", "expect"), [
    ("{min: 1, max: 3}\n    male", "{max: 3}\n    male", "missing min"),
    ("{min: 1, max: 3}\n    male", "{min: 1}\n    male", "missing max"),
    ("{min: 1, max: 3}\n    male", "3\n    male", "needs a min and a max"),
])
def test_yaml_missing_bounds(tmp_path: Path, old: str, new: str, expect: str) -> None:
    err = load_error(tmp_path, "q.yaml", GOOD_YAML.replace(old, new))
    assert expect in str(err)
    assert "line 4" in str(err)


def test_yaml_missing_panel_size(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.yaml", GOOD_YAML.replace("panel_size: 4\n", ""))
    assert "--panel-size" in str(err)


def test_yaml_panel_size_from_argument(tmp_path: Path) -> None:
    path = write(tmp_path, "q.yaml", GOOD_YAML.replace("panel_size: 4\n", ""))
    assert load_quotas(path, panel_size=4).panel_size == 4
    assert load_quotas(write(tmp_path, "r.yaml", GOOD_YAML), panel_size=4).panel_size == 4


def test_yaml_panel_size_conflict(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.yaml", GOOD_YAML, panel_size=5)
    assert "panel_size 4" in str(err) and "5" in str(err)


def test_yaml_missing_categories(tmp_path: Path) -> None:
    assert "no categories" in str(load_error(tmp_path, "q.yaml", "panel_size: 4\n"))
    assert "no categories" in str(load_error(tmp_path, "r.yaml", "panel_size: 4\ncategories: {}\n"))


@pytest.mark.parametrize("body", ["  gender:\n", "  gender: {}\n"])
def test_yaml_category_without_values(tmp_path: Path, body: str) -> None:
    err = load_error(tmp_path, "q.yaml", "panel_size: 4\ncategories:\n" + body)
    assert "category 'gender' has no values" in str(err)
    assert "line 3" in str(err)


@pytest.mark.parametrize(("raw", "reason"), [
    ("14.5", "'14.5' is not a whole number"),
    ("'14.5'", "'14.5' is not a whole number"),
    ("abc", "'abc' is not a number"),
    ("-1", "below 0"),
    ("yes", "yes/true, not a number"),
    ("false", "no/false, not a number"),
    ("", "is empty"),
    ("[1, 2]", "not a number"),
    (".nan", "NaN"),
    (".inf", "far too large"),
    ("1e400", "far too large"),
    ("9" * 5000, "far too large"),
    ("-" + "9" * 5000, "below 0"),
    ("12345678901234567890", "far too large"),
])
def test_yaml_bad_numbers(tmp_path: Path, raw: str, reason: str) -> None:
    text = GOOD_YAML.replace("female: {min: 1, max: 3}", f"female: {{min: {raw}, max: 3}}")
    err = load_error(tmp_path, "q.yaml", text)
    assert reason in str(err)
    assert "line 4, categories > gender > female > min" in str(err)
    assert len(str(err)) < 400  # a huge number is not echoed back


def test_yaml_integral_float_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "q.yaml", GOOD_YAML.replace("{min: 1, max: 3}", "{min: 1.0, max: '3'}"))
    assert bounds(load_quotas(path))["gender"]["female"] == (1, 3)


def test_yaml_min_above_max(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.yaml", GOOD_YAML.replace("{min: 1, max: 3}", "{min: 3, max: 1}", 1))
    assert "min 3 is above max 1" in str(err)
    assert "categories > gender > female" in str(err)


def test_yaml_duplicate_key(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.yaml", GOOD_YAML + "    female: {min: 1, max: 3}\n")
    assert "found the key 'female' twice (first on line 4)" in str(err)
    assert "line 6" in str(err)


def test_yaml_duplicate_value_differing_in_case(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.yaml", GOOD_YAML + "    Female: {min: 0, max: 1}\n")
    assert "appears twice" in str(err)


@pytest.mark.parametrize(("old", "new", "expect"), [
    ("min: 1, max: 3}\n    male: {min: 1", "min: 3, max: 3}\n    male: {min: 3", "minimums add up to 6"),
    ("max: 3}\n    male: {min: 1, max: 3}", "max: 1}\n    male: {min: 1, max: 2}", "maximums add up to 3"),
])
def test_yaml_sum_rule_names_file(tmp_path: Path, old: str, new: str, expect: str) -> None:
    err = load_error(tmp_path, "q.yaml", GOOD_YAML.replace(old, new))
    assert expect in str(err)


def test_yaml_bad_households_and_id_column(tmp_path: Path) -> None:
    assert "list of column names" in str(load_error(tmp_path, "a.yaml", GOOD_YAML + "households: {a: 1}\n"))
    assert "id_column is empty" in str(load_error(tmp_path, "b.yaml", GOOD_YAML + "id_column: ' '\n"))
    spec = load_quotas(write(tmp_path, "c.yaml", GOOD_YAML + "households: street\nid_column: 7\n"))
    assert spec.households == ("street",)
    assert spec.id_column == "7"


def test_spec_from_dict_without_file_names_keys() -> None:
    with pytest.raises(QuotaError, match=r"^categories > g > a: min 3 is above max 1"):
        spec_from_dict({"panel_size": 2, "categories": {"g": {"a": {"min": 3, "max": 1}}}})


# ----------------------------------------------------------------------------------- CSV errors


def test_csv_without_panel_size(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.csv", "category,value,min,max\ng,a,1,2\ng,b,1,2\n")
    assert "give --panel-size" in str(err).lower()


@pytest.mark.parametrize("text", ["", "\n\n", "category,value,min,max\n", "category,value,min,max\n,,,\n"])
def test_csv_empty(tmp_path: Path, text: str) -> None:
    err = load_error(tmp_path, "q.csv", text, panel_size=3)
    assert "empty" in str(err) or "no quota rows" in str(err)


@pytest.mark.parametrize("header", ["cat,value,min,max", "category,value,min", "feature,min,max",
                                    "category,value,lower,upper"])
def test_csv_bad_header(tmp_path: Path, header: str) -> None:
    err = load_error(tmp_path, "q.csv", header + "\ng,a,1,2\n", panel_size=3)
    assert "row 1" in str(err)
    assert "category,value,min,max" in str(err)


def test_csv_duplicate_header(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.csv", "category,value,min,Min,max\ng,a,1,1,2\n", panel_size=1)
    assert err.row == 1 and err.column == "Min"


@pytest.mark.parametrize(("cell", "reason"), [
    ("14.5", "'14.5' is not a whole number"), ("abc", "'abc' is not a number"), ("-2", "below 0"),
    ("", "is empty"), ("9" * 5000, "far too large"), ("1e999", "far too large"), ("14,5", "not a number"),
])
def test_csv_bad_numbers_name_row_and_column(tmp_path: Path, cell: str, reason: str) -> None:
    text = f"Category;Value;Min;Max\ng;a;1;2\ng;b;{cell};2\n"
    err = load_error(tmp_path, "q.csv", text, panel_size=3)
    assert (err.row, err.column) == (3, "Min")
    assert reason in str(err)
    assert "row 3, column 'Min'" in str(err)
    assert len(str(err)) < 400


def test_csv_min_above_max(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.csv", "category,value,min,max\ng,a,1,2\ng,b,3,2\n", panel_size=3)
    assert (err.row, err.column) == (3, "min")
    assert "min 3 is above max 2" in str(err)


def test_csv_empty_name_cell(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.csv", "category,value,min,max\ng,a,1,2\n,b,1,2\n", panel_size=3)
    assert (err.row, err.column) == (3, "category")


def test_csv_duplicate_row(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.csv", "category,value,min,max\ng,a,1,2\nG,A,1,2\n", panel_size=3)
    assert err.row == 3
    assert "also on row 2" in str(err)


def test_csv_flex_columns_never_cause_errors(tmp_path: Path) -> None:
    text = "feature,value,min,max,min_flex,max_flex\ng,a,1,2,abc,-5\ng,b,1,2,,\n"
    assert bounds(load_quotas(write(tmp_path, "q.csv", text), panel_size=3)) == {"g": {"a": (1, 2), "b": (1, 2)}}


def test_csv_sum_rule_names_file(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.csv", "category,value,min,max\ng,a,1,2\ng,b,1,2\n", panel_size=5)
    assert "maximums add up to 4, less than the panel size 5" in str(err)


def test_csv_panel_size_invalid(tmp_path: Path) -> None:
    err = load_error(tmp_path, "q.csv", "category,value,min,max\ng,a,0,2\n", panel_size=0)
    assert "panel_size" in str(err)


# ----------------------------------------------------------------------------------- files


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_quotas(tmp_path / "nope.yaml")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(InputError, match="folder"):
        load_quotas(tmp_path / "dir.csv", panel_size=3)


def test_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.yaml, \.yml or \.csv"):
        load_quotas(write(tmp_path, "q.xlsx", "x"))


def test_excel_file_renamed_to_csv(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(b"PK\x03\x04rest-of-zip")
    with pytest.raises(InputError, match="Excel"):
        load_quotas(path, panel_size=3)


def test_write_yaml_refuses_to_overwrite(tmp_path: Path) -> None:
    spec = load_quotas(write(tmp_path, "in.yaml", GOOD_YAML))
    out = tmp_path / "out.yaml"
    assert write_yaml(spec, out) == out
    assert load_quotas(out) == spec
    out.write_text("precious", encoding="utf-8")
    with pytest.raises(InputError, match="--force"):
        write_yaml(spec, out)
    assert out.read_text(encoding="utf-8") == "precious"
    write_yaml(spec, out, overwrite=True)
    assert load_quotas(out) == spec
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.yaml", "out.yaml"]  # no temp file left
    assert (out.stat().st_mode & 0o777) == 0o644 or os.name == "nt"


def test_write_yaml_bad_targets(tmp_path: Path) -> None:
    spec = load_quotas(write(tmp_path, "in.yaml", GOOD_YAML))
    with pytest.raises(InputError, match=r"\.yaml or \.yml"):
        write_yaml(spec, tmp_path / "out.csv")
    with pytest.raises(InputError, match="does not exist"):
        write_yaml(spec, tmp_path / "missing" / "out.yaml")


# ----------------------------------------------------------------------------------- round trip

TRICKY_NAMES = ["no", "yes", "Yes", "on", "null", "~", "18", "007", "1:30", "1e3", "- a", "#x", "a: b",
                "a #b", "'q'", '"', "@home", "!tag", "%", "[x]", "{x}", "*", "&a", "|", ">", "?", "é", "a,b",
                "true", ".inf", "0x1F", "2024-01-01", "\u2028", "tab\there", "中文"]

names = st.one_of(
    st.sampled_from(TRICKY_NAMES),
    st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=10),
).filter(lambda s: s == s.strip() and s != "")


@st.composite
def categories(draw: st.DrawFn, k: int) -> tuple[Category, ...]:
    cat_names = draw(st.lists(names, min_size=1, max_size=4, unique_by=str.casefold))
    result = []
    for cat_name in cat_names:
        values = draw(st.lists(names, min_size=1, max_size=4, unique_by=str.casefold))
        cuts = sorted(draw(st.lists(st.integers(0, k), min_size=len(values) - 1, max_size=len(values) - 1)))
        targets = [b - a for a, b in zip([0, *cuts], [*cuts, k], strict=True)]
        quotas = []
        for value, t in zip(values, targets, strict=True):
            low = draw(st.integers(0, t))
            high = draw(st.integers(t, t + 5))
            quotas.append(ValueQuota(value, low, high))
        result.append(Category(cat_name, tuple(quotas)))
    return tuple(result)


@st.composite
def specs(draw: st.DrawFn) -> QuotaSpec:
    k = draw(st.integers(1, 60))
    return QuotaSpec(
        panel_size=k,
        categories=draw(categories(k)),
        id_column=draw(st.none() | names),
        households=tuple(draw(st.lists(names, max_size=3))),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=specs())
def test_yaml_round_trip(tmp_path: Path, spec: QuotaSpec) -> None:
    assert spec_from_dict(spec_to_dict(spec)) == spec
    text = dump_yaml(spec)
    assert dump_yaml(spec) == text  # deterministic
    path = tmp_path / "spec.yaml"
    write_yaml(spec, path, overwrite=True)
    loaded = load_quotas(path)
    assert loaded == spec
    assert [c.value_names() for c in loaded.categories] == [c.value_names() for c in spec.categories]
    assert spec_from_dict(yaml.safe_load(text)) == spec  # any YAML parser reads it the same way


# ------------------------------------------------------------------------- numbers are decimal, always

@pytest.mark.parametrize(("raw", "value"), [
    ("010", 10), ("08", 8), ("09", 9), ("0010", 10), ("1_000", 1000), ("+7", 7), ("'010'", 10), ("!!int 010", 10),
    ("0", 0), ("010.0", 10),
])
def test_yaml_numbers_are_decimal(tmp_path: Path, raw: str, value: int) -> None:
    text = GOOD_YAML.replace("panel_size: 4", "panel_size: 1").replace("female: {min: 1, max: 3}",
                                                                          f"female: {{min: 0, max: {raw}}}")
    assert bounds(load_quotas(write(tmp_path, "q.yaml", text)))["gender"]["female"] == (0, value)


@pytest.mark.parametrize("raw", ["0o10", "0x10", "0b11", "1:30", "!!int 0x10", "0X1F", "-0x1", "'0x10'"])
def test_yaml_numbers_in_another_base_are_refused(tmp_path: Path, raw: str) -> None:
    text = GOOD_YAML.replace("female: {min: 1, max: 3}", f"female: {{min: 1, max: {raw}}}")
    err = str(load_error(tmp_path, "q.yaml", text))
    assert "line 4, categories > gender > female > max" in err
    assert "is not a decimal number" in err and "digits 0-9" in err


def test_yaml_panel_size_with_leading_zero(tmp_path: Path) -> None:
    path = write(tmp_path, "q.yaml", GOOD_YAML.replace("panel_size: 4", "panel_size: 010").replace(
        "max: 3", "max: 10"))
    assert load_quotas(path).panel_size == 10


@given(st.integers(0, 10**9), st.integers(0, 6))
def test_decimal_loader_reads_zero_padded_numbers_as_written(n: int, zeros: int) -> None:

    text = "0" * zeros + str(n)
    assert yaml.load(f"a: {text}", Loader=DecimalLoader) == {"a": n}
    assert yaml.load(f"a: [{text}, x]", Loader=DecimalLoader) == {"a": [n, "x"]}


def test_decimal_loader_keeps_other_yaml_types() -> None:

    got = yaml.load("{a: 1.5, b: .inf, c: yes, d: 2027-01-01, e: null, f: 1:30, g: 0x10, h: -3, i: 1e3}",
                    Loader=DecimalLoader)
    assert got["a"] == 1.5 and got["b"] == float("inf") and got["c"] is True and got["e"] is None
    assert str(got["d"]) == "2027-01-01" and got["f"] == "1:30" and got["g"] == "0x10" and got["h"] == -3
    assert got["i"] == "1e3"  # as YAML 1.1 reads it; the quota reader parses the text as a float
