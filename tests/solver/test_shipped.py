"""The shipped CCPCJ 31 meeting: every event placed, the checker and the score agree with the solver."""

from __future__ import annotations

from pathlib import Path

from scheduler.check import check_schedule
from scheduler.load import load_problem
from scheduler.score import total
from scheduler.solver import SolveOptions, solve


def test_shipped_meeting_is_placed_completely(shipped_dir: Path) -> None:
    problem = load_problem(shipped_dir)
    schedule = solve(problem, SolveOptions(time_limit=30))
    assert all(a.scheduled for a in schedule.assignments)
    assert len(schedule.assignments) == len(problem.events)
    assert check_schedule(problem, schedule) == []
    meta = schedule.metadata
    assert total(problem, schedule) == meta["objective"] >= meta["bound"] > 0
    assert meta["method"] == "monolithic"
