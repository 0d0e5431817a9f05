"""The domain: a meeting, its rooms, time grid, speakers and side events, and a schedule of them.

Plain frozen dataclasses so every stage (load, solve, check, export) passes the same values around.
No pandas and no ortools here. All datetimes are timezone-aware; times of day are local to the venue
unless a field says otherwise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

FORMATS: tuple[str, ...] = ("in_person", "hybrid", "virtual")
ROOM_KINDS: tuple[str, ...] = ("physical", "virtual")
UNAVAILABILITY_KINDS: tuple[str, ...] = ("room", "speaker", "organizer")
VISIBILITIES: tuple[str, ...] = ("public", "private")
ROLES: tuple[str, ...] = ("speaker", "host", "moderator")  # a person's part in an event; only speakers block
DEFAULT_PRIORITY = 3
# Field metadata of the extensions beyond the shared data contract: a field marked so counts in
# Problem.digest only when it differs from its default, so a meeting that does not use it keeps its digest.
WHEN_SET: Mapping[str, bool] = {"digest_when_set": True}


@dataclass(frozen=True)
class Meeting:
    """The session itself: name, venue time zone, days and defaults from ``meeting.toml``."""

    id: str
    name: str
    timezone: str
    days: tuple[date, ...]
    uid_domain: str
    remote_hours: tuple[time, time] = (time(7, 0), time(22, 0))
    weights: Mapping[str, float] = field(default_factory=dict, compare=True, hash=False)
    venue: str = ""
    # a meeting day runs from this wall-clock time to the same time the next calendar day (frab's day_change)
    day_change: time = field(default=time(0), metadata=WHEN_SET)
    # the venue's comfortable local hours (an end not after the start runs past midnight); soft term
    comfort_hours: tuple[time, time] | None = field(default=None, metadata=WHEN_SET)

    @cached_property
    def tz(self) -> ZoneInfo:
        """The venue's zone as a tzinfo."""
        return ZoneInfo(self.timezone)

    def day_of(self, moment: datetime) -> date:
        """The meeting day ``moment`` falls in: its venue-local date, less a day before ``day_change``."""
        return meeting_day(moment.astimezone(self.tz), self.day_change)


@dataclass(frozen=True)
class Room:
    """A physical room (seats, maybe hybrid kit) or a virtual channel (one event at a time)."""

    id: str
    name: str
    kind: str = "physical"
    capacity: int | None = None
    hybrid: bool = False
    building: str = ""
    # opening hours: the room takes events only inside these [open, close) periods; none: always open
    hours: tuple[tuple[datetime, datetime], ...] = field(default=(), metadata=WHEN_SET)
    tags: tuple[str, ...] = field(default=(), metadata=WHEN_SET)  # what kind of room it is: hall, workshop...

    @property
    def is_virtual(self) -> bool:
        """True for an online channel."""
        return self.kind == "virtual"

    def accepts_format(self, fmt: str) -> bool:
        """Rule 2: in_person needs a physical room, hybrid a hybrid one, virtual a channel."""
        if fmt == "virtual":
            return self.is_virtual
        if self.is_virtual:
            return False
        return fmt == "in_person" or self.hybrid


@dataclass(frozen=True)
class Slot:
    """One cell of the daily grid on one day, local to the venue; events start at slot starts."""

    day: date
    index: int  # position within its day, 0-based
    start: datetime
    end: datetime
    formats: frozenset[str] = frozenset(FORMATS)

    @property
    def id(self) -> str:
        """A readable, unique key: ``2022-05-16T08:10``."""
        return f"{self.day.isoformat()}T{self.start.strftime('%H:%M')}"

    @property
    def minutes(self) -> int:
        """Length in minutes."""
        return int((self.end - self.start).total_seconds() // 60)

    @cached_property
    def start_utc(self) -> datetime:
        """The start as a UTC instant, computed once: ordering wall-clock times across a clock change needs it."""
        return self.start.astimezone(timezone.utc)

    @cached_property
    def end_utc(self) -> datetime:
        """The end as a UTC instant, computed once."""
        return self.end.astimezone(timezone.utc)


@dataclass(frozen=True)
class BlockedPeriod:
    """A time when no side event of the listed formats may run (plenary, opening)."""

    start: datetime
    end: datetime
    reason: str = ""
    formats: frozenset[str] = frozenset(FORMATS)


@dataclass(frozen=True)
class Speaker:
    """A speaker; remote ones take part online within their local hours."""

    id: str
    name: str
    timezone: str
    remote: bool = False
    earliest: time | None = None
    latest: time | None = None
    email: str = ""  # private: never published

    @cached_property
    def tz(self) -> ZoneInfo:
        """The speaker's zone as a tzinfo."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class SideEvent:
    """One side event to place: who, what format, how long, how many people, and wishes."""

    id: str
    title: str
    organizer: str
    format: str
    duration: int  # minutes
    attendance: int | None = None
    speakers: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    priority: int = DEFAULT_PRIORITY
    preferred_days: tuple[date, ...] = ()
    preferred_starts: tuple[time, ...] = ()
    room: str | None = None  # pin
    start: datetime | None = None  # pin, aware, venue zone
    link: str = ""
    description: str = ""
    visibility: str = "public"
    hosts: tuple[str, ...] = field(default=(), metadata=WHEN_SET)  # listed and published, optional, never blocking
    moderators: tuple[str, ...] = field(default=(), metadata=WHEN_SET)  # as hosts
    track: str = field(default="", metadata=WHEN_SET)  # kept in one room per day, its events back to back
    room_tags: tuple[str, ...] = field(default=(), metadata=WHEN_SET)  # wished: a room with every one of these tags
    room_seats: int | None = field(default=None, metadata=WHEN_SET)  # wished: a room of at least so many seats

    @property
    def is_public(self) -> bool:
        """Public events go into feeds and timetables; private ones into none."""
        return self.visibility == "public"

    @property
    def roles(self) -> tuple[tuple[str, str], ...]:
        """(person id, role) of everyone listed on the event: speakers first, then hosts, then moderators."""
        return (tuple((p, "speaker") for p in self.speakers) + tuple((p, "host") for p in self.hosts)
                + tuple((p, "moderator") for p in self.moderators))


@dataclass(frozen=True)
class Unavailability:
    """A room, speaker or organizer that cannot be used from ``start`` to ``end``."""

    kind: str
    id: str
    start: datetime
    end: datetime
    reason: str = ""


@dataclass(frozen=True)
class Problem:
    """Everything the solver needs, with lookups by id."""

    meeting: Meeting
    rooms: tuple[Room, ...]
    slots: tuple[Slot, ...]
    speakers: tuple[Speaker, ...]
    events: tuple[SideEvent, ...]
    blocked: tuple[BlockedPeriod, ...] = ()
    unavailability: tuple[Unavailability, ...] = ()

    @cached_property
    def rooms_by_id(self) -> dict[str, Room]:
        """Rooms keyed by id."""
        return {room.id: room for room in self.rooms}

    @cached_property
    def speakers_by_id(self) -> dict[str, Speaker]:
        """Speakers keyed by id."""
        return {speaker.id: speaker for speaker in self.speakers}

    @cached_property
    def events_by_id(self) -> dict[str, SideEvent]:
        """Events keyed by id."""
        return {event.id: event for event in self.events}

    @cached_property
    def slots_by_day(self) -> dict[date, tuple[Slot, ...]]:
        """Each day's slots in time order."""
        grouped: dict[date, list[Slot]] = {}
        for slot in self.slots:
            grouped.setdefault(slot.day, []).append(slot)
        return {day: tuple(sorted(items, key=lambda s: s.start)) for day, items in sorted(grouped.items())}

    @cached_property
    def organizers(self) -> tuple[str, ...]:
        """Every organizer name, sorted."""
        return tuple(sorted({event.organizer for event in self.events}))

    def room(self, room_id: str) -> Room:
        """The room with this id (KeyError if none)."""
        return self.rooms_by_id[room_id]

    def speaker(self, speaker_id: str) -> Speaker:
        """The speaker with this id (KeyError if none)."""
        return self.speakers_by_id[speaker_id]

    def event(self, event_id: str) -> SideEvent:
        """The event with this id (KeyError if none)."""
        return self.events_by_id[event_id]

    def digest(self) -> str:
        """A SHA-256 of the problem's content, the same whether it came from CSV or Excel."""
        return hashlib.sha256(_canonical(self).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Assignment:
    """Where and when one event runs; ``room``/``start``/``end`` are None when unscheduled."""

    event_id: str
    room: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    @property
    def scheduled(self) -> bool:
        """True when the event has a room and a start."""
        return self.room is not None and self.start is not None

    @property
    def status(self) -> str:
        """``scheduled`` or ``unscheduled``, as in schedule.csv."""
        return "scheduled" if self.scheduled else "unscheduled"


@dataclass(frozen=True)
class Schedule:
    """A finished timetable: one assignment per event, plus metadata (status, scores, seed...)."""

    assignments: tuple[Assignment, ...]
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @cached_property
    def by_event(self) -> dict[str, Assignment]:
        """Assignments keyed by event id."""
        return {assignment.event_id: assignment for assignment in self.assignments}

    @property
    def scheduled(self) -> tuple[Assignment, ...]:
        """The assignments that have a room and a start."""
        return tuple(a for a in self.assignments if a.scheduled)

    def sorted(self) -> Schedule:
        """The same schedule in the contract's order: by start, room, event id; unscheduled last."""
        return Schedule(tuple(sorted(self.assignments, key=assignment_order)), self.metadata)


def assignment_order(assignment: Assignment) -> tuple:
    """Sort key of schedule.csv rows: start (as an instant), room, event id; unscheduled last."""
    if assignment.scheduled:
        assert assignment.start is not None
        return (0, assignment.start.astimezone(timezone.utc), assignment.room or "", assignment.event_id)
    return (1, datetime.min.replace(tzinfo=timezone.utc), "", assignment.event_id)


def meeting_day(local: datetime, day_change: time) -> date:
    """The meeting day of a local wall-clock moment: its date, or the day before when it is before ``day_change``."""
    return local.date() - timedelta(days=1) if local.time() < day_change else local.date()


def event_end(start: datetime, duration_minutes: int) -> datetime:
    """The end of an event that starts at ``start``: real elapsed minutes, same zone as start."""
    return (start.astimezone(timezone.utc) + timedelta(minutes=duration_minutes)).astimezone(start.tzinfo)


def _canonical(value: Any) -> str:
    """A stable text form of nested dataclasses, for hashing."""
    if is_dataclass(value) and not isinstance(value, type):
        inner = ",".join(f"{f.name}={_canonical(getattr(value, f.name))}" for f in fields(value)
                         if not (f.metadata.get("digest_when_set") and getattr(value, f.name) == f.default))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_canonical(k)}:{_canonical(value[k])}" for k in sorted(value)) + "}"
    if isinstance(value, (frozenset, set)):
        return "{" + ",".join(sorted(_canonical(v) for v in value)) + "}"
    if isinstance(value, (tuple, list)):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value)
