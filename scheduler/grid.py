"""The time grid: days x slots in the venue zone, the run of slots an event occupies, local windows.

Used by the loader (to build slots and check pins) and the solver (to enumerate placements). The
independent checker (``check.py``) deliberately does not use these helpers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .model import FORMATS, Problem, Room, SideEvent, Slot, Speaker, Unavailability, event_end

UTC = timezone.utc


@dataclass(frozen=True)
class SlotSpec:
    """One ``[[slots]]`` entry of meeting.toml: a daily start/end, its formats and (maybe) days."""

    start: time
    end: time
    formats: frozenset[str] = frozenset(FORMATS)
    days: tuple[date, ...] = ()


def local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The aware local datetime of wall-clock ``at`` on ``day`` in ``tz``."""
    return datetime.combine(day, at, tzinfo=tz)


DAY_MINUTES = 24 * 60


def clock_offset(at: time, day_change: time = time(0), *, end: bool = False) -> int:
    """Minutes from the meeting day's start (``day_change``) to wall clock ``at`` in that day.

    A time before ``day_change`` is after midnight, on the next calendar date; as an ``end``,
    ``day_change`` itself is the day's end (24 hours on), so a slot may end at midnight or at the change.
    """
    minutes = (at.hour * 60 + at.minute - day_change.hour * 60 - day_change.minute) % DAY_MINUTES
    return DAY_MINUTES if end and minutes == 0 else minutes


def on_day(day: date, at: time, tz: ZoneInfo, day_change: time = time(0), *, end: bool = False) -> datetime:
    """The local moment of wall clock ``at`` in meeting day ``day`` (on the next date when past midnight)."""
    offset = clock_offset(at, day_change, end=end)
    calendar = day + timedelta(days=(day_change.hour * 60 + day_change.minute + offset) // DAY_MINUTES)
    return local(calendar, at, tz)


def spec_order(spec: SlotSpec, day_change: time = time(0)) -> tuple[int, int]:
    """The order of slot specs within a meeting day: by start, then end, from the day's start."""
    return clock_offset(spec.start, day_change), clock_offset(spec.end, day_change, end=True)


def build_slots(days: Sequence[date], specs: Iterable[SlotSpec], tz: ZoneInfo,
                day_change: time = time(0)) -> tuple[Slot, ...]:
    """Expand the daily slot specs over the meeting's days, in time order, indexed within each day.

    With a ``day_change`` a slot whose times are before it runs after midnight, on the next calendar
    date, and still belongs to the meeting day (frab's day_change).
    """
    specs = list(specs)
    result: list[Slot] = []
    for day in sorted(days):
        todays = sorted((s for s in specs if not s.days or day in s.days), key=lambda s: spec_order(s, day_change))
        for index, spec in enumerate(todays):
            result.append(Slot(day, index, on_day(day, spec.start, tz, day_change),
                               on_day(day, spec.end, tz, day_change, end=True), spec.formats))
    return tuple(result)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals [a_start, a_end) and [b_start, b_end) share an instant."""
    return a_start.astimezone(UTC) < b_end.astimezone(UTC) and b_start.astimezone(UTC) < a_end.astimezone(UTC)


def occupied_slots(day_slots: Sequence[Slot], start_index: int, duration: int, fmt: str) -> tuple[Slot, ...] | None:
    """The slots an event of ``duration`` minutes starting at ``day_slots[start_index]`` occupies.

    Rule 4: every slot its interval overlaps, consecutive from the start slot, each open to ``fmt``,
    the event ending by the last one's end. None when no such run exists.
    """
    first = day_slots[start_index]
    start = first.start_utc
    end = event_end(first.start, duration).astimezone(UTC)
    run: list[Slot] = []
    for slot in day_slots[start_index:]:
        if not (start < slot.end_utc and slot.start_utc < end):  # overlaps(), on the slots' cached instants
            break
        if fmt not in slot.formats:
            return None
        run.append(slot)
    if not run or run[-1].end_utc < end:
        return None
    return tuple(run)


def shortest_run(slots_by_day: Mapping[date, Sequence[Slot]], duration: int, fmt: str) -> int:
    """The fewest grid slots any valid run (rule 4) of an event of this duration and format occupies; 0 if none."""
    lengths = [len(run) for day_slots in slots_by_day.values() for i in range(len(day_slots))
               if (run := occupied_slots(day_slots, i, duration, fmt)) is not None]
    return min(lengths, default=0)


def speaker_window(speaker: Speaker, default: tuple[time, time]) -> tuple[time, time]:
    """The local hours a remote speaker can take part: their own, else the meeting's default."""
    return (speaker.earliest or default[0], speaker.latest or default[1])


def within_local_hours(start: datetime, end: datetime, tz: ZoneInfo, window: tuple[time, time]) -> bool:
    """Rule 8: [start, end) lies inside ``window`` in ``tz`` on the local date it falls on.

    A window whose end is not after its start runs past midnight (e.g. 22:00-06:00).
    """
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    local_day = start.astimezone(tz).date()
    for day in (local_day - timedelta(days=1), local_day):
        open_at = local(day, window[0], tz)
        close_day = day if window[1] > window[0] else day + timedelta(days=1)
        close_at = local(close_day, window[1], tz)
        if open_at.astimezone(UTC) <= start_utc and end_utc <= close_at.astimezone(UTC):
            return True
    return False


def event_speakers_fit(problem: Problem, event: SideEvent, start: datetime, end: datetime) -> Speaker | None:
    """The first remote speaker of ``event`` whose local hours exclude [start, end), or None."""
    for speaker_id in event.speakers:
        speaker = problem.speakers_by_id.get(speaker_id)
        if speaker is None or not speaker.remote:
            continue
        if not within_local_hours(start, end, speaker.tz, speaker_window(speaker, problem.meeting.remote_hours)):
            return speaker
    return None


CLOSED = "outside its opening hours"


def room_closures(problem: Problem) -> tuple[Unavailability, ...]:
    """When each room with opening hours is closed over the grid's span, as room unavailability.

    The complement of the union of its ``hours`` between the first slot's start and the last slot's end.
    """
    if not problem.slots:
        return ()
    low = min(slot.start_utc for slot in problem.slots)
    high = max(slot.end_utc for slot in problem.slots)
    return tuple(item for room in problem.rooms if room.hours for item in _closed(room, low, high, problem.meeting.tz))


def _closed(room: Room, low: datetime, high: datetime, tz: ZoneInfo) -> list[Unavailability]:
    """The periods of [low, high) outside ``room``'s hours, in the venue zone."""
    result = []
    cursor = low
    for begin, end in sorted((b.astimezone(UTC), e.astimezone(UTC)) for b, e in room.hours):
        if begin > cursor:
            result.append(Unavailability("room", room.id, cursor.astimezone(tz), min(begin, high).astimezone(tz),
                                         CLOSED))
        cursor = max(cursor, end)
        if cursor >= high:
            break
    if cursor < high:
        result.append(Unavailability("room", room.id, cursor.astimezone(tz), high.astimezone(tz), CLOSED))
    return [item for item in result if item.start < item.end]
