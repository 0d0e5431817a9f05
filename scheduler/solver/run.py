"""``solve(problem, options) -> Schedule``: the one entry to the solver, on top of its layers.

It turns Ctrl-C into a stop of the search (``session.interrupts_stop``), then dispatches: a re-plan
against an earlier schedule (``replan.py``) or a plan from scratch (``plan.py``). When CP-SAT proves
that no schedule exists, the conflicting rules are named (``explain.py``) before the error is raised.
"""

from __future__ import annotations

import threading

from ..errors import InfeasibleError
from ..model import Problem, Schedule
from .explain import explain
from .options import SolveOptions
from .plan import ModelInfeasible, plan
from .replan import replan
from .session import interrupts_stop


def solve(problem: Problem, options: SolveOptions | None = None) -> Schedule:
    """Place every side event (rules 1-10) at the least weighted cost found within the time limit.

    Raises InfeasibleError (with the reasons) when no schedule exists, and NoScheduleFound (also
    exit code 1) when the time limit ends before any schedule was found.
    """
    options = options or SolveOptions()
    stop = threading.Event()
    with interrupts_stop(stop):
        if options.replanning:
            return replan(problem, options, stop)
        try:
            return plan(problem, options, stop)
        except ModelInfeasible as proof:
            if not options.explain:
                raise
            raise InfeasibleError(explain(problem, time_limit=proof.seconds_left)) from None
