"""Who is one person and what is one address: the keys under which ids and addresses are compared.

Two ids are the same person when their :func:`id_key` is equal; two addresses are one household when their
:func:`address_key` is equal. Both keys are for comparison only: files keep the ids and addresses as written,
and pseudonyms are computed from the original id (so a lottery's pseudonyms do not change).

Example:
    >>> id_key(" P 389437\\u200b") == id_key("ｐ389437")
    True
    >>> address_key(["2013 MM", "12-A"]) == address_key(["2013mm", "12 a"])
    True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

#: Joins the parts of an address key; parts never hold whitespace, so the joined key is unambiguous.
ADDRESS_SEPARATOR = " | "
#: Unicode general categories removed from every key: format characters (zero-width space, BOM, bidi
#: marks, soft hyphen), controls, and unassigned/private-use/surrogate code points.
_INVISIBLE = frozenset({"Cf", "Cc", "Cn", "Co", "Cs"})
_MAX_ROUNDS = 4  # NFKC and case folding reach a fixed point in one or two rounds
# The same rules on ASCII text, as translate tables (registers hold millions of ids and addresses).
_ASCII = [chr(i) for i in range(128)]
_ASCII_ID = str.maketrans({c: None for c in _ASCII if c.isspace() or unicodedata.category(c) in _INVISIBLE})
_ASCII_ID_BULK = str.maketrans({c: None for c in _ASCII if c != "\x00" and (
    c.isspace() or unicodedata.category(c) in _INVISIBLE)})
_ASCII_ADDRESS = str.maketrans({c: None for c in _ASCII if c.isspace() or unicodedata.category(c) in _INVISIBLE
                                or unicodedata.category(c).startswith("P")})


def _fold(text: str, *, drop_punctuation: bool) -> str:
    """NFKC, invisible characters and whitespace removed, case folded; repeated until nothing changes."""
    for _ in range(_MAX_ROUNDS):
        nfkc = unicodedata.normalize("NFKC", text)
        kept = [c for c in nfkc if not c.isspace() and unicodedata.category(c) not in _INVISIBLE
                and not (drop_punctuation and unicodedata.category(c).startswith("P"))]
        folded = unicodedata.normalize("NFKC", "".join(kept).casefold())
        if folded == text:
            break
        text = folded
    return text


def id_key(ident: str) -> str:
    """The key under which two ids are the same person.

    NFKC (full-width ``Ｐ`` is ``P``, composed and decomposed accents agree), format and control characters
    removed (zero-width space, BOM), all whitespace removed (also inside: ``P 389437``), case folded.
    Punctuation is kept: ``12-34`` and ``1234`` are different ids.
    """
    if ident.isascii():  # the common case, without the Unicode tables
        return ident.translate(_ASCII_ID).lower()
    return _fold(ident, drop_punctuation=False)


def id_keys(ids: Sequence[str]) -> Sequence[str]:
    """:func:`id_key` of many ids (a register's millions), normalised as one joined text, not one by one.

    Returns ``ids`` itself when every id is its own key (digits, lower-case letters), else a new list. The
    ids are joined by NUL, which no normalisation step joins to a neighbour or removes, so each piece of the
    result is the key of its id; an id holding a NUL itself is done one by one.
    """
    joined = "\x00".join(ids)
    if joined.count("\x00") != len(ids) - 1:  # an id holds a NUL itself
        return [id_key(i) for i in ids]
    if joined.isascii():
        keys = joined.translate(_ASCII_ID_BULK).lower()
        if keys == joined:
            return ids
    else:
        keys = _fold_joined(joined)
    return keys.split("\x00")


def _fold_joined(text: str) -> str:
    """:func:`_fold` (without punctuation removal) of NUL-joined ids; NUL itself is kept.

    What to remove is decided once per distinct character, then removed by one small regular expression.
    """
    for _ in range(_MAX_ROUNDS):
        nfkc = unicodedata.normalize("NFKC", text)
        remove = [c for c in set(nfkc) if c != "\x00" and (c.isspace() or unicodedata.category(c) in _INVISIBLE)]
        if remove:
            nfkc = re.sub("[" + "".join(re.escape(c) for c in remove) + "]", "", nfkc)
        folded = unicodedata.normalize("NFKC", nfkc.casefold())
        if folded == text:
            break
        text = folded
    return text


def address_part_key(part: str) -> str:
    """The key of one address column: as :func:`id_key`, and punctuation (Unicode category P*) removed too.

    So ``12-A``, ``12 a``, ``12A``, ``12/a`` and ``12.a`` are one house number, ``2013 MM`` and ``2013mm`` one
    postcode, ``'s-Gravenhage`` and ``s Gravenhage`` one town. Letters, digits and symbols (``+``, ``½``) count.
    """
    if part.isascii():
        return part.translate(_ASCII_ADDRESS).lower()
    return _fold(part, drop_punctuation=True)


def address_part_key_v1(part: str) -> str:
    """The address rule of invitation plans written before :data:`ADDRESS_RULE` 2: whitespace collapsed to
    one space, case folded. Kept so that such plans still recompute to the same households."""
    return " ".join(part.split()).casefold()


#: The address rule new invitation plans state (``address_rule`` in the plan file) and pools use.
ADDRESS_RULE = 2
#: Address part key by rule number; a plan file without ``address_rule`` was written under rule 1.
ADDRESS_PART_KEYS = {1: address_part_key_v1, 2: address_part_key}


def address_key(parts: Sequence[str]) -> str:
    """The key of an address given in one or more columns: the part keys joined by :data:`ADDRESS_SEPARATOR`.

    Empty when every part is empty after normalisation (the caller decides what no address means).
    """
    keys = [address_part_key(p) for p in parts]
    return ADDRESS_SEPARATOR.join(keys) if any(keys) else ""


__all__ = ["ADDRESS_PART_KEYS", "ADDRESS_RULE", "ADDRESS_SEPARATOR", "address_key", "address_part_key",
           "address_part_key_v1", "id_key", "id_keys"]
