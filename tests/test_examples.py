"""The committed examples: reproducible from examples/generate.py, synthetic, and in the documented shape."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from quotas.io import load_quotas
from quotas.propose import propose_quotas

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
GENERATED = ("pool.csv", "quotas.yaml", "population.csv")
HOUSEHOLD = ("straat", "huisnummer", "postcode")

# folder -> (encoding, delimiter, panel size, tolerance, area column, expected categories)
SCENARIOS = {
    "schalkwijk-trees": ("cp1252", ";", 24, 1, "wijk",
                         ["geslacht", "leeftijd", "wijk", "opleiding", "mening_bomen"]),
    "veiligheid": ("utf-8-sig", ",", 40, 2, "stadsdeel", ["geslacht", "leeftijd", "stadsdeel", "opleiding"]),
}


def read_pool(folder: str) -> list[dict[str, str]]:
    encoding, delimiter, *_ = SCENARIOS[folder]
    text = (EXAMPLES / folder / "pool.csv").read_bytes().decode(encoding)
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("examples")
    subprocess.run([sys.executable, str(EXAMPLES / "generate.py"), "--out", str(out)],
                   check=True, capture_output=True, cwd=out)
    return out


@pytest.mark.parametrize("folder", SCENARIOS)
@pytest.mark.parametrize("name", GENERATED)
def test_generate_reproduces_committed_files(regenerated: Path, folder: str, name: str) -> None:
    committed = (EXAMPLES / folder / name).read_bytes()
    assert (regenerated / folder / name).read_bytes() == committed, (
        f"examples/{folder}/{name} is stale: run `python examples/generate.py` and commit the result")


@pytest.mark.parametrize("folder", SCENARIOS)
def test_pool_encoding_and_delimiter(folder: str) -> None:
    encoding, delimiter, *_ = SCENARIOS[folder]
    data = (EXAMPLES / folder / "pool.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    header = data.decode(encoding).splitlines()[0]
    assert header.split(delimiter)[0] == "id"
    if encoding == "cp1252":
        with pytest.raises(UnicodeDecodeError):  # accented names really are cp1252 bytes, not UTF-8
            data.decode("utf-8")


@pytest.mark.parametrize("folder", SCENARIOS)
def test_pool_households_ids_and_emails(folder: str) -> None:
    rows = read_pool(folder)
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 7 and i[0] == "P" and i[1:].isdigit() for i in ids)
    sizes: dict[tuple[str, ...], int] = {}
    for r in rows:
        key = tuple(r[c] for c in HOUSEHOLD)
        sizes[key] = sizes.get(key, 0) + 1
    assert set(sizes.values()) == {1, 2, 3, 4}  # shared addresses exist, so the household rule matters
    emails = [r["email"] for r in rows]
    assert len(set(emails)) == len(emails)
    assert all(e.endswith("@example.org") and e.count("@") == 1 for e in emails)


@pytest.mark.parametrize("folder", SCENARIOS)
def test_pool_shows_self_selection(folder: str) -> None:
    rows = read_pool(folder)
    young = sum(r["leeftijd"] == "16-29" for r in rows) / len(rows)
    old = sum(r["leeftijd"] == "65+" for r in rows) / len(rows)
    assert young < 0.15 < 0.20 < old  # the population shares are 0.21 and 0.20


@pytest.mark.parametrize("folder", SCENARIOS)
def test_quotas_yaml_shape(folder: str) -> None:
    _, _, k, _, _, categories = SCENARIOS[folder]
    data = yaml.safe_load((EXAMPLES / folder / "quotas.yaml").read_text(encoding="utf-8"))
    assert set(data) == {"panel_size", "id_column", "households", "categories"}
    assert data["panel_size"] == k
    assert data["id_column"] == "id"
    assert data["households"] == list(HOUSEHOLD)
    assert list(data["categories"]) == categories
    pool_values = {c: {r[c] for r in read_pool(folder)} for c in categories}
    for name, values in data["categories"].items():
        assert all(isinstance(v, str) for v in values)  # "16-29" and "65+" stay strings
        assert set(values) == pool_values[name]
        for bounds in values.values():
            assert set(bounds) == {"min", "max", "population"}  # population: for the report (issue 17)
            assert 0 < bounds["population"] < 1
            assert 0 <= bounds["min"] <= bounds["max"] <= k
        assert sum(b["min"] for b in values.values()) <= k <= sum(b["max"] for b in values.values())


@pytest.mark.parametrize("folder", SCENARIOS)
def test_quotas_are_what_propose_gives(folder: str) -> None:
    _, _, k, tolerance, _, _ = SCENARIOS[folder]
    spec = load_quotas(EXAMPLES / folder / "quotas.yaml")
    proposed = propose_quotas(EXAMPLES / folder / "population.csv", k, tolerance=tolerance)
    assert spec.categories == proposed.categories
    assert [v.population for _, v in spec.iter_values()] == [v.population for _, v in proposed.iter_values()]
    assert spec.households == HOUSEHOLD


@pytest.mark.parametrize("folder", SCENARIOS)
def test_population_margins_sum_to_one(folder: str) -> None:
    with (EXAMPLES / folder / "population.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    totals: dict[str, float] = {}
    for r in rows:
        totals[r["category"]] = totals.get(r["category"], 0.0) + float(r["share"])
    assert list(totals) == SCENARIOS[folder][5]
    assert all(abs(t - 1.0) < 1e-9 for t in totals.values())


@pytest.mark.parametrize("folder", SCENARIOS)
def test_readme_says_synthetic_and_shows_commands(folder: str) -> None:
    text = (EXAMPLES / folder / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in text.lower()
    assert f"sortition check examples/{folder}/pool.csv examples/{folder}/quotas.yaml" in text
