"""Large meetings: greedy restarts, CP-SAT repair of what greedy could not place, then LNS.

Large-neighbourhood search frees a part of the incumbent (the events of a few days, of a few
topics, or a random sample), fixes the rest, and re-solves that part as a CP-SAT sub-model
(moves within the freed events' days) with the incumbent as hint; a cheaper result becomes the
new incumbent. Neighbourhood sizes adapt per kind so that sub-models solve in about a second,
even at 3,000 events.
"""

from __future__ import annotations

import logging
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

LOG = logging.getLogger("scheduler.solver")
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


def overhead(session: Session, literals: int) -> float:
    """A deterministic estimate of the Python time one sub-model costs (building, evaluating).

    Counted against the budget with one worker, where the budget is CP-SAT's deterministic time,
    so that such runs end near their time limit on the wall clock as well.
    """
    return len(session.problem.events) / 2000 + literals / 20000


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
        status, solver = session.run(ctx.model, time_limit=min(_budget_left(session), 4 * SUB_TIME), lp=False)
        session.dtime_used += overhead(session, len(ctx.placements))
        LOG.debug("repair missing=%d free=%d %s %.2fs", len(missing), len(free), solver.status_name(status),
                  solver.wall_time)
        before = len(missing)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            chosen = {**chosen, **ctx.decode(solver)}
        if len(unplaced(session, chosen)) >= before:
            if size >= len(session.placeable):
                break
            size = min(len(session.placeable), size * 2)
    return chosen


class Neighbourhoods:
    """Chooses which events to free next, in turn: whole days, a few topics, or a random sample."""

    KINDS = ("days", "topics", "sample")

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rng = random.Random(session.options.seed)
        self.days = sorted(session.timeline.day_slots)
        self.turn = 0

    @property
    def kind(self) -> str:
        """The kind of the neighbourhood chosen last."""
        return self.KINDS[(self.turn - 1) % len(self.KINDS)]

    def next(self, chosen: Mapping[str, Placement | None], size: int) -> tuple[set[str], set | None]:
        """About ``size`` events to free, and the days they may move within (None: any day)."""
        self.turn += 1
        placed = {e: p for e, p in chosen.items() if p is not None}
        left_out = [e for e in self.session.placeable if chosen.get(e) is None]
        free: set[str] = set(self.rng.sample(left_out, min(len(left_out), size // 4)))
        days: set | None = None
        if self.kind == "days":
            days = set()
            for day in self.rng.sample(self.days, len(self.days)):
                members = [e for e in sorted(placed) if placed[e].start.day == day]
                if free and len(free) + len(members) > 1.5 * size:
                    break
                days.add(day)
                free.update(members)
                if len(free) >= size:
                    break
        elif self.kind == "topics":
            topics = sorted({t for e in placed for t in self.session.data.topics[e]})
            for topic in self.rng.sample(topics, len(topics)):
                free.update(e for e in sorted(placed) if topic in self.session.data.topics[e])
                if len(free) >= size:
                    break
        else:
            free.update(self.rng.sample(sorted(placed), min(len(placed), size)))
        if len(free) > 1.5 * size:  # one huge day or topic: keep a random part of it
            free = set(self.rng.sample(sorted(free), int(1.5 * size)))
        if days is None:  # moves within the days the freed events use keep the sub-model small
            days = {placed[e].start.day for e in free if e in placed} or None
        return free, days


def search(session: Session) -> None:
    """Large-neighbourhood search from the incumbent until the time (or Ctrl-C) ends it."""
    neighbourhoods = Neighbourhoods(session)
    sizes = dict.fromkeys(Neighbourhoods.KINDS, START_SIZE)
    while _budget_left(session) > 0.3 and not session.interrupted:
        if session.total is not None and session.total <= session.lower:
            break  # as cheap as the lower bound: optimal
        chosen = session.incumbent
        assert chosen is not None
        kind = Neighbourhoods.KINDS[neighbourhoods.turn % len(Neighbourhoods.KINDS)]
        free, days = neighbourhoods.next(chosen, sizes[kind])
        if not free:
            break
        fixed = {e: p for e, p in chosen.items() if e not in free}
        optional = sorted(free) if session.options.allow_unscheduled else ()
        ctx = build_model(session.problem, session.data, session.domains, free, fixed, optional=optional,
                          days=days)
        ctx.add_hint(chosen)
        limit = min(_budget_left(session), SUB_TIME)
        status, solver = session.run(ctx.model, time_limit=limit, lp=True, workers=1)
        session.dtime_used += overhead(session, len(ctx.placements))
        better = status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and session.offer({**chosen, **ctx.decode(solver)},
                                                                                   "lns")
        LOG.debug("lns %s free=%d vars=%d days=%s %s %.2fs -> %s", neighbourhoods.kind, len(free),
                  len(ctx.placements), sorted(days) if days else "all", solver.status_name(status), solver.wall_time,
                  session.total if better else "-")
        if status == cp_model.OPTIMAL and solver.wall_time < 0.3 * limit:
            sizes[kind] = min(MAX_SIZE, int(sizes[kind] * 1.25) + 1)
        elif status != cp_model.OPTIMAL:
            sizes[kind] = max(MIN_SIZE, int(sizes[kind] * 0.8))
