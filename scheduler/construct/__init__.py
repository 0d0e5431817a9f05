"""Builds a meeting around a hidden valid placement, so that it is feasible by construction.

Events are placed first (room, slot run, format); everything that could break that placement is then
derived from it: organizers and speakers only get events that do not overlap, remote speakers only
get zones and hours that contain their events, unavailability only covers free time, pins copy the
placement. The generator (``generate.py``) and the script that builds the shipped meeting use it.
Modules: ``plan`` (what callers fix), ``place`` (the placement), ``people`` (speakers, organizers,
unavailability); this module ties them together and finishes the events.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, time

from ..export.folder import folder_files
from ..export.schedule import schedule_csv
from ..grid import build_slots, overlaps
from ..model import Assignment, Meeting, Problem, Schedule, SideEvent, Slot, Speaker
from .people import (
    ORGANIZER_BUSY,
    ORGANIZER_BUSY_REASONS,
    SPEAKER_AWAY,
    SPEAKER_AWAY_REASONS,
    Calendar,
    Person,
    assign_organizers,
    assign_speakers,
    derive_unavailability,
)
from .place import blocked_by, place
from .plan import PHYSICAL_FORMATS, Blueprint, EventSeed, Placed

__all__ = ["PHYSICAL_FORMATS", "Blueprint", "Construction", "EventSeed", "construct", "physical_tightness"]


@dataclass(frozen=True)
class Construction:
    """A built meeting: the Problem, the hidden valid Schedule, and both as file texts."""

    problem: Problem
    schedule: Schedule
    files: dict[str, str]
    witness: str


def construct(
    blueprint: Blueprint,
    seeds: Sequence[EventSeed],
    rng: random.Random,
    *,
    person_name: Callable[[], str],
    organizer_name: Callable[[], str] | None = None,
) -> Construction:
    """Place ``seeds`` in ``blueprint``'s rooms and grid, then derive speakers, organizers and the rest from it.

    ``person_name`` and ``organizer_name`` return a new unique name at each call. Raises ValueError when
    the frame has no room left for an event (a blueprint too small for its seeds).
    """
    meeting = blueprint.meeting
    slots = build_slots(meeting.days, blueprint.slot_specs, meeting.tz)
    by_day: dict[date, list[Slot]] = {}
    for slot in slots:
        by_day.setdefault(slot.day, []).append(slot)
    organizers = Calendar()
    placed = place(blueprint, seeds, by_day, rng, organizers)
    assign_organizers(blueprint, placed, organizers, rng, organizer_name)
    people, calendar = assign_speakers(blueprint, placed, rng, person_name)
    width = max(3, len(str(len(people))))
    speaker_ids = [f"S{number:0{width}d}" for number in range(1, len(people) + 1)]
    unavailability = list(blueprint.room_closures)
    unavailability += derive_unavailability(
        "speaker", [speaker_ids[i] for i in range(len(people))], list(range(len(people))), calendar,
        blueprint.speaker_unavailable, SPEAKER_AWAY, SPEAKER_AWAY_REASONS, meeting, rng, free_day_first=True,
    )
    organizer_names = list(dict.fromkeys(p.organizer for p in placed))
    unavailability += derive_unavailability(
        "organizer", organizer_names, organizer_names, organizers, blueprint.organizer_busy, ORGANIZER_BUSY,
        ORGANIZER_BUSY_REASONS, meeting, rng, free_day_first=False,
    )
    unavailability.sort(key=lambda u: (("room", "speaker", "organizer").index(u.kind), u.start, u.id))
    events = [_finish_event(blueprint, p, speaker_ids, by_day, rng) for p in placed]
    speakers = [_speaker(meeting, person, speaker_ids[i]) for i, person in enumerate(people)]
    problem = Problem(
        meeting=meeting,
        rooms=blueprint.rooms,
        slots=slots,
        speakers=tuple(speakers),
        events=tuple(sorted(events, key=lambda e: e.id)),
        blocked=blueprint.blocked,
        unavailability=tuple(unavailability),
    )
    schedule = Schedule(tuple(Assignment(p.seed.id, p.position.room.id, p.start, p.end) for p in placed)).sorted()
    blank = [speaker_ids[i] for i, person in enumerate(people) if not person.zone]
    files = folder_files(problem, blueprint.slot_specs, header=blueprint.header, blank_zones=blank)
    return Construction(problem, schedule, files, schedule_csv(schedule))


def physical_tightness(problem: Problem, schedule: Schedule) -> tuple[int, int]:
    """(demand, supply) of physical room-slots: slots occupied by in_person/hybrid events, and open room-slots.

    A room-slot is open when the slot admits a physical format the room takes, no blocked period of that
    format overlaps it and the room is not unavailable then.
    """
    demand = 0
    for assignment in schedule.scheduled:
        event = problem.event(assignment.event_id)
        if event.format in PHYSICAL_FORMATS:
            assert assignment.start is not None and assignment.end is not None
            day_slots = problem.slots_by_day[assignment.start.astimezone(problem.meeting.tz).date()]
            demand += sum(overlaps(assignment.start, assignment.end, s.start, s.end) for s in day_slots)
    supply = 0
    for room in problem.rooms:
        if room.is_virtual:
            continue
        closed = [u for u in problem.unavailability if u.kind == "room" and u.id == room.id]
        for slot in problem.slots:
            open_formats = [
                f for f in PHYSICAL_FORMATS
                if f in slot.formats and room.accepts_format(f)
                and not blocked_by(problem.blocked, f, slot.start, slot.end)
            ]
            if open_formats and not any(overlaps(u.start, u.end, slot.start, slot.end) for u in closed):
                supply += 1
    return demand, supply


# --- events --------------------------------------------------------------------------------------------


def _finish_event(
    blueprint: Blueprint, p: Placed, speaker_ids: list[str], by_day: dict[date, list[Slot]], rng: random.Random
) -> SideEvent:
    """The SideEvent of a placed seed: attendance that fits its room, link, pins and wishes from the placement."""
    seed, room = p.seed, p.position.room
    attendance = None
    if p.format != "virtual":
        assert room.capacity is not None
        low = max(5, math.ceil(room.capacity * 0.55))
        attendance = rng.randint(low, room.capacity)
        if attendance - attendance % 5 >= low:
            attendance -= attendance % 5
    link = ""
    if p.format != "in_person" and rng.random() < blueprint.link_share:
        link = f"{blueprint.link_base}{seed.id.lower()}"
    pin_room, pin_start = None, None
    what = seed.pin
    if what is None and rng.random() < blueprint.pin_share:
        what = rng.choice(("both", "both", "room", "start"))
    if what:
        pin_room = room.id if what in ("both", "room") else None
        pin_start = p.start if what in ("both", "start") else None
    preferred_days: tuple[date, ...] = ()
    preferred_starts: tuple[time, ...] = ()
    if rng.random() < blueprint.preference_share:
        what = rng.choice(("days", "days", "starts", "both"))
        if what in ("days", "both"):
            preferred_days = _wish(rng, p.position.day, list(blueprint.meeting.days))
        if what in ("starts", "both"):
            starts = sorted({s.start.time() for d in by_day.values() for s in d if p.format in s.formats})
            preferred_starts = _wish(rng, p.start.time(), starts)
    return SideEvent(
        id=seed.id,
        title=seed.title,
        organizer=p.organizer,
        format=p.format,
        duration=p.duration,
        attendance=attendance,
        speakers=tuple(speaker_ids[i] for i in p.speakers),
        topics=seed.topics,
        priority=seed.priority,
        preferred_days=preferred_days,
        preferred_starts=preferred_starts,
        room=pin_room,
        start=pin_start,
        link=link,
        description=seed.description,
        visibility=seed.visibility,
    )


def _wish(rng: random.Random, actual, choices: list) -> tuple:
    """One or two wished values, usually including what the placement gave (soft, so any value is valid)."""
    wished = [actual] if rng.random() < 0.8 else []
    others = [c for c in choices if c != actual]
    if others and (not wished or rng.random() < 0.4):
        wished.append(rng.choice(others))
    return tuple(sorted(wished))


def _speaker(meeting: Meeting, person: Person, speaker_id: str) -> Speaker:
    """The model Speaker of a built person (an empty zone means the venue's)."""
    earliest, latest = person.window or (None, None)
    return Speaker(speaker_id, person.name, person.zone or meeting.timezone, person.remote, earliest, latest,
                   person.email)
