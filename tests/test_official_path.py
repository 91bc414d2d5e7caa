"""The official's path: refusals before any work, swapped arguments, idempotent redraws, 80-column output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import QUOTAS
from typer.testing import CliRunner

import sortition.commands.prepare as prepare_module
import sortition.invite.commands as invite_commands
from cli.app import app
from quotas.errors import InputError
from sortition import Algorithm, draw, invite, prepare

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
LEGACY = {"algorithm": Algorithm.LEGACY, "legacy_runs": 50}


def run(*args: object, width: int = 80) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": str(width), "NO_COLOR": "1"})
    return result.exit_code, result.output


def small_inputs(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [f"P{i:03d},Name{i},Street {i // 2},{i % 5},{'f' if i % 2 else 'm'},{'young' if i % 3 else 'old'}"
            for i in range(16)]
    (folder / "pool.csv").write_text("id,name,street,number,gender,age\n" + "\n".join(rows) + "\n",
                                     encoding="utf-8")
    (folder / "quotas.yaml").write_text(QUOTAS, encoding="utf-8")
    return folder / "pool.csv", folder / "quotas.yaml"


@pytest.fixture
def no_computation(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the long computation ran before the folder was checked")

    monkeypatch.setattr(prepare_module, "_distribution", fail)


def test_prepare_refuses_a_drawn_folder_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pool, quotas = small_inputs(tmp_path)
    prep = prepare(pool, quotas, tmp_path / "out", **LEGACY)
    draw(prep.lottery_path, "seed", published_before_seed=True)
    before = prep.lottery_path.read_bytes()

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the pool was read before the folder was checked")

    monkeypatch.setattr(prepare_module, "_load_inputs", fail)
    for force in (False, True):
        with pytest.raises(InputError, match="drawn; it is never replaced"):
            prepare(pool, quotas, tmp_path / "out", force=force, **LEGACY)
    assert prep.lottery_path.read_bytes() == before
    code, out = run("prepare", pool, quotas, "--out", tmp_path / "out", "--force", "-a", "legacy")
    assert code == 2 and "never replaced" in out


def test_prepare_refuses_another_lottery_before_computing(tmp_path: Path, no_computation: None) -> None:
    pool, quotas = small_inputs(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "lottery.json").write_text(json.dumps({"format": "sortition-lottery/1"}))
    with pytest.raises(InputError, match="other inputs or settings") as err:
        prepare(pool, quotas, tmp_path / "out", **LEGACY)
    assert "--force" in str(err.value)


def test_prepare_again_with_the_same_inputs_is_harmless(tmp_path: Path) -> None:
    """After a crash, prepare runs again in the same folder: the salt is kept, so the lottery is the same."""
    pool, quotas = small_inputs(tmp_path)
    first = prepare(pool, quotas, tmp_path / "out", **LEGACY)
    again = prepare(pool, quotas, tmp_path / "out", **LEGACY)
    assert again.commitment == first.commitment
    with pytest.raises(InputError, match="--force"):
        prepare(pool, quotas, tmp_path / "out", algorithm=Algorithm.LEGACY, legacy_runs=51)
    forced = prepare(pool, quotas, tmp_path / "out", algorithm=Algorithm.LEGACY, legacy_runs=51, force=True)
    assert forced.commitment != first.commitment


def invite_inputs(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("register.csv", "plan.yaml"):
        shutil.copy(EXAMPLES / "schalkwijk-trees" / name, folder / name)
    return folder / "register.csv", folder / "plan.yaml"


def test_invite_prepare_checks_the_folder_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    register, plan = invite_inputs(tmp_path / "in")
    prep = invite.prepare_invitations(register, plan, tmp_path / "letters")
    invite.prepare_invitations(register, plan, tmp_path / "letters")  # the same inputs again: harmless
    invite.draw_invitations(prep.plan_path, register, "seed")

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the register was read before the folder was checked")

    monkeypatch.setattr(invite_commands, "read_register", fail)
    for force in (False, True):
        with pytest.raises(InputError, match="drawn already; their plan is never replaced"):
            invite.prepare_invitations(register, plan, tmp_path / "letters", force=force)
    other = tmp_path / "other"
    other.mkdir()
    (other / "invitation_plan.json").write_text("{}")
    with pytest.raises(InputError, match="--force"):
        invite.prepare_invitations(register, plan, other)


def test_a_same_seed_redraw_adds_nothing_to_the_ledger(tmp_path: Path) -> None:
    pool, quotas = small_inputs(tmp_path)
    prep = prepare(pool, quotas, tmp_path / "out", **LEGACY)
    draw(prep.lottery_path, "seed", published_before_seed=True)
    ledger = tmp_path / "out" / "ledger.jsonl"
    before = ledger.read_bytes()
    again = draw(prep.lottery_path, "seed", published_before_seed=True)
    assert ledger.read_bytes() == before
    # After a replacement the record changed; drawing again (e.g. to rewrite the lists) still adds nothing.
    from sortition import replace

    replace(again.draw_path, again.outcome.panel[0])
    after_replace = ledger.read_bytes()
    draw(prep.lottery_path, "seed", published_before_seed=True)
    assert ledger.read_bytes() == after_replace
    # A draw whose ledger line was lost (a crash between the two writes) gets it on the re-run.
    lines = before.splitlines(keepends=True)
    ledger.write_bytes(b"".join(lines[:-1]))
    (tmp_path / "out" / "draw.json").write_bytes(json.dumps(json.loads(
        (tmp_path / "out" / "draw.json").read_text()) | {"events": []}, sort_keys=True, ensure_ascii=False,
        indent=1).encode() + b"\n")
    draw(prep.lottery_path, "seed", published_before_seed=True)
    assert json.loads(ledger.read_bytes().splitlines()[-1])["event"] == "draw"


def test_swapped_pool_and_quotas_are_recognised(tmp_path: Path) -> None:
    pool, quotas = small_inputs(tmp_path)
    for command in (["check", quotas, pool], ["prepare", quotas, pool, "--out", tmp_path / "out"]):
        code, out = run(*command)
        assert code == 2, out
        assert "swapped" in out and "the pool comes first" in out, out
    with pytest.raises(InputError, match="swapped"):
        prepare(quotas, pool, tmp_path / "out", **LEGACY)
    assert not (tmp_path / "out" / "lottery.json").exists()


def test_swapped_register_and_plan_are_recognised(tmp_path: Path) -> None:
    register, plan = invite_inputs(tmp_path / "in")
    code, out = run("invite", "prepare", plan, register, "--out", tmp_path / "letters")
    assert code == 2 and "swapped" in out and "the register comes first" in out, out


def test_invite_draw_with_another_register_says_so(tmp_path: Path) -> None:
    register, plan = invite_inputs(tmp_path / "in")
    prep = invite.prepare_invitations(register, plan, tmp_path / "letters")
    for other in (EXAMPLES / "schalkwijk-trees" / "pool.csv", EXAMPLES / "veiligheid" / "register.csv"):
        code, out = run("invite", "draw", prep.plan_path, "--register", other, "--seed", "s")
        assert code == 2, out
        assert "not the register the plan was made from: SHA-256 differs" in " ".join(out.split()), out
        assert "fix columns" not in out


def test_suggested_commands_are_never_wrapped_at_80_columns(tmp_path: Path) -> None:
    pool, quotas = small_inputs(tmp_path)
    out = tmp_path / "a-rather-long-folder-name-for-the-lottery-of-the-citizens-assembly-2027"
    code, text = run("prepare", pool, quotas, "--out", out, "-a", "legacy", "--panel-size", "4")
    assert code == 0, text
    assert f'  sortition draw {out / "lottery.json"} --seed "..."' in text.splitlines()
    code, text = run("draw", out / "lottery.json", "--seed", "seed")
    assert code == 0, text
    record = json.loads((out / "draw.json").read_text(encoding="utf-8"))
    code, text = run("replace", out / "draw.json", "--dropout", record["panel"][0])
    assert code == 0, text
    lines = text.splitlines()
    assert any(line.startswith(f"  sortition verify {out / 'draw.json'} --record-sha256 ") and
               len(line.split()[-1]) == 64 for line in lines), text
    # replace lists every file it updated, one per line, public and private apart.
    for name in ("draw.json", "report.html", "report.md", "ledger.jsonl"):
        assert f"  {out / name}" in lines, text
    for name in ("panel.csv", "panel.xlsx", "reserves.csv", "reserves.xlsx"):
        assert f"  {out / 'private' / name}" in lines, text


def test_help_at_80_columns_breaks_no_word_and_shows_no_bool(tmp_path: Path) -> None:
    for command in (["prepare"], ["select"], ["replace"], ["invite", "prepare"], ["rfc3797"], ["verify"]):
        code, text = run(*command, "--help")
        assert code == 0, text
        assert "<bool>" not in text and "list[str]" not in text, text
        assert all(len(line) <= 80 for line in text.splitlines()), text
        for word in ("leximin", "maximin", "legacy"):
            if command in (["prepare"], ["select"]):
                assert word in text, text  # every choice whole, in the help text


def test_progress_line_and_timer_fit_80_columns() -> None:
    import io
    import re

    from rich.console import Console

    from cli.output import RichProgress

    terminal = Console(file=io.StringIO(), width=80, force_terminal=True, color_system=None)
    progress = RichProgress(console=terminal)
    assert progress.enabled
    progress.start("Computing the fairest lottery by LEXIMIN column generation, stage by stage", total=10)
    progress.update(3, message="stage 3 of 7: 1,234 panels so far, the lowest probability is 0.0123 now")
    screen = Console(file=io.StringIO(), width=80, color_system=None)
    assert progress._progress is not None
    with screen.capture() as captured:
        screen.print(progress._progress.get_renderable())
    progress.finish()
    lines = captured.get().splitlines()
    assert len(lines) == 1 and len(lines[0]) <= 80, lines
    assert re.search(r"\d:\d\d:\d\d$", lines[0]), lines  # the timer is shown whole


def test_exclusion_ids_not_in_the_register_are_named(tmp_path: Path) -> None:
    src = tmp_path / "in"
    shutil.copytree(EXAMPLES / "veiligheid", src, ignore=shutil.ignore_patterns("pool.csv"))
    listed = (src / "opted_out.csv").read_text(encoding="utf-8")
    (src / "opted_out.csv").write_text(listed.rstrip("\n") + "\nR9999999998\nR9999999999\n", encoding="utf-8")
    result = invite.prepare_invitations(src / "register.csv", src / "plan.yaml", tmp_path / "letters")
    warning = next(w for w in result.warnings if "exclusion list" in w)
    # The example's list already names 2 ids the register lacks; these two more make 4, each named.
    assert warning.startswith("4 ids of the exclusion list are not in the register: ")
    assert "R9999999998, R9999999999." in warning
    many = invite_commands._missing_exclusions([f"X{i:02d}" for i in range(25)], ["X00"])
    assert many.startswith("24 ids") and "and 14 more" in many and "X01" in many and "X24" not in many


def test_invite_table_shows_the_response_rate_as_a_percentage(tmp_path: Path) -> None:
    src = tmp_path / "in"
    shutil.copytree(EXAMPLES / "veiligheid", src, ignore=shutil.ignore_patterns("pool.csv"))
    code, out = run("invite", "prepare", src / "register.csv", src / "plan.yaml", "--out", tmp_path / "l", width=100)
    assert code == 0, out
    assert "3%" in out and "8%" in out and "3/100" not in out


def test_docs_agree_with_the_program() -> None:
    docs = ROOT / "docs"
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for path in EXAMPLES.glob("*/*"):
        if path.name != "README.md":
            assert f"`{path.name}`" in readme, f"examples/README.md does not describe {path.name}"
    auditing = (docs / "auditing.md").read_text(encoding="utf-8")
    guide = (docs / "user-guide.md").read_text(encoding="utf-8")
    published = next(line for line in auditing.splitlines() if line.startswith("| after the draw | `draw.json`"))
    assert "report.html" in published and "report.html" in guide
    assert "in the same folder" in guide  # the same lottery again needs the folder's salt
    assert "too few in pool" not in guide  # check stops with one line before any table in that case
    quota_doc = " ".join((docs / "quota-format.md").read_text(encoding="utf-8").split())
    assert "names such as `16-29` and `65+` are text to every YAML reader and are written without quotes" in quota_doc


def test_written_quota_files_quote_what_the_doc_says(tmp_path: Path) -> None:
    from quotas import dump_yaml, load_quotas

    (tmp_path / "q.yaml").write_text("panel_size: 2\ncategories:\n  a:\n    yes: {min: 0, max: 2}\n"
                                     "    2033: {min: 0, max: 2}\n    16-29: {min: 0, max: 2}\n", encoding="utf-8")
    spec = load_quotas(tmp_path / "q.yaml")
    assert [v.value for v in spec.categories[0].values] == ["yes", "2033", "16-29"]
    text = dump_yaml(spec)
    assert "'yes':" in text and "'2033':" in text and "\n    16-29:" in text


def test_invite_commands_to_copy_are_never_wrapped_at_80_columns(tmp_path: Path) -> None:
    register, plan = invite_inputs(tmp_path / "in")
    out = tmp_path / "letters-for-the-citizens-assembly-on-street-trees-in-schalkwijk-2027"
    code, text = run("invite", "prepare", register, plan, "--out", out)
    assert code == 0, text
    assert f'  sortition invite draw {out / "invitation_plan.json"} --register {register} --seed "..."' in \
        text.splitlines(), text
    code, text = run("invite", "draw", out / "invitation_plan.json", "--register", register, "--seed", "s")
    assert code == 0, text
    assert f"  sortition verify {out / 'invitations.json'}" in text.splitlines(), text
