"""Fairness and speed benchmark of issue 19 (run on demand, not in CI): our whole ``sortition prepare`` against
sortition-algorithms' maximin, side by side in one run.

Usage::

    python benchmarks/fairness.py [--only NAME ...] [--timeout 900] [--skip-other] [--print-only]

Instances: the shared ones (``../shared/instances``, when that folder exists), a pool shaped like the paper's
largest instance (``paper_like_1727_110``) and every shape of ``benchmarks/synthetic.py``'s
``REALISTIC_SHAPES``. For each instance, in the same run:

- ours: the whole ``sortition prepare POOL QUOTAS --out DIR --algorithm leximin`` process of this checkout
  (wall time; pool and quotas written by ``synthetic.write_problem``), and the same with ``--algorithm
  maximin``. From ``lottery.json``: the lowest probability of the distribution and of the committed
  1000-panel lottery, the rounding loss (the first minus the second) and the file's ``statistics``;
- theirs: sortition-algorithms 0.12.15's maximin, distribution step only, default backend, run by
  ``benchmarks/other_tool.py`` in its own venv (its console script is also called ``sortition`` and would
  shadow ours, so it is never installed in ours). Make that venv once::

      python3 -m venv benchmarks/.venv-other
      benchmarks/.venv-other/bin/pip install sortition-algorithms==0.12.15

Every run has a timeout (``--timeout``, 900 s by default), reported as "not done in N s". ``--blas-threads N``
runs our prepare with N BLAS threads (OPENBLAS_NUM_THREADS; on a busy machine two threads made our dense
interior point several times slower, see ``benchmarks/interior_vs_clarabel.py``). Checks: our LEXIMIN
minimum equals the reference within 5e-4 (the paper's LEXIMIN minimum, ``paper_table.csv``, for a shared
instance it lists; otherwise the other tool's maximin minimum, or else ours), and rounding to the lottery
loses at most 0.003 of the minimum. Prints the table of issue 19 and writes ``benchmarks/results/fairness.json``
(with ``--only``, the other instances' results already in it are kept); ``docs/gen_performance.py`` renders it.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from instances import HAVE_SHARED, INSTANCES, SHARED, shared_problem  # noqa: E402
from synthetic import REALISTIC_SHAPES, paper_shaped_problem, realistic_shape, write_problem  # noqa: E402

from quotas.model import PanelProblem  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "fairness.json"
OTHER_PYTHON = ROOT / "benchmarks" / ".venv-other" / "bin" / "python"
OTHER_RUNNER = ROOT / "benchmarks" / "other_tool.py"
OTHER_VERSION = "0.12.15"
DEFAULT_TIMEOUT = 900.0
#: Issue 19, target 3: the LEXIMIN minimum within this of the reference, and rounding loses at most ROUNDING_LOSS.
MIN_TOLERANCE = 5e-4
ROUNDING_LOSS = 0.003
#: Our CLI in a fresh process, from this checkout (cwd is the repository root, first on sys.path).
OUR_CLI = [sys.executable, "-c", "from cli.start import main; main()"]
ALGORITHMS = ("leximin", "maximin")


def paper_like_pool() -> PanelProblem:
    """n=1727, k=110, 7 categories with 31 values in all, skewed shares, ~8% of people in 2-person homes."""
    return paper_shaped_problem(1727, 110, seed=110)


def instances() -> dict[str, Callable[[], PanelProblem]]:
    """Every instance of the benchmark, by name, in the order they run."""
    found: dict[str, Callable[[], PanelProblem]] = {}
    if HAVE_SHARED:
        found.update({name: functools.partial(shared_problem, name) for name in SHARED})
    found["paper_like_1727_110"] = paper_like_pool
    found.update({name: functools.partial(realistic_shape, name) for name in REALISTIC_SHAPES})
    return found


def paper_reference(name: str) -> float | None:
    """The paper's LEXIMIN minimum for a shared instance listed in ``paper_table.csv`` (else None)."""
    table = INSTANCES / "paper_table.csv"
    if not (HAVE_SHARED and name in SHARED and table.exists()):
        return None
    with table.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["instance"] == name and row.get("leximin_min_prob_full"):
                return float(row["leximin_min_prob_full"])
    return None


def _not_done(timeout: float) -> dict[str, Any]:
    return {"done": False, "timed_out": True, "timeout_s": timeout}


def _failed(proc: subprocess.CompletedProcess[str], seconds: float) -> dict[str, Any]:
    lines = (proc.stderr or proc.stdout or "").strip().splitlines()
    return {"done": False, "timed_out": False, "exit_code": proc.returncode, "seconds": round(seconds, 2),
            "error": lines[-1][:300] if lines else ""}


def _child_env(blas_threads: int | None) -> dict[str, str] | None:
    """Our process's environment: as is, or with the BLAS thread count set (``--blas-threads``)."""
    if blas_threads is None:
        return None
    return {**os.environ, "OPENBLAS_NUM_THREADS": str(blas_threads), "OMP_NUM_THREADS": str(blas_threads),
            "MKL_NUM_THREADS": str(blas_threads)}


def run_ours(pool: Path, quotas: Path, algorithm: str, timeout: float, work: Path,
             blas_threads: int | None = None) -> dict[str, Any]:
    """The whole ``sortition prepare`` process with ``algorithm``: wall seconds and what lottery.json says."""
    out = work / f"out_{algorithm}"
    shutil.rmtree(out, ignore_errors=True)
    command = [*OUR_CLI, "prepare", str(pool), str(quotas), "--out", str(out), "--algorithm", algorithm,
               "--quiet"]
    start = time.perf_counter()
    try:
        proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False,
                              env=_child_env(blas_threads))
    except subprocess.TimeoutExpired:
        return _not_done(timeout)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        return _failed(proc, seconds)
    lottery = json.loads((out / "lottery.json").read_text(encoding="utf-8"))
    stats = lottery.get("statistics", {})
    lottery_min = min(float(p) for p in lottery["probabilities"].values())
    distribution_min = float(stats.get("distribution_min_probability", lottery_min))
    return {"done": True, "seconds": round(seconds, 2), "distribution_min": distribution_min,
            "lottery_min": lottery_min, "rounding_loss": max(0.0, distribution_min - lottery_min),
            "panels": len(lottery["panels"]), "time_limit_reached": bool(stats.get("time_limit_reached")),
            "statistics": stats}


def problem_dump(problem: PanelProblem) -> dict[str, Any]:
    """The problem as ``other_tool.py`` reads it, with the ids and values ``synthetic.write_problem`` writes."""
    cats = problem.spec.categories
    households = problem.households
    people = []
    for i in range(problem.n):
        person = {cat.name: cat.values[int(problem.features[i, c])].value for c, cat in enumerate(cats)}
        person["id"] = f"S{i:06d}"
        person["household"] = f"H{int(households[i] if households is not None else i):06d}"
        people.append(person)
    return {"panel_size": problem.k, "households": households is not None,
            "categories": {cat.name: {v.value: [v.min, v.max] for v in cat.values} for cat in cats},
            "people": people}


def run_other(problem: PanelProblem, timeout: float, work: Path) -> dict[str, Any]:
    """sortition-algorithms' maximin in its own venv: seconds of the distribution step and its marginals."""
    if not OTHER_PYTHON.exists():
        return {"done": False, "timed_out": False, "error": f"not installed: make {OTHER_PYTHON.parent.parent} "
                "(see this script's docstring)"}
    dump = work / "problem.json"
    dump.write_text(json.dumps(problem_dump(problem)), encoding="utf-8")
    start = time.perf_counter()
    try:
        proc = subprocess.run([str(OTHER_PYTHON), str(OTHER_RUNNER), str(dump)], cwd=work, capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return _not_done(timeout)
    process_seconds = time.perf_counter() - start
    if proc.returncode != 0:
        return _failed(proc, process_seconds)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    marginals = list(result["marginals"].values())
    return {"done": True, "seconds": round(result["seconds"], 2), "process_seconds": round(process_seconds, 2),
            "distribution_min": min(marginals), "committees": result["committees"],
            "version": result["version"]}


def checks(name: str, ours: dict[str, dict[str, Any]], theirs: dict[str, Any] | None) -> dict[str, Any]:
    """Issue 19's target 3 on one instance: the LEXIMIN minimum against the reference, and the rounding loss."""
    reference: tuple[float, str] | None = None
    paper = paper_reference(name)
    if paper is not None:
        reference = (paper, "paper LEXIMIN (paper_table.csv)")
    elif theirs is not None and theirs.get("done"):
        reference = (float(theirs["distribution_min"]), "sortition-algorithms maximin")
    elif ours["maximin"].get("done"):
        reference = (float(ours["maximin"]["distribution_min"]), "our maximin")
    leximin = ours["leximin"]
    out: dict[str, Any] = {"reference": None if reference is None else reference[0],
                           "reference_source": None if reference is None else reference[1],
                           "minima_agree": None, "rounding_ok": None}
    if leximin.get("done") and reference is not None:
        out["difference"] = float(leximin["distribution_min"]) - reference[0]
        out["minima_agree"] = abs(out["difference"]) <= MIN_TOLERANCE
    if leximin.get("done"):
        out["rounding_ok"] = float(leximin["rounding_loss"]) <= ROUNDING_LOSS
    return out


def bench(name: str, problem: PanelProblem, args: argparse.Namespace) -> dict[str, Any]:
    """Every run on one instance, in a scratch folder removed afterwards."""
    entry: dict[str, Any] = {"instance": name, "n": problem.n, "k": problem.k, "ours": {}, "theirs": None}
    with tempfile.TemporaryDirectory(prefix=f"fairness_{name}_") as tmp:
        work = Path(tmp)
        pool, quotas = write_problem(problem, work / "input")
        for algorithm in ALGORITHMS:
            result = run_ours(pool, quotas, algorithm, args.timeout, work, args.blas_threads)
            entry["ours"][algorithm] = result
            print(f"  {name}: ours {algorithm}: {_cell(result)}"
                  f"{_min_note(result)}", flush=True)
        if not args.skip_other:
            entry["theirs"] = {"maximin": run_other(problem, args.timeout, work)}
            print(f"  {name}: sortition-algorithms maximin: {_cell(entry['theirs']['maximin'])}"
                  f"{_min_note(entry['theirs']['maximin'])}", flush=True)
    theirs = None if entry["theirs"] is None else entry["theirs"]["maximin"]
    entry["checks"] = checks(name, entry["ours"], theirs)
    return entry


def _min_note(result: dict[str, Any]) -> str:
    return f", lowest probability {result['distribution_min']:.5f}" if result.get("done") else ""


def _cell(result: dict[str, Any] | None) -> str:
    """One run's seconds, or why there are none."""
    if result is None:
        return "not run"
    if result.get("done"):
        return f"{result['seconds']:.1f} s" + (" (time limit)" if result.get("time_limit_reached") else "")
    if result.get("timed_out"):
        return f"not done in {result['timeout_s']:g} s"
    code = result.get("exit_code")
    return "failed" + (f" (exit {code})" if code is not None else f": {result.get('error', '')}")


def ratio(entry: dict[str, Any], ours_algorithm: str = "leximin") -> float | None:
    """The other tool's maximin seconds over ours (LEXIMIN by default); None unless both finished."""
    ours, theirs = entry["ours"].get(ours_algorithm) or {}, (entry.get("theirs") or {}).get("maximin") or {}
    if not (ours.get("done") and theirs.get("done")) or not ours["seconds"]:
        return None
    return float(theirs["seconds"]) / float(ours["seconds"])


def table_rows(data: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """The issue's table (also rendered by docs/gen_performance.py): header and one row per instance."""
    header = ["shape (n, k)", "ours LEXIMIN", "ours maximin", "sortition-algorithms maximin",
              "theirs / ours LEXIMIN", "theirs / ours maximin", "lowest probability (reference)", "minima agree",
              "rounding loss"]
    rows = []
    for entry in data["instances"]:
        theirs = (entry.get("theirs") or {}).get("maximin")
        r, r_maximin = ratio(entry), ratio(entry, "maximin")
        check = entry.get("checks", {})
        leximin = entry["ours"].get("leximin", {})
        lowest = f"{leximin['distribution_min']:.5f}" if leximin.get("done") else ""
        if check.get("reference") is not None:
            lowest += f" ({check['reference']:.5f}, {check['reference_source']})"
        agree = {True: "yes", False: "no", None: ""}[check.get("minima_agree")]
        loss = f"{leximin['rounding_loss']:.4f}" if leximin.get("done") else ""
        if check.get("rounding_ok") is False:
            loss += " (over 0.003)"
        rows.append([f"{entry['instance']} ({entry['n']}, {entry['k']})", _cell(leximin),
                     _cell(entry["ours"].get("maximin")), _cell(theirs) if entry.get("theirs") else "not run",
                     "" if r is None else f"{r:.2f}x", "" if r_maximin is None else f"{r_maximin:.2f}x", lowest,
                     agree, loss])
    return header, rows


def print_table(data: dict[str, Any]) -> None:
    header, rows = table_rows(data)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    print(f"\nIssue 19's table (timeout {data['timeout_s']:g} s per run):")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


def _commit() -> str:
    """The checkout's commit (with ``+changes`` when files differ from it), or '' outside git."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return head + ("+changes" if dirty else "")


def _previous(out: Path) -> list[dict[str, Any]]:
    """The instances already in the results file (an older format is dropped)."""
    if not out.exists():
        return []
    data = json.loads(out.read_text(encoding="utf-8"))
    return list(data.get("instances", [])) if isinstance(data, dict) else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", default=None, help="run only these instances (others are kept)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per run (default 900)")
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="run our prepare with this many BLAS threads (default: as the environment says)")
    parser.add_argument("--skip-other", action="store_true", help="do not run sortition-algorithms")
    parser.add_argument("--out", type=Path, default=RESULTS, help="the results JSON file")
    parser.add_argument("--print-only", action="store_true", help="only print the table of --out")
    args = parser.parse_args()
    if args.print_only:
        print_table(json.loads(args.out.read_text(encoding="utf-8")))
        return
    available = instances()
    unknown = sorted(set(args.only or ()) - set(available))
    if unknown:
        parser.error(f"unknown instances {', '.join(unknown)}; known: {', '.join(available)}")
    previous = _previous(args.out) if args.only else []
    done: list[dict[str, Any]] = []
    data: dict[str, Any] = {}
    for name, make in available.items():
        if args.only and name not in args.only:
            continue
        problem = make()
        print(f"{name} (n={problem.n}, k={problem.k})", flush=True)
        done.append(bench(name, problem, args))
        names = {entry["instance"] for entry in done}
        order = list(available)
        merged = [e for e in previous if e["instance"] not in names] + done
        merged.sort(key=lambda e: order.index(e["instance"]) if e["instance"] in order else len(order))
        data = {"timeout_s": args.timeout, "tolerance": MIN_TOLERANCE, "rounding_loss_limit": ROUNDING_LOSS,
                "other_tool": f"sortition-algorithms {OTHER_VERSION} maximin (distribution step, default backend)",
                "python": platform.python_version(), "cpus": os.cpu_count(), "commit": _commit(),
                "blas_threads": args.blas_threads,
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "instances": merged}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    if data:
        print_table(data)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
