"""Our dense interior point (sortition/algorithms/interior.py) against Clarabel on dumped LEXIMIN stage LPs (issue 19).

Issue 19 asks whether the interior-point method we maintain ourselves is worth keeping: it must be clearly
faster than a maintained interior-point solver with wheels. This script

1. runs LEXIMIN on a pool shape with ``interior.solve_stage`` wrapped (nothing edited): every stage LP it is
   given (``shares``, ``unfixed``, ``fixed_value``, ``slack_cost``) is saved to ``--dumps/<shape>_NNN.npz``,
   up to ``--max-dumps`` of them, every ``--every``-th call (``--time-limit`` stops the run early);
2. solves each dump with ours (``interior.solve_stage``) and with Clarabel, at the same tolerance (1e-8 on
   the gap and the feasibility, ours' ``TOLERANCE``), and prints rows, columns, seconds of each, and the
   level reached by the unfixed rows (``min a_t w``), the largest miss of a fixed value and the objective
   (level less ``slack_cost`` times that miss), computed from each solver's panel weights the same way;
3. writes ``benchmarks/results/interior.json`` (runs of other shapes kept), rendered in docs/performance.md.

Clarabel is an optional dependency of this benchmark only: ``pip install -e '.[compare]'``.

    python benchmarks/interior_vs_clarabel.py --shape realistic_825_75 [--max-dumps 8] [--every 3]
    python benchmarks/interior_vs_clarabel.py --shape realistic_825_75 \\
        --from-dumps benchmarks/.dumps/realistic_825_75_*.npz

With ``--from-dumps`` no LEXIMIN runs: the dumps given are compared and stored under ``--shape``'s name.

Clarabel uses one thread; ours uses numpy's BLAS, with as many threads as OpenBLAS chooses unless
``OPENBLAS_NUM_THREADS`` says otherwise. On a busy machine two BLAS threads made ours 5-15 times slower on
the small stage LPs (OpenBLAS threads wait for each other); run once as is and once with
``OPENBLAS_NUM_THREADS=1`` (both are kept in the results, under the shape and the thread setting).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import REALISTIC_SHAPES, realistic_shape  # noqa: E402

from sortition.algorithms import Algorithm, find_distribution  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "interior.json"
DUMPS = ROOT / "benchmarks" / ".dumps"
#: The same stopping tolerance for both: ours' interior.TOLERANCE.
TOLERANCE = 1e-8


def dump_stage_lps(shape: str, folder: Path, max_dumps: int, every: int, time_limit: float | None) -> list[Path]:
    """Run LEXIMIN on ``shape`` and save the stage LPs given to ``interior.solve_stage``."""
    interior = importlib.import_module("sortition.algorithms.interior")
    original = interior.solve_stage
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{shape}_*.npz"):
        old.unlink()
    saved: list[Path] = []
    calls = 0

    def recording(shares: np.ndarray, unfixed: np.ndarray, fixed_value: np.ndarray, slack_cost: float) -> Any:
        nonlocal calls
        calls += 1
        if len(saved) < max_dumps and (calls - 1) % every == 0:
            path = folder / f"{shape}_{calls:03d}.npz"
            np.savez_compressed(path, shares=shares, unfixed=unfixed, fixed_value=fixed_value,
                                slack_cost=np.float64(slack_cost))
            saved.append(path)
        return original(shares, unfixed, fixed_value, slack_cost)

    start = time.perf_counter()
    with mock.patch.object(interior, "solve_stage", recording):
        dist = find_distribution(realistic_shape(shape), Algorithm.LEXIMIN, time_limit=time_limit)
    stopped = " (time limit reached)" if dist.stats.get("time_limit_reached") else ""
    print(f"{shape}: LEXIMIN {time.perf_counter() - start:.1f} s, lowest probability "
          f"{float(dist.probabilities.min()):.5f}{stopped}"
          f", {calls} dense stage LPs, {len(saved)} dumped", flush=True)
    return saved


def objective(shares: np.ndarray, unfixed: np.ndarray, fixed_value: np.ndarray, slack_cost: float,
              weights: np.ndarray) -> tuple[float, float, float]:
    """The stage LP's objective for panel weights (normalised to sum to 1), computed the same way for both
    solvers' answers: the level of the unfixed rows, the largest miss of a fixed value, and the objective
    (the level less ``slack_cost`` times the miss: at a cost of 1e4, a miss of 1e-8 is 1e-4 of objective)."""
    w = np.maximum(weights, 0.0)
    w = w / w.sum()
    reached = shares @ w
    level = float(reached[unfixed].min()) if unfixed.any() else 0.0
    miss = float(np.maximum(fixed_value[~unfixed] - reached[~unfixed], 0.0).max(initial=0.0))
    return level - slack_cost * miss, level, miss


def solve_ours(lp: dict[str, Any]) -> tuple[np.ndarray, float]:
    interior = importlib.import_module("sortition.algorithms.interior")
    start = time.perf_counter()
    answer = interior.solve_stage(lp["shares"], lp["unfixed"], lp["fixed_value"], lp["slack_cost"])
    return answer.weights, time.perf_counter() - start


def solve_clarabel(lp: dict[str, Any], time_limit: float) -> tuple[np.ndarray, float, float, str]:
    """The same LP (``solve_stage``'s, with one shared slack) for Clarabel: ``min -z + slack_cost * sigma``
    over ``x = (w, z, sigma)``, cones ``Ax + s = b``: the weights' sum (zero cone), then ``a_t w - z >= 0``
    (unfixed rows), ``a_t w + sigma >= fixed_value`` (fixed rows) and ``x >= 0`` (non-negative cone)."""
    import clarabel  # the optional 'compare' extra
    from scipy import sparse

    shares, unfixed, fixed_value = lp["shares"], lp["unfixed"], lp["fixed_value"]
    rows, panels = shares.shape
    start = time.perf_counter()
    z_col = np.where(unfixed, 1.0, 0.0)
    sigma_col = np.where(unfixed, 0.0, -1.0)
    a = sparse.vstack([
        sparse.hstack([sparse.csr_matrix(np.ones((1, panels))), sparse.csr_matrix((1, 2))]),
        sparse.hstack([sparse.csr_matrix(-shares), sparse.csr_matrix(z_col[:, None]),
                       sparse.csr_matrix(sigma_col[:, None])]),
        -sparse.identity(panels + 2, format="csr"),
    ]).tocsc()
    b = np.concatenate([[1.0], np.where(unfixed, 0.0, -fixed_value), np.zeros(panels + 2)])
    q = np.concatenate([np.zeros(panels), [-1.0, float(lp["slack_cost"])]])
    p = sparse.csc_matrix((panels + 2, panels + 2))
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.tol_gap_abs = settings.tol_gap_rel = settings.tol_feas = TOLERANCE
    settings.time_limit = time_limit
    solver = clarabel.DefaultSolver(p, q, a, b, [clarabel.ZeroConeT(1), clarabel.NonnegativeConeT(rows + panels + 2)],
                                    settings)
    solution = solver.solve()
    seconds = time.perf_counter() - start
    return np.asarray(solution.x)[:panels], seconds, float(solution.solve_time), str(solution.status)


def compare(paths: list[Path], time_limit: float) -> list[dict[str, Any]]:
    """Both solvers on every dump; a row per dump."""
    rows = []
    for path in paths:
        with np.load(path) as data:
            lp = {"shares": data["shares"], "unfixed": data["unfixed"].astype(bool),
                  "fixed_value": data["fixed_value"], "slack_cost": float(data["slack_cost"])}
        ours_w, ours_s = solve_ours(lp)
        theirs_w, theirs_s, theirs_solve, status = solve_clarabel(lp, time_limit)
        problem = (lp["shares"], lp["unfixed"], lp["fixed_value"], lp["slack_cost"])
        ours_obj, ours_level, ours_miss = objective(*problem, ours_w)
        theirs_obj, theirs_level, theirs_miss = objective(*problem, theirs_w)
        row = {"dump": path.name, "rows": int(lp["shares"].shape[0]), "columns": int(lp["shares"].shape[1]),
               "unfixed_rows": int(lp["unfixed"].sum()), "ours_s": round(ours_s, 3),
               "clarabel_s": round(theirs_s, 3), "clarabel_solve_s": round(theirs_solve, 3),
               "clarabel_status": status, "ours_objective": ours_obj, "clarabel_objective": theirs_obj,
               "objective_difference": ours_obj - theirs_obj, "ours_level": ours_level,
               "clarabel_level": theirs_level, "level_difference": ours_level - theirs_level,
               "ours_fixed_miss": ours_miss, "clarabel_fixed_miss": theirs_miss}
        rows.append(row)
        print(f"{row['dump']:28} {row['rows']:>5} x {row['columns']:>5}  ours {ours_s:7.2f} s  Clarabel "
              f"{theirs_s:7.2f} s ({status})  level {ours_level:.7f} vs {theirs_level:.7f} "
              f"(difference {ours_level - theirs_level:+.1e}), fixed values missed by {ours_miss:.1e} vs "
              f"{theirs_miss:.1e}", flush=True)
    return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ours, theirs = sum(r["ours_s"] for r in rows), sum(r["clarabel_s"] for r in rows)
    return {"lps": len(rows), "ours_total_s": round(ours, 2), "clarabel_total_s": round(theirs, 2),
            "ratio_clarabel_to_ours": round(theirs / ours, 2) if ours else None,
            "largest_objective_difference": max((abs(r["objective_difference"]) for r in rows), default=0.0),
            "largest_level_difference": max((abs(r["level_difference"]) for r in rows), default=0.0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", choices=sorted(REALISTIC_SHAPES), default="realistic_825_75")
    parser.add_argument("--max-dumps", type=int, default=8, help="stage LPs to dump and compare")
    parser.add_argument("--every", type=int, default=1, help="dump every N-th dense stage LP")
    parser.add_argument("--time-limit", type=float, default=None, help="stop the LEXIMIN run after this")
    parser.add_argument("--dumps", type=Path, default=DUMPS, help="folder for the .npz dumps")
    parser.add_argument("--from-dumps", type=Path, nargs="*", default=None, help="compare these dumps only")
    parser.add_argument("--clarabel-time-limit", type=float, default=600.0, help="seconds per Clarabel solve")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.from_dumps:
        paths = list(args.from_dumps)
    else:
        paths = dump_stage_lps(args.shape, args.dumps, args.max_dumps, args.every, args.time_limit)
    rows = compare(paths, args.clarabel_time_limit)
    result = {"tolerance": TOLERANCE, "rows": rows, **summary(rows)}
    print(f"total: ours {result['ours_total_s']} s, Clarabel {result['clarabel_total_s']} s "
          f"(Clarabel / ours {result['ratio_clarabel_to_ours']}x); largest level difference "
          f"{result['largest_level_difference']:.1e}, objective difference "
          f"{result['largest_objective_difference']:.1e}")
    previous = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    previous[f"{args.shape}, BLAS threads {threads}"] = {"blas_threads": threads, **result}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(previous, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
