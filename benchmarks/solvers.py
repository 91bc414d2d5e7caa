"""Measure the pricing oracle: seconds per ``PanelModel.find_panel`` for each solver backend.

Run from the repository root::

    python benchmarks/solvers.py                 # all instances, all backends, 20 weight vectors
    python benchmarks/solvers.py --solves 5 --time-limit 30
    python benchmarks/solvers.py --leximin       # also time whole LEXIMIN runs with each backend as oracle

Prints a table and writes ``benchmarks/results/solvers.json``. The instance CSVs are read here with plain
pandas so this script does not depend on the library's loaders.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from quotas.errors import SolverError
from quotas.model import Category, PanelProblem, QuotaSpec, ValueQuota
from quotas.solver import TOLERANCE, Backend, PanelModel, SolveStatus

INSTANCES = Path(__file__).resolve().parents[1].parent / "shared" / "instances"
RESULTS = Path(__file__).resolve().parent / "results" / "solvers.json"


def from_csv(pool_csv: Path, quota_csv: Path, k: int, categories: list[str] | None = None) -> PanelProblem:
    """A PanelProblem from a pool CSV and a quota CSV whose columns are category, value, min, max, ..."""
    quotas = pd.read_csv(quota_csv, dtype=str, keep_default_na=False)
    cat_col, val_col = quotas.columns[0], quotas.columns[1]
    pool = pd.read_csv(pool_csv, dtype=str, keep_default_na=False)
    cats = []
    for name, rows in quotas.groupby(cat_col, sort=False):
        if categories is not None and name not in categories:
            continue
        cats.append(Category(str(name), tuple(ValueQuota(r[val_col], int(r["min"]), int(r["max"]))
                                              for _, r in rows.iterrows())))
    features = np.zeros((len(pool), len(cats)), dtype=np.int64)
    for c, cat in enumerate(cats):
        index = cat.index_of()
        features[:, c] = [index[v.strip().casefold()] for v in pool[cat.name]]
    return PanelProblem(QuotaSpec(panel_size=k, categories=tuple(cats)), features)


def synthetic(seed: int = 110) -> PanelProblem:
    """n=1727, k=110, 7 categories with 31 values, ~8% of people in two-person households.

    Quotas are proportional to the pool, +-2 (the shape of sf_e_110 from the Nature paper).
    """
    rng = np.random.default_rng(seed)
    n, k, sizes = 1727, 110, [2, 3, 4, 5, 5, 6, 6]
    features = np.column_stack([rng.choice(s, size=n, p=rng.dirichlet(np.full(s, 2.0))) for s in sizes])
    cats = []
    for c, s in enumerate(sizes):
        counts = np.bincount(features[:, c], minlength=s)
        prop = k * counts / n
        values = tuple(ValueQuota(f"v{j}", max(0, round(p) - 2), min(int(cnt), round(p) + 2))
                       for j, (p, cnt) in enumerate(zip(prop, counts, strict=True)))
        cats.append(Category(f"cat{c}", values))
    households = np.arange(n)
    paired = rng.choice(n, size=int(0.08 * n) // 2 * 2, replace=False)
    households[paired[1::2]] = paired[0::2]  # each second member joins the first member's household
    return PanelProblem(QuotaSpec(panel_size=k, categories=tuple(cats)), features, households)


def instances() -> dict[str, PanelProblem]:
    d = INSTANCES
    dm = d / "diversimax_example_60"
    return {
        "example_large_200": from_csv(d / "example_large_200/respondents.csv",
                                      d / "example_large_200/categories.csv", 200),
        "sfalgo_fixture_22": from_csv(d / "sfalgo_fixture_22/candidates.csv",
                                      d / "sfalgo_fixture_22/features.csv", 22,
                                      ["Gender", "age_bracket", "geo_bucket", "edu_level"]),
        "diversimax_exact_60": from_csv(dm / "participants_pool.csv", dm / "categories_exact_ranges.csv", 60),
        "diversimax_wide_60": from_csv(dm / "participants_pool.csv", dm / "categories_wide_ranges.csv", 60),
        "synthetic_1727_110": synthetic(),
    }


def weight_families(n: int, count: int) -> dict[str, list[np.ndarray]]:
    """Uniform random weights, and sparse ones (10% non-zero) that look more like LEXIMIN duals."""
    rng = np.random.default_rng(2021)
    uniform = [rng.random(n) for _ in range(count)]
    sparse = [np.where(rng.random(n) < 0.1, rng.random(n), 0.0) for _ in range(count)]
    return {"uniform": uniform, "sparse": sparse}


def measure(problem: PanelProblem, backend: Backend, weights: list[np.ndarray], time_limit: float) -> dict:
    t0 = time.perf_counter()
    model = PanelModel(problem, backend=backend)
    build = time.perf_counter() - t0
    times, objectives, statuses = [], [], []
    for w in weights:
        t0 = time.perf_counter()
        try:
            panel = model.find_panel(w, time_limit=time_limit)
        except SolverError:
            panel = None
        times.append(time.perf_counter() - t0)
        statuses.append(model.last_status.value if model.last_status else "none")
        objectives.append(float(w[panel].sum()) if panel is not None else None)
        if panel is not None:
            assert not problem.panel_violations(panel), problem.panel_violations(panel)
    return {"build_s": build, "times_s": times, "mean_s": statistics.mean(times),
            "median_s": statistics.median(times), "max_s": max(times), "objectives": objectives,
            "statuses": statuses}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--solves", type=int, default=20, help="random weight vectors per instance")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per find_panel")
    ap.add_argument("--backends", default="highs,cpsat,scip")
    ap.add_argument("--only", default=None, help="comma-separated instance names")
    ap.add_argument("--leximin", action="store_true", help="also time LEXIMIN end to end per backend")
    args = ap.parse_args()
    backends = [Backend(b) for b in args.backends.split(",")]
    out: dict = {"solves": args.solves, "time_limit_s": args.time_limit, "machine": platform.platform(),
                 "python": platform.python_version(), "instances": {}}
    heads = " ".join(f"{b.value + ' mean/max s':>22}" for b in backends)
    print(f"{'instance, weights':28} {'n':>5} {'k':>4} {heads}")
    for name, problem in instances().items():
        if args.only and name not in args.only.split(","):
            continue
        out["instances"][name] = {"n": problem.n, "k": problem.k}
        for family, weights in weight_families(problem.n, args.solves).items():
            row = {b.value: measure(problem, b, weights, args.time_limit) for b in backends}
            _check_agreement(name, row)
            out["instances"][name][family] = row
            cells = " ".join(f"{r['mean_s']:>10.4f} / {r['max_s']:>9.4f}" for r in row.values())
            print(f"{name + ' ' + family:28} {problem.n:>5} {problem.k:>4} {cells}", flush=True)
    if args.leximin:
        out["leximin"] = leximin_runs(backends, args.only)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {RESULTS}")


class _TimedOracle:
    """Counts and times the oracle calls LEXIMIN makes."""

    def __init__(self, model: PanelModel) -> None:
        self.model, self.calls, self.seconds = model, 0, 0.0

    def find_panel(self, weights: np.ndarray) -> np.ndarray:
        t0 = time.perf_counter()
        try:
            return self.model.find_panel(weights)
        finally:
            self.calls += 1
            self.seconds += time.perf_counter() - t0


def leximin_runs(backends: list[Backend], only: str | None) -> dict:
    """Whole LEXIMIN runs (the real pricing workload) on the small instances, once per backend."""
    from sortition.algorithms.leximin import leximin  # the algorithm is optional for this benchmark

    out: dict = {}
    for name, problem in instances().items():
        if problem.n > 250 or (only and name not in only.split(",")):
            continue
        for b in backends:
            oracle = _TimedOracle(PanelModel(problem, backend=b))
            t0 = time.perf_counter()
            dist = leximin(problem, oracle=oracle, time_limit=300)
            total = time.perf_counter() - t0
            out.setdefault(name, {})[b.value] = {"total_s": total, "oracle_s": oracle.seconds,
                                                 "oracle_calls": oracle.calls,
                                                 "min_probability": float(dist.probabilities.min())}
            print(f"leximin {name:22} {b.value:6} total {total:7.2f} s, oracle {oracle.seconds:7.2f} s "
                  f"in {oracle.calls} calls", flush=True)
    return out


def _check_agreement(name: str, row: dict) -> None:
    """Warn when proven-optimal objectives differ between backends (CP-SAT rounds weights)."""
    results = list(row.items())
    for i in range(len(results[0][1]["objectives"])):
        best = [(b, r["objectives"][i]) for b, r in results
                if r["statuses"][i] == SolveStatus.OPTIMAL.value and r["objectives"][i] is not None]
        vals = [v for _, v in best]
        if vals and max(vals) - min(vals) > max(1e-4, TOLERANCE * max(abs(v) for v in vals)):
            print(f"  note: {name} vector {i}: optimal objectives differ: {best}")


if __name__ == "__main__":
    main()
