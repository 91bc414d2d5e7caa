"""Pseudonyms: what public files call people and households instead of their ids and addresses."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from quotas.errors import InputError
from sortition.files import PRIVATE_FILE_MODE, atomic_write
from sortition.records import SALT_FILE, private_dir

PSEUDONYM_LENGTH = 16


def load_or_create_salt(folder: str | Path) -> bytes:
    """The random salt in ``folder/private/salt`` (hex); created on first use, reused afterwards."""
    path = private_dir(folder) / SALT_FILE
    if path.exists():
        text = path.read_text(encoding="ascii").strip()
        try:
            salt = bytes.fromhex(text)
        except ValueError:
            raise InputError("is not a hex salt.", file=path, hint="Restore it from a backup.") from None
        if len(salt) < 16:
            raise InputError("holds a salt shorter than 16 bytes.", file=path)
        return salt
    salt = secrets.token_bytes(32)
    atomic_write(path, (salt.hex() + "\n").encode("ascii"), mode=PRIVATE_FILE_MODE)
    return salt


def pseudonym(salt: bytes, ident: str) -> str:
    """``HMAC-SHA256(salt, id)`` as hex, truncated to 16 characters."""
    return hmac.new(salt, ident.encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def household_pseudonym(salt: bytes, address_key: str) -> str:
    """``HMAC-SHA256(salt, "household" || 0x00 || normalised address)``, truncated like ``pseudonym``."""
    msg = b"household\x00" + address_key.encode("utf-8")
    return hmac.new(salt, msg, hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]
