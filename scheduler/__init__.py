"""Side-event scheduler for hybrid intergovernmental meetings.

files -> Problem -> solver -> Schedule -> check -> exporters -> files. The names below are the
public API; the command line is a thin layer over them. Heavy modules (OR-Tools, pandas, openpyxl)
load on first use, so ``import scheduler`` and ``scheduler --help`` stay fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .errors import DataErrors, InfeasibleError, LoadError, NoScheduleFound, SchedulerError
from .model import Assignment, Meeting, Problem, Room, Schedule, SideEvent, Slot, Speaker

# public name -> the module that defines it under that same name
_LAZY: dict[str, str] = {
    "load_problem": "scheduler.load",
    "read_schedule": "scheduler.load.schedule",
    "solve": "scheduler.solver",
    "SolveOptions": "scheduler.solver",
    "explain": "scheduler.solver",
    "check_schedule": "scheduler.check",
    "Violation": "scheduler.check",
    "score_schedule": "scheduler.score",
    "compare_schedules": "scheduler.compare",
    "diff": "scheduler.compare",
    "load_scenario": "scheduler.scenario",
    "apply_scenario": "scheduler.scenario",
    "sweep_scenarios": "scheduler.sweep",
    "generate_meeting": "scheduler.generate",
    "build_view": "scheduler.export.view",
    "build_feeds": "scheduler.export.ics",
    "schedule_csv": "scheduler.export.schedule",
    "schedule_json": "scheduler.export.schedule",
    "publish": "scheduler.publication",
    "import_frab": "scheduler.frab",
}

__all__ = [
    "Assignment",
    "DataErrors",
    "InfeasibleError",
    "LoadError",
    "Meeting",
    "NoScheduleFound",
    "Problem",
    "Room",
    "Schedule",
    "SchedulerError",
    "SideEvent",
    "Slot",
    "Speaker",
    *sorted(_LAZY),
]


def __getattr__(name: str) -> Any:
    """Import the public functions lazily, on first access."""
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'scheduler' has no attribute {name!r}")
