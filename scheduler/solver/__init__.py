"""The CP-SAT solver: ``solve(problem, SolveOptions(...)) -> Schedule`` and ``explain(problem)``."""

from ..errors import NoScheduleFound
from .constraints import HARD_RULES
from .explain import explain
from .objectives import OBJECTIVE_TERMS
from .options import ProgressEvent, SolveOptions
from .run import solve

__all__ = ["HARD_RULES", "OBJECTIVE_TERMS", "NoScheduleFound", "ProgressEvent", "SolveOptions", "explain", "solve"]
