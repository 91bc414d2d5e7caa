"""Replacements: the committed reserve rule, quota-blocked cases, hash-chained events that verify re-checks."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from conftest import QUOTAS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.app import app
from quotas.errors import InfeasibleError, InputError
from sortition import draw, prepare, replace, verify
from sortition.algorithms.base import Algorithm
from sortition.files import canonical_json, sha256_file
from sortition.rules.public import public_pool
from sortition.rules.reserve import RULE_FIT, RULE_QUOTA_BREAK, record_sha256
from sortition.rules.verification import RECORD_CHECK

EVENT_CHECK = "replacements follow the committed rule"


def make_draw(folder: Path, rows: list[str], quotas: str = QUOTAS, seed: str = "dice: 3 5 1 6") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pool = folder / "pool.csv"
    pool.write_text("id,name,street,number,gender,age\n" + "\n".join(rows) + "\n", encoding="utf-8")
    (folder / "quotas.yaml").write_text(quotas, encoding="utf-8")
    (folder / "out" / "private").mkdir(parents=True, exist_ok=True)
    (folder / "out" / "private" / "salt").write_text("11" * 32 + "\n")  # fixed salt: deterministic ranks
    prep = prepare(pool, folder / "quotas.yaml", folder / "out", algorithm=Algorithm.LEGACY, legacy_runs=50)
    draw(prep.lottery_path, seed, published_before_seed=True)
    return folder / "out" / "draw.json"


def sixteen() -> list[str]:
    return [f"P{i:03d},Name{i},Street {i // 2},{i % 5},{'f' if i % 2 else 'm'},{'young' if i % 3 else 'old'}"
            for i in range(16)]


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_draw(tmp_path_factory.mktemp("base"), sixteen())


@pytest.fixture
def record_path(drawn: Path, tmp_path: Path) -> Path:
    shutil.copytree(drawn.parent.parent, tmp_path / "copy")
    return tmp_path / "copy" / "out" / "draw.json"


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def brute_force_choice(path: Path, panel: list[str], used: set[str], dropout: str) -> str | None:
    """The rule, recomputed independently with PanelProblem.panel_violations."""
    record = load(path)
    pub = public_pool(load(path.parent / "lottery.json"))
    index = pub.index()
    rest = [index[p] for p in panel if p != dropout]
    for person in record["reserves"]:
        if person not in used and not pub.problem.panel_violations([*rest, index[person]]):
            return person
    return None


def test_replacement_is_first_fitting_reserve(drawn: Path, tmp_path: Path) -> None:
    skipped_some = False
    for n, dropout in enumerate(load(drawn)["panel"]):
        shutil.copytree(drawn.parent.parent, tmp_path / str(n))
        path = tmp_path / str(n) / "out" / "draw.json"
        expected = brute_force_choice(path, load(path)["panel"], set(), dropout)
        assert expected is not None
        result = replace(path, [dropout])
        (r,) = result.replacements
        assert (r.replacement, r.rule, r.quota_breaks) == (expected, RULE_FIT, ())
        assert load(path)["reserves"][r.reserve_rank - 1] == expected
        skipped_some |= r.reserve_rank > 1
        assert verify(path).ok
    assert skipped_some, "no case where the first reserve did not fit: the test instance is too easy"


def test_event_chain_private_panel_and_ledger(record_path: Path) -> None:
    folder = record_path.parent
    before = record_path.read_bytes()
    panel = load(record_path)["panel"]
    first = replace(record_path, [panel[0]]).replacements[0]
    second = replace(record_path, [first.replacement]).replacements[0]  # the replacement drops out too
    record = load(record_path)
    events = record["events"]
    assert [e["dropout"] for e in events] == [panel[0], first.replacement]
    assert events[0]["previous_sha256"] == __import__("hashlib").sha256(before).hexdigest()
    assert events[1]["previous_sha256"] == record_sha256(record, events[:1])
    assert second.replacement != first.replacement
    assert record["panel"] == panel, "the drawn panel stays as drawn; the events say what changed"
    with open(folder / "private" / "panel.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    names = [row["sortition_pseudonym"] for row in rows]
    assert second.replacement in names and panel[0] not in names and first.replacement not in names
    # The panel list says who replaced whom: the second replacement took the first replacement's seat.
    assert {r["sortition_pseudonym"]: r["replaces"] for r in rows if r["replaces"]} == {
        second.replacement: first.replacement}
    with open(folder / "private" / "reserves.csv", encoding="utf-8-sig") as fh:
        reserve_rows = list(csv.DictReader(fh))
    reserves = [row["sortition_pseudonym"] for row in reserve_rows]
    assert first.replacement not in reserves and second.replacement not in reserves
    # Committed ranks are kept (a gap where a reserve was called up), never renumbered from 1.
    committed = {name: n for n, name in enumerate(record["reserves"], 1)}
    assert [int(r["rank"]) for r in reserve_rows] == [committed[name] for name in reserves]
    assert first.reserve_rank not in [int(r["rank"]) for r in reserve_rows]
    ledger = [json.loads(line) for line in (folder / "ledger.jsonl").read_text().splitlines()]
    assert [e["event"] for e in ledger][-2:] == ["replace", "replace"]
    report = verify(record_path)
    assert report.ok, report.failed
    assert "2 replacement(s)" in next(c.detail for c in report.checks if c.name == EVENT_CHECK)


def test_draw_rerun_keeps_replacements(record_path: Path) -> None:
    dropout = load(record_path)["panel"][1]
    new = replace(record_path, [dropout]).replacements[0].replacement
    draw(record_path.parent / "lottery.json", load(record_path)["seed"], published_before_seed=True)
    assert load(record_path)["events"][0]["replacement"] == new
    assert new in (record_path.parent / "private" / "panel.csv").read_text(encoding="utf-8")
    assert verify(record_path).ok


def test_dropout_by_pool_id_and_bad_dropouts(record_path: Path) -> None:
    lottery_people = load(record_path.parent / "lottery.json")["people"]
    with open(record_path.parent / "private" / "pool.csv", encoding="utf-8") as fh:
        by_pseudonym = {row["sortition_pseudonym"]: row["id"] for row in csv.DictReader(fh)}
    member = load(record_path)["panel"][2]
    result = replace(record_path, [by_pseudonym[member]])
    assert result.replacements[0].dropout == member
    with pytest.raises(InputError, match="dropped out already: event 1 of the draw record replaced them"):
        replace(record_path, [member])
    outsider = next(p for p in lottery_people if p not in result.panel and p != member)
    with pytest.raises(InputError, match="not on the current panel"):
        replace(record_path, [outsider])
    with pytest.raises(InputError, match="neither a pseudonym"):
        replace(record_path, ["nobody"])
    with pytest.raises(InputError, match="at least one"):
        replace(record_path, [])


def test_several_dropouts_are_handled_in_sorted_order(record_path: Path) -> None:
    panel = load(record_path)["panel"]
    result = replace(record_path, [panel[3], panel[0]])
    assert [r.dropout for r in result.replacements] == sorted([panel[3], panel[0]])
    assert verify(record_path).ok


def blocked_pool() -> list[str]:
    # Only two women: both must be on every panel, so a woman who drops out cannot be replaced.
    rows = [f"F{i},W{i},Lane {i},1,f,{'young' if i else 'old'}" for i in range(2)]
    rows += [f"M{i},M{i},Road {i},1,m,{'young' if i % 2 else 'old'}" for i in range(6)]
    return rows


def test_quota_blocked_gives_clear_error_then_allowed_break(tmp_path: Path) -> None:
    path = make_draw(tmp_path, blocked_pool())
    lottery = load(path.parent / "lottery.json")
    woman = next(p for p in load(path)["panel"] if lottery["people"][p]["gender"] == "f")
    before = path.read_bytes()
    with pytest.raises(InfeasibleError) as info:
        replace(path, [woman])
    message = str(info.value)
    assert "gender = f" in message and "gender f: 1 not in [2, 2]" in message
    assert "--allow-quota-break" in message
    assert path.read_bytes() == before, "a refused replacement changes nothing"
    result = replace(path, [woman], allow_quota_break=True)
    (r,) = result.replacements
    assert r.rule == RULE_QUOTA_BREAK and r.reserve_rank == _first_fewest_breaks(lottery, load(path), woman)
    assert any("gender" in b for b in r.quota_breaks)
    event = load(path)["events"][0]
    assert event["rule"] == RULE_QUOTA_BREAK and event["quota_breaks"] == list(r.quota_breaks)
    report = verify(path)
    assert report.ok, report.failed
    assert "quota break" in next(c.detail for c in report.checks if c.name == EVENT_CHECK)


def _first_fewest_breaks(lottery: dict, record: dict, dropout: str) -> int:
    """The rank of the first reserve whose addition breaks the fewest quota bounds (counted here, by hand)."""
    rest = [p for p in record["panel"] if p != dropout]

    def breaks(candidate: str) -> int:
        members = [lottery["people"][p] for p in (*rest, candidate)]
        return sum(not b["min"] <= sum(m[cat] == value for m in members) <= b["max"]
                   for cat, values in lottery["categories"].items() for value, b in values.items())

    counts = [breaks(c) for c in record["reserves"]]
    return counts.index(min(counts)) + 1


def rewrite(path: Path, record: dict) -> None:
    path.write_bytes(canonical_json(record))


@pytest.mark.parametrize("tamper", ["replacement", "previous_sha256", "rule", "reorder", "dropout"])
def test_tampered_event_fails_verify(record_path: Path, tamper: str) -> None:
    panel = load(record_path)["panel"]
    replace(record_path, [panel[0]])
    replace(record_path, [panel[1]])
    record = load(record_path)
    events = record["events"]
    if tamper == "replacement":  # an official picks someone else from the reserve list
        other = next(p for p in record["reserves"] if p not in {e["replacement"] for e in events})
        events[0]["replacement"] = other
    elif tamper == "previous_sha256":
        events[1]["previous_sha256"] = "0" * 64
    elif tamper == "rule":
        events[0]["rule"] = RULE_QUOTA_BREAK
    elif tamper == "reorder":
        events.reverse()
    else:
        events[0]["dropout"] = panel[2]
    rewrite(record_path, record)
    report = verify(record_path)
    assert not report.ok
    assert not next(c.passed for c in report.checks if c.name == EVENT_CHECK)


def test_cli_replace_json_and_blocked_exit(tmp_path: Path) -> None:
    runner = CliRunner()
    path = make_draw(tmp_path / "a", sixteen())
    dropout = load(path)["panel"][0]
    result = runner.invoke(app, ["replace", str(path), "--dropout", dropout, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["replacements"][0]["dropout"] == dropout and len(data["panel"]) == 4
    assert data["record_sha256"] == sha256_file(path) and data["events"] == 1
    blocked = make_draw(tmp_path / "b", blocked_pool())
    lottery = load(blocked.parent / "lottery.json")
    woman = next(p for p in load(blocked)["panel"] if lottery["people"][p]["gender"] == "f")
    result = runner.invoke(app, ["replace", str(blocked), "--dropout", woman])
    assert result.exit_code == 1 and "--allow-quota-break" in result.output and "Traceback" not in result.output


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(0, 3), min_size=1, max_size=4))
def test_any_dropout_sequence_keeps_quotas_and_verifies(drawn: Path, tmp_path: Path, picks: list[int]) -> None:
    folder = tmp_path / f"h{len(list(tmp_path.iterdir()))}"
    shutil.copytree(drawn.parent.parent, folder)
    path = folder / "out" / "draw.json"
    pub = public_pool(load(folder / "out" / "lottery.json"))
    panel = list(load(path)["panel"])
    for pick in picks:
        try:
            result = replace(path, [panel[pick]])
        except InfeasibleError:
            break  # the reserve list can run out of people who fit; nothing is written then
        panel = list(result.panel)
        index = pub.index()
        assert pub.problem.panel_violations([index[p] for p in panel]) == []
    assert verify(path).ok



def test_removed_last_event_is_caught_only_by_the_published_record_hash(record_path: Path) -> None:
    panel = load(record_path)["panel"]
    first = replace(record_path, [panel[0]])
    assert (first.record_sha256, first.events) == (sha256_file(record_path), 1)
    result = CliRunner().invoke(app, ["replace", str(record_path), "--dropout", panel[1]])
    assert result.exit_code == 0, result.output
    published = sha256_file(record_path)
    assert f"Record SHA-256 (2 replacement event(s)): {published}" in result.output
    assert f"--record-sha256 {published}" in result.output
    record = load(record_path)
    rewrite(record_path, {**record, "events": record["events"][:1]})  # an organiser undoes the last replacement
    # The limitation: the hash chain only links each event to the record before it, so nothing in the file
    # shows that a trailing event is missing. Only the SHA-256 published after the last replacement does.
    plain = verify(record_path)
    assert plain.ok and (plain.record_sha256, plain.events) == (first.record_sha256, 1)
    anchored = verify(record_path, record_sha256=published)
    assert not anchored.ok and anchored.failed is not None and anchored.failed.name == RECORD_CHECK
    assert "differs from the published one" in anchored.failed.detail
    assert verify(record_path, record_sha256=first.record_sha256.upper()).ok  # what was published back then
    code = CliRunner().invoke(app, ["verify", str(record_path), "--record-sha256", published])
    assert code.exit_code == 1 and "Verification failed: record is the published one" in code.output
    plain_cli = CliRunner().invoke(app, ["verify", str(record_path)])
    assert plain_cli.exit_code == 0
    assert f"Record: SHA-256(draw.json) = {first.record_sha256}, 1 replacement event(s)" in plain_cli.output


def test_cli_verify_record_sha256_right_and_malformed(record_path: Path) -> None:
    runner = CliRunner()
    replace(record_path, [load(record_path)["panel"][0]])
    right = sha256_file(record_path)
    result = runner.invoke(app, ["verify", str(record_path), "--record-sha256", right, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["record_sha256"], data["events"]) == (right, 1)
    assert next(c for c in data["checks"] if c["name"] == RECORD_CHECK)["passed"]
    for bad in ("abc", right[:-1] + "g", right + "0"):
        result = runner.invoke(app, ["verify", str(record_path), "--record-sha256", bad])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
        assert "--record-sha256" in result.output and "64 hexadecimal" in result.output
    with pytest.raises(InputError, match="64 hexadecimal"):
        verify(record_path, record_sha256="not a hash")


def test_dropout_by_pool_id_in_another_form(record_path: Path) -> None:
    with open(record_path.parent / "private" / "pool.csv", encoding="utf-8") as fh:
        by_pseudonym = {row["sortition_pseudonym"]: row["id"] for row in csv.DictReader(fh)}
    member = load(record_path)["panel"][1]
    written = " " + by_pseudonym[member].lower().replace("p", "p ")  # 'P003' typed as ' p 003'
    assert replace(record_path, [written]).replacements[0].dropout == member


def test_households_in_another_form_share_one_pseudonym(tmp_path: Path) -> None:
    rows = sixteen()
    rows[0] = "P000,Name0,Street 0,0,m,old"
    rows[1] = "P001,Name1,STREET  0,0,f,young"  # the same address as P000, written differently
    path = make_draw(tmp_path, rows)  # QUOTAS has households: [street, number]
    lottery = load(path.parent / "lottery.json")
    with open(path.parent / "private" / "pool.csv", encoding="utf-8") as fh:
        name = {row["id"]: row["sortition_pseudonym"] for row in csv.DictReader(fh)}
    people = lottery["people"]
    assert people[name["P000"]]["household"] == people[name["P001"]]["household"]
    assert people[name["P000"]]["household"] != people[name["P002"]]["household"]
    assert not {name["P000"], name["P001"]} <= set(load(path)["panel"])
