"""Concrete repairs for a meeting with no schedule, each checked by solving the changed meeting.

From the minimal conflict that ``explain.diagnose`` finds, each rule instance a planner can change
gives candidates: reopen a closed room on one of its closed days (or on all of them), lift an
organizer's or speaker's unavailability, unpin an event. Each candidate meeting is solved up to its
first schedule within a share of the time left; only those that really have a schedule are offered.
Last, ``--allow-unscheduled`` is tried, and the events it leaves out are named.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..errors import InfeasibleError, NoScheduleFound
from ..model import Problem, Schedule
from ..presolve.words import event_text
from .cause import when_text
from .constraints import Instance
from .options import SolveOptions
from .run import solve

MOST = 3  # repairs offered besides --allow-unscheduled
TRY_SECONDS = 3.0  # at most this long for one candidate


@dataclass(frozen=True)
class Repair:
    """One change that makes the meeting solvable: what to do, the changed meeting, and what solving it gave."""

    text: str
    problem: Problem
    options: SolveOptions
    result: str  # what the check found, e.g. "a schedule exists"


def candidates(problem: Problem, core: Sequence[Instance]) -> Iterator[tuple[str, Problem]]:
    """The changes a planner can make to the conflict's rule instances, smallest first, as changed meetings."""
    items = sorted({int(i) for r, i in core if r == "unavailability"},  # type: ignore[call-overload]
                   key=lambda i: (problem.unavailability[i].kind != "room", problem.unavailability[i].start, i))
    by_owner: dict[tuple[str, str], list[int]] = {}
    for index in items:
        item = problem.unavailability[index]
        by_owner.setdefault((item.kind, item.id), []).append(index)
        yield _lift(item.kind, item.id, _when(problem, [index])), _without(problem, {index})
    for (kind, owner), indexes in by_owner.items():
        if len(indexes) > 1:
            yield _lift(kind, owner, _when(problem, indexes)), _without(problem, set(indexes))
    for rule, instance in core:
        if rule == "pins":
            event = problem.events_by_id[str(instance)]
            free = dataclasses.replace(event, room=None, start=None)
            events = tuple(free if e.id == event.id else e for e in problem.events)
            yield f"unpin {event_text(event)} (let the solver choose its room and time)", \
                dataclasses.replace(problem, events=events)


def _lift(kind: str, owner: str, when: str) -> str:
    """``reopen room M1 on 16 May``, ``make speaker S1 available during ...``."""
    return f"reopen room {owner} {when}" if kind == "room" else f"make {kind} {owner} available {when}"


def _when(problem: Problem, indexes: Sequence[int]) -> str:
    return when_text(problem, [problem.unavailability[i] for i in indexes])


def _without(problem: Problem, indexes: set[int]) -> Problem:
    return dataclasses.replace(problem, unavailability=tuple(
        u for i, u in enumerate(problem.unavailability) if i not in indexes))


def _solves(problem: Problem, options: SolveOptions) -> Schedule | None:
    """The changed meeting's schedule, or None when it has none (or none was found in time)."""
    try:
        return solve(problem, options)
    except (InfeasibleError, NoScheduleFound):
        return None


def suggest_repairs(problem: Problem, core: Sequence[Instance], *, time_limit: float,
                    seed: int = 0, most: int = MOST) -> list[Repair]:
    """Up to ``most`` verified changes to the conflict, then what ``--allow-unscheduled`` leaves out.

    Every repair offered was solved: its meeting has a schedule. Ends within ``time_limit`` seconds
    (candidates not tried by then are left out).
    """
    deadline = time.perf_counter() + time_limit
    repairs: list[Repair] = []
    keep = max(1.0, time_limit / 3)  # kept for --allow-unscheduled
    for text, changed in candidates(problem, core):
        left = deadline - time.perf_counter() - keep
        if len(repairs) >= most or left < 0.5:
            break
        options = SolveOptions(time_limit=min(TRY_SECONDS, left), seed=seed, workers=1, first=True, explain=False)
        if _solves(changed, options) is not None:
            repairs.append(Repair(text, changed, options, "a schedule exists"))
    left = deadline - time.perf_counter()
    if left >= 0.5:
        options = SolveOptions(time_limit=left, seed=seed, workers=1, allow_unscheduled=True, explain=False)
        schedule = _solves(problem, options)
        if schedule is not None:
            out = [problem.events_by_id[a.event_id] for a in schedule.assignments if not a.scheduled]
            out.sort(key=lambda e: (e.priority, e.id))
            names = "; ".join(f"{event_text(e)} (priority {e.priority})" for e in out[:5])
            more = f" and {len(out) - 5} more" if len(out) > 5 else ""
            result = f"{len(out)} event{'s are' if len(out) != 1 else ' is'} left out: {names}{more}"
            repairs.append(Repair("solve with --allow-unscheduled", problem, options, result))
    return repairs
