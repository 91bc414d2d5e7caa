"""A report a council can read (issue 17, section 3) and names from files never becoming markup (issue 16).

Hostile category and value names and a hostile seed go through prepare, draw and both report formats; the
quota file's order, its population shares and the language chosen at draw time reach the report.
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from quotas import load_quotas, propose_quotas
from quotas.io import dump_yaml, spec_from_dict, spec_to_dict
from sortition import draw, prepare, replace, write_report
from sortition.algorithms.base import Algorithm
from sortition.i18n import count, has_text, number, percent
from sortition.records import read_draw, read_ledger, read_lottery
from sortition.report.data import build_report
from sortition.report.markdown import md_text
from sortition.report.output import folder_report, render
from sortition.rules.checks import VerifyReport
from sortition.rules.verification import CHECK_NAMES

SCRIPT_CAT = '<script>alert("c")</script>'
IMG = "<img src=x onerror=alert(1)>"
PIPE = "a|b"
HEAD_CAT = "# kop *x* _y_ `z`"
LONG = "LangeNaamZonderSpatiesDieNietOpEenTelefoonschermPast" + "a" * 30
SEED = '<script>alert(2)</script> | `x` *y* # [z](javascript:alert(3)) <img src=y onerror=alert(4)>'
#: The quota file's order: neither categories nor values sorted.
VALUE_ORDER = {SCRIPT_CAT: ["zz", IMG, PIPE], HEAD_CAT: ["65+", "16-29", LONG]}
POPULATION = {"zz": 0.5, IMG: 0.3, PIPE: 0.2}


def hostile_files(folder: Path) -> tuple[Path, Path]:
    """A pool of 30 and quotas (panel of 6) whose names are HTML, Markdown and table syntax."""
    folder.mkdir(parents=True, exist_ok=True)
    pool = folder / "pool.csv"
    with open(pool, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", SCRIPT_CAT, HEAD_CAT])
        for i in range(30):
            writer.writerow([f"P{i:03d}", VALUE_ORDER[SCRIPT_CAT][i % 3], VALUE_ORDER[HEAD_CAT][(i // 3) % 3]])
    categories = {
        SCRIPT_CAT: {v: {"min": 1, "max": 3, "population": POPULATION[v]} for v in VALUE_ORDER[SCRIPT_CAT]},
        HEAD_CAT: {v: {"min": 1, "max": 3} for v in VALUE_ORDER[HEAD_CAT]},
    }
    quotas = folder / "quotas.json"  # JSON is YAML: keys with any characters, order kept
    quotas.write_text(json.dumps({"panel_size": 6, "id_column": "id", "categories": categories}),
                      encoding="utf-8")
    return pool, quotas


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Prepared (legacy, fast) and drawn with a hostile seed; the report language chosen is English."""
    base = tmp_path_factory.mktemp("hostile")
    pool, quotas = hostile_files(base / "in")
    prep = prepare(pool, quotas, base / "out", algorithm=Algorithm.LEGACY, legacy_runs=50)
    return draw(prep.lottery_path, SEED, report_lang="en", published_before_seed=True).draw_path


# --- escaping ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [SCRIPT_CAT, IMG, PIPE, HEAD_CAT, SEED, "a\nb\r\nc", "x & y", "**b** ~~s~~ $m$"])
def test_md_text_is_literal_in_a_table_cell(raw: str) -> None:
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py (a dependency of rich) renders it")
    md = markdown_it.MarkdownIt("commonmark").enable("table")
    out = md.render(f"| a | b |\n|---|---|\n| {md_text(raw)} | 2 |\n")
    assert out.count("<td>") == 2, out  # the pipe did not split the cell, the newline did not end the row
    cell = re.search(r"<td>(.*?)</td>", out, re.S)
    assert cell and "<" not in cell.group(1).replace("&lt;", "")  # no tag inside: text only
    assert html.unescape(cell.group(1)) == " ".join(raw.split()).replace("\r", "")


def test_hostile_names_and_seed_stay_text_in_markdown(hostile: Path) -> None:
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py (a dependency of rich) renders it")
    for lang in ("nl", "en"):
        md = render(folder_report(hostile), "md", lang)
        assert "<script" not in md and "<img" not in md
        page = markdown_it.MarkdownIt("commonmark").enable("table").render(md)
        assert "<script" not in page and "<img" not in page and "javascript:" not in page.replace(
            "javascript:alert(3)", "")  # the seed's text may say it, as text, never as a link
        assert "<a " not in page  # the seed's [z](...) is no link
        headings = [html.unescape(h) for h in re.findall(r"<h3>(.*?)</h3>", page)]
        assert headings == [SCRIPT_CAT, HEAD_CAT]
        text = html.unescape(page)
        for name in (IMG, PIPE, LONG, SEED):
            assert name in text
        tables = re.findall(r"<table>(.*?)</table>", page, re.S)
        assert len(tables) >= 4  # timeline, inputs, one per category
        for table in tables:  # no cell was split by a name's or the seed's pipe
            width = len(re.findall(r"<th[ >]", table))
            rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
            assert rows and all(len(re.findall(r"<td[ >]", row)) == width for row in rows), table


def test_hostile_names_and_seed_stay_text_in_html(hostile: Path) -> None:
    for lang in ("nl", "en"):
        page = render(folder_report(hostile), "html", lang)
        assert "<script" not in page and "<img" not in page
        assert html.escape(SCRIPT_CAT) in page and html.escape(IMG) in page and html.escape(SEED) in page


# --- order, population, language ----------------------------------------------------------------------------


def test_values_in_quota_file_order_and_population_side_by_side(hostile: Path) -> None:
    _, lottery = read_lottery(hostile.parent / "lottery.json")
    assert lottery["category_order"] == [SCRIPT_CAT, HEAD_CAT]
    assert lottery["value_order"] == VALUE_ORDER
    assert lottery["population_shares"] == {SCRIPT_CAT: POPULATION}
    assert list(lottery["categories"]) == sorted(VALUE_ORDER)  # the rules stay canonical (sorted)
    data = folder_report(hostile)
    assert [(r.category, r.value) for r in data.rows] == [(c, v) for c, vs in VALUE_ORDER.items() for v in vs]
    assert [r.population for r in data.rows] == [0.5, 0.3, 0.2, None, None, None]
    assert data.verified  # the new fields do not disturb verification
    md = render(data, "md", "nl")
    assert "| waarde | bevolking | aangemeld | quotum | panel |" in md
    assert "| zz | 50% | 10 (33%) | 1–3 |" in md
    page = render(data, "html", "en")
    assert "share of the population" in page and "<th class=\"n\">population</th>" in page


def test_lottery_without_order_falls_back_to_sorted(hostile: Path) -> None:
    _, lottery = read_lottery(hostile.parent / "lottery.json")
    _, record = read_draw(hostile)
    for key in ("category_order", "value_order", "population_shares"):
        del lottery[key]
    data = build_report(lottery, record, VerifyReport(()), None)
    assert [(r.category, r.value) for r in data.rows] == [
        (c, v) for c in sorted(VALUE_ORDER) for v in sorted(VALUE_ORDER[c])]
    assert not data.has_population and "bevolking" not in render(data, "md", "nl")


def test_propose_keeps_population_shares_in_the_quota_file(tmp_path: Path) -> None:
    margins = tmp_path / "margins.csv"
    margins.write_text("category,value,share\nage,16-29,300\nage,30+,700\n", encoding="utf-8")
    spec = propose_quotas(margins, 10)
    assert [v.population for v in spec.categories[0].values] == [0.3, 0.7]
    text = dump_yaml(spec)
    assert "population: 0.3}" in text and "population: 0.7}" in text
    out = tmp_path / "q.yaml"
    out.write_text(text, encoding="utf-8")
    again = load_quotas(out)
    assert [v.population for v in again.categories[0].values] == [0.3, 0.7]
    assert spec_from_dict(spec_to_dict(spec)) == spec
    assert spec_to_dict(spec)["categories"]["age"]["16-29"] == {"min": 2, "max": 4, "population": 0.3}


@pytest.mark.parametrize("bad", ["1.5", "-0.1", "abc", "150%", ".nan"])
def test_population_share_out_of_range_is_refused(tmp_path: Path, bad: str) -> None:
    quotas = tmp_path / "q.yaml"
    quotas.write_text(f"panel_size: 2\ncategories:\n  g:\n    a: {{min: 1, max: 1, population: {bad}}}\n"
                      "    b: {min: 1, max: 1}\n", encoding="utf-8")
    with pytest.raises(Exception, match="population") as info:
        load_quotas(quotas)
    assert type(info.value).__name__ == "QuotaError"


def test_percent_population_is_read(tmp_path: Path) -> None:
    quotas = tmp_path / "q.yaml"
    quotas.write_text("panel_size: 2\ncategories:\n  g:\n    a: {min: 1, max: 1, population: 40%}\n"
                      "    b: {min: 1, max: 1, population: '60,5%'}\n", encoding="utf-8")
    assert [v.population for v in load_quotas(quotas).categories[0].values] == [0.4, 0.605]


def test_report_language_recorded_at_draw_and_kept(hostile: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(hostile.parent, folder)
    record = folder / "draw.json"
    ledger = read_ledger(folder)
    assert ledger is not None
    assert [e.get("report_lang") for e in ledger.entries if e.get("event") == "draw"] == ["en"]
    assert (folder / "report.md").read_text(encoding="utf-8").startswith("# Draw report")
    replace(record, [read_draw(record)[1]["panel"][0]])  # no language given: the draw's is kept
    assert (folder / "report.md").read_text(encoding="utf-8").startswith("# Draw report")
    # a same-seed re-run without a language keeps it too
    draw(folder / "lottery.json", SEED, published_before_seed=True)
    assert (folder / "report.md").read_text(encoding="utf-8").startswith("# Draw report")
    lines = len((folder / "ledger.jsonl").read_bytes().splitlines())
    # the same language again: nothing new in the ledger
    draw(folder / "lottery.json", SEED, report_lang="en", published_before_seed=True)
    assert len((folder / "ledger.jsonl").read_bytes().splitlines()) == lines
    assert "<html lang=\"en\">" in (folder / "report.html").read_text(encoding="utf-8")
    before = (folder / "report.html").read_bytes()
    result = CliRunner().invoke(app, ["report", str(record), "--lang", "nl"])
    assert result.exit_code == 0, result.output
    assert (folder / "report.html").read_bytes() == before  # the published English report is untouched
    assert (folder / "report.nl.html").read_text(encoding="utf-8").count('<html lang="nl">') == 1
    assert write_report(record, fmt="md") == folder / "report.md"  # no language: the published one
    assert write_report(record, fmt="md", lang="en") == folder / "report.md"
    assert write_report(record, fmt="md", lang="nl", output=tmp_path / "x.md") == tmp_path / "x.md"
    # the official switches the published language
    draw(folder / "lottery.json", SEED, report_lang="nl", published_before_seed=True)
    ledger = read_ledger(folder)
    assert ledger is not None and ledger.entries[-1].get("event") == "report_lang"
    assert (folder / "report.md").read_text(encoding="utf-8").startswith("# Verslag van de loting")
    assert write_report(record, fmt="md") == folder / "report.md"  # and report follows it


def test_dutch_by_default_when_nothing_recorded(tmp_path: Path) -> None:
    pool, quotas = hostile_files(tmp_path / "in")
    prep = prepare(pool, quotas, tmp_path / "out", algorithm=Algorithm.LEGACY, legacy_runs=20)
    result = draw(prep.lottery_path, "dice 1 2 3", published_before_seed=True)
    assert result.report_path.read_text(encoding="utf-8").count('<html lang="nl">') == 1
    assert write_report(result.draw_path, lang="en") == tmp_path / "out" / "report.en.html"


# --- wholly Dutch, plain numbers --------------------------------------------------------------------------


def test_every_check_and_statistic_has_both_languages() -> None:
    for key in CHECK_NAMES:
        assert has_text(f"check_{key}") and has_text(f"explain_{key}"), key
    for key in ("distribution_min_probability", "time_limit_reached", "rounding_max_deviation",
                "rounding_bound", "legacy_min_probability"):
        assert has_text(f"stat_{key}") and has_text(f"explain_{key}"), key


def test_numbers_and_plurals() -> None:
    assert number(0.25, "nl") == "0,25" and number(0.25, "en") == "0.25"
    assert percent(0.125, "nl", 1) == "12,5%" and percent(0.125, "en", 1) == "12.5%"
    assert count(1, "person", "nl") == "1 persoon" and count(2, "person", "nl") == "2 personen"
    assert count(0, "person", "nl") == "0 personen" and count(1, "person", "en") == "1 person"
    assert count(1, "line", "nl") == "1 regel"


def test_dutch_report_is_wholly_dutch(hostile: Path) -> None:
    data = folder_report(hostile)
    stats = {"distribution_min_probability": 0.05, "time_limit_reached": 0, "rounding_max_deviation": 0.0012,
             "rounding_bound": 0.0123}
    data = type(data)(**{**data.__dict__, "statistics": stats, "reserves": 1})
    for fmt in ("md", "html"):
        nl = render(data, fmt, "nl")
        for name in CHECK_NAMES.values():
            assert name == "commitment" or name not in nl, name  # "commitment" is a Dutch word too
        for english in ("Theoretical", "bound", "0.0000", "1 personen", "people", "Verification", "(none)"):
            assert english not in nl, english
        assert "Tijdslimiet bereikt" in nl and ": nee" in nl.replace("**", "").replace("</strong>", "")
        assert "0,12%" in nl and "Op de reservelijst: 1 persoon" in nl
        fairness = re.sub(r"<[^>]+>", "", nl.split("Kans om gekozen te worden")[-1].split("Controle")[0])
        assert re.search(r"\d\.\d", fairness) is None and re.search(r"\d,\d", fairness)
        en = render(data, fmt, "en")
        assert "0.12%" in en and "On the reserve list: 1 person" in en and "Time limit reached" in en
        for check in CHECK_NAMES:
            if check in {c.key for c in data.checks}:
                assert has_text(f"check_{check}")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_population_and_replacement_columns_fit_a_phone(hostile: Path, tmp_path: Path, lang: str) -> None:
    """Six columns (value, population, pool, quota, panel, panel now) and a long name fit 400 px."""
    from test_report import overflow_at  # the Chromium helpers of the report tests

    folder = tmp_path / "copy"
    shutil.copytree(hostile.parent, folder)
    replace(folder / "draw.json", [read_draw(folder / "draw.json")[1]["panel"][0]])
    page = write_report(folder / "draw.json", fmt="html", lang=lang, output=tmp_path / "r.html")
    assert "<th class=\"n\">" + ("panel nu" if lang == "nl" else "panel now") in page.read_text(encoding="utf-8")
    measured = overflow_at(page, tmp_path, 400)
    assert measured["client"] == 400 and measured["scroll"] <= 400 and not measured["bad"], measured
