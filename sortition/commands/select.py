"""Practice: prepare and draw in one step."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Unpack

from quotas.errors import InputError
from quotas.model import QuotaSpec
from sortition.beacon import BeaconRound, read_beacon
from sortition.commands.draw import DrawResult, draw
from sortition.commands.prepare import PrepareOptions, prepare
from sortition.pool import Pool
from sortition.randomness import normalise_seed


def select(pool: str | Path | Pool, quotas: str | Path | QuotaSpec, seed: str | None, out_dir: str | Path, *,
           beacon: str | Path | BeaconRound | None = None, **options: Unpack[PrepareOptions]) -> DrawResult:
    """Prepare and draw in one step, for practice and tests (``options`` are those of :func:`prepare`).

    The lottery file commits ``settings.practice = true`` and the record says the commitment was not published
    before the seed, so nobody mistakes it for a verifiable public draw (verify checks that the two agree).
    With ``drand_round`` (and ``allow_past_round``) in ``options``, pass the round as ``beacon`` and
    ``seed=None``. The seed (or the beacon file's shape) is checked before anything is written.

    Example:
        >>> result = select("pool.csv", "quotas.yaml", "practice", "out", panels=100)  # doctest: +SKIP
    """
    drand = options.get("drand_round") is not None or options.get("drand_at") is not None
    if (seed is None) == (beacon is None) or drand != (beacon is not None):
        raise InputError("give a seed, or a drand round (drand_round or drand_at) with its beacon file; "
                         "exactly one of the two.")
    if seed is not None:
        normalise_seed(seed)  # refuse an invisible character before prepare writes the lottery file
    if beacon is not None and not isinstance(beacon, BeaconRound):
        beacon = read_beacon(beacon)
    prep = prepare(pool, quotas, out_dir, practice=True, **options)
    result = draw(prep.lottery_path, seed, beacon=beacon, published_before_seed=False)
    return dataclasses.replace(result, warnings=prep.warnings)
