"""``solve`` against an independent exact model (exact.py) on many small seeded random meetings.

Kinds: ``feasible`` (room to spare, every event must be placed), ``oversubscribed`` (more events than
room-slots, allow_unscheduled), ``unplaceable`` (one or two events fit no room at all, allow_unscheduled)
and ``priorities`` (oversubscribed, priorities 1-5 mixed). These meetings are tiny and the limit is
generous, so the solver must prove the exact optimum; it must never report optimal above it, nor a
bound above it, nor an objective below it (that would mean exact.py or score.py is wrong).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, time

import pytest

from scheduler.check import check_schedule
from scheduler.errors import InfeasibleError
from scheduler.grid import SlotSpec
from scheduler.model import BlockedPeriod, Problem, Room, SideEvent, Speaker, Unavailability
from scheduler.score import total
from scheduler.solver import SolveOptions, solve
from tests.factory import DAY, at, event, meeting, problem, speaker
from tests.solver.exact import candidates, solve_exact

KINDS: tuple[str, ...] = ("feasible", "oversubscribed", "unplaceable", "priorities")
SEEDS_PER_KIND = 15
DAYS: tuple[date, ...] = (DAY, date(2022, 5, 18))
STARTS: tuple[str, ...] = ("09:00", "10:00", "11:00", "13:00", "14:00", "15:00", "16:00")
ZONES: tuple[str, ...] = ("Asia/Tokyo", "Africa/Nairobi", "America/New_York", "Europe/London")
TOPICS: tuple[str, ...] = ("cyber", "drugs")
ALL = frozenset({"in_person", "hybrid", "virtual"})


def _slot_specs(rng: random.Random, n_slots: int, n_days: int) -> list[SlotSpec]:
    """``n_slots`` 50-minute slots at random hours; some closed to a format, one maybe on the first day only."""
    specs = []
    for hhmm in sorted(rng.sample(STARTS, n_slots)):
        begin = time.fromisoformat(hhmm)
        formats = ALL if rng.random() < 0.8 else rng.choice([ALL - {"virtual"}, ALL - {"in_person"}])
        days = (DAYS[0],) if n_days == 2 and rng.random() < 0.15 else ()
        specs.append(SlotSpec(begin, time(begin.hour, 50), frozenset(formats), days))
    return specs


def _rooms(rng: random.Random, n_rooms: int) -> tuple[Room, ...]:
    """One physical room, then physical or virtual ones at random (at most two channels)."""
    rooms = []
    for i in range(n_rooms):
        if i > 0 and rng.random() < 0.3 and sum(r.is_virtual for r in rooms) < 2:
            rooms.append(Room(f"V{i}", f"Online {i}", "virtual"))
        else:
            rooms.append(Room(f"R{i}", f"Room {i}", "physical", rng.choice((20, 40, 80, 150)), rng.random() < 0.4))
    return tuple(rooms)


def _speakers(rng: random.Random) -> tuple[Speaker, ...]:
    """Two or three local speakers and one or two remote ones, some with their own hours."""
    result = [speaker(f"S{i}") for i in range(rng.randint(2, 3))]
    for i in range(rng.randint(1, 2)):
        own = rng.random() < 0.3
        result.append(speaker(f"T{i}", timezone=rng.choice(ZONES), remote=True,
                              earliest=time(6, 0) if own else None, latest=time(23, 0) if own else None))
    return tuple(result)


def _event(rng: random.Random, index: int, rooms: tuple[Room, ...], speakers: tuple[Speaker, ...],
           organizers: list[str], specs: list[SlotSpec], days: tuple[date, ...], kind: str) -> SideEvent:
    """One random event whose format some room accepts; attendance within the largest fitting room."""
    formats = [f for f in ("in_person", "hybrid", "virtual") if any(r.accepts_format(f) for r in rooms)]
    fmt = rng.choice(formats)
    chosen = tuple(rng.sample(speakers, rng.choice((0, 0, 1, 1, 2))))
    if fmt == "in_person" and any(s.remote for s in chosen):
        fmt = rng.choice([f for f in formats if f != "in_person"] or ["in_person"])
        if fmt == "in_person":
            chosen = tuple(s for s in chosen if not s.remote)
    fitting = [r.capacity or 0 for r in rooms if r.accepts_format(fmt) and not r.is_virtual]
    attendance = None if fmt == "virtual" else rng.randint(5, max(fitting))
    topics = tuple(rng.sample(TOPICS, rng.choice((0, 1, 1, 1, 2))))
    if topics and rng.random() < 0.1:
        topics += topics[:1]  # a topic listed twice counts once
    found = event(
        f"E{index:02d}", organizer=rng.choice(organizers), format=fmt, attendance=attendance,
        duration=rng.choice((50, 50, 50, 30, 100)), speakers=tuple(s.id for s in chosen), topics=topics,
        priority=rng.randint(1, 5) if kind == "priorities" or rng.random() < 0.2 else 3,
        preferred_days=tuple(rng.sample(days, 1)) if rng.random() < 0.4 else (),
        preferred_starts=tuple(time.fromisoformat(s.start.strftime("%H:%M")) for s in rng.sample(specs, 1))
        if rng.random() < 0.5 else (),
    )
    roll = rng.random()
    if roll < 0.08:
        found = replace(found, room=rng.choice([r.id for r in rooms if r.accepts_format(fmt)]))
    elif roll < 0.16:
        spec = rng.choice(specs)
        found = replace(found, start=at(spec.start.strftime("%H:%M"), rng.choice(spec.days or days)))
    return found


def random_meeting(kind: str, seed: int) -> tuple[Problem, bool]:
    """A small seeded random meeting of ``kind`` and whether it is solved with allow_unscheduled.

    A ``feasible`` meeting is redrawn (same random stream) until the exact model finds a schedule.
    """
    rng = random.Random(f"{kind}:{seed}")
    while True:
        prob = _draw(rng, kind)
        if kind != "feasible" or solve_exact(prob, allow_unscheduled=False).optimum is not None:
            return prob, kind != "feasible"


def _draw(rng: random.Random, kind: str) -> Problem:
    """One random meeting of ``kind`` (see the module docstring)."""
    tight = kind in ("oversubscribed", "priorities")
    n_days = 1 if tight else rng.choice((1, 1, 2))
    n_rooms = rng.randint(2, 3) if tight else rng.randint(2, 4)
    n_slots = rng.randint(2, 3) if tight else rng.randint(3, 5) if n_days == 1 else rng.randint(2, 3)
    days = DAYS[:n_days]
    specs = _slot_specs(rng, n_slots, n_days)
    rooms = _rooms(rng, n_rooms)
    speakers = _speakers(rng)
    room_slots = n_rooms * n_slots * n_days
    if tight:
        n_events = min(12, room_slots + rng.randint(1, 4))
    else:
        n_events = max(4, min(12, room_slots * rng.randint(5, 8) // 10))
    organizers = [f"Org {chr(65 + i)}" for i in range(max(2, n_events // 3))]
    weights = {}
    if rng.random() < 0.3:
        weights = {"topic_clash": rng.choice((0, 10)), "room_fit": rng.choice((0, 3)), "crowding": rng.choice((1, 5))}
    the_meeting = meeting(days=days, weights=weights)
    blocked, unavailable = [], []
    if rng.random() < 0.25:
        spec = rng.choice(specs)
        blocked.append(BlockedPeriod(at(spec.start.strftime("%H:%M")), at(spec.end.strftime("%H:%M")), "plenary",
                                     frozenset(rng.choice([ALL, ALL - {"virtual"}]))))
    if rng.random() < 0.25:
        spec = rng.choice(specs)
        unavailable.append(Unavailability("room", rng.choice(rooms).id, at(spec.start.strftime("%H:%M")),
                                          at(spec.end.strftime("%H:%M"))))
    if rng.random() < 0.2:
        spec = rng.choice(specs)
        who = rng.choice([("speaker", s.id) for s in speakers] + [("organizer", o) for o in organizers])
        unavailable.append(Unavailability(*who, at(spec.start.strftime("%H:%M")), at("23:00")))

    def build(events: list[SideEvent]) -> Problem:
        return problem(events, speakers, the_meeting=the_meeting, the_rooms=rooms, specs=specs, blocked=blocked,
                       unavailability=unavailable)

    events: list[SideEvent] = []
    for index in range(n_events):
        # Redraw an event that has no valid placement (at most a few times): only kind
        # "unplaceable" leaves events out on purpose, below.
        for _ in range(8):
            candidate = _event(rng, index, rooms, speakers, organizers, specs, days, kind)
            if candidates(build([candidate])):
                break
        events.append(candidate)
    if kind == "unplaceable":
        physical = [r for r in rooms if not r.is_virtual]
        biggest = max(r.capacity or 0 for r in physical)
        for index in rng.sample(range(n_events), rng.randint(1, 2)):
            fmt = "hybrid" if rng.random() < 0.3 and any(r.hybrid for r in physical) else "in_person"
            speakers_kept = tuple(s for s in events[index].speakers if fmt == "hybrid" or not s.startswith("T"))
            events[index] = replace(events[index], format=fmt, attendance=biggest + 1 + rng.randint(0, 50),
                                    speakers=speakers_kept, room=None)
    return build(events)


CASES = [(kind, seed) for kind in KINDS for seed in range(SEEDS_PER_KIND)]


@pytest.mark.parametrize(("kind", "seed"), CASES, ids=[f"{kind}-seed{seed}" for kind, seed in CASES])
def test_solve_reaches_the_exact_optimum(kind: str, seed: int) -> None:
    prob, allow = random_meeting(kind, seed)
    exact = solve_exact(prob, allow_unscheduled=allow)
    options = SolveOptions(time_limit=10, workers=1, seed=0, allow_unscheduled=allow)
    if exact.optimum is None:
        with pytest.raises(InfeasibleError):
            solve(prob, options)
        return
    schedule = solve(prob, options)
    meta = schedule.metadata
    figures = (f"{kind} seed {seed}: solver {meta['status']} objective {meta['objective']} bound {meta['bound']} "
               f"gap {meta['gap']}; exact optimum {exact.optimum} ({len(prob.events)} events, "
               f"{exact.candidates} placements)")
    assert check_schedule(prob, schedule, allow_unscheduled=allow) == [], figures
    assert meta["objective"] == total(prob, schedule), figures
    assert meta["objective"] >= exact.optimum, f"below the optimum (exact.py or score.py wrong): {figures}"
    assert meta["bound"] <= exact.optimum, f"bound above the optimum: {figures}"
    if meta["status"] == "optimal":
        assert meta["objective"] == exact.optimum, f"reported optimal above the optimum: {figures}"
        assert meta["bound"] == meta["objective"] and meta["gap"] == 0, figures
    assert meta["status"] == "optimal" and meta["objective"] == exact.optimum, f"not proven: {figures}"


def test_exact_model_agrees_with_a_hand_counted_case() -> None:
    # One 40-seat room, two slots: the two events of one topic take one slot each (no clash), each
    # pays room_fit (40 - 20) * 10 // 40 = 5; the event of 150 people fits nowhere: left out at 16,000.
    rooms = (Room("R1", "Room 1", "physical", 40),)
    prob = problem([event("E1", attendance=10, topics=("cyber",)), event("E2", attendance=10, topics=("cyber",)),
                    event("E3", attendance=150)], the_rooms=rooms,
                   specs=[SlotSpec(time(9, 0), time(9, 50)), SlotSpec(time(10, 0), time(10, 50))],
                   the_meeting=meeting(weights={"crowding": 0}))
    exact = solve_exact(prob, allow_unscheduled=True)
    assert exact.optimum == 5 + 5 + 16_000
    assert exact.schedule is not None and not exact.schedule.by_event["E3"].scheduled
    assert solve_exact(prob, allow_unscheduled=False).optimum is None


def test_generated_kinds_are_what_they_say() -> None:
    for seed in range(SEEDS_PER_KIND):
        prob, _ = random_meeting("unplaceable", seed)
        placeable = {c.event.id for c in candidates(prob)}
        assert 1 <= len(prob.events) - len(placeable) <= 2
        over, _ = random_meeting("oversubscribed", seed)
        assert len(over.events) > len(over.rooms) * len(over.slots)
        feasible, allow = random_meeting("feasible", seed)
        assert not allow and 4 <= len(feasible.events) <= 12
