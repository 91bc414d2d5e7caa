"""sortition: draw representative panels by lot, fairly and verifiably.

The same functions the ``sortition`` command calls::

    import sortition

    result = sortition.prepare("pool.csv", "quotas.yaml", "draw1", seed_source="drand round 5000000")
    print(result.commitment)          # publish this first
    drawn = sortition.draw("draw1/lottery.json", "the published seed", published_before_seed=True)
    assert sortition.verify(drawn.draw_path).ok

Where things live: ``commands/`` (prepare, draw, replace, verify, report: they read and write a draw folder),
``rules/`` (the pure rules they share: the outcome of a seed, the reserve rule, the checks), ``report/``
(rendering), ``invite/`` (stage 1, invitations), ``algorithms/`` (LEXIMIN and the others), ``records.py``
(the output folder and the public file formats), and primitives (``randomness``, ``pool``, ``tables``, ...).
Importing this package loads no terminal library and no solver; solvers load when a solve starts.
"""

# First, before anything heavy: Ctrl-C while the sortition command starts is one line, not a traceback.
from sortition.startup import GUARDED as _GUARDED  # noqa: F401  (isort: skip)
from quotas.errors import (
    EnvironmentProblem,
    InfeasibleError,
    InputError,
    QuotaError,
    Relaxation,
    SolverError,
    SortitionError,
    VerificationError,
)
from sortition import invite
from sortition.algorithms.base import Algorithm, Distribution
from sortition.beacon import (
    QUICKNET_ROUND_URL,
    BeaconCommitment,
    BeaconRound,
    parse_time,
    read_beacon,
    round_at,
    round_time,
    verify_round,
)
from sortition.commands.draw import DrawResult, draw
from sortition.commands.prepare import PrepareOptions, PrepareResult, prepare
from sortition.commands.replace import ReplaceResult, replace
from sortition.commands.report import write_report
from sortition.commands.select import select
from sortition.commands.verify import verify
from sortition.pool import Pool, load_pool
from sortition.progress import NULL_PROGRESS, ProgressReporter
from sortition.randomness import Stream, derive_key, display_seed, normalise_seed, order_by_rank, rank
from sortition.report.data import ReportFormat
from sortition.rfc3797 import rfc3797_key, rfc3797_select
from sortition.rules.checks import Check, VerifyReport
from sortition.rules.outcome import Outcome, compute_outcome
from sortition.rules.reserve import Replacement
from sortition.tables import Table, read_table
from sortition.version import software_version

__version__ = software_version()

__all__ = [
    "NULL_PROGRESS",
    "QUICKNET_ROUND_URL",
    "Algorithm",
    "BeaconCommitment",
    "BeaconRound",
    "Check",
    "Distribution",
    "DrawResult",
    "EnvironmentProblem",
    "InfeasibleError",
    "InputError",
    "Outcome",
    "Pool",
    "PrepareOptions",
    "PrepareResult",
    "ProgressReporter",
    "QuotaError",
    "Relaxation",
    "ReplaceResult",
    "Replacement",
    "ReportFormat",
    "SolverError",
    "SortitionError",
    "Stream",
    "Table",
    "VerificationError",
    "VerifyReport",
    "__version__",
    "compute_outcome",
    "derive_key",
    "display_seed",
    "draw",
    "invite",
    "load_pool",
    "normalise_seed",
    "order_by_rank",
    "parse_time",
    "prepare",
    "rank",
    "read_beacon",
    "read_table",
    "replace",
    "rfc3797_key",
    "rfc3797_select",
    "round_at",
    "round_time",
    "select",
    "verify",
    "verify_round",
    "write_report",
]
