"""One prepare+draw run for the reproducibility checks: ``python repro_run.py POOL QUOTAS OUT SALT``.

Prints the SHA-256 of lottery.json, draw.json and the reports with the ledger times masked, as JSON.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

from sortition import draw, prepare
from sortition.algorithms.base import Algorithm

TIME = re.compile(rb"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}")


def main(pool: str, quotas: str, out: str, salt: str) -> dict[str, str]:
    folder = Path(out)
    (folder / "private").mkdir(parents=True, exist_ok=True)
    (folder / "private" / "salt").write_text(salt + "\n", encoding="ascii")
    digests: dict[str, str] = {}
    for algorithm in (Algorithm.LEGACY, Algorithm.LEXIMIN):
        sub = folder / algorithm.value
        (sub / "private").mkdir(parents=True, exist_ok=True)
        (sub / "private" / "salt").write_text(salt + "\n", encoding="ascii")
        prep = prepare(pool, quotas, sub, algorithm=algorithm, legacy_runs=200, panels=50, seed_source="dice")
        draw(prep.lottery_path, "dice 1 2 3 4", published_before_seed=True)
        for name in ("lottery.json", "draw.json", "report.html", "report.md"):
            data = TIME.sub(b"<time>", (sub / name).read_bytes())
            digests[f"{algorithm.value}/{name}"] = hashlib.sha256(data).hexdigest()
    return digests


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5]), sort_keys=True))
