"""The public API: what importing costs, and that __all__ is what the docs list."""

from __future__ import annotations

import inspect
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


def test_api_doc_is_generated_from_the_code() -> None:
    """docs/api.md's name list is docs/gen_api.py's output: signatures and first docstring lines in step."""
    proc = subprocess.run([sys.executable, str(ROOT / "docs" / "gen_api.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr + "\nRegenerate with: python docs/gen_api.py"


def test_public_docstrings_name_no_private_helper_and_no_typer() -> None:
    sys.path.insert(0, str(ROOT / "docs"))
    import gen_api

    for module in (sortition, quotas):
        for name in module.__all__:
            gen_api.entry(module, name)  # raises DocError on a missing docstring, Typer or a private name


def test_a_public_value_is_described_not_given_its_types_docstring() -> None:
    """A str or int in __all__ has only str's or int's docstring (QUICKNET_ROUND_URL once showed
    "str(object='') -> str"): the generator refuses it until VALUES in docs/gen_api.py describes it."""
    import types

    sys.path.insert(0, str(ROOT / "docs"))
    import gen_api

    assert "QUICKNET_ROUND_URL" in gen_api.VALUES
    assert "drand" in gen_api.entry(sortition, "QUICKNET_ROUND_URL")
    module = types.ModuleType("example")
    module.ADDRESS = "https://example.org/{round}"  # type: ignore[attr-defined]
    try:
        gen_api.entry(module, "ADDRESS")
    except gen_api.DocError as exc:
        assert "VALUES" in str(exc)
    else:
        raise AssertionError("a value without a description was documented")
    doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for builtin in (str, int, float, bytes, dict, tuple):
        assert inspect.getdoc(builtin).split("\n")[0] not in doc, builtin  # type: ignore[union-attr]


def small_pool(folder: Path) -> None:
    """Sixteen people in households of two over gender and age, and a panel of 4 (tests/conftest.py QUOTAS)."""
    from conftest import QUOTAS

    rows = [f"P{i:03d},Name{i},Street {i // 2},{i % 5},{'f' if i % 2 else 'm'},{'young' if i % 3 else 'old'}"
            for i in range(16)]
    (folder / "pool.csv").write_text("id,name,street,number,gender,age\n" + "\n".join(rows) + "\n",
                                     encoding="utf-8")
    (folder / "quotas.yaml").write_text(QUOTAS, encoding="utf-8")


def test_worked_example_in_api_doc_runs_as_written(tmp_path: Path, monkeypatch, capsys) -> None:
    doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    section = doc.split("## A worked example")[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert 15 <= len(code.strip().splitlines()) <= 30
    small_pool(tmp_path)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "docs/api.md", "exec"), {"__name__": "__example__"})
    out = capsys.readouterr().out
    assert "16 people" in out and "replaces" in out
    record = (tmp_path / "draw1" / "draw.json").read_text(encoding="utf-8")
    assert '"commitment_published_before_seed": true' in record and '"events"' in record
    assert sortition.verify(tmp_path / "draw1" / "draw.json").ok


def test_functions_take_objects_or_paths_alike(tmp_path: Path) -> None:
    from quotas import load_quotas

    small_pool(tmp_path)
    spec = load_quotas(tmp_path / "quotas.yaml")
    by_path = sortition.load_pool(tmp_path / "pool.csv", tmp_path / "quotas.yaml")
    by_spec = sortition.load_pool(tmp_path / "pool.csv", spec)
    assert by_path.ids == by_spec.ids and by_path.problem.spec == spec
    options = {"algorithm": sortition.Algorithm.LEGACY, "legacy_runs": 50}
    a = sortition.prepare(tmp_path / "pool.csv", tmp_path / "quotas.yaml", tmp_path / "a", **options)
    (tmp_path / "b" / "private").mkdir(parents=True)
    (tmp_path / "b" / "private" / "salt").write_bytes((tmp_path / "a" / "private" / "salt").read_bytes())
    b = sortition.prepare(by_spec, spec, tmp_path / "b", **options)
    # Same salt, same inputs: the same lottery, whether files or loaded objects were passed.
    assert a.lottery_path.read_bytes() == b.lottery_path.read_bytes()


def test_a_spec_built_in_code_is_committed_as_its_yaml(tmp_path: Path) -> None:
    import hashlib
    import json

    from quotas import dump_yaml, load_quotas

    small_pool(tmp_path)
    spec = load_quotas(tmp_path / "quotas.yaml")
    built = type(spec)(spec.panel_size, spec.categories, id_column=spec.id_column, households=spec.households)
    result = sortition.prepare(tmp_path / "pool.csv", built, tmp_path / "out",
                               algorithm=sortition.Algorithm.LEGACY, legacy_runs=50)
    inputs = json.loads(result.lottery_path.read_text(encoding="utf-8"))["inputs"]
    assert inputs["quotas.yaml"] == hashlib.sha256(dump_yaml(built).encode("utf-8")).hexdigest()


def test_replace_takes_one_id_as_one_id(tmp_path: Path) -> None:
    small_pool(tmp_path)
    drawn = sortition.select(tmp_path / "pool.csv", tmp_path / "quotas.yaml", "seed", tmp_path / "out",
                             algorithm=sortition.Algorithm.LEGACY, legacy_runs=50)
    pool_copy = (tmp_path / "out" / "private" / "pool.csv").read_text(encoding="utf-8").splitlines()
    ident = next(line.split(",")[1] for line in pool_copy if line.startswith(drawn.outcome.panel[0] + ","))
    result = sortition.replace(drawn.draw_path, ident)  # a register id, as a plain string
    assert [r.dropout for r in result.replacements] == [drawn.outcome.panel[0]]


def test_verify_failures_lists_every_failed_check(tmp_path: Path) -> None:
    import json

    small_pool(tmp_path)
    drawn = sortition.select(tmp_path / "pool.csv", tmp_path / "quotas.yaml", "seed", tmp_path / "out",
                             algorithm=sortition.Algorithm.LEGACY, legacy_runs=50)
    assert list(sortition.verify(drawn.draw_path).failures) == []
    record = json.loads(drawn.draw_path.read_text(encoding="utf-8"))
    record["seed"] = "another seed"
    record["panel"] = list(reversed(record["panel"]))[:-1]
    drawn.draw_path.write_text(json.dumps(record), encoding="utf-8")
    report = sortition.verify(drawn.draw_path)
    assert isinstance(report.failures, tuple) and len(report.failures) >= 1
    assert all(not c.passed for c in report.failures) and report.failed == report.failures[0]


def test_draw_needs_published_before_seed_said() -> None:
    import inspect

    param = inspect.signature(sortition.draw).parameters["published_before_seed"]
    assert param.kind is param.KEYWORD_ONLY and param.default is param.empty


def test_typed_package_ships_py_typed() -> None:
    for package in ("sortition", "quotas"):
        assert (ROOT / package / "py.typed").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "py.typed" in pyproject.split("[tool.setuptools.package-data]")[1].split("\n[")[0]


def test_python_m_sortition_is_the_command() -> None:
    out = subprocess.run([sys.executable, "-m", "sortition", "--help"], capture_output=True, text=True,
                         cwd=ROOT, env={**__import__("os").environ, "COLUMNS": "80"})
    assert out.returncode == 0, out.stderr
    assert "Usage:" in out.stdout and "prepare" in out.stdout and "verify" in out.stdout
    version = subprocess.run([sys.executable, "-m", "sortition", "--version"], capture_output=True, text=True)
    assert version.stdout.strip() == f"sortition {sortition.__version__}"


def test_a_spec_whose_file_changed_is_committed_as_its_yaml(tmp_path: Path) -> None:
    import json

    from quotas import load_quotas

    small_pool(tmp_path)
    spec = load_quotas(tmp_path / "quotas.yaml")
    (tmp_path / "quotas.yaml").write_text("not: [a quota file", encoding="utf-8")  # changed since it was read
    result = sortition.prepare(tmp_path / "pool.csv", spec, tmp_path / "out",
                               algorithm=sortition.Algorithm.LEGACY, legacy_runs=50)
    inputs = json.loads(result.lottery_path.read_text(encoding="utf-8"))["inputs"]
    assert set(inputs) == {"pool.csv", "quotas.yaml"}
    assert inputs["quotas.yaml"] != sha256_of(tmp_path / "quotas.yaml")


def sha256_of(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
