"""A seed nobody can choose: prepare commits to a drand round, draw checks it, verify re-checks it offline.

Small legacy lotteries keep this fast. The draws use the valid quicknet round of
../shared/vectors/drand_quicknet.json (skipped when absent); that round is in the past, so those lotteries
are prepared with --allow-past-round, which verify and the reports must then state.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_protocol import write_pool
from typer.testing import CliRunner
from verifier_node import node_verifier

import sortition.commands.prepare as prepare_module
from cli.app import app
from quotas.errors import InputError, VerificationError
from sortition import draw, prepare, replace, select, verify
from sortition.algorithms.base import Algorithm
from sortition.beacon import QUICKNET_ROUND_URL, round_at, round_time
from sortition.files import canonical_json
from sortition.i18n import text
from sortition.rules.verification import BEACON_CHECK

ROOT = Path(__file__).resolve().parents[1]
VECTORS = ROOT.parent / "shared" / "vectors" / "drand_quicknet.json"
FUTURE_ROUND = 27946612  # published 2026-04-20 00:00:00 UTC; the tests set the clock around it
FUTURE_TIME = "2026-04-20 02:00 Europe/Amsterdam"  # the same moment, as an official writes it
runner = CliRunner()


def run(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def set_clock(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    monkeypatch.setattr(prepare_module, "_now", lambda: when)


def legacy(pool: Path, quotas: Path, out: Path, **options: Any) -> Any:
    return prepare(pool, quotas, out, algorithm=Algorithm.LEGACY, legacy_runs=100, **options)


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    return write_pool(tmp_path)


@pytest.fixture(scope="module")
def valid_round() -> dict[str, Any]:
    if not VECTORS.is_file():
        pytest.skip(f"the drand quicknet vectors are not beside the repository ({VECTORS} is absent)")
    data: dict[str, Any] = json.loads(VECTORS.read_text(encoding="utf-8"))["valid_rounds"][0]
    return data


@pytest.fixture
def round_file(tmp_path: Path, valid_round: dict[str, Any]) -> Path:
    path = tmp_path / "round.json"
    path.write_text(json.dumps(valid_round), encoding="utf-8")
    return path


@pytest.fixture
def past_lottery(inputs: tuple[Path, Path], tmp_path: Path, valid_round: dict[str, Any]) -> Path:
    """A lottery committed to the vector round (in the past: practice, --allow-past-round)."""
    return Path(legacy(*inputs, tmp_path / "out", drand_round=valid_round["round"], allow_past_round=True)
                .lottery_path)


# --- prepare ---------------------------------------------------------------------------------------------


def test_prepare_commits_a_future_round(inputs: tuple[Path, Path], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    set_clock(monkeypatch, round_time(FUTURE_ROUND) - timedelta(days=3))
    result = legacy(*inputs, tmp_path / "out", drand_at=FUTURE_TIME)
    lottery = json.loads(result.lottery_path.read_bytes())
    assert lottery["seed_beacon"] == {
        "beacon": "drand-quicknet",
        "chain_hash": "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
        "round": FUTURE_ROUND,
        "round_published_at": "2026-04-20T00:00:00Z",
        "past_round_allowed": False,
    }
    assert f"round {FUTURE_ROUND}" in lottery["seed_source"]
    assert "2026-04-20 00:00:00 UTC" in lottery["seed_source"]
    assert "proves nothing" not in lottery["seed_source"]
    assert result.seed_beacon is not None and result.seed_beacon.round == FUTURE_ROUND


def test_prepare_refuses_a_published_round_before_writing(inputs: tuple[Path, Path], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    set_clock(monkeypatch, round_time(FUTURE_ROUND) + timedelta(seconds=1))
    with pytest.raises(InputError, match="already published"):
        legacy(*inputs, tmp_path / "out", drand_round=FUTURE_ROUND)
    assert not (tmp_path / "out" / "lottery.json").exists()
    allowed = legacy(*inputs, tmp_path / "practice", drand_round=FUTURE_ROUND, allow_past_round=True)
    lottery = json.loads(allowed.lottery_path.read_bytes())
    assert lottery["seed_beacon"]["past_round_allowed"] is True
    assert "proves nothing" in lottery["seed_source"]


def test_rerun_after_the_round_is_out_reproduces_without_the_flag(inputs: tuple[Path, Path], tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    set_clock(monkeypatch, round_time(FUTURE_ROUND) - timedelta(hours=1))
    first = legacy(*inputs, out, drand_round=FUTURE_ROUND)
    original = first.lottery_path.read_bytes()
    set_clock(monkeypatch, round_time(FUTURE_ROUND) + timedelta(days=1))
    again = legacy(*inputs, out, drand_round=FUTURE_ROUND)  # the identical file: a harmless re-run
    assert again.commitment == first.commitment
    assert first.lottery_path.read_bytes() == original
    with pytest.raises(InputError, match="already published"):  # anything else is a new commitment: refused
        prepare(*inputs, out, algorithm=Algorithm.LEGACY, legacy_runs=101, drand_round=FUTURE_ROUND, force=True)
    assert first.lottery_path.read_bytes() == original


def test_prepare_option_conflicts(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not both"):
        legacy(*inputs, tmp_path / "a", drand_round=FUTURE_ROUND, drand_at=FUTURE_TIME)
    with pytest.raises(InputError, match="needs --drand-round"):
        legacy(*inputs, tmp_path / "b", allow_past_round=True)
    with pytest.raises(InputError, match="seed-source"):
        legacy(*inputs, tmp_path / "c", drand_round=10**8, seed_source="Lotto")
    with pytest.raises(InputError, match="time zone"):
        legacy(*inputs, tmp_path / "d", drand_at="2027-03-01 20:00")
    assert not any((tmp_path / d / "lottery.json").exists() for d in "abcd")


def test_cli_prepare_prints_the_round_url_and_time(inputs: tuple[Path, Path], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    set_clock(monkeypatch, round_time(FUTURE_ROUND) - timedelta(days=3))
    code, out = run("prepare", *inputs, "--out", tmp_path / "out", "-a", "legacy", "--drand-at", FUTURE_TIME, "-q")
    assert code == 0, out
    flat = " ".join(out.split())
    assert QUICKNET_ROUND_URL.format(round=FUTURE_ROUND) in out
    assert "2026-04-20 00:00:00 UTC" in flat
    assert "--beacon" in flat
    code, out = run("prepare", *inputs, "--out", tmp_path / "both", "-a", "legacy", "--drand-at", FUTURE_TIME,
                    "--drand-round", FUTURE_ROUND)
    assert code == 2 and "not both" in out


def test_round_at_of_the_official_time_is_the_round() -> None:
    assert round_at(prepare_module.parse_time(FUTURE_TIME)) == FUTURE_ROUND


# --- draw ------------------------------------------------------------------------------------------------


def test_draw_with_the_vector_round(past_lottery: Path, round_file: Path, valid_round: dict[str, Any]) -> None:
    result = draw(past_lottery, beacon=round_file, published_before_seed=True)
    record = json.loads(result.draw_path.read_bytes())
    assert record["seed"] == valid_round["randomness"]
    assert record["beacon"] == valid_round
    report = verify(result.draw_path)
    assert report.ok, report.checks
    beacon_check = next(c for c in report.checks if c.name == BEACON_CHECK)
    assert "2023-08-23 15:15:33 UTC" in beacon_check.detail
    assert "proves nothing" in beacon_check.detail  # the past-round flag, stated plainly
    assert draw(past_lottery, beacon=round_file,
                published_before_seed=True).draw_path.read_bytes() == result.draw_path.read_bytes()


def test_reports_state_the_round_and_the_past_flag(past_lottery: Path, round_file: Path) -> None:
    result = draw(past_lottery, beacon=round_file, report_lang="en", published_before_seed=True)
    md = (result.folder / "report.md").read_text(encoding="utf-8")
    assert "round 123" in md and "2023-08-23 15:15:33 UTC" in md
    assert text("past_round_yes", "en") in md
    code, out = run("report", result.draw_path, "--format", "md", "--lang", "nl", "-o", result.folder / "nl.md")
    assert code == 0, out
    nl = (result.folder / "nl.md").read_text(encoding="utf-8")
    assert "ronde 123" in nl and text("past_round_yes", "nl") in nl


def test_cli_draw_and_verify_state_the_past_round(past_lottery: Path, round_file: Path) -> None:
    code, out = run("draw", past_lottery, "--beacon", round_file)
    assert code == 0, out
    assert "fb8f7bc29bf24db51871ec8c79f3a1e4bd0557bc0dfcee9ed1d924e69d1c60dc" in out
    code, out = run("verify", past_lottery.parent / "draw.json")
    assert code == 0, out
    flat = " ".join(out.split())
    assert BEACON_CHECK in flat and "2023-08-23 15:15:33 UTC" in flat and "proves nothing" in flat


def forged(valid_round: dict[str, Any], **change: Any) -> dict[str, Any]:
    beacon = {**valid_round, **change}
    if "signature" in change and "randomness" not in change:  # a careful forger keeps the randomness consistent
        beacon["randomness"] = hashlib.sha256(bytes.fromhex(beacon["signature"])).hexdigest()
    return beacon


@pytest.mark.parametrize("change", [
    {"signature": "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc93"},
    {"randomness": "00" * 32},
    {"round": 124},
])
def test_forged_or_other_round_is_refused_with_nothing_written(past_lottery: Path, tmp_path: Path,
                                                               valid_round: dict[str, Any],
                                                               change: dict[str, Any]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(forged(valid_round, **change)), encoding="utf-8")
    with pytest.raises(VerificationError):
        draw(past_lottery, beacon=bad, published_before_seed=True)
    code, out = run("draw", past_lottery, "--beacon", bad)
    assert code == 1, out
    assert "Does not verify" in out
    assert not (past_lottery.parent / "draw.json").exists()
    assert not (past_lottery.parent / "private" / "panel.csv").exists()


def test_unreadable_beacon_file_is_bad_input(past_lottery: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("<html>Not found</html>", encoding="utf-8")
    code, out = run("draw", past_lottery, "--beacon", bad)
    assert code == 2 and "not valid JSON" in out
    assert not (past_lottery.parent / "draw.json").exists()


def test_seed_and_beacon_do_not_mix(past_lottery: Path, round_file: Path, inputs: tuple[Path, Path],
                                    tmp_path: Path) -> None:
    code, out = run("draw", past_lottery, "--seed", "Lotto 3 11 17")
    assert code == 2 and "drand round 123" in " ".join(out.split()), out
    code, out = run("draw", past_lottery, "--seed", "x", "--beacon", round_file)
    assert code == 2 and "not both" in out
    assert not (past_lottery.parent / "draw.json").exists()
    plain = legacy(*inputs, tmp_path / "plain", seed_source="dice")
    code, out = run("draw", plain.lottery_path, "--beacon", round_file)
    assert code == 2 and "no drand round" in out
    code, out = run("draw", plain.lottery_path)
    assert code == 2 and "no seed" in out
    assert not (tmp_path / "plain" / "draw.json").exists()


def test_verify_detects_an_edited_beacon(past_lottery: Path, round_file: Path, valid_round: dict[str, Any]) -> None:
    record_path = draw(past_lottery, beacon=round_file, published_before_seed=True).draw_path
    original = json.loads(record_path.read_bytes())
    other_sig = forged(valid_round, signature=valid_round["signature"][:-1] + "3")
    edits = {
        "signature": lambda r: r["beacon"].update(signature=other_sig["signature"],
                                                  randomness=other_sig["randomness"]),
        "round": lambda r: r["beacon"].update(round=124),
        "removed": lambda r: r.pop("beacon"),
        "extra field": lambda r: r["beacon"].update(note="x"),
    }
    for what, edit in edits.items():
        record = json.loads(json.dumps(original))
        edit(record)
        record_path.write_bytes(canonical_json(record))
        report = verify(record_path)
        assert not report.ok, what
        failed = {c.name for c in report.checks if not c.passed}
        assert failed & {BEACON_CHECK, "panel and reserves recomputed from commitment + seed"}, (what, failed)
    record_path.write_bytes(canonical_json(original))
    assert verify(record_path).ok


def test_verify_detects_a_lottery_stripped_of_its_beacon(past_lottery: Path, round_file: Path) -> None:
    record_path = draw(past_lottery, beacon=round_file, published_before_seed=True).draw_path
    record = json.loads(record_path.read_bytes())
    record.pop("beacon")
    record_path.write_bytes(canonical_json(record))
    report = verify(record_path)
    check = next(c for c in report.checks if c.name == BEACON_CHECK)
    assert not check.passed and "holds no beacon" in check.detail


def test_select_with_a_past_round(inputs: tuple[Path, Path], tmp_path: Path, round_file: Path,
                                  valid_round: dict[str, Any]) -> None:
    result = select(*inputs, None, tmp_path / "out", beacon=round_file, algorithm=Algorithm.LEGACY,
                    legacy_runs=100, drand_round=valid_round["round"], allow_past_round=True)
    assert result.outcome.seed == valid_round["randomness"]
    assert verify(result.draw_path).ok
    with pytest.raises(InputError, match="exactly one"):
        select(*inputs, "seed", tmp_path / "both", beacon=round_file, drand_round=valid_round["round"])
    assert not (tmp_path / "both").exists()
    code, out = run("select", *inputs, "--out", tmp_path / "cli", "-a", "legacy", "-q", "--drand-round",
                    valid_round["round"], "--allow-past-round", "--beacon", round_file)
    assert code == 0, out
    assert valid_round["randomness"] in out
    code, out = run("select", *inputs, "--out", tmp_path / "none", "-a", "legacy", "-q")
    assert code == 2 and "exactly one" in out


# --- seeds that look alike -------------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "named"), [
    ("Lotto 3 11 17\u200b", "U+200B ZERO WIDTH SPACE at position 14"),
    ("Lotto \u202e71 11 3", "U+202E RIGHT-TO-LEFT OVERRIDE at position 7"),
])
def test_invisible_seed_characters_are_refused_at_the_cli(inputs: tuple[Path, Path], tmp_path: Path, seed: str,
                                                          named: str) -> None:
    plain = legacy(*inputs, tmp_path / "plain", seed_source="Lotto")
    code, out = run("draw", plain.lottery_path, "--seed", seed)
    assert code == 2, out
    assert named in " ".join(out.split())
    assert not (tmp_path / "plain" / "draw.json").exists()
    code, out = run("select", *inputs, "--seed", seed, "--out", tmp_path / "sel", "-a", "legacy", "-q")
    assert code == 2 and named in " ".join(out.split())
    assert not (tmp_path / "sel").exists()


def test_seed_markup_is_shown_as_text(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    plain = legacy(*inputs, tmp_path / "plain", seed_source="Lotto")
    code, out = run("draw", plain.lottery_path, "--seed", "[red]Lotto[/] 3 11 17")
    assert code == 0, out
    assert "[red]Lotto[/] 3 11 17" in " ".join(out.split()), out
    code, out = run("verify", tmp_path / "plain" / "draw.json")
    assert code == 0 and "[red]Lotto[/] 3 11 17" in " ".join(out.split()), out


# --- the reference verifier (standard library only) ------------------------------------------------------


def reference_verifier() -> Any:
    spec = importlib.util.spec_from_file_location("reference_verifier", ROOT / "docs" / "reference_verifier.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_verifier_checks_what_the_standard_library_can(past_lottery: Path, round_file: Path) -> None:
    record_path = draw(past_lottery, beacon=round_file, published_before_seed=True).draw_path
    lottery, record = json.loads(past_lottery.read_bytes()), json.loads(record_path.read_bytes())
    lines, good = reference_verifier().check_beacon(lottery, record)
    assert good, lines
    joined = "\n".join(lines)
    assert "ok   beacon randomness = SHA-256(signature)" in joined
    assert "NOT CHECKED the round's BLS signature" in joined
    assert "2023-08-23 15:15:33 UTC" in joined and "proves nothing" in joined
    record["beacon"]["randomness"] = "00" * 32
    record["seed"] = "00" * 32
    lines, good = reference_verifier().check_beacon(lottery, record)
    assert not good and "FAIL beacon randomness = SHA-256(signature)" in lines
    del record["beacon"]
    assert reference_verifier().check_beacon(lottery, record) == (["FAIL beacon: the record holds no round"], False)


def test_reference_verifier_check_draw_with_a_beacon(inputs: tuple[Path, Path], tmp_path: Path, round_file: Path,
                                                      valid_round: dict[str, Any]) -> None:
    prep = prepare(*inputs, tmp_path / "out", algorithm=Algorithm.MAXIMIN, panels=10,
                   drand_round=valid_round["round"], allow_past_round=True)
    record_path = draw(prep.lottery_path, beacon=round_file, published_before_seed=True).draw_path
    done = subprocess.run([sys.executable, str(ROOT / "docs" / "reference_verifier.py"), "check-draw",
                           str(prep.lottery_path), str(record_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok   seed = beacon randomness" in done.stdout and "NOT CHECKED" in done.stdout


def test_replacement_keeps_the_beacon_and_verifies(past_lottery: Path, round_file: Path,
                                                   valid_round: dict[str, Any]) -> None:
    result = draw(past_lottery, beacon=round_file, published_before_seed=True)
    replaced = replace(result.draw_path, [result.outcome.panel[0]], allow_quota_break=True)
    record = json.loads(replaced.draw_path.read_bytes())
    assert record["beacon"] == valid_round and len(record["events"]) == 1
    assert verify(replaced.draw_path, record_sha256=replaced.record_sha256).ok
    # a re-run keeps the replacement and the beacon
    again = draw(past_lottery, beacon=round_file, published_before_seed=True)
    assert again.draw_path.read_bytes() == replaced.draw_path.read_bytes()


# --- the verifier page (JavaScript, in Node.js) ----------------------------------------------------------


@pytest.fixture(scope="module")
def js() -> Iterator[Any]:
    yield from node_verifier()


def test_verifier_page_accepts_the_beacon_field_and_refuses_an_added_one(
        js: Any, inputs: tuple[Path, Path], tmp_path: Path, round_file: Path, valid_round: dict[str, Any]) -> None:
    prep = prepare(*inputs, tmp_path / "out", algorithm=Algorithm.MAXIMIN, panels=10,
                   drand_round=valid_round["round"], allow_past_round=True)
    record_path = draw(prep.lottery_path, beacon=round_file, published_before_seed=True).draw_path
    lottery = prep.lottery_path.read_bytes()
    result = js.verify(lottery, record_path.read_bytes(), commitment=prep.commitment)
    # The page checks the committed round, randomness = SHA-256(signature) = seed; the BLS signature needs the CLI.
    assert result["verdict"] == "incomplete", result["checks"]
    assert [(c["id"], c["key"]) for c in result["checks"] if c["status"] == "cli"] == [("beacon", "beacon_cli_past")]
    assert {c["status"] for c in result["checks"] if c["id"] != "beacon"} <= {"pass", "note"}
    assert any(c["id"] == "seed" and c["status"] == "note" for c in result["checks"])
    record = json.loads(record_path.read_bytes())
    record["note"] = "added"
    result = js.verify(lottery, canonical_json(record), commitment=prep.commitment)
    assert result["verdict"] == "failed"
