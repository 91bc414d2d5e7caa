"""Run sortition-algorithms' maximin on a problem dump; run by the python of its own venv, not ours.

sortition-algorithms (another project, GPL) installs a console script also called ``sortition``, which would
shadow ours, so it lives in its own venv, made once::

    python3 -m venv benchmarks/.venv-other
    benchmarks/.venv-other/bin/pip install sortition-algorithms==0.12.15

    benchmarks/.venv-other/bin/python benchmarks/other_tool.py PROBLEM.json

``benchmarks/fairness.py`` writes the dump and runs this script. The dump is JSON::

    {"panel_size": 35,
     "categories": {"c0": {"v00": [min, max], ...}, ...},
     "people": [{"id": "S000001", "household": "H000001", "c0": "v00", ...}, ...],
     "households": true}

The script calls the package as a library (its ``People``, ``FeatureValueMinMax`` and
``find_distribution_maximin``, with the default solver backend); none of its code is copied. It prints one
JSON object: ``{"seconds": <distribution step>, "committees": <count>, "marginals": {id: probability},
"version": <package version>}``. It imports nothing of this project (which is not installed in that venv).
"""

from __future__ import annotations

import json
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

HOUSEHOLD_COLUMN = "household"


def run(dump: dict[str, Any]) -> dict[str, Any]:
    """The other tool's maximin distribution of the dumped problem, timed (distribution step only)."""
    from sortition_algorithms.committee_generation.maximin import find_distribution_maximin
    from sortition_algorithms.features import FeatureValueMinMax
    from sortition_algorithms.people import People

    features = {cat: {value: FeatureValueMinMax(min=int(lo), max=int(hi)) for value, (lo, hi) in values.items()}
                for cat, values in dump["categories"].items()}
    households = bool(dump.get("households"))
    address_columns = [HOUSEHOLD_COLUMN] if households else []
    people = People(columns_to_keep=address_columns)
    for row, person in enumerate(dump["people"], start=2):
        data = {cat: person[cat] for cat in dump["categories"]}
        if households:
            data[HOUSEHOLD_COLUMN] = person[HOUSEHOLD_COLUMN]
        people.add(person["id"], data, features, row)
    start = time.perf_counter()
    committees, probabilities, _ = find_distribution_maximin(features, people, int(dump["panel_size"]),
                                                             address_columns)
    seconds = time.perf_counter() - start
    marginals = dict.fromkeys((person["id"] for person in dump["people"]), 0.0)
    for committee, weight in zip(committees, probabilities, strict=True):
        for ident in committee:
            marginals[ident] += float(weight)
    return {"seconds": seconds, "committees": len(committees), "marginals": marginals,
            "version": version("sortition-algorithms")}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write(__doc__ or "")
        return 2
    dump = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    result = run(dump)
    sys.stdout.write("\n" + json.dumps(result) + "\n")  # the last line is the result; the tool may print before
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
