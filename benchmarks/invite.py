"""Benchmark stage 1 (invitations) on a synthetic register of a chosen size.

Generates a deterministic register (``examples/generate_register.py``: realistic ages, districts and
households), runs ``invite prepare`` + ``invite draw`` (strata district x age band, at most one person per
address, response-corrected allocation), and, in a separate process, a plain pandas
``groupby(strata).sample(...)`` as the speed reference (not verifiable, only for the ratio). Each phase runs
in its own process so its peak RSS is its own. Prints rows/s, peak RSS and the ratio; writes JSON.

    python benchmarks/invite.py --rows 1000000
    python benchmarks/invite.py --rows 17500000 --letters 20000
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "invite.json"
PLAN = """letters: {letters}
strata: [wijk, age_band]
columns: {{id: person_id, birth_date: geboortedatum, wijk: wijk, address: [postcode, huisnummer, toevoeging]}}
age_bands: [16, 30, 45, 65]
reference_date: 2027-01-01
min_age: 16
households: {households}
expected_response: {{16-29: 0.03, 30-44: 0.05, 45-64: 0.07, 65+: 0.08}}
reserves: 1
"""


def _peak_rss_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the hashing workers): on a busy machine the
    wall times vary, this does not."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_ours(register: Path, plan: Path, out: Path) -> dict[str, float]:
    from sortition.invite import draw_invitations, prepare_invitations

    t0 = time.perf_counter()
    prep = prepare_invitations(register, plan, out, force=True)
    t1 = time.perf_counter()
    result = draw_invitations(prep.plan_path, register, "benchmark seed")
    t2 = time.perf_counter()
    return {"prepare_s": t1 - t0, "draw_s": t2 - t1, "total_s": t2 - t0, "letters": result.letters,
            "peak_rss_mib": _peak_rss_mib(), "cpu_s": _cpu_s()}


def run_reference(register: Path, letters: int) -> dict[str, float]:
    import numpy as np
    import pandas as pd

    t0 = time.perf_counter()
    frame = pd.read_csv(register, usecols=["person_id", "geboortedatum", "wijk"], dtype={"wijk": "category"})
    born = pd.to_datetime(frame["geboortedatum"], format="%Y-%m-%d")
    ref = pd.Timestamp("2027-01-01")
    age = ref.year - born.dt.year - ((born.dt.month * 100 + born.dt.day) > 101).astype(int)
    frame = frame[age >= 16]
    frame["band"] = pd.cut(age[age >= 16], [15, 29, 44, 64, 200], labels=["16-29", "30-44", "45-64", "65+"])
    frac = letters / len(frame)
    sample = frame.groupby(["wijk", "band"], observed=True).sample(frac=frac, random_state=np.random.default_rng(1))
    t1 = time.perf_counter()
    return {"total_s": t1 - t0, "letters": len(sample), "peak_rss_mib": _peak_rss_mib(), "cpu_s": _cpu_s()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--letters", type=int, default=5000)
    parser.add_argument("--households", default="one_person_per_address")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "sortition-bench")
    parser.add_argument("--phase", choices=["ours", "reference"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    register = args.cache / f"register-{args.rows}.csv"
    plan = args.cache / f"plan-{args.letters}-{args.households}.yaml"
    if args.phase == "ours":
        print(json.dumps(run_ours(register, plan, args.cache / "out")))
        return
    if args.phase == "reference":
        print(json.dumps(run_reference(register, args.letters)))
        return
    sys.path.insert(0, str(ROOT / "examples"))
    from generate_register import HAARLEM, write_register

    args.cache.mkdir(parents=True, exist_ok=True)
    if not register.exists():
        t = time.perf_counter()
        write_register(register, args.rows, HAARLEM[0], HAARLEM[1])
        print(f"generated {register} in {time.perf_counter() - t:.1f} s", flush=True)
    plan.write_text(PLAN.format(letters=args.letters, households=args.households), encoding="utf-8")
    shutil.rmtree(args.cache / "out", ignore_errors=True)
    results = {}
    for phase in ("ours", "reference"):
        cmd = [sys.executable, __file__, "--rows", str(args.rows), "--letters", str(args.letters),
               "--households", args.households, "--cache", str(args.cache), "--phase", phase]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        results[phase] = json.loads(out.strip().splitlines()[-1])
    ours, ref = results["ours"], results["reference"]
    summary = {"rows": args.rows, "letters": args.letters, "households": args.households, "ours": ours,
               "pandas_groupby_sample": ref, "ours_rows_per_s": args.rows / ours["total_s"],
               "reference_rows_per_s": args.rows / ref["total_s"], "ratio": ours["total_s"] / ref["total_s"],
               "register_mib": register.stat().st_size / 2**20}
    print(f"{args.rows:,} rows: prepare {ours['prepare_s']:.1f} s + draw {ours['draw_s']:.1f} s = "
          f"{ours['total_s']:.1f} s ({summary['ours_rows_per_s']:,.0f} rows/s), "
          f"peak RSS {ours['peak_rss_mib']:,.0f} MiB")
    print(f"pandas groupby.sample: {ref['total_s']:.1f} s ({summary['reference_rows_per_s']:,.0f} rows/s), peak RSS "
          f"{ref['peak_rss_mib']:,.0f} MiB; ratio ours/pandas = {summary['ratio']:.1f}")
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing[str(args.rows)] = summary
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(existing, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
