"""Hardening figures for issue 7: bad inputs tried, mutations tried, crash points, reproducibility.

Runs the hardening tests with many more examples than the test suite (``--examples``, default 20,000 files
per generator), every byte flipped, and the reproducibility run in a fresh venv; writes
``benchmarks/results/hardening.json``.

    python benchmarks/hardening.py                 # everything (the fresh venv takes a few minutes)
    python benchmarks/hardening.py --examples 2000 --no-venv
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "hardening.json"
TESTS = ["tests/test_bad_input.py", "tests/test_tamper.py", "tests/test_crash.py", "tests/test_reproducible.py",
         "tests/test_spreadsheet_safety.py", "tests/test_privacy.py"]


def run_tests(examples: int, counts: Path) -> dict[str, object]:
    env = {**os.environ, "SORTITION_FUZZ_EXAMPLES": str(examples), "SORTITION_TAMPER_ALL": "1",
           "SORTITION_HARDENING_OUT": str(counts)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS], cwd=ROOT,
                          env=env, capture_output=True, text=True)
    return {"pytest_exit_code": done.returncode, "seconds": round(time.perf_counter() - start, 1),
            "summary": done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:]}


def fresh_venv() -> dict[str, object]:
    """Install the package in a new venv and compare its digests with the dev venv's."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_protocol import write_pool
    from test_reproducible import run_once

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pool, quotas = write_pool(folder)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True)
        python = str(folder / "venv" / "bin" / "python")
        pip = subprocess.run([python, "-m", "pip", "install", "-q", "-e", str(ROOT)], capture_output=True, text=True)
        if pip.returncode != 0:
            return {"skipped": f"pip install failed: {pip.stderr.strip()[-300:]}"}
        install = round(time.perf_counter() - start, 1)
        dev = run_once(sys.executable, pool, quotas, folder / "dev", "0")
        new = run_once(python, pool, quotas, folder / "new", "0")
        return {"install_seconds": install, "files_compared": len(dev), "identical": dev == new,
                "differences": sorted(k for k in dev if dev[k] != new.get(k))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=20_000, help="generated files per generator")
    parser.add_argument("--no-venv", action="store_true", help="skip the fresh-venv reproducibility run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        counts = Path(tmp) / "counts.json"
        tests = run_tests(args.examples, counts)
        figures = json.loads(counts.read_text()) if counts.exists() else {}
    out = {"examples_per_generator": args.examples, "tests": tests, "counts": figures,
           "fresh_venv": None if args.no_venv else fresh_venv()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
