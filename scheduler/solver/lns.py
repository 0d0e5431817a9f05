"""Large meetings: greedy restarts, CP-SAT repair of what greedy could not place, then LNS.

Large-neighbourhood search frees a part of the incumbent (the events of a window of days, of a
few topics, or a random sample), fixes the rest, and re-solves that part as a CP-SAT sub-model
(moves within the freed events' days) with the incumbent as hint, for a few seconds at most; a
cheaper result becomes the new incumbent. Neighbourhood sizes adapt per kind so that sub-models
solve in about a second, even at 3,000 events. With two or more workers, as many neighbourhoods on
disjoint sets of days are solved at once (one worker each): events on different days share no
slot, room or time, so their improvements add up and are merged into one new incumbent.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Collection, Mapping
from datetime import date
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from .bound import combinatorial_bound
from .build import build_model, people
from .greedy import LocalSearch, Occupancy, greedy
from .variables import Placement

if TYPE_CHECKING:  # pragma: no cover
    from .session import Session

LOG = logging.getLogger("scheduler.solver")
SUB_TIME = 3.0  # seconds (deterministic units with one worker) per sub-model
START_SIZE = 80  # free events in the first neighbourhood; adapts between MIN_SIZE and MAX_SIZE
MIN_SIZE, MAX_SIZE = 20, 400
RESTARTS = 4
# The per-topic flows of the bound take ~1 s at 1,000 events but ~10 s at 3,000 for a 0.2 % tighter
# bound (benchmarks/README.md): above this size the bound keeps only its separate sums.
COUPLED_MAX_EVENTS = 1500
# A sub-model over more placement literals than this takes seconds to build and gigabytes to solve
# (38C3 re-planned, 72 rooms told apart, a 5-minute grid: 1.4 M literals for 80 events of one day):
# neighbourhoods are cut down to fit, so each sub-solve stays within a few seconds at any grain.
SUB_MAX_PLACEMENTS = 40_000
BLOCKER_SAMPLE = 20  # missing events whose blockers are counted per repair round


def fit(session: Session, free: Collection[str], days: Collection[date] | None, *, keep: Collection[str] = (),
        prefer: Collection[str] = (), budget: int = SUB_MAX_PLACEMENTS) -> set[str]:
    """The ``keep`` events, then as many of ``free`` as fit ``budget`` literals: those in ``prefer``
    first, each part in a seeded random order.

    An event's literals within ``days`` are estimated as its domain's size times the share of the
    meeting's days it may use.
    """
    share = 1.0 if days is None else len(days) / max(1, len(session.timeline.day_slots))
    kept, used = set(keep), sum(session.domains[e].size * share for e in keep)
    rest = sorted(set(free) - kept)
    random.Random(session.options.seed + len(rest)).shuffle(rest)
    rest.sort(key=lambda e: e not in prefer)
    for event_id in rest:
        cost = session.domains[event_id].size * share
        if used + cost <= budget:
            kept.add(event_id)
            used += cost
    return kept


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
        for _ in range(RESTARTS):  # only worth their time when greedy left many events out
            if len(unplaced(session, best)) <= max(5, len(session.placeable) // 200) or \
                    session.elapsed > 0.15 * session.options.time_limit:
                break
            trial = greedy(session.data, session.domains, session.placeable, seed=rng.randrange(1 << 30))
            if len(unplaced(session, trial)) < len(unplaced(session, best)):
                best = trial
        best = repair(session, best)
        session.accept(best, "repair")
    if session.incumbent is not None and not session.out_of_time:
        tighten_bound(session)
        polish(session)
        search(session)


def polish(session: Session, sweeps: int = 20) -> None:
    """Hill-climb the incumbent with exact single moves and one-event ejections (greedy.LocalSearch)."""
    if session.incumbent is None or session.budget <= 0.3:
        return
    local = LocalSearch(session.data, session.domains, session.incumbent)
    rng = random.Random(session.options.seed)
    for _ in range(sweeps):  # one sweep at a time, so progress is reported as it improves
        deadline = time.perf_counter() + session.remaining  # the wall clock ends even a deterministic run
        saved = local.run(session.placeable, rng, 1, deadline)
        session.charge(overhead(session, 0))
        session.accept(local.chosen, "lns")
        if not saved or session.budget <= 0.3 or session.interrupted:
            break


def tighten_bound(session: Session) -> None:
    """Compute the combinatorial bound (bound.py) on large meetings, once a first schedule exists.

    Skipped when the time left is shorter than it takes (about 3 ms per event, measured on 38C3).
    """
    if session.bounded or session.remaining < len(session.placeable) / 300:
        return
    found = combinatorial_bound(session.data, {e: session.domains[e] for e in session.placeable},
                                allow_unscheduled=session.options.allow_unscheduled,
                                coupled=len(session.placeable) <= COUPLED_MAX_EVENTS).value
    session.add_bound(found)


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
    while (missing := unplaced(session, chosen)) and session.budget > 0.2 and not session.interrupted:
        count: Counter = Counter()
        for event_id in missing[:BLOCKER_SAMPLE]:
            count.update(_blockers(session, chosen, event_id))
        ranked = sorted(count, key=lambda e: (-count[e], e))
        free = fit(session, ranked[:size], None, keep=missing)
        fixed = {e: p for e, p in chosen.items() if e not in free}
        ctx = build_model(session.problem, session.data, session.domains, free, fixed, optional=missing,
                          objective=False)
        left_out = [1 - cp_model.LinearExpr.sum([lit for _, lit in ctx.by_event[e]]) for e in missing]
        ctx.model.minimize(cp_model.LinearExpr.sum(left_out))
        ctx.add_hint(chosen)
        status, solver = session.run(ctx.model, time_limit=min(session.budget, 4 * SUB_TIME), lp=False)
        session.charge(overhead(session, len(ctx.placements)))
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
    """Chooses which events to free next, in turn: a window of days, a few topics, or a random sample."""

    KINDS = ("days", "topics", "sample")

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rng = random.Random(session.options.seed)
        self.days = sorted(session.timeline.day_slots)
        self.turn = 0

    def _labels(self, event_id: str) -> tuple[tuple[str, str], ...]:
        return _labels_of(self.session, event_id)

    def next(self, chosen: Mapping[str, Placement | None], kind: str, size: int,
             exclude: Collection[date] = ()) -> tuple[set[str], set[date] | None]:
        """About ``size`` events of this kind to free, and the days they may move within (None: any day).

        Events placed on an ``exclude``d day are never freed and those days are never offered, so
        neighbourhoods drawn with each other's days excluded can be solved at once and merged.
        """
        self.turn += 1
        placed = {e: p for e, p in chosen.items() if p is not None and p.start.day not in exclude}
        free: set[str] = set()
        if not exclude:  # events left out (allowed, or not yet repaired) join the first neighbourhood
            left_out = [e for e in self.session.placeable if chosen.get(e) is None]
            free.update(self.rng.sample(left_out, min(len(left_out), size // 4)))
        days: set[date] | None = None
        open_days = [d for d in self.days if d not in exclude]
        if not open_days:
            return set(), set()
        first = self.rng.randrange(len(open_days))
        window = open_days[first:] + open_days[:first]  # consecutive days from a random first one
        if kind == "days":  # every event of a window of days
            days = set()
            for day in window:
                members = [e for e in sorted(placed) if placed[e].start.day == day]
                if free and len(free) + len(members) > 1.5 * size:
                    break
                days.add(day)
                free.update(members)
                if len(free) >= size:
                    break
        else:  # a few topics, or a random sample, within a window of days about three times as large
            days, count = set(), 0
            for day in window:
                days.add(day)
                count += sum(1 for p in placed.values() if p.start.day == day)
                if count >= 3 * size:
                    break
            placed = {e: p for e, p in placed.items() if p.start.day in days}
        if kind == "topics":  # a topic's or a track's events
            labels = {e: self._labels(e) for e in placed}
            topics = sorted({t for e in placed for t in labels[e]})
            for topic in self.rng.sample(topics, len(topics)):
                free.update(e for e in sorted(placed) if topic in labels[e])
                if len(free) >= size:
                    break
        elif kind == "sample":
            free.update(self.rng.sample(sorted(placed), min(len(placed), size)))
        if len(free) > 1.5 * size:  # one huge day or topic: keep a random part of it
            free = set(self.rng.sample(sorted(free), int(1.5 * size)))
        if days is None:  # moves within the days the freed events use keep the sub-model small
            days = {placed[e].start.day for e in free if e in placed} or None
        return free, days


def _labels_of(session: Session, event_id: str) -> tuple[tuple[str, str], ...]:
    """The topics and the track of an event, as the topics neighbourhood groups events."""
    data = session.data
    track = (("track", data.track[event_id]),) if event_id in data.track else ()
    return tuple(("topic", topic) for topic in data.topics[event_id]) + track


def _apart(session: Session, first: Mapping[str, Placement | None], second: Mapping[str, Placement | None]) -> bool:
    """No person of an event in ``first`` is busy at an overlapping time in ``second`` (a safety check)."""
    busy: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for event_id, placement in first.items():
        if placement is not None:
            for person in people(session.problem.events_by_id[event_id]):
                busy.setdefault(person, []).append((placement.start.begin, placement.start.end))
    for event_id, placement in second.items():
        if placement is None:
            continue
        for person in people(session.problem.events_by_id[event_id]):
            if any(b < placement.start.end and placement.start.begin < e for b, e in busy.get(person, ())):
                return False
    return True


def search(session: Session) -> None:
    """Large-neighbourhood search from the incumbent until the time (or Ctrl-C) ends it."""
    neighbourhoods = Neighbourhoods(session)
    sizes = dict.fromkeys(Neighbourhoods.KINDS, START_SIZE)
    parallel = 1 if session.options.deterministic else max(1, session.options.workers)
    turn = 0
    while session.budget > 0.3 and not session.interrupted:
        if session.done:
            break  # as cheap as a valid lower bound: optimal
        chosen = session.incumbent
        assert chosen is not None
        kind = Neighbourhoods.KINDS[turn % len(Neighbourhoods.KINDS)]
        turn += 1
        parts: list[tuple[set[str], set[date] | None]] = []
        taken: set[date] = set()
        for _ in range(parallel):
            free, days = neighbourhoods.next(chosen, kind, sizes[kind], exclude=taken)
            if not free:
                break
            parts.append((free, days))
            if days is None:  # may move anywhere: nothing else can run beside it
                break
            taken |= days
        if not parts:
            break
        contexts = []
        for free, days in parts:
            free = fit(session, free, days)
            if not free:
                continue
            fixed = {e: p for e, p in chosen.items() if e not in free}
            optional = sorted(free) if session.options.allow_unscheduled else ()
            ctx = build_model(session.problem, session.data, session.domains, free, fixed, optional=optional,
                              days=days)
            ctx.add_hint(chosen)
            contexts.append(ctx)
        limit = min(session.budget, SUB_TIME)
        if len(contexts) == 1:
            outcomes = [session.run(contexts[0].model, time_limit=limit, lp=True, workers=1)]
        else:
            outcomes = session.race([ctx.model for ctx in contexts], time_limit=limit)
        session.charge(sum(overhead(session, len(ctx.placements)) for ctx in contexts))
        merged: dict[str, Placement | None] = {}
        for ctx, (status, solver) in zip(contexts, outcomes, strict=True):
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                found = ctx.decode(solver)
                if _apart(session, merged, found):
                    merged.update(found)
            if status == cp_model.OPTIMAL and solver.wall_time < 0.3 * limit:
                sizes[kind] = min(MAX_SIZE, int(sizes[kind] * 1.25) + 1)
            elif status != cp_model.OPTIMAL:
                sizes[kind] = max(MIN_SIZE, int(sizes[kind] * 0.8))
        better = bool(merged) and session.accept({**chosen, **merged}, "lns")
        if better:
            polish(session, sweeps=2)
        LOG.debug("lns %s parts=%s %s -> %s", kind, [(len(f), len(d) if d else 0) for f, d in parts],
                  [(solver.status_name(st), round(solver.wall_time, 2)) for st, solver in outcomes],
                  session.total if better else "-")
