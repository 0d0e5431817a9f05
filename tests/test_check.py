"""The independent checker: each hard rule has a schedule it accepts and one it rejects.

Plus corner cases (time zones, windows past midnight, a DST change, gaps between slots) and a
property test against a brute-force minute-by-minute occupancy check.
"""

from __future__ import annotations

import ast
import inspect
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scheduler.check as check_module
from scheduler.check import HARD_RULE_NAMES, Violation, check_rules, check_schedule
from scheduler.grid import SlotSpec
from scheduler.model import Assignment, BlockedPeriod, Problem, Schedule, Unavailability, event_end
from tests.factory import at, event, meeting, problem, speaker

UTC = timezone.utc


def placed(prob: Problem, event_id: str, room: str, start: datetime) -> Assignment:
    """An assignment with the right end for the event's duration."""
    return Assignment(event_id, room, start, event_end(start, prob.event(event_id).duration))


def plan(prob: Problem, *rows: tuple[str, str, str] | tuple[str, str, datetime] | Assignment) -> Schedule:
    """A schedule from (event id, room, "HH:MM" or datetime) triples or ready assignments."""
    assignments = []
    for row in rows:
        if isinstance(row, Assignment):
            assignments.append(row)
            continue
        event_id, room, when = row
        start = at(when) if isinstance(when, str) else when
        assignments.append(placed(prob, event_id, room, start))
    return Schedule(tuple(assignments))


def found(violations: list[Violation], rule: str) -> list[tuple[str, ...]]:
    """The ids of the violations of one rule."""
    return [v.ids for v in violations if v.rule == rule]


# --- the table of contents --------------------------------------------------------------------------


def test_rule_names_are_the_shared_vocabulary_in_order():
    assert HARD_RULE_NAMES == (
        "one_placement",
        "room_kind",
        "capacity",
        "slot_run",
        "room_clash",
        "speaker_clash",
        "organizer_clash",
        "blocked_period",
        "remote_hours",
        "unavailability",
        "room_hours",
        "pins",
    )
    assert tuple(check_rules) == HARD_RULE_NAMES
    for name, rule in check_rules.items():
        assert rule.__name__ == name
        assert rule.__doc__ and rule.__doc__.strip()


def test_checker_imports_neither_solver_nor_grid():
    tree = ast.parse(inspect.getsource(check_module))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.append("." * node.level + (node.module or ""))
            imported.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            imported.extend(alias.name for alias in node.names)
    assert imported, "the AST walk found no imports at all"
    assert not [name for name in imported if "solver" in name or "grid" in name]


# --- rule 1: one_placement --------------------------------------------------------------------------


def test_one_placement_accepts_every_event_once():
    prob = problem([event("A"), event("B")])
    assert check_schedule(prob, plan(prob, ("A", "R1", "09:00"), ("B", "R1", "10:00"))) == []


def test_one_placement_rejects_a_missing_event():
    prob = problem([event("A"), event("B")])
    violations = check_schedule(prob, plan(prob, ("A", "R1", "09:00")))
    assert [(v.rule, v.ids) for v in violations] == [("one_placement", ("B",))]
    assert "missing" in violations[0].message


def test_one_placement_unscheduled_only_when_allowed():
    prob = problem([event("A"), event("B")])
    schedule = Schedule((placed(prob, "A", "R1", at("09:00")), Assignment("B")))
    assert found(check_schedule(prob, schedule), "one_placement") == [("B",)]
    assert check_schedule(prob, schedule, allow_unscheduled=True) == []


def test_one_placement_rejects_unknown_and_duplicate_rows():
    prob = problem([event("A")])
    twice = plan(prob, ("A", "R1", "09:00"), ("A", "R1", "11:00"))
    assert [(v.rule, v.ids) for v in check_schedule(prob, twice)] == [("one_placement", ("A",))]
    stranger = Schedule((*plan(prob, ("A", "R1", "09:00")).assignments, Assignment("ZZ")))
    assert [(v.rule, v.ids) for v in check_schedule(prob, stranger)] == [("one_placement", ("ZZ",))]


def test_one_placement_rejects_a_room_without_a_start():
    prob = problem([event("A")])
    violations = check_schedule(prob, Schedule((Assignment("A", "R1", None, None),)), allow_unscheduled=True)
    assert [(v.rule, v.ids) for v in violations] == [("one_placement", ("A",))]
    assert "no start" in violations[0].message


# --- rule 2: room_kind ------------------------------------------------------------------------------


def test_room_kind_accepts_each_format_in_its_kind_of_room():
    prob = problem([event("P"), event("H", format="hybrid"), event("V", format="virtual", attendance=None),
                    event("P2")])
    schedule = plan(prob, ("P", "R1", "09:00"), ("H", "R2", "09:00"), ("V", "V1", "09:00"), ("P2", "R2", "10:00"))
    assert check_schedule(prob, schedule) == []


@pytest.mark.parametrize(
    ("fmt", "room"),
    [("hybrid", "R1"), ("virtual", "R2"), ("in_person", "V1"), ("hybrid", "V1"), ("virtual", "R1")],
)
def test_room_kind_rejects_the_wrong_kind(fmt, room):
    prob = problem([event("E", format=fmt, attendance=None if fmt == "virtual" else 30)])
    violations = check_schedule(prob, plan(prob, ("E", room, "09:00")))
    assert found(violations, "room_kind") == [("E", room)]


def test_room_kind_rejects_an_unknown_room_but_still_checks_people():
    prob = problem([event("A", organizer="UNODC"), event("B", organizer="UNODC")])
    violations = check_schedule(prob, plan(prob, ("A", "R9", "09:00"), ("B", "R1", "09:00")))
    assert [(v.rule, v.ids) for v in violations] == [
        ("room_kind", ("A", "R9")),
        ("organizer_clash", ("A", "B", "UNODC")),
    ]
    assert "does not exist" in violations[0].message


# --- rule 3: capacity -------------------------------------------------------------------------------


def test_capacity_accepts_a_full_room_and_virtual_events():
    prob = problem([event("A", attendance=40), event("V", format="virtual", attendance=500)])
    assert check_schedule(prob, plan(prob, ("A", "R1", "09:00"), ("V", "V1", "09:00"))) == []


def test_capacity_rejects_one_seat_too_few():
    prob = problem([event("A", attendance=41)])
    violations = check_schedule(prob, plan(prob, ("A", "R1", "09:00")))
    assert [(v.rule, v.ids) for v in violations] == [("capacity", ("A", "R1"))]
    assert "41" in violations[0].message and "40" in violations[0].message


# --- rule 4: slot_run -------------------------------------------------------------------------------


def test_slot_run_accepts_a_one_slot_event_at_a_slot_start():
    prob = problem([event("A", duration=30)])
    assert check_schedule(prob, plan(prob, ("A", "R1", "11:00"))) == []


def test_slot_run_rejects_a_start_between_slot_starts():
    prob = problem([event("A", duration=30)])
    violations = check_schedule(prob, plan(prob, ("A", "R1", "09:30")))
    assert [(v.rule, v.ids) for v in violations] == [("slot_run", ("A",))]
    assert "not a slot start" in violations[0].message


def test_slot_run_accepts_a_two_slot_event_spanning_the_break():
    # slots 09:00-09:50 and 10:00-10:50: 110 minutes from 09:00 end exactly at 10:50
    prob = problem([event("A", duration=110)])
    assert check_schedule(prob, plan(prob, ("A", "R1", "09:00"))) == []


def test_slot_run_rejects_an_event_running_past_its_last_slot():
    # 120 minutes end at 11:00, which overlaps no further slot: the run ends at 10:50
    prob = problem([event("A", duration=120)])
    violations = check_schedule(prob, plan(prob, ("A", "R1", "09:00")))
    assert [(v.rule, v.ids) for v in violations] == [("slot_run", ("A",))]
    assert "past the end of its last slot" in violations[0].message


def test_slot_run_rejects_an_event_running_off_the_end_of_the_day():
    prob = problem([event("A", duration=110)])
    assert found(check_schedule(prob, plan(prob, ("A", "R1", "12:00"))), "slot_run") == [("A",)]


CLOSED_TO_HYBRID = [
    SlotSpec(time(9, 0), time(9, 50)),
    SlotSpec(time(10, 0), time(10, 50), frozenset({"in_person", "virtual"})),
    SlotSpec(time(11, 0), time(11, 50)),
    SlotSpec(time(12, 0), time(12, 50)),
]


def test_slot_run_accepts_a_run_of_slots_open_to_the_format():
    prob = problem([event("H", format="hybrid", duration=110), event("P", duration=110)], specs=CLOSED_TO_HYBRID)
    assert check_schedule(prob, plan(prob, ("H", "R2", "11:00"), ("P", "R1", "09:00"))) == []


def test_slot_run_rejects_a_run_that_hits_a_slot_closed_to_the_format():
    prob = problem([event("H", format="hybrid", duration=110)], specs=CLOSED_TO_HYBRID)
    violations = check_schedule(prob, plan(prob, ("H", "R2", "09:00")))
    assert [(v.rule, v.ids) for v in violations] == [("slot_run", ("H",))]
    assert "2022-05-17T10:00" in violations[0].message and "closed to hybrid" in violations[0].message


def test_slot_run_rejects_an_end_that_is_not_start_plus_duration():
    prob = problem([event("A")])
    wrong = Assignment("A", "R1", at("09:00"), at("09:45"))
    violations = check_schedule(prob, Schedule((wrong,)))
    assert [(v.rule, v.ids) for v in violations] == [("slot_run", ("A",))]
    assert "lasts 50 min" in violations[0].message


def test_slot_run_accepts_an_end_given_in_another_zone():
    prob = problem([event("A")])
    same = Assignment("A", "R1", at("09:00"), at("09:50").astimezone(UTC))
    assert check_schedule(prob, Schedule((same,))) == []


def test_slot_run_rejects_a_start_without_offset():
    prob = problem([event("A")])
    naive = Assignment("A", "R1", datetime(2022, 5, 17, 9, 0), None)
    assert [(v.rule, v.ids) for v in check_schedule(prob, Schedule((naive,)))] == [("slot_run", ("A",))]


def test_slot_run_rejects_a_day_outside_the_meeting():
    prob = problem([event("A")])
    assert found(check_schedule(prob, plan(prob, ("A", "R1", at("09:00", date(2022, 5, 18))))), "slot_run") == [("A",)]


def test_slot_run_rejects_a_start_slot_overlapped_by_an_earlier_slot():
    # An odd grid whose slots overlap: starting at 09:30 also overlaps the 09:00-10:00 slot, so the
    # slots the event occupies do not begin at its start slot. Starting at 09:00 is fine.
    specs = [SlotSpec(time(9, 0), time(10, 0)), SlotSpec(time(9, 30), time(10, 30))]
    prob = problem([event("A", duration=30), event("B", duration=30)], specs=specs)
    violations = check_schedule(prob, plan(prob, ("A", "R1", "09:30"), ("B", "R2", "09:00")))
    assert [(v.rule, v.ids) for v in violations] == [("slot_run", ("A",))]
    assert "not consecutive" in violations[0].message


# --- rule 5: room_clash -----------------------------------------------------------------------------


def test_room_clash_accepts_back_to_back_and_parallel_rooms():
    prob = problem([event("A"), event("B"), event("C")])
    assert check_schedule(prob, plan(prob, ("A", "R1", "09:00"), ("B", "R1", "10:00"), ("C", "R2", "09:00"))) == []


def test_room_clash_rejects_two_events_in_one_slot_of_one_room():
    prob = problem([event("A"), event("B", duration=30)])
    violations = check_schedule(prob, plan(prob, ("B", "R1", "09:00"), ("A", "R1", "09:00")))
    assert [(v.rule, v.ids) for v in violations] == [("room_clash", ("A", "B", "R1"))]


def test_room_clash_rejects_a_two_slot_event_over_a_later_one():
    prob = problem([event("A", duration=110), event("B")])
    violations = check_schedule(prob, plan(prob, ("A", "R2", "09:00"), ("B", "R2", "10:00")))
    assert [(v.rule, v.ids) for v in violations] == [("room_clash", ("A", "B", "R2"))]
    assert "2022-05-17T10:00" in violations[0].message


def test_room_clash_counts_a_whole_slot_as_occupied():
    # A one-hour slot: A takes 09:00-09:20 of it; B, off the grid at 09:30, shares the slot
    # without overlapping A in time. Still a clash (and B's start is also reported).
    specs = [SlotSpec(time(9, 0), time(10, 0))]
    prob = problem([event("A", duration=20), event("B", duration=20)], specs=specs)
    violations = check_schedule(prob, plan(prob, ("A", "R1", "09:00"), ("B", "R1", "09:30")))
    assert [(v.rule, v.ids) for v in violations] == [("slot_run", ("B",)), ("room_clash", ("A", "B", "R1"))]


# --- rule 6: speaker_clash, organizer_clash ---------------------------------------------------------

NO_BREAK = [SlotSpec(time(9, 0), time(10, 0)), SlotSpec(time(10, 0), time(11, 0))]


def test_speaker_clash_accepts_back_to_back_events_half_open():
    prob = problem([event("A", duration=60, speakers=("S1",)), event("B", duration=60, speakers=("S1",))],
                   [speaker("S1")], specs=NO_BREAK)
    assert check_schedule(prob, plan(prob, ("A", "R1", "09:00"), ("B", "R2", "10:00"))) == []


def test_speaker_clash_rejects_one_speaker_in_two_rooms_at_once():
    prob = problem([event("A", speakers=("S1", "S2")), event("B", speakers=("S2",))], [speaker("S1"), speaker("S2")])
    violations = check_schedule(prob, plan(prob, ("A", "R1", "09:00"), ("B", "R2", "09:00")))
    assert [(v.rule, v.ids) for v in violations] == [("speaker_clash", ("A", "B", "S2"))]
    assert str(violations[0]).startswith("speaker_clash: speaker S2 is in events A")


def test_organizer_clash_accepts_one_organizer_at_different_times():
    prob = problem([event("A", organizer="UNODC"), event("B", organizer="UNODC")])
    assert check_schedule(prob, plan(prob, ("A", "R1", "09:00"), ("B", "R2", "10:00"))) == []


def test_organizer_clash_rejects_overlapping_events_of_one_organizer():
    prob = problem([event("A", organizer="UNODC", duration=110), event("B", organizer="UNODC", format="virtual")])
    violations = check_schedule(prob, plan(prob, ("A", "R1", "09:00"), ("B", "V1", "10:00")))
    assert [(v.rule, v.ids) for v in violations] == [("organizer_clash", ("A", "B", "UNODC"))]


# --- rule 7: blocked_period -------------------------------------------------------------------------

OPENING = BlockedPeriod(at("10:00"), at("11:00"), "Opening", frozenset({"in_person", "hybrid"}))


def test_blocked_period_accepts_an_unblocked_format_and_times_outside():
    prob = problem([event("V", format="virtual", attendance=None), event("P")], blocked=[OPENING])
    assert check_schedule(prob, plan(prob, ("V", "V1", "10:00"), ("P", "R1", "11:00"))) == []


def test_blocked_period_rejects_a_blocked_format_inside():
    prob = problem([event("P"), event("H", format="hybrid", duration=110)], blocked=[OPENING])
    violations = check_schedule(prob, plan(prob, ("P", "R1", "10:00"), ("H", "R2", "09:00")))
    assert [(v.rule, v.ids) for v in violations] == [("blocked_period", ("H",)), ("blocked_period", ("P",))]
    assert "Opening" in violations[0].message


# --- rule 8: remote_hours ---------------------------------------------------------------------------


def remote(speaker_id: str, zone: str, **overrides):
    """A remote speaker in ``zone``."""
    return speaker(speaker_id, timezone=zone, remote=True, **overrides)


def test_remote_hours_los_angeles_default_window_rejects_midnight():
    # 09:00 in Vienna (CEST) on 17 May is 00:00 in Los Angeles (PDT): outside 07:00-22:00
    prob = problem([event("A", format="hybrid", speakers=("LA",))], [remote("LA", "America/Los_Angeles")])
    violations = check_schedule(prob, plan(prob, ("A", "R2", "09:00")))
    assert [(v.rule, v.ids) for v in violations] == [("remote_hours", ("A", "LA"))]
    assert "2022-05-17 00:00-00:50 America/Los_Angeles" in violations[0].message


def test_remote_hours_window_past_midnight_accepts_the_small_hours():
    la = remote("LA", "America/Los_Angeles", earliest=time(22, 0), latest=time(6, 0))
    prob = problem([event("A", format="hybrid", speakers=("LA",), duration=110)], [la])
    assert check_schedule(prob, plan(prob, ("A", "R2", "09:00"))) == []


def test_remote_hours_window_past_midnight_rejects_running_over_its_close():
    la = remote("LA", "America/Los_Angeles", earliest=time(23, 0), latest=time(0, 30))
    prob = problem([event("A", format="hybrid", speakers=("LA",))], [la])
    assert found(check_schedule(prob, plan(prob, ("A", "R2", "09:00"))), "remote_hours") == [("A", "LA")]


def test_remote_hours_auckland_accepts_the_evening_and_rejects_late_night():
    # Vienna CEST +02:00, Auckland NZST +12:00: 11:00 Vienna is 21:00, 12:00 is 22:00 in Auckland
    prob = problem([event("A", format="virtual", attendance=None, speakers=("NZ",)),
                    event("B", format="virtual", attendance=None, speakers=("NZ",))],
                   [remote("NZ", "Pacific/Auckland")])
    ok = plan(prob, ("A", "V1", "11:00"), ("B", "V1", "09:00"))
    assert check_schedule(prob, ok) == []
    late = plan(prob, ("A", "V1", "12:00"), ("B", "V1", "09:00"))
    assert [(v.rule, v.ids) for v in check_schedule(prob, late)] == [("remote_hours", ("A", "NZ"))]


def test_remote_hours_ignore_speakers_on_site():
    prob = problem([event("A", speakers=("LA",))], [speaker("LA", timezone="America/Los_Angeles")])
    assert check_schedule(prob, plan(prob, ("A", "R1", "09:00"))) == []


DST_DAYS = tuple(date(2026, 3, d) for d in range(27, 32))


def test_remote_hours_follow_the_dst_change_in_vienna():
    # Vienna moves from +01:00 to +02:00 on 29 March 2026; Reykjavik stays on UTC all year.
    dst_meeting = meeting(days=DST_DAYS)
    iceland = remote("IS", "Atlantic/Reykjavik", earliest=time(7, 0), latest=time(8, 0))
    prob = problem([event("A", format="hybrid", speakers=("IS",))], [iceland], the_meeting=dst_meeting)
    after = at("09:00", date(2026, 3, 30))
    before = at("09:00", date(2026, 3, 27))
    assert after.astimezone(UTC).hour == 7 and before.astimezone(UTC).hour == 8
    assert check_schedule(prob, plan(prob, ("A", "R2", after))) == []
    violations = check_schedule(prob, plan(prob, ("A", "R2", before)))
    assert [(v.rule, v.ids) for v in violations] == [("remote_hours", ("A", "IS"))]
    assert "2026-03-27 08:00-08:50 Atlantic/Reykjavik" in violations[0].message


def test_slot_starts_across_the_dst_change_are_compared_as_instants():
    # 07:00 UTC is 09:00 in Vienna on 30 March 2026 (a slot start), but 08:00 on 27 March (not one)
    prob = problem([event("A"), event("B")], the_meeting=meeting(days=DST_DAYS))
    utc_seven_30 = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    utc_seven_27 = datetime(2026, 3, 27, 7, 0, tzinfo=UTC)
    violations = check_schedule(prob, plan(prob, ("A", "R1", utc_seven_30), ("B", "R1", utc_seven_27)))
    assert [(v.rule, v.ids) for v in violations] == [("slot_run", ("B",))]
    assert "2026-03-27 08:00" in violations[0].message


# --- rule 9: unavailability -------------------------------------------------------------------------


def test_unavailability_accepts_use_outside_the_period():
    busy = [
        Unavailability("room", "R1", at("09:00"), at("10:00")),
        Unavailability("speaker", "S1", at("10:00"), at("11:00")),
        Unavailability("organizer", "UNODC", at("11:00"), at("12:00")),
    ]
    prob = problem([event("A", speakers=("S1",), organizer="UNODC")], [speaker("S1")], unavailability=busy)
    assert check_schedule(prob, plan(prob, ("A", "R2", "09:00"))) == []
    assert check_schedule(prob, plan(prob, ("A", "R1", "12:00"))) == []


@pytest.mark.parametrize(
    ("kind", "who", "room"),
    [("room", "R1", "R1"), ("speaker", "S1", "R2"), ("organizer", "UNODC", "R2")],
)
def test_unavailability_rejects_use_during_the_period(kind, who, room):
    busy = [Unavailability(kind, who, at("09:30"), at("09:40"), "away")]
    prob = problem([event("A", speakers=("S1",), organizer="UNODC")], [speaker("S1")], unavailability=busy)
    violations = check_schedule(prob, plan(prob, ("A", room, "09:00")))
    assert [(v.rule, v.ids) for v in violations] == [("unavailability", ("A", who))]
    assert f"{kind} {who}" in violations[0].message and "(away)" in violations[0].message


def test_organizer_unavailability_ends_half_open():
    busy = [Unavailability("organizer", "UNODC", at("08:00"), at("09:00"))]
    prob = problem([event("A", organizer="UNODC")], unavailability=busy)
    assert check_schedule(prob, plan(prob, ("A", "R1", "09:00"))) == []


# --- rule 10: pins ----------------------------------------------------------------------------------


def test_pins_accept_a_pinned_room_and_start_given_in_utc():
    prob = problem([event("A", room="R2", start=at("10:00").astimezone(UTC))])
    assert check_schedule(prob, plan(prob, ("A", "R2", "10:00"))) == []


def test_pins_reject_another_room_and_another_start():
    prob = problem([event("A", room="R2"), event("B", start=at("10:00"))])
    violations = check_schedule(prob, plan(prob, ("A", "R1", "09:00"), ("B", "R1", "11:00")))
    assert [(v.rule, v.ids) for v in violations] == [("pins", ("A",)), ("pins", ("B",))]
    assert "pinned to room R2" in violations[0].message
    assert "2022-05-17 10:00" in violations[1].message


def test_pins_do_not_force_an_allowed_unscheduled_event():
    prob = problem([event("A", room="R2", start=at("10:00"))])
    assert check_schedule(prob, Schedule((Assignment("A"),)), allow_unscheduled=True) == []


# --- order and wording ------------------------------------------------------------------------------


def test_violations_are_ordered_by_rule_then_ids_and_independent_of_row_order():
    prob = problem([event("A", attendance=100, speakers=("S1",)), event("B", speakers=("S1",)), event("C")],
                   [speaker("S1")])
    rows = [placed(prob, "A", "R1", at("09:00")), placed(prob, "B", "R1", at("09:00")),
            placed(prob, "C", "V1", at("09:30"))]
    forward = check_schedule(prob, Schedule(tuple(rows)))
    backward = check_schedule(prob, Schedule(tuple(reversed(rows))))
    assert forward == backward
    assert [(v.rule, v.ids) for v in forward] == [
        ("room_kind", ("C", "V1")),
        ("capacity", ("A", "R1")),
        ("slot_run", ("C",)),
        ("room_clash", ("A", "B", "R1")),
        ("speaker_clash", ("A", "B", "S1")),
    ]
    for violation in forward:
        line = str(violation)
        assert "\n" not in line and line.startswith(f"{violation.rule}: ")
        assert all(i in line for i in violation.ids)


# --- property: the checker against a brute-force minute-by-minute occupancy -------------------------

PROP_SPECS = [
    SlotSpec(time(9, 0), time(9, 50)),
    SlotSpec(time(10, 0), time(10, 50), frozenset({"in_person", "virtual"})),
    SlotSpec(time(11, 0), time(11, 50)),
    SlotSpec(time(12, 0), time(12, 50)),
    SlotSpec(time(13, 0), time(13, 50)),
    SlotSpec(time(13, 50), time(14, 40), frozenset({"hybrid", "virtual"})),
]
PROP_BLOCKED = (BlockedPeriod(at("11:30"), at("12:10"), "Plenary", frozenset({"in_person"})),)
PROP_UNAVAILABLE = (
    Unavailability("room", "R2", at("12:00"), at("13:00")),
    Unavailability("speaker", "S1", at("09:30"), at("10:00")),
    Unavailability("organizer", "OrgA", at("13:00"), at("13:30")),
)
CAPACITY = {"R1": 40, "R2": 200}
KNOWN_ROOMS = {"R1", "R2", "V1"}
ALLOWED_ROOMS = {"in_person": {"R1", "R2"}, "hybrid": {"R2"}, "virtual": {"V1"}}
SLOT_STARTS = ("09:00", "10:00", "11:00", "12:00", "13:00", "13:50")
CANDIDATE_STARTS = (*SLOT_STARTS, *SLOT_STARTS, "09:30", "10:55", "12:30")
WINDOWS = (
    (None, None),
    (time(22, 0), time(8, 0)),
    (time(22, 0), time(6, 0)),
    (time(23, 0), time(0, 30)),
    (time(0, 0), time(3, 0)),
)


def minute(instant: datetime) -> int:
    """Minutes since the epoch, UTC."""
    return int(instant.timestamp()) // 60


def minutes(start: datetime, end: datetime) -> set[int]:
    """The whole minutes of [start, end)."""
    return set(range(minute(start), minute(end)))


def in_window(instant_minute: int, tz: ZoneInfo, earliest: time, latest: time) -> bool:
    """The minute starting at this instant falls inside the daily window, read on the local clock."""
    clock = datetime.fromtimestamp(instant_minute * 60, tz).time()
    if latest > earliest:
        return earliest <= clock < latest
    return clock >= earliest or clock < latest


def brute_force(prob: Problem, schedule: Schedule, allow_unscheduled: bool) -> set[tuple[str, tuple[str, ...]]]:
    """Every (rule, ids) by plain enumeration of minutes, written from data-format.md, not from check.py."""
    out: set[tuple[str, tuple[str, ...]]] = set()
    rows = schedule.by_event
    for event_id in rows:
        if event_id not in prob.events_by_id:
            out.add(("one_placement", (event_id,)))
    busy: dict[str, tuple] = {}  # event id -> (event, room, event minutes, occupied-slot minutes)
    day_slots = list(prob.slots)
    for ev in prob.events:
        row = rows.get(ev.id)
        if row is None or (not row.scheduled and not allow_unscheduled):
            out.add(("one_placement", (ev.id,)))
        if row is None or not row.scheduled:
            continue
        mins = minutes(row.start, row.start + timedelta(minutes=ev.duration))
        touched = [i for i, s in enumerate(day_slots) if minutes(s.start, s.end) & mins]
        slot_mins = set().union(*(minutes(day_slots[i].start, day_slots[i].end) for i in touched))
        busy[ev.id] = (ev, row.room, mins, slot_mins)
        if row.room not in KNOWN_ROOMS:
            out.add(("room_kind", (ev.id, row.room)))
        elif row.room not in ALLOWED_ROOMS[ev.format]:
            out.add(("room_kind", (ev.id, row.room)))
        if row.room in CAPACITY and ev.attendance is not None and ev.attendance > CAPACITY[row.room]:
            out.add(("capacity", (ev.id, row.room)))
        starts = [i for i, s in enumerate(day_slots) if minute(s.start) == minute(row.start)]
        good_run = (
            bool(starts)
            and touched == list(range(starts[0], starts[0] + len(touched)))
            and all(ev.format in day_slots[i].formats for i in touched)
            and max(mins) < minute(day_slots[touched[-1]].end)
            and minute(row.end) == max(mins) + 1
        )
        if not good_run:
            out.add(("slot_run", (ev.id,)))
        for period in prob.blocked:
            if ev.format in period.formats and mins & minutes(period.start, period.end):
                out.add(("blocked_period", (ev.id,)))
        for sid in ev.speakers:
            sp = prob.speaker(sid)
            window = (sp.earliest or prob.meeting.remote_hours[0], sp.latest or prob.meeting.remote_hours[1])
            if sp.remote and not all(in_window(m, ZoneInfo(sp.timezone), *window) for m in mins):
                out.add(("remote_hours", (ev.id, sid)))
        for item in prob.unavailability:
            uses = {"room": row.room == item.id, "speaker": item.id in ev.speakers,
                    "organizer": ev.organizer == item.id}[item.kind]
            if uses and mins & minutes(item.start, item.end):
                out.add(("unavailability", (ev.id, item.id)))
        if (ev.room is not None and ev.room != row.room) or (ev.start is not None and minute(ev.start) != min(mins)):
            out.add(("pins", (ev.id,)))
    ids = sorted(busy)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            ev_a, room_a, mins_a, slots_a = busy[a]
            ev_b, room_b, mins_b, slots_b = busy[b]
            if room_a == room_b and room_a in KNOWN_ROOMS and (mins_a | slots_a) & (mins_b | slots_b):
                out.add(("room_clash", (a, b, room_a)))
            if mins_a & mins_b:
                for sid in sorted(set(ev_a.speakers) & set(ev_b.speakers)):
                    out.add(("speaker_clash", (a, b, sid)))
                if ev_a.organizer == ev_b.organizer:
                    out.add(("organizer_clash", (a, b, ev_a.organizer)))
    return out


@st.composite
def scenarios(draw):
    """A small random problem (2-4 events) and a random, often invalid, schedule for it."""
    la_window = draw(st.sampled_from(WINDOWS))
    people = (
        speaker("S1"),
        speaker("S2", timezone="America/Los_Angeles", remote=True, earliest=la_window[0], latest=la_window[1]),
        speaker("S3", timezone="Pacific/Auckland", remote=True),
        speaker("S4", timezone="Asia/Tokyo", remote=True, earliest=time(18, 0), latest=time(19, 30)),
    )
    events = []
    for n in range(draw(st.integers(2, 4))):
        fmt = draw(st.sampled_from(("in_person", "hybrid", "virtual")))
        events.append(event(
            f"E{n}",
            format=fmt,
            duration=draw(st.sampled_from((30, 50, 60, 100, 110, 120))),
            attendance=None if fmt == "virtual" else draw(st.sampled_from((20, 40, 41, 150))),
            organizer=draw(st.sampled_from(("OrgA", "OrgB", "OrgC"))),
            speakers=tuple(draw(st.lists(st.sampled_from(("S1", "S2", "S3", "S4")), max_size=2, unique=True))),
            room=draw(st.sampled_from((None,) * 12 + ("R1", "R2", "V1"))),
            start=draw(st.sampled_from((None,) * 12 + (at("09:00"), at("11:00")))),
        ))
    prob = problem(events, people, specs=PROP_SPECS, blocked=PROP_BLOCKED, unavailability=PROP_UNAVAILABLE)
    assignments = []
    for ev in events:
        choice = draw(st.sampled_from(("placed",) * 8 + ("unscheduled", "omitted")))
        if choice == "omitted":
            continue
        if choice == "unscheduled":
            assignments.append(Assignment(ev.id))
            continue
        start = at(draw(st.sampled_from(CANDIDATE_STARTS)))
        end = event_end(start, ev.duration) + timedelta(minutes=draw(st.sampled_from((0,) * 9 + (10,))))
        fitting = sorted(ALLOWED_ROOMS[ev.format])
        room = draw(st.sampled_from((*fitting, *fitting, *fitting, "R1", "R2", "V1", "R9")))
        assignments.append(Assignment(ev.id, room, start, end))
    if draw(st.integers(0, 5)) == 0:
        assignments.append(Assignment("X"))
    return prob, Schedule(tuple(assignments)), draw(st.booleans())


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_checker_matches_brute_force_occupancy(scenario):
    prob, schedule, allow_unscheduled = scenario
    violations = check_schedule(prob, schedule, allow_unscheduled=allow_unscheduled)
    assert {(v.rule, v.ids) for v in violations} == brute_force(prob, schedule, allow_unscheduled)
    reordered = Schedule(tuple(reversed(schedule.assignments)))
    assert violations == check_schedule(prob, reordered, allow_unscheduled=allow_unscheduled)


def test_brute_force_sees_the_violations_it_is_meant_to_see():
    # The brute force itself must not be vacuous: a hand-made bad schedule trips many rules in it.
    prob = problem(
        [event("E0", speakers=("S1",), organizer="OrgA", attendance=41, room="R2"),
         event("E1", speakers=("S1",), organizer="OrgA", format="hybrid", duration=120)],
        [speaker("S1")], specs=PROP_SPECS, blocked=PROP_BLOCKED, unavailability=PROP_UNAVAILABLE,
    )
    schedule = Schedule((placed(prob, "E0", "R1", at("09:30")), placed(prob, "E1", "R1", at("09:00"))))
    expected = {
        ("room_kind", ("E1", "R1")), ("capacity", ("E0", "R1")), ("slot_run", ("E0",)), ("slot_run", ("E1",)),
        ("room_clash", ("E0", "E1", "R1")), ("speaker_clash", ("E0", "E1", "S1")),
        ("organizer_clash", ("E0", "E1", "OrgA")), ("unavailability", ("E0", "S1")),
        ("unavailability", ("E1", "S1")), ("pins", ("E0",)),
    }
    assert brute_force(prob, schedule, False) == expected
    assert {(v.rule, v.ids) for v in check_schedule(prob, schedule)} == expected
