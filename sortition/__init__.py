"""sortition: draw representative panels by lot, fairly and verifiably.

The same functions the ``sortition`` command calls::

    import sortition

    result = sortition.prepare("pool.csv", "quotas.yaml", "draw1", seed_source="drand round 5000000")
    print(result.commitment)          # publish this first
    drawn = sortition.draw("draw1/lottery.json", "the published seed")
    assert sortition.verify(drawn.draw_path).ok

Importing this package loads no terminal library and no solver; solvers load when a solve starts.
"""

from quotas.errors import (
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
from sortition.draw import DrawResult, Outcome, compute_outcome, draw, select
from sortition.lottery import PrepareResult, prepare
from sortition.pool import Pool, load_pool
from sortition.progress import NULL_PROGRESS, ProgressReporter
from sortition.randomness import Stream, derive_key, normalise_seed, order_by_rank, rank
from sortition.replace import Replacement, ReplaceResult, replace
from sortition.report import ReportFormat, write_report
from sortition.rfc3797 import rfc3797_select
from sortition.rules.checks import Check, VerifyReport
from sortition.tables import Table, read_table
from sortition.verify import verify

__all__ = [
    "NULL_PROGRESS",
    "Algorithm",
    "Check",
    "Distribution",
    "DrawResult",
    "InfeasibleError",
    "InputError",
    "Outcome",
    "Pool",
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
    "compute_outcome",
    "derive_key",
    "draw",
    "invite",
    "load_pool",
    "normalise_seed",
    "order_by_rank",
    "prepare",
    "rank",
    "read_table",
    "replace",
    "rfc3797_select",
    "select",
    "verify",
    "write_report",
]
