"""Minimal-change re-planning against an earlier schedule: ``solve(problem, SolveOptions(previous=...))``.

A cold re-solve after a small change moves most events; this keeps the previous schedule as far as
the hard rules allow and charges every move (the ``moved`` term, docs/objective.md):

1. *Keep* every previous placement the new problem still allows and that fits with the others kept
   (rooms are seen one by one, so a move between twin rooms counts too).
2. *Local repair*: free the events that could not be kept (their placement broke, they are new, or
   they were unscheduled) and their neighbours: kept events that share a speaker, an organizer or a
   track with one of them (so a track can move as a block), and kept events on a changed event's old
   day in a room it could use. Fix the rest and solve that part with the whole objective.
3. *Widen* when the part is infeasible: every event of the days involved, then the whole meeting
   with the repaired or previous schedule as hint.
4. On meetings small enough for one model, the whole model then starts from the repaired schedule
   to improve it and prove it optimal within the time limit.

``max_moves`` adds "moved events <= N" to every model; when no schedule keeps to it the error says
how many moves are needed. Each moved event gets a reason in ``metadata["moves"]`` (``moves.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from ..errors import InfeasibleError, UsageError
from ..model import Problem, Schedule
from ..moves import describe_moves, move_reason
from .build import ModelContext, build_model, people
from .explain import explain
from .greedy import Occupancy, greedy
from .lns import fit, improve
from .session import MONOLITHIC_MAX_PLACEMENTS, Session
from .variables import Placement, epoch

if TYPE_CHECKING:  # pragma: no cover
    from .options import SolveOptions

LEVELS = ("local", "days", "all")  # the neighbourhoods tried in turn, widest last
# Above this many placement literals a repair neighbourhood is cut down to the changed events and the
# nearest of their neighbours: bigger models take longer to build and presolve than a re-plan should.
REPAIR_MAX_PLACEMENTS = 4 * MONOLITHIC_MAX_PLACEMENTS


def replan(problem: Problem, options: SolveOptions, stop: threading.Event | None = None) -> Schedule:
    """Re-plan ``problem`` close to ``options.previous``: the fewest, cheapest moves the hard rules allow.

    Raises UsageError without a previous schedule, InfeasibleError when no schedule exists (or none
    moves at most ``options.max_moves`` events), NoScheduleFound when the time ends first.
    """
    if options.previous is None:
        raise UsageError("--max-moves needs --previous: an earlier schedule to stay close to")
    if options.max_moves is not None and options.max_moves < 0:
        raise UsageError(f"--max-moves must be 0 or more, got {options.max_moves}")
    session = Session.begin(problem, options, stop)
    session.add_floor(moved_floor(session))
    kept = keep_previous(session)
    _check_forced(session, kept)
    build_seconds = session.elapsed
    method = "replan"
    try:
        method = _search(session, kept)
    except KeyboardInterrupt:
        session.interrupted = True
    schedule = session.finish(method, build_seconds)
    moves = describe_moves(problem, options.previous, schedule,
                           left_out=schedule.metadata.get("unscheduled_reasons", {}))
    return replace(schedule, metadata={**schedule.metadata, "moves": moves})


def previous_placement(session: Session, event_id: str) -> Placement | None:
    """The event's placement in the previous schedule, if the new problem still allows it on its own."""
    data = session.data
    before = data.previous.get(event_id) if data.previous is not None else None
    domain = session.domains.get(event_id)
    if before is None or before.start is None or domain is None or domain.empty:
        return None
    group = next((g.index for g in session.groups if g.first.id == before.room), None)
    begin = epoch(before.start)
    start = next((s for s in domain.starts if s.begin == begin), None)
    if group is None or start is None or group not in domain.groups or not domain.allowed(group, start.slot):
        return None
    return Placement(event_id, group, start)


def keep_previous(session: Session) -> dict[str, Placement]:
    """Every previous placement still allowed that fits with those kept before it (by event id)."""
    occupancy = Occupancy(session.data)
    kept: dict[str, Placement] = {}
    for event_id in session.placeable:
        placement = previous_placement(session, event_id)
        if placement is None:
            continue
        event = session.problem.events_by_id[event_id]
        if occupancy.room_free(placement.group, placement.start) and occupancy.person_free(event, placement.start):
            kept[event_id] = placement
            occupancy.add(event, placement)
    return kept


def moved_floor(session: Session) -> int:
    """A lower bound on the weighted ``moved`` term: each event's cheapest move (0 if it can stay).

    The combinatorial bound covers the other terms only, so this adds to it.
    """
    data = session.data
    assert data.previous is not None
    floor = 0
    for event_id in sorted(data.previous):
        event = session.problem.events_by_id[event_id]
        domain = session.domains[event_id]
        if domain.empty:  # counted in session.empty_cost
            continue
        if previous_placement(session, event_id) is not None:
            continue
        cheapest = min(data.move_raw(event, g, s) for g, s in domain.pairs())
        if session.options.allow_unscheduled:
            cheapest = min(cheapest, data.unplaced_move_raw(event))
        floor += cheapest
    return data.weights["moved"] * floor


def _check_forced(session: Session, kept: Mapping[str, Placement]) -> None:
    """Fail at once when more events than ``max_moves`` cannot keep their placement at all."""
    cap = session.options.max_moves
    previous = session.data.previous
    if cap is None or previous is None or session.options.previous is None:
        return
    forced = [e for e in sorted(previous) if e not in kept and previous_placement(session, e) is None]
    if len(forced) <= cap:
        return
    problem, previous_schedule, nothing = session.problem, session.options.previous, Schedule(())
    raise InfeasibleError([f"--max-moves {cap} is too few: the changes leave {len(forced)} "
                           f"event{'s' if len(forced) != 1 else ''} no way to keep their placement",
                           *(f"{e}: {move_reason(problem, previous_schedule, nothing, e)}" for e in forced)])


def neighbourhood(session: Session, kept: Mapping[str, Placement], level: str) -> set[str]:
    """The events to free at ``level``: the changed ones plus their neighbours (see the module's doc)."""
    changed = {e for e in session.placeable if e not in kept}
    if level == "all" or not changed:
        return set(session.placeable) if level == "all" else changed
    previous = session.data.previous or {}
    events = session.problem.events_by_id
    free = set(changed)
    if level == "local":
        by_person: dict[tuple[str, str], list[str]] = {}
        for other in sorted(kept):
            for person in people(events[other]):
                by_person.setdefault(person, []).append(other)
        by_track: dict[str, list[str]] = {}
        for other in sorted(kept):
            if events[other].track:
                by_track.setdefault(events[other].track, []).append(other)
        for event_id in sorted(changed):
            for person in people(events[event_id]):
                free.update(by_person.get(person, ()))
            free.update(by_track.get(events[event_id].track, ()) if events[event_id].track else ())
            before = previous.get(event_id)
            if before is None or before.start is None:
                continue
            day = session.problem.meeting.day_of(before.start)
            usable = set(session.domains[event_id].groups)
            free.update(o for o, p in kept.items() if p.start.day == day and p.group in usable)
        return free
    free = neighbourhood(session, kept, "local")  # "days" widens "local"
    days = set()
    for event_id in changed:
        before = previous.get(event_id)
        if before is None or before.start is None:  # a new event may go on any day
            return set(session.placeable)
        days.add(session.problem.meeting.day_of(before.start))
    free.update(o for o, p in kept.items() if p.start.day in days)
    return free


def _search(session: Session, kept: dict[str, Placement]) -> str:
    """Greedy completion, local repair widened until feasible, then the whole model if small, else
    large-neighbourhood search (moves cost in every sub-model); the method."""
    options = session.options
    data = session.data
    rest = [e for e in session.placeable if e not in kept]
    hint: dict[str, Placement | None] = {**kept, **greedy(data, session.domains, rest, fixed=kept,
                                                          by_priority=options.allow_unscheduled)}
    session.accept(hint, "greedy")
    method = "replan: kept"
    whole = set(session.placeable)
    size = session.size
    changed = {e for e in session.placeable if e not in kept}
    # the changed events alone too many literals for one repair model (72 rooms told apart on a
    # 5-minute grid): the greedy completion stands, and large-neighbourhood search improves it
    too_big = sum(session.domains[e].size for e in changed) > REPAIR_MAX_PLACEMENTS
    tried: list[set[str]] = []
    for level in () if too_big else LEVELS:
        if session.out_of_time:
            break
        free = neighbourhood(session, kept, level)
        if size > REPAIR_MAX_PLACEMENTS:
            busy = {person for e in changed for person in people(session.problem.events_by_id[e])}
            neighbours = {e for e in free if busy.intersection(people(session.problem.events_by_id[e]))}
            free = fit(session, free, None, keep=changed, prefer=neighbours, budget=REPAIR_MAX_PLACEMENTS)
        if any(free == done for done in tried):
            continue
        tried.append(free)
        if not free:
            session.accept(dict(kept), "replan")
            break
        status = _solve_part(session, kept, free, session.incumbent or hint, whole=free == whole)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            method = f"replan: {level} repair of {len(free)} events"
            break
        if status == cp_model.INFEASIBLE and free == whole:
            raise _infeasible(session, hint)
    if session.out_of_time or whole in tried:
        return method
    if session.monolithic:
        if session.incumbent is not None:
            _solve_part(session, session.incumbent, whole, session.incumbent, whole=True)
            method += ", then the whole model"
    else:
        improve(session, session.incumbent or hint)
        method += ", then large-neighbourhood search"
    return method


def _solve_part(session: Session, base: Mapping[str, Placement | None], free: set[str],
                hint: Mapping[str, Placement | None], *, whole: bool) -> int:
    """Solve the ``free`` events around ``base``'s others; keep a cheaper result. Returns the CP-SAT status."""
    options = session.options
    fixed = {e: p for e, p in base.items() if e not in free}
    optional = sorted(free) if options.allow_unscheduled else ()
    ctx = build_model(session.problem, session.data, session.domains, free, fixed, optional=optional,
                      offset=session.empty_cost if whole else 0)
    if options.max_moves is not None:
        _cap_moves(ctx, session, fixed, options.max_moves)
    ctx.add_hint(hint)
    portfolio = 1 if options.deterministic else max(1, options.workers)
    status, solver = session.run(ctx.model, time_limit=max(0.1, session.budget), watch=ctx, base=fixed,
                                 whole=whole, portfolio=portfolio)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        session.accept({**fixed, **ctx.decode(solver)}, "replan")
    return status


def _cap_moves(ctx: ModelContext, session: Session, fixed: Mapping[str, Placement | None], cap: int) -> None:
    """Post "events moved <= cap": each free event placed before moves unless it takes its old placement."""
    data = session.data
    assert data.previous is not None
    free_ids = {event.id for event in ctx.free_events}
    already = sum(1 for e in data.previous if e not in free_ids and session.moved(e, fixed.get(e)))
    stays, movable = [], 0
    for event in ctx.free_events:
        if event.id not in data.previous:
            continue
        movable += 1
        stays.extend(lit for p, lit in ctx.by_event[event.id] if data.move_raw(event, p.group, p.start) == 0)
    ctx.model.add(movable - cp_model.LinearExpr.sum(stays) <= cap - already)


def _infeasible(session: Session, hint: Mapping[str, Placement | None]) -> InfeasibleError:
    """Why the whole model has no solution: the hard rules themselves, or the cap on moves."""
    options = session.options
    limit = max(5.0, options.time_limit / 3)
    cap = options.max_moves
    if cap is None:
        return InfeasibleError(explain(session.problem, time_limit=limit))
    data = session.data
    assert data.previous is not None
    optional = session.placeable if options.allow_unscheduled else ()
    ctx = build_model(session.problem, data, session.domains, session.placeable, optional=optional, objective=False)
    stays = [lit for event in ctx.free_events if event.id in data.previous
             for p, lit in ctx.by_event[event.id] if data.move_raw(event, p.group, p.start) == 0]
    movable = sum(1 for e in data.previous if e in ctx.by_event)
    already = len(data.previous) - movable  # placed before, no placement now
    ctx.model.minimize(movable - cp_model.LinearExpr.sum(stays))
    ctx.add_hint(hint)
    status, solver = session.run(ctx.model, time_limit=limit)
    if status == cp_model.INFEASIBLE:
        return InfeasibleError(explain(session.problem, time_limit=limit))
    if status == cp_model.OPTIMAL:
        needed = round(solver.objective_value) + already
        return InfeasibleError([f"--max-moves {cap} is too few: every schedule moves at least {needed} "
                                f"event{'s' if needed != 1 else ''} (raise --max-moves to {needed})"])
    if status == cp_model.FEASIBLE:
        found = round(solver.objective_value) + already
        return InfeasibleError([f"--max-moves {cap} is too few: more than {cap} events must move "
                                f"(a schedule moving {found} exists)"])
    return InfeasibleError([f"no schedule moving at most {cap} events was found, and none was proven to need "
                            "more within the time limit"])
