"""Write the synthetic example pools, quotas and population margins (no real person's data).

Two scenarios, each into its own folder next to this script:

- ``schalkwijk-trees``: a burgerpanel of 24 on street trees in Haarlem's Schalkwijk district, from a pool
  of 240 volunteers; ``pool.csv`` is ``;``-separated cp1252 with CRLF line ends, like a Dutch
  spreadsheet export.
- ``veiligheid``: a city-wide burgerpanel of 40 on residents' sense of safety, from 600 volunteers across
  Haarlem's stadsdelen; ``pool.csv`` is ``,``-separated UTF-8 with a byte-order mark.

Every name, address, e-mail address and id is made up: names are random combinations from the lists below,
streets are generic Dutch street names, e-mail addresses use the reserved domain example.org. The pools
carry two realistic problems a real pool has: volunteers who share an address (households of 1 to 4, so the
household rule matters) and self-selection (older and more highly educated residents volunteer more).

The quotas are the population share times the panel size, rounded by the largest-remainder method, plus or
minus a tolerance: the script derives them from ``population.csv`` with ``quotas.propose.propose_quotas``,
the function behind ``sortition quotas propose``. Before writing anything it reads the files back as
``sortition check`` does (``quotas.io.load_quotas``, ``sortition.pool.load_pool``) and asks the library's
panel model (``quotas.solver.PanelModel``) whether a panel meeting the quotas exists, with at most one
person per household.

Run from anywhere; the output is byte-for-byte the same on every run::

    python examples/generate.py              # rewrite the committed files
    python examples/generate.py --out DIR    # write DIR/schalkwijk-trees/... and DIR/veiligheid/...
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from quotas.errors import SortitionError
from quotas.io import load_quotas
from quotas.model import QuotaSpec
from quotas.propose import propose_quotas
from quotas.solver import PanelModel
from sortition.pool import load_pool

HERE = Path(__file__).resolve().parent
HOUSEHOLD_COLUMNS = ("straat", "huisnummer", "postcode")
EMAIL_DOMAIN = "example.org"  # reserved for examples (RFC 2606): no real mailbox can be hit

# Volunteers per address: most alone, some with a partner or housemates, a few whole families.
HOUSEHOLD_SIZES = ((1, 0.62), (2, 0.26), (3, 0.08), (4, 0.04))

# Common Dutch first names, and names common in Haarlem's Turkish, Moroccan and Surinamese communities.
# Some carry accents that cp1252 can encode, so the cp1252 export is really exercised.
FIRST_NAMES = {
    "vrouw": ("Anna", "Emma", "Sophie", "Julia", "Lotte", "Sanne", "Fleur", "Eva", "Lisa", "Anouk", "Iris",
              "Maria", "Johanna", "Cornelia", "Wilhelmina", "Ingrid", "Marieke", "Annemarie", "Petra",
              "Monique", "Ria", "Zoë", "Chloë", "Noëlle", "Fatima", "Samira", "Nadia", "Elif", "Ayla",
              "Hatice", "Priya", "Sharmila", "Esmée", "Renée", "Inès"),
    "man": ("Jan", "Pieter", "Kees", "Willem", "Hendrik", "Cornelis", "Gerrit", "Dirk", "Bas", "Thijs",
            "Daan", "Lucas", "Sem", "Noah", "Bram", "Ruben", "Martijn", "Jeroen", "Erik", "Hans", "Ton",
            "René", "Noël", "Mohamed", "Youssef", "Ahmed", "Karim", "Mehmet", "Emre", "Murat", "Ravi",
            "Rajesh", "Gaël", "Joël"),
    "anders": ("Sam", "Robin", "Kim", "Noa", "Alex", "Charlie", "Jip", "Mika", "Eden", "Lou"),
}
LAST_NAMES = (
    "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
    "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra",
    "Smits", "de Graaf", "van der Meer", "Kok", "Jacobs", "Vermeulen", "van Dijk", "Koster", "Prins",
    "Huisman", "Kuipers", "van der Linden", "Schouten", "Postma", "Verhoeven", "Willems", "van Vliet",
    "El Amrani", "El Idrissi", "Bouzid", "Tahiri", "Yilmaz", "Öztürk", "Çelik", "Kaya", "Demir",
    "Ramdin", "Mahabier", "Kromodimedjo", "Pinas", "Dogan",
)
# Generic street names (tree, flower and bird names occur in most Dutch towns); no real address is meant.
STREET_STEMS = ("Lindenlaan", "Iepenstraat", "Kastanjeplein", "Berkenhof", "Esdoornlaan", "Platanenstraat",
                "Wilgenweg", "Populierenlaan", "Elzenhof", "Meidoornstraat", "Acaciastraat", "Eikenlaan",
                "Beukenhof", "Vlierstraat", "Hazelaarweg", "Lijsterbesstraat", "Tulpenhof", "Narcisstraat",
                "Krokuslaan", "Irisplein", "Merelstraat", "Vinkenlaan", "Reigerhof", "Zwaluwstraat",
                "Spreeuwenweg", "Kievitlaan", "Meeuwenhof", "Roerdompstraat", "Fuutlaan", "Ooievaarsweg",
                "Lavendelstraat", "Goudsbloemlaan", "Zonnebloemhof", "Klaproosstraat", "Korenbloemweg",
                "Madeliefstraat", "Hyacintenlaan", "Sneeuwklokjeshof", "Leeuwerikstraat", "Roodborstlaan",
                "Koolmeesstraat", "Winterkoninghof", "Nachtegaalweg", "Kwikstaartlaan", "Sperwerstraat",
                "Valkenhof", "Uilenweg", "Zilverreigerlaan", "Hulstlaan", "Taxusstraat", "Jeneverbeshof",
                "Vogelkersstraat", "Kornoeljelaan", "Ratelpopulierweg", "Notenhof", "Perenlaan")
STREETS_PER_PC4 = 3


@dataclass(frozen=True)
class Value:
    """One value of a category: its population share and how much more likely such people volunteer."""

    name: str
    share: float
    bias: float


@dataclass(frozen=True)
class Area:
    """A wijk or stadsdeel: its values for the area category and the postcode areas (PC4) it spans."""

    value: Value
    pc4: tuple[int, ...]


@dataclass(frozen=True)
class Scenario:
    """Everything that defines one example folder."""

    folder: str
    seed: int
    pool_size: int
    panel_size: int
    tolerance: int
    area_column: str
    areas: tuple[Area, ...]
    person_categories: tuple[tuple[str, tuple[Value, ...]], ...]
    delimiter: str
    encoding: str
    line_end: str

    def categories(self) -> list[tuple[str, tuple[Value, ...]]]:
        """All quota categories in column order: the person categories with the area after leeftijd."""
        cats = list(self.person_categories)
        cats.insert(2, (self.area_column, tuple(a.value for a in self.areas)))
        return cats

    def columns(self) -> list[str]:
        return ["id", "voornaam", "achternaam", "email", *HOUSEHOLD_COLUMNS,
                *(name for name, _ in self.categories())]


# Population shares are invented but CBS-like (residents aged 16 and over); bias > 1: volunteers more often.
GESLACHT = ("geslacht", (Value("vrouw", 0.505, 1.05), Value("man", 0.485, 0.95), Value("anders", 0.010, 2.0)))
LEEFTIJD = ("leeftijd", (Value("16-29", 0.21, 0.45), Value("30-44", 0.26, 0.8), Value("45-64", 0.33, 1.2),
                         Value("65+", 0.20, 1.6)))

SCHALKWIJK = Scenario(
    folder="schalkwijk-trees", seed=20240611, pool_size=240, panel_size=24, tolerance=1, area_column="wijk",
    areas=(Area(Value("Boerhaavewijk", 0.22, 0.8), (2033, 2035)),
           Area(Value("Europawijk", 0.21, 1.0), (2033, 2034)),
           Area(Value("Meerwijk", 0.24, 0.9), (2034, 2036)),
           Area(Value("Molenwijk", 0.15, 1.2), (2036, 2037)),
           Area(Value("Schalkwijk-Midden", 0.18, 1.1), (2035, 2037))),
    person_categories=(
        GESLACHT, LEEFTIJD,
        ("opleiding", (Value("laag", 0.38, 0.6), Value("midden", 0.38, 1.0), Value("hoog", 0.24, 1.7))),
        # From an (invented) resident survey; people who care about trees sign up more.
        ("mening_bomen", (Value("meer bomen", 0.45, 1.2), Value("neutraal", 0.35, 0.8),
                          Value("minder bomen", 0.20, 0.9))),
    ),
    delimiter=";", encoding="cp1252", line_end="\r\n",
)

VEILIGHEID = Scenario(
    folder="veiligheid", seed=20240917, pool_size=600, panel_size=40, tolerance=2, area_column="stadsdeel",
    areas=(Area(Value("Centrum", 0.17, 1.2), (2011, 2012)),
           Area(Value("Haarlem-Noord", 0.26, 1.0), (2021, 2022, 2023, 2024, 2025)),
           Area(Value("Haarlem-Oost", 0.17, 0.9), (2031, 2032)),
           Area(Value("Schalkwijk", 0.20, 0.7), (2033, 2034, 2035, 2036, 2037)),
           Area(Value("Zuid-West", 0.20, 1.3), (2013, 2014, 2015, 2026))),
    person_categories=(
        GESLACHT, LEEFTIJD,
        ("opleiding", (Value("laag", 0.28, 0.6), Value("midden", 0.36, 0.9), Value("hoog", 0.36, 1.4))),
    ),
    delimiter=",", encoding="utf-8-sig", line_end="\n",
)

SCENARIOS = (SCHALKWIJK, VEILIGHEID)


# ------------------------------------------------------------------------------------------- random draws


def pick(rng: np.random.Generator, weights: Sequence[float]) -> int:
    """Index drawn with probability proportional to ``weights``.

    Only ``Generator.random()`` is used (not ``choice``), so the files stay the same across numpy versions.
    """
    total = math.fsum(weights)
    u = float(rng.random()) * total
    acc = 0.0
    for i, w in enumerate(weights):
        acc += w
        if u < acc:
            return i
    return len(weights) - 1


def pick_name(rng: np.random.Generator, names: Sequence[str]) -> str:
    return names[pick(rng, [1.0] * len(names))]


def volunteer_weights(values: Sequence[Value]) -> list[float]:
    """Share of each value among volunteers: population share tilted by the self-selection bias."""
    return [v.share * v.bias for v in values]


# ----------------------------------------------------------------------------------------------- the pool


class AddressBook:
    """Hands out distinct made-up addresses; one postcode per street block, as in the Netherlands."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[tuple[str, str]] = set()
        self.postcodes: dict[tuple[str, int], str] = {}
        self.streets: dict[tuple[str, int], list[str]] = {}

    def _streets_of(self, area: str, pc4: int) -> list[str]:
        # Each (area, PC4) gets its own streets, so a street never spans two wijken or postcode areas.
        if (area, pc4) not in self.streets:
            taken = {s for names in self.streets.values() for s in names}
            free = [s for s in STREET_STEMS if s not in taken]
            chosen: list[str] = []
            while len(chosen) < STREETS_PER_PC4:
                chosen.append(free.pop(pick(self.rng, [1.0] * len(free))))
            self.streets[area, pc4] = chosen
        return self.streets[area, pc4]

    def _postcode(self, pc4: int, street: str, number: int) -> str:
        key = (street, number // 40)
        if key not in self.postcodes:
            letters = "ABCDEGHJKLMNPRSTVWXZ"
            while True:
                pair = "".join(letters[pick(self.rng, [1.0] * len(letters))] for _ in range(2))
                code = f"{pc4} {pair}"
                # Skip the letter pairs PostNL does not use, and codes already given to another block.
                if pair not in ("SA", "SD", "SS") and code not in self.postcodes.values():
                    break
            self.postcodes[key] = code
        return self.postcodes[key]

    def new(self, area: Area) -> tuple[str, str, str]:
        """A fresh (straat, huisnummer, postcode) in ``area``."""
        while True:
            pc4 = area.pc4[pick(self.rng, [1.0] * len(area.pc4))]
            street = pick_name(self.rng, self._streets_of(area.value.name, pc4))
            number = int(self.rng.integers(1, 160))
            suffix = "" if self.rng.random() < 0.85 else "AB"[pick(self.rng, [2.0, 1.0])]
            house = f"{number}{suffix}"
            if (street, house) not in self.used:
                self.used.add((street, house))
                return street, house, self._postcode(pc4, street, number)


def email_local(first: str, last: str) -> str:
    """``voornaam.achternaam`` in plain lower-case ASCII (accents dropped, spaces removed)."""
    def fold(text: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        return "".join(ch for ch in ascii_text.lower() if ch.isalnum())
    return f"{fold(first)}.{fold(last)}"


def make_people(sc: Scenario, rng: np.random.Generator) -> list[dict[str, str]]:
    """The pool, household by household, in the order people signed up (shuffled)."""
    book = AddressBook(rng)
    area_weights = volunteer_weights([a.value for a in sc.areas])
    sizes = [s for s, _ in HOUSEHOLD_SIZES]
    people: list[dict[str, str]] = []
    while len(people) < sc.pool_size:
        size = min(sizes[pick(rng, [p for _, p in HOUSEHOLD_SIZES])], sc.pool_size - len(people))
        area = sc.areas[pick(rng, area_weights)]
        street, house, postcode = book.new(area)
        family = pick_name(rng, LAST_NAMES)
        for _ in range(size):
            person = {"straat": street, "huisnummer": house, "postcode": postcode,
                      sc.area_column: area.value.name}
            for name, values in sc.person_categories:
                person[name] = values[pick(rng, volunteer_weights(values))].name
            person["voornaam"] = pick_name(rng, FIRST_NAMES[person["geslacht"]])
            # Most housemates share a surname; partners and housemates often do not.
            person["achternaam"] = family if rng.random() < 0.7 else pick_name(rng, LAST_NAMES)
            people.append(person)
    order = np.argsort(rng.random(len(people)), kind="stable")
    people = [people[i] for i in order]
    assign_ids_and_emails(people, rng)
    return people


def assign_ids_and_emails(people: list[dict[str, str]], rng: np.random.Generator) -> None:
    """Pseudo-register ids (``P`` + six digits, unique, not in row order) and unique example.org e-mails."""
    ids: set[int] = set()
    seen: Counter[str] = Counter()
    for person in people:
        while True:
            num = int(rng.integers(1, 1_000_000))
            if num not in ids:
                ids.add(num)
                break
        person["id"] = f"P{num:06d}"
        local = email_local(person["voornaam"], person["achternaam"])
        seen[local] += 1
        suffix = "" if seen[local] == 1 else str(seen[local])
        person["email"] = f"{local}{suffix}@{EMAIL_DOMAIN}"


# ------------------------------------------------------------------------------------------------- quotas


def share_text(value: Value) -> str:
    return f"{value.share:.3f}"


def propose(sc: Scenario, population: Path) -> QuotaSpec:
    """The quotas ``sortition quotas propose`` gives for ``population`` (proportional target +/- tolerance).

    They come from the shares exactly as population.csv prints them, so the committed quotas.yaml and the
    CLI agree (tests/test_examples.py checks this).
    """
    return propose_quotas(population, sc.panel_size, tolerance=sc.tolerance,
                          households=HOUSEHOLD_COLUMNS, id_column="id")


def yaml_key(text: str) -> str:
    """A YAML mapping key, quoted unless it is plainly a word (so ``16-29`` and ``65+`` stay strings)."""
    plain = text.replace(" ", "").replace("-", "").replace("_", "")
    if plain.isalpha() and text.lower() not in ("yes", "no", "on", "off", "true", "false", "null", "y", "n"):
        return text
    return f'"{text}"'


def quotas_yaml(sc: Scenario, spec: QuotaSpec) -> str:
    """``spec`` in the quota-file format, with a header naming the example.

    Not ``quotas.io.dump_yaml``: that writes a generic comment header and leaves ``16-29`` unquoted, so the
    committed files would change.
    """
    lines = [
        f"# Synthetic example '{sc.folder}', written by examples/generate.py (do not edit by hand).",
        f"# Each quota is the population share (population.csv) times the panel size, +/- {sc.tolerance}.",
        "# population: the value's share of the population; the report shows it beside pool and panel.",
        f"panel_size: {spec.panel_size}",
        f"id_column: {spec.id_column}",
        f"households: [{', '.join(spec.households)}]",
        "categories:",
    ]
    for cat in spec.categories:
        lines.append(f"  {yaml_key(cat.name)}:")
        width = max(len(yaml_key(v)) for v in cat.value_names()) + 1
        for v in cat.values:
            share = "" if v.population is None else f", population: {v.population:g}"
            lines.append(f"    {(yaml_key(v.value) + ':').ljust(width)} {{min: {v.min}, max: {v.max}{share}}}")
    return "\n".join(lines) + "\n"


def population_csv(sc: Scenario) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["category", "value", "share"])
    for name, values in sc.categories():
        for v in values:
            writer.writerow([name, v.name, share_text(v)])
    return out.getvalue()


def pool_csv(sc: Scenario, people: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sc.delimiter, lineterminator=sc.line_end)
    columns = sc.columns()
    writer.writerow(columns)
    for person in people:
        writer.writerow([person[c] for c in columns])
    return out.getvalue().encode(sc.encoding)


# --------------------------------------------------------------------------------------------- checks


def check_shares(sc: Scenario) -> None:
    for name, values in sc.categories():
        total = math.fsum(v.share for v in values)
        if abs(total - 1.0) > 1e-9:
            raise SystemExit(f"{sc.folder}: the shares of '{name}' add up to {total}, not 1.")


def check_feasible(sc: Scenario, draft: Path) -> None:
    """Fail loudly unless some panel meets every quota with at most one person per household.

    ``draft`` holds the files about to be written; they are read back as ``sortition check`` reads them, so
    this also checks that the pool's encoding, delimiter and values match the quota file.
    """
    try:
        spec = load_quotas(draft / "quotas.yaml")
        pool = load_pool(draft / "pool.csv", spec)
        feasible = PanelModel(pool.problem).is_feasible()
    except SortitionError as exc:  # e.g. a minimum the pool cannot supply; name the file, not the draft folder
        raise SystemExit(f"{sc.folder}: {str(exc).replace(f'{draft}{os.sep}', '')}") from exc
    if not feasible:
        raise SystemExit(f"{sc.folder}: no panel meets the quotas with the household rule; "
                         "change the seed or the shares.")


# ------------------------------------------------------------------------------------------------- main


def write_scenario(sc: Scenario, folder: Path) -> list[Path]:
    """Generate, check and write one scenario; return the files written."""
    check_shares(sc)
    rng = np.random.Generator(np.random.PCG64(sc.seed))
    people = make_people(sc, rng)
    population = population_csv(sc).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="sortition-example-") as tmp:
        draft = Path(tmp)
        (draft / "population.csv").write_bytes(population)
        files = {
            "pool.csv": pool_csv(sc, people),
            "quotas.yaml": quotas_yaml(sc, propose(sc, draft / "population.csv")).encode("utf-8"),
            "population.csv": population,
        }
        for name, data in files.items():
            (draft / name).write_bytes(data)
        check_feasible(sc, draft)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the synthetic example pools and quotas.")
    parser.add_argument("--out", type=Path, default=HERE,
                        help="folder to write the scenario folders into (default: examples/)")
    args = parser.parse_args(argv)
    for sc in SCENARIOS:
        for path in write_scenario(sc, args.out / sc.folder):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
