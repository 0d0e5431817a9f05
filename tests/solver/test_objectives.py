"""Soft terms: the solver trades them as weighted, meeting weights override defaults, scores agree."""

from __future__ import annotations

from datetime import date, time

from scheduler.model import Room
from scheduler.solver import OBJECTIVE_TERMS
from scheduler.weights import DEFAULT_WEIGHTS, UNSCHEDULED_COST
from tests.factory import DAY, at, event, meeting, problem, speaker
from tests.solver.util import room_and_start, solve_checked

NINE = (time(9, 0),)
CHANNELS = (Room("V1", "Online 1", "virtual"), Room("V2", "Online 2", "virtual"))


def test_every_term_has_a_default_weight_and_a_docstring() -> None:
    assert set(OBJECTIVE_TERMS) <= set(DEFAULT_WEIGHTS)
    assert all(fn.__doc__ for fn in OBJECTIVE_TERMS.values())


def test_preferred_day_is_honoured_when_possible() -> None:
    second = date(2022, 5, 18)
    prob = problem([event("E1", preferred_days=(second,))], the_meeting=meeting(days=(DAY, second)))
    schedule = solve_checked(prob)
    assert schedule.by_event["E1"].start.date() == second  # type: ignore[union-attr]
    assert schedule.metadata["scores"]["preferred_day"] == 0


def test_preferred_day_counts_when_a_pin_forbids_it() -> None:
    second = date(2022, 5, 18)
    prob = problem([event("E1", preferred_days=(second,), start=at("09:00"))], the_meeting=meeting(days=(DAY, second)))
    schedule = solve_checked(prob)
    assert schedule.metadata["scores"]["preferred_day"] == DEFAULT_WEIGHTS["preferred_day"]
    assert schedule.metadata["status"] == "optimal"


def test_topic_clash_against_preferred_start_follows_the_weights() -> None:
    events = [event("E1", topics=("cyber",), preferred_starts=NINE),
              event("E2", topics=("cyber",), attendance=100, preferred_starts=NINE)]
    together = solve_checked(problem(events))
    assert room_and_start(together, "E1")[1] == room_and_start(together, "E2")[1] == "09:00"
    assert together.metadata["scores"]["topic_clash"] == 3  # cheaper than missing a preferred start (5)
    apart = solve_checked(problem(events, the_meeting=meeting(weights={"topic_clash": 10})))
    assert room_and_start(apart, "E1")[1] != room_and_start(apart, "E2")[1]
    assert apart.metadata["scores"] == {**apart.metadata["scores"], "topic_clash": 0, "preferred_start": 5}


def test_room_fit_prefers_the_room_that_is_not_half_empty() -> None:
    schedule = solve_checked(problem([event("E1", attendance=10)]))
    assert room_and_start(schedule, "E1")[0] == "R1"
    assert schedule.metadata["scores"]["room_fit"] == (40 - 20) * 10 // 40


def test_remote_off_hours_moves_the_event_into_comfortable_local_hours() -> None:
    specs_meeting = meeting()
    from scheduler.grid import SlotSpec

    specs = [SlotSpec(time(13, 0), time(13, 50)), SlotSpec(time(16, 0), time(16, 50))]
    ny = speaker("S1", timezone="America/New_York", remote=True)
    schedule = solve_checked(problem([event("E1", format="hybrid", speakers=("S1",))], [ny],
                                     the_meeting=specs_meeting, specs=specs))
    assert room_and_start(schedule, "E1")[1] == "16:00"  # 10:00 in New York; 13:00 would be 07:00
    assert schedule.metadata["scores"]["remote_off_hours"] == 0
    pinned = solve_checked(problem([event("E1", format="hybrid", speakers=("S1",), start=at("13:00"))], [ny],
                                   specs=specs))
    assert pinned.metadata["scores"]["remote_off_hours"] == DEFAULT_WEIGHTS["remote_off_hours"]


def test_crowding_spreads_events_over_the_slots() -> None:
    events = [event(f"E{i}", format="virtual", attendance=None) for i in range(4)]
    schedule = solve_checked(problem(events, the_rooms=CHANNELS))
    starts = [room_and_start(schedule, e.id)[1] for e in events]
    assert len(set(starts)) == 4
    assert schedule.metadata["scores"]["crowding"] == 0


def test_unscheduled_leaves_out_the_lowest_priorities() -> None:
    events = [event(f"E{i}", attendance=100, priority=p) for i, p in enumerate([1, 5, 2, 4, 3, 5])]
    schedule = solve_checked(problem(events), allow_unscheduled=True)
    left = sorted(a.event_id for a in schedule.assignments if not a.scheduled)
    assert left == ["E0", "E2"]  # priorities 1 and 2; R2 has four slots for six events
    assert schedule.metadata["scores"]["unscheduled"] == UNSCHEDULED_COST[1] + UNSCHEDULED_COST[2]
    reasons = schedule.metadata["unscheduled_reasons"]
    assert set(reasons) == {"E0", "E2"}
    assert "higher-priority" in reasons["E0"] and "R2" in reasons["E0"]
