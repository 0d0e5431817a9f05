"""The grid and rooms an imported programme gets: slot length, daily slots, hours of use, tags, clashes.

Pure functions over FrabEvents; :mod:`scheduler.frab.importer` calls them and notes what they decided.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time

from ..grid import SlotSpec
from .read import FrabEvent, slugify

DAY_MINUTES = 24 * 60
LAST_MINUTE = DAY_MINUTES - 1  # 23:59: a slot may not end at 24:00 (the loader reads HH:MM below 24:00)
GRID_BOUNDS = (5, 60)
BREAK_WORDS = re.compile(r"\b(break|breakfast|lunch|dinner|coffee|pause|mittagspause|mittagessen|abendessen)\b",
                         re.IGNORECASE)


def wall_minutes(moment: datetime) -> int:
    """Minutes since local midnight of the wall-clock time ``moment`` shows (seconds rounded up)."""
    return moment.hour * 60 + moment.minute + (1 if moment.second or moment.microsecond else 0)


def choose_grid(events: Iterable[FrabEvent]) -> tuple[int, int]:
    """(grid, gcd): the greatest common divisor of start minutes and durations, bounded to 5..60 minutes."""
    divisor = 0
    for event in events:
        divisor = math.gcd(divisor, wall_minutes(event.start), event.duration)
    low, high = GRID_BOUNDS
    return min(max(divisor or high, low), high), divisor


def is_break(event: FrabEvent) -> bool:
    """A break in the programme: no person, and its title or type says break, lunch, dinner, coffee..."""
    return not event.persons and bool(BREAK_WORDS.search(event.title) or BREAK_WORDS.search(event.type))


def day_slot_specs(events: Sequence[FrabEvent], days: Sequence[date], grid: int,
                   full_day: bool) -> tuple[SlotSpec, ...]:
    """The daily grid: ``grid``-minute slots over each day's span, split at off-grid event starts.

    Slot (start, end) pairs shared by several days become one ``[[slots]]`` entry listing them (none
    when every day has it), which keeps meeting.toml short.
    """
    days_of: dict[tuple[int, int], list[date]] = defaultdict(list)
    for day in days:
        todays = [event for event in events if event.start.date() == day]
        if full_day:
            low, high = 0, LAST_MINUTE
        else:
            low = min(wall_minutes(e.start) for e in todays) // grid * grid
            high = min(-(-max(wall_minutes(e.end) for e in todays) // grid) * grid, LAST_MINUTE)
        bounds = sorted(set(range(low, high, grid)) | {high} | {wall_minutes(e.start) for e in todays})
        for start, end in zip(bounds, bounds[1:], strict=False):
            days_of[(start, end)].append(day)
    every = list(days)
    return tuple(
        SlotSpec(clock(start), clock(end), days=() if found == every else tuple(found))
        for (start, end), found in sorted(days_of.items())
    )


def clock(minutes: int) -> time:
    """Minutes since midnight as a time of day."""
    return time(minutes // 60, minutes % 60)


def hours_of_use(events: Sequence[FrabEvent], days: Sequence[date]) -> dict[str, tuple[tuple[datetime, datetime], ...]]:
    """Room name -> its opening hours: per day it is used, its first event's start to its last event's end."""
    result: dict[str, tuple[tuple[datetime, datetime], ...]] = {}
    for name in sorted({event.room for event in events}):
        hours = []
        for day in days:
            used = [e for e in events if e.room == name and e.start.date() == day]
            if used:
                hours.append((min(e.start for e in used), max(e.end for e in used)))
        result[name] = tuple(hours)
    return result


def type_tags(events: Sequence[FrabEvent]) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(room name -> the slugs of the event types it holds, event id -> its type's slug as a wished tag).

    Empty when the programme has fewer than two types: a tag that every room carries tells nothing.
    """
    slug = {event.id: slugify(event.type) for event in events if slugify(event.type)}
    if len(set(slug.values())) < 2:
        return {}, {}
    rooms: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.id in slug:
            rooms[event.room].add(slug[event.id])
    return {room: tuple(sorted(tags)) for room, tags in rooms.items()}, {e: (tag,) for e, tag in slug.items()}


def double_booked(events: Iterable[FrabEvent]) -> dict[str, list[tuple[FrabEvent, FrabEvent]]]:
    """Person id -> the pairs of overlapping events the programme puts them on (none: not listed)."""
    by_person: dict[str, list[FrabEvent]] = defaultdict(list)
    for event in events:
        for person_id in event.speaker_ids:
            by_person[person_id].append(event)
    result: dict[str, list[tuple[FrabEvent, FrabEvent]]] = {}
    for person_id, theirs in by_person.items():
        theirs.sort(key=lambda e: (e.start, e.id))
        latest: FrabEvent | None = None
        for event in theirs:
            if latest is not None and event.start < latest.end:
                result.setdefault(person_id, []).append((latest, event))
            if latest is None or event.end > latest.end:
                latest = event
    return result


def room_ids(names: Sequence[str]) -> dict[str, str]:
    """Room name -> a unique slug id (``Saal 1`` -> ``saal-1``)."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for number, name in enumerate(names, 1):
        base = slugify(name) or f"room-{number}"
        room_id, suffix = base, 2
        while room_id in taken:
            room_id, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(room_id)
        ids[name] = room_id
    return ids
