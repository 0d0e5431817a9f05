"""How to solve and what progress looks like: ``SolveOptions`` and ``ProgressEvent``, plain data.

Kept apart from ``run.py`` so that every layer of the solver (the session, re-planning, explaining by
solving) can read and make options without importing the layer that dispatches to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..model import Schedule


@dataclass(frozen=True)
class ProgressEvent:
    """One progress report: seconds since the start, best objective so far, best bound, relative gap."""

    elapsed: float
    objective: int
    bound: int
    gap: float
    phase: str  # "greedy", "cp-sat", "repair" or "lns"


@dataclass(frozen=True)
class SolveOptions:
    """How to solve: time limit (s), seed, CP-SAT workers, whether events may stay out, progress, hint.

    ``workers`` defaults to 2, the best figure measured on 2 cores. With ``workers=1`` the search is
    bounded by CP-SAT's deterministic time (``time_limit`` units) instead of the wall clock, so the
    same input and seed give a byte-identical schedule (a wall-clock safety limit of three times
    ``time_limit`` still applies).

    ``previous`` (an earlier schedule) makes the solve a minimal-change re-plan (``replan.py``): each
    moved event costs the ``moved`` term, and ``max_moves`` caps how many events may move.
    """

    time_limit: float = 30.0
    seed: int = 0
    workers: int = 2
    allow_unscheduled: bool = False
    progress: Callable[[ProgressEvent], None] | None = None
    hint: Schedule | None = None
    previous: Schedule | None = None
    max_moves: int | None = None
    reserve: float = 0.0  # seconds of the time limit kept for the caller's work after solving (outputs)
    explain: bool = True  # when the model proves that no schedule exists, search for the conflicting rules
    first: bool = False  # stop at the first complete schedule (explain only asks whether one exists)
    started: float | None = None  # time.perf_counter() when the limit's clock began (default: when solve starts)

    def as_dict(self) -> dict[str, Any]:
        """The options as plain values, for the schedule's metadata (re-plan options only when re-planning)."""
        values = {"time_limit": self.time_limit, "seed": self.seed, "workers": self.workers,
                  "allow_unscheduled": self.allow_unscheduled, "hint": self.hint is not None}
        if self.previous is not None or self.max_moves is not None:
            values |= {"previous": self.previous is not None, "max_moves": self.max_moves}
        return values

    @property
    def deterministic(self) -> bool:
        """True when the run must be reproducible (one worker)."""
        return self.workers == 1

    @property
    def replanning(self) -> bool:
        """True when the solve is a re-plan against an earlier schedule (``replan.py``)."""
        return self.previous is not None or self.max_moves is not None
