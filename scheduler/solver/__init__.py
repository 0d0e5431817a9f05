"""The CP-SAT solver: ``solve(problem, SolveOptions(...)) -> Schedule`` and ``explain(problem)``."""

from .constraints import HARD_RULES
from .explain import explain
from .objectives import OBJECTIVE_TERMS
from .run import NoScheduleFound, ProgressEvent, SolveOptions, solve

__all__ = ["HARD_RULES", "OBJECTIVE_TERMS", "NoScheduleFound", "ProgressEvent", "SolveOptions", "explain", "solve"]
