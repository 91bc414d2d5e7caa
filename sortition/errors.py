"""Re-export of the error tree (it lives in ``quotas.errors``, the bottom layer); see that docstring."""

from quotas.errors import (
    InfeasibleError,
    InputError,
    QuotaError,
    Relaxation,
    SolverError,
    SortitionError,
    VerificationError,
)

__all__ = [
    "InfeasibleError",
    "InputError",
    "QuotaError",
    "Relaxation",
    "SolverError",
    "SortitionError",
    "VerificationError",
]
