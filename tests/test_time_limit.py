"""prepare's time limit (issue 19): a default of 600 s, ``none`` for no limit, and what a lottery stopped early
says about how far it can be from the fairest (lottery.json, the terminal, verify and the reports).

No test waits for the limit: the limit is injected (a tiny one, or a recording stand-in for the algorithm).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cli_world import invoke, no_traceback, one_line
from conftest import QUOTAS
from generated import instance
from verifier_node import NodeVerifier, files_of, node_verifier

import sortition.algorithms as algorithms
from sortition import DEFAULT_TIME_LIMIT, draw, prepare, select, verify, write_report
from sortition.algorithms.base import Algorithm
from sortition.commands.prepare import ALGORITHM_SHARE
from sortition.records import LOTTERY_FORMAT, SCHEMA_DIR, SCHEMA_FILES
from sortition.rules.computation import OPTIMAL_GAP, EarlyStop, early_stop
from sortition.schemacheck import compile_schema

TINY = 1e-9  # passes before the first round of the fair-lottery computation ends


def write_small(folder: Path) -> tuple[Path, Path]:
    """16 people, two categories (test_protocol's pool): LEXIMIN in well under a second."""
    rows = [f"P{i:03d},Street {i // 2},{i % 5},{'f' if i % 2 else 'm'},{'young' if i % 3 else 'old'}"
            for i in range(16)]
    folder.mkdir(parents=True, exist_ok=True)
    pool = folder / "pool.csv"
    pool.write_text("id,street,number,gender,age\n" + "\n".join(rows) + "\n", encoding="utf-8")
    quotas = folder / "quotas.yaml"
    quotas.write_text(QUOTAS, encoding="utf-8")
    return pool, quotas


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[float | None]:
    """The time limits the fair-lottery algorithm is called with (it still runs)."""
    seen: list[float | None] = []
    real = algorithms.find_distribution

    def recording(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("time_limit"))
        return real(*args, **kwargs)

    monkeypatch.setattr(algorithms, "find_distribution", recording)
    return seen


@pytest.fixture(scope="module")
def stopped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Alternate(200, 20) prepared with a tiny time limit and drawn. LEXIMIN gives everyone exactly k/n = 0.1
    there, so the fairest possible lowest probability is known: 0.1."""
    inst = instance("alternate_20")
    folder = tmp_path_factory.mktemp("stopped")
    pool, quotas = inst.write(folder / "in")
    result = prepare(pool, quotas, folder / "out", time_limit=TINY, panels=100, panel_size=inst.k,
                     seed_source="dice")
    draw(result.lottery_path, "1 2 3", published_before_seed=True)
    return {"result": result, "folder": folder / "out", "lottery": json.loads(result.lottery_path.read_text()),
            "optimum": inst.k / inst.n, "pool": pool, "quotas": quotas, "k": inst.k}


# ----------------------------------------------------------------------------------- the limit that applies

def test_default_limit_applies_and_is_recorded(tmp_path: Path, recorded: list[float | None]) -> None:
    assert DEFAULT_TIME_LIMIT == 600
    result = prepare(*write_small(tmp_path / "in"), tmp_path / "out", panels=50)
    assert recorded == [pytest.approx(ALGORITHM_SHARE * DEFAULT_TIME_LIMIT)]
    lottery = json.loads(result.lottery_path.read_text())
    assert lottery["settings"]["time_limit_seconds"] == DEFAULT_TIME_LIMIT
    assert lottery["statistics"]["time_limit_reached"] == 0
    assert result.early_stop is None and not any("time limit" in w for w in result.warnings)
    assert "min_probability_upper_bound" not in lottery["statistics"]


def test_none_means_no_limit_and_no_setting(tmp_path: Path, recorded: list[float | None]) -> None:
    result = prepare(*write_small(tmp_path / "in"), tmp_path / "out", panels=50, time_limit=None)
    assert recorded == [None]
    assert "time_limit_seconds" not in json.loads(result.lottery_path.read_text())["settings"]


def test_select_has_the_same_default(tmp_path: Path, recorded: list[float | None]) -> None:
    result = select(*write_small(tmp_path / "in"), "practice", tmp_path / "out", panels=50)
    assert recorded == [pytest.approx(ALGORITHM_SHARE * DEFAULT_TIME_LIMIT)]
    lottery = json.loads((result.draw_path.parent / "lottery.json").read_text())
    assert lottery["settings"]["time_limit_seconds"] == DEFAULT_TIME_LIMIT


def test_legacy_records_no_limit(tmp_path: Path) -> None:
    """The legacy estimate has no time limit: none is recorded as if it applied."""
    result = prepare(*write_small(tmp_path / "in"), tmp_path / "out", algorithm=Algorithm.LEGACY, legacy_runs=50)
    assert "time_limit_seconds" not in json.loads(result.lottery_path.read_text())["settings"]


@pytest.mark.parametrize("value", ["none", "None", " NONE "])
def test_cli_none_lifts_the_limit(tmp_path: Path, recorded: list[float | None], value: str) -> None:
    pool, quotas = write_small(tmp_path / "in")
    result = invoke("prepare", pool, quotas, "--out", tmp_path / "out", "--time-limit", value, "-m", "50", "-q")
    assert result.exit_code == 0, result.output
    assert recorded == [None]


def test_cli_default_and_a_given_limit(tmp_path: Path, recorded: list[float | None]) -> None:
    pool, quotas = write_small(tmp_path / "in")
    assert invoke("prepare", pool, quotas, "--out", tmp_path / "a", "-m", "50", "-q").exit_code == 0
    given = invoke("prepare", pool, quotas, "--out", tmp_path / "b", "-m", "50", "-q", "--time-limit", "30")
    assert given.exit_code == 0
    assert recorded == [pytest.approx(ALGORITHM_SHARE * DEFAULT_TIME_LIMIT), pytest.approx(ALGORITHM_SHARE * 30)]


def test_cli_refuses_words_other_than_none(tmp_path: Path) -> None:
    pool, quotas = write_small(tmp_path / "in")
    result = invoke("prepare", pool, quotas, "--out", tmp_path / "out", "--time-limit", "ten", "-q")
    no_traceback(result)
    assert result.exit_code == 2 and "--time-limit" in result.output and "'none'" in result.output
    assert not (tmp_path / "out").exists()


def test_cli_zero_points_to_none(tmp_path: Path) -> None:
    pool, quotas = write_small(tmp_path / "in")
    one_line(invoke("prepare", pool, quotas, "--out", tmp_path / "out", "--time-limit", "0", "-q"), 2,
             "--time-limit", "--time-limit none")


# ------------------------------------------------------------------------------------------ stopped early

def test_stopped_early_records_the_lowest_and_a_true_bound(stopped: dict[str, Any]) -> None:
    stats = stopped["lottery"]["statistics"]
    assert stats["time_limit_reached"] == 1
    assert stopped["lottery"]["settings"]["time_limit_seconds"] == TINY
    lowest, bound = stats["min_probability_reached"], stats["min_probability_upper_bound"]
    assert 0 < lowest <= bound
    # the bound is an upper bound on the fairest possible lowest probability, which is k/n here
    assert lowest <= stopped["optimum"] + 1e-9 <= bound + 2e-9
    assert lowest == pytest.approx(stats["distribution_min_probability"])  # nobody here is excluded by a quota


def test_stopped_early_warning_says_how_far(stopped: dict[str, Any]) -> None:
    result = stopped["result"]
    stats = stopped["lottery"]["statistics"]
    assert result.early_stop == early_stop(stopped["lottery"])
    [line] = [w for w in result.warnings if "time limit" in w]
    gap = stats["min_probability_upper_bound"] - stats["min_probability_reached"]
    if gap > OPTIMAL_GAP:
        assert (f"its lowest probability before rounding, {stats['min_probability_reached']:.4f}, is at most "
                f"{gap:.4f} lower than the fairest possible (which is at most "
                f"{stats['min_probability_upper_bound']:.4f})") in line
    else:
        assert "is the fairest possible" in line and "not all raised" in line
    assert "--time-limit none" in line and "\n" not in line


def test_stopped_early_lottery_verifies_and_verify_says_so(stopped: dict[str, Any]) -> None:
    report = verify(stopped["folder"] / "draw.json")
    assert report.ok
    assert report.early_stop is not None
    assert report.early_stop.upper_bound == stopped["lottery"]["statistics"]["min_probability_upper_bound"]
    result = invoke("verify", stopped["folder"] / "draw.json")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("Fairness:")]
    assert len(notes) == 1 and "time limit of 1e-09 s was reached" in notes[0]
    data = json.loads(invoke("verify", stopped["folder"] / "draw.json", "--json").output)
    assert data["early_stop"]["min_probability_upper_bound"] == report.early_stop.upper_bound
    assert data["early_stop"]["time_limit_seconds"] == TINY


def test_cli_prepare_prints_one_line_about_the_early_stop(stopped: dict[str, Any], tmp_path: Path) -> None:
    result = invoke("prepare", stopped["pool"], stopped["quotas"], "-k", stopped["k"], "--out", tmp_path / "o",
                    "--time-limit", "1e-9", "-m", "100", "-q")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "time limit" in line]
    assert len(lines) == 1 and lines[0].startswith("Warning: the time limit of 1e-09 s was reached before leximin")
    data = json.loads(invoke("prepare", stopped["pool"], stopped["quotas"], "-k", stopped["k"], "--out",
                             tmp_path / "j", "--time-limit", "1e-9", "-m", "100", "--json").output)
    assert data["early_stop"]["min_probability_reached"] <= data["early_stop"]["min_probability_upper_bound"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_reports_say_it_stopped_early(stopped: dict[str, Any], tmp_path: Path, lang: str) -> None:
    stats = stopped["lottery"]["statistics"]
    for fmt in ("md", "html"):
        text = write_report(stopped["folder"] / "draw.json", fmt=fmt, lang=lang,
                            output=tmp_path / f"r.{lang}.{fmt}").read_text(encoding="utf-8")
        assert ("Gestopt bij de tijdslimiet van 1e-09 s" if lang == "nl"
                else "Stopped early at the time limit of 1e-09 s") in text
        bound = f"{100 * stats['min_probability_upper_bound']:.2f}%"
        assert (bound if lang == "en" else bound.replace(".", ",")) in text


def test_report_of_a_finished_lottery_has_no_early_stop(tmp_path: Path) -> None:
    result = select(*write_small(tmp_path / "in"), "practice", tmp_path / "out", panels=50)
    text = write_report(result.draw_path, fmt="md", lang="en", output=tmp_path / "r.md").read_text()
    assert "Stopped early" not in text and "Fairest possible" not in text


# --------------------------------------------------------------------------------------- the file format

def _lottery_schema() -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / SCHEMA_FILES[LOTTERY_FORMAT]).read_text(encoding="utf-8"))


def test_schema_accepts_old_and_new_lotteries_and_refuses_a_bad_bound(stopped: dict[str, Any]) -> None:
    schema = _lottery_schema()
    check = compile_schema(schema)
    new = stopped["lottery"]
    old = copy.deepcopy(new)  # as written before the default limit: no limit recorded, no bound
    del old["settings"]["time_limit_seconds"]
    for key in ("min_probability_reached", "min_probability_upper_bound"):
        del old["statistics"][key]
    for record in (new, old):
        assert check(record) is None
        assert not list(jsonschema.Draft202012Validator(schema).iter_errors(record))
    bad = copy.deepcopy(new)
    bad["statistics"]["min_probability_upper_bound"] = 1.5
    assert check(bad) is not None
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))


def test_an_old_lottery_stopped_early_reads_without_a_bound() -> None:
    old = {"settings": {"algorithm": "leximin", "time_limit_seconds": 60},
           "statistics": {"time_limit_reached": 1, "distribution_min_probability": 0.05}}
    stop = early_stop(old)
    assert stop == EarlyStop("leximin", 60.0, 0.05, None)
    assert stop.sentence().endswith("its lowest probability before rounding (0.0500) may be lower than the "
                                    "fairest possible.")


@pytest.mark.parametrize("lottery", [
    {}, {"statistics": None}, {"statistics": {"time_limit_reached": 0, "distribution_min_probability": 0.1}},
    {"statistics": {"time_limit_reached": 1}}, {"statistics": {"time_limit_reached": 1,
                                                               "distribution_min_probability": "low"}},
])
def test_no_early_stop_without_the_figures(lottery: dict[str, Any]) -> None:
    assert early_stop(lottery) is None


def test_odd_fields_do_not_break_the_reader() -> None:
    stop = early_stop({"settings": ["leximin"], "statistics": {"time_limit_reached": 1, "min_probability_reached": 0.1,
                                                                "min_probability_upper_bound": 0.05}})
    # a bound below the lowest reached is no bound (a damaged file): it is not shown
    assert stop == EarlyStop("the algorithm", None, 0.1, None)


def test_sentences() -> None:
    far = EarlyStop("leximin", 600.0, 0.0612, 0.065)
    assert far.sentence() == ("the time limit of 600 s was reached before leximin finished: the lottery meets every "
                              "quota, and its lowest probability before rounding, 0.0612, is at most 0.0038 lower "
                              "than the fairest possible (which is at most 0.0650).")
    close = EarlyStop("leximin", 600.0, 0.0632, 0.0632 + OPTIMAL_GAP / 2)
    assert close.lowest_is_optimal
    assert close.sentence().endswith("0.0632, is the fairest possible (within 0.0005), but the higher probabilities "
                                     "were not all raised as far as they could be.")
    assert "not all raised" not in EarlyStop("maximin", 600.0, 0.0632, 0.0632).sentence()


# ----------------------------------------------------------------------------------------- the verifier page

@pytest.fixture(scope="module")
def js() -> Iterator[NodeVerifier]:
    yield from node_verifier()


def test_verifier_page_reads_the_early_stop_as_verify_does(js: NodeVerifier, stopped: dict[str, Any],
                                                           tmp_path: Path) -> None:
    result = js.verify(*files_of(stopped["folder"] / "draw.json"))
    assert result["verdict"] == "verified"
    stop = early_stop(stopped["lottery"])
    assert stop is not None
    assert result["facts"]["earlyStop"] == {"lowest": stop.lowest, "bound": stop.upper_bound, "limit": TINY}
    finished = select(*write_small(tmp_path / "in"), "practice", tmp_path / "out", panels=50)
    assert js.verify(*files_of(finished.draw_path))["facts"]["earlyStop"] is None


def test_verifier_page_has_the_notice_in_both_languages() -> None:
    ui = (Path(__file__).parent.parent / "sortition/web/verifier_ui.js").read_text(encoding="utf-8")
    nl, en = ui.split("\n    en: {\n")
    for lang in (nl, en):
        for key in ("verdict_early_stop", "verdict_early_stop_unknown", "early_stop_limit"):
            assert re.search(rf"\n      {key}: ", lang), key
