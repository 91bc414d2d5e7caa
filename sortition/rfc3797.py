"""RFC 3797 mode: the IETF "Publicly Verifiable NomCom Random Selection" procedure.

For a plain draw without quotas, this reproduces a classic published selection exactly (RFC 3797,
sections 4 and 6). The pool is numbered ``1 .. pool_size`` in a published order; public random sources
(lottery draws and the like) are turned into a canonical *key string*; then for each selection
``j = 0, 1, ...``:

1. ``h = MD5(uint16_be(j) || key || uint16_be(j))``, read as a 128-bit unsigned big-endian integer;
2. ``k = h mod (number of people still unselected)``;
3. the ``(k + 1)``-th still-unselected position, counting in ascending order, is selected and removed.

Canonical key string (section 4 of the RFC): within a source, every number is written in decimal
without leading zeros (zero is ``0``; a fractional part keeps its decimal point with trailing zeros
removed; a negative number starts with ``-``) and followed by ``.``; the numbers of one source are
sorted ascending first. Every source is followed by ``/``. A source that is not made of numbers is
canonicalised as the RFC advises for alphanumeric sources: accents, white space and punctuation
removed, letters upper-cased, then treated as a single value followed by ``.``. The RFC advises
against such sources, and so do we.

MD5 is the RFC's choice and is kept for exact reproduction only; sortition stream v1
(:mod:`sortition.randomness`) is what panel draws use.

Example (the RFC's own worked example)::

    rfc3797_key(["9319", "2 5 12 8 10", "9 18 26 34 41 45"])
    # '9319./2.5.8.10.12./9.18.26.34.41.45./'
    rfc3797_select(25, 10, ["9319", "2 5 12 8 10", "9 18 26 34 41 45"])
    # [17, 7, 2, 16, 25, 23, 8, 24, 19, 13]
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from quotas.errors import InputError

#: One source: a string such as ``"2 5 12 8 10"``, a single integer, or a list of integers/strings.
Source = str | int | Sequence[int | str]

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_SEPARATORS = re.compile(r"[\s,;]+")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_MAX_SELECTIONS = 1 << 16  # j is written in two bytes


def _canonical_number(token: str) -> str:
    value = Decimal(token)
    sign = "-" if value < 0 else ""
    digits = format(abs(value), "f")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    digits = digits.lstrip("0") or "0"
    if digits.startswith("."):
        digits = "0" + digits
    if digits == "0":
        sign = ""
    return f"{sign}{digits}."


def _canonical_text(text: str) -> str:
    stripped = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    cleaned = _NOT_ALNUM.sub("", stripped.upper())
    if not cleaned:
        raise InputError(
            f"the random source '{text}' holds no letters or digits",
            hint="Give each random source as published, e.g. '2 5 12 8 10' for a lottery draw.",
        )
    return cleaned + "."


def _tokens(source: Source) -> list[str]:
    if isinstance(source, bool):
        raise InputError(f"a random source must be numbers or text, not {source!r}")
    if isinstance(source, int):
        return [str(source)]
    if isinstance(source, str):
        return [t for t in _SEPARATORS.split(source.strip()) if t]
    return [str(item).strip() for item in source]


def canonical_source(source: Source) -> str:
    """Return the canonical form of one random source, including its trailing ``/``.

    Args:
        source: the numbers of one public random event, as a string (``"2 5 12 8 10"``, separated by
            spaces, commas or semicolons), an integer, or a list of integers.

    Raises:
        InputError: for an empty source.
    """
    tokens = _tokens(source)
    if not tokens:
        raise InputError(
            "a random source is empty",
            hint="Give each random source as published, e.g. '2 5 12 8 10' for a lottery draw.",
        )
    if all(_NUMBER.fullmatch(t) for t in tokens):
        try:
            ordered = sorted(tokens, key=Decimal)
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
            raise InputError(f"the random source '{source}' is not a list of numbers") from exc
        return "".join(_canonical_number(t) for t in ordered) + "/"
    text = source if isinstance(source, str) else " ".join(tokens)
    if not any(ch.isalpha() for ch in text):
        raise InputError(
            f"the random source '{text}' is neither a list of numbers nor text",
            hint="Separate the numbers of one source by spaces, e.g. '9 18 26 34 41 45'.",
        )
    return _canonical_text(text) + "/"


def rfc3797_key(sources: Sequence[Source]) -> str:
    """Return the RFC 3797 key string of the random sources, e.g. ``'9319./2.5.8.10.12./'``.

    Raises:
        InputError: when there is no source or one of them is empty.
    """
    if isinstance(sources, str) or not sources:
        raise InputError(
            "RFC 3797 needs a list of random sources",
            hint="Give one entry per public random event, in the order announced before the draw.",
        )
    return "".join(canonical_source(source) for source in sources)


def rfc3797_value(key: str, j: int) -> int:
    """Return ``MD5(uint16_be(j) || key || uint16_be(j))`` as a 128-bit unsigned integer."""
    if not 0 <= j < _MAX_SELECTIONS:
        raise ValueError(f"RFC 3797 numbers selections 0 .. 65535, not {j}")
    prefix = j.to_bytes(2, "big")
    digest = hashlib.md5(prefix + key.encode("ascii") + prefix, usedforsecurity=False).digest()
    return int.from_bytes(digest, "big")


def rfc3797_select(pool_size: int, select: int, sources: Sequence[Source]) -> list[int]:
    """Select ``select`` of the positions ``1 .. pool_size`` as RFC 3797 does, in selection order.

    Args:
        pool_size: how many candidates are in the published, numbered pool.
        select: how many to select (0 .. pool_size).
        sources: the public random sources, in the announced order (see :func:`rfc3797_key`).

    Returns:
        The 1-based positions, first selected first.

    Raises:
        InputError: for a pool size or selection count out of range, or bad sources.
    """
    if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 1:
        raise InputError(f"the pool size must be a positive whole number, not {pool_size!r}")
    if isinstance(select, bool) or not isinstance(select, int) or not 0 <= select <= pool_size:
        raise InputError(
            f"cannot select {select!r} from a pool of {pool_size}",
            hint="Select at least 0 and at most the number of people in the pool.",
        )
    if select > _MAX_SELECTIONS:
        raise InputError(f"RFC 3797 can make at most {_MAX_SELECTIONS} selections, not {select}")
    key = rfc3797_key(sources)
    # The RFC removes each selected position from the list 1..N and takes the k-th of those left. The list
    # is never built (N may be huge): the k-th remaining position is k + 1 shifted past the chosen ones.
    chosen: list[int] = []
    taken: list[int] = []  # chosen, sorted
    for j in range(select):
        k = rfc3797_value(key, j) % (pool_size - j)
        pos = k + 1
        for c in taken:
            if c > pos:
                break
            pos += 1
        chosen.append(pos)
        bisect.insort(taken, pos)
    return chosen


__all__ = ["Source", "canonical_source", "rfc3797_key", "rfc3797_select", "rfc3797_value"]
