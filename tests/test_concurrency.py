"""One draw per commitment under concurrency: real processes, released together by a barrier, many rounds.

Each round has its own copy of a small legacy lottery (fast to draw). Two worker processes wait at a barrier,
then both run a command on the same folder: two draws with different seeds, or two replacements of different
panel members. Never two draws may succeed, the record and the private lists must always agree, and no
replacement event or ledger line may be lost. The issue measured 4 of 20 double successes through the CLI and
17 of 20 through the library before the folder lock.
"""

from __future__ import annotations

import csv
import json
import multiprocessing as mp
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from test_bad_input import record
from test_protocol import write_pool

from quotas.errors import SortitionError
from sortition import draw, prepare, replace, verify
from sortition.algorithms.base import Algorithm
from sortition.records import BUSY, read_ledger
from sortition.rules.reserve import current_state

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 16
SEEDS = ("seed AAA", "seed BBB")


def _worker(barrier: Any, jobs: list[tuple[str, str, str]], results: Any, who: int) -> None:
    """Run one job per round, each right after the barrier releases both workers.

    ``cli draw`` runs the command line in this process (typer's runner): exit code and output, as a user sees.
    """
    from typer.testing import CliRunner

    from cli.app import app

    out = []
    for kind, path, arg in jobs:
        barrier.wait(timeout=120)
        try:
            if kind == "draw":
                draw(path, arg, published_before_seed=True)
            elif kind == "replace":
                replace(path, [arg])
            else:
                result = CliRunner().invoke(app, ["draw", path, "--seed", arg])
                out.append(("ok" if result.exit_code == 0 else f"exit {result.exit_code}", result.output))
                continue
            out.append(("ok", ""))
        except SortitionError as exc:
            out.append(("error", str(exc)))
    results.put((who, out))


def run_pair(jobs: list[list[tuple[str, str, str]]]) -> list[list[tuple[str, str]]]:
    """Run two workers, each over its job list in lockstep; return each worker's outcomes per round."""
    # fork where there is one (no re-import: fast); spawn on Windows and macOS
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(barrier, jobs[i], results, i)) for i in range(2)]
    for p in procs:
        p.start()
    got = dict(results.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return [got[0], got[1]]


def private_column(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [row["sortition_pseudonym"] for row in csv.DictReader(fh)]


def assert_consistent(folder: Path) -> dict[str, Any]:
    """draw.json verifies, and the private lists and the ledger are exactly its state."""
    rec = json.loads((folder / "draw.json").read_bytes())
    lottery = json.loads((folder / "lottery.json").read_bytes())
    assert verify(folder / "draw.json").ok
    state = current_state(lottery, rec)
    assert private_column(folder / "private" / "panel.csv") == list(state.panel)
    assert private_column(folder / "private" / "reserves.csv") == state.unused_reserves(rec["reserves"])
    ledger = read_ledger(folder)
    assert ledger is not None and ledger.intact
    kinds = [e.get("event") for e in ledger.entries]
    assert kinds.count("draw") == 1
    assert kinds.count("replace") == len(rec["events"])
    return rec


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("lottery")
    pool, quotas = write_pool(base)
    prepare(pool, quotas, base / "out", algorithm=Algorithm.LEGACY, legacy_runs=50)
    return base / "out"


def copies(template: Path, where: Path, n: int) -> list[Path]:
    folders = []
    for i in range(n):
        shutil.copytree(template, where / f"r{i}")
        folders.append(where / f"r{i}")
    return folders


def test_concurrent_commands_one_draw_no_lost_event(template: Path, tmp_path: Path) -> None:
    """Two processes, released together: draws with two seeds (library and command line), then replacements
    of two different members of a drawn panel, each round in its own folder."""
    first = copies(template, tmp_path / "first", 1)[0]
    panel = list(draw(first / "lottery.json", SEEDS[0], published_before_seed=True).outcome.panel)
    replace(first / "draw.json", [panel[0]])
    replace(first / "draw.json", [panel[1]])  # both replacements exist one after the other
    drawn = tmp_path / "drawn"
    shutil.copytree(template, drawn)
    draw(drawn / "lottery.json", SEEDS[0], published_before_seed=True)
    draws = copies(template, tmp_path / "d", ROUNDS)
    replaces = copies(drawn, tmp_path / "r", ROUNDS)
    jobs = [[("draw" if r % 2 else "cli draw", str(f / "lottery.json"), SEEDS[w]) for r, f in enumerate(draws)]
            + [("replace", str(f / "draw.json"), panel[w]) for f in replaces] for w in range(2)]
    outcomes = run_pair(jobs)
    doubles = 0
    for r, folder in enumerate(draws):
        pair = [outcomes[0][r], outcomes[1][r]]
        wins = [w for w in range(2) if pair[w][0] == "ok"]
        doubles += len(wins) == 2
        assert len(wins) == 1, (r, pair)
        status, loser = pair[1 - wins[0]]
        # a busy folder is the environment (exit 3), a seed drawn already is bad input (exit 2)
        assert status == "error" if r % 2 else status == ("exit 3" if BUSY in loser else "exit 2"), pair
        assert BUSY in loser or "drawn already" in loser, loser
        if status.startswith("exit"):
            assert loser.strip().count("\n") == 0 and "Traceback" not in loser  # one line
        rec = assert_consistent(folder)
        assert rec["seed"] == SEEDS[wins[0]]  # the record holds the winner's seed, and so do the lists
    events = 0
    for r, folder in enumerate(replaces, ROUNDS):
        pair = [outcomes[0][r], outcomes[1][r]]
        wins = [w for w in range(2) if pair[w][0] == "ok"]
        assert wins, (r, pair)
        for w in set(range(2)) - set(wins):
            assert BUSY in pair[w][1], pair[w][1]
        rec = assert_consistent(folder)
        assert sorted(e["dropout"] for e in rec["events"]) == sorted(panel[w] for w in wins)
        assert len(rec["events"]) == len(wins)  # every success is an event: none lost
        events += len(rec["events"])
    assert doubles == 0
    record("concurrent_draw_rounds", ROUNDS)
    record("concurrent_draw_double_successes", doubles)
    record("concurrent_replace_rounds", ROUNDS)
    record("concurrent_replace_events", events)


def test_every_folder_command_waits_for_no_one(template: Path, tmp_path: Path) -> None:
    """While another command holds a folder's lock, each command that changes it stops before any write."""
    from sortition import invite, write_report
    from sortition.records import locked

    folder = copies(template, tmp_path, 1)[0]
    draw(folder / "lottery.json", SEEDS[0], published_before_seed=True)
    member = json.loads((folder / "draw.json").read_bytes())["panel"][0]
    pool, quotas = write_pool(tmp_path)
    src = ROOT / "examples" / "schalkwijk-trees"
    letters = tmp_path / "letters"
    attempts = {
        "draw": lambda: draw(folder / "lottery.json", SEEDS[0], published_before_seed=True),
        "replace": lambda: replace(folder / "draw.json", [member]),
        "report": lambda: write_report(folder / "draw.json", fmt="md"),
    }
    for what, attempt in attempts.items():
        before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        with locked(folder, "a test"), pytest.raises(SortitionError, match=BUSY):
            attempt()
        assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before, what
    # prepare refuses a drawn folder before it reads anything (lock or not); a fresh folder waits for the lock.
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with locked(folder, "a test"), pytest.raises(SortitionError, match="never replaced"):
        prepare(pool, quotas, folder, algorithm=Algorithm.LEGACY, legacy_runs=50, force=True)
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    fresh = tmp_path / "fresh"
    with locked(fresh, "a test"), pytest.raises(SortitionError, match=BUSY):
        prepare(pool, quotas, fresh, algorithm=Algorithm.LEGACY, legacy_runs=50)
    assert [p.name for p in fresh.iterdir()] == [".lock"]
    with locked(letters, "a test"), pytest.raises(SortitionError, match=BUSY):
        invite.prepare_invitations(src / "register.csv", src / "plan.yaml", letters)
    assert [p.name for p in letters.iterdir()] == [".lock"]
    plan = invite.prepare_invitations(src / "register.csv", src / "plan.yaml", letters).plan_path
    with locked(letters, "a test"), pytest.raises(SortitionError, match=BUSY):
        invite.draw_invitations(plan, src / "register.csv", "dice 1")
    assert not (letters / "invitations.json").exists()
