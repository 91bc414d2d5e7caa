"""A small, complete set of inputs and records for CLI robustness tests (tests/test_exit_codes.py,
tests/test_cli_fuzz.py): a pool and quotas, a prepared and drawn legacy lottery, a register, a plan and an
invitation folder. Built once per test module; each test copies what it changes.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from test_protocol import write_pool
from typer.testing import CliRunner, Result

from cli.app import app
from sortition import draw, prepare
from sortition.algorithms.base import Algorithm
from sortition.invite import draw_invitations, prepare_invitations

PLAN = """\
letters: 6
strata: [wijk]
columns: {id: id, birth_date: birth, wijk: wijk, address: [pc, nr]}
reference_date: 2027-01-01
min_age: 16
reserves: 1
"""


@dataclass(frozen=True)
class World:
    root: Path
    pool: Path
    quotas: Path
    drawn: Path  # a draw folder: lottery.json, draw.json, ledger, reports, private/
    register: Path
    plan: Path
    invited: Path  # an invitation folder: invitation_plan.json, invitations.json, private/

    def copy(self, folder: Path, into: Path) -> Path:
        """A fresh copy of ``folder`` (drawn or invited) under ``into``."""
        target = into / folder.name
        shutil.copytree(folder, target)
        return target


def build_world(root: Path) -> World:
    pool, quotas = write_pool(root)
    drawn = root / "drawn"
    result = prepare(pool, quotas, drawn, algorithm=Algorithm.LEGACY, legacy_runs=50, seed_source="dice")
    draw(result.lottery_path, "dice 1 2 3", published_before_seed=True)
    register = root / "register.csv"
    register.write_text("id;birth;wijk;pc;nr\n" + "".join(
        f"R{i};19{50 + i % 40}-0{1 + i % 9}-1{i % 10};{'Noord' if i % 2 else 'Zuid'};2000 AA;{i}\n"
        for i in range(40)), encoding="utf-8")
    plan = root / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    invited = root / "invited"
    prepared = prepare_invitations(register, plan, invited, seed_source="lotto")
    draw_invitations(prepared.plan_path, register, "lotto 1 2 3")
    return World(root, pool, quotas, drawn, register, plan, invited)


runner = CliRunner()


def invoke(*args: object) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def no_traceback(result: Result) -> None:
    """The run ended through an exit code (SystemExit), and printed no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{result.output}")
    assert "Traceback" not in result.output, result.output


def one_line(result: Result, code: int, *needles: str) -> str:
    """The run exited with ``code`` after printing exactly one line (holding every needle); that line."""
    no_traceback(result)
    out = result.output.strip()
    assert result.exit_code == code, f"exit {result.exit_code}, expected {code}: {out}"
    assert len(out.splitlines()) == 1, out
    for needle in needles:
        assert needle in out, f"{needle!r} not in {out!r}"
    return out
