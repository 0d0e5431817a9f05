"""The end of a solve: its best placements as a Schedule, with rooms, score, bound, status and timing.

``Session.finish`` calls this once the search is over; ``gap`` is shared with the progress reports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model import Assignment, Schedule, event_end
from .objectives import evaluate, weighted
from .variables import Placement, assign_rooms

if TYPE_CHECKING:  # pragma: no cover
    from .session import Session


def schedule_of(session: Session, chosen: dict[str, Placement | None], method: str, build_seconds: float,
                reasons: dict[str, str]) -> Schedule:
    """``chosen`` as a Schedule: concrete rooms, score, bound, status and timing in its metadata."""
    problem, options = session.problem, session.options
    preferred = {a.event_id: a.room for a in options.hint.assignments if a.room} if options.hint else {}
    rooms = assign_rooms(session.groups, chosen, preferred)
    assignments = []
    for event in problem.events:
        placement = chosen.get(event.id)
        if placement is None:
            assignments.append(Assignment(event.id))
        else:
            start = placement.start.at
            assignments.append(Assignment(event.id, rooms[event.id], start, event_end(start, event.duration)))
    raw = evaluate(session.data, chosen)
    scores = weighted(session.data, raw)
    objective = sum(scores.values())
    optimal = objective <= session.bound  # proven: as cheap as a valid lower bound
    bound = objective if optimal else session.bound
    metadata: dict[str, Any] = {
        "status": "optimal" if optimal else "feasible",
        "objective": objective,
        "bound": bound,
        "gap": 0.0 if optimal else gap(objective, bound),
        "seed": options.seed,
        "options": options.as_dict(),
        "input_digest": problem.digest(),
        "scores": scores,
        "method": method,
        "build_seconds": round(build_seconds, 3),
        "solve_seconds": round(session.elapsed - build_seconds, 3),
        "first_solution_seconds": round(session.first_solution or 0.0, 3),
    }
    if session.interrupted:
        metadata["interrupted"] = True
    if reasons:
        metadata["unscheduled_reasons"] = reasons
    return Schedule(tuple(assignments), metadata).sorted()


def gap(objective: int, bound: int) -> float:
    """Relative gap between an objective and a lower bound, 0.0 to 1.0."""
    if objective <= 0 or bound >= objective:
        return 0.0
    return round(min(1.0, (objective - max(bound, 0)) / objective), 6)
