"""The sortition command end to end, through typer's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from generated import instance
from typer.testing import CliRunner

from cli.app import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.mark.parametrize("example", ["schalkwijk-trees", "veiligheid"])
def test_check_examples_feasible(example: str) -> None:
    code, out = run("check", EXAMPLES / example / "pool.csv", EXAMPLES / example / "quotas.yaml")
    assert code == 0, out
    assert "Feasible" in out


def test_check_infeasible_gives_advice(tmp_path: Path) -> None:
    # Every woman is young and every man old, so "2 women" and "3 young" cannot both hold.
    pool = tmp_path / "pool.csv"
    pool.write_text("id;gender;age\n" + "".join(f"{i};f;young\n" for i in range(3))
                    + "".join(f"{i + 3};m;old\n" for i in range(3)), encoding="cp1252")
    quotas = tmp_path / "q.yaml"
    quotas.write_text("panel_size: 4\ncategories:\n  gender:\n    f: {min: 2, max: 2}\n    m: {min: 2, max: 2}\n"
                      "  age:\n    young: {min: 3, max: 3}\n    old: {min: 1, max: 1}\n", encoding="utf-8")
    code, out = run("check", pool, quotas)
    assert code == 1, out
    assert "Infeasible" in out
    assert "raise max" in out or "lower min" in out


def test_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    pool = tmp_path / "pool.csv"
    pool.write_text("id,geslacht\n1,vrouw\n", encoding="utf-8")
    code, out = run("check", pool, EXAMPLES / "schalkwijk-trees" / "quotas.yaml")
    assert code == 2
    assert "Traceback" not in out
    assert "pool.csv" in out and "Error" in out


def test_missing_file_exit_2(tmp_path: Path) -> None:
    code, out = run("check", tmp_path / "nope.csv", EXAMPLES / "veiligheid" / "quotas.yaml")
    assert code == 2
    assert "Traceback" not in out


def test_convert_and_propose(tmp_path: Path) -> None:
    _, shared = instance("alternate_20").write(tmp_path, trailing_newline=False)  # a research-data quota CSV
    out = tmp_path / "q.yaml"
    code, text = run("quotas", "convert", shared, "--panel-size", "20", "-o", out)
    assert code == 0, text
    assert "panel_size: 20" in out.read_text(encoding="utf-8")
    code, text = run("quotas", "convert", shared, "--panel-size", "20", "-o", out)
    assert code == 2 and "--force" in text
    proposed = tmp_path / "p.yaml"
    code, text = run("quotas", "propose", "--population", EXAMPLES / "veiligheid" / "population.csv",
                     "--panel-size", "40", "--tolerance", "2", "-o", proposed)
    assert code == 0, text
    assert "panel_size: 40" in proposed.read_text(encoding="utf-8")


def test_prepare_draw_verify_legacy_and_tamper(tmp_path: Path) -> None:
    ex = EXAMPLES / "schalkwijk-trees"
    out = tmp_path / "draw1"
    code, text = run("prepare", ex / "pool.csv", ex / "quotas.yaml", "--out", out, "-a", "legacy",
                     "--seed-source", "dice at the council meeting")
    assert code == 0, text
    assert "Commitment:" in text
    code, text = run("draw", out / "lottery.json", "--seed", "4 2 6 1 3 5")
    assert code == 0, text
    code, text = run("verify", out / "draw.json", "--pool", ex / "pool.csv", "--quotas", ex / "quotas.yaml")
    assert code == 0, text
    assert "Verified" in text
    code, text = run("draw", out / "lottery.json", "--seed", "another seed")
    assert code == 2 and "one draw per commitment" in text
    record = json.loads((out / "draw.json").read_text())
    record["seed"] = "4 2 6 1 3 6"
    (out / "draw.json").write_text(json.dumps(record, sort_keys=True, ensure_ascii=False, indent=1) + "\n")
    code, text = run("verify", out / "draw.json")
    assert code == 1
    assert "Verification failed" in text


def test_private_panel_has_register_columns(tmp_path: Path) -> None:
    ex = EXAMPLES / "veiligheid"
    out = tmp_path / "s"
    code, text = run("select", ex / "pool.csv", ex / "quotas.yaml", "--seed", "practice", "--out", out,
                     "-a", "legacy")
    assert code == 0, text
    header = (out / "private" / "panel.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "voornaam" in header and "email" in header
    assert len((out / "private" / "panel.csv").read_text(encoding="utf-8-sig").splitlines()) == 41


def test_version_and_help_with_examples() -> None:
    code, text = run("--version")
    assert code == 0 and "sortition" in text
    for command in (["check"], ["prepare"], ["draw"], ["verify"], ["select"], ["rfc3797"],
                    ["quotas", "convert"], ["quotas", "propose"]):
        code, text = run(*command, "--help")
        assert code == 0
        assert "Example" in text, command


def test_rfc3797_command() -> None:
    code, text = run("rfc3797", "--pool-size", "25", "--select", "10", "--source", "9319",
                     "--source", "2 5 12 8 10", "--source", "9 18 26 34 41 45")
    assert code == 0, text
    assert "17" in text.split("\n")[1]


def test_readme_first_command_shape() -> None:
    """The README's newcomer command names files that exist."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "examples/schalkwijk-trees/pool.csv" in readme
    assert (EXAMPLES / "schalkwijk-trees" / "pool.csv").exists()
    assert shutil.which("python3") is not None
