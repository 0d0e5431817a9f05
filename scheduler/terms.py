"""The soft terms' names, and the raw cost of one event at one placement for each per-placement term.

Written once, used twice: ``solver/objectives.py`` calls these functions for the coefficients of the
CP-SAT objective, ``score.py`` to score a finished Schedule. No solver and no pandas here.

The terms that count several events at once, ``topic_clash`` and ``crowding``, are not here on
purpose: the model states them as constraints over literals and ``score.py`` counts them over a
finished schedule, two independent versions that cross-check each other (the tests compare the
objective the solver reports with score.py's total). The track terms count a track's placements
together: :func:`track_terms` is what ``score.py`` and the solver's evaluation add up, and the model
states them again as constraints (tests compare the model's optimum with this count).

Some terms exist only where a meeting uses what they measure (:func:`active_terms`): ``moved``
against a previous schedule, the track terms when some event has a track, ``room_wish`` when some
event wishes for a kind or size of room. A meeting without them
scores, reports and solves exactly as before they existed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timezone, tzinfo
from zoneinfo import ZoneInfo

from .grid import within_local_hours
from .model import Assignment, Problem, Room, SideEvent, Speaker, meeting_day
from .weights import COMFORT_HOURS, MOVE_COST, UNSCHEDULED_COST

# Every soft term, in the order of reports: the keys of weights.DEFAULT_WEIGHTS and of the model's
# OBJECTIVE_TERMS (tests/test_terms.py holds them to it).
TERMS: tuple[str, ...] = ("preferred_day", "preferred_start", "topic_clash", "room_fit", "hybrid_kit_unused",
                          "room_wish", "remote_off_hours", "venue_off_hours", "crowding", "track_rooms",
                          "track_days", "track_gaps", "unscheduled", "moved")
MOVED = "moved"  # the term that exists only against a previous schedule (``solve --previous``)
START_TERMS: tuple[str, ...] = ("preferred_day", "preferred_start", "remote_off_hours",
                                "venue_off_hours")  # by start only
ROOM_TERMS: tuple[str, ...] = ("room_fit", "hybrid_kit_unused", "room_wish")  # by room only
TRACK_TERMS: tuple[str, ...] = ("track_rooms", "track_days", "track_gaps")  # by a track's placements together
COMFORT: tuple[time, time] = (time.fromisoformat(COMFORT_HOURS[0]), time.fromisoformat(COMFORT_HOURS[1]))

# speaker, start, end -> whether [start, end) is within the speaker's comfortable hours
Comfortable = Callable[[Speaker, datetime, datetime], bool]


def active_terms(problem: Problem, *, moved: bool = False) -> tuple[str, ...]:
    """The terms of ``problem``'s score, in ``TERMS`` order: the track terms only when some event has a
    track, ``room_wish`` only when some event wishes for a room, ``venue_off_hours`` only when the meeting
    has comfort hours, ``moved`` only against a previous schedule."""
    used = {MOVED: moved, "room_wish": any(e.room_tags or e.room_seats is not None for e in problem.events),
            "venue_off_hours": problem.meeting.comfort_hours is not None}
    tracks = any(event.track for event in problem.events)
    used.update(dict.fromkeys(TRACK_TERMS, tracks))
    return tuple(name for name in TERMS if used.get(name, True))


def comfortable(speaker: Speaker, start: datetime, end: datetime) -> bool:
    """True when [start, end) lies within ``COMFORT_HOURS`` in the speaker's zone."""
    return within_local_hours(start, end, speaker.tz, COMFORT)


def preferred_day(event: SideEvent, local_start: datetime, day: date | None = None) -> int:
    """1 when the event has preferred days and starts (``local_start``: venue-local) on another meeting day
    (``day``; default the start's date)."""
    return int(bool(event.preferred_days) and (day or local_start.date()) not in event.preferred_days)


def preferred_start(event: SideEvent, local_start: datetime) -> int:
    """1 when the event has preferred start times and starts (venue-local wall clock) at another."""
    return int(bool(event.preferred_starts) and local_start.time() not in event.preferred_starts)


def remote_off_hours(event: SideEvent, speakers: Mapping[str, Speaker], start: datetime, end: datetime,
                     within: Comfortable = comfortable) -> int:
    """1 per remote speaker for whom [start, end) is not entirely within 09:00-18:00 local.

    ``within`` decides one speaker; the solver passes a cached :func:`comfortable`.
    """
    count = 0
    for speaker_id in dict.fromkeys(event.speakers):
        speaker = speakers.get(speaker_id)
        if speaker is not None and speaker.remote:
            count += not within(speaker, start, end)
    return count


def room_fit(event: SideEvent, room: Room | None) -> int:
    """Empty-seat units in a physical room less than half full: max(0, cap - 2*att) * 10 // cap."""
    if room is None or room.is_virtual or not room.capacity:
        return 0
    return max(0, room.capacity - 2 * (event.attendance or 0)) * 10 // room.capacity


def hybrid_kit_unused(event: SideEvent, room: Room | None) -> int:
    """1 when an in_person event takes a hybrid-equipped room."""
    return int(room is not None and event.format == "in_person" and not room.is_virtual and room.hybrid)


def room_wish(event: SideEvent, room: Room | None) -> int:
    """1 when the event wishes for room tags or seats (``room_tags``, ``room_seats``) and its room misses one."""
    if room is None or (not event.room_tags and event.room_seats is None):
        return 0
    if any(tag not in room.tags for tag in event.room_tags):
        return 1
    return int(event.room_seats is not None and (room.is_virtual or (room.capacity or 0) < event.room_seats))


def venue_off_hours(slots: Iterable[tuple[datetime, datetime]], window: tuple[time, time] | None,
                    tz: ZoneInfo) -> int:
    """The grid slots an event occupies (``slots``: their start and end) not inside the venue's comfort
    window (``window``, venue-local; an end not after the start runs past midnight); 0 without a window."""
    if window is None:
        return 0
    return sum(1 for begin, end in slots if not within_local_hours(begin, end, tz, window))


def start_terms(event: SideEvent, speakers: Mapping[str, Speaker], local_start: datetime, end: datetime,
                within: Comfortable = comfortable, *, day: date | None = None, off_hours: int = 0) -> dict[str, int]:
    """Raw cost of every term that depends on the start alone (``START_TERMS``), for one event.

    ``day`` is the meeting day of the start (default its date); ``off_hours`` the event's
    :func:`venue_off_hours`, which needs the grid slots it occupies.
    """
    return {
        "preferred_day": preferred_day(event, local_start, day),
        "preferred_start": preferred_start(event, local_start),
        "remote_off_hours": remote_off_hours(event, speakers, local_start, end, within),
        "venue_off_hours": off_hours,
    }


def room_terms(event: SideEvent, room: Room | None) -> dict[str, int]:
    """Raw cost of every term that depends on the room alone (``ROOM_TERMS``), for one event."""
    return {"room_fit": room_fit(event, room), "hybrid_kit_unused": hybrid_kit_unused(event, room),
            "room_wish": room_wish(event, room)}


def move_kind(before: Assignment | None, room: str | None, start: datetime | None, tz: tzinfo,
              day_change: time = time(0)) -> str | None:
    """How an event placed ``before`` moved to ``room`` at ``start`` (None, None: left out now).

    ``room``, ``time``, ``day`` or None (not moved). Only an event scheduled before can move. The
    same start instant in another room is ``room``; another start on the same meeting day in ``tz``
    (the venue's; a day runs from ``day_change``) ``time``; another day, or unscheduled now, ``day``.
    """
    if before is None or not before.scheduled:
        return None
    if room is None or start is None:
        return "day"
    assert before.start is not None
    if before.start.astimezone(timezone.utc) == start.astimezone(timezone.utc):
        return None if before.room == room else "room"
    same = meeting_day(before.start.astimezone(tz), day_change) == meeting_day(start.astimezone(tz), day_change)
    return "time" if same else "day"


def moved(before: Assignment | None, room: str | None, start: datetime | None, tz: tzinfo,
          day_change: time = time(0)) -> int:
    """Raw ``moved`` cost of one event: ``MOVE_COST`` of its :func:`move_kind` (0 when it did not move)."""
    kind = move_kind(before, room, start, tz, day_change)
    return 0 if kind is None else MOVE_COST[kind]


def unscheduled(event: SideEvent) -> int:
    """Raw ``unscheduled`` cost of leaving the event out: ``UNSCHEDULED_COST`` of its priority."""
    return UNSCHEDULED_COST.get(event.priority, UNSCHEDULED_COST[3])


# One scheduled event of a track: (track, meeting day, room id, first slot position, end position, slots).
# Positions count the day's slots from 0; ``end`` is one past the last slot it occupies, ``slots`` how
# many it occupies.
TrackPlacement = tuple[str, date, str, int, int, int]


def track_terms(placed: Iterable[TrackPlacement]) -> dict[str, int]:
    """Raw ``TRACK_TERMS`` of a set of tracked placements.

    ``track_rooms``: per track and day, each room beyond the first it uses; ``track_days``: per track,
    each day beyond the first; ``track_gaps``: per track, day and room, the slots from its first event's
    first slot there to its last event's last slot that its events leave empty, max(0, span - occupied).
    """
    rooms: dict[tuple[str, date], set[str]] = {}
    spans: dict[tuple[str, date, str], list[int]] = {}  # first, end, occupied
    for track, day, room, first, end, slots in placed:
        rooms.setdefault((track, day), set()).add(room)
        span = spans.setdefault((track, day, room), [first, end, 0])
        span[0], span[1], span[2] = min(span[0], first), max(span[1], end), span[2] + slots
    days: dict[str, int] = {}
    for track, _ in rooms:
        days[track] = days.get(track, 0) + 1
    return {
        "track_rooms": sum(len(used) - 1 for used in rooms.values()),
        "track_days": sum(count - 1 for count in days.values()),
        "track_gaps": sum(max(0, end - first - slots) for first, end, slots in spans.values()),
    }
