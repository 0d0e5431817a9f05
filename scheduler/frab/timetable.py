"""The grid and rooms an imported programme gets: slot length, daily slots, hours of use, tags, clashes.

Pure functions over FrabEvents; :mod:`scheduler.frab.importer` calls them and notes what they decided.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time

from ..grid import SlotSpec
from ..model import meeting_day
from .read import FrabEvent, slugify

DAY_MINUTES = 24 * 60
GRID_BOUNDS = (5, 60)
COMFORT_SHARE = 0.01  # the comfort window leaves out the earliest starts and latest ends of this share of events
COMFORT_STEP = 30  # minutes: the comfort window's ends are rounded outward to this
BREAK_WORDS = re.compile(r"\b(break|breakfast|lunch|dinner|coffee|pause|mittagspause|mittagessen|abendessen)\b",
                         re.IGNORECASE)


def wall_minutes(moment: datetime, day_change: time = time(0)) -> int:
    """Minutes from the last ``day_change`` (default midnight) to the wall-clock time ``moment`` shows
    (seconds rounded up)."""
    minutes = moment.hour * 60 + moment.minute + (1 if moment.second or moment.microsecond else 0)
    return (minutes - day_change.hour * 60 - day_change.minute) % DAY_MINUTES


def day_offset(moment: datetime, day: date, day_change: time) -> int:
    """Wall-clock minutes from the start of meeting day ``day`` (its ``day_change``) to ``moment``."""
    delta = moment.replace(tzinfo=None) - datetime.combine(day, day_change)
    return math.ceil(delta.total_seconds() / 60)


def choose_day_change(events: Sequence[FrabEvent], day_starts: Sequence[datetime]) -> time:
    """When a meeting day ends: midnight unless an event runs past it; then the programme's own day change
    (the time its ``<day start>`` attributes most often give, as frab writes them), or else the full hour
    fewest events run across."""
    def crossing(change: time) -> int:
        return sum(1 for e in events if e.duration and wall_minutes(e.start, change) + e.duration > DAY_MINUTES)

    if not crossing(time(0)):
        return time(0)
    starts = Counter(moment.time().replace(second=0, microsecond=0) for moment in day_starts)
    if starts:
        return max(sorted(starts), key=lambda at: starts[at])
    return min((time(hour) for hour in range(24)), key=crossing)


def meeting_days(events: Iterable[FrabEvent], day_change: time) -> list[date]:
    """The meeting days the events start on (a start before ``day_change`` belongs to the day before)."""
    return sorted({meeting_day(e.start, day_change) for e in events})


def comfort_window(events: Sequence[FrabEvent], day_change: time) -> tuple[time, time]:
    """The venue's comfortable hours: from the start that all but ``COMFORT_SHARE`` of the events start
    after to the end all but that share end before, rounded outward to ``COMFORT_STEP`` minutes."""
    starts = sorted(wall_minutes(e.start, day_change) for e in events)
    ends = sorted(wall_minutes(e.start, day_change) + e.duration for e in events)
    skip = int(len(events) * COMFORT_SHARE)
    low = starts[skip] // COMFORT_STEP * COMFORT_STEP
    high = min(DAY_MINUTES, -(-ends[len(ends) - 1 - skip] // COMFORT_STEP) * COMFORT_STEP)
    return clock_at(day_change, low), clock_at(day_change, high)


def choose_grid(events: Iterable[FrabEvent], day_change: time = time(0)) -> tuple[int, int]:
    """(grid, gcd): the greatest common divisor of start minutes and durations, bounded to 5..60 minutes."""
    divisor = 0
    for event in events:
        divisor = math.gcd(divisor, wall_minutes(event.start, day_change), event.duration)
    low, high = GRID_BOUNDS
    return min(max(divisor or high, low), high), divisor


def is_break(event: FrabEvent) -> bool:
    """A break in the programme: no person, and its title or type says break, lunch, dinner, coffee..."""
    return not event.persons and bool(BREAK_WORDS.search(event.title) or BREAK_WORDS.search(event.type))


def day_slot_specs(events: Sequence[FrabEvent], days: Sequence[date], grid: int,
                   full_day: bool, day_change: time = time(0)) -> tuple[SlotSpec, ...]:
    """The daily grid: ``grid``-minute slots over each meeting day's span, split at off-grid event starts.

    A meeting day runs from ``day_change`` to the same time the next day, so slots after midnight belong
    to the day before. Slot (start, end) pairs shared by several days become one ``[[slots]]`` entry
    listing them (none when every day has it), which keeps meeting.toml short.
    """
    days_of: dict[tuple[int, int], list[date]] = defaultdict(list)
    for day in days:
        todays = [event for event in events if meeting_day(event.start, day_change) == day]
        starts = {wall_minutes(e.start, day_change) for e in todays}
        if full_day:
            low, high = 0, DAY_MINUTES
        else:
            low = min(starts) // grid * grid
            high = min(-(-max(day_offset(e.end, day, day_change) for e in todays) // grid) * grid, DAY_MINUTES)
        bounds = sorted(set(range(low, high, grid)) | {high} | starts)
        for start, end in zip(bounds, bounds[1:], strict=False):
            days_of[(start, end)].append(day)
    every = list(days)
    return tuple(
        SlotSpec(clock_at(day_change, start), clock_at(day_change, end), days=() if found == every else tuple(found))
        for (start, end), found in sorted(days_of.items())
    )


def clock_at(day_change: time, minutes: int) -> time:
    """The wall-clock time ``minutes`` after ``day_change`` (24 hours on is ``day_change`` again)."""
    total = (day_change.hour * 60 + day_change.minute + minutes) % DAY_MINUTES
    return time(total // 60, total % 60)


def hours_of_use(events: Sequence[FrabEvent], days: Sequence[date],
                 day_change: time = time(0)) -> dict[str, tuple[tuple[datetime, datetime], ...]]:
    """Room name -> its opening hours: per meeting day it is used, its first event's start to its last's end."""
    result: dict[str, tuple[tuple[datetime, datetime], ...]] = {}
    for name in sorted({event.room for event in events}):
        hours = []
        for day in days:
            used = [e for e in events if e.room == name and meeting_day(e.start, day_change) == day]
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
