"""quotas: what a valid panel is (quota model, loaders, feasibility solver). No randomness, no terminal."""

from quotas.errors import (
    InfeasibleError,
    InputError,
    QuotaError,
    Relaxation,
    SolverError,
    SortitionError,
    VerificationError,
)
from quotas.model import Category, PanelProblem, QuotaSpec, ValueQuota

__all__ = [
    "Category",
    "InfeasibleError",
    "InputError",
    "PanelProblem",
    "QuotaError",
    "QuotaSpec",
    "Relaxation",
    "SolverError",
    "SortitionError",
    "ValueQuota",
    "VerificationError",
]
