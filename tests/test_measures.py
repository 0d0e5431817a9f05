"""The programme measures compare shows: rooms and days per track, switches, nights, conflicts."""

from __future__ import annotations

from datetime import date, time

from scheduler.compare import build_comparison, format_comparison
from scheduler.export.comparison import comparison_html
from scheduler.measures import (
    DAYS_PER_TRACK,
    HOST_CONFLICTS,
    MOST_ROOMS,
    OUTSIDE,
    ROOMS_PER_TRACK,
    SPEAKER_CONFLICTS,
    SWITCHES,
    measures,
)
from scheduler.model import Assignment, Room, Schedule, event_end
from tests.factory import DAY, at, event, meeting, problem, speaker

SECOND = date(2022, 5, 18)
ROOMS = (Room("R1", "Room 1", "physical", 40), Room("R2", "Room 2", "physical", 40))


def _programme():
    events = [event("A1", track="A", speakers=("S",)), event("A2", track="A", hosts=("H",)),
              event("B1", track="B", speakers=("S",), hosts=("H",)), event("X")]
    return problem(events, [speaker("S"), speaker("H")], the_rooms=ROOMS,
                   the_meeting=meeting(days=(DAY, SECOND), comfort_hours=(time(9, 0), time(11, 0))))


def _plan(prob, rows: dict[str, tuple[str, str, date]]) -> Schedule:
    return Schedule(tuple(Assignment(e, room, at(hhmm, day), event_end(at(hhmm, day), prob.event(e).duration))
                          for e, (room, hhmm, day) in rows.items()))


def test_a_tidy_programme_measures_one_room_one_day_and_no_conflict() -> None:
    prob = _programme()
    tidy = _plan(prob, {"A1": ("R1", "09:00", DAY), "A2": ("R1", "10:00", DAY), "B1": ("R2", "09:00", SECOND),
                        "X": ("R2", "10:00", DAY)})
    assert measures(prob, tidy) == {ROOMS_PER_TRACK: 1.0, MOST_ROOMS: 1, DAYS_PER_TRACK: 1.0, SWITCHES: 0,
                                    OUTSIDE: 0, SPEAKER_CONFLICTS: 0, HOST_CONFLICTS: 0}


def test_a_scattered_programme_measures_what_breaks() -> None:
    prob = _programme()
    # A in two rooms on two days; B1 at 09:00 with A1 (both speaker S); X after B1 in R2, past the comfort
    # hours (11:00-11:50); host H's two events are on different days
    scattered = _plan(prob, {"A1": ("R1", "09:00", DAY), "A2": ("R2", "09:00", SECOND),
                             "B1": ("R2", "09:00", DAY), "X": ("R2", "11:00", DAY)})
    found = measures(prob, scattered)
    assert (found[ROOMS_PER_TRACK], found[MOST_ROOMS], found[DAYS_PER_TRACK]) == (1.5, 2, 1.5)
    assert found[SWITCHES] == 1  # R2 on the first day: B1 then X
    assert (found[OUTSIDE], found[SPEAKER_CONFLICTS], found[HOST_CONFLICTS]) == (1, 1, 0)


def test_compare_shows_the_measures_only_for_a_meeting_that_has_them() -> None:
    prob = _programme()
    one = _plan(prob, {"A1": ("R1", "09:00", DAY), "A2": ("R1", "10:00", DAY), "B1": ("R2", "09:00", SECOND),
                       "X": ("R2", "10:00", DAY)})
    comparison = build_comparison(prob, {"human": one, "ours": one})
    assert comparison.programme.loc[SWITCHES].tolist() == [0, 0]
    assert "Programme:" in format_comparison(comparison) and "Programme" in comparison_html(comparison)
    plain = problem([event("E")])
    schedule = _plan(plain, {"E": ("R1", "09:00", DAY)})
    assert build_comparison(plain, {"only": schedule}).programme.empty
