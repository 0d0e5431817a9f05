"""Rooms' opening hours (a hard rule) and events' wishes for a kind or size of room (a soft term)."""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from pathlib import Path

import pytest

from scheduler.check import check_schedule
from scheduler.errors import InfeasibleError
from scheduler.export.folder import folder_files
from scheduler.grid import SlotSpec, room_closures
from scheduler.load import load_problem
from scheduler.model import Assignment, Room, Schedule, event_end
from scheduler.score import raw_scores
from scheduler.solver import SolveOptions, solve
from tests.factory import at, event, problem
from tests.load.meeting_files import MeetingFiles, load_errors, place
from tests.solver.util import room_and_start, solve_checked

FOUR_SLOTS = [SlotSpec(time(9 + i, 0), time(9 + i, 50)) for i in range(4)]


@pytest.fixture
def files(tmp_path: Path) -> MeetingFiles:
    """The loader tests' base meeting, ready to be edited and written."""
    return MeetingFiles(tmp_path)


def _hall(hours: tuple[str, str] = ("10:00", "12:00")) -> Room:
    return Room("H", "Hall", "physical", 100, hours=((at(hours[0]), at(hours[1])),), tags=("hall",))


def _one(prob, room: str, hhmm: str) -> Schedule:
    start = at(hhmm)
    return Schedule((Assignment("E", room, start, event_end(start, prob.event("E").duration)),))


# --- opening hours: the checker ------------------------------------------------------------------------


def test_an_event_inside_the_opening_hours_breaks_no_rule() -> None:
    prob = problem([event("E")], the_rooms=(_hall(),), specs=FOUR_SLOTS)
    assert check_schedule(prob, _one(prob, "H", "10:00")) == []


def test_an_event_outside_the_opening_hours_breaks_the_room_hours_rule() -> None:
    prob = problem([event("E")], the_rooms=(_hall(),), specs=FOUR_SLOTS)
    violations = check_schedule(prob, _one(prob, "H", "09:00"))
    assert [(v.rule, v.ids) for v in violations] == [("room_hours", ("E", "H"))]
    assert "outside its opening hours (2022-05-17 10:00-12:00)" in violations[0].message


def test_adjacent_opening_periods_hold_an_event_across_them() -> None:
    room = replace(_hall(), hours=((at("09:00"), at("10:30")), (at("10:30"), at("12:00"))))
    prob = problem([event("E")], the_rooms=(room,), specs=FOUR_SLOTS)
    assert check_schedule(prob, _one(prob, "H", "10:00")) == []
    assert [(c.start.time(), c.end.time()) for c in room_closures(prob)] == [(time(12, 0), time(12, 50))]


# --- opening hours: the solver -------------------------------------------------------------------------


def test_the_solver_places_events_only_while_the_room_is_open() -> None:
    prob = problem([event("A", preferred_starts=(time(9, 0),)), event("B")], the_rooms=(_hall(("10:00", "12:00")),),
                   specs=FOUR_SLOTS)
    schedule = solve_checked(prob)
    assert sorted(room_and_start(schedule, e)[1] for e in ("A", "B")) == ["10:00", "11:00"]


def test_the_solver_refuses_an_event_no_open_room_holds() -> None:
    prob = problem([event("E", duration=110)], the_rooms=(_hall(("10:00", "11:00")),), specs=FOUR_SLOTS)
    with pytest.raises(InfeasibleError):
        solve(prob, SolveOptions(time_limit=5, workers=1))


# --- opening hours and tags: the loader ----------------------------------------------------------------


def test_hours_and_tags_load_and_write_back(files: MeetingFiles) -> None:
    files.replace("rooms.csv", "id,name,kind,capacity,hybrid,building\n",
                  "id,name,kind,capacity,hybrid,building,hours,tags\n")
    files.replace("rooms.csv", "R2,Boardroom B,physical,200,true,C\n",
                  'R2,Boardroom B,physical,200,true,C,"08:00-18:00; 2022-05-17 20:00-01:30",hall;stage\n')
    prob = load_problem(files.write())
    room = prob.rooms_by_id["R2"]
    assert [(a.strftime("%d %H:%M"), b.strftime("%d %H:%M")) for a, b in room.hours] == [
        ("16 08:00", "16 18:00"), ("17 08:00", "17 18:00"), ("17 20:00", "18 01:30")]
    assert room.tags == ("hall", "stage")
    assert prob.rooms_by_id["R1"].hours == ()
    rooms_csv = folder_files(prob, ())["rooms.csv"]
    assert "R2,Boardroom B,physical,200,true,C,2022-05-16 08:00-18:00;2022-05-17 08:00-18:00;" \
           "2022-05-17 20:00-01:30,hall;stage" in rooms_csv


@pytest.mark.parametrize(("cell", "message"), [
    ("9-17", "expected opening hours HH:MM-HH:MM or YYYY-MM-DD HH:MM-HH:MM, got '9-17'"),
    ("2022-06-01 09:00-17:00", "2022-06-01 is not a day of the meeting"),
    ("09:00-25:00", "expected a time HH:MM, got '25:00'"),
])
def test_bad_hours_are_reported_at_their_cell(files: MeetingFiles, cell: str, message: str) -> None:
    header = "id,name,kind,capacity,hybrid,building"
    files.replace("rooms.csv", f"{header}\n", f"{header},hours\n")
    files.replace("rooms.csv", "R2,Boardroom B,physical,200,true,C\n", f"R2,Boardroom B,physical,200,true,C,{cell}\n")
    errors = load_errors(files.write())
    assert [(place(e), e.message) for e in errors] == [(("rooms.csv", 3, 7, "hours"), message)]


def test_a_bad_room_seats_wish_is_an_error(files: MeetingFiles) -> None:
    text = files.files["events.csv"]
    assert isinstance(text, str)
    lines = text.split("\n")
    lines[0] += ",room_seats"
    lines[-2] += ",many"
    errors = load_errors(files.set("events.csv", "\n".join(lines)).write())
    assert [(place(e)[1:], e.message) for e in errors] == [
        ((5, 17, "room_seats"), "expected a number of seats, got 'many'")]


# --- the room wish: score and solver ---------------------------------------------------------------------


@pytest.mark.parametrize(("wish", "room", "counted"), [
    ({"room_tags": ("hall",)}, "H", 0), ({"room_tags": ("hall",)}, "R1", 1),
    ({"room_seats": 100}, "H", 0), ({"room_seats": 100}, "R1", 1),
    ({"room_tags": ("hall", "stage")}, "H", 1),
])
def test_the_room_wish_counts_a_room_that_misses_it(wish: dict, room: str, counted: int) -> None:
    small = Room("R1", "Room 1", "physical", 40)
    prob = problem([event("E", **wish)], the_rooms=(small, _hall(("09:00", "13:00"))), specs=FOUR_SLOTS)
    assert raw_scores(prob, _one(prob, room, "09:00"))["room_wish"] == counted


def test_the_solver_gives_the_hall_to_the_event_that_wishes_for_it() -> None:
    small = Room("R1", "Room 1", "physical", 40)
    # one slot, two rooms, two events of 30: either way one of them half-fills the hall (room_fit 4); the wish decides
    prob = problem([event("TALK", attendance=30, room_tags=("hall",)), event("MEET", attendance=30)],
                   the_rooms=(small, _hall(("09:00", "10:00"))), specs=FOUR_SLOTS[:1])
    schedule = solve_checked(prob)
    assert (room_and_start(schedule, "TALK")[0], room_and_start(schedule, "MEET")[0]) == ("H", "R1")
    assert raw_scores(prob, schedule)["room_wish"] == 0
