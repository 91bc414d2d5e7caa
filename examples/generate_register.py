"""Write synthetic resident registers (no real person) for the invitation examples and the benchmark.

Households of 1 to 6 people share an address (postcode, huisnummer, toevoeging); ages follow a rough
Dutch population pyramid (adults head a household, children live with them); each postcode area lies in
one district. Everything comes from a seeded numpy generator, so a run writes the same bytes every time.

    python examples/generate_register.py                 # rewrite examples/*/register.csv
    python examples/generate_register.py --rows 1000000 --out /tmp/register.csv
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REFERENCE = dt.date(2027, 1, 1)
FIRST_NAMES = ("Anouk", "Daan", "Fatima", "Sem", "Noor", "Mohamed", "Emma", "Lucas", "Sanne", "Jan", "Yara",
               "Bram", "Lotte", "Mehmet", "Eva", "Thijs", "Ayla", "Ruben", "Julia", "Kees")
LAST_NAMES = ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Yilmaz", "de Jong", "Meijer", "El Amrani",
              "Mulder", "Bos", "Vos", "Peters", "Hendriks", "Dekker", "Kaya", "van Dijk", "Brouwer")
SUFFIXES = ("", "", "", "", "", "", "", "", "A", "B", "1", "2", "bis", "rood")
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6)
HOUSEHOLD_WEIGHTS = (0.39, 0.33, 0.12, 0.11, 0.04, 0.01)


def register_frame(n: int, districts: Sequence[str], weights: Sequence[float], *, seed: int = 1,
                   start: int = 0, district_column: str = "wijk") -> pd.DataFrame:
    """A synthetic register of ``n`` people (deterministic for a given ``seed``)."""
    rng = np.random.default_rng(seed)
    sizes = rng.choice(HOUSEHOLD_SIZES, size=n // 2 + 10, p=HOUSEHOLD_WEIGHTS)
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), n)) + 1]
    household = np.repeat(np.arange(len(sizes)), sizes)[:n]
    member = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)[:n]
    area = household // 60                                   # about 60 addresses per postcode
    w = np.asarray(weights, dtype=float)
    area_district = rng.choice(len(districts), size=int(area.max()) + 1, p=w / w.sum())
    head_age = np.minimum(rng.gamma(6.0, 8.0, size=len(sizes)) + 18, 101).astype(np.int64)
    ages = np.where(member == 0, head_age[household],
                    np.where(member == 1, np.clip(head_age[household] + rng.integers(-6, 7, n), 18, 101),
                             np.clip(head_age[household] - 24 - rng.integers(0, 14, n), 0, 40)))
    born = (np.datetime64(REFERENCE.isoformat()) - (ages * 365.25 + rng.integers(1, 365, n)).astype("timedelta64[D]"))
    letters = np.array([a + b for a in "ABCDEGHJKLMNPRSTVWXZ" for b in "ABCDEGHJKLMNPRSTVWXZ"], dtype=object)
    digits = 2000 + (area // len(letters)) % 9000
    frame = pd.DataFrame({
        "person_id": [f"R{(start + i) * 7919 % 1_000_000_007:010d}" for i in range(n)],
        "voornaam": np.array(FIRST_NAMES, dtype=object)[rng.integers(0, len(FIRST_NAMES), n)],
        "achternaam": np.array(LAST_NAMES, dtype=object)[rng.integers(0, len(LAST_NAMES), len(sizes))][household],
        "geboortedatum": born.astype(str),
        "geslacht": np.where(rng.random(n) < 0.5, "V", "M"),
        "postcode": pd.Series(digits.astype(str), dtype=object) + " " + letters[area % len(letters)],
        "huisnummer": (household % 60 + 1).astype(str),
        "toevoeging": np.array(SUFFIXES, dtype=object)[rng.integers(0, len(SUFFIXES), len(sizes))][household],
        district_column: np.array(districts, dtype=object)[area_district[area]],
    })
    return frame


def write_register(path: Path, n: int, districts: Sequence[str], weights: Sequence[float], *, seed: int = 1,
                   sep: str = ",", encoding: str = "utf-8", district_column: str = "wijk",
                   chunk: int = 1_000_000) -> None:
    """Write a register of ``n`` rows in chunks (so 17.5 million rows fit in memory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as fh:
        for i, lo in enumerate(range(0, n, chunk)):
            part = register_frame(min(chunk, n - lo), districts, weights, seed=seed * 1000 + i, start=lo,
                                  district_column=district_column)
            part["huisnummer"] = part["huisnummer"] + np.where(i, f"-{i}", "")  # chunks never share an address
            part.to_csv(fh, sep=sep, index=False, header=(i == 0), lineterminator="\n")


SCHALKWIJK = (("Boerhaavewijk", "Europawijk", "Meerwijk", "Molenwijk", "Schalkwijk-Midden"),
              (0.2, 0.22, 0.24, 0.14, 0.2))
HAARLEM = (("Centrum", "Haarlem-Noord", "Haarlem-Oost", "Schalkwijk", "Zuid-West"), (0.2, 0.28, 0.17, 0.2, 0.15))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, help="write one register of this many rows to --out")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.rows:
        write_register(args.out or Path("register.csv"), args.rows, *HAARLEM)
        return
    write_register(HERE / "schalkwijk-trees" / "register.csv", 3000, *SCHALKWIJK, seed=11, sep=";",
                   encoding="cp1252")
    write_register(HERE / "veiligheid" / "register.csv", 4000, *HAARLEM, seed=12, district_column="stadsdeel")


if __name__ == "__main__":
    main()
