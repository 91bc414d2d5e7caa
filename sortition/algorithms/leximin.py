"""LEXIMIN: maximise the smallest selection probability, then the next smallest, and so on.

Flanigan, Golz, Gupta, Hennig, Procaccia, "Fair algorithms for selecting citizens' assemblies", Nature 596
(2021), Methods. Our own implementation of the method described there, in three steps:

1. In one go (:mod:`~sortition.algorithms.facewalk`): the LEXIMIN point of the LP relaxation of the panel
   model (:mod:`~sortition.algorithms.relaxed`, one LP per level over types), split into panels by a face
   walk. When the panels reach it, it is the LEXIMIN distribution and nothing else runs (on every
   realistic pool of ``benchmarks/synthetic.py``; people it gives nothing are the ones no panel holds).
2. Where they do not (the relaxation is loose there): the starting panels, which also find who can be on
   no panel (and when someone cannot, step 1 again without them); then column generation stage by stage
   (:mod:`~sortition.algorithms.stages`), from every panel found.
3. A final primal LP (simplex, a vertex: few panels) finds panel probabilities that meet every fixed value,
   unless the last distribution already does with as few panels (:func:`_last_distribution`).

Everything runs over *types* of interchangeable people (:mod:`sortition.algorithms.symmetry`): the
LEXIMIN vector gives equal probabilities within a type, so a panel is a count per type, a type's dual
weight is spread evenly over its members for pricing, and the final panels are rotated within each type.

Households need no special care: the oracle only returns panels that keep the household rule, and people
who share a household are types of their own.
"""

from __future__ import annotations

import numpy as np

from quotas.localsearch import SwapSearch
from quotas.model import PanelProblem
from quotas.solver import PanelRelaxation
from sortition.algorithms import facewalk, stages
from sortition.algorithms.base import (
    WEIGHT_EPSILON,
    Algorithm,
    Distribution,
    PanelOracle,
    default_oracle,
)
from sortition.algorithms.colgen import (
    Deadline,
    PanelSet,
    solve_final_primal,
    starting_panels,
)
from sortition.algorithms.relaxed import StageRelaxation
from sortition.algorithms.stages import FIX_SLACK, StageState
from sortition.algorithms.symmetry import TypePartition
from sortition.progress import NULL_PROGRESS, ProgressReporter

#: A type at most this likely under the one-go LEXIMIN is one no panel can hold (:func:`_from_relaxation`).
NO_PROBABILITY = 1e-9
#: After the time limit, the final LP takes only this many of the last distribution's heaviest panels.
LATE_FINAL_PANELS = 600
#: Try LEXIMIN in one go from the relaxation first (:func:`_from_relaxation`); the stages run only when that
#: does not reach the relaxation's LEXIMIN point.
FROM_RELAXATION = True
#: The one-go attempt may use at most this share of what is left of the time limit: when it does not finish,
#: the stages still have time to end with a valid lottery and a bound on how fair it is (the n=4000 pool's
#: one-go run took 35 s of the default limit's 540).
ONE_GO_SHARE = 0.5


def _from_relaxation(state: StageState, deadline: Deadline, progress: ProgressReporter) -> bool:
    """LEXIMIN in one go (:func:`~sortition.algorithms.facewalk.leximin_in_one_go`). True when it worked: every
    active type is then fixed at its value and ``state.last_weights`` is the distribution. False (nothing
    fixed; panels found stay in ``state.panels`` for the stages) when not, when switched off, or when
    ``ONE_GO_SHARE`` of the time left passed first.

    Types the distribution gives (next to) nothing are then the ones no panel can hold: LEXIMIN gives every
    other person a positive probability (mixing in a little of a panel with them lifts a zero and lowers
    nobody to zero), and the split met the LEXIMIN point. They are made inactive, as the starting panels
    would have made them.
    """
    if state.stage_relaxation is None or not FROM_RELAXATION:
        return False
    progress.start("fair panels", total=100)
    left = None if deadline.seconds is None else max(deadline.seconds - deadline.elapsed(), 0.0)
    budget = Deadline(None if left is None else ONE_GO_SHARE * left)
    found = facewalk.leximin_in_one_go(state.stage_relaxation, state.panels, state.active, budget, state.stats,
                                       lambda share, message: progress.update(completed=round(100 * share, 1),
                                                                              message=message))
    if found is None:
        return False
    values, levels, weights = found
    probabilities = state.panels.type_probabilities(weights)  # within facewalk.ACCEPT_LEFT of values
    nobody = state.active & (probabilities <= NO_PROBABILITY)
    if nobody.any():
        state.active &= ~nobody
        state.stats["impossible"] = int(state.types.sizes[~state.active].sum())
        levels = [level for level in levels if level > NO_PROBABILITY]
    state.fixed[:] = True
    state.fixed_value = np.where(state.active, np.maximum(np.minimum(values, probabilities) - FIX_SLACK, 0.0), 0.0)
    state.last_weights = weights
    reached = probabilities[state.active]
    state.stats.update(stages=len(levels), stage_bound=levels[-1] if levels else 0.0,
                       min_probability_bound=float(reached.min()) if len(reached) else 0.0,
                       min_probability_upper_bound=levels[0] if levels else 0.0, from_relaxation=1)
    return True


def _new_state(problem: PanelProblem, panels: PanelSet, impossible: np.ndarray, stage_relaxation: StageRelaxation,
               relaxation: PanelRelaxation | None = None, stats: dict[str, float] | None = None) -> StageState:
    """A state before the first stage: nothing fixed but the ``impossible`` types (``stats`` carried over)."""
    types = panels.types
    return StageState(problem.k, panels, ~impossible, impossible.copy(), np.zeros(types.count),
                      {"oracle_calls": 0, "stages": 0, "rounds": 0, "types": types.count,
                       "impossible": int(types.sizes[impossible].sum()), "time_limit_reached": 0,
                       "swap_panels": 0, "swap_seconds": 0.0, "ipm_solves": 0, "lp_seconds": 0.0,
                       "oracle_seconds": 0.0, "frank_wolfe_rounds": 0,
                       "interior_fallbacks": 0, "tightened": 0, "relaxations": 0,
                       "relaxation_seconds": 0.0, "relaxation_panels": 0, **(stats or {})},
                      relaxation=relaxation, stage_relaxation=stage_relaxation)


def run_stages(problem: PanelProblem, oracle: PanelOracle, progress: ProgressReporter, deadline: Deadline,
               *, max_stages: int | None = None) -> StageState:
    """LEXIMIN in one go from the relaxation (:func:`_from_relaxation`); where that does not work, column
    generation stage by stage until every type is fixed (or ``max_stages`` stages have run).

    The one-go attempt comes first, with every type active: when it works, the starting panels are not
    needed (on realistic 321/30 they were a quarter of the run, on the n=1727 pool 4 s). When it does not,
    the starting panels find who can be on no panel; when someone cannot, the one-go attempt is made again
    without them, otherwise the stages run, starting from every panel found so far.

    When the deadline passes, the current stage stops early and everyone left is fixed at the level the
    current panels reach (a valid, possibly less fair, result; ``stats["time_limit_reached"]`` is 1).
    """
    types = TypePartition.of(problem)
    stage_relaxation = StageRelaxation(problem, types)
    state = _new_state(problem, PanelSet(types), np.zeros(types.count, dtype=bool), stage_relaxation)
    if _from_relaxation(state, deadline, progress):
        return state
    walked = state.panels
    search = SwapSearch(problem, classes=types.type_of)
    progress.start("first panels (a diverse start, and a panel for everyone)")
    counted = stages.Counted(oracle)
    panels, impossible = starting_panels(counted, types, problem.k, deadline=deadline, search=search)
    for j in range(len(walked)):
        panels.add_counts(walked.dense_counts(j))
    state = _new_state(problem, panels, impossible, stage_relaxation, PanelRelaxation(problem),
                       {key: value for key, value in state.stats.items() if key != "impossible"})
    total = int(types.sizes[state.active].sum())
    if impossible.any() and _from_relaxation(state, deadline, progress):
        state.stats["oracle_calls"] = counted.calls
        return state
    progress.start("fair panels", total=total)
    done = 0
    while state.unfixed.any():
        sol, chosen = stages.stage(counted, search, state, progress, deadline)
        state.last_weights = sol.panel_weights
        done += 1
        state.stats["stages"] = done
        if deadline.passed():  # also after a whole stage: the next one's first LP alone can take a minute
            state.stats["time_limit_reached"] = 1
        if state.stats["time_limit_reached"] or (max_stages is not None and done >= max_stages):
            rest = state.unfixed
            state.fixed_value[rest] = min(max(sol.value - FIX_SLACK, 0.0), 1.0)
            state.fixed |= rest
        else:
            stages.fix_types(sol, state, chosen)
        if done == 1:
            # the lowest probability reached, and an upper bound on the best possible one (equal, within the
            # tolerance, unless the time limit stopped the first stage)
            state.stats["min_probability_bound"] = sol.value
            state.stats["min_probability_upper_bound"] = max(state.stats["stage_bound"], sol.value)
        progress.update(completed=min(state.people_fixed(), total),
                        message=f"{state.people_fixed()}/{total} people fixed, {len(state.panels)} panels")
    state.stats["oracle_calls"] = counted.calls
    return state


def to_distribution(problem: PanelProblem, panels: PanelSet, weights: np.ndarray, algorithm: Algorithm,
                    stats: dict[str, float]) -> Distribution:
    """Turn weights over type-count panels into a distribution over concrete panels (see ``expand``)."""
    concrete: list[tuple[int, ...]] = []
    concrete_weights: list[float] = []
    for j in np.flatnonzero(weights > WEIGHT_EPSILON):
        for panel, w in panels.types.expand(panels.dense_counts(int(j)), float(weights[j])):
            concrete.append(panel)
            concrete_weights.append(w)
    return Distribution.from_panels(concrete, concrete_weights, n=problem.n, algorithm=algorithm, stats=stats)


def _last_distribution(state: StageState) -> tuple[np.ndarray, float] | None:
    """The last stage's distribution and its shortfall, when it can be the final one (else None).

    It can when it uses at most as many panels as a vertex of the final LP would (one per active type, plus
    one) and misses no fixed value by more than ``FIX_SLACK`` (the margin by which fixed values were lowered:
    everyone still gets the level their stage reached; HiGHS's own feasibility tolerance is 1e-7 too). The
    dense interior point's answers on large pools usually can, and then the final LP (minutes on large
    pools; measured: docs/performance.md) is not needed; on small pools the last distribution is central and
    uses more panels than that.
    """
    last, support = state.last_weights, state.support
    if last is None or support is None or len(support) > int(state.active.sum()) + 1:
        return None
    kept = np.where(last > WEIGHT_EPSILON, last, 0.0)
    kept /= kept.sum()
    probs = state.panels.type_probabilities(kept)
    shortfall = float(np.max((state.fixed_value - probs)[state.active], initial=0.0))
    return (kept, shortfall) if shortfall <= FIX_SLACK else None


def finish(problem: PanelProblem, state: StageState, algorithm: Algorithm, deadline: Deadline,
           progress: ProgressReporter) -> Distribution:
    """The final distribution over the found panels, meeting every fixed value: the last stage's one when it
    can be (:func:`_last_distribution`), otherwise from the final primal LP."""
    columns, last = state.support, state.last_weights
    ready = _last_distribution(state)
    if ready is not None:
        weights, shortfall = ready
    else:
        if state.stats["time_limit_reached"] and columns is not None and last is not None \
                and len(columns) > LATE_FINAL_PANELS:
            # out of time: only the heaviest panels of the last distribution (the final LP over thousands of
            # them took ~1-2 minutes on the n=1727 pool); a shortfall this leaves is reported in the stats
            columns = np.argsort(-last)[:LATE_FINAL_PANELS]
        weights, shortfall = solve_final_primal(state.panels, state.fixed_value, columns=columns)
    stats = dict(state.stats)
    stats.update(panels_found=len(state.panels), shortfall=shortfall, runtime=deadline.elapsed())
    dist = to_distribution(problem, state.panels, weights, algorithm, stats)
    active_people = state.active[state.types.type_of]
    lowest = float(dist.probabilities[active_people].min()) if active_people.any() else 0.0
    progress.finish(f"{len(dist.panels)} panels, lowest probability {lowest:.4f}")
    return dist


def leximin(problem: PanelProblem, *, progress: ProgressReporter = NULL_PROGRESS,
            time_limit: float | None = None, oracle: PanelOracle | None = None) -> Distribution:
    """The LEXIMIN distribution over feasible panels.

    Args:
        problem: the quotas and the pool.
        progress: receives people fixed / n, panels found and the current bound.
        time_limit: seconds; when it passes, the best distribution so far is returned
            (``stats["time_limit_reached"] == 1``).
        oracle: the pricing oracle; defaults to ``quotas.solver.PanelModel(problem)``.

    Raises:
        InfeasibleError: no panel meets the quotas.
        SolverError: an LP could not be solved.

    Example:
        >>> dist = leximin(problem)                 # doctest: +SKIP
        >>> round(float(dist.probabilities.min()), 3)  # doctest: +SKIP
        0.1
    """
    deadline = Deadline(time_limit)
    oracle = oracle if oracle is not None else default_oracle(problem)
    state = run_stages(problem, oracle, progress, deadline)
    return finish(problem, state, Algorithm.LEXIMIN, deadline, progress)
