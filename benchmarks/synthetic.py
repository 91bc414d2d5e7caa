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
