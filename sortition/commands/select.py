"""Practice: prepare and draw in one step."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Unpack

from quotas.model import QuotaSpec
from sortition.commands.draw import DrawResult, draw
from sortition.commands.prepare import PrepareOptions, prepare
from sortition.pool import Pool


def select(pool: str | Path | Pool, quotas: str | Path | QuotaSpec, seed: str, out_dir: str | Path,
           **options: Unpack[PrepareOptions]) -> DrawResult:
    """Prepare and draw in one step, for practice and tests (``options`` are those of :func:`prepare`).

    The lottery file commits ``settings.practice = true`` and the record says the commitment was not published
    before the seed, so nobody mistakes it for a verifiable public draw (verify checks that the two agree).

    Example:
        >>> result = select("pool.csv", "quotas.yaml", "practice", "out", panels=100)  # doctest: +SKIP
    """
    prep = prepare(pool, quotas, out_dir, practice=True, **options)
    result = draw(prep.lottery_path, seed, published_before_seed=False)
    return dataclasses.replace(result, warnings=prep.warnings)
