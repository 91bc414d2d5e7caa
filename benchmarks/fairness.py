"""Fairness benchmark (run on demand, not in CI): our maximin/LEXIMIN/Nash vs legacy and sortition-algorithms.

Usage::

    python benchmarks/fairness.py [--only NAME ...] [--time-limit 300] [--skip-other]

For every shared instance with a pool (../shared/instances) and a generated pool shaped like the paper's
largest instance (sf(e): n=1727, k=110, 7 categories, 31 values, ~8% two-person households), it runs our
algorithms and, when installed (``pip install -e '.[bench]'``), sortition-algorithms' maximin and Nash on
the same problem in the same run (called as a library; none of its code is copied). Prints a table and
writes ``benchmarks/results/fairness.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers_instances import SHARED, shared_problem  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import paper_shaped_problem  # noqa: E402

from quotas.model import PanelProblem  # noqa: E402
from sortition.algorithms import Algorithm, find_distribution, gini  # noqa: E402
from sortition.algorithms.rounding import round_to_lottery  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "fairness.json"
#: Monte-Carlo draws to estimate the legacy algorithm's selection probabilities.
LEGACY_RUNS = 10_000


def paper_like_pool(seed: int = 110) -> PanelProblem:
    """n=1727, k=110, 7 categories with 31 values in all, skewed shares, ~8% of people in 2-person homes."""
    return paper_shaped_problem(1727, 110, seed=seed)


def other_tool(problem: PanelProblem, which: str) -> tuple[np.ndarray, float] | None:
    """Run sortition-algorithms' maximin or nash on the same problem; None when it is not installed."""
    try:
        from sortition_algorithms.committee_generation import maximin, nash
        from sortition_algorithms.features import FeatureValueMinMax
        from sortition_algorithms.people import People
    except ImportError:
        return None
    features: dict[str, dict[str, FeatureValueMinMax]] = {}
    for cat in problem.spec.categories:
        features[cat.name] = {v.value: FeatureValueMinMax(min=v.min, max=v.max) for v in cat.values}
    has_hh = problem.households is not None
    people = People(columns_to_keep=["home"] if has_hh else [])
    for i in range(problem.n):
        data = {cat.name: cat.values[problem.features[i, c]].value
                for c, cat in enumerate(problem.spec.categories)}
        if has_hh:
            data["home"] = f"h{problem.households[i]}"
        people.add(f"p{i}", data, features, i + 2)
    func = maximin.find_distribution_maximin if which == "maximin" else nash.find_distribution_nash
    start = time.perf_counter()
    committees, probs, _ = func(features, people, problem.k, ["home"] if has_hh else [])
    elapsed = time.perf_counter() - start
    marg = np.zeros(problem.n)
    for committee, w in zip(committees, probs, strict=True):
        for pid in committee:
            marg[int(pid[1:])] += w
    return marg, elapsed


def legacy_run(problem: PanelProblem) -> tuple[np.ndarray, float] | None:
    try:
        from sortition.algorithms.legacy import legacy_probabilities
    except ImportError:
        return None
    start = time.perf_counter()
    est = legacy_probabilities(problem, runs=LEGACY_RUNS)
    return np.asarray(est.probabilities), time.perf_counter() - start


def row(instance: str, problem: PanelProblem, algo: str, probs: np.ndarray, seconds: float,
        extra: dict[str, object] | None = None) -> dict[str, object]:
    out: dict[str, object] = {"instance": instance, "n": problem.n, "k": problem.k, "algorithm": algo,
                              "min_probability": float(probs.min()),
                              "min_positive_probability": float(probs[probs > 1e-9].min(initial=1.0)),
                              "gini": gini(probs),
                              "runtime_s": round(seconds, 2)}
    out.update(extra or {})
    positive = probs[probs > 1e-9].min(initial=1.0)
    print(f"{instance:22} {problem.n:5} {problem.k:4} {algo:24} min={probs.min():.4f} min>0={positive:.4f} "
          f"gini={gini(probs):.3f} {seconds:8.1f}s {extra or ''}", flush=True)
    return out


def bench(instance: str, problem: PanelProblem, args: argparse.Namespace) -> list[dict[str, object]]:
    rows = []
    ours: dict[str, float] = {}
    for algo in args.algorithms:
        start = time.perf_counter()
        dist = find_distribution(problem, Algorithm(algo), time_limit=args.time_limit)
        seconds = time.perf_counter() - start
        ours[algo] = seconds
        lottery = round_to_lottery(problem, dist, 1000)
        rows.append(row(instance, problem, algo, dist.probabilities, seconds,
                        {"panels": len(dist.panels), "stats": dict(dist.stats),
                         "lottery_max_deviation": lottery.max_deviation, "lottery_bound": lottery.bound}))
    leg = legacy_run(problem)
    if leg is not None:
        rows.append(row(instance, problem, f"legacy ({LEGACY_RUNS} MC runs)", leg[0], leg[1]))
    if not args.skip_other:
        for algo in ("maximin", "nash"):
            res = other_tool(problem, algo)
            if res is None:
                break
            ratio = {"ratio_their_time_to_ours": round(res[1] / ours[algo], 2)} if algo in ours else {}
            rows.append(row(instance, problem, f"sortition-algorithms {algo}", res[0], res[1], ratio))
    return rows


def print_table(rows: list[dict[str, object]]) -> None:
    """The summary table: one line per instance and algorithm."""
    print(f"\n{'instance':22} {'n':>5} {'k':>4} {'algorithm':28} {'min p':>7} {'min p>0':>8} {'gini':>6} "
          f"{'seconds':>8}  ratio (their time / ours)")
    for r in rows:
        ratio = r.get("ratio_their_time_to_ours", "")
        print(f"{r['instance']!s:22} {r['n']!s:>5} {r['k']!s:>4} {r['algorithm']!s:28} "
              f"{float(r['min_probability']):7.4f} {float(r['min_positive_probability']):8.4f} "  # type: ignore[arg-type]
              f"{float(r['gini']):6.3f} {float(r['runtime_s']):8.1f}  {ratio}")  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--algorithms", nargs="*", default=["maximin", "leximin", "nash"])
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--skip-other", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON file (rows of other instances kept)")
    parser.add_argument("--print-only", action="store_true", help="only print the table of --out")
    args = parser.parse_args()
    if args.print_only:
        print_table(json.loads(args.out.read_text()))
        return
    instances: dict[str, Callable[[], PanelProblem]] = {
        name: (lambda nm=name: shared_problem(nm)) for name in SHARED}
    instances["paper_like_1727_110"] = paper_like_pool
    out = args.out
    previous = json.loads(out.read_text()) if args.only and out.exists() else []
    rows = []
    for name, make in instances.items():
        if args.only and name not in args.only:
            continue
        rows += bench(name, make(), args)
        kept = [r for r in previous if r["instance"] not in {x["instance"] for x in rows}]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(kept + rows, indent=1, default=str))
    print_table(json.loads(out.read_text()))


if __name__ == "__main__":
    main()
