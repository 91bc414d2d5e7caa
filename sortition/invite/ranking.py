"""Pseudonyms and order-free ranks for millions of units, fast and exactly as stream v1 defines them.

For each unit (a person's id, or a household's normalised address) this computes

- the pseudonym ``HMAC-SHA256(salt, [b"household" 0x00] || name)``, first 8 bytes (16 hex characters), and
- its rank ``HMAC-SHA256(K, "rank" 0x00 || pseudonym-hex)``, of which the first 8 bytes order the units.

HMAC is written out with two pre-keyed SHA-256 states that are copied per message (RFC 2104); this gives the
same bytes as :mod:`hmac` (a test checks it) at about a third of the cost, and large inputs are split over
the machine's cores with ``fork``. Equal 8-byte rank prefixes are resolved with the full 32-byte ranks, so
the order is exactly the one :func:`sortition.randomness.order_by_rank` gives.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from quotas.errors import InputError
from sortition.progress import NULL_PROGRESS, ProgressReporter
from sortition.randomness import RANK_TAG, rank

try:  # the built-in SHA-256 copies its state faster than OpenSSL 3's
    from _sha2 import sha256 as _sha256  # type: ignore[import-not-found]  # Python >= 3.12
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from _sha256 import sha256 as _sha256  # type: ignore[import-not-found,no-redef]
    except ImportError:
        _sha256 = hashlib.sha256  # type: ignore[assignment]

PARALLEL_MIN = 200_000   # below this, one process is faster than forking
_CHUNK = 250_000         # units per task (and per progress step): the two workers end within a task
_RANK_PREFIX = RANK_TAG + b"\x00"
_WORK: dict[str, Any] = {}  # inherited by forked workers: the names and keys of the current job


@dataclass(frozen=True, eq=False)
class PackedNames:
    """Many names as one UTF-8 byte buffer and the offsets of each (an arrow string array's buffers): name
    ``i`` is ``data[offsets[i]:offsets[i + 1]]``. Hashing workers read their slice of the buffer, so no
    Python string per name is ever made (17.5 million of them cost a gigabyte and seconds)."""

    offsets: np.ndarray  # int64, len(names) + 1
    data: np.ndarray     # uint8

    def __len__(self) -> int:
        return len(self.offsets) - 1


def _keyed(key: bytes) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """Copy functions of the inner and outer pre-keyed SHA-256 states of HMAC-SHA256(key, .)."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    block = key.ljust(64, b"\x00")
    inner = _sha256(bytes(b ^ 0x36 for b in block))
    outer = _sha256(bytes(b ^ 0x5C for b in block))
    return inner.copy, outer.copy


def _prefixes(digests: list[bytes]) -> bytes:
    """The first 8 bytes of each 32-byte digest (cut once with numpy, not per digest)."""
    return np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(-1, 32)[:, :8].tobytes()


def _pseudonym_range(start: int, stop: int) -> bytes:
    names: Sequence[str] | PackedNames = _WORK["names"]
    prefix: bytes = _WORK["prefix"]
    salt_in, salt_out = _keyed(_WORK["salt"])
    if prefix:  # hashed into the keyed inner state once: SHA-256 of (state || prefix || name) is the same
        with_prefix = salt_in()
        with_prefix.update(prefix)
        salt_in = with_prefix.copy
    out: list[bytes] = []
    add = out.append
    if isinstance(names, PackedNames):  # the same message bytes, sliced from the buffer
        offsets = names.offsets[start:stop + 1]
        blob = names.data[offsets[0]:offsets[-1]].tobytes()
        at = (offsets - offsets[0]).tolist()
        for a, b in itertools.pairwise(at):
            h = salt_in()
            h.update(blob[a:b])
            o = salt_out()
            o.update(h.digest())
            add(o.digest())
        return _prefixes(out)
    for name in names[start:stop]:
        h = salt_in()
        h.update(name.encode("utf-8"))
        o = salt_out()
        o.update(h.digest())
        add(o.digest())
    return _prefixes(out)


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _rank_messages(pseud: bytes) -> bytes:
    """``"rank" 0x00 || pseudonym-hex`` of every 8-byte pseudonym, 21 bytes each, built with numpy."""
    raw = np.frombuffer(pseud, dtype=np.uint8).reshape(-1, 8)
    out = np.empty((len(raw), len(_RANK_PREFIX) + 16), dtype=np.uint8)
    out[:, :len(_RANK_PREFIX)] = np.frombuffer(_RANK_PREFIX, dtype=np.uint8)
    out[:, len(_RANK_PREFIX)::2] = _HEX_DIGITS[raw >> 4]
    out[:, len(_RANK_PREFIX) + 1::2] = _HEX_DIGITS[raw & 15]
    return out.tobytes()


def _rank_range(start: int, stop: int) -> bytes:
    messages = _rank_messages(_WORK["pseudonyms"][start * 8:stop * 8])  # big-endian bytes, 8 per unit
    size = len(_RANK_PREFIX) + 16
    key_in, key_out = _keyed(_WORK["key"])
    out: list[bytes] = []
    add = out.append
    for i in range(0, len(messages), size):
        h = key_in()
        h.update(messages[i:i + size])
        o = key_out()
        o.update(h.digest())
        add(o.digest())
    return _prefixes(out)


_TASKS: dict[str, Callable[[int, int], bytes]] = {"pseudonyms": _pseudonym_range, "ranks": _rank_range}


def _task(job: tuple[str, int, int]) -> bytes:
    return _TASKS[job[0]](job[1], job[2])


def _run(kind: str, n: int, work: dict[str, Any], title: str, progress: ProgressReporter,
         workers: int | None) -> np.ndarray:
    """One 8-byte HMAC prefix per unit, in chunks, over the machine's cores when the job is big."""
    _WORK.update(work)
    jobs = [(kind, i, min(i + _CHUNK, n)) for i in range(0, n, _CHUNK)]
    progress.start(title, total=n)
    procs = workers if workers is not None else (os.cpu_count() or 1)
    parts: list[bytes] = []
    try:
        if procs > 1 and n >= PARALLEL_MIN and "fork" in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context("fork").Pool(min(procs, len(jobs))) as pool:
                for part in pool.imap(_task, jobs):
                    parts.append(part)
                    progress.update(len(part) // 8)
        else:
            for job in jobs:
                parts.append(_task(job))
                progress.update(job[2] - job[1])
    finally:
        _WORK.clear()
        progress.finish()
    return np.frombuffer(b"".join(parts), dtype=">u8").astype(np.uint64)


def pseudonyms_of(names: Sequence[str] | PackedNames, salt: bytes, *, prefix: bytes = b"",
                  progress: ProgressReporter = NULL_PROGRESS, workers: int | None = None) -> np.ndarray:
    """Pseudonym prefixes (uint64: the first 8 bytes of ``HMAC-SHA256(salt, prefix || name)``) of every name.

    Args:
        names: person ids (also packed: :class:`PackedNames`), or normalised addresses (then
            ``prefix=b"household\\x00"``).
        workers: processes to use (default: the CPU count, when ``fork`` is available and the job is big).
    """
    return _run("pseudonyms", len(names), {"names": names, "prefix": prefix, "salt": salt}, "Pseudonyms",
                progress, workers)


def ranks_of(pseudonyms: np.ndarray, key: bytes, *, progress: ProgressReporter = NULL_PROGRESS,
             workers: int | None = None) -> np.ndarray:
    """Rank prefixes (uint64: the first 8 bytes of ``rank(K, pseudonym-hex)``) of every pseudonym."""
    data = np.asarray(pseudonyms, dtype=np.uint64).astype(">u8").tobytes()
    return _run("ranks", len(pseudonyms), {"pseudonyms": data, "key": key}, "Ranks", progress, workers)


def hash_units(names: Sequence[str], salt: bytes, key: bytes, *, prefix: bytes = b"",
               progress: ProgressReporter = NULL_PROGRESS, workers: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pseudonym and rank prefixes (big-endian uint64 each) of every name: :func:`pseudonyms_of`, then
    :func:`ranks_of`.

    Args:
        names: person ids, or normalised addresses (then ``prefix=b"household\\x00"``).
        salt: the private salt. key: ``K`` of the draw.
        workers: processes to use (default: the CPU count, when ``fork`` is available and the job is big).
    """
    pseud = pseudonyms_of(names, salt, prefix=prefix, progress=progress, workers=workers)
    return pseud, ranks_of(pseud, key, progress=progress, workers=workers)


def pseudonym_hex(salt: bytes, name: str, *, prefix: bytes = b"") -> str:
    """The 16-character pseudonym (same as :func:`sortition.pseudonyms.pseudonym` for ``prefix=b""``)."""
    return hmac.new(salt, prefix + name.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def rank_key(key: bytes, pseudonym: str) -> bytes:
    """The full 32-byte rank of a pseudonym (``sortition.randomness.rank``)."""
    return rank(key, pseudonym)


def exact_order(pseudonyms: np.ndarray, ranks: np.ndarray, key: bytes) -> np.ndarray:
    """Unit indices sorted by full rank bytes, ties by pseudonym (as ``order_by_rank``).

    Raises:
        InputError: two units with the same pseudonym (a 64-bit collision of two different ids: prepare
            again in a new folder, which draws a new salt).
    """
    order = np.argsort(ranks, kind="stable")
    sorted_ranks = ranks[order]
    equal = np.flatnonzero(sorted_ranks[1:] == sorted_ranks[:-1])
    if len(equal) == 0:
        return order
    start = 0
    while start < len(equal):
        lo = int(equal[start])
        end = start
        while end + 1 < len(equal) and equal[end + 1] == equal[end] + 1:
            end += 1
        hi = int(equal[end]) + 2
        group = order[lo:hi]
        names = [f"{int(pseudonyms[u]):016x}" for u in group]
        if len(set(names)) != len(names):
            raise InputError("two people (or addresses) got the same pseudonym, which the draw cannot order.",
                             hint="Prepare again in a new folder: that draws a new salt.")
        fixed = sorted(zip(names, group.tolist(), strict=True), key=lambda t: (rank(key, t[0]), t[0]))
        order[lo:hi] = [u for _, u in fixed]
        start = end + 1
    return order


__all__ = ["PackedNames", "exact_order", "hash_units", "pseudonym_hex", "pseudonyms_of", "rank_key", "ranks_of"]
