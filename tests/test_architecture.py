"""Guard rails of the layout: import contracts (import-linter), no import cycles, no imports hidden in functions.

The contracts live in pyproject.toml ([tool.importlinter]); docs/api.md describes the layers.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sortition", "quotas", "cli")

#: Third-party or standard modules that may be imported inside a function, to keep ``import sortition`` and
#: the command's start-up light (solvers, spreadsheet and YAML readers load when first needed).
LAZY_ALLOWED = ("highspy", "ortools", "scipy", "pandas", "pyarrow", "numpy", "openpyxl", "yaml", "zipfile", "json",
                "importlib.metadata", "_sha2", "_sha256", "multiprocessing", "py_arkworks_bls12381")


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _imports(module: str, path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import of ``module``'s source."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    pkg = module.split(".")[: len(module.split(".")) - child.level + (path.name == "__init__.py")]
                    base = ".".join([*pkg, base] if base else pkg)
                found.append((base, child.lineno, in_function))
                found.extend((f"{base}.{alias.name}", child.lineno, in_function) for alias in child.names)
            visit(child, inner)

    visit(tree, False)
    return found


def _project(name: str, modules: dict[str, Path]) -> str | None:
    """The project module ``name`` refers to (a from-import of a name resolves to its module)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def test_import_contracts_hold() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if exe is None:
        pytest.fail("lint-imports is missing: install the test extra (pip install -e '.[test]').")
    run = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_import_cycles() -> None:
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        for name, _, _ in _imports(module, path):
            target = _project(name, modules)
            if target and target != module and not module.startswith(target + "."):
                graph[module].add(target)
    # Tarjan-free check: a module reaches itself through its imports.
    cycles = []
    for start in graph:
        stack, seen = list(graph[start]), set()
        while stack:
            node = stack.pop()
            if node == start:
                cycles.append(start)
                break
            if node not in seen:
                seen.add(node)
                stack.extend(graph[node])
    assert not cycles, f"modules that import themselves through others: {sorted(cycles)}"


def test_no_project_import_hidden_in_a_function() -> None:
    """An import inside a function to dodge a cycle means a rule lives in the wrong module."""
    modules = _modules()
    bad = []
    for module, path in modules.items():
        for name, line, in_function in _imports(module, path):
            if not in_function:
                continue
            if _project(name, modules):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
            elif not name.startswith(LAZY_ALLOWED):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {name} inside a function (not in LAZY_ALLOWED)")
    assert not bad, "\n".join(bad)
