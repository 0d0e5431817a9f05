"""One shared view of a schedule, built once and fed to every exporter: days -> slots -> rooms -> events.

Resolves ids into objects (rooms, speakers), converts times to the venue zone and drops private
events unless asked, so exporters only format. ``filter_view`` narrows a view (one day, room,
organizer, topic or format) for the command line; ``Exporter`` records carry each output's metadata.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from typing import Any

from ..errors import UsageError
from ..model import FORMATS, Problem, Room, Schedule, SideEvent, Slot, Speaker
from .labels import format_label, is_web_url


@dataclass(frozen=True)
class EventView:
    """A scheduled event with everything an exporter prints, times in the venue zone."""

    event: SideEvent
    room: Room
    start: datetime
    end: datetime
    speakers: tuple[Speaker, ...]
    slots: tuple[Slot, ...]  # the grid slots its interval overlaps
    hosts: tuple[tuple[Speaker, str], ...] = ()  # (person, role) of its hosts and moderators, in that order
    meeting_day: date | None = None  # the meeting day it belongs to (after midnight: the day before)

    @property
    def id(self) -> str:
        """The event id (stable; calendar UIDs derive from it)."""
        return self.event.id

    @property
    def day(self) -> date:
        """The meeting day it runs on: its venue-local date, or the day before when it starts before the
        meeting's day change (an event at 01:00 of a programme that runs past midnight)."""
        return self.meeting_day or self.start.date()

    @property
    def start_utc(self) -> datetime:
        """Start as a UTC instant."""
        return self.start.astimezone(timezone.utc)

    @property
    def end_utc(self) -> datetime:
        """End as a UTC instant."""
        return self.end.astimezone(timezone.utc)

    @property
    def minutes(self) -> int:
        """Elapsed minutes from start to end (real time, right across a DST change)."""
        return int((self.end_utc - self.start_utc).total_seconds() // 60)

    @property
    def format_label(self) -> str:
        """The format as people read it: ``In person``, ``Hybrid``, ``Online``."""
        return format_label(self.event.format)

    @property
    def speaker_names(self) -> tuple[str, ...]:
        """Speakers' display names in the event's order, then hosts' and moderators' with their role
        (``Ada (host)``); never their e-mail addresses."""
        return tuple(speaker.name for speaker in self.speakers) + \
            tuple(f"{person.name} ({role})" for person, role in self.hosts)

    @property
    def web_link(self) -> str:
        """The online link when it is an http(s) URL safe to make clickable, else ``""``."""
        return self.event.link if is_web_url(self.event.link) else ""


@dataclass(frozen=True)
class DayView:
    """One day's grid: its slots, the rooms, and which event sits in each (slot, room) cell."""

    day: date
    slots: tuple[Slot, ...]
    rooms: tuple[Room, ...]
    events: tuple[EventView, ...]
    cells: dict[tuple[str, str], EventView] = field(hash=False, compare=False)
    # Every event per (slot id, room id) cell; more than one only in a schedule with a room clash.
    stacks: dict[tuple[str, str], tuple[EventView, ...]] = field(default_factory=dict, hash=False, compare=False)

    def cell(self, slot: Slot, room: Room) -> EventView | None:
        """The event occupying ``slot`` in ``room``, if any."""
        return self.cells.get((slot.id, room.id))

    def cell_events(self, slot: Slot, room: Room) -> tuple[EventView, ...]:
        """Every event occupying ``slot`` in ``room`` (a clash shows up as two), in time order."""
        return self.stacks.get((slot.id, room.id), ())

    def off_grid(self) -> tuple[EventView, ...]:
        """Events of this day that overlap none of its slots (a hand-edited schedule), in time order."""
        return tuple(view for view in self.events if not view.slots)

    def rooms_used(self) -> tuple[Room, ...]:
        """The rooms of this day's columns that host at least one of its events, in input order."""
        used = {view.room.id for view in self.events}
        return tuple(room for room in self.rooms if room.id in used)


@dataclass(frozen=True)
class Block:
    """A run of consecutive slots of one room on one day holding one event (or clashing events)."""

    first: int  # index into DayView.slots
    last: int  # inclusive
    events: tuple[EventView, ...]

    @property
    def span(self) -> int:
        """How many slot rows the block covers."""
        return self.last - self.first + 1


@dataclass(frozen=True)
class ProgrammeView:
    """The whole programme: meeting, rooms, days, and events in time order."""

    problem: Problem
    days: tuple[DayView, ...]
    events: tuple[EventView, ...]
    unscheduled: tuple[SideEvent, ...]
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    selected_rooms: tuple[Room, ...] | None = None  # set by filter_view(room=...)

    @property
    def meeting(self):  # noqa: ANN201 - Meeting, kept loose to avoid a cycle in type checkers
        """The meeting this programme belongs to."""
        return self.problem.meeting

    @property
    def rooms(self) -> tuple[Room, ...]:
        """Every room and channel, in input order (only the chosen one after a room filter)."""
        return self.selected_rooms if self.selected_rooms is not None else self.problem.rooms

    def rooms_used(self) -> tuple[Room, ...]:
        """The rooms that host at least one event of this view, in input order."""
        used = {view.room.id for view in self.events}
        return tuple(room for room in self.rooms if room.id in used)

    @property
    def topics(self) -> tuple[str, ...]:
        """Every topic of the shown events, sorted case-insensitively."""
        return _sorted_names(topic for view in self.events for topic in view.event.topics)

    @property
    def organizers(self) -> tuple[str, ...]:
        """Every organizer of the shown events, sorted case-insensitively (private-only ones left out)."""
        return _sorted_names(view.event.organizer for view in self.events)

    @property
    def formats(self) -> tuple[str, ...]:
        """The formats of the shown events, in the canonical order."""
        present = {view.event.format for view in self.events}
        return tuple(fmt for fmt in FORMATS if fmt in present)


@dataclass(frozen=True)
class Exporter:
    """One output format: where it goes under OUT, its media type, and the pure function rendering it."""

    name: str
    path: str  # relative to the output folder, e.g. "timetable.md" or "frab/schedule.xml"
    media_type: str
    render: Callable[..., str | bytes]  # (view, **options) -> the file's content

    @property
    def extension(self) -> str:
        """The file extension, without the dot."""
        return self.path.rsplit(".", 1)[-1]


def render_files(view: ProgrammeView, exporters: Iterable[Exporter]) -> dict[str, str | bytes]:
    """Run each exporter over ``view``: relative path -> content, ready for ``write_tree_atomic``."""
    return {exporter.path: exporter.render(view) for exporter in exporters}


def html_id(text: str) -> str:
    """A one-to-one mapping of an id onto the characters safe in an HTML id and a URL fragment."""
    return re.sub(r"[^A-Za-z0-9-]", lambda m: f"_{ord(m.group()):x}_", text)


def event_anchor(event_id: str) -> str:
    """The fragment of an event on timetable.html: ``event-<id>``; the frab export links to it."""
    return f"event-{html_id(event_id)}"


def _sorted_names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({name for name in names if name}, key=lambda name: (name.casefold(), name)))


def _event_order(view: EventView) -> tuple:
    return (view.start_utc, view.room.id, view.event.id)


def build_view(problem: Problem, schedule: Schedule, *, include_private: bool = False) -> ProgrammeView:
    """Resolve ``schedule`` against ``problem`` into the shared view; private events only if asked."""
    tz = problem.meeting.tz
    views: list[EventView] = []
    unscheduled: list[SideEvent] = []
    for assignment in schedule.assignments:
        event = problem.events_by_id.get(assignment.event_id)
        if event is None or (not include_private and not event.is_public):
            continue
        if not assignment.scheduled or assignment.room not in problem.rooms_by_id:
            unscheduled.append(event)
            continue
        assert assignment.start is not None and assignment.end is not None
        start, end = assignment.start.astimezone(tz), assignment.end.astimezone(tz)
        day = problem.meeting.day_of(start)
        day_slots = problem.slots_by_day.get(day, ())
        start_utc, end_utc = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
        covered = tuple(
            s for s in day_slots
            if s.start.astimezone(timezone.utc) < end_utc and start_utc < s.end.astimezone(timezone.utc)
        )
        speakers = tuple(problem.speakers_by_id[s] for s in event.speakers if s in problem.speakers_by_id)
        hosts = tuple((problem.speakers_by_id[p], role) for p, role in event.roles
                      if role != "speaker" and p in problem.speakers_by_id)
        views.append(EventView(event, problem.rooms_by_id[assignment.room], start, end, speakers, covered, hosts,
                               day))
    views.sort(key=_event_order)
    days = tuple(_day_view(problem, day, views, problem.rooms) for day in problem.meeting.days)
    unscheduled.sort(key=lambda e: e.id)
    return ProgrammeView(problem, days, tuple(views), tuple(unscheduled), dict(schedule.metadata))


def _day_view(problem: Problem, day: date, views: Iterable[EventView], rooms: tuple[Room, ...]) -> DayView:
    todays = tuple(v for v in views if v.day == day)
    cells: dict[tuple[str, str], EventView] = {}
    stacks: dict[tuple[str, str], tuple[EventView, ...]] = {}
    for view in todays:
        for slot in view.slots:
            key = (slot.id, view.room.id)
            cells.setdefault(key, view)
            stacks[key] = (*stacks.get(key, ()), view)
    return DayView(day, problem.slots_by_day.get(day, ()), rooms, todays, cells, stacks)


def room_blocks(day: DayView, room: Room) -> tuple[Block, ...]:
    """The runs of slots ``room`` is busy on ``day``, each with its event(s), in time order.

    Events whose slot runs overlap (a clash in a hand-edited schedule) share one block, so a grid
    that merges a block's rows still shows every event.
    """
    index = {slot.id: i for i, slot in enumerate(day.slots)}
    ranges = sorted(
        (min(index[s.id] for s in v.slots), max(index[s.id] for s in v.slots), v)
        for v in day.events
        if v.room.id == room.id and v.slots and all(s.id in index for s in v.slots)
    )
    blocks: list[Block] = []
    for first, last, view in ranges:
        if blocks and first <= blocks[-1].last:
            prev = blocks[-1]
            blocks[-1] = Block(prev.first, max(prev.last, last), (*prev.events, view))
        else:
            blocks.append(Block(first, last, (view,)))
    return tuple(blocks)


def filter_view(
    view: ProgrammeView,
    *,
    day: str | date | None = None,
    room: str | None = None,
    organizer: str | None = None,
    topic: str | None = None,
    fmt: str | None = None,
) -> ProgrammeView:
    """The part of ``view`` matching every given filter; unknown values raise UsageError.

    ``day`` is an ISO date or a 1-based day number; ``room`` a room id or name; ``organizer``,
    ``topic`` and ``fmt`` match case-insensitively.
    """
    days = view.days
    if day is not None:
        wanted = resolve_day(view, day)
        days = tuple(d for d in days if d.day == wanted)
    rooms: tuple[Room, ...] | None = view.selected_rooms
    if room is not None:
        rooms = (resolve_room(view, room),)
    keep = _event_filter(view, day=day, rooms=rooms, organizer=organizer, topic=topic, fmt=fmt, days=days)
    events = tuple(v for v in view.events if keep(v))
    shown_rooms = rooms if rooms is not None else view.problem.rooms
    new_days = tuple(_day_view(view.problem, d.day, events, shown_rooms) for d in days)
    return replace(view, days=new_days, events=events, selected_rooms=rooms)


def _event_filter(view, *, day, rooms, organizer, topic, fmt, days) -> Callable[[EventView], bool]:
    day_set = {d.day for d in days} if day is not None else None
    room_ids = {r.id for r in rooms} if rooms is not None else None
    organizer_key = _resolve_name(organizer, view.organizers, "organizer") if organizer is not None else None
    topic_key = _resolve_name(topic, view.topics, "topic") if topic is not None else None
    fmt_key = None
    if fmt is not None:
        fmt_key = fmt.strip().lower().replace(" ", "_").replace("-", "_")
        if fmt_key not in FORMATS:
            raise UsageError(f"unknown format {fmt!r}; formats are {', '.join(FORMATS)}")

    def keep(v: EventView) -> bool:
        return (
            (day_set is None or v.day in day_set)
            and (room_ids is None or v.room.id in room_ids)
            and (organizer_key is None or v.event.organizer.casefold() == organizer_key)
            and (topic_key is None or topic_key in {t.casefold() for t in v.event.topics})
            and (fmt_key is None or v.event.format == fmt_key)
        )

    return keep


def _resolve_name(value: str, known: tuple[str, ...], what: str) -> str:
    key = value.strip().casefold()
    if key not in {name.casefold() for name in known}:
        hint = ", ".join(known[:12]) + (" ..." if len(known) > 12 else "")
        raise UsageError(f"no public event has the {what} {value!r}; known: {hint or 'none'}")
    return key


def resolve_day(view: ProgrammeView, value: str | date) -> date:
    """A meeting day from an ISO date or a 1-based day number; UsageError names the valid days."""
    days = view.meeting.days
    listing = ", ".join(f"{i} = {d.isoformat()}" for i, d in enumerate(days, start=1))
    if isinstance(value, date):
        wanted = value
    else:
        text = value.strip()
        if text.isdigit():
            number = int(text)
            if not 1 <= number <= len(days):
                raise UsageError(f"--day {value}: the meeting has days {listing}")
            return days[number - 1]
        try:
            wanted = date.fromisoformat(text)
        except ValueError as error:
            raise UsageError(f"--day {value!r}: expected an ISO date or a day number ({listing})") from error
    if wanted not in days:
        raise UsageError(f"--day {wanted.isoformat()} is not a meeting day; days are {listing}")
    return wanted


def resolve_room(view: ProgrammeView, value: str) -> Room:
    """A room by id or by name (case-insensitive); UsageError lists the rooms."""
    key = value.strip().casefold()
    for room in view.problem.rooms:
        if room.id.casefold() == key:
            return room
    matches = [room for room in view.problem.rooms if room.name.casefold() == key]
    if len(matches) == 1:
        return matches[0]
    listing = ", ".join(f"{room.id} ({room.name})" for room in view.problem.rooms)
    raise UsageError(f"--room {value!r}: no such room; rooms are {listing}")
