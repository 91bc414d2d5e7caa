"""RFC 3797 mode: the RFC's own worked example (section 6), canonical sources, and invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotas.errors import InputError
from sortition.rfc3797 import canonical_source, rfc3797_key, rfc3797_select, rfc3797_value

RFC_SOURCES = ["9319", "2 5 12 8 10", "9 18 26 34 41 45"]
RFC_KEY = "9319./2.5.8.10.12./9.18.26.34.41.45./"
# RFC 3797 section 6: MD5 values for j = 0 .. 15 and the ten selected of a pool of 25.
RFC_DIGESTS = [
    "990DD0A5692A029A98B5E01AA28F3459", "3691E55CB63FCC37914430B2F70B5EC6",
    "FE814EDF564C190AC1D25753979990FA", "1863CCACEB568C31D7DDBDF1D4E91387",
    "F4AB33DF4889F0AF29C513905BE1D758", "13EAEB529F61ACFB9A29D0BA3A60DE4A",
    "992DB77C382CA2BDB9727001F3CDCCD9", "63AB4258ECA922976811C7F55C383CE7",
    "DFBC5AC97CED01B3A6E348E3CC63F40D", "31CB111C4A4EBE9287CEAE16FE51B909",
    "07FA46C122F164C215BBC72793B189A3", "AC52F8D75CCBE2E61AFEB3387637D501",
    "53306F73E14FC0B2FBF434218D25948E", "B5D1403501A81F9A47318BE7893B347C",
    "85B10B356AA06663EF1B1B407765100A", "3269E6CE559ABD57E2BA6AAB495EB9BD",
]
RFC_SELECTED = [17, 7, 2, 16, 25, 23, 8, 24, 19, 13]


def test_rfc_example_key() -> None:
    assert rfc3797_key(RFC_SOURCES) == RFC_KEY
    assert rfc3797_key([9319, [2, 5, 12, 8, 10], [9, 18, 26, 34, 41, 45]]) == RFC_KEY


def test_rfc_example_digests() -> None:
    assert [f"{rfc3797_value(RFC_KEY, j):032X}" for j in range(16)] == RFC_DIGESTS


def test_rfc_example_selection() -> None:
    assert rfc3797_select(25, 10, RFC_SOURCES) == RFC_SELECTED


def test_selection_extends_as_a_prefix() -> None:
    # Selecting more never changes the earlier selections (the RFC's reserve behaviour).
    longer = rfc3797_select(25, 25, RFC_SOURCES)
    assert longer[:10] == RFC_SELECTED
    assert sorted(longer) == list(range(1, 26))


@pytest.mark.parametrize(
    ("source", "canonical"),
    [
        ("9319", "9319./"),
        ("0042", "42./"),
        ("0 00", "0.0./"),
        ("10, 2; 33", "2.10.33./"),
        ("1.50 -3 .25", "-3.0.25.1.5./"),
        ("-0", "0./"),
        ("100.000", "100./"),
        (7, "7./"),
        ([3, "1", 2], "1.2.3./"),
        ("W 4-1", "W41./"),
        ("Mažňák", "MAZNAK./"),
    ],
)
def test_canonical_source(source: object, canonical: str) -> None:
    assert canonical_source(source) == canonical  # type: ignore[arg-type]


@pytest.mark.parametrize("source", ["", "  ", [], "9.18.26", "-- ,,"])
def test_bad_sources(source: object) -> None:
    with pytest.raises(InputError):
        canonical_source(source)  # type: ignore[arg-type]


@pytest.mark.parametrize(("pool", "select"), [(0, 0), (5, 6), (5, -1), (True, 1)])
def test_bad_pool_or_count(pool: int, select: int) -> None:
    with pytest.raises(InputError):
        rfc3797_select(pool, select, RFC_SOURCES)


def test_sources_must_be_a_list() -> None:
    with pytest.raises(InputError):
        rfc3797_key("9319")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        rfc3797_key([])


@settings(max_examples=50, deadline=None)
@given(
    pool=st.integers(min_value=1, max_value=60),
    data=st.data(),
    numbers=st.lists(st.integers(min_value=0, max_value=99), min_size=1, max_size=6),
)
def test_selection_is_distinct_and_order_of_numbers_in_a_source_is_irrelevant(
    pool: int, data: st.DataObject, numbers: list[int]
) -> None:
    select = data.draw(st.integers(min_value=0, max_value=pool))
    shuffled = data.draw(st.permutations(numbers))
    chosen = rfc3797_select(pool, select, [numbers, "17"])
    assert len(set(chosen)) == select
    assert all(1 <= c <= pool for c in chosen)
    assert rfc3797_select(pool, select, [shuffled, "17"]) == chosen
