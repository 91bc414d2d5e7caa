"""Proposing quotas from population margins (quotas.propose) and largest-remainder rounding."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import pandas
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotas import QuotaError, QuotaSpec, largest_remainder, load_quotas, propose_quotas, write_yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "quotas"


def bounds(spec: QuotaSpec) -> dict[str, dict[str, tuple[int, int]]]:
    return {c.name: {v.value: (v.min, v.max) for v in c.values} for c in spec.categories}


def margins(rows: Sequence[tuple[str, str, object]], share: str = "share") -> pandas.DataFrame:
    return pandas.DataFrame(rows, columns=["category", "value", share])


# ----------------------------------------------------------------------------------- largest_remainder


@pytest.mark.parametrize(("shares", "total", "expected"), [
    ([1, 1, 1], 10, [4, 3, 3]),          # tie: earlier entry first
    ([1, 1], 1, [1, 0]),
    ([0.5, 0.5, 0], 3, [2, 1, 0]),       # zero share gets 0
    ([0, 3, 0, 1], 4, [0, 3, 0, 1]),
    ([0.1] * 10, 10, [1] * 10),          # float noise does not matter: the arithmetic is exact
    ([1, 2, 3], 0, [0, 0, 0]),
    ([50.8, 49.2], 20, [10, 10]),
    ([Fraction(1, 3), Fraction(2, 3)], 7, [2, 5]),
    ([5], 7, [7]),
    ([10**30, 1], 5, [5, 0]),
])
def test_largest_remainder_examples(shares: list[float], total: int, expected: list[int]) -> None:
    assert largest_remainder(shares, total) == expected


@pytest.mark.parametrize(("shares", "total"), [
    ([], 3), ([0, 0], 3), ([1, -1, 2], 3), ([1, math.nan], 3), ([1, math.inf], 3), ([1], -1), ([1], 2.0),
])
def test_largest_remainder_refuses(shares: list[float], total: int) -> None:
    with pytest.raises(ValueError):
        largest_remainder(shares, total)


shares_lists = st.lists(
    st.one_of(st.integers(0, 10**6), st.floats(0, 1e6, allow_nan=False, allow_infinity=False)),
    min_size=1, max_size=30,
).filter(lambda xs: any(x > 0 for x in xs))


@settings(max_examples=300, deadline=None)
@given(shares=shares_lists, total=st.integers(0, 10**6))
def test_largest_remainder_invariants(shares: list[float], total: int) -> None:
    result = largest_remainder(shares, total)
    assert sum(result) == total
    assert result == largest_remainder(list(shares), total)  # deterministic
    whole = sum(Fraction(s) for s in shares)
    for share, got in zip(shares, result, strict=True):
        exact = total * Fraction(share) / whole
        assert abs(got - exact) < 1
        assert got in (math.floor(exact), math.ceil(exact))
        if share == 0:
            assert got == 0


@settings(max_examples=100, deadline=None)
@given(shares=shares_lists, total=st.integers(0, 1000), scale=st.integers(1, 1000))
def test_largest_remainder_depends_only_on_ratios(shares: list[float], total: int, scale: int) -> None:
    exact = [Fraction(s) for s in shares]
    assert largest_remainder(exact, total) == largest_remainder([s * scale for s in exact], total)


# ----------------------------------------------------------------------------------- propose_quotas


def test_propose_counts_fractions_and_percentages_agree() -> None:
    counts = margins([("age", "16-34", 3120), ("age", "35-64", 4410), ("age", "65+", 2470),
                      ("gender", "female", 5080), ("gender", "male", 4920)])
    fractions = counts.assign(share=counts["share"] / 10_000)
    percentages = margins([(c, v, f"{s / 100}%") for c, v, s in counts.itertuples(index=False)])
    specs = [propose_quotas(m, 30) for m in (counts, fractions, percentages)]
    assert specs[0] == specs[1] == specs[2]
    assert bounds(specs[0]) == {"age": {"16-34": (8, 10), "35-64": (12, 14), "65+": (7, 9)},
                                "gender": {"female": (14, 16), "male": (14, 16)}}
    assert specs[0].source is None


def test_propose_tolerance_and_clamping() -> None:
    m = margins([("g", "a", 1), ("g", "b", 0), ("g", "c", 9)])
    assert bounds(propose_quotas(m, 10, tolerance=0)) == {"g": {"a": (1, 1), "b": (0, 0), "c": (9, 9)}}
    assert bounds(propose_quotas(m, 10, tolerance=2)) == {"g": {"a": (0, 3), "b": (0, 2), "c": (7, 10)}}


def test_propose_passes_households_and_id_column() -> None:
    spec = propose_quotas(margins([("g", "a", 1), ("g", "b", 1)]), 4, households=("street", "number"),
                          id_column="id")
    assert spec.households == ("street", "number")
    assert spec.id_column == "id"


def test_propose_from_dutch_csv_file() -> None:
    path = FIXTURES / "margins_nl.csv"
    spec = propose_quotas(path, 25)
    assert spec.source == str(path)
    assert bounds(spec) == {"leeftijd": {"16-34": (7, 9), "35-64": (10, 12), "65+": (5, 7)},
                            "geslacht": {"vrouw": (12, 14), "man": (11, 13)}}


def test_propose_then_write_then_load_gives_the_same_spec(tmp_path: Path) -> None:
    spec = propose_quotas(FIXTURES / "margins_nl.csv", 25, tolerance=3, households=("address",))
    write_yaml(spec, tmp_path / "quotas.yaml")
    assert load_quotas(tmp_path / "quotas.yaml") == spec


def test_propose_keeps_row_order_and_groups_categories_case_insensitively() -> None:
    m = margins([("Age", "old", 1), ("gender", "f", 1), ("age", "young", 1), ("gender", "m", 1)])
    spec = propose_quotas(m, 2, tolerance=0)
    assert [(c.name, c.value_names()) for c in spec.categories] == [("Age", ("old", "young")),
                                                                      ("gender", ("f", "m"))]


@pytest.mark.parametrize(("rows", "row", "expect"), [
    ([("g", "a", 1), ("g", "b", -2)], 3, "below 0"),
    ([("g", "a", 1), ("g", "b", "abc")], 3, "'abc' is not a number"),
    ([("g", "a", 1), ("g", "b", math.nan)], 3, "is empty"),
    ([("g", "a", 1), ("g", "b", "1e999999999")], 3, "is not a number"),
    ([("g", "a", 1), ("", "b", 1)], 3, "is empty"),
    ([("g", "a", 1), ("G", "A", 1)], 3, "also on row 2"),
])
def test_propose_bad_rows_name_row_and_column(rows: list[tuple[str, str, object]], row: int,
                                              expect: str) -> None:
    with pytest.raises(QuotaError) as info:
        propose_quotas(margins(rows), 10)
    assert info.value.row == row
    assert expect in str(info.value)


def test_propose_all_zero_category() -> None:
    with pytest.raises(QuotaError, match="every share of category 'g' is 0"):
        propose_quotas(margins([("g", "a", 0), ("g", "b", 0), ("h", "x", 1)]), 10)


@pytest.mark.parametrize("columns", [["category", "value"], ["cat", "value", "share"], ["category", "val", "n"]])
def test_propose_missing_columns(columns: list[str]) -> None:
    with pytest.raises(QuotaError, match="expected the columns category,value,share") as info:
        propose_quotas(pandas.DataFrame([["g", "a", 1][: len(columns)]], columns=columns), 10)
    assert info.value.row == 1


def test_propose_file_errors_name_file(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("Category,Value,Share\ng,a,1\ng,b,x\n", encoding="utf-8")
    with pytest.raises(QuotaError) as info:
        propose_quotas(path, 10)
    assert str(path) in str(info.value)
    assert (info.value.row, info.value.column) == (3, "Share")
    empty = tmp_path / "e.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(QuotaError, match="empty"):
        propose_quotas(empty, 10)


@pytest.mark.parametrize(("panel_size", "tolerance"), [(0, 1), (-3, 1), (10, -1), (10, 1.5), (True, 1)])
def test_propose_bad_arguments(panel_size: int, tolerance: int) -> None:
    with pytest.raises(QuotaError):
        propose_quotas(margins([("g", "a", 1)]), panel_size, tolerance=tolerance)


@settings(max_examples=100, deadline=None)
@given(
    cats=st.lists(st.lists(st.integers(0, 1000), min_size=1, max_size=8).filter(any), min_size=1, max_size=4),
    k=st.integers(1, 200),
    tolerance=st.integers(0, 5),
)
def test_propose_is_always_valid_and_contains_the_proportional_panel(
    cats: list[list[int]], k: int, tolerance: int
) -> None:
    rows = [(f"c{c}", f"v{v}", s) for c, shares in enumerate(cats) for v, s in enumerate(shares)]
    spec = propose_quotas(margins(rows), k, tolerance=tolerance)  # QuotaSpec validates the sum rule
    for cat, shares in zip(spec.categories, cats, strict=True):
        targets = largest_remainder(shares, k)
        for quota, t in zip(cat.values, targets, strict=True):
            assert quota.min <= t <= quota.max
            assert quota.max - quota.min <= 2 * tolerance
