"""The public API: what importing costs, and that __all__ is what the docs list."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import quotas
import sortition

ROOT = Path(__file__).resolve().parents[1]


def test_import_loads_no_terminal_or_solver() -> None:
    code = (
        "import sys, sortition, quotas\n"
        "bad = [m for m in ('typer', 'rich', 'ortools', 'highspy', 'click') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_all_names_exist() -> None:
    for module in (sortition, quotas):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_api_doc_lists_exactly_all() -> None:
    doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for module in (sortition, quotas):
        section = doc.split(f"## `{module.__name__}`")[1].split("\n## ")[0]
        documented = set(re.findall(r"^- `([A-Za-z_0-9]+)`", section, flags=re.M))
        assert documented == set(module.__all__), module.__name__
