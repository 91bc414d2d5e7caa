"""Synthetic pools shaped like the paper's largest real instance (sf(e)), of any size.

Seven correlated categories with 31 values in all and skewed shares, quotas of +-10% around proportional
(at least +-1), and about 8% of people in two-person households. Used by the fairness and load
benchmarks; no real person.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from quotas.model import Category, PanelProblem, QuotaSpec, ValueQuota

CATEGORY_SIZES = (2, 4, 5, 5, 5, 5, 5)


def paper_shaped_problem(n: int = 1727, k: int = 110, *, seed: int = 110) -> PanelProblem:
    """The sf(e)-shaped pool as a PanelProblem (n=1727, k=110 by default)."""
    rng = np.random.default_rng(seed)
    features = np.zeros((n, len(CATEGORY_SIZES)), dtype=np.int64)
    latent = rng.normal(size=n)  # correlates categories, as real attributes are
    cats = []
    for c, size in enumerate(CATEGORY_SIZES):
        shares = rng.dirichlet(np.full(size, 2.0))
        score = latent * 0.8 + rng.normal(size=n)
        cuts = np.quantile(score, np.cumsum(shares)[:-1])
        features[:, c] = np.searchsorted(cuts, score)
        counts = np.bincount(features[:, c], minlength=size)
        values = []
        for j in range(size):
            target = k * counts[j] / n
            values.append(ValueQuota(f"v{c}{j}", int(np.floor(target * 0.9)), int(np.ceil(target * 1.1)) + 1))
        cats.append(Category(f"c{c}", tuple(values)))
    households = np.arange(n)
    pairs = rng.permutation(n)[: int(0.08 * n) // 2 * 2].reshape(-1, 2)
    households[pairs[:, 1]] = pairs[:, 0]
    return PanelProblem(QuotaSpec(panel_size=k, categories=tuple(cats)), features, households)


def write_problem(problem: PanelProblem, folder: Path) -> tuple[Path, Path]:
    """Write the problem as a pool CSV (id, household, one column per category) and a quota YAML."""
    folder.mkdir(parents=True, exist_ok=True)
    cats = problem.spec.categories
    hh = problem.households if problem.households is not None else np.arange(problem.n)
    lines = ["id,household," + ",".join(c.name for c in cats)]
    for i in range(problem.n):
        values = ",".join(cat.values[int(problem.features[i, c])].value for c, cat in enumerate(cats))
        lines.append(f"S{i:06d},H{int(hh[i]):06d},{values}")
    pool = folder / "pool.csv"
    pool.write_text("\n".join(lines) + "\n", encoding="utf-8")
    yaml = [f"panel_size: {problem.k}", "id_column: id", "households: [household]", "categories:"]
    for cat in cats:
        yaml.append(f"  {cat.name}:")
        yaml += [f"    {v.value}: {{min: {v.min}, max: {v.max}}}" for v in cat.values]
    quotas = folder / "quotas.yaml"
    quotas.write_text("\n".join(yaml) + "\n", encoding="utf-8")
    return pool, quotas


# --- Realistic (hard) pools -------------------------------------------------------------------------------
#
# Real pools are harder than ``paper_shaped_problem``: the people who volunteer are not a sample of the
# population (older, more educated people answer more often), and quotas are set at the *population* share,
# +-1 seat. The rare-in-the-pool values then need nearly everyone who has them, many people end up with
# different probabilities, and LEXIMIN needs many stages. The generator below models that.

#: name -> (n, k, value counts per category, share of people in two-person households). Shapes of the
#: published instances of the LEXIMIN paper (sf(a), sf(c), obf, nexus, cca, sf(e)), and a large-city pool.
REALISTIC_SHAPES: dict[str, tuple[int, int, tuple[int, ...], float]] = {
    "realistic_312_35": (312, 35, (2, 3, 4, 5, 3, 4), 0.08),
    "realistic_161_44": (161, 44, (2, 3, 4, 3, 4, 2, 3), 0.08),
    "realistic_321_30": (321, 30, (2, 3, 4, 5, 3, 2, 4, 3), 0.08),
    "realistic_342_170": (342, 170, (2, 4, 5, 4, 3), 0.08),
    "realistic_825_75": (825, 75, (2, 5, 6, 4), 0.08),
    "realistic_1727_110": (1727, 110, (2, 4, 9, 5, 3, 5, 3), 0.08),
    "realistic_4000_150": (4000, 150, (3, 4, 10, 6, 5, 8), 0.09),
}

#: Population drawn to find the volunteers: this many times the pool size.
POPULATION_FACTOR = 40


def realistic_problem(n: int, k: int, sizes: tuple[int, ...], household_share: float = 0.08, *,
                      seed: int = 0, margin: int = 1) -> PanelProblem:
    """A self-selected pool with quotas at the population share +-``margin`` (deterministic per seed).

    - A population of ``POPULATION_FACTOR * n`` people; one latent factor (think: age and education)
      correlates every category, and each value has a share from a Dirichlet(2) draw (at least 2%).
    - Each person volunteers with a probability (about 5% on average) that depends on the latent factor and
      on their values; the pool is the first ``n`` volunteers.
    - Quotas: ``round(k * population share) -+ margin`` per value (min at least 0).
    - ``household_share`` of the pool lives in two-person households; the partner shares the first
      category's value half of the time, like real couples share a district.

    The seed is tried upwards until the quotas are feasible for the pool (checked with the panel solver).
    """
    from quotas.solver import PanelModel  # (here: importing this module stays light)

    for attempt in range(seed, seed + 100):
        problem = _realistic_attempt(n, k, sizes, household_share, attempt, margin)
        if problem is not None and PanelModel(problem).is_feasible():
            return problem
    raise RuntimeError(f"no feasible realistic pool for n={n}, k={k} in 100 seeds from {seed}")


def _realistic_attempt(n: int, k: int, sizes: tuple[int, ...], household_share: float, seed: int,
                       margin: int) -> PanelProblem | None:
    rng = np.random.default_rng([seed, n, k])
    population = POPULATION_FACTOR * n
    latent = rng.normal(size=population)
    features = np.zeros((population, len(sizes)), dtype=np.int64)
    propensity = latent * 0.6 - 3.2  # logit of volunteering: the latent factor, plus per value below
    share_list = []
    for c, size in enumerate(sizes):
        shares = rng.dirichlet(np.full(size, 2.0))
        shares = np.maximum(shares, 0.02)
        shares /= shares.sum()
        share_list.append(shares)
        score = latent * rng.uniform(0.4, 0.9) + rng.normal(size=population)
        cuts = np.quantile(score, np.cumsum(shares)[:-1])
        features[:, c] = np.searchsorted(cuts, score)
        propensity += rng.normal(scale=0.5, size=size)[features[:, c]]
    volunteers = np.flatnonzero(rng.random(population) < 1.0 / (1.0 + np.exp(-propensity)))
    if len(volunteers) < n:
        return None
    pool = features[volunteers[:n]].copy()
    cats = []
    for c, size in enumerate(sizes):
        pop_share = np.bincount(features[:, c], minlength=size) / population
        values = []
        for j in range(size):
            target = round(k * pop_share[j])
            values.append(ValueQuota(f"v{c}{j}", max(0, target - margin), min(k, target + margin)))
        if sum(v.min for v in values) > k or sum(v.max for v in values) < k:
            return None
        cats.append(Category(f"c{c}", tuple(values)))
    households = np.arange(n)
    pairs = rng.permutation(n)[: int(household_share * n) // 2 * 2].reshape(-1, 2)
    households[pairs[:, 1]] = pairs[:, 0]
    same = rng.random(len(pairs)) < 0.5
    pool[pairs[same, 1], 0] = pool[pairs[same, 0], 0]
    return PanelProblem(QuotaSpec(panel_size=k, categories=tuple(cats)), pool, households)


def realistic_shape(name: str, *, seed: int = 0) -> PanelProblem:
    """One of ``REALISTIC_SHAPES`` by name."""
    n, k, sizes, household_share = REALISTIC_SHAPES[name]
    return realistic_problem(n, k, sizes, household_share, seed=seed)
