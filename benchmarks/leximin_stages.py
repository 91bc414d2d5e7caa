"""Where LEXIMIN spends its time, stage by stage, on one pool shape (issue 19: a per-stage table for every shape).

Each stage maximises the lowest probability of the people not yet fixed and ends when the LP level is within
the 5e-4 tolerance of an upper bound. The table shows, per stage: people fixed by it, the level, the bound
that ended it (the mass bound, or the exact pricing bound) and the gap between the two (target: at most
5e-4), rounds, oracle calls, seconds, and the share spent in the LP. With ``--time-limit`` the run stops like
``prepare --time-limit`` (the current stage ends early, everyone left is fixed at its level).

    python benchmarks/leximin_stages.py [--shape realistic_825_75] [--time-limit 1800]
    python benchmarks/leximin_stages.py --n 1727 --k 110      # the paper-shaped pool (the default shape)

``--shape`` takes any name of ``benchmarks/synthetic.py``'s ``REALISTIC_SHAPES``; without it the pool is the
paper-shaped one of ``--n``/``--k``. Results go to ``benchmarks/results/leximin_stages.json`` under the shape's
name (the other shapes' runs in that file are kept).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import REALISTIC_SHAPES, paper_shaped_problem, realistic_shape  # noqa: E402

from sortition.algorithms import Algorithm, find_distribution  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "leximin_stages.json"
#: Issue 19, target 3: every stage's level within this of its bound.
GAP_TARGET = 5e-4


def _state_of(args: tuple[Any, ...], kwargs: dict[str, Any], module: Any) -> Any:
    """The StageState among ``stage``'s arguments (found by type, so a changed signature still works)."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, module.StageState):
            return value
    raise TypeError("stages.stage was called without a StageState: update benchmarks/leximin_stages.py")


def _oracle_calls(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """Calls so far of the counting oracle passed to ``stage`` (0 when there is none)."""
    return next((int(value.calls) for value in (*args, *kwargs.values()) if hasattr(value, "calls")
                 and hasattr(value, "find_panel")), 0)


def _people_fixed(stages: list[dict[str, Any]]) -> None:
    """Each stage's people fixed: the people unfixed before it less those unfixed before the next."""
    for row, after in zip(stages, [*stages[1:], None], strict=True):
        row["people_fixed"] = row["unfixed_before"] - (after["unfixed_before"] if after else 0)


def relaxation_stages(problem: Any, probabilities: Any, total: float) -> list[dict[str, Any]]:
    """The stages of a LEXIMIN found in one go from the relaxation (no column-generation stage ran): per level
    of the relaxation's LEXIMIN point (each an upper bound on that stage's level, given the stages before),
    the lowest probability the distribution gives the types at that level."""
    import numpy as np

    from sortition.algorithms.relaxed import StageRelaxation
    from sortition.algorithms.symmetry import TypePartition

    types = TypePartition.of(problem)
    point = StageRelaxation(problem, types).leximin_point(np.ones(types.count, dtype=bool))
    if point is None:
        return []
    values, levels = point
    reached = np.minimum.reduceat(probabilities[np.concatenate(types.members)],
                                  np.r_[0, np.cumsum(types.sizes)[:-1]])
    rows, unfixed = [], int(types.sizes.sum())
    for number, level in enumerate(levels, start=1):
        at = np.abs(values - level) <= 1e-9
        lowest = float(reached[at].min()) if at.any() else level
        rows.append({"stage": number, "unfixed_before": unfixed, "level": round(lowest, 6),
                     "bound": round(level, 6), "gap": round(level - lowest, 6), "rounds": 0,
                     "seconds": 0.0, "ended_by_time_limit": False, "elapsed": total, "from_relaxation": True})
        unfixed -= int(types.sizes[at].sum())
    return rows


def run(problem: Any, time_limit: float | None) -> dict[str, Any]:
    """LEXIMIN on ``problem`` with every stage recorded; prints a line per stage as it ends."""
    module = importlib.import_module("sortition.algorithms.stages")
    stages: list[dict[str, Any]] = []
    start = time.perf_counter()
    stage = module.stage

    def recording(*args: Any, **kwargs: Any) -> Any:
        state = _state_of(args, kwargs, module)
        began, rounds, lp = time.perf_counter(), state.stats["rounds"], state.stats["lp_seconds"]
        calls = _oracle_calls(args, kwargs)
        mass = module._mass_bound(state)
        mass = mass[0] if isinstance(mass, tuple) else mass  # (the bound, and the types it proves it for)
        unfixed = int(state.types.sizes[state.unfixed].sum())
        answer = stage(*args, **kwargs)
        sol = answer[0] if isinstance(answer, tuple) else answer  # (the solution, and the types to fix)
        bound = float(state.stats.get("stage_bound", mass))
        row = {"stage": len(stages) + 1, "unfixed_before": unfixed,
               "level": round(sol.value, 6), "bound": round(bound, 6), "gap": round(bound - sol.value, 6),
               "mass_bound": round(mass, 6), "rounds": int(state.stats["rounds"] - rounds),
               "oracle_calls": _oracle_calls(args, kwargs) - calls, "panels": len(state.panels),
               "seconds": round(time.perf_counter() - began, 1),
               "lp_seconds": round(state.stats["lp_seconds"] - lp, 1),
               "ended_by_time_limit": bool(state.stats["time_limit_reached"]),
               "elapsed": round(time.perf_counter() - start, 1)}
        stages.append(row)
        print(f"stage {row['stage']:>2}: {unfixed:>5} unfixed, level {row['level']:.5f} bound {bound:.5f} "
              f"(gap {row['gap']:.1e}), {row['rounds']:>4} rounds, {row['oracle_calls']:>4} oracle calls, "
              f"{row['panels']:>5} panels, {row['seconds']:>7.1f} s ({row['lp_seconds']:.1f} s LP), "
              f"at {row['elapsed']:.0f} s{'  [time limit]' if row['ended_by_time_limit'] else ''}", flush=True)
        return answer

    with mock.patch.object(module, "stage", recording):
        dist = find_distribution(problem, Algorithm.LEXIMIN, time_limit=time_limit)
    total = round(time.perf_counter() - start, 1)
    if dist.stats.get("from_relaxation"):
        stages = relaxation_stages(problem, dist.probabilities, total)
    _people_fixed(stages)
    counts = {key: dist.stats.get(key) for key in ("oracle_calls", "frank_wolfe_rounds", "ipm_solves",
                                                    "interior_fallbacks", "shortfall", "panels_found",
                                                    "walk_panels", "face_repairs", "face_mips", "split_seconds")}
    return {"n": problem.n, "k": problem.k, "time_limit_s": time_limit, "total_s": total,
            "lowest": round(float(dist.probabilities.min()), 6),
            "time_limit_reached": bool(dist.stats.get("time_limit_reached")),
            "counts": {key: value for key, value in counts.items() if value is not None}, "stages": stages}


def print_table(name: str, result: dict[str, Any]) -> None:
    """The per-stage table of one run."""
    print(f"\n{name} (n={result['n']}, k={result['k']}): total {result['total_s']} s, lowest probability "
          f"{result['lowest']:.5f}, time limit reached: {result.get('time_limit_reached', False)}")
    print(f"{'stage':>5} {'fixed':>6} {'level':>9} {'bound':>9} {'gap':>9} {'rounds':>6} {'oracle':>6} "
          f"{'seconds':>8}")
    for s in result["stages"]:
        gap = s.get("gap")
        flag = "" if gap is None or gap <= GAP_TARGET or s["ended_by_time_limit"] else "  over 5e-4"
        print(f"{s['stage']:>5} {s.get('people_fixed', ''):>6} {s['level']:>9.6f} {s.get('bound', float('nan')):>9.6f} "
              f"{gap if gap is not None else float('nan'):>9.1e} {s['rounds']:>6} {s.get('oracle_calls', ''):>6} "
              f"{s['seconds']:>8.1f}{flag}")
    gaps = [s["gap"] for s in result["stages"] if "gap" in s and not s["ended_by_time_limit"]]
    if gaps:
        print(f"largest level-to-bound gap {max(gaps):.1e} (target at most {GAP_TARGET:g}): "
              f"{'met' if max(gaps) <= GAP_TARGET else 'not met'}")
    print("  " + ", ".join(f"{key} {value:g}" for key, value in result["counts"].items()))


def load_results(path: Path) -> dict[str, Any]:
    """Runs by shape name (a file of the older one-run format becomes the run of its paper-shaped pool)."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if "stages" in data:
        _people_fixed(data["stages"])
        return {f"paper_shaped_{data['n']}_{data['k']}": data}
    return dict(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", choices=sorted(REALISTIC_SHAPES), default=None,
                        help="a realistic pool shape of benchmarks/synthetic.py (default: the paper-shaped pool)")
    parser.add_argument("--n", type=int, default=1727, help="paper-shaped pool: people")
    parser.add_argument("--k", type=int, default=110, help="paper-shaped pool: panel size")
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--print-only", action="store_true", help="only print the tables of --out")
    args = parser.parse_args()
    results = load_results(args.out)
    if args.print_only:
        for name, result in results.items():
            print_table(name, result)
        return
    if args.shape:
        name, problem = args.shape, realistic_shape(args.shape)
    else:
        name, problem = f"paper_shaped_{args.n}_{args.k}", paper_shaped_problem(args.n, args.k, seed=args.n)
    print(f"{name}: n={problem.n}, k={problem.k}", flush=True)
    results[name] = run(problem, args.time_limit)
    print_table(name, results[name])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
