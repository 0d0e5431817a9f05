"""Large meetings: greedy restarts, CP-SAT repair of what greedy could not place, then LNS.

Large-neighbourhood search frees a part of the incumbent (the events of one day in some rooms,
two days, or the events of one topic), fixes the rest, and re-solves that part as a CP-SAT
sub-model with the incumbent as hint; a cheaper result becomes the new incumbent. Sub-models stay
small enough that presolve takes a fraction of a second even at 3,000 events.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from .build import build_model, people
from .greedy import Occupancy, greedy
from .variables import Placement

if TYPE_CHECKING:  # pragma: no cover
    from .run import Session

SUB_TIME = 3.0  # seconds (deterministic units with one worker) per sub-model
START_SIZE = 80  # free events in the first neighbourhood; adapts between MIN_SIZE and MAX_SIZE
MIN_SIZE, MAX_SIZE = 20, 400
RESTARTS = 4


def _budget_left(session: Session) -> float:
    """Time left: deterministic units with one worker (reproducible), else wall-clock seconds."""
    if session.options.deterministic:
        if session.elapsed > 3 * session.options.time_limit + 5:
            return 0.0
        return session.options.time_limit - session.dtime_used
    return session.remaining


def unplaced(session: Session, chosen: Mapping[str, Placement | None]) -> list[str]:
    """Placeable events without a placement."""
    return [e for e in session.placeable if chosen.get(e) is None]


def improve(session: Session, start: dict[str, Placement | None]) -> None:
    """Find a complete schedule (greedy restarts, repair) and improve it until the time is up."""
    best = dict(start)
    if not session.options.allow_unscheduled:
        rng = random.Random(session.options.seed)
        for _ in range(RESTARTS):
            if not unplaced(session, best) or session.elapsed > 0.15 * session.options.time_limit:
                break
            trial = greedy(session.data, session.domains, session.placeable, seed=rng.randrange(1 << 30))
            if len(unplaced(session, trial)) < len(unplaced(session, best)):
                best = trial
        best = repair(session, best)
        session.offer(best, "repair")
    if session.incumbent is not None:
        search(session)


def _blockers(session: Session, chosen: Mapping[str, Placement | None], event_id: str) -> Counter:
    """How often each placed event stands in the way of one of ``event_id``'s placements."""
    occupants: dict[tuple[int, int], list[str]] = {}
    occupancy = Occupancy(session.data)
    for other, placement in sorted(chosen.items()):
        if placement is not None:
            occupancy.add(session.problem.events_by_id[other], placement)
            for slot in placement.start.occupied:
                occupants.setdefault((placement.group, slot), []).append(other)
    domain = session.domains[event_id]
    count: Counter = Counter()
    for group, start in domain.pairs():
        for slot in start.occupied:
            count.update(occupants.get((group, slot), []))
        for person in people(domain.event):
            for begin, end, other in occupancy.busy.get(person, ()):
                if begin < start.end and start.begin < end:
                    count[other] += 1
    return count


def repair(session: Session, chosen: dict[str, Placement | None]) -> dict[str, Placement | None]:
    """Let CP-SAT place the events greedy could not, moving the events in their way; widen until done."""
    size = START_SIZE
    while (missing := unplaced(session, chosen)) and _budget_left(session) > 0.2 and not session.interrupted:
        count: Counter = Counter()
        for event_id in missing:
            count.update(_blockers(session, chosen, event_id))
        ranked = sorted(count, key=lambda e: (-count[e], e))
        free = set(missing) | set(ranked[:size])
        fixed = {e: p for e, p in chosen.items() if e not in free}
        ctx = build_model(session.problem, session.data, session.domains, free, fixed, optional=missing,
                          objective=False)
        left_out = [1 - cp_model.LinearExpr.sum([lit for _, lit in ctx.by_event[e]]) for e in missing]
        ctx.model.minimize(cp_model.LinearExpr.sum(left_out))
        ctx.add_hint(chosen)
        status, solver = session.run(ctx.model, time_limit=min(_budget_left(session), 4 * SUB_TIME))
        before = len(missing)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            chosen = {**chosen, **ctx.decode(solver)}
        if len(unplaced(session, chosen)) >= before:
            if size >= len(session.placeable):
                break
            size = min(len(session.placeable), size * 2)
    return chosen


class Neighbourhoods:
    """Chooses which events to free next: a day in some rooms, two days, or a topic's events."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rng = random.Random(session.options.seed)
        self.days = sorted(session.timeline.day_slots)
        self.turn = 0

    def next(self, chosen: Mapping[str, Placement | None], size: int) -> tuple[set[str], set | None]:
        """The events to free and the days they may move within (None: any day)."""
        self.turn += 1
        kind = self.turn % 3
        placed = {e: p for e, p in chosen.items() if p is not None}
        left_out = sorted(e for e in self.session.placeable if chosen.get(e) is None)
        if kind == 2:
            topics = sorted({t for e in placed for t in self.session.data.topics[e]})
            if topics:
                topic = self.rng.choice(topics)
                members = sorted(e for e in placed if topic in self.session.data.topics[e])
                free = set(self.rng.sample(members, min(size, len(members))))
                return free | set(left_out[: max(0, size - len(free))]), None
            kind = 0
        days = {self.rng.choice(self.days)}
        if kind == 1 and len(self.days) > 1:
            days.add(self.rng.choice([d for d in self.days if d not in days]))
        members = sorted(e for e, p in placed.items() if p.start.day in days)
        if len(members) > size:
            groups = sorted({placed[e].group for e in members})
            self.rng.shuffle(groups)
            picked: list[str] = []
            for group in groups:
                picked += [e for e in members if placed[e].group == group]
                if len(picked) >= size:
                    break
            members = picked[: int(size * 1.2)]
        return set(members) | set(left_out[:size]), days


def search(session: Session) -> None:
    """Large-neighbourhood search from the incumbent until the time (or Ctrl-C) ends it."""
    neighbourhoods = Neighbourhoods(session)
    size = START_SIZE
    while _budget_left(session) > 0.3 and not session.interrupted:
        chosen = session.incumbent
        assert chosen is not None
        free, days = neighbourhoods.next(chosen, size)
        if not free:
            break
        fixed = {e: p for e, p in chosen.items() if e not in free}
        optional = sorted(free) if session.options.allow_unscheduled else ()
        ctx = build_model(session.problem, session.data, session.domains, free, fixed, optional=optional,
                          days=days)
        ctx.add_hint(chosen)
        limit = min(_budget_left(session), SUB_TIME)
        status, solver = session.run(ctx.model, time_limit=limit)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            session.offer({**chosen, **ctx.decode(solver)}, "lns")
        if status == cp_model.OPTIMAL and solver.wall_time < 0.3 * limit:
            size = min(MAX_SIZE, int(size * 1.25) + 1)
        elif status != cp_model.OPTIMAL:
            size = max(MIN_SIZE, int(size * 0.8))
