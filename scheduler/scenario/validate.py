"""Re-validating a Problem after a scenario: fields that no longer fit, and events left with no possible place.

A mistake is blamed on the scenario key that caused it; a problem the data had before the scenario is
left to solve and explain.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from ..errors import SourceLocation, suggest
from ..grid import event_speakers_fit, occupied_slots, overlaps
from ..model import Problem, SideEvent, event_end
from .parse import Action
from .state import UTC, Working

Busy = dict[tuple[str, str], list[tuple[datetime, datetime]]]  # (kind, id) -> UTC intervals


def validate_result(s: Working, problem: Problem) -> None:
    """Report what the scenario broke: event fields that no longer fit, events with no place at all."""
    busy = _busy(problem)
    base_busy: Busy | None = None
    for event in problem.events:
        touched = s.set_by.get(event.id)
        if touched:
            mistakes = _field_problems(s, problem, event)
            for fields_, message in mistakes:
                s.error(_blame(s, event.id, fields_), f"event {event.id}: {message}")
            if mistakes:
                continue
        found = _no_place(problem, event, busy)
        if found is None:
            continue
        reason, fields_ = found
        before = s.base.events_by_id.get(event.id)
        if before is not None and not (touched and any(name in touched for name in fields_)):
            base_busy = base_busy if base_busy is not None else _busy(s.base)
            if _no_place(s.base, before, base_busy) is not None:
                continue  # no place even without the scenario: a data problem, reported by solve/explain
        if touched:
            s.error(_blame(s, event.id, fields_), f"event {event.id} has no possible place: {reason}")
            continue
        culprit = _culprit(s, problem, event)
        where = culprit.at() if culprit else SourceLocation(s.scenario.path)
        s.error(where, f"leaves event {event.id} with no possible place: {reason}")


def _blame(s: Working, event_id: str, fields_: Iterable[str]) -> SourceLocation:
    """The key of the scenario that set the first of ``fields_`` on the event, else the entry."""
    touched = s.set_by[event_id]
    for name in fields_:
        if name in touched:
            entry = touched[name]
            return entry.at(name) if name in entry.values else entry.at()
    return list(touched.values())[-1].at()


def _field_problems(s: Working, problem: Problem, event: SideEvent) -> list[tuple[tuple[str, ...], str]]:
    """Field-level mistakes of an added or changed event (the loader's rules for events.csv)."""
    found: list[tuple[tuple[str, ...], str]] = []
    if event.format != "virtual" and event.attendance is None:
        found.append((("attendance", "format"), f"a {event.format} event needs an attendance"))
    for speaker_id in event.speakers:
        speaker = problem.speakers_by_id.get(speaker_id)
        if speaker is None:
            found.append((("speakers",), f"unknown speaker {speaker_id!r}{suggest(speaker_id, s.speakers)}"))
        elif speaker.remote and event.format == "in_person":
            found.append((("format", "speakers"), f"speaker {speaker_id} is remote, so the event must be "
                                                  "hybrid or virtual, not in_person"))
    strangers = [d.isoformat() for d in event.preferred_days if d not in problem.meeting.days]
    if strangers:
        found.append((("preferred_days",), f"preferred days {', '.join(strangers)} are not meeting days"))
    return found


def _busy(problem: Problem) -> Busy:
    busy: Busy = {}
    for u in problem.unavailability:
        busy.setdefault((u.kind, u.id), []).append((u.start.astimezone(UTC), u.end.astimezone(UTC)))
    return busy


def _free(busy: Busy, kind: str, who: str, start: datetime, end: datetime) -> bool:
    return not any(overlaps(start, end, a, b) for a, b in busy.get((kind, who), ()))


def _no_place(problem: Problem, event: SideEvent, busy: Busy) -> tuple[str, tuple[str, ...]] | None:
    """Why ``event`` has no (room, start) obeying rules 2-4 and 7-10 on its own; None if it has one.

    Returns the reason and the event fields that could fix it, most likely first.
    """
    tz = ZoneInfo(problem.meeting.timezone)
    starts: list[datetime] = []
    for day_slots in problem.slots_by_day.values():
        for index, slot in enumerate(day_slots):
            if occupied_slots(day_slots, index, event.duration, event.format):
                starts.append(slot.start)
    if not starts:
        return f"no run of slots open to {event.format} events holds {event.duration} minutes", ("duration", "format")
    if event.start is not None:
        pinned = event.start.astimezone(UTC)
        starts = [start for start in starts if start.astimezone(UTC) == pinned]
        if not starts:
            shown = event.start.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            return (f"a {event.duration}-minute {event.format} event cannot start at {shown} "
                    "(not a slot start, or the slots from there do not hold it)", ("start", "duration", "format"))
    if event.room is not None:
        room = problem.rooms_by_id.get(event.room)
        if room is None:
            return f"pinned room {event.room!r} does not exist", ("room",)
        if not room.accepts_format(event.format):
            return f"room {room.id} cannot host a {event.format} event", ("room", "format")
        if not room.is_virtual and (room.capacity or 0) < (event.attendance or 0):
            return f"room {room.id} seats {room.capacity}, the event expects {event.attendance}", ("room", "attendance")
        rooms = [room]
    else:
        rooms = [r for r in problem.rooms if r.accepts_format(event.format)
                 and (r.is_virtual or (r.capacity or 0) >= (event.attendance or 0))]
        if not rooms:
            return f"no room takes a {event.format} event of {event.attendance} people", ("format", "attendance")
    usable = []
    causes: set[str] = set()
    for start in starts:
        end = event_end(start, event.duration)
        if any(event.format in p.formats and overlaps(start, end, p.start, p.end) for p in problem.blocked):
            causes.add("blocked periods")
            continue
        late = event_speakers_fit(problem, event, start, end)
        if late is not None:
            causes.add(f"remote speaker {late.id}'s hours")
            continue
        away = [who for who in event.speakers if not _free(busy, "speaker", who, start, end)]
        if away:
            causes.add(f"speaker {away[0]} unavailable")
        elif not _free(busy, "organizer", event.organizer, start, end):
            causes.add(f"organizer {event.organizer} unavailable")
        else:
            usable.append((start, end))
    if not usable:
        return f"every possible start is ruled out ({'; '.join(sorted(causes))})", ("speakers", "start", "duration")
    if any(_free(busy, "room", room.id, start, end) for start, end in usable for room in rooms):
        return None
    names = ", ".join(room.id for room in rooms[:5]) + (" ..." if len(rooms) > 5 else "")
    when = (f"at its pinned start {event.start.astimezone(tz):%Y-%m-%d %H:%M}" if event.start is not None
            else "at every possible start")
    return f"room{'s' if len(rooms) > 1 else ''} {names} closed {when}", ("room", "start")


def _culprit(s: Working, problem: Problem, event: SideEvent) -> Action | None:
    """The first scenario entry that takes a resource away from an event it did not name."""
    rooms = {event.room} if event.room else {r.id for r in problem.rooms if r.accepts_format(event.format)}
    for unavailability, entry in s.added:
        kind, who = unavailability.kind, unavailability.id
        if ((kind == "room" and who in rooms) or (kind == "speaker" and who in event.speakers)
                or (kind == "organizer" and who == event.organizer)):
            return entry
    return None
