"""quotas: what a valid panel is (quota model, loaders, feasibility solver). No randomness, no terminal."""

from quotas.diagnose import Diagnosis, FeasibilityReport, ValueCount, check_feasibility, diagnose
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
from quotas.io import dump_yaml, load_quotas, spec_from_dict, spec_to_dict, write_yaml
from quotas.model import Category, PanelProblem, QuotaSpec, ValueQuota
from quotas.propose import largest_remainder, propose_quotas
from quotas.solver import Backend, PanelModel, SolveStatus

__all__ = [
    "Backend",
    "Category",
    "Diagnosis",
    "EnvironmentProblem",
    "FeasibilityReport",
    "InfeasibleError",
    "InputError",
    "PanelModel",
    "PanelProblem",
    "QuotaError",
    "QuotaSpec",
    "Relaxation",
    "SolveStatus",
    "SolverError",
    "SortitionError",
    "ValueCount",
    "ValueQuota",
    "VerificationError",
    "check_feasibility",
    "diagnose",
    "dump_yaml",
    "largest_remainder",
    "load_quotas",
    "propose_quotas",
    "spec_from_dict",
    "spec_to_dict",
    "write_yaml",
]
