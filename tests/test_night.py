"""Night: meeting days that run past midnight (day_change), and the venue's comfort hours (a soft term)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from scheduler.check import check_schedule
from scheduler.export.view import build_view
from scheduler.grid import SlotSpec, build_slots
from scheduler.load import load_problem
from scheduler.model import Assignment, Room, Schedule, event_end
from scheduler.score import raw_scores
from tests.factory import DAY, VIENNA, at, event, meeting, problem
from tests.load.meeting_files import MeetingFiles, load_errors, place
from tests.solver.util import room_and_start, solve_checked

NEXT = DAY + timedelta(days=1)
LATE = [SlotSpec(time(22, 0), time(23, 0)), SlotSpec(time(23, 0), time(0, 0)), SlotSpec(time(0, 0), time(1, 0)),
        SlotSpec(time(1, 0), time(2, 0))]  # 22:00 to 02:00, the last two after midnight
ROOM = (Room("R1", "Room 1", "physical", 40),)


@pytest.fixture
def files(tmp_path: Path) -> MeetingFiles:
    """The loader tests' base meeting, ready to be edited and written."""
    return MeetingFiles(tmp_path)


def _night(events=()):
    """A one-day meeting whose day runs from 06:00, slots 22:00-02:00, one room; event E by default."""
    return problem(list(events) or [event("E")], the_meeting=meeting(day_change=time(6, 0)), the_rooms=ROOM,
                   specs=LATE)


def _one(prob, start: datetime, event_id: str = "E") -> Schedule:
    return Schedule((Assignment(event_id, "R1", start, event_end(start, prob.event(event_id).duration)),))


# --- the grid ------------------------------------------------------------------------------------


def test_slots_after_midnight_belong_to_the_day_they_follow() -> None:
    slots = build_slots((DAY,), LATE, VIENNA, time(6, 0))
    assert {slot.day for slot in slots} == {DAY}
    assert [slot.start for slot in slots] == [at("22:00"), at("23:00"), at("00:00", NEXT), at("01:00", NEXT)]
    assert [slot.index for slot in slots] == [0, 1, 2, 3]
    assert slots[1].end == at("00:00", NEXT)


def test_a_meeting_day_of_a_moment_follows_the_day_change() -> None:
    night = meeting(day_change=time(6, 0))
    assert night.day_of(at("01:00", NEXT)) == DAY and night.day_of(at("07:00", NEXT)) == NEXT
    assert meeting().day_of(at("01:00", NEXT)) == NEXT


# --- the checker and the solver -----------------------------------------------------------------------


def test_an_event_across_midnight_on_its_slots_breaks_no_rule() -> None:
    prob = _night([event("E", duration=110)])
    assert check_schedule(prob, _one(prob, at("23:00"))) == []
    assert check_schedule(prob, _one(prob, at("00:00", NEXT))) == []


def test_an_event_past_the_last_slot_after_midnight_breaks_the_slot_run() -> None:
    prob = _night([event("E", duration=110)])
    assert [v.rule for v in check_schedule(prob, _one(prob, at("01:00", NEXT)))] == ["slot_run"]


def test_the_solver_places_an_event_after_midnight_on_its_meeting_day() -> None:
    prob = _night([event("E", preferred_starts=(time(1, 0),), preferred_days=(DAY,))])
    schedule = solve_checked(prob)
    assert schedule.by_event["E"].start == at("01:00", NEXT)
    assert raw_scores(prob, schedule)["preferred_day"] == 0  # 01:00 on the 18th is still the 17th's night


def test_the_view_files_an_event_after_midnight_under_its_meeting_day() -> None:
    prob = _night()
    view = build_view(prob, _one(prob, at("01:00", NEXT)))
    assert view.events[0].day == DAY and [len(day.events) for day in view.days] == [1]


# --- the loader --------------------------------------------------------------------------------------


def test_day_change_and_comfort_hours_load(files: MeetingFiles) -> None:
    files.replace("meeting.toml", 'remote_hours = ["07:00", "22:00"]\n',
                  'remote_hours = ["07:00", "22:00"]\nday_change = "06:00"\ncomfort_hours = ["09:00", "01:00"]\n')
    files.replace("meeting.toml", 'start = "13:00"\nend = "14:00"\n', 'start = "23:30"\nend = "00:30"\n')
    prob = load_problem(files.write())
    assert (prob.meeting.day_change, prob.meeting.comfort_hours) == (time(6, 0), (time(9, 0), time(1, 0)))
    late = prob.slots_by_day[date(2022, 5, 17)][-1]
    assert (late.start.isoformat(), late.end.isoformat()) == ("2022-05-17T23:30:00+02:00", "2022-05-18T00:30:00+02:00")


def test_a_slot_across_the_day_change_is_an_error(files: MeetingFiles) -> None:
    files.replace("meeting.toml", 'remote_hours = ["07:00", "22:00"]\n', 'remote_hours = ["07:00", "22:00"]\n'
                  'day_change = "10:30"\n')
    errors = load_errors(files.write())
    assert [(place(e), e.message) for e in errors] == [
        (("meeting.toml", None, None, "slots[2].end"),
         "the slot ends (10:50) at or before its start (10:00) within a meeting day from 10:30")]


def test_a_slot_may_end_at_midnight(files: MeetingFiles) -> None:
    files.replace("meeting.toml", 'start = "13:00"\nend = "14:00"\n', 'start = "23:00"\nend = "00:00"\n')
    late = load_problem(files.write()).slots_by_day[date(2022, 5, 17)][-1]
    assert late.end.isoformat() == "2022-05-18T00:00:00+02:00"


# --- comfort hours: the term, and crowding never pushes past them ----------------------------------


@pytest.mark.parametrize(("start", "outside"), [("10:00", 0), ("09:00", 1)])
def test_venue_off_hours_counts_the_slots_outside_the_comfort_hours(start: str, outside: int) -> None:
    specs = [SlotSpec(time(9 + i, 0), time(10 + i, 0)) for i in range(4)]
    prob = problem([event("E", duration=110)], the_meeting=meeting(comfort_hours=(time(10, 0), time(13, 0))),
                   the_rooms=ROOM, specs=specs)
    assert raw_scores(prob, _one(prob, at(start)))["venue_off_hours"] == outside


def test_crowding_does_not_push_an_event_out_of_the_comfort_hours() -> None:
    # two rooms, three comfortable slots and a fourth at 12:00 outside; four one-slot events: target 1,
    # so one comfortable slot holds two (crowding 1), unless an event goes to 12:00 (2 outside the hours)
    specs = [SlotSpec(time(9 + i, 0), time(9 + i, 50)) for i in range(4)]
    two = (*ROOM, Room("R2", "Room 2", "physical", 40))
    events = [event(f"E{i}") for i in range(4)]
    plain = problem(events, the_rooms=two, specs=specs)
    assert "12:00" in {room_and_start(solve_checked(plain), e.id)[1] for e in events}
    comfort = replace(plain, meeting=meeting(comfort_hours=(time(9, 0), time(12, 0))))
    assert "12:00" not in {room_and_start(solve_checked(comfort), e.id)[1] for e in events}
