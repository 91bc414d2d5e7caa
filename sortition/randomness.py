"""Sortition stream v1: the verifiable randomness every draw uses.

This module is the normative implementation of the section "Randomness: sortition stream v1" of the design
(``docs/randomness.md`` states it in words, with test vectors). It uses only the standard library: SHA-256,
HMAC-SHA-256, big-endian integers and byte comparison. No float, numpy or :mod:`random` is on the verified
path (:meth:`Stream.random_real` exists only for the legacy algorithm, and is itself exact).

Usage::

    C = commitment_of(lottery_file_bytes)         # published before the seed exists
    K = derive_key(C, "2026-01-01 drand round 12345")
    index = Stream(K, "panel").uniform(m)          # the panel drawn from a lottery of m panels
    reserves = order_by_rank(K, pseudonyms)        # order-free ranks, file row order never matters
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TypeVar

from quotas.errors import InputError

T = TypeVar("T")

#: Domain tag of the key derivation; a future incompatible stream gets a new tag.
KEY_TAG = b"sortition-v1"
#: Domain tag of order-free ranks.
RANK_TAG = b"rank"
#: Labels fixed by the design for the draw itself.
PANEL_LABEL = "panel"
LEGACY_LABEL = "legacy"
RESERVE_LABEL = "reserve"

_WORD_SPAN = 1 << 64
_DIGEST_SIZE = 32
_WORDS_PER_BLOCK = 4


def commitment_of(data: bytes) -> bytes:
    """Return the commitment ``C``: the SHA-256 of the committed file's exact bytes (32 raw bytes).

    Args:
        data: the bytes of the lottery file (or invitation plan), exactly as written to disk.

    Returns:
        The 32-byte digest; ``commitment_of(data).hex()`` is what ``sha256sum`` prints.
    """
    return hashlib.sha256(data).digest()


def commitment_from_hex(text: str) -> bytes:
    """Parse a published commitment (64 hexadecimal digits, either case) into 32 raw bytes.

    Args:
        text: the commitment as published, e.g. copied from a draw record or from ``sha256sum``.

    Raises:
        InputError: when the text is not exactly 64 hexadecimal digits.
    """
    cleaned = text.strip().lower()
    if len(cleaned) != 2 * _DIGEST_SIZE or any(ch not in "0123456789abcdef" for ch in cleaned):
        raise InputError(
            f"the commitment '{text.strip()[:80]}' is not a SHA-256 in hexadecimal",
            hint="Copy the 64 hexadecimal characters of the commitment exactly as published.",
        )
    return bytes.fromhex(cleaned)


#: Categories a seed may not hold (after its surrounding whitespace is stripped): controls (including tab
#: and line feed), format characters (zero-width, bidi), unassigned code points, private use, surrogates,
#: line/paragraph separators, and every space other than U+0020 (no-break, thin, ideographic, ...).
_REFUSED = {
    "Cc": "a control character",
    "Cf": "an invisible format character",
    "Cn": "an unassigned code point",
    "Co": "a private-use character",
    "Cs": "a surrogate, not a character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
    "Zs": "a space other than the ordinary space",
}
_CONTROL_NAMES = {
    0x00: "NULL",
    0x09: "CHARACTER TABULATION",
    0x0A: "LINE FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
}
#: Letters of these scripts look like Latin ones; in a seed that mixes them, display escapes all but Latin.
_LOOKALIKE_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC", "ARMENIAN", "CHEROKEE", "COPTIC")
#: Non-ASCII punctuation that passes for ASCII: display escapes it.
_LOOKALIKE_MARKS = {"Pd", "Pi", "Pf"}
_LOOKALIKE_EXTRA = set("\u201a\u201e\u2212\u2044\u2215\u2236\u02b9\u02bc\u2032\u2033")
_SHOWN_OFFENDERS = 10


def _is_refused(ch: str) -> bool:
    return ch != " " and unicodedata.category(ch) in _REFUSED


def describe_character(ch: str) -> str:
    """Name one character for a message: ``U+200B ZERO WIDTH SPACE`` (controls get their usual name)."""
    name = unicodedata.name(ch, "") or _CONTROL_NAMES.get(ord(ch), "")
    if not name:
        name = f"({_REFUSED.get(unicodedata.category(ch), 'no name')})"
    return f"U+{ord(ch):04X} {name}"


def check_seed_characters(text: str) -> None:
    """Refuse a seed holding characters that do not show, or show as something else.

    Surrounding whitespace is allowed (it is stripped); inside the seed, controls (tab, line feed, ...),
    format characters (zero-width space, bidi overrides, ...), unassigned and private-use code points,
    surrogates, and every space other than U+0020 are refused. Positions count characters from 1 in the
    text as given.

    Raises:
        InputError: naming each offending character by its Unicode name and position.
    """
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    offenders = [(i + 1, ch) for i, ch in enumerate(text[start:end], start) if _is_refused(ch)]
    if not offenders:
        return
    listed = ", ".join(f"{describe_character(ch)} at position {pos}" for pos, ch in offenders[:_SHOWN_OFFENDERS])
    more = len(offenders) - _SHOWN_OFFENDERS
    if more > 0:
        listed += f" and {more} more"
    shown = display_seed(text[:200]) + ("..." if len(text) > 200 else "")
    plural = "characters that do" if len(offenders) > 1 else "a character that does"
    raise InputError(
        f"the seed '{shown}' holds {plural} not show or may look like another: {listed}",
        hint="Retype the seed by hand, or copy it from the source's plain text (not from a formatted web page "
        "or document). Use ordinary spaces only; spaces around the seed are ignored.",
    )


def normalise_seed(text: str) -> str:
    """Normalise the text of the public seed event: NFC, then strip surrounding whitespace.

    Whitespace is every character for which Python's ``str.isspace()`` is true (Unicode whitespace,
    including the no-break space). Inner whitespace is kept exactly as published, and must be the ordinary
    space: see :func:`check_seed_characters` for what a seed may not hold. Two seeds that look the same are
    therefore the same seed, or one of them is refused.

    Raises:
        InputError: when nothing is left ("the seed is empty"), or the seed holds an invisible or
            look-alike space or control character (named, with its position).
    """
    check_seed_characters(text)
    seed = unicodedata.normalize("NFC", text).strip()
    if not seed:
        raise InputError(
            "the seed is empty",
            hint="Give the text of the public random event (lottery numbers, a drand round, dice) exactly "
            "as published.",
        )
    check_seed_characters(seed)  # NFC never creates one; checked again so the rule holds by construction
    return seed


def _script(ch: str) -> str:
    if not ch.isalpha():
        return ""
    word = unicodedata.name(ch, "").split(" ", 1)[0]
    return word if word in _LOOKALIKE_SCRIPTS else ""


def _is_lookalike(ch: str) -> bool:
    if ch.isascii():
        return False
    if unicodedata.category(ch) in _LOOKALIKE_MARKS or ch in _LOOKALIKE_EXTRA:
        return True
    return unicodedata.normalize("NFKC", ch) != ch  # full-width, ligatures, superscripts, ...


def _escape(ch: str) -> str:
    return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"


def display_seed(text: str) -> str:
    """Show a seed so that nothing hides in it: invisible and look-alike characters become ``\\u200b``.

    Escaped are: everything a seed may not hold (controls, format characters, unassigned, private use,
    surrogates, spaces other than U+0020); non-ASCII dashes and quotes, and characters that compatibility
    normalisation would change (full-width digits, ligatures, superscripts); and, in a seed mixing Latin
    with Greek, Cyrillic or similar letters, every letter of those other scripts. A backslash is doubled
    when an escape or the letters ``u``/``U`` or another backslash follow it, so the display is
    unambiguous (:func:`seed_from_display` reverses it). Visible plain text is shown unchanged.

    Example::

        display_seed("Lotto 3 11 17\\u200b")  ->  'Lotto 3 11 17\\\\u200b'
    """
    scripts = {_script(ch) for ch in text} - {""}
    mixed = len(scripts) > 1
    escaped = [_is_refused(ch) or _is_lookalike(ch) or (mixed and _script(ch) not in ("", "LATIN")) for ch in text]
    parts = []
    for i, ch in enumerate(text):
        if escaped[i]:
            parts.append(_escape(ch))
        elif ch == "\\" and i + 1 < len(text) and (escaped[i + 1] or text[i + 1] in "\\uU"):
            parts.append("\\\\")
        else:
            parts.append(ch)
    return "".join(parts)


def seed_from_display(shown: str) -> str:
    """Reverse :func:`display_seed`: ``\\\\`` is a backslash, ``\\uXXXX``/``\\UXXXXXXXX`` a character."""
    out = []
    i = 0
    while i < len(shown):
        ch = shown[i]
        if ch == "\\" and shown[i + 1 : i + 2] == "\\":
            out.append("\\")
            i += 2
            continue
        width = {"u": 4, "U": 8}.get(shown[i + 1 : i + 2], 0) if ch == "\\" else 0
        digits = shown[i + 2 : i + 2 + width]
        if width and len(digits) == width and all(d in "0123456789abcdefABCDEF" for d in digits):
            out.append(chr(int(digits, 16)))
            i += 2 + width
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _check_commitment(commitment: bytes) -> bytes:
    if not isinstance(commitment, bytes | bytearray) or len(commitment) != _DIGEST_SIZE:
        raise InputError(
            "the commitment must be 32 raw bytes (a SHA-256 digest)",
            hint="Use commitment_of(file_bytes), or commitment_from_hex() for a published hex string.",
        )
    return bytes(commitment)


def derive_key(commitment: bytes, seed: str) -> bytes:
    """Derive the draw key ``K = HMAC-SHA256(key=C, msg="sortition-v1" || 0x00 || seed)``.

    The seed is normalised with :func:`normalise_seed` first, so the NFC and NFD spellings of the same
    published text give the same key.

    Args:
        commitment: ``C``, 32 raw bytes (see :func:`commitment_of`, :func:`commitment_from_hex`).
        seed: the text of the public event, as published.

    Returns:
        The 32-byte key ``K``.

    Raises:
        InputError: when the commitment is not 32 bytes, or the seed is empty or holds an invisible or
            look-alike character (see :func:`normalise_seed`).
    """
    key = _check_commitment(commitment)
    message = KEY_TAG + b"\x00" + normalise_seed(seed).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).digest()


def _check_key(key: bytes) -> bytes:
    if not isinstance(key, bytes | bytearray) or len(key) != _DIGEST_SIZE:
        raise ValueError("the stream key must be the 32 bytes returned by derive_key()")
    return bytes(key)


def _check_label(label: str) -> bytes:
    if not label or not label.isascii() or "\x00" in label:
        raise ValueError(f"a stream label must be non-empty ASCII without NUL, not {label!r}")
    return label.encode("ascii")


class Stream:
    """The stream of 64-bit words for one purpose label, keyed by ``K``.

    Block ``i`` (``i = 0, 1, ...``) is ``HMAC-SHA256(K, label || 0x00 || uint64_be(i))``; it yields four
    64-bit unsigned big-endian words, consumed strictly in order. Every method below takes words from
    this one sequence, so the order of calls is part of the result.

    Example::

        stream = Stream(derive_key(C, seed), "panel")
        index = stream.uniform(1000)
    """

    def __init__(self, key: bytes, label: str) -> None:
        """Start the stream at block 0, word 0.

        Args:
            key: ``K`` from :func:`derive_key` (32 bytes).
            label: the purpose label, e.g. ``"panel"``; non-empty ASCII without NUL.

        Raises:
            ValueError: for a key that is not 32 bytes or a label that is not plain ASCII.
        """
        self._key = _check_key(key)
        self._label = _check_label(label)
        self._block_index = 0
        self._buffer: list[int] = []
        self._words_used = 0

    @property
    def label(self) -> str:
        """The purpose label of this stream."""
        return self._label.decode("ascii")

    @property
    def words_used(self) -> int:
        """How many words have been consumed so far (useful in audits and tests)."""
        return self._words_used

    def _refill(self) -> None:
        message = self._label + b"\x00" + self._block_index.to_bytes(8, "big")
        block = hmac.new(self._key, message, hashlib.sha256).digest()
        self._block_index += 1
        self._buffer = [
            int.from_bytes(block[8 * j : 8 * j + 8], "big") for j in reversed(range(_WORDS_PER_BLOCK))
        ]  # reversed so that pop() hands out the first word first

    def next_word(self) -> int:
        """Return the next 64-bit unsigned word, ``0 <= w < 2**64``."""
        if not self._buffer:
            self._refill()
        self._words_used += 1
        return self._buffer.pop()

    def uniform(self, n: int) -> int:
        """Return an integer uniform on ``0 .. n-1``, without bias, by rejection.

        Take the next word ``w``; while ``w >= 2**64 - (2**64 mod n)`` take another; return ``w mod n``.
        Every call takes at least one word, including ``uniform(1)`` (which always returns 0): callers
        never need a special case, and an auditor's loop stays the same.

        Args:
            n: the number of outcomes, ``1 <= n <= 2**64``.

        Raises:
            ValueError: when ``n`` is not in that range.
        """
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= _WORD_SPAN:
            raise ValueError(f"uniform(n) needs an integer 1 <= n <= 2**64, not {n!r}")
        limit = _WORD_SPAN - (_WORD_SPAN % n)
        word = self.next_word()
        while word >= limit:
            word = self.next_word()
        return word % n

    def random_real(self) -> float:
        """Return a real in ``[0, 1)`` from one word: ``(w >> 11) * 2**-53`` (exact in a double).

        Only the legacy algorithm needs this; the verified path of a lottery draw never does.
        """
        return (self.next_word() >> 11) * 2.0**-53

    def shuffle(self, items: Iterable[T]) -> list[T]:
        """Return a new list with the items in a uniformly random order (Fisher-Yates, downwards).

        For ``i`` from ``len - 1`` down to ``1``: ``j = uniform(i + 1)``, then swap positions ``i`` and
        ``j``. A list of length ``L`` takes ``L - 1`` calls to :meth:`uniform` (none for ``L <= 1``).
        """
        result = list(items)
        for i in range(len(result) - 1, 0, -1):
            j = self.uniform(i + 1)
            result[i], result[j] = result[j], result[i]
        return result

    def choice(self, items: Sequence[T]) -> T:
        """Return ``items[uniform(len(items))]``.

        Raises:
            ValueError: for an empty sequence.
        """
        if not items:
            raise ValueError("choice() needs at least one item")
        return items[self.uniform(len(items))]


def stream(commitment: bytes, seed: str, label: str) -> Stream:
    """Shorthand for ``Stream(derive_key(commitment, seed), label)``."""
    return Stream(derive_key(commitment, seed), label)


def rank(key: bytes, ident: str) -> bytes:
    """Return the order-free rank of an id: ``HMAC-SHA256(K, "rank" || 0x00 || id)`` (32 bytes).

    The id is encoded as UTF-8 exactly as given (pseudonyms are lower-case hex, so no normalisation).
    """
    message = RANK_TAG + b"\x00" + ident.encode("utf-8")
    return hmac.new(_check_key(key), message, hashlib.sha256).digest()


def order_by_rank(key: bytes, idents: Iterable[str]) -> list[str]:
    """Return the ids sorted by rank bytes (ties, which need equal ranks, broken by id).

    The input order never matters. The first ``r`` of a stratum are its sample; the rest, in this order,
    its reserve list.

    Raises:
        InputError: when an id appears twice (every person must appear once).
    """
    ids = list(idents)
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise InputError(
                f"the id '{ident}' appears more than once in the list to rank",
                hint="Each person must appear once; remove the duplicate row.",
            )
        seen.add(ident)
    return sorted(ids, key=lambda ident: (rank(key, ident), ident))


__all__ = [
    "KEY_TAG",
    "LEGACY_LABEL",
    "PANEL_LABEL",
    "RANK_TAG",
    "RESERVE_LABEL",
    "Stream",
    "check_seed_characters",
    "commitment_from_hex",
    "commitment_of",
    "derive_key",
    "describe_character",
    "display_seed",
    "normalise_seed",
    "order_by_rank",
    "rank",
    "seed_from_display",
    "stream",
]
