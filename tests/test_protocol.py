"""prepare -> draw -> verify: the verifiable protocol end to end, through the library."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import QUOTAS

from sortition import draw, prepare, select, verify
from sortition.algorithms.base import Algorithm
from sortition.errors import InputError


def write_pool(folder: Path, *, reverse: bool = False) -> tuple[Path, Path]:
    rows = []
    for i in range(16):
        gender = "f" if i % 2 else "m"
        age = "young" if i % 3 else "old"
        rows.append(f"P{i:03d},Name{i},Street {i // 2},{i % 5},{gender},{age}")
    if reverse:
        rows.reverse()
    pool = folder / "pool.csv"
    pool.write_text("id,name,street,number,gender,age\n" + "\n".join(rows) + "\n", encoding="utf-8")
    quotas = folder / "quotas.yaml"
    quotas.write_text(QUOTAS, encoding="utf-8")
    return pool, quotas


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    return write_pool(tmp_path)


def run_legacy(pool: Path, quotas: Path, out: Path, seed: str = "dice: 3 5 1 6") -> Path:
    prep = prepare(pool, quotas, out, algorithm=Algorithm.LEGACY, legacy_runs=200, seed_source="dice")
    draw(prep.lottery_path, seed, published_before_seed=True)
    return out / "draw.json"


def test_legacy_roundtrip_verifies(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    record = run_legacy(*inputs, tmp_path / "out")
    report = verify(record, inputs=inputs)
    assert report.ok, report.failed
    data = json.loads(record.read_text())
    assert len(data["panel"]) == 4
    assert len(data["panel"]) + len(data["reserves"]) == 16
    assert data["format"] == "sortition-draw/1"


def test_same_seed_is_idempotent_other_seed_refused(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    record = run_legacy(*inputs, out)
    before = record.read_bytes()
    draw(out / "lottery.json", "dice: 3 5 1 6", published_before_seed=True)
    assert record.read_bytes() == before
    with pytest.raises(InputError, match="one draw per commitment"):
        draw(out / "lottery.json", "dice: 6 6 6 6", published_before_seed=True)
    assert record.read_bytes() == before


def test_public_files_hold_no_personal_data(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_legacy(*inputs, out)
    public = b"".join((out / f).read_bytes() for f in ("lottery.json", "draw.json", "report.md", "ledger.jsonl"))
    for secret in (b"Name3", b"Street 1", b"P003"):
        assert secret not in public
    assert oct((out / "private").stat().st_mode & 0o777) == "0o700"
    assert oct((out / "private" / "panel.csv").stat().st_mode & 0o777) == "0o600"


def test_row_order_does_not_matter(tmp_path: Path) -> None:
    """Shuffled rows change only the pool file's hash: people, panels and probabilities stay the same."""
    lotteries = []
    for name, reverse in (("a", False), ("b", True)):
        d = tmp_path / name
        (d / "out" / "private").mkdir(parents=True)
        (d / "out" / "private" / "salt").write_text("00" * 32 + "\n")  # same salt -> same pseudonyms
        pool, quotas = write_pool(d, reverse=reverse)
        prepare(pool, quotas, d / "out", algorithm=Algorithm.LEGACY, legacy_runs=200)
        lotteries.append(json.loads((d / "out" / "lottery.json").read_text()))
    a, b = lotteries
    assert a.pop("inputs") != b.pop("inputs")
    assert a == b


def test_same_draw_in_other_processes(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    """Different PYTHONHASHSEEDs, separate processes: byte-identical public files."""
    script = (
        "import sys; from sortition import select; from sortition.algorithms.base import Algorithm;"
        "select(sys.argv[1], sys.argv[2], 'seed 42', sys.argv[3], algorithm=Algorithm.LEGACY, legacy_runs=100)"
    )
    outputs = []
    for hashseed in ("0", "12345"):
        out = tmp_path / f"run{hashseed}"
        (out / "private").mkdir(parents=True)
        (out / "private" / "salt").write_text("ab" * 32 + "\n")
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        subprocess.run([sys.executable, "-c", script, str(inputs[0]), str(inputs[1]), str(out)],
                       check=True, env=env)
        # The report's timeline shows the ledger's wall-clock times; everything else must be identical.
        report = re.sub(rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", b"TIME", (out / "report.md").read_bytes())
        outputs.append((*((out / f).read_bytes() for f in ("lottery.json", "draw.json")), report))
    assert outputs[0] == outputs[1]


def test_select_is_marked_as_not_committed(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    result = select(*inputs, "practice", tmp_path / "out", algorithm=Algorithm.LEGACY, legacy_runs=100)
    data = json.loads(result.draw_path.read_text())
    assert data["commitment_published_before_seed"] is False
    assert verify(result.draw_path).ok


def test_existing_lottery_not_overwritten(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    prepare(*inputs, out, algorithm=Algorithm.LEGACY, legacy_runs=100)
    with pytest.raises(InputError, match="--force"):
        prepare(*inputs, out, algorithm=Algorithm.LEGACY, legacy_runs=101)


def test_time_limit_gives_a_valid_lottery_and_says_so(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    result = prepare(*inputs, tmp_path / "out", time_limit=1e-9, panels=50)
    assert any("time limit" in w for w in result.warnings)
    lottery = json.loads(result.lottery_path.read_text())
    assert lottery["statistics"]["time_limit_reached"] == 1
    assert lottery["settings"]["time_limit_seconds"] == 1e-9
    draw(result.lottery_path, "seed", published_before_seed=True)
    assert verify(tmp_path / "out" / "draw.json").ok


def test_time_limit_leaves_a_tenth_for_rounding(inputs: tuple[Path, Path], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The final LP and the rounding come after the algorithm: it gets 90% of --time-limit."""
    import sortition.algorithms as algorithms

    seen: list[float | None] = []
    real = algorithms.find_distribution

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(kwargs.get("time_limit"))
        return real(*args, **kwargs)

    monkeypatch.setattr(algorithms, "find_distribution", recording)
    prepare(*inputs, tmp_path / "out", time_limit=50.0, panels=50)
    assert seen == [pytest.approx(45.0)]


# ------------------------------------------------------------------ all or nothing, what draw and verify say (issue 15)

def _cli(*args: object) -> tuple[int, str]:
    from typer.testing import CliRunner

    from cli.app import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def _listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_bad_arguments_fail_before_the_first_write(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    """draw --lang fr used to use up the draw and then fail; replace --lang fr recorded the event first."""
    out = tmp_path / "out"
    prep = prepare(*inputs, out, algorithm=Algorithm.LEGACY, legacy_runs=100)
    before = _listing(out)
    code, text = _cli("draw", prep.lottery_path, "--seed", "dice 1", "--lang", "fr")
    assert code == 2 and "fr" in text
    assert _listing(out) == before and not (out / "draw.json").exists()
    draw(prep.lottery_path, "dice 1", published_before_seed=True)
    member = json.loads((out / "draw.json").read_bytes())["panel"][0]
    before = _listing(out)
    code, text = _cli("replace", out / "draw.json", "--dropout", member, "--lang", "fr")
    assert code == 2
    assert _listing(out) == before
    code, text = _cli("replace", out / "draw.json", "--dropout", member)  # a retry works
    assert code == 0, text


def test_draw_prints_seed_record_hash_and_verify_command(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    import hashlib

    prep = prepare(*inputs, tmp_path / "out", algorithm=Algorithm.LEGACY, legacy_runs=100)
    code, text = _cli("draw", prep.lottery_path, "--seed", "  Lotto 2027\u201301\u201309: 3 11 17 ")
    assert code == 0, text
    record_file = tmp_path / "out" / "draw.json"
    stored = json.loads(record_file.read_bytes())["seed"]
    sha = hashlib.sha256(record_file.read_bytes()).hexdigest()
    flat = " ".join(text.split())
    assert "Lotto 2027\\u201301\\u201309: 3 11 17" in flat  # the seed as stored, look-alikes escaped
    assert stored == "Lotto 2027\u201301\u201309: 3 11 17"
    assert f"Record SHA-256: {sha}" in flat
    assert f"sortition verify {record_file} --commitment {prep.commitment}" in flat


def test_verify_says_what_the_auditor_must_still_compare(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    record_file = run_legacy(*inputs, tmp_path / "out")
    commitment = hashlib_file(tmp_path / "out" / "lottery.json")
    code, text = _cli("verify", record_file)
    flat = " ".join(text.split())
    assert code == 0
    assert f"Commitment: SHA-256 of the committed file = {commitment}" in flat
    assert "Compare the commitment printed above with the one the organiser published" in flat
    assert "before the seed existed" in flat
    assert "published before the seed existed (a public draw)" in flat
    assert "after the last replacement" not in flat  # no replacements: no such reminder
    code, text = _cli("verify", record_file, "--commitment", commitment)
    flat = " ".join(text.split())
    assert code == 0 and "commitment is the published one" in flat
    assert "Compare the commitment printed above" not in flat
    code, text = _cli("verify", record_file, "--commitment", "1" * 64)
    assert code == 1 and "Verification failed: commitment is the published one" in " ".join(text.split())


def hashlib_file(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_draw_json_output_has_record_hash_and_verify_command(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    prep = prepare(*inputs, tmp_path / "out", algorithm=Algorithm.LEGACY, legacy_runs=100)
    code, text = _cli("draw", prep.lottery_path, "--seed", "dice 2", "--json")
    assert code == 0, text
    out = json.loads(text)
    assert out["record_sha256"] == hashlib_file(tmp_path / "out" / "draw.json")
    assert out["verify_command"].endswith(f"--commitment {prep.commitment}")
