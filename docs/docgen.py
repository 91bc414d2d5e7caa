"""Shared by the scripts that generate pages of docs/ from the code or from results: write, or check."""

from __future__ import annotations

import sys
from pathlib import Path


def write_or_check(output: Path, text: str, argv: list[str]) -> int:
    """Write ``text`` to ``output``; with ``--check`` in ``argv``, only say (exit 1) when the file differs."""
    script = Path(sys.argv[0]).name
    if "--check" in argv:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            print(f"docs/{output.name} is out of date: run python docs/{script}", file=sys.stderr)
            return 1
        return 0
    output.write_text(text, encoding="utf-8")
    print(f"Wrote {output}")
    return 0
