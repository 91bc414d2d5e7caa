#!/usr/bin/env python3
"""Reference verifier for sortition stream v1 -- one file, Python standard library only.

An auditor can copy this file alone and check a published draw without installing or trusting the
sortition package: it re-implements the stream from the specification in docs/randomness.md (it does
not import sortition).

    python reference_verifier.py vectors
        print the test vectors of docs/randomness.md (compare them with the document)
    python reference_verifier.py panel-index LOTTERY_FILE SEED
        print the commitment (SHA-256 of the file) and the drawn panel index uniform(m), label "panel",
        where m is the number of panels in the file's "panels" field
    python reference_verifier.py ranks COMMITMENT_HEX SEED ID [ID ...]
        print the ids in rank order, one per line, with their rank in hexadecimal
    python reference_verifier.py check-draw LOTTERY_FILE DRAW_RECORD [COMMITMENT]
        recompute commitment, panel index, panel and reserve list from the lottery file and the seed in
        the draw record, replay every replacement event by the committed reserve rule (hash chain, drop-out,
        replacement), compare the commitment with the published COMMITMENT when given, and say whether the
        record states the same (exit 0) or not (exit 1); for a seed from drand, also that the round is the
        committed one and randomness = SHA-256(signature) = seed. It does not check the quotas of the
        lottery's panels, the probabilities, nor a drand round's BLS signature (that needs a pairing
        library; sortition verify does); it prints what it did not check.

SPDX-License-Identifier: EUPL-1.2
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import time
import unicodedata

TWO_64 = 2**64
# drand quicknet, the one beacon sortition accepts (docs/randomness.md, "How an auditor checks a drand round").
QUICKNET_CHAIN_HASH = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
QUICKNET_GENESIS_TIME = 1692803367
QUICKNET_PERIOD_SECONDS = 3


def seed_bytes(seed: str) -> bytes:
    """NFC, strip surrounding whitespace, UTF-8."""
    text = unicodedata.normalize("NFC", seed).strip()
    if not text:
        raise SystemExit("error: the seed is empty")
    return text.encode("utf-8")


def key_of(commitment: bytes, seed: str) -> bytes:
    """K = HMAC-SHA256(key = C, msg = "sortition-v1" || 0x00 || seed)."""
    return hmac.new(commitment, b"sortition-v1\x00" + seed_bytes(seed), hashlib.sha256).digest()


def words(key: bytes, label: str):
    """Yield the words of a label: block i = HMAC-SHA256(K, label || 0x00 || uint64_be(i)), 4 words each."""
    i = 0
    while True:
        block = hmac.new(key, label.encode("ascii") + b"\x00" + i.to_bytes(8, "big"), hashlib.sha256).digest()
        for start in (0, 8, 16, 24):
            yield int.from_bytes(block[start : start + 8], "big")
        i += 1


def uniform(word_iter, n: int) -> int:
    """Next word w; while w >= 2^64 - (2^64 mod n) take another; return w mod n."""
    limit = TWO_64 - TWO_64 % n
    w = next(word_iter)
    while w >= limit:
        w = next(word_iter)
    return w % n


def shuffle(word_iter, items: list) -> list:
    """Fisher-Yates: for i from len-1 down to 1, j = uniform(i + 1), swap positions i and j."""
    items = list(items)
    for i in range(len(items) - 1, 0, -1):
        j = uniform(word_iter, i + 1)
        items[i], items[j] = items[j], items[i]
    return items


def rank(key: bytes, ident: str) -> bytes:
    """rank(id) = HMAC-SHA256(K, "rank" || 0x00 || id)."""
    return hmac.new(key, b"rank\x00" + ident.encode("utf-8"), hashlib.sha256).digest()


def ordered(key: bytes, idents: list) -> list:
    """Ids by rank bytes, ties broken by id."""
    return sorted(idents, key=lambda ident: (rank(key, ident), ident))


# The inputs of the published test vectors.
VECTOR_FILE = b"example lottery file\n"
VECTOR_SEED = "2026-01-01 drand round 12345"
VECTOR_NS = [1, 2, 3, 10, 1000, 2**63 + 1]
VECTOR_IDS = ["a", "b", "c", "d"]


def vector_lines() -> list:
    """The test vectors, one 'name = value' per line (the format docs/randomness.md quotes)."""
    commitment = hashlib.sha256(VECTOR_FILE).digest()
    key = key_of(commitment, VECTOR_SEED)
    lines = [
        f"commitment = {commitment.hex()}",
        f"seed = {VECTOR_SEED}",
        f"key = {key.hex()}",
    ]
    panel = words(key, "panel")
    lines.append("words(panel) = " + " ".join(f"{next(panel):016x}" for _ in range(8)))
    for n in VECTOR_NS:
        counted = _Counting(words(key, "panel"))
        values = [uniform(counted, n) for _ in range(5)]
        lines.append(f"uniform({n}) = " + " ".join(str(v) for v in values) + f" ; words used {counted.used}")
    legacy = words(key, "legacy")
    lines.append("real(legacy) = " + " ".join(repr((next(legacy) >> 11) * 2.0**-53) for _ in range(4)))
    shuffled = shuffle(words(key, "shuffle"), list(range(10)))
    lines.append("shuffle(0..9) = " + " ".join(str(v) for v in shuffled))
    for ident in VECTOR_IDS:
        lines.append(f"rank({ident}) = {rank(key, ident).hex()}")
    lines.append("order = " + " ".join(ordered(key, VECTOR_IDS)))
    return lines


class _Counting:
    """Wrap a word iterator and count the words taken (shows the rejections of uniform)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.used = 0

    def __iter__(self):
        return self

    def __next__(self) -> int:
        self.used += 1
        return next(self.inner)


def panel_index(lottery_path: str, seed: str) -> list:
    """Commitment and panel index of a lottery file, as lines of text."""
    with open(lottery_path, "rb") as handle:
        data = handle.read()
    commitment = hashlib.sha256(data).digest()
    panels = json.loads(data.decode("utf-8")).get("panels") or []
    if not panels:
        raise SystemExit("error: the lottery file has no panels (a legacy draw is not checked this way)")
    index = uniform(words(key_of(commitment, seed), "panel"), len(panels))
    return [
        f"commitment = {commitment.hex()}",
        f"panels = {len(panels)}",
        f"panel_index = {index}",
        "panel = " + " ".join(panels[index]),
    ]


def check_beacon(lottery: dict, record: dict) -> tuple:
    """The drand round of a draw record, as far as the standard library can check it: (lines, ok).

    Checks that the lottery commits to quicknet and to the record's round, that the round's randomness is
    SHA-256 of its signature bytes, and that the seed is that randomness. The BLS signature needs pairings
    on BLS12-381, which the standard library does not have: it is reported as not checked here (sortition
    verify checks it, and docs/randomness.md shows an independent check with py_ecc).
    """
    committed, kept = lottery.get("seed_beacon"), record.get("beacon")
    if committed is None and kept is None:
        return [], True
    if not isinstance(committed, dict) or not isinstance(kept, dict):
        which = "the lottery file commits to no drand round" if kept is not None else "the record holds no round"
        return [f"FAIL beacon: {which}"], False
    try:
        signature = bytes.fromhex(str(kept.get("signature")))
    except ValueError:
        signature = b""
    number = committed.get("round")
    checks = [
        ("beacon is drand quicknet", committed.get("chain_hash") == QUICKNET_CHAIN_HASH),
        ("beacon round is the committed one", kept.get("round") == number),
        ("beacon randomness = SHA-256(signature)", hashlib.sha256(signature).hexdigest() == kept.get("randomness")),
        ("seed = beacon randomness", record.get("seed") == kept.get("randomness")),
    ]
    lines = [f"{'ok  ' if good else 'FAIL'} {name}" for name, good in checks]
    if isinstance(number, int) and number >= 1:
        published = QUICKNET_GENESIS_TIME + (number - 1) * QUICKNET_PERIOD_SECONDS
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(published))
        lines.append(f"note drand round {number} was published at {when} UTC: the commitment must have been "
                     "published before that moment")
    lines.append("NOT CHECKED the round's BLS signature: the standard library cannot check it; run sortition "
                 "verify, or the py_ecc check in docs/randomness.md")
    if committed.get("past_round_allowed") is not False:
        lines.append("note past_round_allowed: the round may have been published before the commitment, so this "
                     "seed proves nothing (practice only)")
    return lines, all(good for _, good in checks)


def canonical(obj) -> bytes:
    """The one serialisation of the public files: sorted keys, UTF-8, 1-space indent, trailing newline."""
    return (json.dumps(obj, sort_keys=True, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode("utf-8")


def quota_breaks(lottery: dict, members: list, person: str) -> list:
    """The quota bounds broken by the panel ``members`` plus ``person`` (categories and values sorted)."""
    people = lottery["people"]
    out = []
    for cat, values in sorted(lottery["categories"].items()):
        for value, bounds in sorted(values.items()):
            n = sum(people[p][cat] == value for p in members) + (people[person][cat] == value)
            if not int(bounds["min"]) <= n <= int(bounds["max"]):
                out.append(f"{cat} {value}: {n} not in [{int(bounds['min'])}, {int(bounds['max'])}]")
    return out


def replacement_for(lottery: dict, panel: list, reserves: list, used: set, dropout: str, allow_break: bool):
    """The reserve rule: the first unused reserve (rank order) who keeps every quota and the household rule
    once ``dropout`` leaves; with ``allow_break`` and nobody fitting, the first of those breaking the fewest
    quota bounds (never the household rule). Returns (replacement, rank, rule, breaks) or None."""
    people = lottery["people"]
    rest = [p for p in panel if p != dropout]
    households = {people[p]["household"] for p in rest} if lottery["settings"].get("households") else None
    best = None
    for rank_no, person in enumerate(reserves, 1):
        if person in used:
            continue
        if households is not None and people[person]["household"] in households:
            continue
        broken = quota_breaks(lottery, rest, person)
        if not broken:
            return person, rank_no, "first-fitting-reserve", []
        if best is None or len(broken) < len(best[3]):
            best = (person, rank_no, "fewest-quota-breaks", broken)
    return best if allow_break else None


def replay_events(lottery: dict, record: dict) -> list:
    """Check each replacement event of the record; return (name, ok, detail) per event."""
    events = record.get("events", [])
    panel, reserves, used = list(record["panel"]), list(record["reserves"]), set()
    out = []
    for n, event in enumerate(events):
        name = f"event {n + 1}"
        previous = hashlib.sha256(canonical({**record, "events": events[:n]})).hexdigest()
        dropout = event.get("dropout")
        if event.get("previous_sha256") != previous:
            out.append((name, False, "previous_sha256 is not the SHA-256 of the record before it"))
            break
        if dropout not in panel:
            out.append((name, False, f"the drop-out {dropout} is not on the panel at that point"))
            break
        choice = replacement_for(lottery, panel, reserves, used, dropout,
                                 event.get("rule") == "fewest-quota-breaks")
        if choice is None:
            out.append((name, False, "the rule gives no replacement"))
            break
        expected = {"type": "replacement", "previous_sha256": previous, "dropout": dropout,
                    "replacement": choice[0], "reserve_rank": choice[1], "rule": choice[2],
                    "quota_breaks": choice[3]}
        if event != expected:
            out.append((name, False, f"records {event.get('replacement')}, the rule gives {choice[0]}"))
            break
        panel[panel.index(dropout)] = choice[0]
        used.add(choice[0])
        out.append((name, True, f"{dropout} -> {choice[0]} (reserve rank {choice[1]}, {choice[2]})"))
    return out


def check_draw(lottery_path: str, record_path: str, published: str = "") -> tuple:
    """Recompute a lottery draw (panels only), replay its events, compare with the record: (lines, ok)."""
    with open(lottery_path, "rb") as handle:
        data = handle.read()
    with open(record_path, "rb") as handle:
        record_bytes = handle.read()
    record = json.loads(record_bytes.decode("utf-8"))
    lottery = json.loads(data.decode("utf-8"))
    panels = lottery.get("panels") or []
    if not panels:
        raise SystemExit("error: the lottery file has no panels (a legacy draw is re-run by sortition verify)")
    commitment = hashlib.sha256(data).digest()
    key = key_of(commitment, record["seed"])
    index = uniform(words(key, "panel"), len(panels))
    panel = sorted(panels[index])
    reserves = ordered(key, [p for p in sorted(lottery["people"]) if p not in set(panel)])
    checks = [
        ("commitment", record.get("commitment") == commitment.hex(), commitment.hex()),
        ("panel_index", record.get("panel_index") == index, str(index)),
        ("panel", record.get("panel") == panel, ""),
        ("reserves", record.get("reserves") == reserves, ""),
        ("canonical bytes", canonical(record) == record_bytes,
         "" if canonical(record) == record_bytes else "content as parsed, but not the bytes sortition writes"),
    ]
    practice = lottery.get("settings", {}).get("practice") is True
    claim = record.get("commitment_published_before_seed")
    checks.append(("practice flag", not (practice and claim is not False),
                   "practice lottery (select)" if practice else ""))
    if published:
        checks.append(("published commitment", published.strip().lower() == commitment.hex(), published.strip()))
    checks.extend(replay_events(lottery, record))
    lines = [f"{'ok  ' if good else 'FAIL'} {name}" + (f": {detail}" if detail else "")
             for name, good, detail in checks]
    events = len(record.get("events", []))
    checked = sum(name.startswith("event ") for name, _, _ in checks)
    lines.append(f"record sha256 = {hashlib.sha256(record_bytes).hexdigest()}, {events} event(s), "
                 f"{checked} replayed")
    lines.append("commitment_published_before_seed = "
                 + json.dumps(record.get("commitment_published_before_seed")))
    beacon_lines, beacon_ok = check_beacon(lottery, record)
    lines.extend(beacon_lines)
    if events > checked:
        lines.append(f"FAIL {events - checked} event(s) not checked (the replay stopped at a failure)")
    lines.append("not checked here: the quotas of the lottery's panels and the probabilities (sortition verify "
                 "does); compare the commitment with the published one and the record sha256 with the one "
                 "published after the last replacement")
    return lines, beacon_ok and all(good for _, good, _ in checks) and events == checked


def main(argv: list) -> int:
    """Command-line entry point."""
    if argv[:1] == ["vectors"] and len(argv) == 1:
        lines = vector_lines()
    elif argv[:1] == ["panel-index"] and len(argv) == 3:
        lines = panel_index(argv[1], argv[2])
    elif argv[:1] == ["check-draw"] and len(argv) in (3, 4):
        lines, good = check_draw(*argv[1:])
        print("\n".join(lines))
        return 0 if good else 1
    elif argv[:1] == ["ranks"] and len(argv) >= 4:
        try:
            commitment = bytes.fromhex(argv[1].strip())
        except ValueError:
            commitment = b""
        if len(commitment) != 32:
            raise SystemExit("error: the commitment must be 64 hexadecimal characters")
        key = key_of(commitment, argv[2])
        lines = [f"{ident} {rank(key, ident).hex()}" for ident in ordered(key, argv[3:])]
    else:
        print("usage:\n" + __doc__.strip().split("\n\n")[2], file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
