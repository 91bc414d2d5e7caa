"""A register's ids as one arrow string array: checked and normalised with vectorised kernels, not per id.

A national register holds 17.5 million ids. As Python strings they cost a gigabyte and seconds to create,
strip, normalise and hash; as one arrow array (a data buffer and an offsets buffer) the common cases are
decided by a few passes over bytes, and only the rare ids that need Unicode rules (non-ASCII, surrounding
spaces, invisible characters) go through the same Python functions as before (:func:`str.strip`,
:func:`sortition.identity.id_keys`). The results are exactly those of the per-id code: every test of the
register reader holds for both.

pyarrow is imported inside the functions: ``import sortition`` stays light.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np

from sortition.identity import id_keys
from sortition.invite.ranking import PackedNames

_BIG = (1 << 31) - 1  # bytes an arrow ``string`` array holds; more needs ``large_string``
_ASCII_SPACE = np.zeros(256, dtype=bool)  # what str.strip removes, among ASCII bytes
_ASCII_SPACE[[i for i in range(128) if chr(i).isspace()]] = True
_KEY_SLOW = np.zeros(256, dtype=bool)  # bytes of ids whose key is made in Python: ASCII that id_key removes,
_KEY_SLOW[[i for i in range(128) if chr(i).isspace() or unicodedata.category(chr(i)) in
           {"Cf", "Cc", "Cn", "Co", "Cs"}]] = True
_KEY_SLOW[128:] = True  # and any non-ASCII byte (NFKC, case folding: the Unicode rules)
_UPPER = np.zeros(256, dtype=bool)
_UPPER[ord("A"):ord("Z") + 1] = True
_LOWER = np.arange(256, dtype=np.uint8)  # ASCII upper case to lower case, every other byte as it is
_LOWER[ord("A"):ord("Z") + 1] += 32


def id_array(values: Any) -> Any:
    """One arrow string array (no nulls, one chunk) of ``values``: a column read by arrow, or str objects."""
    import pyarrow as pa

    if hasattr(values, "__arrow_array__"):  # a pandas ArrowExtensionArray
        values = values.__arrow_array__()
    if isinstance(values, pa.ChunkedArray):
        size = sum(c.buffers()[2].size if c.buffers()[2] is not None else 0 for c in values.chunks)
        values = values.cast(pa.large_string() if size > _BIG else pa.string()).combine_chunks()
    elif not isinstance(values, pa.Array):
        seq = values.tolist() if isinstance(values, np.ndarray) else list(values)
        try:
            values = pa.array(seq, type=pa.string())
        except (pa.ArrowCapacityError, OverflowError):  # pragma: no cover - more than 2 GiB of ids
            values = pa.array(seq, type=pa.large_string())
        if isinstance(values, pa.ChunkedArray):  # pragma: no cover - as above
            values = values.cast(pa.large_string()).combine_chunks()
    elif values.type not in (pa.string(), pa.large_string()):
        values = values.cast(pa.string())
    return values


def packed(ids: Any) -> PackedNames:
    """The offsets and bytes of an arrow string array, as numpy views (no copy)."""
    import pyarrow as pa

    offset_type = np.int64 if ids.type == pa.large_string() else np.int32
    _, off_buf, data_buf = ids.buffers()
    offsets = np.frombuffer(off_buf, dtype=offset_type)[ids.offset:ids.offset + len(ids) + 1].astype(np.int64)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
    return PackedNames(offsets, data)


def lengths(ids: Any) -> np.ndarray:
    """The UTF-8 length in bytes of every id."""
    return np.diff(packed(ids).offsets)


def id_at(ids: Any, position: int) -> str:
    """One id as a Python string."""
    return str(ids[int(position)].as_py())


def _rows_with(ids: Any, flags: np.ndarray) -> np.ndarray:
    """Whether each id holds a byte whose flag is set (one pass over the bytes, a chunk at a time)."""
    names = packed(ids)
    hit = np.zeros(len(ids), dtype=bool)
    data, offsets = names.data, names.offsets
    step = 1 << 26
    for lo in range(int(offsets[0]), int(offsets[-1]), step):
        where = np.flatnonzero(flags[data[lo:min(lo + step, int(offsets[-1]))]]) + lo
        if len(where):
            hit[np.searchsorted(offsets, where, side="right") - 1] = True
    return hit


def _replace(ids: Any, mask: np.ndarray, values: Sequence[str]) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.replace_with_mask(ids, pa.array(mask), pa.array(list(values), type=ids.type))


def strip_ids(ids: Any) -> Any:
    """Every id with :func:`str.strip` applied; only the ids that start or end with a space (or a non-ASCII
    character: maybe a Unicode space) are looked at in Python."""
    names = packed(ids)
    size = np.diff(names.offsets)
    some = np.flatnonzero(size > 0)
    if len(some) == 0:
        return ids
    first = names.data[names.offsets[some]]
    last = names.data[names.offsets[some + 1] - 1]
    maybe = some[_ASCII_SPACE[first] | _ASCII_SPACE[last] | (first >= 128) | (last >= 128)]
    if len(maybe) == 0:
        return ids
    texts = ids.take(maybe).to_pylist()
    change = [t != t.strip() for t in texts]
    if not any(change):
        return ids
    mask = np.zeros(len(ids), dtype=bool)
    mask[maybe[np.flatnonzero(change)]] = True
    return _replace(ids, mask, [t.strip() for t, c in zip(texts, change, strict=True) if c])


def id_key_array(ids: Any) -> Any:
    """:func:`sortition.identity.id_key` of every id: ``ascii_lower`` for plain ASCII ids, the Python rules
    for the ids with a character it would remove or a non-ASCII one."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names = packed(ids)
    used = names.data[int(names.offsets[0]):int(names.offsets[-1])]
    keys = pc.ascii_lower(ids) if _UPPER[used].any() else ids
    slow = _rows_with(ids, _KEY_SLOW)
    if not slow.any():
        return keys
    return _replace(keys, slow, list(id_keys(ids.filter(pa.array(slow)).to_pylist())))


def _hashes(keys: Any, *, lower: bool = False) -> np.ndarray:
    """A 64-bit hash of every key's bytes, eight bytes at a time (a few numpy passes, not one call per key);
    ``lower``: of the bytes with ASCII upper case lowered (keys equal up to that case hash the same)."""
    names = packed(keys)
    lo, hi = int(names.offsets[0]), int(names.offsets[-1])
    size = np.diff(names.offsets)
    width = int(size[0]) if len(size) else 0
    if 0 < width <= 32 and (size == width).all():  # ids of one length (the usual case): rows of a matrix
        matrix = np.zeros((len(size), (width + 7) // 8 * 8), dtype=np.uint8)
        matrix[:, :width] = names.data[lo:hi].reshape(len(size), width)
        if lower:
            matrix = _LOWER[matrix]
        columns = matrix.view("<u8")
        h = size.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        for k in range(columns.shape[1]):  # the same words as below: eight bytes, zeros past the end
            mixed = (h ^ columns[:, k]) * np.uint64(0xBF58476D1CE4E5B9)
            h = mixed ^ (mixed >> np.uint64(31))
        return h
    buf = np.concatenate([names.data[lo:hi], np.zeros(8, dtype=np.uint8)])
    if lower:
        buf = _LOWER[buf]
    words = np.ndarray(shape=(len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))  # 8 bytes from each offset
    start = names.offsets[:-1] - lo
    h = size.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    every = np.arange(len(size))
    for k in range(0, int(size.max(initial=0)), 8):
        rows = every if k == 0 else np.flatnonzero(size > k)
        left = np.minimum(size[rows] - k, 8).astype(np.uint64)
        word = words[start[rows] + k] & np.where(left == 8, np.uint64(0xFFFFFFFFFFFFFFFF),
                                                 (np.uint64(1) << (left * np.uint64(8))) - np.uint64(1))
        mixed = (h[rows] ^ word) * np.uint64(0xBF58476D1CE4E5B9)
        h[rows] = mixed ^ (mixed >> np.uint64(31))
    return h


def first_duplicate(keys: Any) -> tuple[int, int] | None:
    """The first two positions of the first key (by position) that occurs more than once, or None.

    A sort of 64-bit hashes of the keys, then an exact comparison of the few keys whose hashes meet."""
    import pyarrow as pa
    import pyarrow.compute as pc

    h = _hashes(keys)
    ordered = np.sort(h)  # a plain sort is faster than argsort: the order is needed only when hashes meet
    if not (ordered[1:] == ordered[:-1]).any():
        return None
    del ordered
    order = np.argsort(h)
    same = np.flatnonzero(h[order][1:] == h[order][:-1])
    candidates = np.unique(np.concatenate([order[same], order[same + 1]]))
    del order
    codes = np.asarray(pc.dictionary_encode(keys.take(pa.array(candidates))).indices.to_numpy(zero_copy_only=False))
    counts = np.bincount(codes)
    repeated = np.flatnonzero(counts[codes] > 1)
    if len(repeated) == 0:
        return None
    first = repeated[0]
    second = repeated[np.flatnonzero(codes[repeated] == codes[first])[1]]
    return int(candidates[first]), int(candidates[second])


def check_keys(ids: Any) -> tuple[int | None, tuple[int, int] | None]:
    """(the first position whose id key is empty, the first two positions of the first repeated key), each
    None when there is none; the keys as :func:`sortition.identity.id_key` makes them.

    The key of a plain ASCII id is the id in lower case: such ids are hashed with their case lowered, not
    copied into a lowered array; the Python rules make the keys of the other ids, and of the few whose hashes
    meet (the exact comparison).
    """
    import pyarrow as pa

    slow = _rows_with(ids, _KEY_SLOW)
    at = np.flatnonzero(slow)
    slow_keys = list(id_keys(ids.take(pa.array(at)).to_pylist())) if len(at) else []
    empty = np.flatnonzero((lengths(ids) == 0) & ~slow)
    empty_slow = at[[k == "" for k in slow_keys]] if slow_keys else at[:0]
    firsts = [int(e[0]) for e in (empty, empty_slow) if len(e)]
    if firsts:
        return min(firsts), None
    source = _replace(ids, slow, slow_keys) if len(at) else ids
    h = _hashes(source, lower=True)
    del source
    ordered = np.sort(h)
    if not (ordered[1:] == ordered[:-1]).any():
        return None, None
    del ordered
    order = np.argsort(h)
    same = np.flatnonzero(h[order][1:] == h[order][:-1])
    candidates = np.unique(np.concatenate([order[same], order[same + 1]]))
    keys = list(id_keys(ids.take(pa.array(candidates)).to_pylist()))
    seen: dict[str, list[int]] = {}
    for position, key in zip(candidates.tolist(), keys, strict=True):
        seen.setdefault(key, []).append(position)
    repeated = min((p for p in seen.values() if len(p) > 1), default=None)  # by first position
    return None, (None if repeated is None else (repeated[0], repeated[1]))


def in_set(keys: Any, wanted: set[str]) -> np.ndarray:
    """Whether each key is one of ``wanted``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.is_in(keys, value_set=pa.array(sorted(wanted), type=keys.type))
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


__all__ = ["check_keys", "first_duplicate", "id_array", "id_at", "id_key_array", "in_set", "lengths", "packed",
           "strip_ids"]
