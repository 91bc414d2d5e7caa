"""The fairness benchmark's own logic (benchmarks/fairness.py): the checks of issue 19's target 3, the table's
cells, and the problem dump that benchmarks/other_tool.py reads. The benchmark itself runs on demand, not here."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from quotas.model import Category, PanelProblem, QuotaSpec, ValueQuota

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str) -> ModuleType:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fairness = _load("fairness")
synthetic = _load("synthetic")


def _done(seconds: float, lowest: float, loss: float = 0.0) -> dict[str, Any]:
    return {"done": True, "seconds": seconds, "distribution_min": lowest, "rounding_loss": loss}


def test_minima_agree_against_the_other_tool_within_the_tolerance() -> None:
    ours = {"leximin": _done(2.0, 0.06250), "maximin": _done(1.0, 0.06250)}
    theirs = _done(5.0, 0.06290)
    assert fairness.checks("realistic_161_44", ours, theirs)["minima_agree"] is True
    theirs = _done(5.0, 0.06310)
    check = fairness.checks("realistic_161_44", ours, theirs)
    assert check["minima_agree"] is False
    assert check["reference_source"] == "sortition-algorithms maximin"


def test_our_maximin_is_the_reference_when_the_other_tool_did_not_finish() -> None:
    ours = {"leximin": _done(2.0, 0.1), "maximin": _done(1.0, 0.1003)}
    check = fairness.checks("realistic_161_44", ours, {"done": False, "timed_out": True, "timeout_s": 9})
    assert (check["reference_source"], check["minima_agree"]) == ("our maximin", True)


def test_rounding_loss_over_the_limit_fails_and_an_unfinished_leximin_has_no_verdict() -> None:
    ours = {"leximin": _done(2.0, 0.1, loss=0.0031), "maximin": _done(1.0, 0.1)}
    assert fairness.checks("x", ours, None)["rounding_ok"] is False
    ours["leximin"] = {"done": False, "timed_out": True, "timeout_s": 60}
    check = fairness.checks("x", ours, None)
    assert (check["minima_agree"], check["rounding_ok"]) == (None, None)


def test_table_row_says_not_done_and_gives_the_ratio_only_when_both_finished() -> None:
    entry = {"instance": "realistic_825_75", "n": 825, "k": 75,
             "ours": {"leximin": _done(10.0, 0.02), "maximin": {"done": False, "timed_out": True,
                                                                "timeout_s": 900.0}},
             "theirs": {"maximin": _done(25.0, 0.02)}, "checks": fairness.checks("y", {
                 "leximin": _done(10.0, 0.02), "maximin": {"done": False}}, _done(25.0, 0.02))}
    header, rows = fairness.table_rows({"instances": [entry]})
    row = dict(zip(header, rows[0], strict=True))
    assert row["ours maximin"] == "not done in 900 s"
    assert row["theirs / ours LEXIMIN"] == "2.50x"
    assert row["theirs / ours maximin"] == ""
    assert row["minima agree"] == "yes"
    entry["theirs"] = {"maximin": {"done": False, "timed_out": True, "timeout_s": 900.0}}
    _, rows = fairness.table_rows({"instances": [entry]})
    assert rows[0][4] == ""


def test_problem_dump_names_people_and_values_as_the_pool_file_does(tmp_path: Path) -> None:
    cats = (Category("c0", (ValueQuota("a", 1, 2), ValueQuota("b", 1, 2))),
            Category("c1", (ValueQuota("x", 0, 3), ValueQuota("y", 0, 3))))
    problem = PanelProblem(QuotaSpec(panel_size=3, categories=cats),
                           np.array([[0, 0], [1, 1], [0, 1], [1, 0]]), np.array([0, 1, 0, 3]))
    dump = fairness.problem_dump(problem)
    pool, _ = synthetic.write_problem(problem, tmp_path)
    with pool.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [{key: p[key] for key in ("id", "household", "c0", "c1")} for p in dump["people"]] == rows
    assert dump["categories"] == {"c0": {"a": [1, 2], "b": [1, 2]}, "c1": {"x": [0, 3], "y": [0, 3]}}
    assert (dump["panel_size"], dump["households"]) == (3, True)
