"""The combinatorial lower bound (bound.py): each part on a hand-built case, and never above a proven optimum."""

from __future__ import annotations

from datetime import date, time

import pytest

from scheduler.generate import generate_construction
from scheduler.model import BlockedPeriod, Problem, Room
from scheduler.solver import SolveOptions
from scheduler.solver.bound import Bound, combinatorial_bound
from scheduler.solver.session import Session
from tests.factory import DAY, at, event, meeting, problem, speaker
from tests.solver.util import solve_checked

NINE = (time(9, 0),)


def bound_of(prob: Problem, **options) -> Bound:
    """The combinatorial bound of a problem, over its placeable events."""
    session = Session(prob, SolveOptions(**options))
    return combinatorial_bound(session.data, {e: session.domains[e] for e in session.placeable},
                               allow_unscheduled=session.options.allow_unscheduled)


def optimum(prob: Problem) -> int:
    """The proven optimal objective (the test fails if the solver does not prove it)."""
    schedule = solve_checked(prob, time_limit=20.0)
    assert schedule.metadata["status"] == "optimal"
    return schedule.metadata["objective"]


def test_topic_clash_floor_counts_events_beyond_the_usable_slots() -> None:
    # Five events of one topic, four slots: at least one clash (weight 3) whatever the rooms.
    prob = problem([event(f"E{i}", topics=("cyber",)) for i in range(5)])
    found = bound_of(prob)
    assert found.topic_floor == 3
    assert found.value <= optimum(prob)


def test_person_floor_when_one_organizers_events_want_the_same_start() -> None:
    # One organizer, two events that both prefer 09:00: they cannot both start then.
    prob = problem([event("E1", organizer="Org", preferred_starts=NINE),
                    event("E2", organizer="Org", preferred_starts=NINE)])
    found = bound_of(prob)
    assert found.event_costs == 0 and found.person_floor == 5
    assert found.value == 5 == optimum(prob)


def test_person_floor_is_zero_when_the_cheapest_starts_do_not_collide() -> None:
    prob = problem([event("E1", organizer="Org", preferred_starts=NINE),
                    event("E2", organizer="Org", preferred_starts=(time(10, 0),))])
    assert bound_of(prob).person_floor == 0


def test_crowding_floor_when_the_usable_slots_are_few() -> None:
    # Eight virtual events, four channels, two of four slots blocked for them; target = ceil(8 / 4) = 2.
    channels = tuple(Room(f"V{i}", f"Online {i}", "virtual") for i in range(4))
    blocked = (BlockedPeriod(at("11:00"), at("12:50"), "plenary", frozenset({"virtual"})),)
    prob = problem([event(f"E{i}", format="virtual", attendance=None) for i in range(8)], the_rooms=channels,
                   blocked=blocked)
    found = bound_of(prob)
    assert found.crowding_floor == 4  # 8 occupancies in 2 slots, 2 each without excess
    assert found.value == 4 == optimum(prob)


def test_remote_off_hours_and_room_fit_minimum_over_feasible_placements() -> None:
    # A Los Angeles speaker whose hard window is 00:00-05:00 local: every start (09:00-12:50 Vienna,
    # 00:00-03:50 there) is outside the 09:00-18:00 comfort hours; a hybrid event of 30 only fits
    # the 200-seat hybrid room: room_fit (200 - 60) * 10 // 200 = 7.
    remote = speaker("S1", timezone="America/Los_Angeles", remote=True, earliest=time(0, 0), latest=time(5, 0))
    prob = problem([event("E1", format="hybrid", speakers=("S1",))], [remote])
    found = bound_of(prob)
    assert found.event_costs == 4 + 7
    assert found.value == 11 == optimum(prob)


def test_hybrid_kit_and_preferences_minimum() -> None:
    # 150 people fit only the hybrid room (kit unused: 2); E2 prefers a day it is pinned away from
    # (10) and E3 a start time blocked for it (5).
    second = date(2022, 5, 18)
    blocked = tuple(BlockedPeriod(at("12:00", day), at("12:50", day), "plenary") for day in (DAY, second))
    prob = problem([event("E1", attendance=150),
                    event("E2", preferred_days=(second,), start=at("10:00")),
                    event("E3", preferred_starts=(time(12, 0),))],
                   the_meeting=meeting(days=(DAY, second)), blocked=blocked)
    found = bound_of(prob)
    assert found.event_costs == 2 + 10 + 5
    assert found.value <= optimum(prob)


def test_coupled_flow_trades_clashes_against_preferences() -> None:
    # Two events of one topic both prefer 09:00, two like rooms, no crowding weight: either they clash
    # (3) or one starts later (5).
    twins = (Room("R1", "Room 1", "physical", 40), Room("R2", "Room 2", "physical", 40))
    prob = problem([event("E1", topics=("cyber",), preferred_starts=NINE),
                    event("E2", topics=("cyber",), preferred_starts=NINE)], the_rooms=twins,
                   the_meeting=meeting(weights={"crowding": 0}))
    found = bound_of(prob)
    assert found.event_costs + found.topic_floor == 0
    assert found.coupled == 3
    assert found.value == 3 == optimum(prob)


def test_allow_unscheduled_keeps_only_the_per_event_minimum() -> None:
    prob = problem([event(f"E{i}", topics=("cyber",)) for i in range(5)])
    found = bound_of(prob, allow_unscheduled=True)
    assert found.topic_floor == 0 and found.value == found.event_costs == 0


@pytest.mark.parametrize(("events", "seed"), [(14, 1), (22, 3), (40, 5), (60, 6)])
def test_bound_never_exceeds_a_proven_optimum(events: int, seed: int) -> None:
    prob = generate_construction(events, seed).problem
    found = bound_of(prob)
    best = optimum(prob)
    assert found.value <= best
    assert found.event_costs + found.person_floor + found.topic_floor + found.crowding_floor <= best
    assert found.coupled <= best
