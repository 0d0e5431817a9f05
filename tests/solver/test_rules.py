"""Each hard rule: an instance where breaking the rule would be cheaper, and the solver keeps it."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

from scheduler.check import HARD_RULE_NAMES
from scheduler.grid import SlotSpec
from scheduler.model import BlockedPeriod, Unavailability
from scheduler.solver import HARD_RULES
from scheduler.solver.constraints import overlap_cliques
from tests.factory import at, event, meeting, problem, speaker
from tests.solver.util import room_and_start, solve_checked

NINE = (time(9, 0),)


def test_rule_names_match_the_checker() -> None:
    assert set(HARD_RULES) == set(HARD_RULE_NAMES)
    assert all(rule.doc for rule in HARD_RULES.values())


def test_one_placement_every_event_exactly_once() -> None:
    prob = problem([event("E1"), event("E2", format="hybrid"), event("E3", format="virtual", attendance=None)])
    schedule = solve_checked(prob)
    assert sorted(a.event_id for a in schedule.assignments) == ["E1", "E2", "E3"]
    assert all(a.scheduled for a in schedule.assignments)


def test_room_kind_hybrid_event_takes_the_hybrid_room_although_the_small_one_fits_better() -> None:
    prob = problem([event("E1", format="hybrid"), event("E2", format="virtual", attendance=None)])
    schedule = solve_checked(prob)
    assert room_and_start(schedule, "E1")[0] == "R2"
    assert room_and_start(schedule, "E2")[0] == "V1"


def test_capacity_large_event_avoids_the_cheaper_small_room() -> None:
    # R1 (40 seats, no hybrid kit) would cost nothing; R2 costs the unused hybrid kit.
    schedule = solve_checked(problem([event("E1", attendance=100)]))
    assert room_and_start(schedule, "E1")[0] == "R2"
    assert schedule.metadata["scores"]["hybrid_kit_unused"] == 2


def test_slot_run_long_event_does_not_start_in_the_last_slot_it_prefers() -> None:
    prob = problem([event("E1", duration=100, preferred_starts=(time(12, 0),))])
    schedule = solve_checked(prob)
    room, start = room_and_start(schedule, "E1")
    assert start != "12:00"
    assert schedule.metadata["scores"]["preferred_start"] == 5


def test_slot_run_respects_slot_formats() -> None:
    specs = [SlotSpec(time(9, 0), time(9, 50), frozenset({"virtual"})), SlotSpec(time(10, 0), time(10, 50))]
    schedule = solve_checked(problem([event("E1", preferred_starts=NINE)], specs=specs))
    assert room_and_start(schedule, "E1")[1] == "10:00"


def test_room_clash_two_large_events_preferring_one_start_take_turns() -> None:
    prob = problem([event("E1", attendance=100, preferred_starts=NINE),
                    event("E2", attendance=100, preferred_starts=NINE)])
    schedule = solve_checked(prob)
    assert room_and_start(schedule, "E1")[0] == room_and_start(schedule, "E2")[0] == "R2"
    assert room_and_start(schedule, "E1")[1] != room_and_start(schedule, "E2")[1]


def test_speaker_clash_shared_speaker_keeps_the_two_events_apart() -> None:
    prob = problem([event("E1", speakers=("S1",), preferred_starts=NINE),
                    event("E2", attendance=100, speakers=("S1",), preferred_starts=NINE)], [speaker("S1")])
    schedule = solve_checked(prob)
    assert room_and_start(schedule, "E1")[1] != room_and_start(schedule, "E2")[1]


def test_organizer_clash_shared_organizer_keeps_the_two_events_apart() -> None:
    prob = problem([event("E1", organizer="UNODC", preferred_starts=NINE),
                    event("E2", organizer="UNODC", attendance=100, preferred_starts=NINE)])
    schedule = solve_checked(prob)
    assert room_and_start(schedule, "E1")[1] != room_and_start(schedule, "E2")[1]


def test_person_conflicts_follow_real_interval_overlap() -> None:
    # Overlapping intervals conflict; touching ones ([9:00,10:00) and [10:00,...)) do not.
    cliques = overlap_cliques([(0, 60, "a"), (30, 90, "b"), (60, 120, "c"), (200, 210, "d")])
    assert sorted(map(sorted, cliques)) == [["a", "b"], ["b", "c"], ["d"]]
    # Three intervals overlapping pairwise only through a common point form one clique.
    assert overlap_cliques([(0, 50, 1), (10, 40, 2), (20, 30, 3)]) == [[1, 2, 3]]


def test_blocked_period_applies_to_its_formats_only() -> None:
    blocked = (BlockedPeriod(at("09:00"), at("10:00"), "Plenary", frozenset({"in_person"})),)
    prob = problem([event("E1", preferred_starts=NINE),
                    event("E2", format="virtual", attendance=None, preferred_starts=NINE)], blocked=blocked)
    schedule = solve_checked(prob)
    assert room_and_start(schedule, "E1")[1] != "09:00"
    assert room_and_start(schedule, "E2")[1] == "09:00"


def test_remote_hours_across_a_dst_change() -> None:
    # Vienna leaves winter time on 2022-03-27, New York already did on 03-13: 12:00 Vienna is
    # 07:00 in New York on Friday 25 March but 06:00 on Monday 28 March (before the 07:00 window).
    days = (date(2022, 3, 25), date(2022, 3, 28))
    specs = [SlotSpec(time(11, 0), time(11, 50)), SlotSpec(time(12, 0), time(12, 50))]
    ny = speaker("S1", timezone="America/New_York", remote=True)
    prob = problem([event("E1", format="hybrid", speakers=("S1",), preferred_days=(days[1],))], [ny],
                   the_meeting=meeting(days=days), specs=specs)
    schedule = solve_checked(prob)
    start = schedule.by_event["E1"].start
    assert start is not None and start.date() == days[0] and start.strftime("%H:%M") == "12:00"


def test_remote_hours_own_earliest_and_latest_override_the_meeting_default() -> None:
    late = speaker("S1", timezone="Europe/Vienna", remote=True, earliest=time(11, 0))
    prob = problem([event("E1", format="hybrid", speakers=("S1",), preferred_starts=NINE)], [late])
    schedule = solve_checked(prob)
    assert room_and_start(schedule, "E1")[1] in ("11:00", "12:00")


def test_unavailability_of_room_speaker_and_organizer() -> None:
    away = (
        Unavailability("room", "R2", at("09:00"), at("10:00")),
        Unavailability("speaker", "S1", at("10:00"), at("10:30")),
        Unavailability("organizer", "UNDP", at("11:00"), at("12:00")),
    )
    prob = problem([event("E1", format="hybrid", preferred_starts=NINE),
                    event("E2", speakers=("S1",), preferred_starts=(time(10, 0),)),
                    event("E3", organizer="UNDP", preferred_starts=(time(11, 0),))],
                   [speaker("S1")], unavailability=away)
    schedule = solve_checked(prob)
    assert room_and_start(schedule, "E1")[1] != "09:00"
    assert room_and_start(schedule, "E2")[1] != "10:00"
    assert room_and_start(schedule, "E3")[1] != "11:00"


def test_pins_hold_against_preferences_and_room_fit() -> None:
    prob = problem([event("E1", room="R2", start=at("11:00"), preferred_starts=NINE),
                    event("E2", room="R2")])
    schedule = solve_checked(prob)
    assert room_and_start(schedule, "E1") == ("R2", "11:00")
    assert room_and_start(schedule, "E2")[0] == "R2"


def test_interchangeable_rooms_are_grouped_and_each_event_gets_its_own_room() -> None:
    from scheduler.model import Room

    rooms = (Room("A", "A", "physical", 50), Room("B", "B", "physical", 50), Room("C", "C", "physical", 50))
    events = [event(f"E{i}", duration=110 if i % 2 else 50, preferred_starts=NINE) for i in range(7)]
    schedule = solve_checked(problem(events, the_rooms=rooms))
    assert {a.room for a in schedule.assignments} == {"A", "B", "C"}


def test_venue_zone_of_the_result() -> None:
    schedule = solve_checked(problem([event("E1")]))
    start = schedule.by_event["E1"].start
    assert start is not None and start.tzinfo == ZoneInfo("Europe/Vienna")
