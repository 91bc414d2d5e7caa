"""Privacy: a whole run on an example with names, e-mails and streets leaks none of them.

Panel draw (prepare, draw, replace, report in both languages) and invitations (prepare, draw) on
examples/veiligheid; every public file, the CLI's output and the log at the default level (WARNING) are
scanned for every name, e-mail, street, postcode and id. Private files are 0600 in a 0700 folder.
"""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from conftest import personal_pattern, personal_values
from typer.testing import CliRunner

from cli.app import app
from sortition import prepare
from sortition.algorithms.base import Algorithm

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "veiligheid"
POOL_COLUMNS = ("id", "voornaam", "achternaam", "email", "straat", "postcode")
REGISTER_COLUMNS = ("person_id", "voornaam", "achternaam", "postcode")


@pytest.fixture(scope="module")
def secrets() -> set[str]:
    values = personal_values(EXAMPLE / "pool.csv", POOL_COLUMNS, joined=("straat", "huisnummer"))
    values |= personal_values(EXAMPLE / "register.csv", REGISTER_COLUMNS)
    assert len(values) > 3000
    return values


def run(args: list[str]) -> str:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_no_personal_data_in_public_files_output_or_log(tmp_path: Path, secrets: set[str],
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    out, letters = tmp_path / "panel", tmp_path / "letters"
    texts: dict[str, str] = {}
    prep = prepare(EXAMPLE / "pool.csv", EXAMPLE / "quotas.yaml", out, algorithm=Algorithm.LEGACY,
                   legacy_runs=200, seed_source="dice")
    texts["prepare warnings"] = "\n".join(prep.warnings)
    texts["draw output"] = run(["draw", str(prep.lottery_path), "--seed", "dice 3 1 4"])
    import json

    member = json.loads((out / "draw.json").read_text())["panel"][0]
    texts["replace output"] = run(["replace", str(out / "draw.json"), "--dropout", member, "--lang", "en"])
    texts["verify output"] = run(["verify", str(out / "draw.json")])
    for lang in ("nl", "en"):
        for fmt in ("html", "md"):
            target = tmp_path / f"report-{lang}.{fmt}"
            texts[f"report command {lang}"] = run(["report", str(out / "draw.json"), "--format", fmt,
                                                   "--lang", lang, "-o", str(target)])
    texts["invite prepare output"] = run(["invite", "prepare", str(EXAMPLE / "register.csv"),
                                          str(EXAMPLE / "plan.yaml"), "--out", str(letters)])
    texts["invite draw output"] = run(["invite", "draw", str(letters / "invitation_plan.json"), "--register",
                                       str(EXAMPLE / "register.csv"), "--seed", "dice 6 6"])
    texts["invite verify output"] = run(["verify", str(letters / "invitations.json"), "--register",
                                         str(EXAMPLE / "register.csv")])
    public = [p for p in (*out.iterdir(), *letters.iterdir(), *tmp_path.glob("report-*")) if p.is_file()]
    assert {p.name for p in public} >= {"lottery.json", "draw.json", "report.html", "report.md", "ledger.jsonl",
                                        "invitation_plan.json", "invitations.json"}
    for p in public:
        texts[str(p.relative_to(tmp_path))] = p.read_text(encoding="utf-8")
    texts["log"] = caplog.text
    pattern = personal_pattern(secrets)
    assert pattern.search("Bel x " + sorted(secrets)[7] + ", y"), "the scan must find a planted value"
    for where, text in texts.items():
        found = pattern.findall(text)
        assert not found, f"{where} holds personal data: {found[:5]}"
    # Private files: 0600 each, in a 0700 folder, for the panel draw and the invitations.
    for folder in (out / "private", letters / "private"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        files = list(folder.iterdir())
        assert len(files) >= 2
        for f in files:
            assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    assert {f.name for f in (out / "private").iterdir()} >= {"panel.csv", "reserves.csv", "pool.csv", "salt"}
    assert {f.name for f in (letters / "private").iterdir()} >= {"invitations.csv", "invite_reserves.csv", "salt"}
