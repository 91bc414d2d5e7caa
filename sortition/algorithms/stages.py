"""LEXIMIN stage by stage: column generation over panels, for pools where the one-go shortcut
(:mod:`~sortition.algorithms.facewalk`) does not reach the relaxation's LEXIMIN point. Called by
:func:`sortition.algorithms.leximin.run_stages`.

1. The stages start from a diverse set of panels (multiplicative weights, see
   :func:`~sortition.algorithms.colgen.starting_panels`, taken by ``run_stages``) and every panel the
   one-go attempt found; people on no feasible panel get probability 0.
2. A *stage* maximises the minimum probability ``z`` of the people not yet fixed, keeping every fixed
   person at their fixed value. Column generation: one LP per stage is kept alive in HiGHS
   (:class:`~sortition.algorithms.colgen.StageLP`, in primal form: rows are types, columns panels; it
   starts from the panels the last stage's distribution uses); each round adds the new panels as columns
   and re-solves with warm-started primal simplex. New panels come first from a swap search
   (:mod:`quotas.localsearch`) started at the panels the LP uses. When that finds nothing, and every
   ``BOUND_EVERY`` rounds anyway, the exact oracle prices the simplex duals: its panel is added, and by
   weak duality it gives an upper bound on the stage's level. Two more bounds come at the start of a stage
   (:func:`_even_bound`, :func:`_mass_bound`: what is left of ``k`` after the fixed people). The stage
   ends as soon as the LP is within ``PROBABILITY_TOLERANCE`` of the best bound (then one interior-point
   solve gives the duals for fixing), or when the exact oracle finds nothing better for the
   interior-point duals.
   *Heavy stages.* Once a warm re-solve needs more than ``FW_PIVOTS`` simplex pivots (late stages on
   large pools, where the vertex duals sit on a few dozen types and each new panel moves the level very
   little), and in every round when the LP has more than ``HEAVY_TYPES`` type rows but no more than the
   dense interior point takes (``DENSE_ROWS``; there even a warm simplex re-solve is slower than a dense
   interior-point solve), the rest of the stage prices by Frank-Wolfe instead
   (:mod:`~sortition.algorithms.frankwolfe`: ``FW_STEPS`` steps from the LP's distribution towards the
   bound, each a panel for the LP), re-solves by interior point (our dense one,
   :mod:`~sortition.algorithms.interior`), and asks the exact oracle every round. On the paper-shaped
   n=1727 pool this beat heavy rounds only from the second stage on (the first stage then needs many
   warm-simplex rounds) and more Frank-Wolfe steps per round (the late stages then need more rounds).
   Measured (``benchmarks/leximin_stages.py`` and one-off runs): docs/performance.md.
3. A type is fixed at ``z`` (the value the current panels achieve, so later stages stay feasible) only when
   a *proven* dual (one whose bound holds for every panel: the mass or even bound, an exact or LP-relaxation
   bound, or the central duals once priced) shows it cannot get more than ``FIX_EXCESS`` above ``z``
   (:func:`_certified`; the restricted LP's own duals prove nothing). Bounds come first from the LP
   relaxation of the panel model (:class:`quotas.solver.PanelRelaxation`), and its point, rounded by swaps,
   often gives the next panel without the exact oracle; a stage that tails off prices smoothed duals.
   Repeat until everyone is fixed.

The relaxation (:mod:`~sortition.algorithms.relaxed`) gives each stage's exact upper bound over it and
proves which types are stuck, where the stage LP's interior-point duals and the exact oracle were needed
before.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from quotas.localsearch import SwapSearch
from quotas.solver import PanelRelaxation
from sortition.algorithms.base import (
    PROBABILITY_TOLERANCE,
    WEIGHT_EPSILON,
    PanelOracle,
)
from sortition.algorithms.colgen import (
    DENSE_ROWS,
    Deadline,
    PanelSet,
    StageLP,
    StageSolution,
)
from sortition.algorithms.frankwolfe import frank_wolfe_panels
from sortition.algorithms.relaxed import StageRelaxation
from sortition.algorithms.symmetry import TypePartition
from sortition.progress import ProgressReporter

#: A type is fixed when its dual weight is above this share of the largest dual weight.
DUAL_FIX_SHARE = 1e-4
#: A type is fixed only when a proven dual shows that no distribution can give it more than this above the
#: stage's level (see ``_certified``).
FIX_EXCESS = PROBABILITY_TOLERANCE
#: A stage whose gap certifies no type goes on with a ten times smaller tolerance, down to this one.
MIN_TOLERANCE = 1e-9
#: Fixed values are lowered by this much so that float noise never makes a later stage infeasible.
FIX_SLACK = 1e-7
#: Swap search starts from at most this many of the panels the LP uses, per round.
SWAP_STARTS = 3
#: Frank-Wolfe steps per round (each may add a panel for the next LP).
FW_STEPS = 1000
#: A stage switches to Frank-Wolfe rounds once a warm LP re-solve needs more simplex pivots than this.
FW_PIVOTS = 1000
#: Stage LPs over more types than this (up to ``DENSE_ROWS``) run every round as a heavy one (dense interior
#: point, Frank-Wolfe pricing).
HEAVY_TYPES = 1000
#: Share of the best bound's dual in the duals the exact oracle prices once a stage closes its gap below the
#: usual tolerance (see ``_vertex_bound``).
SMOOTHING = 0.5
#: A stage prices smoothed duals after this many rounds (the vertex and central duals then tail off: on a
#: realistic 342/170 pool one stage took 1,117 rounds and 796 oracle calls without).
SMOOTH_AFTER = 30
#: Every this many rounds of a stage, the exact oracle prices the simplex duals for an upper bound.
BOUND_EVERY = 8
#: Size of the pricing tie-break, relative to the bound on a panel's dual weight.
TIE_BREAK = 0.1


@dataclass
class StageState:
    """Progress of the stage-by-stage column generation over types (mutable while it runs)."""

    k: int
    panels: PanelSet
    active: np.ndarray  # types that can be on some panel
    fixed: np.ndarray
    fixed_value: np.ndarray
    stats: dict[str, float] = field(default_factory=dict)
    #: The LP relaxation of the panel model: cheap upper bounds (None: every bound from the exact oracle).
    relaxation: PanelRelaxation | None = None
    #: The stage LP over the relaxation (None: the stage's first bound is the even one, and only duals certify).
    stage_relaxation: StageRelaxation | None = None
    #: The current stage's tolerance: an improving panel must beat the LP's bound by more than this, and the
    #: stage may end when the LP is this close to the best bound (smaller when that certifies nobody).
    tolerance: float = PROBABILITY_TOLERANCE
    #: The last stage's distribution (None before the first stage): the next stage's LP starts from the
    #: panels it uses, not from every panel found (they already meet every fixed value).
    last_weights: np.ndarray | None = None

    @property
    def types(self) -> TypePartition:
        return self.panels.types

    @property
    def support(self) -> np.ndarray | None:
        """The panels the last stage's distribution uses (None before the first stage)."""
        return None if self.last_weights is None else np.flatnonzero(self.last_weights > WEIGHT_EPSILON)

    @property
    def unfixed(self) -> np.ndarray:
        return self.active & ~self.fixed

    def people_fixed(self) -> int:
        return int(self.types.sizes[self.fixed & self.active].sum())


def _tie_broken(sol: StageSolution, state: StageState) -> tuple[np.ndarray, np.ndarray]:
    """Per-person dual weights, and the same with a small tie-break towards people still at the bottom.

    A type's dual weight is spread evenly over its members. The dual weights often sit on a handful of
    types, so that very many panels tie; the tie-break leans towards people whose probability is still
    lowest (those are the ones a new panel should hold).
    """
    types = state.types
    y = types.person_values(sol.y)
    probs = state.panels.type_probabilities(sol.panel_weights)
    level = max(sol.value, 1e-6)
    tie_break = types.per_person(np.where(state.active, level / np.maximum(probs, level), 0.0))
    return y, y + TIE_BREAK * max(sol.y_hat, 1e-9) / state.k * tie_break


class Counted:
    """An oracle that counts its calls, for the ``oracle_calls`` statistic (panels are no measure of it:
    covering by swaps and swap pricing add panels that no oracle call found)."""

    def __init__(self, oracle: PanelOracle) -> None:
        self.oracle = oracle
        self.calls = 0

    def find_panel(self, weights: np.ndarray) -> np.ndarray:
        self.calls += 1
        return self.oracle.find_panel(weights)


def _ask(oracle: PanelOracle, weights: np.ndarray, state: StageState) -> np.ndarray:
    """The exact oracle's heaviest panel for ``weights``, timed in ``state.stats``."""
    start = time.perf_counter()
    panel = oracle.find_panel(weights)
    state.stats["oracle_seconds"] += time.perf_counter() - start
    return panel


def _add_if_improving(panel: np.ndarray, y: np.ndarray, sol: StageSolution, state: StageState) -> bool:
    """Add ``panel`` when its dual weight beats the LP's bound by more than the tolerance and it is new."""
    return float(y[panel].sum()) - sol.y_hat > state.tolerance and state.panels.add(panel)


def _add_polished(search: SwapSearch, panel: np.ndarray, y: np.ndarray, first: np.ndarray,
                  sol: StageSolution, state: StageState) -> None:
    """Polish an oracle panel by swaps (with the tie-break ``first``); often a second useful panel."""
    if _add_if_improving(search.improve(panel, first), y, sol, state):
        state.stats["swap_panels"] += 1


def _price_by_swaps(search: SwapSearch, sol: StageSolution, state: StageState) -> int:
    """Improving panels by swap search from the panels the LP uses; return how many new ones were added."""
    start = time.perf_counter()
    y, first = _tie_broken(sol, state)
    used = np.argsort(-sol.panel_weights)[:SWAP_STARTS]
    added = 0
    for j in used[sol.panel_weights[used] > 0]:
        added += _add_if_improving(search.improve(state.panels.representative(int(j)), first), y, sol, state)
    state.stats["swap_panels"] += added
    state.stats["swap_seconds"] += time.perf_counter() - start
    return added


def _price_by_frank_wolfe(search: SwapSearch, sol: StageSolution, state: StageState, bound: float,
                          deadline: Deadline) -> int:
    """New panels from Frank-Wolfe steps that take the LP's distribution towards ``bound`` for every unfixed
    person (and the fixed value for every fixed one), until the deadline; return how many were added."""
    start = time.perf_counter()
    state.stats["frank_wolfe_rounds"] += 1
    targets = np.where(state.fixed, state.fixed_value, bound)
    targets[~state.active] = 0.0
    added = frank_wolfe_panels(search, state.panels, sol.panel_weights, targets, FW_STEPS, deadline.passed).added
    state.stats["swap_panels"] += added
    state.stats["swap_seconds"] += time.perf_counter() - start
    return added


def _price_exact(oracle: PanelOracle, search: SwapSearch, sol: StageSolution, state: StageState) -> float:
    """Ask the exact oracle; return the gap (best panel weight minus the LP's bound).

    The tie-broken question comes first; only when that finds nothing improving is the plain question
    asked, so a stage never ends before the exact pricing problem says so. An improving panel is also
    polished by swaps (with the tie-break), which often gives a second useful panel.
    """
    y, first = _tie_broken(sol, state)
    for weights in (first, y):
        panel = _ask(oracle, weights, state)
        gap = float(y[panel].sum()) - sol.y_hat
        if gap > state.tolerance:
            break
    else:
        return gap
    if not state.panels.add(panel):
        return 0.0  # float noise, or a panel the stage's LP lacks (the caller then adds every panel to it)
    _add_polished(search, panel, y, first, sol, state)
    return gap


def _relaxed_bound(state: StageState, y: np.ndarray) -> float:
    """The upper bound on the stage's level that dual ``y`` gives through the LP relaxation of the panel model
    (inf without one): ``max_P y(P) - sum_fixed y_t f_t`` with the relaxation's optimum for ``max_P y(P)``."""
    if state.relaxation is None:
        return float("inf")
    start = time.perf_counter()
    top = state.relaxation.upper_bound(state.types.person_values(y))
    state.stats["relaxations"] += 1
    state.stats["relaxation_seconds"] += time.perf_counter() - start
    return top - _fixed_term(y, state)


def _fixed_term(y: np.ndarray, state: StageState) -> float:
    """``sum_fixed y_t f_t``: what a dual's bound subtracts for the fixed types' values."""
    fixed = state.fixed & state.active
    return float(y[fixed] @ state.fixed_value[fixed])


def _relaxation_panel(search: SwapSearch, sol: StageSolution, state: StageState, weights: np.ndarray) -> bool:
    """Round the last relaxation's point to a panel, by swaps towards it from the LP's heaviest panel and then
    by swaps for ``weights``; add it when it improves the LP. Whether it did (then no exact call is needed
    for a new panel: the relaxation already gave the bound)."""
    if state.relaxation is None or not len(sol.panel_weights):
        return False
    start = time.perf_counter()
    heaviest = state.panels.representative(int(np.argmax(sol.panel_weights)))
    panel = search.improve(search.improve(heaviest, state.relaxation.solution), weights)
    y, _ = _tie_broken(sol, state)
    added = _add_if_improving(panel, y, sol, state)
    state.stats["relaxation_panels"] += added
    state.stats["swap_seconds"] += time.perf_counter() - start
    return added


def _even_bound(oracle: PanelOracle, state: StageState) -> tuple[float, np.ndarray]:
    """An upper bound on this stage's level from the dual that weighs every unfixed person equally.

    For any ``y >= 0`` whose unfixed part sums to 1, every distribution has
    ``min_unfixed p <= max_P y(P) - sum_fixed y_t f_t``; with all weight spread evenly over the unfixed
    people (none on fixed ones) that is (people of the best panel that are unfixed) / (unfixed people).
    On pools where nearly everyone can reach ``k/n`` this ends a stage as soon as the LP gets close,
    while the LP's own dual (on a handful of people) would keep asking for panels. Its panel is added too.
    """
    y = np.where(state.unfixed, state.types.sizes, 0).astype(float)
    y /= y.sum()
    if state.relaxation is not None:  # the relaxation's bound is nearly as good, and far cheaper
        return _relaxed_bound(state, y), y
    weights = state.types.person_values(y)
    panel = _ask(oracle, weights, state)
    state.panels.add(panel)
    return float(weights[panel].sum()), y


def _start_bound(oracle: PanelOracle, state: StageState) -> tuple[float, np.ndarray]:
    """The stage's first upper bound and its proof: the stage LP over the relaxation
    (:meth:`StageRelaxation.level`, usually the stage's exact level), else :func:`_even_bound`."""
    if state.stage_relaxation is not None:
        level, y = state.stage_relaxation.level(state.active, state.fixed, state.fixed_value)
        state.stats["relaxations"] += 1
        if np.isfinite(level):
            return level, y
    return _even_bound(oracle, state)


def _stuck(sol: StageSolution, state: StageState) -> np.ndarray:
    """The unfixed types at the stage's level that the relaxation proves cannot rise more than ``FIX_EXCESS``
    above it (:meth:`StageRelaxation.stuck`; none without a relaxation)."""
    if state.stage_relaxation is None:
        return np.zeros_like(state.unfixed)
    start = time.perf_counter()
    probs = state.panels.type_probabilities(sol.panel_weights)
    candidates = state.unfixed & (probs <= sol.value + PROBABILITY_TOLERANCE)
    chosen = state.stage_relaxation.stuck(state.active, state.fixed, state.fixed_value, sol.value, candidates,
                                          FIX_EXCESS)
    state.stats["relaxation_seconds"] += time.perf_counter() - start
    return chosen


def _mass_bound(state: StageState) -> tuple[float, np.ndarray]:
    """An upper bound on this stage's level that needs no panel: what is left of ``k`` after the fixed people.

    Every panel has exactly ``k`` members, so the probabilities of all people sum to ``k``; the unfixed
    people share what the fixed ones do not take, and the lowest of them gets at most the average (the
    dual that weighs every active person equally). After the first stage this is usually far below
    :func:`_even_bound`, which forgets that the fixed people still need their share of every panel, so a
    stage can end as soon as its level is near this bound instead of running on for minutes towards the
    far higher even bound (measured: docs/performance.md).
    """
    sizes = state.types.sizes
    fixed = state.fixed & state.active
    unfixed_people = float(sizes[state.unfixed].sum())
    y = np.where(state.active, sizes, 0) / unfixed_people  # the proving dual
    return (state.k - float(sizes[fixed] @ state.fixed_value[fixed])) / unfixed_people, y


def _vertex_bound(oracle: PanelOracle, search: SwapSearch, sol: StageSolution, state: StageState,
                  proof: np.ndarray, smoothing: float) -> tuple[float, np.ndarray, bool]:
    """Exact pricing of the simplex (vertex) duals: an upper bound on the stage's level, its dual, and a new
    panel.

    Weak duality: for any ``y >= 0`` whose unfixed part sums to 1, the level is at most
    ``max_P y(P) - sum_fixed y_t f_t``. Late in a stage the LP is often already within the tolerance while
    swaps keep finding slightly better panels; this ends it without an interior-point solve. The oracle's
    panel is added when it improves the LP, and polished by swaps.

    With ``smoothing`` > 0 the oracle prices ``smoothing * proof + (1 - smoothing) * sol.y`` instead, where
    ``proof`` is the best bound's dual (in-out separation, Ben-Ameur and Neto 2007): vertex duals jump from
    one side of the optimum to the other, and on a degenerate LP each of their panels moves the level very
    little; the mix gives either a panel that improves the LP or a bound at least ``smoothing`` times closer
    to the LP's level. Used once a stage must close its gap below the usual tolerance.

    Returns:
        The bound, the dual that proves it, and whether a new improving panel was added.
    """
    mixed = smoothing * proof + (1.0 - smoothing) * sol.y
    relaxed = _relaxed_bound(state, mixed)
    if relaxed - sol.value <= state.tolerance:  # the LP relaxation proves the level: no exact call needed
        return relaxed, mixed, False
    weights = state.types.person_values(mixed)
    if _relaxation_panel(search, sol, state, weights):  # a new panel without the exact oracle
        return relaxed, mixed, True
    panel = _ask(oracle, weights, state)
    bound = float(weights[panel].sum()) - _fixed_term(mixed, state)
    y, first = _tie_broken(sol, state)
    added = _add_if_improving(panel, y, sol, state)
    if added:
        _add_polished(search, panel, y, first, sol, state)
    return bound, mixed, added


def _certified(sol: StageSolution, state: StageState, proofs: list[tuple[np.ndarray, float]]) -> np.ndarray:
    """The unfixed types that no LEXIMIN distribution can give more than ``FIX_EXCESS`` above ``sol.value``.

    Each proof is a dual ``y >= 0`` (per type, unfixed part summing to 1) with an upper bound ``B`` on the
    stage's level that holds for *every* panel (an exact oracle's answer, or a bound that needs no panel).
    Every distribution that keeps the fixed values and gives every unfixed type at least ``z = sol.value``
    has ``sum_unfixed y_t p_t <= B``, hence ``p_t <= z + (B - z) / y_t``. So a type is certified when
    ``(B - z) / y_t <= FIX_EXCESS``. The duals of the stage's LP alone prove nothing: they price only the
    panels found so far, and with too few panels more types look stuck at ``z`` than are (found on the
    generated tight_22 pool: 2 people fixed at 0.1 who can reach 0.111).
    """
    unfixed = state.unfixed
    probs = state.panels.type_probabilities(sol.panel_weights)
    chosen = np.zeros_like(unfixed)
    for y, bound in proofs:
        y = np.where(unfixed, y, 0.0)
        total = float(y.sum())
        if total <= 0 or not np.isfinite(bound):
            continue
        y /= total
        gap = max(bound - sol.value, 0.0)
        chosen |= (y > DUAL_FIX_SHARE * float(y.max())) & (gap <= FIX_EXCESS * y)
    return chosen & unfixed & (probs <= sol.value + PROBABILITY_TOLERANCE)


def fix_types(sol: StageSolution, state: StageState, chosen: np.ndarray) -> int:
    """Fix the ``chosen`` types (or, when none, the one with the largest dual weight) at the stage's level."""
    if not chosen.any():
        unfixed = state.unfixed
        chosen = np.zeros_like(unfixed)
        chosen[np.flatnonzero(unfixed)[int(np.argmax(sol.y[unfixed]))]] = True
    state.fixed |= chosen
    state.fixed_value[chosen] = min(max(sol.value - FIX_SLACK, 0.0), 1.0)
    return int(chosen.sum())


def _end(oracle: PanelOracle, search: SwapSearch, central: StageSolution, state: StageState,
         proof: tuple[np.ndarray, float], priced: float | None = None) -> tuple[StageSolution, np.ndarray] | None:
    """The stage's end, when the LP is within the tolerance of ``proof``'s bound: the types certified by that
    proof or by the central duals, which the exact oracle prices here (unless ``priced`` is already their
    proven bound). None, with the tolerance ten times smaller, when neither certifies any type."""
    if priced is None:
        priced = _relaxed_bound(state, central.y)
        if priced - central.value > state.tolerance:
            gap = _price_exact(oracle, search, central, state)
            priced = central.value + max(gap, 0.0) if gap <= state.tolerance else np.inf
    chosen = _certified(central, state, [proof, (central.y, priced)])
    if chosen.any() or state.tolerance <= MIN_TOLERANCE:
        return central, chosen
    state.tolerance /= 10
    state.stats["tightened"] += 1
    return None


def _close(oracle: PanelOracle, search: SwapSearch, lp: StageLP, sol: StageSolution, state: StageState,
           proof: tuple[np.ndarray, float]) -> tuple[StageSolution, np.ndarray] | None:
    """The stage's end once the LP is within the tolerance of ``proof``'s bound: the types the relaxation
    proves stuck (:func:`_stuck`, no interior-point solve and no oracle call), else :func:`_end` on the
    central solution. None when neither certifies a type (the tolerance is then smaller)."""
    stuck = _stuck(sol, state)
    if stuck.any():
        return sol, stuck
    central = sol if sol.central else _central(state, lp, sol.value)
    return _end(oracle, search, central, state, proof)


def _price_central(oracle: PanelOracle, search: SwapSearch, lp: StageLP, sol: StageSolution, state: StageState,
                   proof: tuple[np.ndarray, float]
                   ) -> tuple[float, np.ndarray, tuple[StageSolution, np.ndarray] | None]:
    """Exact pricing of the central duals (when the vertex duals' best panel is known already).

    Returns:
        The best bound and its dual, and the stage's end (:func:`_end`) when nothing improves on the central
        duals, every panel found is in the LP, and some type is certified; else None.
    """
    y, bound = proof
    central = sol if sol.central else _central(state, lp, sol.value)
    gap = _relaxed_bound(state, central.y) - central.value
    if gap > state.tolerance and _relaxation_panel(search, central, state, state.types.person_values(central.y)):
        return bound, y, None
    if gap > state.tolerance:
        gap = _price_exact(oracle, search, central, state)
    if gap > state.tolerance or lp.include_all():
        return bound, y, None
    central_bound = central.value + max(gap, 0.0)  # proven: no panel improves more on these duals
    if central_bound < bound:
        y, bound = central.y, central_bound
    state.stats["stage_bound"] = bound
    return bound, y, _end(oracle, search, central, state, (y, bound), priced=central_bound)


def _central(state: StageState, lp: StageLP, level: float) -> StageSolution:
    """The interior-point (strictly complementary) solution of the stage LP (:meth:`StageLP.central`).

    Its duals decide the fixing; its level is replaced by ``level``, the simplex value of the same LP: without
    crossover the interior-point objective can be off by ~1e-3 when fixed types carry large dual weights
    (found by a property test: 1.001 where the true level was 1.0), and fixing people that much too high
    would make a later stage infeasible.
    """
    start = time.perf_counter()
    sol = lp.central()
    state.stats["lp_seconds"] += time.perf_counter() - start
    state.stats["ipm_solves"] += 1
    return replace(sol, value=level)


def stage(oracle: PanelOracle, search: SwapSearch, state: StageState, progress: ProgressReporter,
           deadline: Deadline) -> tuple[StageSolution, np.ndarray]:
    """Column generation for one stage: until pricing finds no panel better than the LP's bound.

    Each round re-solves the stage LP warm (simplex) and looks for improving panels by swaps first; only
    when swaps find none is the interior-point solution computed and the exact oracle asked. The stage ends
    when the oracle finds nothing improving for that solution (which is then also the one used for
    fixing) or when the LP reaches an upper bound on the level. Once a warm re-solve needs more than
    ``FW_PIVOTS`` pivots, every further round asks the exact oracle (for a bound) and then adds a
    Frank-Wolfe round of panels, which the LP takes in by interior point.

    The stage may end only when some type is *certified* (:func:`_certified`) by a proven dual: the best
    bound's one, or the interior-point duals once the exact oracle has priced them. When none is, the stage
    goes on with a tolerance ten times smaller.

    Returns:
        The stage solution, and the types it fixes (empty when the time limit stopped it).
    """
    total = int(state.types.sizes[state.active].sum())
    bound, proof = min(_start_bound(oracle, state), _mass_bound(state), key=lambda b: b[0])
    state.tolerance = PROBABILITY_TOLERANCE
    lp = StageLP(state.panels, state.active, state.fixed, state.fixed_value, columns=state.support,
                 stats=state.stats)
    # large LPs that the dense interior point takes: every round by it and Frank-Wolfe; otherwise from the
    # first warm re-solve that needs many pivots on (HiGHS's interior point on more rows is far slower)
    heavy = HEAVY_TYPES < int(state.active.sum()) <= DENSE_ROWS
    round_seconds = 0.0  # how long the last round took (a Frank-Wolfe round plus its LP: up to a minute)
    first_round = state.stats["rounds"]
    while True:
        round_start = start = time.perf_counter()
        sol = lp.solve(interior_point=heavy)
        state.stats["lp_seconds"] += time.perf_counter() - start
        state.stats["rounds"] += 1
        state.stats["stage_bound"] = bound
        if bound - sol.value <= state.tolerance:
            end = _close(oracle, search, lp, sol, state, (proof, bound))
            if end is not None:
                return end
            continue
        if deadline.passed() or (heavy and deadline.passed_by(round_seconds)):
            state.stats["time_limit_reached"] = 1  # (or would be by the end of another round like the last)
            return sol, np.zeros_like(state.unfixed)
        heavy = heavy or lp.pivots > FW_PIVOTS
        periodic = heavy or state.stats["rounds"] % BOUND_EVERY == 0
        if not periodic and _price_by_swaps(search, sol, state):
            continue
        # tailing off (many rounds, or a gap to close below the usual tolerance): smoothed pricing
        closing = state.tolerance < PROBABILITY_TOLERANCE or state.stats["rounds"] - first_round > SMOOTH_AFTER
        new_bound, mixed, added = _vertex_bound(oracle, search, sol, state, proof, SMOOTHING if closing else 0.0)
        if new_bound < bound:
            bound, proof = new_bound, mixed
        progress.update(completed=min(state.people_fixed(), total),
                        message=f"{len(state.panels)} panels, lowest probability {sol.value:.4f} "
                                f"(at most {bound:.4f})")
        if bound - sol.value <= state.tolerance:
            continue
        if not added and closing:  # mispriced: the bound came closer (the LP may lack a known panel)
            lp.include_all()
        elif not added:  # the vertex duals' best panel is known already: ask about the central ones
            bound, proof, end = _price_central(oracle, search, lp, sol, state, (proof, bound))
            if end is not None:
                return end
        if heavy:
            _price_by_frank_wolfe(search, sol, state, bound, deadline)
        round_seconds = time.perf_counter() - round_start
