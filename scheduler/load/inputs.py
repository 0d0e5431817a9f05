"""What a command names on the command line, found and loaded: the meeting (the shipped one by default),
a scenario on top of it, and a schedule file.

A path that does not exist is a UsageError (exit 2) naming it; what the files hold is judged by
the loaders, which report every fault at its place.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..model import Problem, Schedule
from . import load_problem
from .schedule import read_schedule

if TYPE_CHECKING:
    from ..scenario import Scenario

SHIPPED = "data/ccpcj31"


def shipped_meeting() -> Path:
    """The shipped CCPCJ 31 meeting: ./data/ccpcj31, else the copy beside the package's source."""
    here = Path(SHIPPED)
    if here.exists():
        return here
    source = Path(__file__).resolve().parents[2] / SHIPPED
    return source if source.exists() else here


def load_meeting(data: Path | None, scenario_path: Path | None = None) -> tuple[Problem, Scenario | None]:
    """The meeting folder or workbook ``data`` (the shipped meeting when None), with a scenario file applied."""
    path = data if data is not None else shipped_meeting()
    if not path.exists():
        raise UsageError(f"{path}: no such meeting folder or workbook")
    problem = load_problem(path)
    if scenario_path is None:
        return problem, None
    from ..scenario import apply_scenario, load_scenario

    scenario = load_scenario(scenario_path)
    return apply_scenario(problem, scenario), scenario


def load_schedule(problem: Problem, path: Path) -> Schedule:
    """A schedule.csv read against ``problem``, with the metadata of the schedule.json beside it."""
    if not path.exists():
        raise UsageError(f"{path}: no such schedule file")
    return read_schedule(path, problem)
