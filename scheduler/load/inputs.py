"""What a command names on the command line, found and loaded: the meeting (the shipped one by default),
a scenario on top of it, and a schedule file.

A path that does not exist is a UsageError (exit 2) naming it; what the files hold is judged by
the loaders, which report every fault at its place.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DataErrors, LoadError, UsageError
from ..model import Problem, Schedule
from . import load_problem
from .schedule import read_schedule

if TYPE_CHECKING:
    from ..scenario import Scenario

SHIPPED = "data/ccpcj31"
PACKAGE = Path(__file__).resolve().parents[1]


def shipped_meeting() -> Path:
    """The shipped CCPCJ 31 meeting, found from any working directory.

    In a clone (installed with ``pip install -e .`` or not at all) it is data/ccpcj31 beside the
    package; an installed wheel carries a copy in the package (``scheduler/shipped``); last, the
    working directory's data/ccpcj31.
    """
    for candidate in (PACKAGE.parent / SHIPPED, PACKAGE / "shipped", Path(SHIPPED)):
        if (candidate / "meeting.toml").is_file():
            return candidate
    return Path(SHIPPED)


def load_meeting(data: Path | None, scenario_path: Path | None = None) -> tuple[Problem, Scenario | None]:
    """The meeting folder or workbook ``data`` (the shipped meeting when None), with a scenario file applied.

    The meeting and the scenario are read independently: the errors of both are raised at once.
    """
    path = data if data is not None else shipped_meeting()
    if not path.exists():
        raise UsageError(f"{path}: no such meeting folder or workbook")
    errors: list[LoadError] = []
    problem = scenario = None
    try:
        problem = load_problem(path)
    except DataErrors as error:
        errors += error.errors
    if scenario_path is not None:
        from ..scenario import load_scenario

        try:
            scenario = load_scenario(scenario_path)
        except DataErrors as error:
            errors += error.errors
    if errors:
        raise DataErrors(errors)
    assert problem is not None
    if scenario is None:
        return problem, None
    from ..scenario import apply_scenario

    return apply_scenario(problem, scenario), scenario


def load_schedule(problem: Problem, path: Path) -> Schedule:
    """A schedule.csv read against ``problem``, with the metadata of the schedule.json beside it."""
    if not path.exists():
        raise UsageError(f"{path}: no such schedule file")
    return read_schedule(path, problem)
