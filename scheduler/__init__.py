"""Side-event scheduler for hybrid intergovernmental meetings.

files -> Problem -> solver -> Schedule -> check -> exporters -> files. The names below are the
public API; the command line is a thin layer over them.
"""

from .errors import DataErrors, InfeasibleError, LoadError, SchedulerError
from .model import Assignment, Meeting, Problem, Room, Schedule, SideEvent, Slot, Speaker

__all__ = [
    "Assignment",
    "DataErrors",
    "InfeasibleError",
    "LoadError",
    "Meeting",
    "Problem",
    "Room",
    "Schedule",
    "SchedulerError",
    "SideEvent",
    "Slot",
    "Speaker",
]
