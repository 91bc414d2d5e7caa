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
from quotas.io import dump_yaml, load_quotas, spec_from_dict, spec_to_dict, write_yaml
from quotas.model import Category, PanelProblem, QuotaSpec, ValueQuota
from quotas.propose import largest_remainder, propose_quotas

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
    "dump_yaml",
    "largest_remainder",
    "load_quotas",
    "propose_quotas",
    "spec_from_dict",
    "spec_to_dict",
    "write_yaml",
]
