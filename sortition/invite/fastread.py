"""The fast path of the register reader: one pass for the file's SHA-256 (in a second process), arrow's
multithreaded CSV parser, and columns encoded by counting where they allow it.

:mod:`sortition.invite.register` uses these and keeps the rules (which file goes this way, the pandas path,
the errors); nothing here decides what a register means.
"""

from __future__ import annotations

import codecs
import hashlib
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sortition.invite.ids import packed

_CHUNK = 1 << 26  # 64 MiB per block when hashing


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _digest_beside(p: Path) -> Callable[[], tuple[str, bool, bool]]:
    """Start :func:`_digest` of ``p`` in a forked process (its own core: 1 GB takes seconds); return the
    function that waits for the result."""
    return _beside(_digest, p)


def sha256_beside(p: Path) -> Callable[[], str]:
    """:func:`sha256_of` in a forked process, while this one does other work; returns the waiting function."""
    return _beside(sha256_of, p)


def _beside(function: Callable[[Path], Any], p: Path) -> Callable[[], Any]:
    """Start ``function(p)`` in a forked process; return the function that waits for its result (computed
    here instead when the process fails, or fork is missing)."""
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        result = function(p)
        return lambda: result
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_run_into, args=(function, p, send), daemon=True)
    try:
        process.start()
    except (AssertionError, OSError):  # a daemonic caller may not fork; no processes left
        receive.close()
        send.close()
        result = function(p)
        return lambda: result
    send.close()

    def wait() -> Any:
        try:
            value = receive.recv()
        except (EOFError, OSError):
            value = None
        finally:
            receive.close()
            process.join()
        return value if value is not None else function(p)

    return wait


def _run_into(function: Callable[[Path], Any], p: Path, send: Any) -> None:
    try:
        send.send(function(p))
    except Exception:  # the parent computes it again and reports any error itself
        send.send(None)
    finally:
        send.close()


def _digest(p: Path) -> tuple[str, bool, bool]:
    """(SHA-256 of the file, whether all of it is UTF-8, whether it holds a double quote), in one pass."""
    h = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    quoted = False
    with open(p, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            h.update(block)
            quoted = quoted or b'"' in block
            if utf8 and not block.isascii():
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return h.hexdigest(), utf8, quoted


def _read_csv_arrow(p: Path, delimiter: str, usecols: list[str], id_col: str, quoted: bool) -> pd.DataFrame | None:
    """The columns as ``register._read_csv`` (pandas) gives them, parsed by pyarrow's multithreaded CSV reader.

    Values are the same strings (quotes, doubled quotes and surrounding spaces as pandas treats them; a blank
    line is a record of empty cells); categories are sorted as pandas sorts them. Returns None for anything
    it does not read as pandas would (a row with too many or too few cells, an empty file, ...): the caller
    then reads with pandas, whose messages name the row.
    """
    import pyarrow as pa  # imported here: ``import sortition`` stays light
    import pyarrow.csv as pa_csv

    try:
        table = pa_csv.read_csv(
            p,
            read_options=pa_csv.ReadOptions(use_threads=True, block_size=1 << 22),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                              escape_char=False, newlines_in_values=quoted,
                                              ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                include_columns=usecols, strings_can_be_null=False, quoted_strings_can_be_null=False,
                column_types={c: pa.string() for c in usecols}))
    except (pa.ArrowException, ValueError, KeyError, OSError):
        return None
    if table.num_rows == 0 or table.column_names != usecols:
        return None
    # The table's columns are taken out one by one and the table dropped: each column is freed once encoded.
    parts = {name: table.column(name) for name in usecols}
    del table
    columns: dict[str, Any] = {}
    # The other columns two at a time (arrow and numpy release the GIL): each is encoded on its own core.
    others = [c for c in usecols if c != id_col]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, categorical in zip(others, pool.map(_categorical, [parts.pop(c) for c in others]), strict=True):
            columns[name] = categorical
    # Kept in arrow: read_register checks the ids with vectorised passes (ids.py).
    columns[id_col] = pd.Series(pd.arrays.ArrowExtensionArray(parts.pop(id_col)), copy=False)
    pa.default_memory_pool().release_unused()
    frame = pd.DataFrame({name: columns[name] for name in usecols}, copy=False)
    return frame


def _categorical(column: Any) -> pd.Categorical:
    """A text column (arrow) as the pandas categorical ``read_csv(dtype="category")`` makes of it."""
    import pyarrow as pa
    import pyarrow.compute as pa_compute

    fixed = _fixed_digits_categorical(column)  # dates: one width, digits at the same places
    if fixed is not None:
        return fixed
    # Encoded here, not by the reader (arrow's dictionary conversion while parsing costs twice the parse).
    column = pa_compute.dictionary_encode(column)
    # Each block of the file has its own dictionary: map them onto one sorted list of values (UTF-8 byte
    # order is code point order, the order pandas sorts its categories in).
    cats = pa_compute.unique(pa.chunked_array([c.dictionary for c in column.chunks], pa.string()))
    cats = cats.take(pa_compute.sort_indices(cats))
    codes = np.empty(len(column), dtype=np.int32)
    at = 0
    for chunk in column.chunks:
        mapping = np.asarray(pa_compute.index_in(chunk.dictionary, value_set=cats).to_numpy(zero_copy_only=False),
                             dtype=np.int32)
        codes[at:at + len(chunk)] = mapping[np.asarray(chunk.indices.to_numpy(zero_copy_only=False))]
        at += len(chunk)
    return pd.Categorical.from_codes(codes, categories=pd.Index(cats.to_pylist(), dtype=object))


def _fixed_digits_categorical(column: Any) -> pd.Categorical | None:
    """The categorical of a text column whose values all have one width and digits at the same places (the
    same other characters between them), as dates like 1975-01-31 have; None for any other column.

    Such values sort as the numbers their digits make, so the categories and codes come from counting the
    numbers, not from hashing millions of strings; the categories are the values' own text.
    """
    import pyarrow as pa

    if len(column) == 0 or column.type != pa.string():
        return None
    if isinstance(column, pa.ChunkedArray):
        if column.num_chunks > 1 and _fixed_digits_categorical(column.chunk(0)) is None:
            return None  # the first block says no: the whole column is not copied into one array
        values = column.combine_chunks()
    else:
        values = column
    names = packed(values)
    width = int(names.offsets[1] - names.offsets[0])
    if not 0 < width <= 18 or not (np.diff(names.offsets) == width).all():
        return None
    matrix = names.data[int(names.offsets[0]):int(names.offsets[-1])].reshape(len(values), width)
    first = matrix[0]
    digit = (first >= 48) & (first <= 57)
    if not digit.any():
        return None
    others = np.flatnonzero(~digit)
    if len(others) and not (matrix[:, others] == first[others]).all():
        return None
    digits = matrix[:, digit]
    if ((digits < 48) | (digits > 57)).any():
        return None
    number = np.zeros(len(values), dtype=np.int64)
    for place in range(digits.shape[1]):
        number *= 10
        number += digits[:, place]
        number -= 48
    low = int(number.min())
    number -= low
    if int(number.max()) >= 4 * len(number) + (1 << 20):  # too sparse to count
        return None
    codes, first_rows = _dense_unique(number)
    categories = values.take(pa.array(first_rows)).to_pylist()
    return pd.Categorical.from_codes(codes.astype(np.int32), categories=pd.Index(categories, dtype=object))


def _first_seen(values: np.ndarray) -> np.ndarray:
    """``pd.factorize(values)[0]`` (codes in order of first appearance) of non-negative integers, by counting
    when their range is small (a hash table of 17 million integers took seconds)."""
    n = len(values)
    top = int(values.max(initial=0)) + 1
    if top > 6 * n + (1 << 24) or n >= 1 << 31:  # two int32 arrays of top: at most ~50 bytes per value
        return pd.factorize(values)[0].astype(np.int64, copy=False)
    first = np.full(top, n, dtype=np.int32)
    np.minimum.at(first, values, np.arange(n, dtype=np.int32))
    present = np.flatnonzero(first < n)
    label = np.empty(top, dtype=np.int32)
    label[present[np.argsort(first[present], kind="stable")]] = np.arange(len(present), dtype=np.int32)
    return label[values].astype(np.int64)


def _dense_unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_index=True, return_inverse=True)[2:0:-1]`` for small non-negative integers
    (codes), by counting instead of sorting: a fraction of the memory on 17 million rows."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    top = int(values.max()) + 1
    present = np.zeros(top, dtype=bool)
    present[values] = True
    rank = np.cumsum(present, dtype=np.int64) - 1
    first = np.full(top, len(values), dtype=np.int64)
    np.minimum.at(first, values, np.arange(len(values), dtype=np.int64))
    return rank[values], first[present]


__all__ = ["sha256_beside", "sha256_of"]
