"""Step 1 of a verifiable draw: ``prepare`` turns a pool and quotas into a committed lottery file.

The lottery file (``lottery.json``) is public and holds everything a verifier needs: input hashes,
settings, the quotas, every person's pseudonym and category values, the m panels of the uniform lottery
and each person's exact selection probability. Its SHA-256 is the commitment, published before the seed.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

import numpy as np

from quotas.errors import InputError, SortitionError
from quotas.io import dump_yaml, load_quotas
from quotas.model import PanelProblem, QuotaSpec
from sortition import algorithms
from sortition.algorithms.base import Algorithm
from sortition.algorithms.legacy import legacy_probabilities
from sortition.algorithms.rounding import round_to_lottery
from sortition.beacon import QUICKNET_ROUND_URL, BeaconCommitment, commit_round, parse_time, round_at
from sortition.files import PRIVATE_FILE_MODE, atomic_write, canonical_json, sha256_file, write_csv
from sortition.pool import Pool, load_pool, load_spec, pool_from_table
from sortition.progress import NULL_PROGRESS, ProgressReporter
from sortition.pseudonyms import household_pseudonym, load_or_create_salt, pseudonym
from sortition.records import (
    DRAW_FILE,
    LOTTERY_FILE,
    LOTTERY_FORMAT,
    POOL_COPY,
    PSEUDONYM_COLUMN,
    append_ledger,
    locked,
    private_dir,
    read_lottery,
    write_list_format,
)
from sortition.rules.computation import REACHED_KEY, UPPER_BOUND_KEY, EarlyStop, early_stop
from sortition.rules.public import canonical_spec, public_pool, spec_to_public
from sortition.rules.reserve import RESERVE_RULE
from sortition.version import software_version

DEFAULT_PANELS = 1000
#: Seconds prepare may compute unless told otherwise (``time_limit=None``: no limit): an official is never left
#: waiting without end. When it is reached the fairest lottery found is kept and the file says how far from the
#: fairest possible its lowest probability can be (:mod:`sortition.rules.computation`).
DEFAULT_TIME_LIMIT = 600.0
#: Share of ``--time-limit`` the fair-lottery algorithm gets; the rest is for the final LP and rounding.
ALGORITHM_SHARE = 0.9
DEFAULT_LEGACY_RUNS = 10_000


class PrepareOptions(TypedDict, total=False):
    """The options of :func:`prepare`, which :func:`sortition.select` passes on; see ``prepare`` for each."""

    algorithm: Algorithm
    panels: int
    seed_source: str
    sheet: str | None
    panel_size: int | None
    legacy_runs: int
    time_limit: float | None
    force: bool
    progress: ProgressReporter
    drand_round: int | None
    drand_at: str | None
    allow_past_round: bool


@dataclass(frozen=True)
class PrepareResult:
    """What ``prepare`` wrote and what to publish."""

    folder: Path
    lottery_path: Path
    commitment: str
    probabilities: np.ndarray
    panels: int
    max_deviation: float | None
    warnings: tuple[str, ...]
    stats: Mapping[str, Any]
    seed_beacon: BeaconCommitment | None = None
    #: when the time limit stopped the computation: the lowest probability reached and the bound on the fairest
    early_stop: EarlyStop | None = None


def _pool_problem_canonical(pool: Any, spec: QuotaSpec, salt: bytes) -> tuple[list[str], np.ndarray]:
    """Pseudonyms of the pool in file order, and the permutation that sorts them (canonical order)."""
    names = [pseudonym(salt, ident) for ident in pool.ids]
    if len(set(names)) != len(names):  # 64-bit truncation collision: astronomically unlikely
        raise InputError("two ids map to the same pseudonym; delete private/salt and prepare again.")
    order = np.array(sorted(range(len(names)), key=names.__getitem__), dtype=np.int64)
    return names, order


def _people_field(pool: Any, spec: QuotaSpec, names: list[str], order: np.ndarray,
                  salt: bytes) -> dict[str, dict[str, str]]:
    people: dict[str, dict[str, str]] = {}
    feats = pool.problem.features
    # pool.problem follows the spec the pool was loaded with; map value indices by name.
    loaded = pool.problem.spec.categories
    for i in order.tolist():
        entry = {cat.name: cat.values[int(feats[i, c])].value for c, cat in enumerate(loaded)}
        if spec.households:
            entry["household"] = household_pseudonym(salt, pool.household_keys[i])
        people[names[i]] = entry
    return people


def _write_private_pool(folder: Path, pool: Any, names: list[str], order: np.ndarray) -> None:
    """A private copy of the pool's own rows with their pseudonyms, so draw can write panel.csv later."""
    cells = pool.table.frame.to_numpy(dtype=object)
    rows = ([names[i], *cells[i].tolist()] for i in order.tolist())
    # Raw values (safe=False): draw and replace read this file back and must see exactly the register's
    # values; panel.csv and reserves.csv, the files people open, neutralise formula cells.
    write_csv(private_dir(folder) / POOL_COPY, [PSEUDONYM_COLUMN, *pool.table.columns], rows,
              mode=PRIVATE_FILE_MODE, overwrite=True, safe=False)
    write_list_format(folder, pool.table.delimiter)  # panel.csv and reserves.csv come back as the pool came


def _settings(spec: QuotaSpec, pool: Pool, algorithm: Algorithm, panels: int, legacy_runs: int,
              time_limit: float | None, practice: bool) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "panel_size": spec.panel_size,
        "algorithm": algorithm.value,
        "panels": panels if algorithm is not Algorithm.LEGACY else 0,
        "households": bool(spec.households),
        "id_column": pool.id_column,
    }
    if time_limit is not None and algorithm is not Algorithm.LEGACY:  # the limit that applied (none: no key)
        settings["time_limit_seconds"] = time_limit
    if algorithm is Algorithm.LEGACY:
        settings["legacy_runs"] = legacy_runs
    if practice:
        settings["practice"] = True
    return settings


def _distribution(problem: PanelProblem, algorithm: Algorithm, m: int, legacy_runs: int,
                  progress: ProgressReporter, time_limit: float | None
                  ) -> tuple[list[list[int]], np.ndarray, dict[str, Any], float | None]:
    if algorithm is Algorithm.LEGACY:
        est = legacy_probabilities(problem, runs=legacy_runs, progress=progress)
        return [], np.asarray(est.probabilities), {"legacy_runs": est.runs, "note": est.note}, None
    # The rounding and the final LP come after the algorithm's deadline: leave them a tenth of the budget.
    budget = None if time_limit is None else ALGORITHM_SHARE * time_limit
    dist = algorithms.find_distribution(problem, algorithm, progress=progress, time_limit=budget)
    lottery = round_to_lottery(problem, dist, m)
    panels = [list(p) for p in lottery.panels]
    stats = {"distribution_min_probability": float(np.min(dist.probabilities)),
             "time_limit_reached": int(dist.stats.get("time_limit_reached", 0)),
             "rounding_max_deviation": float(lottery.max_deviation),
             "rounding_bound": float(lottery.bound)}
    if stats["time_limit_reached"]:
        # Stopped early: the lowest probability of the people who can be selected at all (those the quotas
        # exclude have 0 in every lottery) and the proven bound on the fairest possible one, to say how far off
        # the lottery may be.
        probs = np.asarray(dist.probabilities, dtype=float)
        selectable = probs[probs > 0] if dist.stats.get("impossible") else probs
        lowest = float(selectable.min()) if selectable.size else 0.0
        stats[REACHED_KEY] = lowest
        if UPPER_BOUND_KEY in dist.stats:
            stats[UPPER_BOUND_KEY] = max(float(dist.stats[UPPER_BOUND_KEY]), lowest)
    return panels, np.asarray(lottery.probabilities), stats, float(lottery.max_deviation)


#: Most panels a lottery may hold (--panels): far beyond what fairness needs (the default is 1,000).
MAX_PANELS = 100_000
#: Most seats (panels x panel size) a lottery file may list: about 100 MB of JSON.
MAX_LOTTERY_SEATS = 5_000_000
#: Most people in a pool: volunteers who answered an invitation, a few thousand at most. Larger files are a
#: register given by mistake (stage 1, ``invite``, is for registers).
MAX_POOL_PEOPLE = 100_000


def _check_limits(panels: int, time_limit: float | None) -> None:
    """Refuse, before any work, a number of panels or a time limit the tool cannot honour."""
    if isinstance(panels, bool) or not isinstance(panels, int) or not 1 <= panels <= MAX_PANELS:
        raise InputError(f"--panels must be a whole number from 1 to {MAX_PANELS:,}, got {panels!r}.",
                         hint="The default of 1,000 is plenty; more panels only make the lottery file larger.")
    if time_limit is not None and not (math.isfinite(time_limit) and time_limit > 0):
        raise InputError(f"--time-limit must be a number of seconds above 0, got {time_limit!r}.",
                         hint="Give e.g. --time-limit 1800, or --time-limit none for no limit.")


def _check_size(people: int, panel_size: int, panels: int) -> None:
    if people > MAX_POOL_PEOPLE:
        raise InputError(f"the pool has {people:,} people; a pool may have at most {MAX_POOL_PEOPLE:,}.",
                         hint="Is this the register? Invite from a register with `sortition invite`.")
    if panel_size * panels > MAX_LOTTERY_SEATS:
        raise InputError(f"{panels:,} panels of {panel_size:,} people are {panels * panel_size:,} seats; a lottery "
                         f"file may list at most {MAX_LOTTERY_SEATS:,}.", hint="Give fewer --panels.")


def presentation_fields(spec: QuotaSpec) -> dict[str, Any]:
    """What reports show beyond the rules: the quota file's order and, when it states them, population shares.

    ``categories`` states the quotas in sorted (canonical) order; ``category_order`` and ``value_order`` keep
    the order of the quota file, so a report lists ``16-29, 30-44, 45-64, 65+`` as the official wrote them.
    They live in the lottery file, not the ledger: the report is built from the public files alone, and the
    order is a fact of the committed inputs. ``population_shares`` (value -> share of the population, 0 to 1)
    is written only when the quota file has them. Verification ignores all three.
    """
    fields: dict[str, Any] = {
        "category_order": [c.name for c in spec.categories],
        "value_order": {c.name: list(c.value_names()) for c in spec.categories},
    }
    shares = {c.name: {v.value: v.population for v in c.values if v.population is not None}
              for c in spec.categories}
    if any(shares.values()):
        fields["population_shares"] = {name: values for name, values in shares.items() if values}
    return fields


def _refuse_drawn_folder(folder: Path) -> None:
    """A lottery that has been drawn is never replaced, not even with --force: the audit trail needs it."""
    if (folder / DRAW_FILE).exists():
        raise InputError("holds a lottery that has been drawn; it is never replaced.", file=folder,
                         hint="Choose another --out folder for a new lottery.")


def _refuse_other_lottery(lottery_path: Path, planned: Mapping[str, Any]) -> None:
    """Before the long computation: a lottery already in the folder with other inputs or settings needs --force.

    The same inputs and settings give the same lottery (the folder's salt is kept), so re-running prepare,
    for instance after a crash, is allowed and rewrites the same bytes.
    """
    if not lottery_path.exists():
        return
    if lottery_path.is_dir():
        read_lottery(lottery_path)  # raises: "is a folder, not a lottery file"
    try:
        _, old = read_lottery(lottery_path)
    except SortitionError:
        old = {}  # a damaged file is another lottery
    if any(old.get(key) != value for key, value in planned.items()):
        raise InputError("holds a lottery made from other inputs or settings; it would be replaced.",
                         file=lottery_path, hint="Choose another --out folder, or pass --force to replace it "
                                                 "(only a lottery that has not been drawn).")


def _file_says(source: Path, spec: QuotaSpec) -> bool:
    """Whether the quota file a spec names as its source holds exactly that spec (it may have changed since)."""
    try:
        return source.is_file() and load_quotas(source, panel_size=spec.panel_size) == spec
    except SortitionError:
        return False


def _load_inputs(pool: str | Path | Pool, quotas: str | Path | QuotaSpec, *, panel_size: int | None,
                 sheet: str | None) -> tuple[QuotaSpec, QuotaSpec, Pool, dict[str, str]]:
    """The spec as given (the quota file's order), the canonical spec, the pool matched against it, and the input
    hashes to commit (file name -> SHA-256).

    A spec built in code (no file it was read from, or the file says something else) is committed as the
    SHA-256 of its YAML (:func:`quotas.dump_yaml`), under the name ``quotas.yaml``.
    """
    if isinstance(quotas, QuotaSpec):
        if panel_size is not None and panel_size != quotas.panel_size:
            raise InputError(f"panel_size {panel_size} differs from the quota spec's {quotas.panel_size}.")
        given = quotas
        source = Path(quotas.source) if quotas.source else None
        if source is not None and _file_says(source, given):
            quota_input = (source.name, sha256_file(source))
        else:
            quota_input = ("quotas.yaml", hashlib.sha256(dump_yaml(given).encode("utf-8")).hexdigest())
    else:
        given = load_spec(quotas, pool=None if isinstance(pool, Pool) else pool, panel_size=panel_size)
        quota_input = (Path(quotas).name, sha256_file(quotas))
    spec = canonical_spec(given)
    # A loaded Pool is matched again against the canonical spec: the lottery states values in that order.
    loaded = pool_from_table(pool.table, spec) if isinstance(pool, Pool) else load_pool(pool, spec, sheet=sheet)
    return given, spec, loaded, {Path(loaded.table.path).name: loaded.table.sha256, quota_input[0]: quota_input[1]}


def _now() -> datetime:
    """The machine's clock (UTC); a function so that tests can set it."""
    return datetime.now(UTC)


def beacon_sentence(commitment: BeaconCommitment) -> str:
    """The lottery file's ``seed_source`` for a committed drand round: a plain sentence naming it and its time."""
    sentence = (f"drand quicknet round {commitment.round}, published at "
                f"{commitment.published_at:%Y-%m-%d %H:%M:%S} UTC "
                f"({QUICKNET_ROUND_URL.format(round=commitment.round)}); the seed is that round's randomness.")
    if commitment.past_round_allowed:
        sentence += (" The organiser allowed a round that may have been published before this commitment "
                     "(--allow-past-round): a practice draw, its seed proves nothing.")
    return sentence


def _committed_beacon(lottery_path: Path) -> Any:
    """The ``seed_beacon`` of the lottery file already in the folder, or None."""
    try:
        return json.loads(lottery_path.read_bytes()).get("seed_beacon")
    except (OSError, ValueError, AttributeError):
        return None


def _beacon_commitment(drand_round: int | None, drand_at: str | None, allow_past_round: bool,
                       lottery_path: Path) -> tuple[BeaconCommitment | None, InputError | None]:
    """The drand round to commit to, and a clock refusal deferred to the byte comparison of a re-run.

    A round already published by the machine's clock is refused (a seed known before the commitment proves
    nothing) unless ``allow_past_round``. One exception keeps prepare reproducible: when the folder already
    holds a lottery file committing to this very round with the same flag, the refusal is deferred, and
    dropped if the new lottery file is byte for byte the one in the folder (a harmless re-run, which
    writes nothing new).
    """
    if drand_round is not None and drand_at is not None:
        raise InputError("give either --drand-round or --drand-at, not both.")
    if drand_round is None and drand_at is None:
        if allow_past_round:
            raise InputError("--allow-past-round needs --drand-round or --drand-at.")
        return None, None
    number = drand_round if drand_round is not None else round_at(parse_time(str(drand_at)))
    try:
        return commit_round(number, now=_now(), allow_past_round=allow_past_round), None
    except InputError as refusal:
        wanted = BeaconCommitment(round=number, past_round_allowed=allow_past_round)
        if _committed_beacon(lottery_path) != wanted.to_json():
            raise
        return wanted, refusal


def prepare(
    pool: str | Path | Pool,
    quotas: str | Path | QuotaSpec,
    out_dir: str | Path,
    *,
    algorithm: Algorithm = Algorithm.LEXIMIN,
    panels: int = DEFAULT_PANELS,
    seed_source: str = "",
    sheet: str | None = None,
    panel_size: int | None = None,
    legacy_runs: int = DEFAULT_LEGACY_RUNS,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    force: bool = False,
    progress: ProgressReporter = NULL_PROGRESS,
    drand_round: int | None = None,
    drand_at: str | None = None,
    allow_past_round: bool = False,
    practice: bool = False,
) -> PrepareResult:
    """Compute the fair lottery for a pool and quotas and write ``out_dir/lottery.json``.

    Args:
        pool: the pool of people who volunteered: a file (CSV or Excel) or a :class:`Pool` already loaded.
        quotas: the quotas: a file (YAML, or CSV with ``panel_size``) or a :class:`quotas.QuotaSpec`.
        out_dir: the draw folder; it gets ``lottery.json``, ``ledger.jsonl`` and ``private/``.
        algorithm: how the panel distribution is computed (LEXIMIN by default).
        panels: m, the number of equally likely panels in the lottery.
        seed_source: the public event that will give the seed, stated in the lottery file.
        sheet: the sheet of an Excel pool with several.
        panel_size: the panel size, for quota files that do not state it.
        legacy_runs: Monte-Carlo runs that estimate the legacy algorithm's probabilities.
        time_limit: seconds the computation may take (default 600; ``None``: no limit). When it is reached the
            fairest lottery found by then is kept, a warning says how far its lowest probability can be from
            the fairest possible, and the lottery file's ``statistics`` record it
            (:mod:`sortition.rules.computation`).
        force: replace a lottery of other inputs or settings in ``out_dir``; one that has been drawn is never
            replaced. The folder is checked before any computation.
        progress: receives progress of the long computation.
        drand_round: commit to this drand quicknet round as the seed (its randomness): the lottery file gets
            ``seed_beacon`` and a ``seed_source`` sentence naming the round and its publication time.
        drand_at: commit to the first quicknet round published at or after this time, e.g.
            ``"2027-03-01 20:00 Europe/Amsterdam"`` (instead of ``drand_round``).
        allow_past_round: accept a round already published by this machine's clock (practice only: recorded
            in the lottery file, and verify and the reports say the seed proves nothing). Without it such a
            round is refused, except in a re-run that gives the very lottery file already in ``out_dir``.
        practice: a practice lottery (``select``): committed as ``settings.practice``, so its draw record can
            never claim the commitment was published before the seed.

    Raises:
        InputError: a bad pool or quota file, or an output folder holding a drawn lottery (or, without
            ``force``, another lottery).
        InfeasibleError: no panel meets the quotas.

    Example:
        >>> result = prepare("pool.csv", "quotas.yaml", "out", seed_source="drand round 5000000")  # doctest: +SKIP
        >>> print(result.commitment)  # publish this before the seed exists  # doctest: +SKIP
    """
    _check_limits(panels, time_limit)
    folder = Path(out_dir)
    _refuse_drawn_folder(folder)  # before reading anything
    lottery_path = folder / LOTTERY_FILE
    beacon, clock_refusal = _beacon_commitment(drand_round, drand_at, allow_past_round, lottery_path)
    if beacon is not None:
        if seed_source.strip():
            raise InputError("--seed-source and a drand round both name the seed; give only the drand round "
                             "(the lottery file states the round and its time).")
        seed_source = beacon_sentence(beacon)
    loaded_spec, spec, pool, inputs = _load_inputs(pool, quotas, panel_size=panel_size, sheet=sheet)
    _check_size(pool.n, spec.panel_size, panels if algorithm is not Algorithm.LEGACY else 1)
    settings = _settings(spec, pool, algorithm, panels, legacy_runs, time_limit, practice)
    with locked(folder, "prepare"):
        _refuse_drawn_folder(folder)  # drawn meanwhile
        # What the lottery file says before its panels; None marks a field it will not have.
        header: dict[str, Any] = {"format": LOTTERY_FORMAT, "software_version": software_version(),
                                  "inputs": inputs, "settings": settings, "seed_source": seed_source,
                                  "seed_beacon": beacon.to_json() if beacon is not None else None}
        if not force:
            _refuse_other_lottery(lottery_path, header)
        return _prepare_locked(folder, spec, pool, header, algorithm=algorithm, panels=panels,
                               legacy_runs=legacy_runs, time_limit=time_limit, force=force, progress=progress,
                               beacon=beacon, clock_refusal=clock_refusal,
                               presentation=presentation_fields(loaded_spec))


def _prepare_locked(folder: Path, spec: QuotaSpec, pool: Pool, header: Mapping[str, Any], *,
                    algorithm: Algorithm, panels: int, legacy_runs: int,
                    time_limit: float | None, force: bool, progress: ProgressReporter,
                    beacon: BeaconCommitment | None, clock_refusal: InputError | None,
                    presentation: Mapping[str, Any]) -> PrepareResult:
    """prepare, holding the folder's lock (the inputs are read and checked, the folder too); ``header`` holds the
    lottery file's fields before its panels, as :func:`_refuse_other_lottery` compared them."""
    lottery_path = folder / LOTTERY_FILE
    salt = load_or_create_salt(folder)
    names, order = _pool_problem_canonical(pool, spec, salt)
    people = _people_field(pool, spec, names, order, salt)
    problem = public_pool({"settings": {"panel_size": spec.panel_size, "households": bool(spec.households)},
                           "people": people, "categories": spec_to_public(spec)}).problem
    panel_idx, probs, stats, max_dev = _distribution(problem, algorithm, panels, legacy_runs, progress,
                                                     time_limit)
    sorted_names = sorted(names)
    body = {
        **{key: value for key, value in header.items() if value is not None},
        "categories": spec_to_public(spec),
        "people": people,
        "panels": [sorted(sorted_names[i] for i in p) for p in panel_idx],
        "probabilities": {sorted_names[i]: round(float(probs[i]), 12) for i in range(len(sorted_names))},
        "probabilities_are_estimates": algorithm is Algorithm.LEGACY,
        "statistics": {k: (round(v, 12) if isinstance(v, float) else v) for k, v in stats.items()},
        "reserve_rule": RESERVE_RULE,
        **presentation,
    }
    data = canonical_json(body)
    if clock_refusal is not None and not (lottery_path.exists() and lottery_path.read_bytes() == data):
        raise clock_refusal
    atomic_write(lottery_path, data, overwrite=force)
    _write_private_pool(folder, pool, names, order)
    commitment = hashlib.sha256(data).hexdigest()
    append_ledger(folder, {"event": "prepare", "commitment": commitment, "algorithm": algorithm.value})
    warnings = list(pool.warnings)
    stopped = early_stop(body)
    if stopped is not None:
        warnings.append(f"{stopped.sentence()} For the full result, prepare again with a larger --time-limit "
                        "(or --time-limit none).")
    return PrepareResult(folder, lottery_path, commitment, probs, len(panel_idx), max_dev, tuple(warnings), stats,
                         beacon, stopped)
