"""Shared helpers for solver tests: solve and insist the result is valid and scored consistently."""

from __future__ import annotations

from scheduler.check import check_schedule
from scheduler.model import Problem, Schedule
from scheduler.score import total
from scheduler.solver import SolveOptions, solve


def solve_checked(problem: Problem, **options) -> Schedule:
    """Solve with small limits; the schedule must pass the checker and score to the reported objective."""
    options.setdefault("time_limit", 10.0)
    options.setdefault("workers", 1)
    schedule = solve(problem, SolveOptions(**options))
    violations = check_schedule(problem, schedule, allow_unscheduled=options.get("allow_unscheduled", False))
    assert violations == [], violations
    assert total(problem, schedule) == schedule.metadata["objective"]
    return schedule


def room_and_start(schedule: Schedule, event_id: str) -> tuple[str | None, str | None]:
    """The event's room and venue-local start as ``HH:MM`` (None when unscheduled)."""
    assignment = schedule.by_event[event_id]
    if not assignment.scheduled:
        return None, None
    assert assignment.start is not None
    return assignment.room, assignment.start.strftime("%H:%M")
