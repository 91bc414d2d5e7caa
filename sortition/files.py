"""Writing files safely: canonical JSON, atomic writes, private folders and the hash-chained ledger.

Nothing is overwritten silently and nothing is ever left half-written: every file goes to a temporary file
in the same folder, is flushed to disk, then renamed over the target in one step.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from quotas.errors import InputError

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
PUBLIC_FILE_MODE = 0o644

# Test hook for crash-safety checks: called after the temp file is written, before the rename.
_before_replace: Callable[[Path], None] | None = None


def canonical_json(obj: Any) -> bytes:
    """The one serialisation of public files: sorted keys, UTF-8, 1-space indent, trailing newline."""
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, indent=1, allow_nan=False)
    return (text + "\n").encode("utf-8")


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def atomic_write(path: str | Path, data: bytes, *, mode: int = PUBLIC_FILE_MODE, overwrite: bool = False) -> None:
    """Write ``data`` to ``path`` atomically.

    An existing file with different content is refused unless ``overwrite``; an existing file with the
    same bytes is left as it is (re-running a step is harmless).
    """
    target = Path(path)
    if target.exists():
        if target.read_bytes() == data:
            return
        if not overwrite:
            raise InputError(
                "exists already and would be overwritten.",
                file=target,
                hint="Choose another output folder, or pass --force to replace it.",
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if _before_replace is not None:
            _before_replace(target)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def private_dir(base: str | Path) -> Path:
    """``base/private``, created (or tightened) to mode 0700."""
    path = Path(base) / "private"
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, PRIVATE_DIR_MODE)
    return path


def read_json(path: str | Path, *, what: str) -> tuple[bytes, dict[str, Any]]:
    """Read a JSON file; return its exact bytes and the parsed object. Clear errors for bad files."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what} not found.", file=p, hint="Check the path.") from None
    except IsADirectoryError:
        raise InputError(f"is a folder, not a {what}.", file=p) from None
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"is not a valid {what} (not JSON: {exc}).", file=p, row=line,
                         hint="Use the file exactly as sortition wrote it.") from None
    if not isinstance(obj, dict):
        raise InputError(f"is not a valid {what} (expected a JSON object).", file=p)
    return raw, obj


def append_ledger(folder: str | Path, entry: Mapping[str, Any]) -> None:
    """Append one event to ``folder/ledger.jsonl``; each line holds the SHA-256 of the line before it.

    The ledger is where wall-clock times live, so that the public files stay pure functions of their inputs.
    """
    path = Path(folder) / "ledger.jsonl"
    prev = "0" * 64
    if path.exists():
        lines = path.read_bytes().splitlines()
        if lines:
            prev = hashlib.sha256(lines[-1]).hexdigest()
    record = {"time": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"), "previous": prev, **entry}
    line = json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())
