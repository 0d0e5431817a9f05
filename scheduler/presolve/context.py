"""The presolve checks' shared view of a Problem: the grid as bit sets and what each event has left.

An event's possible starts are a bit set over the grid's slots (a Python int), built once per
(duration, format) and narrowed by blocked periods, remote hours, unavailability and pins with bit
operations, so no loop runs over events x rooms x slots. Plain Python over ``grid.py`` and
``model.py``; never the solver.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import cached_property
from zoneinfo import ZoneInfo

from ..grid import local, room_closures, speaker_window
from ..model import FORMATS, Problem, Room, SideEvent, Slot, Speaker


@dataclass(frozen=True)
class Finding:
    """One reason why no schedule places every event, in a planner's words, with a lower bound.

    ``events`` are the ids involved; at least ``leave_out`` of them stay unscheduled in any valid
    schedule. ``blocking`` is False when unscheduled events are allowed (the finding is then a warning
    of what will be left out).
    """

    check: str
    message: str
    fix: str
    events: tuple[str, ...]
    leave_out: int
    blocking: bool = True

    def __str__(self) -> str:
        return f"{self.check}: {self.message}"


# --- the grid as bit sets -------------------------------------------------------------------------


def epoch(moment: datetime) -> int:
    """Seconds since the epoch of an aware datetime."""
    return int(moment.timestamp())


@dataclass
class Starts:
    """Every valid start (rule 4) of one (duration, format), in time order, as bits over the grid's slots."""

    seconds: int  # the duration
    slots: list[int] = field(default_factory=list)  # global slot index of each start
    begins: list[int] = field(default_factory=list)  # epoch seconds of each start
    runs: dict[int, tuple[int, int]] = field(default_factory=dict)  # start slot -> first and last occupied slot
    minutes: dict[int, int] = field(default_factory=dict)  # start slot -> slot-minutes its run occupies
    prefix: list[int] = field(default_factory=lambda: [0])  # prefix[k]: the bits of the first k starts
    by_minutes: list[tuple[int, int]] = field(default_factory=list)  # (slot-minutes, starts), cheapest first

    @property
    def mask(self) -> int:
        """Every valid start."""
        return self.prefix[-1]

    def _between(self, i: int, j: int) -> int:
        return self.prefix[j] ^ self.prefix[i] if i < j else 0

    def overlapping(self, begin: int, end: int) -> int:
        """The starts whose interval [b, b + duration) shares an instant with [begin, end)."""
        return self._between(bisect_right(self.begins, begin - self.seconds), bisect_left(self.begins, end))

    def inside(self, begin: int, end: int) -> int:
        """The starts whose interval lies within [begin, end]."""
        return self._between(bisect_left(self.begins, begin), bisect_right(self.begins, end - self.seconds))

    def at(self, moment: int) -> int:
        """The valid start at this instant (a bit), or 0 when there is none."""
        return self._between(bisect_left(self.begins, moment), bisect_right(self.begins, moment))

    def cheapest(self, starts: int) -> int:
        """The fewest slot-minutes a run from one of ``starts`` occupies (0 when there is none)."""
        return next((minutes for minutes, mask in self.by_minutes if mask & starts), 0)


def bits(mask: int) -> Iterator[int]:
    """The indices of the set bits, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _merged(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Half-open intervals merged into disjoint ones, in order."""
    result: list[tuple[int, int]] = []
    for begin, end in sorted(intervals):
        if result and begin <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((begin, end))
    return result


class Grid:
    """The grid's slots in time order (day, then instant) as epoch seconds, and the valid starts of each kind of event.

    Slots are ordered by their UTC instants, as ``check.py`` orders them: aware datetimes that share a
    zone compare by wall time, which is not time order across a daylight-saving gap.
    """

    def __init__(self, problem: Problem) -> None:
        by_day: dict[date, list[Slot]] = {}
        for slot in problem.slots:
            by_day.setdefault(slot.day, []).append(slot)
        self.slots = tuple(slot for day in sorted(by_day)
                           for slot in sorted(by_day[day], key=lambda s: (epoch(s.start), epoch(s.end))))
        self.begin = [epoch(slot.start) for slot in self.slots]
        self.end = [epoch(slot.end) for slot in self.slots]
        self.days: list[tuple[int, int]] = []  # [first, last + 1) of each day
        self.earlier_end: list[int] = []  # the latest end of the day's earlier slots
        for index, slot in enumerate(self.slots):
            if index == 0 or slot.day != self.slots[index - 1].day:
                self.days.append((index, index))
                self.earlier_end.append(-(1 << 62))
            else:
                self.earlier_end.append(max(self.earlier_end[-1], self.end[index - 1]))
            self.days[-1] = (self.days[-1][0], index + 1)
        self.chronological = all(a <= b for a, b in zip(self.begin, self.begin[1:], strict=False))
        self._starts: dict[tuple[int, str], Starts] = {}
        self._minutes: dict[int, int] = {}

    def starts(self, duration: int, fmt: str) -> Starts:
        """Rule 4: the starts from which consecutive slots open to ``fmt`` hold ``duration`` minutes."""
        key = (duration, fmt)
        if key not in self._starts:
            self._starts[key] = self._build(duration, fmt)
        return self._starts[key]

    def _build(self, duration: int, fmt: str) -> Starts:
        """Rule 4 as ``check.py`` reads it: the slots of the day the interval overlaps are consecutive from the
        start slot, each open to the format, and the latest of them ends no earlier than the event."""
        found: list[tuple[int, int, int, int]] = []  # (begin, start slot, last occupied slot, slot-minutes)
        for first, stop in self.days:
            for i in range(first, stop):
                begin, end = self.begin[i], self.begin[i] + duration * 60
                if self.earlier_end[i] > begin:
                    continue  # an earlier slot of the day overlaps too (or starts at the same instant)
                j, reach = i, begin
                while j < stop and self.begin[j] < end and fmt in self.slots[j].formats:
                    reach, j = max(reach, self.end[j]), j + 1
                if (j < stop and self.begin[j] < end) or reach < end:
                    continue  # runs into a slot closed to the format, or past the end of its last slot
                found.append((begin, i, j - 1, sum((self.end[k] - self.begin[k]) // 60 for k in range(i, j))))
        starts = Starts(duration * 60)
        groups: dict[int, int] = {}
        for begin, i, last, minutes in sorted(found):
            starts.slots.append(i)
            starts.begins.append(begin)
            starts.runs[i] = (i, last)
            starts.minutes[i] = minutes
            starts.prefix.append(starts.prefix[-1] | 1 << i)
            groups[minutes] = groups.get(minutes, 0) | 1 << i
        starts.by_minutes = sorted(groups.items())
        return starts

    def slot_minutes(self, mask: int) -> int:
        """The minutes of the slots in ``mask``."""
        if mask not in self._minutes:
            self._minutes[mask] = sum((self.end[i] - self.begin[i]) // 60 for i in bits(mask))
        return self._minutes[mask]

    def covered(self, intervals: Iterable[tuple[int, int]]) -> int:
        """The slots that lie wholly inside the union of ``intervals``: no event can overlap them and avoid those."""
        merged = _merged(intervals)
        if not merged:
            return 0
        opens = [begin for begin, _ in merged]
        mask = 0
        for index, (begin, end) in enumerate(zip(self.begin, self.end, strict=True)):
            k = bisect_right(opens, begin) - 1
            if k >= 0 and merged[k][1] >= end:
                mask |= 1 << index
        return mask


# --- what each event has left ---------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """One event's options: valid starts (rule 4), the starts every time rule allows, and its rooms."""

    starts: Starts
    valid: int
    free: int  # after blocked periods, remote hours, people's unavailability and a start pin
    rooms: int  # bits over problem.rooms: kind, seats and pin allow it, and a free start finds it available

    @property
    def placeable(self) -> bool:
        """True when some room and start are left."""
        return bool(self.free and self.rooms)


class PresolveInput:
    """What every check receives: the problem, its grid, and each event's options, all built once."""

    def __init__(self, problem: Problem, allow_unscheduled: bool = False) -> None:
        self.problem = problem
        self.allow_unscheduled = allow_unscheduled
        self.grid = Grid(problem)
        self.rooms = problem.rooms
        self.room_bit = {room.id: 1 << i for i, room in enumerate(self.rooms)}
        self.tz = problem.meeting.tz
        self._masks: dict[tuple, int] = {}
        self.closed: dict[tuple[str, str], list[tuple[int, int]]] = {}  # (kind, id) -> unavailable periods
        for item in (*problem.unavailability, *room_closures(problem)):
            self.closed.setdefault((item.kind, item.id), []).append((epoch(item.start), epoch(item.end)))

    # rooms

    def kind_mask(self, fmt: str) -> int:
        """Rule 2: the rooms that take events of ``fmt``."""
        return self._cached(("kind", fmt), lambda: union(
            self.room_bit[r.id] for r in self.rooms if fmt in FORMATS and r.accepts_format(fmt)))

    def seats_mask(self, attendance: int | None) -> int:
        """Rule 3: the rooms that seat ``attendance`` (channels, and rooms of unknown capacity, seat anyone)."""
        need = attendance or 0
        return self._cached(("seats", need), lambda: union(
            self.room_bit[r.id] for r in self.rooms if r.is_virtual or r.capacity is None or r.capacity >= need))

    def allowed(self, event: SideEvent) -> int:
        """Rules 2, 3 and 10: the rooms of the event's kind that seat its audience (its pinned room, if any)."""
        mask = self.kind_mask(event.format) & self.seats_mask(event.attendance)
        return mask & self.room_bit.get(event.room, 0) if event.room is not None else mask

    @cached_property
    def closed_rooms(self) -> int:
        """The rooms with some unavailability."""
        return union(bit for room_id, bit in self.room_bit.items() if ("room", room_id) in self.closed)

    def room_list(self, mask: int) -> list[Room]:
        """The rooms in ``mask``, in the order of rooms.csv."""
        return [room for room in self.rooms if self.room_bit[room.id] & mask]

    # starts

    def _cached(self, key: tuple, build: Callable[[], int]) -> int:
        if key not in self._masks:
            self._masks[key] = build()
        return self._masks[key]

    def blocked(self, event: SideEvent) -> int:
        """Rule 7: the valid starts that overlap a blocked period of the event's format."""
        starts = self.grid.starts(event.duration, event.format)
        return self._cached(("blocked", event.duration, event.format), lambda: union(
            starts.overlapping(epoch(p.start), epoch(p.end)) for p in self.problem.blocked
            if event.format in p.formats))

    def in_hours(self, event: SideEvent, speaker: Speaker) -> int:
        """Rule 8: the valid starts that lie inside the remote speaker's local hours, in their zone."""
        window = speaker_window(speaker, self.problem.meeting.remote_hours)
        starts = self.grid.starts(event.duration, event.format)
        return self._cached(("hours", event.duration, event.format, speaker.timezone, window), lambda: union(
            starts.inside(begin, end) for begin, end in self.windows(speaker.timezone, window)))

    def windows(self, zone: str, window: tuple[time, time]) -> list[tuple[int, int]]:
        """The daily windows of local hours in ``zone`` over the grid's dates, as epoch intervals."""
        if not self.grid.slots:
            return []
        tz = ZoneInfo(zone)
        first = self.grid.slots[0].start.astimezone(tz).date() - timedelta(days=1)
        last = self.grid.slots[-1].end.astimezone(tz).date() + timedelta(days=1)
        result = []
        for offset in range((last - first).days + 1):
            day = first + timedelta(days=offset)
            closing = day if window[1] > window[0] else day + timedelta(days=1)
            result.append((epoch(local(day, window[0], tz)), epoch(local(closing, window[1], tz))))
        return result

    def busy(self, event: SideEvent, kind: str, who: str) -> int:
        """Rule 9: the valid starts that overlap an unavailability of a speaker, organizer or room."""
        periods = self.closed.get((kind, who), [])
        starts = self.grid.starts(event.duration, event.format)
        return self._cached(("busy", event.duration, event.format, kind, who), lambda: union(
            starts.overlapping(begin, end) for begin, end in periods))

    def remote_speakers(self, event: SideEvent) -> list[Speaker]:
        """The event's remote speakers, each once."""
        found = (self.problem.speakers_by_id.get(s) for s in dict.fromkeys(event.speakers))
        return [speaker for speaker in found if speaker is not None and speaker.remote]

    def people(self, event: SideEvent) -> list[tuple[str, str]]:
        """(kind, id) of every speaker and the organizer of ``event``."""
        return [("speaker", s) for s in dict.fromkeys(event.speakers)] + [("organizer", event.organizer)]

    @cached_property
    def options(self) -> dict[str, Options]:
        """Each event's options, by event id."""
        return {event.id: self._options(event) for event in self.problem.events}

    def _options(self, event: SideEvent) -> Options:
        starts = self.grid.starts(event.duration, event.format)
        free = starts.mask & ~self.blocked(event)
        for speaker in self.remote_speakers(event):
            free &= self.in_hours(event, speaker)
        for kind, who in self.people(event):
            if (kind, who) in self.closed:
                free &= ~self.busy(event, kind, who)
        if event.start is not None:
            free &= starts.at(epoch(event.start)) if event.start.tzinfo is not None else 0
        allowed = self.allowed(event)
        rooms = allowed & ~self.closed_rooms
        for room in self.room_list(allowed & self.closed_rooms):
            if free & ~self.busy(event, "room", room.id):
                rooms |= self.room_bit[room.id]
        return Options(starts, starts.mask, free, rooms)

    @cached_property
    def placeable(self) -> list[SideEvent]:
        """The events with some room and start left; the counting checks consider only these."""
        return [e for e in self.problem.events if self.options[e.id].placeable]

    def need(self, event: SideEvent) -> int:
        """The fewest slot-minutes of a room the event occupies, over every start left to it."""
        opts = self.options[event.id]
        return opts.starts.cheapest(opts.free)

    def room_minutes(self, room: Room, formats: Iterable[str]) -> int:
        """The minutes of the slots of ``room`` that an event of one of ``formats`` can occupy.

        A slot counts when it is open to the format and not wholly inside blocked periods of that
        format or the room's unavailability (an event occupying it would overlap them).
        """
        mask = 0
        for fmt in formats:
            if fmt in FORMATS and room.accepts_format(fmt):
                mask |= self.open_slots(fmt) & ~self.blocked_slots(fmt)
        return self.grid.slot_minutes(mask & ~self.closed_slots(room.id))

    def open_slots(self, fmt: str) -> int:
        """The slots open to ``fmt``."""
        return self._cached(("open", fmt), lambda: union(
            1 << i for i, slot in enumerate(self.grid.slots) if fmt in slot.formats))

    def blocked_slots(self, fmt: str) -> int:
        """The slots wholly inside blocked periods of ``fmt``."""
        return self._cached(("blocked slots", fmt), lambda: self.grid.covered(
            (epoch(p.start), epoch(p.end)) for p in self.problem.blocked if fmt in p.formats))

    def closed_slots(self, room_id: str) -> int:
        """The slots wholly inside the room's unavailability."""
        return self._cached(("closed", room_id), lambda: self.grid.covered(self.closed.get(("room", room_id), [])))

    def finding(self, check: str, message: str, fix: str, events: Iterable[SideEvent], leave_out: int) -> Finding:
        """A Finding of ``check`` about ``events`` (blocking unless unscheduled events are allowed)."""
        ids = tuple(dict.fromkeys(event.id for event in events))
        return Finding(check, message, fix, ids, leave_out, blocking=not self.allow_unscheduled)

    # words

    def when(self, moment: int) -> str:
        """An instant as venue-local ``2022-05-17 10:00``."""
        return datetime.fromtimestamp(moment, timezone.utc).astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

    def span(self, begin: int, end: int) -> str:
        """``2022-05-17 10:00-10:50`` in the venue's zone."""
        start_text, end_text = self.when(begin), self.when(end)
        return f"{start_text}-{end_text[11:] if end_text[:10] == start_text[:10] else end_text}"

    def who(self, kind: str, who: str) -> str:
        """``speaker Amina Odhiambo (S1)`` or ``organizer UNODC``."""
        if kind == "speaker":
            speaker = self.problem.speakers_by_id.get(who)
            return f"speaker {speaker.name} ({who})" if speaker is not None and speaker.name != who else \
                f"speaker {who}"
        return f"organizer {who}"


def union(masks: Iterable[int]) -> int:
    """The bitwise OR of ``masks``."""
    result = 0
    for mask in masks:
        result |= mask
    return result


def fewest_to_drop(sizes: Iterable[int], room: int) -> int:
    """How many of ``sizes`` must go (largest first) for the rest to fit in ``room``: a valid minimum count."""
    ordered = sorted(sizes, reverse=True)
    total = sum(ordered)
    dropped = 0
    while total > room and dropped < len(ordered):
        total -= ordered[dropped]
        dropped += 1
    return dropped
