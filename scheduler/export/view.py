"""One shared view of a schedule, built once and fed to every exporter: days -> slots -> rooms -> events.

Resolves ids into objects (rooms, speakers), converts times to the venue zone and drops private
events unless asked, so exporters only format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from ..model import Problem, Room, Schedule, SideEvent, Slot, Speaker


@dataclass(frozen=True)
class EventView:
    """A scheduled event with everything an exporter prints, times in the venue zone."""

    event: SideEvent
    room: Room
    start: datetime
    end: datetime
    speakers: tuple[Speaker, ...]
    slots: tuple[Slot, ...]  # the grid slots its interval overlaps

    @property
    def id(self) -> str:
        """The event id (stable; calendar UIDs derive from it)."""
        return self.event.id

    @property
    def day(self) -> date:
        """The venue-local day it runs on."""
        return self.start.date()

    @property
    def start_utc(self) -> datetime:
        """Start as a UTC instant."""
        return self.start.astimezone(timezone.utc)

    @property
    def end_utc(self) -> datetime:
        """End as a UTC instant."""
        return self.end.astimezone(timezone.utc)


@dataclass(frozen=True)
class DayView:
    """One day's grid: its slots, the rooms, and which event sits in each (slot, room) cell."""

    day: date
    slots: tuple[Slot, ...]
    rooms: tuple[Room, ...]
    events: tuple[EventView, ...]
    cells: dict[tuple[str, str], EventView] = field(hash=False, compare=False)

    def cell(self, slot: Slot, room: Room) -> EventView | None:
        """The event occupying ``slot`` in ``room``, if any."""
        return self.cells.get((slot.id, room.id))


@dataclass(frozen=True)
class ProgrammeView:
    """The whole programme: meeting, rooms, days, and events in time order."""

    problem: Problem
    days: tuple[DayView, ...]
    events: tuple[EventView, ...]
    unscheduled: tuple[SideEvent, ...]

    @property
    def meeting(self):  # noqa: ANN201 - Meeting, kept loose to avoid a cycle in type checkers
        """The meeting this programme belongs to."""
        return self.problem.meeting

    @property
    def rooms(self) -> tuple[Room, ...]:
        """Every room and channel, in input order."""
        return self.problem.rooms


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
        day_slots = problem.slots_by_day.get(start.date(), ())
        start_utc, end_utc = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
        covered = tuple(
            s for s in day_slots
            if s.start.astimezone(timezone.utc) < end_utc and start_utc < s.end.astimezone(timezone.utc)
        )
        speakers = tuple(problem.speakers_by_id[s] for s in event.speakers if s in problem.speakers_by_id)
        views.append(EventView(event, problem.rooms_by_id[assignment.room], start, end, speakers, covered))
    views.sort(key=_event_order)
    days = tuple(_day_view(problem, day, views) for day in problem.meeting.days)
    unscheduled.sort(key=lambda e: e.id)
    return ProgrammeView(problem, days, tuple(views), tuple(unscheduled))


def _day_view(problem: Problem, day: date, views: list[EventView]) -> DayView:
    todays = tuple(v for v in views if v.day == day)
    cells: dict[tuple[str, str], EventView] = {}
    for view in todays:
        for slot in view.slots:
            cells.setdefault((slot.id, view.room.id), view)
    return DayView(day, problem.slots_by_day.get(day, ()), problem.rooms, todays, cells)
