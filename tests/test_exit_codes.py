"""Issue 16: every hostile or careless input ends with its documented exit code and one line, never a traceback.

Exit codes: 0 success, 1 a verdict, 2 bad input or usage, 3 the environment, 4 an internal error (traceback
in a log file), 130 Ctrl-C. Each case below was a traceback with exit 1 before.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_world import World, build_world, invoke, no_traceback, one_line

import cli.start
import sortition
from cli.output import EXIT_CODE_DOCS, EXIT_CODES, RichProgress
from quotas import textfiles
from quotas.errors import EnvironmentProblem, InputError, SortitionError
from sortition.files import PRIVATE_FILE_MODE, atomic_write
from sortition.rfc3797 import rfc3797_value

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("world"))


def raising(code: int) -> Callable[..., Any]:
    def fail(*_args: object, **_kwargs: object) -> Any:
        raise OSError(code, os.strerror(code))
    return fail


# --- 1. exit codes ------------------------------------------------------------------------------------------


def test_every_error_class_has_one_code_and_the_docs_list_them() -> None:
    codes = {cls: code for cls, code, _ in EXIT_CODES}
    assert codes[EnvironmentProblem] == 3 and codes[SortitionError] == 2
    assert [code for code, _ in EXIT_CODE_DOCS] == [0, 1, 2, 3, 4, 130]
    cli_md = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "## Exit codes" in cli_md and "| 3 | The environment" in cli_md and "## Limits" in cli_md


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_disk_full_or_read_only_during_prepare_and_draw_is_exit_3(world: World, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    with monkeypatch.context() as m:
        m.setattr(textfiles.os, "replace", raising(code))
        out = one_line(invoke("prepare", world.pool, world.quotas, "--out", tmp_path / "p", "-a", "legacy",
                              "-m", "5", "-q"), 3, "Cannot continue")
    assert os.strerror(code).split()[0].lower() in out.lower() or "permission" in out
    folder = world.copy(world.drawn, tmp_path)
    (folder / "draw.json").unlink()
    with monkeypatch.context() as m:
        m.setattr(textfiles.os, "replace", raising(code))
        one_line(invoke("draw", folder / "lottery.json", "--seed", "dice 1 2 3"), 3, "draw.json")
    assert not list(folder.rglob("*.tmp"))


def test_permission_denied_reading_an_input_is_exit_3(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textfiles, "open", raising(errno.EACCES), raising=False)
    one_line(invoke("check", world.pool, world.quotas), 3, "permission denied")


def test_output_folder_that_is_a_file_or_dangling_link(world: World, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    one_line(invoke("prepare", world.pool, world.quotas, "--out", tmp_path / "afile", "-a", "legacy", "-q"),
             2, "is a file, not a folder")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    one_line(invoke("prepare", world.pool, world.quotas, "--out", tmp_path / "dangling", "-a", "legacy", "-q"),
             2, "symbolic link")
    one_line(invoke("prepare", world.pool, world.quotas, "--out", tmp_path / "afile" / "sub", "-a", "legacy",
                    "-q"), 2, "a part of its path is a file")


def test_lottery_json_that_is_a_folder_and_private_that_is_a_file(world: World, tmp_path: Path) -> None:
    (tmp_path / "a" / "lottery.json").mkdir(parents=True)
    one_line(invoke("prepare", world.pool, world.quotas, "--out", tmp_path / "a", "-a", "legacy", "-m", "5", "-q"),
             2, "is a folder")
    one_line(invoke("draw", tmp_path / "a" / "lottery.json", "--seed", "x"), 2, "folder")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "private").write_text("x")
    one_line(invoke("prepare", world.pool, world.quotas, "--out", tmp_path / "b", "-a", "legacy", "-q"),
             2, "private folder is a file")


def test_yaml_nested_5000_deep(world: World, tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    one_line(invoke("check", world.pool, deep), 2, "nested too deeply")
    one_line(invoke("invite", "prepare", world.register, deep, "--out", tmp_path / "i", "-q"), 2, "nested too deeply")


def test_plan_with_an_impossible_reference_date(world: World, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(world.plan.read_text().replace("2027-01-01", "2027-13-45"))
    one_line(invoke("invite", "prepare", world.register, plan, "--out", tmp_path / "i", "-q"), 2, "not a valid date")


def _edit(path: Path, change: Callable[[dict[str, Any]], Any]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _record_commands(folder: Path, panel0: str) -> list[list[object]]:
    record = folder / "draw.json"
    return [["verify", record], ["replace", record, "--dropout", panel0], ["report", record, "-o", folder / "r.md"]]


@pytest.mark.parametrize("case", ["events null", "NaN", "5000 digits", "deep nesting"])
def test_malformed_draw_record(world: World, tmp_path: Path, case: str) -> None:
    folder = world.copy(world.drawn, tmp_path)
    record = folder / "draw.json"
    panel0 = json.loads(record.read_text())["panel"][0]
    text = record.read_text().rstrip()[:-1]  # without the closing brace
    if case == "events null":
        _edit(record, lambda d: d.update(events=None))
    else:
        extra = {"NaN": "NaN", "5000 digits": "9" * 5000, "deep nesting": "[" * 100_000 + "]" * 100_000}[case]
        record.write_text(text + f', "x": {extra}}}')
    for args in _record_commands(folder, panel0):
        result = invoke(*args)
        no_traceback(result)
        if case == "events null":
            assert result.exit_code == 1, result.output  # parses, but does not verify
            assert "Verification failed" in result.output or "Does not verify" in result.output, result.output
        else:
            one_line(result, 2, "draw.json", "not JSON as sortition writes it")


@pytest.mark.parametrize("field", ["people", "settings", "probabilities", "panels", "categories"])
def test_lottery_with_a_null_field(world: World, tmp_path: Path, field: str) -> None:
    folder = world.copy(world.drawn, tmp_path)
    _edit(folder / "lottery.json", lambda d: d.update({field: None}))
    verified = invoke("verify", folder / "draw.json")
    no_traceback(verified)
    assert verified.exit_code == 1 and ("Verification failed" in verified.output
                                        or "Does not verify" in verified.output), verified.output
    reported = invoke("report", folder / "draw.json", "-o", folder / "r.html")
    no_traceback(reported)
    assert reported.exit_code in (0, 1), reported.output  # a report that shows the failed checks, or none
    (folder / "draw.json").unlink()
    drawn = invoke("draw", folder / "lottery.json", "--seed", "dice 1 2 3")
    no_traceback(drawn)
    assert drawn.exit_code in (0, 1), drawn.output  # a null field the draw itself does not need still draws


@pytest.mark.parametrize("field", ["strata", "seed", "commitment"])
def test_invitation_record_with_a_null_field(world: World, tmp_path: Path, field: str) -> None:
    folder = world.copy(world.invited, tmp_path)
    _edit(folder / "invitations.json", lambda d: d.update({field: None}))
    result = invoke("verify", folder / "invitations.json")
    no_traceback(result)
    assert result.exit_code == 1 and ("Verification failed" in result.output
                                      or "Does not verify" in result.output), result.output


#: An invitation record's fields the public files determine, each edited: (field path, edit).
RECORD_FIELD_EDITS: list[tuple[str, Callable[[dict[str, Any]], object]]] = [
    ("letters_total", lambda d: d.update(letters_total=None)),
    ("reserves_total", lambda d: d.update(reserves_total=None)),
    ("unit", lambda d: d.update(unit=None)),
    ("letters_total", lambda d: d.update(letters_total=d["letters_total"] + 1)),
    ("letters_total", lambda d: d.update(letters_total=float(d["letters_total"]))),
    ("reserves_total", lambda d: d.update(reserves_total=0)),
    ("unit", lambda d: d.update(unit="address")),
    ("strata.Noord.letters", lambda d: d["strata"]["Noord"].update(letters=99)),
    ("strata.Noord.letters", lambda d: d["strata"]["Noord"].update(letters=None)),
    ("strata.Noord.addressees", lambda d: d["strata"]["Noord"].update(addressees=[])),
]


@pytest.mark.parametrize("path, edit", RECORD_FIELD_EDITS)
def test_invitation_record_counts_and_unit_are_checked_without_the_register(
        world: World, tmp_path: Path, path: str, edit: Callable[[dict[str, Any]], object]) -> None:
    """Regression: ``letters_total: null`` (or 7 for 6, or 6.0) verified without --register; the totals, each
    stratum's ``letters``, ``unit`` and the addressee lists are now checked against the lists and the plan."""
    folder = world.copy(world.invited, tmp_path)
    _edit(folder / "invitations.json", edit)
    result = invoke("verify", folder / "invitations.json")
    no_traceback(result)
    assert result.exit_code == 1, result.output
    failed = [line for line in result.output.splitlines() if line.startswith(("✗", "Does not verify"))]
    assert failed and path in failed[0], result.output


@pytest.mark.parametrize("field", ["letters_total", "reserves_total", "unit"])
def test_invitation_plan_totals_and_unit_are_checked(world: World, tmp_path: Path, field: str) -> None:
    folder = world.copy(world.invited, tmp_path)
    _edit(folder / "invitation_plan.json",
          lambda d: d.update({field: "address" if field == "unit" else d[field] + 1}))
    result = invoke("verify", folder / "invitations.json")
    no_traceback(result)
    assert result.exit_code == 1 and f"the plan's {field}" in result.output, result.output


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-1"])
def test_time_limit_must_be_finite_and_positive(world: World, tmp_path: Path, value: str) -> None:
    one_line(invoke("prepare", world.pool, world.quotas, "--out", tmp_path / "o", "--time-limit", value, "-q"),
             2, "--time-limit")
    assert not (tmp_path / "o").exists()


def test_rfc3797_with_a_huge_pool_draws() -> None:
    result = invoke("rfc3797", "--pool-size", "100000000000000000000", "--select", "3", "--source", "1 2 3")
    no_traceback(result)
    assert result.exit_code == 0 and len(result.output.strip().splitlines()) == 4
    chosen = sortition.rfc3797_select(10**20, 3, ["1 2 3"])
    assert len(set(chosen)) == 3 and all(1 <= c <= 10**20 for c in chosen)


def test_rfc3797_without_a_list_equals_the_list_procedure() -> None:
    """The k-th remaining position, computed without the list 1..N, is the one the RFC's list gives."""
    key = sortition.rfc3797_key(["9319", "2 5 12 8 10"])
    for n in (1, 2, 7, 25, 100):
        remaining = list(range(1, n + 1))
        expected = [remaining.pop(rfc3797_value(key, j) % len(remaining)) for j in range(n)]
        assert sortition.rfc3797_select(n, n, ["9319", "2 5 12 8 10"]) == expected


def test_report_to_a_folder(world: World, tmp_path: Path) -> None:
    folder = world.copy(world.drawn, tmp_path)
    (tmp_path / "some_dir").mkdir()
    one_line(invoke("report", folder / "draw.json", "-o", tmp_path / "some_dir"), 2, "is a folder")


def test_internal_error_is_one_line_exit_4_with_a_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    secret = "Joke de Vries"  # a local variable's value must not reach the log

    def boom(pool_size: int, select: int, sources: object) -> list[int]:
        person = secret  # noqa: F841 (a local the log must not show)
        raise RuntimeError("something broke")

    monkeypatch.setattr(sortition, "rfc3797_select", boom)
    out = one_line(invoke("rfc3797", "--pool-size", "5", "--select", "1", "--source", "1"), 4,
                   "Internal error", "RuntimeError: something broke")
    logs = list((tmp_path / "cache" / "sortition").glob("sortition-error-*.log"))
    assert len(logs) == 1 and str(logs[0]) in out
    text = logs[0].read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: something broke" in text and secret not in text


def test_interrupt_in_a_command_and_at_start_up(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(*_args: object) -> list[int]:
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(sortition, "rfc3797_select", interrupted)
        one_line(invoke("rfc3797", "--pool-size", "5", "--select", "1", "--source", "1"), 130, "Interrupted")

    def import_interrupted(name: str) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.start.importlib, "import_module", import_interrupted)
    with pytest.raises(SystemExit) as exit_info:
        cli.start.main()
    assert exit_info.value.code == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Interrupted" in err


def test_usage_errors_are_exit_2() -> None:
    result = invoke("prepare")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert invoke("rfc3797", "--pool-size", "many", "--select", "1", "--source", "1").exit_code == 2


# --- 2. user text is data, never markup ---------------------------------------------------------------------


def test_bracketed_values_seeds_paths_and_hints_are_shown_as_written(world: World, tmp_path: Path) -> None:
    pool = tmp_path / "pool [final].csv"
    pool.write_text(world.pool.read_text().replace(",f,", ",Centrum [/x],"), encoding="utf-8")
    quotas = tmp_path / "q [v2].yaml"
    quotas.write_text(world.quotas.read_text().replace("    f:", "    'Centrum [/x]':"), encoding="utf-8")
    checked = invoke("check", pool, quotas)
    no_traceback(checked)
    assert checked.exit_code == 0 and "Centrum [/x]" in checked.output and "pool [final].csv" in checked.output

    out = tmp_path / "x[/2027]"
    prepared = invoke("prepare", pool, quotas, "--out", out, "-a", "legacy", "-m", "5", "-q")
    no_traceback(prepared)
    assert prepared.exit_code == 0 and "x[/2027]" in prepared.output
    assert "Commitment:" in prepared.output
    for seed in ("Lotto [/x] 1 2 3", "[lotto] 3 11 17"):
        folder = tmp_path / f"copy{len(seed)}"
        shutil.copytree(out, folder)
        drawn = invoke("draw", folder / "lottery.json", "--seed", seed)
        no_traceback(drawn)
        assert drawn.exit_code == 0, drawn.output
        verified = invoke("verify", folder / "draw.json")
        no_traceback(verified)
        assert verified.exit_code == 0 and seed in verified.output, verified.output

    one_line(invoke("check", tmp_path / "nope [final].csv", quotas), 2, "nope [final].csv")
    hh = tmp_path / "hh.yaml"
    hh.write_text("panel_size: 2\nhouseholds: 5\ncategories: {gender: {f: {min: 1, max: 1}, m: {min: 1, max: 1}}}\n")
    one_line(invoke("check", world.pool, hh), 2, "households: [street, house_number, postcode]")


# --- 3. nothing overwritten that should not be --------------------------------------------------------------


def test_report_never_overwrites_records_inputs_or_private_files(world: World, tmp_path: Path) -> None:
    folder = world.copy(world.drawn, tmp_path)
    record = folder / "draw.json"
    protected = [folder / "lottery.json", record, folder / "ledger.jsonl", folder / "private" / "salt",
                 folder / "private" / "pool.csv"]
    before = {p: p.read_bytes() for p in protected}
    for target in protected:
        for force in ((), ("--force",)):
            one_line(invoke("report", record, "-o", target, *force), 2, "never written over")
    assert {p: p.read_bytes() for p in protected} == before
    assert stat.S_IMODE((folder / "private" / "salt").stat().st_mode) == PRIVATE_FILE_MODE
    private = tmp_path / "notes.txt"  # a 0600 file anywhere counts as private
    private.write_text("mine")
    private.chmod(0o600)
    one_line(invoke("report", record, "-o", private, "--force"), 2, "private")
    other = tmp_path / "other.html"
    other.write_text("keep me")
    one_line(invoke("report", record, "-o", other), 2, "--force")
    assert other.read_text() == "keep me"
    assert invoke("report", record, "-o", other, "--force").exit_code == 0 and other.read_text() != "keep me"
    assert invoke("report", record).exit_code == 0  # the default report beside the record is derived


def test_rewritten_private_files_stay_private(tmp_path: Path) -> None:
    path = tmp_path / "secret.csv"
    atomic_write(path, b"a\n", mode=PRIVATE_FILE_MODE)
    atomic_write(path, b"b\n", overwrite=True)  # the public default mode asked for
    assert stat.S_IMODE(path.stat().st_mode) == PRIVATE_FILE_MODE and path.read_bytes() == b"b\n"


def test_temporary_files_of_an_interrupted_write_are_removed_on_the_next(tmp_path: Path) -> None:
    target = tmp_path / "lottery.json"
    dead = tmp_path / f".lottery.json.{2**22 + 7}.abcdefgh.tmp"  # above any pid_max: no such process
    old = tmp_path / ".lottery.json.1.abcdefgh.tmp"  # pid 1 lives, but the file is hours old
    running = tmp_path / f".lottery.json.{os.getpid()}.abcdefgh.tmp"  # a write in progress
    foreign = tmp_path / ".lottery.json.notes.tmp"  # not a name the tool makes
    for p in (dead, old, running, foreign):
        p.write_text("partial")
    hours_ago = time.time() - 3 * 3600
    os.utime(old, (hours_ago, hours_ago))
    atomic_write(target, b"{}\n")
    assert not dead.exists() and not old.exists()
    assert running.exists() and foreign.exists() and target.read_bytes() == b"{}\n"
    dead.write_text("partial")  # and when the next run writes the same bytes (so leaves the file as it is)
    atomic_write(target, b"{}\n")
    assert not dead.exists() and running.exists()


# --- 4. limits instead of hangs -----------------------------------------------------------------------------


def test_fifo_and_devices_are_refused_at_once(world: World, tmp_path: Path) -> None:
    fifo = tmp_path / "pool.csv"
    os.mkfifo(fifo)
    one_line(invoke("check", fifo, world.quotas), 2, "not a regular file")
    one_line(invoke("check", world.pool, fifo), 2, "not a regular file")
    fifo_yaml = tmp_path / "quotas.yaml"
    os.mkfifo(fifo_yaml)
    one_line(invoke("check", world.pool, fifo_yaml), 2, "not a regular file")
    one_line(invoke("invite", "prepare", fifo, world.plan, "--out", tmp_path / "i", "-q"), 2, "not a regular file")
    one_line(invoke("invite", "prepare", world.register, "/dev/zero", "--out", tmp_path / "i", "-q"), 2,
             "not a regular file")
    one_line(invoke("verify", fifo), 2, "not a regular file")
    one_line(invoke("verify", world.drawn / "draw.json", "--pool", fifo), 2, "not a regular file")


def test_oversized_inputs_are_refused_with_the_limit(world: World, tmp_path: Path) -> None:
    sparse = tmp_path / "pool.csv"
    with open(sparse, "wb") as fh:  # 600 MB that take no disk space: only the size is looked at
        fh.truncate(600 * 1024 * 1024)
    one_line(invoke("check", sparse, world.quotas), 2, "536,870,912")
    big_record = tmp_path / "draw.json"
    with open(big_record, "wb") as fh:
        fh.truncate(300 * 1024 * 1024)
    one_line(invoke("verify", big_record), 2, "268,435,456")


def test_panels_and_sizes_are_bounded_before_any_work(world: World, tmp_path: Path) -> None:
    one_line(invoke("prepare", world.pool, world.quotas, "--out", tmp_path / "o", "-m", "100000000", "-q"),
             2, "100,000")
    one_line(invoke("prepare", world.pool, world.quotas, "--out", tmp_path / "o", "-m", "0", "-q"), 2, "--panels")
    assert not (tmp_path / "o").exists()
    wide = tmp_path / "q.yaml"
    wide.write_text("panel_size: 100\ncategories: {gender: {f: {min: 0, max: 100}, m: {min: 0, max: 100}}}\n")
    pool = tmp_path / "pool.csv"
    pool.write_text("id,gender\n" + "".join(f"P{i},{'fm'[i % 2]}\n" for i in range(120)))
    one_line(invoke("prepare", pool, wide, "--out", tmp_path / "o", "-m", "60000", "-q"), 2, "5,000,000")
    margins = tmp_path / "population.csv"
    margins.write_text("category,value,share\ngender,f,0.5\ngender,m,0.5\n")
    one_line(invoke("quotas", "propose", "--population", margins, "-k", "2000000000", "-o", tmp_path / "big.yaml"),
             2, "1,000,000,000")
    assert not (tmp_path / "big.yaml").exists()


def test_library_errors_for_these_cases_are_sortition_errors(tmp_path: Path) -> None:
    """The library (not only the CLI) raises the classes the exit codes are mapped from."""
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError):
        atomic_write(tmp_path / "f" / "x.json", b"{}")
    with pytest.raises(InputError, match="folder"):
        atomic_write(tmp_path, b"{}")


def test_quota_writers_never_overwrite_their_input_or_a_folder(tmp_path: Path) -> None:
    source = tmp_path / "q.yaml"
    source.write_text("panel_size: 2\ncategories: {g: {f: {min: 1, max: 1}, m: {min: 1, max: 1}}}\n")
    before = source.read_bytes()
    one_line(invoke("quotas", "convert", source, "--panel-size", "2", "-o", source, "--force"), 2, "never overwritten")
    assert source.read_bytes() == before
    (tmp_path / "dir.yaml").mkdir()
    one_line(invoke("quotas", "convert", source, "--panel-size", "2", "-o", tmp_path / "dir.yaml", "--force"), 2,
             "is a folder")


def test_progress_messages_are_not_markup() -> None:
    progress = RichProgress()
    progress.enabled = True  # as on a terminal
    progress.start("reading pool [final].csv [/x]", total=2)
    progress.update(1, message="row [/b] 3")
    progress.start("next [/step]")
    progress.finish()
