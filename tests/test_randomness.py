"""Sortition stream v1: vectors shared by the doc, the reference verifier and the library, and invariants."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotas.errors import InputError
from sortition.randomness import (
    Stream,
    check_seed_characters,
    commitment_from_hex,
    commitment_of,
    derive_key,
    describe_character,
    display_seed,
    normalise_seed,
    order_by_rank,
    rank,
    seed_from_display,
    stream,
)

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "randomness.md"
VERIFIER = ROOT / "docs" / "reference_verifier.py"

VECTOR_FILE = b"example lottery file\n"
VECTOR_SEED = "2026-01-01 drand round 12345"
VECTOR_NS = [1, 2, 3, 10, 1000, 2**63 + 1]
VECTOR_IDS = ["a", "b", "c", "d"]

C = commitment_of(VECTOR_FILE)
K = derive_key(C, VECTOR_SEED)


def library_vector_lines() -> list[str]:
    """The vector block, computed with sortition.randomness only."""
    lines = [f"commitment = {C.hex()}", f"seed = {VECTOR_SEED}", f"key = {K.hex()}"]
    panel = Stream(K, "panel")
    lines.append("words(panel) = " + " ".join(f"{panel.next_word():016x}" for _ in range(8)))
    for n in VECTOR_NS:
        s = Stream(K, "panel")
        values = [s.uniform(n) for _ in range(5)]
        lines.append(f"uniform({n}) = " + " ".join(map(str, values)) + f" ; words used {s.words_used}")
    legacy = Stream(K, "legacy")
    lines.append("real(legacy) = " + " ".join(repr(legacy.random_real()) for _ in range(4)))
    lines.append("shuffle(0..9) = " + " ".join(map(str, Stream(K, "shuffle").shuffle(range(10)))))
    lines += [f"rank({i}) = {rank(K, i).hex()}" for i in VECTOR_IDS]
    lines.append("order = " + " ".join(order_by_rank(K, VECTOR_IDS)))
    return lines


def doc_vector_lines() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- vectors:begin -->", 1)[1].split("<!-- vectors:end -->", 1)[0]
    body = block.strip().removeprefix("```text").removesuffix("```")
    return [line for line in body.strip().splitlines() if line.strip()]


def doc_vectors() -> dict[str, str]:
    return dict(line.split(" = ", 1) for line in doc_vector_lines())


def run_verifier(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(VERIFIER), *args], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout


# --- the vectors: doc == library == reference verifier ------------------------------------------------


def test_doc_vectors_match_library() -> None:
    assert doc_vector_lines() == library_vector_lines()


def test_reference_verifier_vectors_match_doc() -> None:
    assert run_verifier("vectors").splitlines() == doc_vector_lines()


def test_vectors_by_hand_from_the_spec() -> None:
    # Recompute the first block with hmac directly, so a shared misreading would still be caught.
    v = doc_vectors()
    assert v["commitment"] == hashlib.sha256(VECTOR_FILE).hexdigest()
    key = hmac.new(C, b"sortition-v1\x00" + VECTOR_SEED.encode(), hashlib.sha256).digest()
    assert v["key"] == key.hex()
    block0 = hmac.new(key, b"panel\x00" + bytes(8), hashlib.sha256).digest()
    block1 = hmac.new(key, b"panel\x00" + (1).to_bytes(8, "big"), hashlib.sha256).digest()
    assert v["words(panel)"].replace(" ", "") == (block0 + block1).hex()
    assert v["rank(a)"] == hmac.new(key, b"rank\x00a", hashlib.sha256).hexdigest()
    ranked = sorted(
        VECTOR_IDS, key=lambda i: hmac.new(key, b"rank\x00" + i.encode(), hashlib.sha256).digest()
    )
    assert v["order"].split() == ranked


def test_vectors_show_a_rejection() -> None:
    # n = 2^63 + 1 rejects about half the words; the vector must exercise that path.
    values, used = doc_vectors()[f"uniform({2**63 + 1})"].split(" ; words used ")
    assert len(values.split()) == 5
    assert int(used) > 5


# --- uniform: rejection boundary ----------------------------------------------------------------------


def expected_uniform(words: list[int], n: int) -> tuple[int, int]:
    """(value, words consumed) for uniform(n) over a list of words, straight from the spec."""
    limit = 2**64 - (2**64 % n)
    for used, w in enumerate(words, start=1):
        if w < limit:
            return w % n, used
    raise AssertionError("ran out of words")


def test_uniform_rejects_and_takes_the_next_word() -> None:
    n = 2**63 + 1
    limit = 2**64 - (2**64 % n)
    assert limit == n  # so any word >= 2^63 + 1 is rejected
    source = Stream(K, "panel")
    words = [source.next_word() for _ in range(64)]
    first_rejected = next(i for i, w in enumerate(words) if w >= limit)
    # Consume the words before the rejected one with uniform(2^64) (never rejects), then draw.
    s = Stream(K, "panel")
    for _ in range(first_rejected):
        s.uniform(2**64)
    value = s.uniform(n)
    expect, used = expected_uniform(words[first_rejected:], n)
    assert used >= 2
    assert value == expect
    assert s.words_used == first_rejected + used


def test_uniform_boundary_with_crafted_words(monkeypatch: pytest.MonkeyPatch) -> None:
    # Feed words at and around the limit: limit - 1 is accepted, limit and above are rejected.
    n = 3 * 2**62  # 2^64 mod n = 2^62, limit = 2^64 - 2^62
    limit = 2**64 - 2**62
    fed = iter([limit, 2**64 - 1, limit - 1, 5])
    s = Stream(K, "x")
    monkeypatch.setattr(s, "next_word", lambda: next(fed))
    assert s.uniform(n) == (limit - 1) % n
    assert s.uniform(n) == 5


@pytest.mark.parametrize("n", [1, 2, 3, 7, 10, 1000, 2**32, 2**63 + 1, 2**64 - 1, 2**64])
def test_uniform_matches_the_spec_on_real_words(n: int) -> None:
    source = Stream(K, "check")
    words = [source.next_word() for _ in range(40)]
    s = Stream(K, "check")
    got = [s.uniform(n) for _ in range(5)]
    expect, pos = [], 0
    for _ in range(5):
        value, used = expected_uniform(words[pos:], n)
        expect.append(value)
        pos += used
    assert got == expect
    assert s.words_used == pos


def test_uniform_one_takes_a_word() -> None:
    s = Stream(K, "panel")
    assert s.uniform(1) == 0
    assert s.words_used == 1


@pytest.mark.parametrize("n", [0, -1, 2**64 + 1, True, 1.5])
def test_uniform_rejects_bad_n(n: object) -> None:
    with pytest.raises(ValueError):
        Stream(K, "panel").uniform(n)  # type: ignore[arg-type]


def test_words_cross_block_boundaries_in_order() -> None:
    s = Stream(K, "panel")
    words = [s.next_word() for _ in range(12)]
    blocks = b"".join(
        hmac.new(K, b"panel\x00" + i.to_bytes(8, "big"), hashlib.sha256).digest() for i in range(3)
    )
    assert words == [int.from_bytes(blocks[8 * j : 8 * j + 8], "big") for j in range(12)]


def test_random_real_is_in_unit_interval_and_exact() -> None:
    s, t = Stream(K, "legacy"), Stream(K, "legacy")
    for _ in range(50):
        x, w = s.random_real(), t.next_word()
        assert 0.0 <= x < 1.0
        assert x * 2**53 == w >> 11


def test_labels_give_independent_streams() -> None:
    assert Stream(K, "panel").next_word() != Stream(K, "legacy").next_word()


# --- seed, key, commitment ----------------------------------------------------------------------------


def test_nfc_and_nfd_seeds_give_the_same_key() -> None:
    seed = "Loting café Zuiderpark — ronde één"
    nfd = unicodedata.normalize("NFD", seed)
    assert nfd != seed
    assert derive_key(C, nfd) == derive_key(C, seed)
    assert derive_key(C, f"  \t{seed}\u00a0\n") == derive_key(C, seed)
    assert derive_key(C, seed) != derive_key(C, seed + ".")


def test_inner_whitespace_is_kept() -> None:
    assert derive_key(C, "1 2 3") != derive_key(C, "1  2 3")


@pytest.mark.parametrize("seed", ["", "   ", "\n\t\u00a0"])
def test_empty_seed_is_an_input_error(seed: str) -> None:
    with pytest.raises(InputError, match="the seed is empty"):
        normalise_seed(seed)
    with pytest.raises(InputError, match="the seed is empty"):
        derive_key(C, seed)


# --- seeds that look the same are the same, or refused -------------------------------------------------

REFUSED_CATEGORIES = ("Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp", "Zs")
#: Characters a valid seed may hold: everything visible, and the ordinary space.
VALID_SEED_CHARS = st.characters(exclude_categories=REFUSED_CATEGORIES) | st.just(" ")
#: Visible text that display_seed must show unchanged: plain ASCII (no backslash), Dutch letters, CJK.
VISIBLE_CHARS = st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="\\") | st.sampled_from(
    "éëïöüèàçñßÉË中文日本語한국어עבריתالعربية"  # not Ĳ: a ligature is a look-alike of IJ
)


def old_key(commitment: bytes, seed: str) -> bytes:
    """The key as the stream spec defined it before the character rules: NFC, strip, UTF-8."""
    text = unicodedata.normalize("NFC", seed).strip().encode("utf-8")
    return hmac.new(commitment, b"sortition-v1\x00" + text, hashlib.sha256).digest()


def test_the_issues_zero_width_space_is_refused_with_name_and_position() -> None:
    with pytest.raises(InputError) as caught:
        derive_key(C, "Lotto 3 11 17\u200b")
    message = str(caught.value)
    assert "U+200B ZERO WIDTH SPACE at position 14" in message
    assert "'Lotto 3 11 17\\u200b'" in message  # the seed is shown escaped, not as an identical-looking text
    assert "Retype the seed" in message and "plain text" in message


@pytest.mark.parametrize(
    ("seed", "named"),
    [
        ("Lotto\u00a03 11 17", "U+00A0 NO-BREAK SPACE at position 6"),
        ("Lotto 3\u202f11", "U+202F NARROW NO-BREAK SPACE at position 8"),
        ("Lotto 3\u300011", "U+3000 IDEOGRAPHIC SPACE at position 8"),
        ("abc\u202edef", "U+202E RIGHT-TO-LEFT OVERRIDE at position 4"),
        ("abc\u200edef", "U+200E LEFT-TO-RIGHT MARK at position 4"),
        ("abc\u2066def", "U+2066 LEFT-TO-RIGHT ISOLATE at position 4"),
        ("ab\ufeffc", "U+FEFF ZERO WIDTH NO-BREAK SPACE at position 3"),
        ("ab\u00adc", "U+00AD SOFT HYPHEN at position 3"),
        ("1 2\t3", "U+0009 CHARACTER TABULATION at position 4"),
        ("line one\nline two", "U+000A LINE FEED at position 9"),
        ("a\x00b", "U+0000 NULL at position 2"),
        ("a\x1bb", "U+001B ESCAPE at position 2"),
        ("a\u2028b", "U+2028 LINE SEPARATOR at position 2"),
        ("a\u0378b", "U+0378 (an unassigned code point) at position 2"),
        ("a\ue000b", "U+E000 (a private-use character) at position 2"),
        ("a\udcffb", "U+DCFF (a surrogate, not a character) at position 2"),
    ],
)
def test_invisible_and_lookalike_characters_are_refused(seed: str, named: str) -> None:
    with pytest.raises(InputError, match=re.escape(named)):
        normalise_seed(seed)
    with pytest.raises(InputError, match=re.escape(named)):
        derive_key(C, seed)


def test_every_offender_is_named_and_positions_count_the_text_as_given() -> None:
    with pytest.raises(InputError) as caught:
        normalise_seed("  a\u200bb\u00a0c\u202e ")
    message = str(caught.value)
    assert "U+200B ZERO WIDTH SPACE at position 4" in message
    assert "U+00A0 NO-BREAK SPACE at position 6" in message
    assert "U+202E RIGHT-TO-LEFT OVERRIDE at position 8" in message
    assert "holds characters that do not show" in message


def test_many_offenders_are_summarised() -> None:
    with pytest.raises(InputError, match=r"at position 20 and 5 more"):
        normalise_seed("x" + "\u200bx" * 15)


def test_surrounding_whitespace_is_still_stripped_but_not_invisible_characters() -> None:
    assert normalise_seed("\u00a0 Lotto 3 11 17\t\n\u3000") == "Lotto 3 11 17"
    with pytest.raises(InputError, match="ZERO WIDTH SPACE at position 1"):
        normalise_seed("\u200bLotto 3 11 17")


def test_visible_seeds_are_still_accepted() -> None:
    for seed in ["Lotto 3 11 17", "Loting café — ronde één", "2027-03-01 «dés» 4 6 1", "中文 日本語", "Λότο 3 11",
                 "a" * 5000, "fb8f7bc29bf24db51871ec8c79f3a1e4bd0557bc0dfcee9ed1d924e69d1c60dc"]:
        assert normalise_seed(seed) == seed
        check_seed_characters(seed)


def test_describe_character() -> None:
    assert describe_character("\u200b") == "U+200B ZERO WIDTH SPACE"
    assert describe_character("\r") == "U+000D CARRIAGE RETURN"
    assert describe_character("\x01") == "U+0001 (a control character)"
    assert describe_character("\U0001f600") == "U+1F600 GRINNING FACE"


@settings(max_examples=300)
@given(st.text(VALID_SEED_CHARS, min_size=1, max_size=40))
def test_valid_seeds_normalise_idempotently_and_keep_their_stream(seed: str) -> None:
    try:
        once = normalise_seed(seed)
    except InputError as exc:
        assert "the seed is empty" in str(exc)
        return
    assert normalise_seed(once) == once
    assert derive_key(C, seed) == old_key(C, seed)  # a seed valid before and now gives the same stream


@settings(max_examples=300)
@given(st.text(st.characters(exclude_categories=()), max_size=30))
def test_any_text_is_refused_or_normalised_to_a_clean_seed(text: str) -> None:
    try:
        seed = normalise_seed(text)
    except InputError:
        return
    assert not any(ch != " " and unicodedata.category(ch) in REFUSED_CATEGORIES for ch in seed)
    assert normalise_seed(seed) == seed


@given(st.text(VISIBLE_CHARS, max_size=40))
def test_display_shows_visible_text_unchanged(text: str) -> None:
    assert display_seed(text) == text


@settings(max_examples=300)
@given(st.text(st.characters(exclude_categories=()) | st.sampled_from("\\uU0"), max_size=30))
def test_display_is_unambiguous(text: str) -> None:
    assert seed_from_display(display_seed(text)) == text
    shown = display_seed(text)
    assert all(unicodedata.category(ch) not in REFUSED_CATEGORIES or ch == " " for ch in shown)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Lotto 3 11 17\u200b", "Lotto 3 11 17\\u200b"),
        ("a\tb", "a\\u0009b"),
        ("L\u043ett\u043e", "L\\u043ett\\u043e"),  # Cyrillic o among Latin letters
        ("\u039b\u03cc\u03c4\u03bf 3", "\u039b\u03cc\u03c4\u03bf 3"),  # all Greek: nothing to confuse it with
        ("\uff12\uff10\uff12\uff17", "\\uff12\\uff10\\uff12\\uff17"),  # full-width digits
        ("2027\u201303\u201301", "2027\\u201303\\u201301"),  # en dashes
        ("\u201cLotto\u201d", "\\u201cLotto\\u201d"),  # curly quotes
        ("\u2212 5", "\\u2212 5"),  # minus sign
        ("\u0132sselmonde", "\\u0132sselmonde"),  # the ligature IJ, a look-alike of I and J
        ("\U000e0041", "\\U000e0041"),  # a tag character, outside the BMP
        ("C:\\dir", "C:\\dir"),
        ("\\u200b", "\\\\u200b"),  # typed literally: the backslash is doubled so it cannot pass for an escape
        ("x\\\u200b", "x\\\\\\u200b"),
    ],
)
def test_display_examples(text: str, shown: str) -> None:
    assert display_seed(text) == shown
    assert seed_from_display(shown) == text


def test_seed_from_display_leaves_stray_backslashes() -> None:
    assert seed_from_display("a\\b\\u12") == "a\\b\\u12"


def test_commitment_from_hex() -> None:
    assert commitment_from_hex(C.hex().upper() + "\n") == C
    for bad in ["", "abc", C.hex()[:-1], C.hex()[:-1] + "g", C.hex() + "00"]:
        with pytest.raises(InputError, match="SHA-256"):
            commitment_from_hex(bad)


def test_commitment_must_be_32_bytes() -> None:
    with pytest.raises(InputError, match="32 raw bytes"):
        derive_key(C.hex().encode(), VECTOR_SEED)


@pytest.mark.parametrize("label", ["", "pa\x00nel", "pañel"])
def test_bad_labels(label: str) -> None:
    with pytest.raises(ValueError, match="label"):
        Stream(K, label)


def test_stream_key_must_be_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Stream(b"short", "panel")


def test_stream_shorthand() -> None:
    assert stream(C, VECTOR_SEED, "panel").next_word() == Stream(K, "panel").next_word()


# --- shuffle, choice, ranks ---------------------------------------------------------------------------

keys = st.binary(min_size=32, max_size=32)


@settings(max_examples=60, deadline=None)
@given(key=keys, items=st.lists(st.integers(), max_size=40))
def test_shuffle_is_a_permutation_and_repeatable(key: bytes, items: list[int]) -> None:
    out = Stream(key, "shuffle").shuffle(items)
    assert sorted(out) == sorted(items)
    assert Stream(key, "shuffle").shuffle(items) == out


def test_shuffle_follows_fisher_yates_downwards() -> None:
    s = Stream(K, "shuffle")
    expect = list(range(10))
    for i in range(9, 0, -1):
        j = s.uniform(i + 1)
        expect[i], expect[j] = expect[j], expect[i]
    assert Stream(K, "shuffle").shuffle(range(10)) == expect
    s2 = Stream(K, "shuffle")
    s2.shuffle(range(10))
    assert s2.words_used >= 9


def test_choice() -> None:
    items = ["x", "y", "z"]
    assert Stream(K, "c").choice(items) == items[Stream(K, "c").uniform(3)]
    with pytest.raises(ValueError):
        Stream(K, "c").choice([])


ids = st.lists(st.text(min_size=1, max_size=12), unique=True, max_size=30)


@settings(max_examples=60, deadline=None)
@given(key=keys, idents=ids, data=st.data())
def test_rank_order_ignores_input_order(key: bytes, idents: list[str], data: st.DataObject) -> None:
    permuted = data.draw(st.permutations(idents))
    assert order_by_rank(key, permuted) == order_by_rank(key, idents)
    assert sorted(order_by_rank(key, idents)) == sorted(idents)


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(InputError, match="more than once"):
        order_by_rank(K, ["a", "b", "a"])


# --- reference verifier agrees with the library -------------------------------------------------------


def test_reference_verifier_ranks() -> None:
    idents = ["3f9a0c1d2e4b5a67", "0000aaaa1111bbbb", "ffffeeee00001111", "7", "é"]
    out = run_verifier("ranks", C.hex(), VECTOR_SEED, *idents).splitlines()
    assert [line.split()[0] for line in out] == order_by_rank(K, idents)
    assert [line.split()[1] for line in out] == [rank(K, i).hex() for i in order_by_rank(K, idents)]


def test_reference_verifier_panel_index(tmp_path: Path) -> None:
    panels = [sorted(f"{(7 * p + q) % 97:016x}" for q in range(3)) for p in range(37)]
    lottery = {"format": "sortition-lottery/1", "settings": {"m": 37}, "panels": panels}
    path = tmp_path / "lottery.json"
    path.write_text(json.dumps(lottery, indent=2) + "\n", encoding="utf-8")
    seed = "drand round 4242 randomness 9f1c"
    out = dict(line.split(" = ", 1) for line in run_verifier("panel-index", str(path), seed).splitlines())
    commitment = commitment_of(path.read_bytes())
    index = Stream(derive_key(commitment, seed), "panel").uniform(len(panels))
    assert out["commitment"] == commitment.hex()
    assert out["panels"] == "37"
    assert int(out["panel_index"]) == index
    assert out["panel"].split() == panels[index]


def test_reference_verifier_does_not_import_sortition() -> None:
    imports = [
        line.split()[1]
        for line in VERIFIER.read_text(encoding="utf-8").splitlines()
        if line.startswith(("import ", "from "))
    ]
    assert imports, "expected top-level imports"
    assert all(name.split(".")[0] in sys.stdlib_module_names for name in imports), imports
