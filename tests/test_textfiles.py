"""The shared delimited-text reader (quotas.textfiles): encodings, separators, numbered rows, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quotas.errors import InputError, QuotaError
from quotas.textfiles import (
    decode_bytes,
    delimiter_name,
    detect_delimiter,
    parse_delimited,
    read_bytes,
)

TEXT = "naam;wijk\nJoke;Zuid-Oost é\n"


@pytest.mark.parametrize(("encoding", "name"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("utf-16", "utf-16"),
    ("utf-16-be", None),
])
def test_decode_bytes_recognises_spreadsheet_encodings(encoding: str, name: str | None) -> None:
    data = TEXT.encode(encoding)
    if name is None:  # UTF-16 big-endian with its BOM
        data, name = b"\xfe\xff" + data, "utf-16"
    assert decode_bytes(data, "f.csv") == (TEXT, name)


@pytest.mark.parametrize(("data", "match"), [
    (b"PK\x03\x04rest", "Excel"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, r"old Excel \.xls"),
    (b"id\n7\x00\n", "byte offset 4"),
    (b"id\nab\x81\n", "byte 0x81 at byte offset 5"),
])
def test_decode_bytes_refuses_what_is_not_text(data: bytes, match: str) -> None:
    with pytest.raises(InputError, match=match) as info:
        decode_bytes(data, "f.csv", hint="Do this.")
    assert info.value.file == "f.csv" and info.value.hint == "Do this."
    if b"\n" in data[:3]:
        assert info.value.row == 2


@pytest.mark.parametrize(("text", "delimiter"), [
    ("a;b\n1;2\n", ";"), ("a\tb\n1\t2\n", "\t"), ("a,b\n1,2\n", ","), ("only\n1\n", ","),
    ('a;"b, c"\n1;"2, 3"\n', ";"),
    ("a,b;c\n1,2;3\n4,5;6\n", ";"),  # a full tie: the order of DELIMITERS decides
    ("a;b,c\n1,2\n3,4\n", ","),  # a tie on the header: the data rows decide
])
def test_detect_delimiter(text: str, delimiter: str) -> None:
    assert detect_delimiter(text) == delimiter


def test_parse_delimited_numbers_rows_as_a_spreadsheet() -> None:
    header, records = parse_delimited("\n\nid,g\n1,f\n\n2,m\n", ",", "f.csv")
    assert header == ["id", "g"]
    assert records == [(4, ["1", "f"]), (5, []), (6, ["2", "m"])]


def test_parse_delimited_long_row_and_empty_file() -> None:
    with pytest.raises(InputError, match="3 fields but the header has 2") as info:
        parse_delimited("id,g\n1,f\n2,m,x\n", ",", "f.csv")
    assert info.value.row == 3 and "','" in str(info.value)
    assert parse_delimited("id,g\n2,m,x\n", ",", "f.csv", check_widths=False)[1] == [(2, ["2", "m", "x"])]
    with pytest.raises(InputError, match="the file is empty"):
        parse_delimited(" ; \n\n", ";", "f.csv")
    with pytest.raises(QuotaError, match="mine"):
        parse_delimited("\n", ";", "f.csv", on_empty=QuotaError("mine"))


def test_read_bytes_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_bytes(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="folder"):
        read_bytes(tmp_path)


def test_delimiter_name() -> None:
    assert [delimiter_name(d) for d in ("\t", ";", ",", "|")] == ["tab", "';'", "','", "'|'"]


_CELL = st.text(st.characters(codec="cp1252", exclude_categories=("Cs", "Cc")), max_size=8)


@given(st.lists(st.lists(_CELL, min_size=3, max_size=3), min_size=1, max_size=6),
       st.sampled_from([";", "\t", ","]), st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
def test_written_tables_read_back(rows: list[list[str]], delimiter: str, encoding: str) -> None:
    header = ["id", "naam", "wijk"]
    lines = [delimiter.join(header)] + [delimiter.join(f'"{c.replace(chr(34), 2 * chr(34))}"' for c in r)
                                        for r in rows]
    text, _ = decode_bytes("\r\n".join(lines).encode(encoding), "f.csv")
    found = detect_delimiter(text)
    assert found == delimiter
    got_header, records = parse_delimited(text, found, "f.csv")
    assert got_header == header
    assert [cells for _, cells in records] == rows
    assert [num for num, _ in records] == list(range(2, len(rows) + 2))


@pytest.mark.parametrize("block", [1, 2, 3, 7, 1 << 16])
@pytest.mark.parametrize("tail", [b"\xff rest\n", b"\xc3"])  # a bad byte; a character cut off at the end
def test_undecodable_in_file_names_the_first_bad_byte_at_any_block_size(tmp_path: Path, block: int,
                                                                        tail: bytes) -> None:
    """Block boundaries (also inside a multi-byte character) never shift the reported offset or line."""
    from quotas.textfiles import undecodable_in_file

    data = "id;naam\n1;Zoë\n2;Ĳsbrand\n".encode() + tail
    path = tmp_path / "r.csv"
    path.write_bytes(data)
    error = undecodable_in_file(path, "utf-8", "UTF-8", "hint", block=block)
    offset = len(data) - len(tail)
    assert f"byte 0x{tail[0]:02x} at byte offset {offset} cannot be read as UTF-8 text." in str(error)
    assert error.row == 4 and error.file == str(path)
