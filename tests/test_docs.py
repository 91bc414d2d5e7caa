"""Docs under test: the CLI reference and the performance figures are up to date, and every command has help
and appears in the docs."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli.app import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def command_paths() -> list[list[str]]:
    """Every command and sub-command path of the app (sub-apps included), found by walking the tree."""

    def walk(cmd: object, prefix: list[str]) -> list[list[str]]:
        out = [prefix] if prefix else []
        for name, sub in getattr(cmd, "commands", {}).items():
            if not getattr(sub, "hidden", False):
                out += walk(sub, [*prefix, name])
        return out

    return walk(typer.main.get_command(app), [])


def leaf_paths() -> list[list[str]]:
    """Commands that do something (not the groups that only hold sub-commands)."""
    paths = command_paths()
    return [p for p in paths if not any(q[:len(p)] == p and len(q) > len(p) for q in paths)]


def test_cli_reference_is_up_to_date() -> None:
    proc = subprocess.run([sys.executable, str(DOCS / "gen_cli_reference.py"), "--check"],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr + "\nRegenerate with: python docs/gen_cli_reference.py"


def test_performance_doc_is_up_to_date() -> None:
    """docs/performance.md is what docs/gen_performance.py makes of benchmarks/results/*.json."""
    proc = subprocess.run([sys.executable, str(DOCS / "gen_performance.py"), "--check"],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr + "\nRegenerate with: python docs/gen_performance.py"


def test_performance_doc_has_a_section_for_every_benchmark_result() -> None:
    spec = importlib.util.spec_from_file_location("gen_performance", DOCS / "gen_performance.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    results = {path.stem for path in (ROOT / "benchmarks" / "results").glob("*.json")}
    assert results <= {name for name, _ in module.SECTIONS}, "add a section to docs/gen_performance.py"


def test_readme_lists_each_command_once() -> None:
    """The README's "What it does" has one bullet per command (`sortition verifier-page` was listed twice)."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## What it does")[1].split("\n## ")[0]
    bullets = re.findall(r"^- `(sortition [a-z0-9-]+)", section, flags=re.M)
    assert bullets and len(bullets) == len(set(bullets)), sorted(b for b in bullets if bullets.count(b) > 1)


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_every_command_is_in_the_cli_reference(path: list[str]) -> None:
    reference = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert f"## sortition {' '.join(path)}\n" in reference


@pytest.mark.parametrize("path", leaf_paths(), ids=" ".join)
def test_every_command_is_in_the_user_guide(path: list[str]) -> None:
    guide = (DOCS / "user-guide.md").read_text(encoding="utf-8")
    assert f"sortition {' '.join(path)}" in guide, f"the user guide never mentions `sortition {' '.join(path)}`"


@pytest.mark.parametrize("path", leaf_paths(), ids=" ".join)
def test_every_command_has_help_with_an_example(path: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output, f"`sortition {' '.join(path)} --help` shows no example"


def test_user_guide_uses_the_dutch_terms_and_links_the_other_docs() -> None:
    guide = (DOCS / "user-guide.md").read_text(encoding="utf-8")
    for term in ("BRP", "wijk", "buurt", "loting", "burgerpanel"):
        assert term in guide, term
    for doc in ("auditing.md", "randomness.md", "algorithms.md", "cli.md", "quota-format.md"):
        assert f"]({doc}" in guide, f"the user guide does not link {doc}"


@pytest.mark.parametrize("doc", sorted(p.name for p in DOCS.glob("*.md")))
def test_relative_links_point_to_existing_files(doc: str) -> None:
    text = (DOCS / doc).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
        assert (DOCS / target).resolve().exists(), f"{doc} links to missing {target}"


def test_algorithms_doc_explains_every_algorithm() -> None:
    from sortition.algorithms.base import Algorithm

    text = (DOCS / "algorithms.md").read_text(encoding="utf-8")
    for algorithm in Algorithm:
        assert f"## `{algorithm.value}`" in text, algorithm
    assert "1/m" in text and "LEXIMIN" in text
