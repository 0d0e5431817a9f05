"""Planning from scratch: a greedy start, then CP-SAT over the whole model or by neighbourhoods.

Meetings whose model is small enough (measured: see benchmarks/README.md) are solved as one CP-SAT
model with the greedy schedule as hint, which proves optimality on meetings of ~100 events. Larger
ones keep the greedy schedule as incumbent, let CP-SAT place what greedy could not (repair), then
improve it by large-neighbourhood search over day windows and topics (``lns.py``).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from ..errors import InfeasibleError
from ..model import Problem, Schedule
from .build import build_model
from .greedy import Occupancy, greedy
from .lns import improve, tighten_bound
from .session import MORE_TIME, Session
from .variables import Placement, epoch

if TYPE_CHECKING:  # pragma: no cover
    from .options import SolveOptions


class ModelInfeasible(InfeasibleError):
    """CP-SAT proved that the whole model has no solution; ``seconds_left`` of the limit remain to say why.

    ``solve`` replaces it by the conflicting rules (``explain.py``) unless ``SolveOptions.explain`` is off.
    """

    def __init__(self, seconds_left: float) -> None:
        super().__init__(["CP-SAT proved that the hard rules leave no way to place every event"])
        self.seconds_left = seconds_left


def plan(problem: Problem, options: SolveOptions, stop: threading.Event | None = None) -> Schedule:
    """Place every side event at the least weighted cost found within the time limit (no previous schedule).

    Raises InfeasibleError when no schedule exists (ModelInfeasible when CP-SAT proves it, its rules
    not yet named), and NoScheduleFound when the time limit ends before any schedule was found.
    """
    session = Session.begin(problem, options, stop)
    build_seconds = session.elapsed
    method = "monolithic"
    try:
        hinted = hint_placements(session, options.hint)
        start = greedy(session.data, session.domains, [e for e in session.placeable if e not in hinted],
                       fixed=hinted, by_priority=options.allow_unscheduled)
        start.update(hinted)
        session.accept(start, "greedy")
        if session.monolithic:
            if session.incumbent is not None and not session.out_of_time:
                tighten_bound(session)
            solve_whole(session, start)
        else:
            method = "decomposed"
            improve(session, start)
    except KeyboardInterrupt:
        session.interrupted = True
    return session.finish(method, build_seconds, advice=f"feasibility is not proven either way; {MORE_TIME}")


def hint_placements(session: Session, hint: Schedule | None) -> dict[str, Placement]:
    """The hint's assignments that are valid placements and fit together, as placements."""
    if hint is None:
        return {}
    group_of = {room.id: g.index for g in session.groups for room in g.rooms}
    occupancy = Occupancy(session.data)
    kept: dict[str, Placement] = {}
    for event_id in session.placeable:
        assignment = hint.by_event.get(event_id)
        if assignment is None or not assignment.scheduled or assignment.room not in group_of:
            continue
        assert assignment.start is not None
        domain, group, begin = session.domains[event_id], group_of[assignment.room], epoch(assignment.start)
        start = next((s for s in domain.starts if s.begin == begin), None)
        if start is None or group not in domain.groups or not domain.allowed(group, start.slot):
            continue
        if not occupancy.room_free(group, start) or not occupancy.person_free(domain.event, start):
            continue
        kept[event_id] = Placement(event_id, group, start)
        occupancy.add(domain.event, kept[event_id])
    return kept


def solve_whole(session: Session, start: dict[str, Placement | None]) -> None:
    """One CP-SAT model over every event, hinted with ``start``; every solution is offered to the session.

    Raises ModelInfeasible when CP-SAT proves that the model has no solution.
    """
    options = session.options
    if session.out_of_time:
        return
    optional = session.placeable if options.allow_unscheduled else ()
    ctx = build_model(session.problem, session.data, session.domains, session.placeable, optional=optional,
                      offset=session.empty_cost)
    ctx.add_hint(start)
    limit = session.budget
    portfolio = 1 if options.deterministic else max(1, options.workers)
    status, solver = session.run(ctx.model, time_limit=limit, watch=ctx, whole=True, portfolio=portfolio)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        session.accept(ctx.decode(solver), "cp-sat")
    elif status == cp_model.INFEASIBLE:
        raise ModelInfeasible(max(0.5, session.remaining))
