"""Reproducibility: the same prepare+draw under five PYTHONHASHSEEDs gives byte-identical public files.

Reports carry the ledger's wall-clock times, so they are compared with the times masked. The fresh-venv
comparison takes minutes and needs pip: ``benchmarks/hardening.py`` runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from test_bad_input import record
from test_protocol import write_pool

HERE = Path(__file__).resolve().parent
SALT = "5a" * 32


def run_once(python: str, pool: Path, quotas: Path, out: Path, hashseed: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    done = subprocess.run([python, str(HERE / "repro_run.py"), str(pool), str(quotas), str(out), SALT],
                          env=env, capture_output=True, text=True, check=True, cwd=HERE.parent, timeout=300)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_same_bytes_under_five_hash_seeds(tmp_path: Path) -> None:
    pool, quotas = write_pool(tmp_path)
    results = [run_once(sys.executable, pool, quotas, tmp_path / f"run{seed}", seed)
               for seed in ("0", "1", "42", "4242", "random")]
    assert len(results[0]) == 8
    for other in results[1:]:
        assert other == results[0]
    record("hashseed_runs", len(results))
