"""Bad input: every loader, fed random bytes and broken CSV/XLSX/YAML, refuses with a SortitionError only.

The number of generated files is ``SORTITION_FUZZ_EXAMPLES`` per strategy (small here; ``benchmarks/hardening.py``
runs many more); each file goes to every loader. With ``SORTITION_HARDENING_OUT`` set, the counts are added
to that JSON file.
"""

from __future__ import annotations

import json
import os
import traceback
from pathlib import Path

import pytest
from fuzz_inputs import LOADERS, csv_file, quota_yaml_file, random_bytes_file, xlsx_file
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner, Result

from cli.app import app
from quotas.errors import SortitionError

EXAMPLES = int(os.environ.get("SORTITION_FUZZ_EXAMPLES", "60"))
STRATEGIES = {"random_bytes": random_bytes_file(), "csv": csv_file(), "yaml": quota_yaml_file(),
              "xlsx": xlsx_file()}
COUNTS: dict[str, int] = {}


def record(key: str, n: int = 1) -> None:
    """Add ``n`` to a hardening count (and to the JSON file named by SORTITION_HARDENING_OUT)."""
    COUNTS[key] = COUNTS.get(key, 0) + n
    out = os.environ.get("SORTITION_HARDENING_OUT")
    if out:
        path = Path(out)
        data = json.loads(path.read_text()) if path.exists() else {}
        data[key] = data.get(key, 0) + n
        path.write_text(json.dumps(data, indent=1, sort_keys=True))


def feed(path: Path) -> list[str]:
    """Run every loader on ``path``; return the non-SortitionError exceptions (bugs)."""
    bugs = []
    for name, load in LOADERS.items():
        try:
            load(path)
        except SortitionError:
            pass
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            bugs.append(f"{name}: {type(exc).__name__} at {where.filename}:{where.lineno}: {exc}")
    return bugs


@pytest.mark.parametrize("kind", sorted(STRATEGIES))
def test_loaders_raise_only_sortition_errors(kind: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp(kind)
    tried = 0

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(STRATEGIES[kind])
    def check(file: tuple[str, bytes]) -> None:
        nonlocal tried
        suffix, data = file
        path = folder / f"input{suffix}"
        path.write_bytes(data)
        tried += 1
        bugs = feed(path)
        assert not bugs, f"{bugs[0]}\nfile bytes: {data[:200]!r}"

    check()
    record(f"{kind}_files", tried)
    record("loader_calls", tried * len(LOADERS))
    print(f"{kind}: {tried} files x {len(LOADERS)} loaders")


# --- regressions found by the fuzzing ------------------------------------------------------------------


def test_register_header_ended_by_lone_cr(tmp_path: Path) -> None:
    """Was csv.Error ("new-line character seen in unquoted field") from read_register."""
    path = tmp_path / "r.csv"
    path.write_bytes(b"id,wijk\rP1,Noord\rP2,Zuid\r")
    assert not feed(path)
    path.write_bytes(b'id,"wijk\r\n')
    assert not feed(path)


def test_million_columns_refused_quickly(tmp_path: Path) -> None:
    """A header of 10^6 columns took 6 s and 600 MB to build into a table; now refused at once."""
    path = tmp_path / "wide.csv"
    path.write_text("id,wijk,geslacht," + ",".join(f"c{i}" for i in range(10**6)) + "\nP1,Noord,vrouw\n")
    for name in ("read_table", "load_pool", "load_quotas", "propose_quotas"):
        with pytest.raises(SortitionError, match="16,384 columns"):
            LOADERS[name](path)
    assert not feed(path)


def test_huge_yaml_refused_and_plan_folder(tmp_path: Path) -> None:
    """A multi-megabyte 'YAML' file is refused before parsing; a folder as plan was IsADirectoryError."""
    big = tmp_path / "q.yaml"
    big.write_text("categories:\n" + "  x: 1\n" * 300_000)
    with pytest.raises(SortitionError, match="characters"):
        LOADERS["load_quotas"](big)
    with pytest.raises(SortitionError, match="bytes"):
        LOADERS["load_plan"](big)
    with pytest.raises(SortitionError, match="folder"):
        LOADERS["load_plan"](tmp_path)


# --- the CLI: exit 2, one line, no traceback ------------------------------------------------------------

BAD_FILES = {
    "nul.csv": b"id,geslacht\nP1,vr\x00ouw\n",
    "bom_middle.csv": "id,geslacht\nP1,vrouw\n\ufeffP2,man\n".encode() + b"\xff\xfe",
    "cyrillic.csv": "id,geslacht\nP1,vrоuw\nP2,man\nP3,man\nP4,vrouw\n".encode(),
    "formula.csv": b"id,geslacht\n=1+1,vrouw\n+2,man\n",
    "mixed_endings.csv": b"id,geslacht\r\nP1,vrouw\rP2,man\n\"P3,man\n",
    "random.csv": bytes(range(256)) * 3,
    "wide.csv": ("id," + ",".join(f"c{i}" for i in range(20_000)) + "\n").encode(),
    "bad.yaml": b"panel_size: -4\ncategories: {geslacht: {vrouw: {min: -1, max: 1e999}}}\n",
    "xlsx.xlsx": b"PK\x03\x04garbage",
}


def one_red_line(result: Result) -> None:
    out = result.output
    assert result.exit_code == 2, out
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in out
    assert out.startswith("Error:") and out.strip().count("\n") == 0, out


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_cli_exits_2_with_one_line(name: str, tmp_path: Path) -> None:
    bad = tmp_path / name
    bad.write_bytes(BAD_FILES[name])
    quotas = tmp_path / "q.yaml"
    quotas.write_text("panel_size: 2\ncategories:\n  geslacht:\n    vrouw: {min: 1, max: 1}\n"
                      "    man: {min: 1, max: 1}\n")
    plan = tmp_path / "plan.yaml"
    plan.write_text("letters: 1\nstrata: [geslacht]\ncolumns: {id: id, geslacht: geslacht}\n")
    runner = CliRunner()
    commands = [["check", str(bad), str(quotas)], ["check", str(tmp_path / "ok.csv"), str(bad)],
                ["quotas", "convert", str(bad), "--panel-size", "2", "-o", str(tmp_path / "o.yaml")],
                ["invite", "prepare", str(bad), str(plan), "--out", str(tmp_path / "inv")],
                ["invite", "prepare", str(tmp_path / "ok.csv"), str(bad), "--out", str(tmp_path / "inv2")]]
    (tmp_path / "ok.csv").write_text("id,geslacht\nP1,vrouw\nP2,man\n")
    outcomes = 0
    for args in commands:
        result = runner.invoke(app, args)
        if result.exit_code == 0:
            continue  # a file that is fine for this command (e.g. a look-alike value in a register)
        if result.exit_code == 1 and "Infeasible" in result.output:
            continue
        one_red_line(result)
        outcomes += 1
    record("cli_runs", len(commands))
    assert outcomes >= 1
