"""Small hand-built problems for tests: a one-day meeting in Vienna with a few rooms and slots.

Each builder takes keyword overrides so a test states only what it is about.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from scheduler.grid import SlotSpec, build_slots
from scheduler.model import Meeting, Problem, Room, SideEvent, Speaker

VIENNA = ZoneInfo("Europe/Vienna")
DAY = date(2022, 5, 17)


def at(hhmm: str, day: date = DAY) -> datetime:
    """An aware Vienna datetime on ``day``."""
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=VIENNA)


def meeting(**overrides) -> Meeting:
    """A one-day meeting; override any field."""
    base = Meeting(
        id="test",
        name="Test meeting",
        timezone="Europe/Vienna",
        days=(DAY,),
        uid_domain="test.example.org",
    )
    return replace(base, **overrides)


def rooms() -> tuple[Room, ...]:
    """A small room, a large hybrid room and one virtual channel."""
    return (
        Room("R1", "Room M1", "physical", 40, False, "M"),
        Room("R2", "Boardroom B", "physical", 200, True, "C"),
        Room("V1", "Online 1", "virtual"),
    )


def slot_specs() -> list[SlotSpec]:
    """Four 50-minute slots with 10-minute breaks, 09:00-12:50."""
    return [SlotSpec(time(9 + i, 0), time(9 + i, 50)) for i in range(4)]


def event(event_id: str, **overrides) -> SideEvent:
    """A 50-minute in-person event of 30 people by organizer ``Org <id>``; override any field."""
    base = SideEvent(
        id=event_id,
        title=f"Event {event_id}",
        organizer=f"Org {event_id}",
        format="in_person",
        duration=50,
        attendance=30,
    )
    return replace(base, **overrides)


def speaker(speaker_id: str, **overrides) -> Speaker:
    """A local speaker in Vienna; override any field."""
    return replace(Speaker(speaker_id, f"Speaker {speaker_id}", "Europe/Vienna"), **overrides)


def problem(events=(), speakers=(), *, the_meeting: Meeting | None = None, the_rooms=None, specs=None,
            blocked=(), unavailability=()) -> Problem:
    """Assemble a Problem from parts, with the defaults above for whatever is left out."""
    m = the_meeting or meeting()
    return Problem(
        meeting=m,
        rooms=tuple(the_rooms if the_rooms is not None else rooms()),
        slots=build_slots(m.days, specs if specs is not None else slot_specs(), m.tz, m.day_change),
        speakers=tuple(speakers),
        events=tuple(events),
        blocked=tuple(blocked),
        unavailability=tuple(unavailability),
    )
