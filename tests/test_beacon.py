"""drand quicknet: the public vectors verify, every forgery is refused, and the round arithmetic is exact."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys
import zoneinfo
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quotas.errors import InputError, VerificationError
from sortition.beacon import (
    QUICKNET,
    QUICKNET_CHAIN_HASH,
    QUICKNET_GENESIS_TIME,
    QUICKNET_PERIOD_SECONDS,
    QUICKNET_PUBLIC_KEY,
    QUICKNET_ROUND_URL,
    QUICKNET_SCHEME,
    BeaconCommitment,
    BeaconRound,
    beacon_round_from_json,
    beacon_round_to_json,
    commit_round,
    parse_beacon,
    parse_time,
    read_beacon,
    recheck_beacon_seed,
    round_at,
    round_message,
    round_time,
    seed_from_beacon,
    verify_round,
)
from sortition.randomness import normalise_seed

ROOT = Path(__file__).resolve().parents[1]
VECTORS = ROOT.parent / "shared" / "vectors" / "drand_quicknet.json"

# The first quicknet round, and a date every drand client agrees on (the vector file's date_check).
GENESIS = datetime(2023, 8, 23, 15, 9, 27, tzinfo=UTC)
APRIL_2026 = datetime(2026, 4, 20, tzinfo=UTC)
APRIL_2026_ROUND = 27946612


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    if not VECTORS.is_file():
        pytest.skip(f"the drand quicknet vectors are not beside the repository ({VECTORS} is absent)")
    data: dict[str, Any] = json.loads(VECTORS.read_text(encoding="utf-8"))
    return data


def with_randomness(round_number: int, signature: str) -> BeaconRound:
    """A round whose randomness is consistent, so that only the signature can make it fail."""
    return BeaconRound(round_number, signature, hashlib.sha256(bytes.fromhex(signature)).hexdigest())


# --- the public facts ------------------------------------------------------------------------------------


def test_constants_are_the_published_facts(vectors: dict[str, Any]) -> None:
    assert vectors["chain_hash"] == QUICKNET_CHAIN_HASH
    assert vectors["public_key"] == QUICKNET_PUBLIC_KEY
    assert vectors["genesis_time"] == QUICKNET_GENESIS_TIME
    assert vectors["period_seconds"] == QUICKNET_PERIOD_SECONDS
    assert vectors["scheme"] == QUICKNET_SCHEME
    assert QUICKNET.dst.decode("ascii") in vectors["signature_rule"]


def test_genesis_constant_is_the_announced_moment() -> None:
    assert datetime.fromtimestamp(QUICKNET_GENESIS_TIME, UTC) == GENESIS


# --- verifying a round -----------------------------------------------------------------------------------


def test_valid_rounds_verify_and_give_their_randomness(vectors: dict[str, Any]) -> None:
    for entry in vectors["valid_rounds"]:
        published = BeaconRound(entry["round"], entry["signature"], entry["randomness"])
        seed = verify_round(published, expected_round=entry["round"])
        assert seed == entry["randomness"]
        assert normalise_seed(seed) == seed  # the randomness is usable as a seed text as it is


def test_every_invalid_example_is_refused_by_the_signature_check(vectors: dict[str, Any]) -> None:
    assert vectors["invalid_examples"]
    for entry in vectors["invalid_examples"]:
        forged = with_randomness(entry["round"], entry["signature"])
        with pytest.raises(VerificationError, match="does not verify against the quicknet public key"):
            verify_round(forged, expected_round=entry["round"])


def test_another_rounds_signature_is_refused_as_the_wrong_round(vectors: dict[str, Any]) -> None:
    valid = vectors["valid_rounds"][0]
    genuine = BeaconRound(valid["round"], valid["signature"], valid["randomness"])
    with pytest.raises(VerificationError, match=rf"holds round {valid['round']}, but the lottery committed to round"):
        verify_round(genuine, expected_round=valid["round"] + 1)


def test_randomness_must_be_the_sha256_of_the_signature(vectors: dict[str, Any]) -> None:
    valid = vectors["valid_rounds"][0]
    other = "00" * 32
    with pytest.raises(VerificationError, match="not the SHA-256 of its signature"):
        verify_round(BeaconRound(valid["round"], valid["signature"], other), expected_round=valid["round"])


def test_every_single_bit_flip_of_the_signature_is_refused(vectors: dict[str, Any]) -> None:
    valid = vectors["valid_rounds"][0]
    raw = bytes.fromhex(valid["signature"])
    for position in (0, 1, 24, 47):
        for bit in (0, 3, 7):
            changed = bytearray(raw)
            changed[position] ^= 1 << bit
            with pytest.raises(VerificationError, match="does not verify"):
                verify_round(with_randomness(valid["round"], changed.hex()), expected_round=valid["round"])


def test_the_point_at_infinity_is_not_a_signature() -> None:
    infinity = "c0" + "00" * 47
    with pytest.raises(VerificationError, match="does not verify"):
        verify_round(with_randomness(123, infinity), expected_round=123)


def test_a_signature_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(VerificationError, match="does not verify"):
        verify_round(with_randomness(123, "ab" * 96), expected_round=123)


def test_upper_case_hex_verifies_and_returns_lower_case(vectors: dict[str, Any]) -> None:
    valid = vectors["valid_rounds"][0]
    shouted = BeaconRound(valid["round"], valid["signature"].upper(), valid["randomness"].upper())
    assert verify_round(shouted, expected_round=valid["round"]) == valid["randomness"]


def test_round_message_is_sha256_of_the_big_endian_round() -> None:
    assert round_message(123) == hashlib.sha256(bytes(7) + b"\x7b").digest()


# --- reading a round as drand publishes it ---------------------------------------------------------------


def test_read_beacon_reads_drands_json(tmp_path: Path, vectors: dict[str, Any]) -> None:
    valid = vectors["valid_rounds"][0]
    path = tmp_path / "round.json"
    path.write_text(json.dumps({**valid, "extra": "ignored"}), encoding="utf-8")
    assert read_beacon(path) == BeaconRound(valid["round"], valid["signature"], valid["randomness"])
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(valid).encode("utf-8"))  # saved by a Windows editor
    assert read_beacon(path).round == valid["round"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "not valid JSON"),
        ("[1, 2]", "one JSON object"),
        ('{"round": "123", "signature": "' + "ab" * 48 + '", "randomness": "' + "cd" * 32 + '"}', "'round'"),
        ('{"round": true, "signature": "' + "ab" * 48 + '", "randomness": "' + "cd" * 32 + '"}', "'round'"),
        ('{"round": 0, "signature": "' + "ab" * 48 + '", "randomness": "' + "cd" * 32 + '"}', "'round'"),
        ('{"round": 5, "randomness": "' + "cd" * 32 + '"}', "'signature' must be 96 hexadecimal"),
        ('{"round": 5, "signature": "' + "zz" * 48 + '", "randomness": "' + "cd" * 32 + '"}', "'signature'"),
        ('{"round": 5, "signature": "' + "ab" * 48 + '"}', "'randomness' must be 64 hexadecimal"),
        (
            '{"round": 5, "signature": "' + "ab" * 48 + '", "randomness": "' + "cd" * 32 + '", '
            '"previous_signature": "' + "ef" * 96 + '"}',
            "chained drand beacon",
        ),
    ],
)
def test_bad_beacon_files_are_input_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "round.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        read_beacon(path)
    assert str(path) in str(caught.value)


def test_missing_and_binary_beacon_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the beacon file"):
        read_beacon(tmp_path / "absent.json")
    binary = tmp_path / "round.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="not UTF-8"):
        read_beacon(binary)


def test_parse_beacon_lowers_the_hex_and_gives_a_frozen_round() -> None:
    parsed = parse_beacon(json.dumps({"round": 7, "signature": "AB" * 48, "randomness": "CD" * 32}))
    assert parsed == BeaconRound(7, "ab" * 48, "cd" * 32)
    assert dataclasses.is_dataclass(parsed)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.round = 8  # type: ignore[misc]


# --- round arithmetic ------------------------------------------------------------------------------------


def test_round_times_follow_genesis_and_period(vectors: dict[str, Any]) -> None:
    genesis, period = vectors["genesis_time"], vectors["period_seconds"]
    for r in (1, 2, 123, APRIL_2026_ROUND):
        assert round_time(r).timestamp() == genesis + (r - 1) * period


def test_known_rounds() -> None:
    assert round_time(1) == GENESIS
    assert round_time(2) == GENESIS + timedelta(seconds=3)
    assert round_time(APRIL_2026_ROUND) == APRIL_2026
    assert round_at(APRIL_2026) == APRIL_2026_ROUND
    assert round_at(GENESIS) == 1


def test_round_at_is_the_first_round_at_or_after() -> None:
    assert round_at(APRIL_2026 + timedelta(microseconds=1)) == APRIL_2026_ROUND + 1
    assert round_at(APRIL_2026 - timedelta(microseconds=1)) == APRIL_2026_ROUND
    assert round_at(APRIL_2026 + timedelta(seconds=3)) == APRIL_2026_ROUND + 1
    assert round_at(GENESIS - timedelta(days=400)) == 1


def test_round_at_works_in_any_offset() -> None:
    amsterdam_summer = timezone(timedelta(hours=2))
    assert round_at(APRIL_2026.astimezone(amsterdam_summer)) == APRIL_2026_ROUND


@given(st.integers(min_value=1, max_value=10**10))
def test_round_at_inverts_round_time(r: int) -> None:
    published = round_time(r)
    assert round_at(published) == r
    assert round_at(published - timedelta(microseconds=1)) == r
    assert round_at(published + timedelta(microseconds=1)) == r + 1


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "12"])
def test_round_time_refuses_non_rounds(bad: object) -> None:
    with pytest.raises(InputError, match="is not a round number"):
        round_time(bad)  # type: ignore[arg-type]


def test_round_time_refuses_a_round_beyond_the_calendar() -> None:
    with pytest.raises(InputError, match="beyond the year 9999"):
        round_time(10**12)


def test_round_at_refuses_a_naive_time() -> None:
    with pytest.raises(InputError, match="no time zone"):
        round_at(datetime(2027, 3, 1, 20, 0))


# --- parsing a time --------------------------------------------------------------------------------------


def has_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except zoneinfo.ZoneInfoNotFoundError:
        return False
    return True


needs_tzdata = pytest.mark.skipif(
    not has_zone("Europe/Amsterdam"), reason="no time zone database on this system (pip install tzdata)"
)


@needs_tzdata
def test_parse_time_with_a_zone_name() -> None:
    parsed = parse_time("2027-03-01 20:00 Europe/Amsterdam")
    assert parsed == datetime(2027, 3, 1, 19, 0, tzinfo=UTC)
    assert parse_time("  2027-07-01   20:00  Europe/Amsterdam ") == datetime(2027, 7, 1, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2027-03-01 19:00 UTC",
        "2027-03-01T19:00Z",
        "2027-03-01 20:00+01:00",
        "2027-03-01 20:00 +01:00",
        "2027-03-01T19:00:00.000+00:00",
        "2027-03-01 19:00 Z",
    ],
)
def test_parse_time_with_offsets_needs_no_database(text: str) -> None:
    assert parse_time(text) == datetime(2027, 3, 1, 19, 0, tzinfo=UTC)


@needs_tzdata
def test_parse_time_refuses_skipped_and_repeated_wall_times() -> None:
    with pytest.raises(InputError, match="does not exist"):
        parse_time("2027-03-28 02:30 Europe/Amsterdam")
    with pytest.raises(InputError, match=r"happens twice.*\+02:00.*\+01:00"):
        parse_time("2027-10-31 02:30 Europe/Amsterdam")


@needs_tzdata
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the time is empty"),
        ("2027-03-01 20:00", "has no time zone"),
        ("2027-03-01 20:00 Europe/Amsterdm", "not a known time zone"),
        ("morgen 20:00 Europe/Amsterdam", "not a date and time"),
        ("2027-03-01 20:00+01:00 Europe/Amsterdam", "both an offset and a time zone"),
        ("2027-02-30 20:00 Europe/Amsterdam", "not a date and time"),
    ],
)
def test_parse_time_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_time(text)


@needs_tzdata
def test_the_issues_example_time_gives_its_round() -> None:
    when = parse_time("2027-03-01 20:00 Europe/Amsterdam")
    r = round_at(when)
    assert round_time(r) == when  # a whole number of periods after genesis: published exactly then
    assert r == 1 + (int(when.timestamp()) - QUICKNET_GENESIS_TIME) // QUICKNET_PERIOD_SECONDS


# --- the commitment in the lottery file, the draw and verify -------------------------------------------


def test_a_future_round_is_committed_with_its_publication_time() -> None:
    committed = commit_round(APRIL_2026_ROUND, now=APRIL_2026 - timedelta(days=2))
    assert committed.to_json() == {
        "beacon": "drand-quicknet",
        "chain_hash": QUICKNET_CHAIN_HASH,
        "round": APRIL_2026_ROUND,
        "round_published_at": "2026-04-20T00:00:00Z",
        "past_round_allowed": False,
    }
    assert BeaconCommitment.from_json(json.loads(json.dumps(committed.to_json()))) == committed


@pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1), timedelta(days=300)])
def test_a_published_round_is_refused_unless_allowed(after: timedelta) -> None:
    with pytest.raises(InputError, match=rf"round {APRIL_2026_ROUND} was already published at 2026-04-20 00:00:00"):
        commit_round(APRIL_2026_ROUND, now=APRIL_2026 + after)
    allowed = commit_round(APRIL_2026_ROUND, now=APRIL_2026 + after, allow_past_round=True)
    assert allowed.past_round_allowed
    assert allowed.to_json()["past_round_allowed"] is True


def test_the_allow_option_is_recorded_as_given_not_from_the_clock() -> None:
    early = commit_round(APRIL_2026_ROUND, now=APRIL_2026 - timedelta(days=1), allow_past_round=True)
    late = commit_round(APRIL_2026_ROUND, now=APRIL_2026 + timedelta(days=1), allow_past_round=True)
    assert early == late  # the lottery file never depends on when prepare ran


def test_commit_round_needs_an_aware_clock() -> None:
    with pytest.raises(InputError, match="no time zone"):
        commit_round(APRIL_2026_ROUND, now=datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"round_published_at": "2026-04-20T00:00:03Z"}, "do not agree"),
        ({"beacon": "drand-mainnet"}, "is not drand-quicknet"),
        ({"chain_hash": "8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce"}, "not drand quicknet"),
        ({"round": 0}, "whole number"),
        ({"past_round_allowed": "no"}, "true or false"),
    ],
)
def test_an_edited_commitment_is_refused(change: dict[str, Any], message: str) -> None:
    data = {**commit_round(APRIL_2026_ROUND, now=GENESIS).to_json(), **change}
    with pytest.raises(InputError, match=message):
        BeaconCommitment.from_json(data, source="lottery.json")
    with pytest.raises(InputError, match="must be a JSON object"):
        BeaconCommitment.from_json([1], source="lottery.json")


def test_draw_and_verify_with_the_committed_round(vectors: dict[str, Any]) -> None:
    valid = vectors["valid_rounds"][0]
    committed = BeaconCommitment.from_json(commit_round(valid["round"], now=GENESIS).to_json())
    published = beacon_round_from_json(valid)
    seed = seed_from_beacon(committed, published)
    assert seed == valid["randomness"]
    kept = beacon_round_to_json(published)  # what the draw record holds
    assert recheck_beacon_seed(committed, beacon_round_from_json(kept, source="draw.json"), seed) == seed
    with pytest.raises(VerificationError, match="is not the randomness of drand round"):
        recheck_beacon_seed(committed, published, "fb" * 32)
    other = commit_round(valid["round"] + 1, now=GENESIS)
    with pytest.raises(VerificationError, match="committed to round"):
        seed_from_beacon(other, published)


# --- import cost -----------------------------------------------------------------------------------------


def test_importing_the_beacon_does_not_load_the_bls_library() -> None:
    code = "import sys, sortition, sortition.beacon; print('py_arkworks_bls12381' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.strip() == "False"


# --- the auditor's section of docs/randomness.md ---------------------------------------------------------

DOC = ROOT / "docs" / "randomness.md"


def auditor_section() -> str:
    return DOC.read_text(encoding="utf-8").split("## How an auditor checks a drand round by hand", 1)[1]


def test_the_doc_states_quicknets_facts_as_the_code_does() -> None:
    section = auditor_section()
    for fact in (QUICKNET_CHAIN_HASH, QUICKNET_PUBLIC_KEY, str(QUICKNET_GENESIS_TIME), QUICKNET_SCHEME):
        assert f"`{fact}`" in section
    assert QUICKNET.dst.decode("ascii") in section
    assert QUICKNET_ROUND_URL.format(round=123) in section


def test_the_docs_worked_example_is_right() -> None:
    section = auditor_section()
    assert round_message(123).hex() in section
    assert f"{round_time(123):%Y-%m-%d %H:%M:%S} UTC" in section
    assert f"= {int(round_time(123).timestamp())}" in section
    assert f"round\n{APRIL_2026_ROUND} at {APRIL_2026:%Y-%m-%d %H:%M:%S} UTC" in section


def test_the_docs_independent_check_runs(tmp_path: Path, vectors: dict[str, Any]) -> None:
    pytest.importorskip("py_ecc", reason="the doc's hand check uses py_ecc, which sortition does not install")
    code = auditor_section().split("<!-- drand-check:begin -->", 1)[1].split("<!-- drand-check:end -->", 1)[0]
    script = tmp_path / "check_drand.py"
    script.write_text(code.strip().removeprefix("```python").removesuffix("```"), encoding="utf-8")
    valid = vectors["valid_rounds"][0]
    forged = {**valid, "round": valid["round"] + 1}
    outputs = []
    for name, content in (("valid.json", valid), ("forged.json", forged)):
        (tmp_path / name).write_text(json.dumps(content), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, str(script), str(tmp_path / name)], capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert "randomness ok True" in outputs[0] and "signature ok True" in outputs[0]
    assert "signature ok False" in outputs[1]
