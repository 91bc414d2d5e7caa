"""drand quicknet as a seed source: the beacon's public facts, round times, and the check of a published round.

A quicknet round is a BLS signature by the League of Entropy on the round number; its ``randomness`` is the
SHA-256 of that signature. Nobody, the organiser included, can choose it, and anyone can check it offline.

Usage::

    round_number = round_at(parse_time("2027-03-01 20:00 Europe/Amsterdam"))   # committed in the lottery
    seed = verify_round(read_beacon("round.json"), expected_round=round_number)  # 64 lower-case hex
"""

from __future__ import annotations

import hashlib
import json
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from quotas.errors import InputError, SortitionError, VerificationError


@dataclass(frozen=True)
class Beacon:
    """The public facts of a drand beacon, as drand publishes them in its chain info.

    ``public_key`` is the group key on G2 (96 bytes compressed, hex); signatures are on G1 and hashed to the
    curve per RFC 9380 with ``dst``; round ``r`` is published at ``genesis_time + (r - 1) * period_seconds``.
    """

    name: str
    chain_hash: str
    public_key: str
    genesis_time: int
    period_seconds: int
    scheme: str
    dst: bytes


#: drand quicknet (League of Entropy): unchained rounds every 3 seconds since 2023-08-23 15:09:27 UTC.
QUICKNET = Beacon(
    name="quicknet",
    chain_hash="52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    public_key=(
        "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c"
        "921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"
    ),
    genesis_time=1692803367,
    period_seconds=3,
    scheme="bls-unchained-g1-rfc9380",
    dst=b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_",
)

QUICKNET_CHAIN_HASH = QUICKNET.chain_hash
QUICKNET_PUBLIC_KEY = QUICKNET.public_key
QUICKNET_GENESIS_TIME = QUICKNET.genesis_time
QUICKNET_PERIOD_SECONDS = QUICKNET.period_seconds
QUICKNET_SCHEME = QUICKNET.scheme

#: Where an official downloads a round (any drand relay serves the same signed JSON).
QUICKNET_ROUND_URL = "https://api.drand.sh/" + QUICKNET_CHAIN_HASH + "/public/{round}"

_SIGNATURE_BYTES = 48  # a compressed G1 point
_G1_INFINITY = bytes([0xC0]) + bytes(_SIGNATURE_BYTES - 1)
_MICROS = 1_000_000
_TIME_HINT = "Write it as 'YYYY-MM-DD HH:MM Area/City' (e.g. '2027-03-01 20:00 Europe/Amsterdam') or with an offset "
_TIME_HINT += "('2027-03-01T20:00+01:00', '2027-03-01T19:00Z')."


# --- round arithmetic ------------------------------------------------------------------------------------


def round_time(round_number: int, *, beacon: Beacon = QUICKNET) -> datetime:
    """Return when a round is published: ``genesis_time + (round - 1) * period`` (UTC, timezone-aware).

    Raises:
        InputError: for a round number below 1 or beyond the year 9999.
    """
    if isinstance(round_number, bool) or not isinstance(round_number, int) or round_number < 1:
        raise InputError(
            f"the drand round {round_number!r} is not a round number",
            hint="drand rounds are whole numbers from 1; give the round number as the beacon publishes it.",
        )
    seconds = beacon.genesis_time + (round_number - 1) * beacon.period_seconds
    try:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    except OverflowError:
        raise InputError(
            f"the drand round {round_number} lies beyond the year 9999",
            hint="Check the round number; rounds of the next years have 8 or 9 digits.",
        ) from None


def round_at(when: datetime, *, beacon: Beacon = QUICKNET) -> int:
    """Return the first round published at or after ``when`` (round 1 for any time up to the genesis).

    Args:
        when: a timezone-aware time (see :func:`parse_time`).

    Raises:
        InputError: for a naive datetime (a time without a time zone is ambiguous).
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise InputError("the time has no time zone", hint=_TIME_HINT)
    genesis = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=beacon.genesis_time)
    delta = when - genesis
    micros = (delta.days * 86_400 + delta.seconds) * _MICROS + delta.microseconds
    if micros <= 0:
        return 1
    period = beacon.period_seconds * _MICROS
    return 1 + -(-micros // period)  # ceiling division, in integers: no float on the committed path


def parse_time(text: str) -> datetime:
    """Parse a time such as ``2027-03-01 20:00 Europe/Amsterdam`` or ``2027-03-01T19:00Z`` (timezone-aware).

    A time zone is required: an IANA name (``Europe/Amsterdam``, ``UTC``) after the time, or an offset
    inside it. A wall-clock time that does not exist (skipped when clocks go forward) or happens twice
    (when they go back) in that zone is refused rather than guessed.

    Raises:
        InputError: naming what is wrong and how to write it.
    """
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InputError("the time is empty", hint=_TIME_HINT)
    head, _, last = cleaned.rpartition(" ")
    zone = _zone(last) if head and not _looks_like_time(last) else None
    clock = head if zone is not None else cleaned
    if head and re.fullmatch(r"[+-][0-9]{2}:?[0-9]{2}", last):
        clock = head + last  # '2027-03-01 20:00 +01:00'
    try:
        parsed = datetime.fromisoformat(clock)
    except ValueError:
        raise InputError(f"the time '{cleaned[:80]}' is not a date and time", hint=_TIME_HINT) from None
    if zone is None:
        if parsed.tzinfo is None:
            raise InputError(f"the time '{cleaned[:80]}' has no time zone", hint=_TIME_HINT)
        return parsed
    if parsed.tzinfo is not None:
        raise InputError(
            f"the time '{cleaned[:80]}' has both an offset and a time zone name", hint="Give one of the two."
        )
    return _localise(parsed, zone, cleaned)


def _looks_like_time(token: str) -> bool:
    return bool(re.fullmatch(r"[0-9T:.+\-Z]+", token)) and any(ch.isdigit() for ch in token)


def _zone(name: str) -> tzinfo:
    if name in ("Z", "z", "UTC"):
        return UTC  # needs no time zone database
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        if not zoneinfo.available_timezones():
            raise InputError(
                f"the time zone '{name[:60]}' cannot be looked up: this computer has no time zone database",
                hint="Install it with 'pip install tzdata', or give the time with an offset "
                "('2027-03-01T20:00+01:00').",
            ) from None
        raise InputError(
            f"'{name[:60]}' is not a known time zone",
            hint="Use an IANA name such as 'Europe/Amsterdam' or 'UTC' (spelled exactly, with capitals).",
        ) from None


def _localise(naive: datetime, zone: tzinfo, text: str) -> datetime:
    early, late = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if early.utcoffset() != late.utcoffset():
        # The wall-clock time is either skipped (it does not survive a trip through UTC) or repeated.
        skipped = early.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive
        if skipped:
            raise InputError(
                f"the time '{text[:80]}' does not exist: the clocks skip it (summer time starts)",
                hint="Choose another time, or give it with an offset.",
            )
        raise InputError(
            f"the time '{text[:80]}' happens twice (summer time ends)",
            hint=f"Give it with the offset you mean: '{naive.isoformat(' ', 'minutes')}{_offset(early)}' or "
            f"'{naive.isoformat(' ', 'minutes')}{_offset(late)}'.",
        )
    return early


def _offset(moment: datetime) -> str:
    return moment.isoformat()[-6:]


# --- a published round -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BeaconRound:
    """One round as drand publishes it: round number, BLS signature and randomness (lower-case hex).

    Example::

        BeaconRound(round=123, signature="b75c...", randomness="fb8f...")
    """

    round: int
    signature: str
    randomness: str


def read_beacon(path: str | Path) -> BeaconRound:
    """Read a round saved from drand (``{"round": ..., "signature": ..., "randomness": ...}``).

    Extra fields are ignored. The file's content is checked for shape only; :func:`verify_round` checks
    that it is genuine.

    Raises:
        InputError: when the file is unreadable, not JSON, or lacks a well-formed field.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read the beacon file: {exc.strerror or exc}", file=path) from None
    except UnicodeDecodeError:
        raise InputError("the beacon file is not UTF-8 text", file=path, hint=_BEACON_HINT) from None
    return parse_beacon(text, source=path)


_BEACON_HINT = "Save the round exactly as drand serves it, e.g. from " + QUICKNET_ROUND_URL.format(round="ROUND") + "."


def parse_beacon(text: str, *, source: str | Path = "beacon") -> BeaconRound:
    """Parse the JSON text of a published round (see :func:`read_beacon`)."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"the beacon file is not valid JSON (line {exc.lineno}, column {exc.colno})",
            file=source,
            hint=_BEACON_HINT,
        ) from None
    return beacon_round_from_json(data, source=source)


def beacon_round_from_json(data: Any, *, source: str | Path = "beacon") -> BeaconRound:
    """Read a round from its JSON object (as drand publishes it, or as a draw record keeps it)."""
    if not isinstance(data, dict):
        raise InputError("the beacon file must hold one JSON object", file=source, hint=_BEACON_HINT)
    if data.get("previous_signature"):
        raise InputError(
            "this round holds a previous_signature: it comes from a chained drand beacon, not from quicknet",
            file=source,
            hint=_BEACON_HINT,
        )
    number = data.get("round")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise InputError(
            "the beacon file's 'round' must be a whole number from 1", file=source, column="round", hint=_BEACON_HINT
        )
    return BeaconRound(
        round=number,
        signature=_hex_field(data, "signature", _SIGNATURE_BYTES, source),
        randomness=_hex_field(data, "randomness", 32, source),
    )


def _hex_field(data: dict[str, Any], key: str, size: int, source: str | Path) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not re.fullmatch(rf"[0-9a-fA-F]{{{2 * size}}}", value):
        raise InputError(
            f"the beacon file's '{key}' must be {2 * size} hexadecimal characters ({size} bytes)",
            file=source,
            column=key,
            hint=_BEACON_HINT,
        )
    return value.lower()


def verify_round(beacon_round: BeaconRound, *, expected_round: int, beacon: Beacon = QUICKNET) -> str:
    """Check a published round and return its randomness, the seed of the draw (64 lower-case hex).

    Checks, in this order: the round is the committed one; the randomness is SHA-256 of the signature;
    the signature is a valid BLS signature (G1, RFC 9380 hash-to-curve with the beacon's DST) on
    ``SHA-256(uint64_be(round))`` under the beacon's public key.

    Raises:
        VerificationError: naming the check that failed.
        SortitionError: when the BLS library is missing (an installation problem, not a verdict).
    """
    if beacon_round.round != expected_round:
        published = round_time(expected_round, beacon=beacon)
        raise VerificationError(
            f"the beacon file holds round {beacon_round.round}, but the lottery committed to round "
            f"{expected_round}; use round {expected_round}, published at {published:%Y-%m-%d %H:%M:%S} UTC"
        )
    try:
        signature = bytes.fromhex(beacon_round.signature)
    except ValueError:
        raise VerificationError(f"the signature of round {beacon_round.round} is not hexadecimal") from None
    if hashlib.sha256(signature).hexdigest() != beacon_round.randomness.lower():
        raise VerificationError(
            f"the randomness of round {beacon_round.round} is not the SHA-256 of its signature: the file was altered"
        )
    if not _signature_is_valid(signature, beacon_round.round, beacon):
        raise VerificationError(
            f"the signature of round {beacon_round.round} does not verify against the {beacon.name} public key: "
            "the file is forged, altered, or from another beacon"
        )
    return beacon_round.randomness.lower()


def round_message(round_number: int) -> bytes:
    """The message the beacon signs for an unchained round: ``SHA-256(uint64_be(round))``."""
    return hashlib.sha256(round_number.to_bytes(8, "big")).digest()


def _signature_is_valid(signature: bytes, round_number: int, beacon: Beacon) -> bool:
    try:
        from py_arkworks_bls12381 import GT, G1Point, G2Point  # a compiled extension: only when verifying
    except ImportError:
        raise SortitionError(
            "checking a drand round needs the package py-arkworks-bls12381, which is not installed; "
            "run 'pip install py-arkworks-bls12381' (or reinstall sortition)"
        ) from None
    if signature == _G1_INFINITY:
        return False
    try:
        point = G1Point.from_compressed_bytes(signature)  # checks the curve and the subgroup
    except ValueError:
        return False
    key = G2Point.from_compressed_bytes(bytes.fromhex(beacon.public_key))
    hashed = G1Point.hash_to_curve(round_message(round_number), beacon.dst)
    # e(signature, g2) == e(H(m), public key), as one product of pairings equal to one.
    return GT.pairing_check([point, -hashed], [G2Point(), key])  # G2Point() is the generator of G2


# --- what the lottery commits to, and what the draw and verify check -----------------------------------


@dataclass(frozen=True)
class BeaconCommitment:
    """The beacon round a lottery commits to, as it is written into the lottery file.

    ``published_at`` is the round's publication time (UTC, ISO 8601), for the auditor to compare with the
    moment the commitment was published. ``past_round_allowed`` records that the organiser allowed a round
    that may already have been published when the lottery was prepared (a practice draw: such a seed
    proves nothing; verify and the reports say so).

    Example::

        commitment = commit_round(round_at(parse_time("2027-03-01 20:00 Europe/Amsterdam")), now=now)
        lottery["seed_beacon"] = commitment.to_json()
    """

    round: int
    chain_hash: str = QUICKNET_CHAIN_HASH
    beacon: str = "drand-quicknet"
    past_round_allowed: bool = False

    @property
    def published_at(self) -> datetime:
        """When the committed round is published (timezone-aware, UTC)."""
        return round_time(self.round, beacon=_beacon_of(self.chain_hash))

    def to_json(self) -> dict[str, Any]:
        """The JSON object for the lottery file (keys in a fixed order; no wall-clock time inside)."""
        return {
            "beacon": self.beacon,
            "chain_hash": self.chain_hash,
            "round": self.round,
            "round_published_at": self.published_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "past_round_allowed": self.past_round_allowed,
        }

    @classmethod
    def from_json(cls, data: Any, *, source: str | Path = "lottery file") -> BeaconCommitment:
        """Read the object written by :meth:`to_json`, checking that it is internally consistent.

        Raises:
            InputError: for a missing field, an unknown beacon, or a publication time that does not
                follow from the round (an edited file).
        """
        if not isinstance(data, dict):
            raise InputError("the seed beacon must be a JSON object", file=source, column="seed_beacon")
        number, allowed = data.get("round"), data.get("past_round_allowed")
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise InputError("the committed drand round must be a whole number from 1", file=source, column="round")
        if not isinstance(allowed, bool):
            raise InputError("'past_round_allowed' must be true or false", file=source, column="past_round_allowed")
        commitment = cls(
            round=number,
            chain_hash=str(data.get("chain_hash")),
            beacon=str(data.get("beacon")),
            past_round_allowed=allowed,
        )
        _beacon_of(commitment.chain_hash, source=source)
        if commitment.beacon != cls.beacon:
            raise InputError(
                f"the seed beacon '{commitment.beacon[:40]}' is not {cls.beacon}", file=source, column="beacon"
            )
        if commitment.to_json() != data:
            raise InputError(
                "the seed beacon's fields do not agree (beacon name, or the round's publication time)",
                file=source,
                column="seed_beacon",
                hint="The file was edited by hand; prepare the lottery again.",
            )
        return commitment


def _beacon_of(chain_hash: str, *, source: str | Path | None = None) -> Beacon:
    if chain_hash != QUICKNET.chain_hash:
        raise InputError(
            f"the beacon chain '{chain_hash[:70]}' is not drand quicknet ({QUICKNET.chain_hash})",
            file=source,
            column="chain_hash",
            hint="sortition checks quicknet rounds only.",
        )
    return QUICKNET


def commit_round(round_number: int, *, now: datetime, allow_past_round: bool = False) -> BeaconCommitment:
    """Commit to a quicknet round, refusing one already published at ``now`` unless explicitly allowed.

    A seed known before the commitment is published proves nothing, so a past round needs
    ``allow_past_round=True`` (for practice and tests). The option is recorded in the commitment as given,
    whether or not the round was already out, so the lottery file stays a function of its inputs and
    options (never of the clock).

    Args:
        round_number: the round, e.g. from :func:`round_at`.
        now: the machine's clock (timezone-aware), passed in so the rule is testable.

    Raises:
        InputError: for a past round without ``allow_past_round``, or a bad round number or clock.
    """
    published = round_time(round_number)
    if now.tzinfo is None or now.utcoffset() is None:
        raise InputError("the clock time has no time zone", hint="Pass datetime.now(UTC).")
    if published <= now and not allow_past_round:
        raise InputError(
            f"drand round {round_number} was already published at {published:%Y-%m-%d %H:%M:%S} UTC, before "
            "this lottery's commitment: a seed known in advance proves nothing",
            hint="Choose a round published after you will publish the commitment (e.g. --drand-at with a time "
            "some days ahead), or pass --allow-past-round for a practice draw (it is recorded and reported).",
        )
    return BeaconCommitment(round=round_number, past_round_allowed=allow_past_round)


def seed_from_beacon(commitment: BeaconCommitment, beacon_round: BeaconRound) -> str:
    """Check a published round against the lottery's commitment and return the seed (its randomness).

    Raises:
        VerificationError: when the round is not the committed one or is not genuine.
    """
    return verify_round(beacon_round, expected_round=commitment.round, beacon=_beacon_of(commitment.chain_hash))


def recheck_beacon_seed(commitment: BeaconCommitment, beacon_round: BeaconRound, seed: str) -> str:
    """For verify: re-check offline the round a draw record holds, and that its seed is that round's randomness.

    Returns:
        The seed (the round's randomness).

    Raises:
        VerificationError: naming what failed.
    """
    randomness = seed_from_beacon(commitment, beacon_round)
    if seed != randomness:
        raise VerificationError(
            f"the draw's seed is not the randomness of drand round {beacon_round.round} ({randomness})"
        )
    return randomness


def beacon_round_to_json(beacon_round: BeaconRound) -> dict[str, Any]:
    """The round as the draw record keeps it (the same fields drand publishes)."""
    return {"round": beacon_round.round, "signature": beacon_round.signature, "randomness": beacon_round.randomness}


__all__ = [
    "QUICKNET",
    "QUICKNET_CHAIN_HASH",
    "QUICKNET_GENESIS_TIME",
    "QUICKNET_PERIOD_SECONDS",
    "QUICKNET_PUBLIC_KEY",
    "QUICKNET_ROUND_URL",
    "QUICKNET_SCHEME",
    "Beacon",
    "BeaconCommitment",
    "BeaconRound",
    "beacon_round_from_json",
    "beacon_round_to_json",
    "commit_round",
    "parse_beacon",
    "parse_time",
    "read_beacon",
    "recheck_beacon_seed",
    "round_at",
    "round_message",
    "round_time",
    "seed_from_beacon",
    "verify_round",
]
