"""Crashes: a kill at any atomic write of prepare, draw, replace, invite or a quota writer leaves no partial file.

The fault is injected through ``quotas.textfiles._before_replace``, inside the one function every file is
written through: the N-th write raises after its temporary file is complete and before the rename (the
worst moment), for N = 1 .. number of writes. Then every file must parse completely, no temporary file may
remain, and a rerun must complete and verify.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_bad_input import record
from test_protocol import write_pool

from quotas import dump_yaml, load_quotas, propose_quotas, textfiles, write_yaml
from quotas.errors import InputError
from sortition import draw, invite, prepare, records, replace, verify
from sortition.algorithms.base import Algorithm

ROOT = Path(__file__).resolve().parents[1]


class Crash(Exception):
    """The simulated kill."""


@pytest.fixture
def crash_at(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int | None], list[Path]]]:
    """``crash_at(n)``: the n-th atomic write from now on raises (None: count only); returns the writes."""
    writes: list[Path] = []

    def arm(n: int | None) -> list[Path]:
        writes.clear()

        def hook(target: Path) -> None:
            writes.append(target)
            if n is not None and len(writes) == n:
                raise Crash(str(target))

        monkeypatch.setattr(textfiles, "_before_replace", hook)
        return writes

    yield arm
    monkeypatch.setattr(textfiles, "_before_replace", None)


def assert_whole(folder: Path) -> None:
    """Every file in ``folder`` is complete: JSON parses, CSV rows have the header's width, no temp files."""
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        assert not path.name.endswith(".tmp"), f"temporary file left: {path}"
        data = path.read_bytes()
        if path.suffix == ".json":
            json.loads(data)
        elif path.suffix == ".jsonl":
            assert data.endswith(b"\n")
            for line in data.splitlines():
                json.loads(line)
        elif path.suffix == ".csv":
            rows = list(csv.reader(data.decode("utf-8").splitlines(keepends=True)))
            assert rows and all(len(r) == len(rows[0]) for r in rows), path
        elif path.suffix in (".html", ".md"):
            assert data.rstrip().endswith(b"</html>" if path.suffix == ".html" else b"*"), path


def steps(folder: Path) -> list[Callable[[], object]]:
    folder.mkdir(parents=True, exist_ok=True)
    pool, quotas = write_pool(folder)
    out = folder / "out"
    return [
        lambda: prepare(pool, quotas, out, algorithm=Algorithm.LEGACY, legacy_runs=100),
        lambda: draw(out / "lottery.json", "dice 1 2 3", published_before_seed=True),
        lambda: replace(out / "draw.json", [json.loads((out / "draw.json").read_bytes())["panel"][0]]),
    ]


def crash_at_every_write(crash_at: Callable[[int | None], list[Path]], tmp_path: Path,
                         make_steps: Callable[[Path], list[Callable[[], object]]],
                         finish: Callable[[Path, list[Callable[[], object]], int], None]) -> tuple[list[int], int]:
    """For every step s and every write n of it: in a fresh folder run the steps before s, crash step s at its
    n-th write, check that every file is whole and no earlier file is lost, then ``finish(folder, steps, s)``
    recovers and checks. Returns the writes per step and the number of crash points tried."""
    counts = []
    for step in make_steps(tmp_path / "count"):
        writes = crash_at(None)
        step()
        counts.append(len(writes))
    crash_at(None)
    points = 0
    for s, total in enumerate(counts):
        for n in range(1, total + 1):
            folder = tmp_path / f"s{s}n{n}"
            run = make_steps(folder)
            for done in run[:s]:
                done()
            before = [p for p in folder.rglob("*") if p.is_file()]
            crash_at(n)
            with pytest.raises(Crash):
                run[s]()
            crash_at(None)
            assert_whole(folder)
            assert all(p.exists() for p in before)  # old files stay: untouched or replaced whole
            finish(folder, run, s)
            assert_whole(folder)
            points += 1
    return counts, points


def test_panel_draw_survives_a_crash_at_every_write(tmp_path: Path,
                                                    crash_at: Callable[[int | None], list[Path]]) -> None:
    def finish(folder: Path, run: list[Callable[[], object]], s: int) -> None:
        # Recovery: rerun the step; a replace that already recorded its event is finished by
        # re-running draw, which rewrites the private lists with the replacements.
        record_file = folder / "out" / "draw.json"
        if s == 2 and json.loads(record_file.read_bytes())["events"]:
            draw(folder / "out" / "lottery.json", "dice 1 2 3", published_before_seed=True)
        else:
            run[s]()
        for later in run[s + 1:]:
            later()
        assert verify(record_file).ok

    counts, points = crash_at_every_write(crash_at, tmp_path, steps, finish)
    assert counts[0] >= 4 and counts[1] >= 5 and counts[2] >= 5  # salt, lottery, pool.csv, ledger; ...
    record("crash_points_panel", points)


def test_invitations_survive_a_crash_at_every_write(tmp_path: Path,
                                                    crash_at: Callable[[int | None], list[Path]]) -> None:
    src = ROOT / "examples" / "schalkwijk-trees"
    reg, plan = tmp_path / "register.csv", tmp_path / "plan.yaml"
    shutil.copy(src / "register.csv", reg)
    plan.write_text((src / "plan.yaml").read_text().replace("letters: 300", "letters: 20"))

    def run(folder: Path) -> list[Callable[[], object]]:
        return [lambda: invite.prepare_invitations(reg, plan, folder),
                lambda: invite.draw_invitations(folder / "invitation_plan.json", reg, "dice 4 4")]

    def finish(folder: Path, todo: list[Callable[[], object]], s: int) -> None:
        for step in todo[s:]:
            step()
        assert verify(folder / "invitations.json", register=reg).ok

    _, points = crash_at_every_write(crash_at, tmp_path, run, finish)
    record("crash_points_invitations", points)


def test_quota_file_survives_a_crash_at_every_write(tmp_path: Path,
                                                    crash_at: Callable[[int | None], list[Path]]) -> None:
    """``quotas propose --force`` writes a new quota file, then replaces it: a crash leaves the file exactly
    as it was before that write (absent, or the old complete file), and a rerun writes the new one."""
    population = ROOT / "examples" / "veiligheid" / "population.csv"
    sizes = (20, 30)
    # The file before the first write, before the second, and after it.
    versions = [None, *(dump_yaml(propose_quotas(population, k, tolerance=1)).encode() for k in sizes)]

    def propose(k: int, target: Path) -> Callable[[], object]:
        return lambda: write_yaml(propose_quotas(population, k, tolerance=1), target, overwrite=True)

    def run(folder: Path) -> list[Callable[[], object]]:
        folder.mkdir(parents=True, exist_ok=True)
        return [propose(k, folder / "quotas.yaml") for k in sizes]

    def finish(folder: Path, todo: list[Callable[[], object]], s: int) -> None:
        target = folder / "quotas.yaml"
        assert (target.read_bytes() if target.exists() else None) == versions[s]
        for step in todo[s:]:
            step()
        assert target.read_bytes() == versions[-1]
        assert load_quotas(target).panel_size == sizes[-1]

    counts, points = crash_at_every_write(crash_at, tmp_path, run, finish)
    assert counts == [1, 1]  # the quota writer goes through the hook: each write was crashed once
    record("crash_points_quotas", points)


def test_ledger_torn_line_is_ended_and_reported(tmp_path: Path) -> None:
    """A torn last line (from a version that appended in place) is kept, ended, and shown as a break."""
    from sortition.records import read_ledger
    from sortition.report.data import _timeline

    records.append_ledger(tmp_path, {"event": "prepare", "commitment": "c"})
    with open(tmp_path / "ledger.jsonl", "ab") as fh:
        fh.write(b'{"event": "dr')
    records.append_ledger(tmp_path, {"event": "draw", "commitment": "c", "seed": "s"})
    lines = (tmp_path / "ledger.jsonl").read_bytes().splitlines()
    assert len(lines) == 3 and json.loads(lines[2])["event"] == "draw"
    timeline, status = _timeline(read_ledger(tmp_path), "c")
    assert status == ("ledger_broken", 2)
    assert [e.step for e in timeline] == ["step_prepare", "step_draw"]


def _pseudonyms(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [row["sortition_pseudonym"] for row in csv.DictReader(fh)]


def assert_up_to_record(out: Path) -> None:
    """The private lists and the ledger say exactly what draw.json says (draw.json is the source of truth)."""
    from sortition.rules.reserve import current_state

    rec = json.loads((out / "draw.json").read_bytes())
    lottery = json.loads((out / "lottery.json").read_bytes())
    state = current_state(lottery, rec)
    assert _pseudonyms(out / "private" / "panel.csv") == list(state.panel)
    assert _pseudonyms(out / "private" / "reserves.csv") == state.unused_reserves(rec["reserves"])
    ledger = records.read_ledger(out)
    assert ledger is not None and ledger.intact
    kinds = [e.get("event") for e in ledger.entries if e.get("commitment") == rec["commitment"]]
    assert kinds.count("draw") >= 1
    assert kinds.count("replace") == len(rec["events"])


@pytest.mark.parametrize("recovery", ["report", "draw", "replace"])
def test_next_command_completes_an_interrupted_one(tmp_path: Path, recovery: str,
                                                   crash_at: Callable[[int | None], list[Path]]) -> None:
    """A crash between any two writes of draw or replace; the next command in the folder (report into it, the
    same draw again, another replacement) first rewrites the private lists from draw.json and adds the
    missing ledger lines, and says so."""
    from sortition import write_report

    def run(folder: Path) -> list[Callable[[], object]]:
        return steps(folder)

    counts = []
    for step in run(tmp_path / "count"):
        writes = crash_at(None)
        step()
        counts.append(len(writes))
    crash_at(None)
    repaired = 0
    for s in (1, 2):
        for n in range(1, counts[s] + 1):
            folder = tmp_path / f"s{s}n{n}"
            todo = run(folder)
            for done in todo[:s]:
                done()
            out = folder / "out"
            panel_before = json.loads((out / "draw.json").read_bytes())["panel"] if s == 2 else []
            crash_at(n)
            with pytest.raises(Crash):
                todo[s]()
            crash_at(None)
            if not (out / "draw.json").exists():
                continue  # crashed before the record: nothing happened, the step simply runs again
            if recovery == "report":
                write_report(out / "draw.json", fmt="md")
            elif recovery == "draw":
                result = draw(out / "lottery.json", "dice 1 2 3", published_before_seed=True)
                repaired += bool(result.warnings)
            else:
                rec = json.loads((out / "draw.json").read_bytes())
                from sortition.rules.reserve import current_state
                panel = current_state(json.loads((out / "lottery.json").read_bytes()), rec).panel
                stay = next(p for p in panel if p in panel_before[1:] or s == 1)
                result = replace(out / "draw.json", [stay])
                repaired += bool(result.warnings)
            assert_up_to_record(out)
            assert_whole(folder)
            assert verify(out / "draw.json").ok
    if recovery != "report":
        assert repaired >= 1  # at least one crash point needed a repair, and the command said so
    record(f"crash_recoveries_{recovery}", sum(counts[1:]))


def test_replace_of_someone_replaced_already_says_so(tmp_path: Path) -> None:
    """Retrying a replace whose event is in draw.json: refused with what happened, nothing written."""
    run = steps(tmp_path)
    run[0]()
    run[1]()
    out = tmp_path / "out"
    gone = json.loads((out / "draw.json").read_bytes())["panel"][0]
    replace(out / "draw.json", [gone])
    before = (out / "draw.json").read_bytes()
    with pytest.raises(InputError, match=r"dropped out already: event 1 .* Nothing was written"):
        replace(out / "draw.json", [gone])
    assert (out / "draw.json").read_bytes() == before


def test_interrupted_message_claims_nothing_untrue() -> None:
    """The old message said "Nothing was half-written" even when a replace stopped between two files."""
    for path in (ROOT / "cli").rglob("*.py"):
        assert "Nothing was half-written" not in path.read_text(encoding="utf-8"), path
