"""Which events a re-plan moved against the previous schedule, how, and why, in a planner's words.

Plain Python over finished schedules (no solver imports), so it serves the solver's metadata
(``moves``), the summary ``solve --previous`` prints, and tests alike. An event *moved* when the
previous schedule placed it and the new one puts it in another room, at another start, or leaves
it out (``score.move_kind``); new events and events unscheduled before never count.

The reason of a move comes from checking the event's old placement against the new problem with the
independent checker (``scheduler.check.check``) on a small schedule: the old placement alone for
the rules of one event (room closed, speaker unavailable, pin, duration...), together with the new
placements of the events that share its room or people for the clashes. An old placement that
only clashes with an event that moved or arrived there was given up "to make room" for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta, timezone
from typing import Any

from .check import Violation, check_schedule
from .model import Assignment, Problem, Schedule, SideEvent
from .score import move_kind

UTC = timezone.utc
VOLUNTARY = "moved to lower the total score"
# Rules about one event alone: a broken one means the old placement is no longer allowed at all.
OWN_RULES = ("room_kind", "capacity", "slot_run", "blocked_period", "remote_hours", "unavailability", "pins")
CLASH_RULES = ("room_clash", "speaker_clash", "organizer_clash")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def moved_events(problem: Problem, previous: Schedule, schedule: Schedule) -> list[str]:
    """Ids of the events of ``problem`` that ``previous`` placed and ``schedule`` moved, sorted."""
    before, after = previous.by_event, schedule.by_event
    return sorted(e.id for e in problem.events if move_kind(problem, before.get(e.id), after.get(e.id)) is not None)


def describe_moves(problem: Problem, previous: Schedule, schedule: Schedule,
                   left_out: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """One record per moved event, by event id: ``event_id``, ``before``, ``after``, ``kind``, ``reason``.

    ``before``/``after`` are ``{"room", "start", "end"}`` with ISO datetimes, or None when unscheduled;
    ``kind`` is ``room``, ``time`` or ``day`` (score.move_kind); ``left_out`` gives the reasons of
    events the new schedule leaves unscheduled.
    """
    records = []
    before, after = previous.by_event, schedule.by_event
    for event_id in moved_events(problem, previous, schedule):
        old, new = before[event_id], after.get(event_id)
        records.append({
            "event_id": event_id,
            "before": _placement(old),
            "after": _placement(new),
            "kind": move_kind(problem, old, new),
            "reason": move_reason(problem, previous, schedule, event_id, left_out=left_out),
        })
    return records


def _placement(assignment: Assignment | None) -> dict[str, str] | None:
    if assignment is None or not assignment.scheduled:
        return None
    assert assignment.start is not None
    end = assignment.end.isoformat(timespec="seconds") if assignment.end else None
    return {"room": assignment.room or "", "start": assignment.start.isoformat(timespec="seconds"), "end": end}


def old_placement_violations(problem: Problem, previous: Schedule, schedule: Schedule,
                             event_id: str) -> list[Violation]:
    """The hard rules the event's previous placement breaks in ``problem``, next to ``schedule``'s others.

    The others are the events of ``schedule`` that share the old room, a speaker or the organizer.
    """
    old = previous.by_event[event_id]
    event = problem.events_by_id[event_id]
    trial = Assignment(event_id, old.room, old.start, None)  # the end follows from the new duration
    mine = set(event.speakers) | {("organizer", event.organizer)}
    related = [a for a in schedule.scheduled if a.event_id != event_id and a.event_id in problem.events_by_id
               and (a.room == old.room or mine & _people(problem.events_by_id[a.event_id]))]
    found = check_schedule(problem, Schedule((trial, *related)), allow_unscheduled=True)
    return [v for v in found if v.rule != "one_placement" and event_id in v.ids]


def _people(event: SideEvent) -> set:
    return set(event.speakers) | {("organizer", event.organizer)}


def move_reason(problem: Problem, previous: Schedule, schedule: Schedule, event_id: str, *,
                left_out: Mapping[str, str] | None = None) -> str:
    """Why the event left its previous placement: the rules that placement breaks now, or what took it."""
    violations = old_placement_violations(problem, previous, schedule, event_id)
    old = previous.by_event[event_id]
    own = _unique(text for v in violations if v.rule in OWN_RULES for text in _own_texts(problem, old, v))
    if own:
        return "; ".join(own)
    made_room: list[str] = []
    clashes: list[str] = []
    for v in violations:
        if v.rule not in CLASH_RULES:
            continue
        other = next(i for i in v.ids[:2] if i != event_id)
        if move_kind(problem, previous.by_event.get(other), schedule.by_event.get(other)) is not None or \
                not _was_placed(previous, other):
            made_room.append(other)
        else:
            clashes.append(_clash_text(v, other))
    parts = _unique(clashes)
    if made_room:
        parts.append("moved to make room for " + ", ".join(sorted(set(made_room))))
    if parts:
        return "; ".join(parts)
    new = schedule.by_event.get(event_id)
    if new is None or not new.scheduled:
        return f"left unscheduled: {(left_out or {}).get(event_id, 'not placed')}"
    return VOLUNTARY


def _was_placed(previous: Schedule, event_id: str) -> bool:
    assignment = previous.by_event.get(event_id)
    return assignment is not None and assignment.scheduled


def _unique(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(texts))


def _clash_text(violation: Violation, other: str) -> str:
    who = violation.ids[2] if len(violation.ids) > 2 else ""
    if violation.rule == "speaker_clash":
        return f"speaker {who} is also in {other} at that time"
    if violation.rule == "organizer_clash":
        return f"organizer {who} also holds {other} at that time"
    return f"{other} keeps room {who} at that time"


def _own_texts(problem: Problem, old: Assignment, violation: Violation) -> list[str]:
    """The reasons one broken rule of the old placement gives, as short phrases."""
    event = problem.events_by_id[old.event_id]
    room_id = old.room or ""
    room = problem.rooms_by_id.get(room_id)
    assert old.start is not None
    start = old.start.astimezone(UTC)
    end = start + timedelta(minutes=event.duration)
    rule = violation.rule
    if rule == "room_kind":
        return [f"its room {room_id} no longer exists" if room is None
                else f"its room {room_id} does not suit a {event.format} event"]
    if rule == "capacity":
        return [f"its room {room_id} seats {room.capacity if room else '?'}, fewer than the "
                f"{event.attendance} now expected"]
    if rule == "slot_run":
        old_minutes = _minutes(old)
        if old_minutes is not None and old_minutes != event.duration:
            return [f"its duration changed from {old_minutes} to {event.duration} min"]
        return [f"its start {_local(problem, start)} no longer fits the time grid"]
    if rule == "blocked_period":
        return [f"{_when(problem, p.start, p.end)} is now blocked" + (f": {p.reason}" if p.reason else "")
                for p in problem.blocked if event.format in p.formats and _overlap(start, end, p.start, p.end)]
    if rule == "remote_hours":
        speaker = problem.speakers_by_id.get(violation.ids[1] if len(violation.ids) > 1 else "")
        if speaker is None:
            return [violation.message]
        low = speaker.earliest or problem.meeting.remote_hours[0]
        high = speaker.latest or problem.meeting.remote_hours[1]
        return [f"remote speaker {speaker.id} can only take part {low:%H:%M}-{high:%H:%M} {speaker.timezone} time"]
    if rule == "unavailability":
        return _unavailability_texts(problem, event, room_id, start, end) or [violation.message]
    if rule == "pins":
        texts = []
        if event.room is not None and event.room != room_id:
            texts.append(f"pinned to room {event.room}")
        if event.start is not None and event.start.astimezone(UTC) != start:
            texts.append(f"pinned to start at {_local(problem, event.start)}")
        return texts or [violation.message]
    return [violation.message]  # pragma: no cover - every own rule is handled above


def _unavailability_texts(problem: Problem, event: SideEvent, room_id: str, start: datetime,
                          end: datetime) -> list[str]:
    texts = []
    for item in sorted(problem.unavailability, key=lambda u: (u.kind, u.id, u.start.astimezone(UTC))):
        if not _overlap(start, end, item.start, item.end):
            continue
        why = f": {item.reason}" if item.reason else ""
        when = _when(problem, item.start, item.end)
        if item.kind == "room" and item.id == room_id:
            texts.append(f"its room {room_id} closed {when}{why}")
        elif item.kind == "speaker" and item.id in event.speakers:
            texts.append(f"speaker {item.id} now unavailable {when}{why}")
        elif item.kind == "organizer" and item.id == event.organizer:
            texts.append(f"organizer {item.id} now unavailable {when}{why}")
    return texts


def _minutes(assignment: Assignment) -> int | None:
    if assignment.start is None or assignment.end is None:
        return None
    return int((assignment.end.astimezone(UTC) - assignment.start.astimezone(UTC)).total_seconds() // 60)


def _overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start.astimezone(UTC) < b_end.astimezone(UTC) and b_start.astimezone(UTC) < a_end.astimezone(UTC)


def _local(problem: Problem, moment: datetime) -> str:
    return moment.astimezone(problem.meeting.tz).strftime("%Y-%m-%d %H:%M")


def _when(problem: Problem, start: datetime, end: datetime) -> str:
    """``on 2022-05-18`` for whole local days, else ``on 2022-05-19 08:00-09:00`` or a from-to span."""
    tz = problem.meeting.tz
    first, last = start.astimezone(tz), end.astimezone(tz)
    if first.time() == time(0) and last.time() == time(0) and last > first:
        final = (last - timedelta(days=1)).date()
        return f"on {first.date()}" if final == first.date() else f"from {first.date()} to {final}"
    if first.date() == last.date():
        return f"on {first.date()} {first:%H:%M}-{last:%H:%M}"
    return f"from {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}"


def placement_text(problem: Problem, placement: Mapping[str, str] | None) -> str:
    """A ``before``/``after`` record as ``M1 Tue 17 May 13:10`` (venue time), or ``unscheduled``."""
    if not placement:
        return "unscheduled"
    start = datetime.fromisoformat(placement["start"]).astimezone(problem.meeting.tz)
    # English names whatever the process locale, so the text is the same everywhere
    return f"{placement['room']} {_DAYS[start.weekday()]} {start.day} {_MONTHS[start.month - 1]} {start:%H:%M}"


def move_line(problem: Problem, move: Mapping[str, Any]) -> str:
    """One line of the summary: ``E17: M1 Tue 17 May 13:10 -> M2 Wed 18 May 08:10 (its room M1 closed ...)``."""
    return (f"{move['event_id']}: {placement_text(problem, move.get('before'))} -> "
            f"{placement_text(problem, move.get('after'))} ({move.get('reason', '')})")
