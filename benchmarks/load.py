"""Load check (issue 7): check and prepare (LEXIMIN) on the largest pools, with time and peak memory.

Each command runs as the real CLI in its own process (``sortition ... --json``), so its peak RSS is its own.
Pools: the paper-shaped n=1727, k=110 (target: prepare under 5 minutes) and n=20,000 volunteers (target: a
clear answer - solved, or the time-limit warning - within the budget). Invitations at 17.5 million rows
are measured by ``benchmarks/invite.py``.

    python benchmarks/load.py [--sizes 1727 20000] [--time-limit 600]
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
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import paper_shaped_problem, write_problem  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "load.json"
SORTITION = [sys.executable, "-c", "from cli.app import main; main()"]


def run_cli(args: list[str]) -> dict[str, object]:
    """Run one CLI command; wall time, peak RSS of that process, exit code and its JSON output."""
    start = time.perf_counter()
    proc = subprocess.Popen([*SORTITION, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    try:
        parsed: object = json.loads(out) if out.strip() else None
    except json.JSONDecodeError:
        parsed = out.strip()[-500:]
    return {"seconds": round(seconds, 2), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
            "exit_code": os.waitstatus_to_exitcode(status), "output": parsed, "stderr": err.strip()[-800:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1727, 20000])
    parser.add_argument("--k", type=int, default=110)
    parser.add_argument("--time-limit", type=float, default=600.0)
    args = parser.parse_args()
    results: dict[str, object] = {"time_limit_s": args.time_limit, "k": args.k, "runs": {}}
    runs: dict[str, object] = results["runs"]  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            pool, quotas = write_problem(paper_shaped_problem(n, args.k, seed=n), Path(tmp) / f"n{n}")
            check = run_cli(["check", str(pool), str(quotas), "--json"])
            prep = run_cli(["prepare", str(pool), str(quotas), "--out", str(Path(tmp) / f"out{n}"), "--json",
                            "--time-limit", str(args.time_limit)])
            runs[str(n)] = {"check": check, "prepare": prep}
            warned = "time limit" in json.dumps(prep.get("output"))
            print(f"n={n:>6}  check {check['seconds']:>7.1f} s {check['peak_rss_mib']:>7.0f} MiB exit "
                  f"{check['exit_code']} | prepare {prep['seconds']:>7.1f} s {prep['peak_rss_mib']:>7.0f} MiB "
                  f"exit {prep['exit_code']}{' (time limit reached)' if warned else ''}", flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
