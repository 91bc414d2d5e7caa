"""Re-export of the error tree (it lives in ``quotas.errors``, the bottom layer); see that docstring."""

from quotas.errors import (
    EnvironmentProblem,
    InfeasibleError,
    InputError,
    QuotaError,
    Relaxation,
    SolverError,
    SortitionError,
    VerificationError,
    environment_problem,
)

__all__ = [
    "EnvironmentProblem",
    "InfeasibleError",
    "InputError",
    "QuotaError",
    "Relaxation",
    "SolverError",
    "SortitionError",
    "VerificationError",
    "environment_problem",
]
