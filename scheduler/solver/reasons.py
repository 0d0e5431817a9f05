"""Why an event has no place, or was left out, in words a planner understands.

Shared by the solve (reasons of unscheduled events in a schedule's metadata, events with no possible
placement at all) and by ``explain.py``, which renders conflicting rule instances with the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..grid import speaker_window
from ..model import Problem
from .build import people
from .greedy import Occupancy
from .variables import Domain, RoomGroup

if TYPE_CHECKING:  # pragma: no cover
    from .session import Session

_ROOM_WORD = {"in_person": "physical room", "hybrid": "hybrid room", "virtual": "virtual channel"}


def moment_text(moment: datetime) -> str:
    """A moment as ``2022-05-17 10:00`` (in the zone it carries)."""
    return moment.strftime("%Y-%m-%d %H:%M")


def span_text(problem: Problem, start: datetime, end: datetime) -> str:
    """A period in the venue's zone, ``2022-05-17 10:00-12:00`` (the end's date only when it differs)."""
    tz = problem.meeting.tz
    start, end = start.astimezone(tz), end.astimezone(tz)
    tail = end.strftime("%H:%M") if end.date() == start.date() else moment_text(end)
    return f"{moment_text(start)}-{tail}"


def speaker_text(problem: Problem, speaker_id: str) -> str:
    """A speaker with the zone and local hours they take part in: ``speaker S1 (Asia/Tokyo, 07:00-22:00)``."""
    speaker = problem.speakers_by_id[speaker_id]
    low, high = speaker_window(speaker, problem.meeting.remote_hours)
    return f"speaker {speaker.id} ({speaker.timezone}, {low.strftime('%H:%M')}-{high.strftime('%H:%M')})"


def instance_text(problem: Problem, rule: str, instance: object) -> str:
    """A rule instance that excludes placements, as a noun phrase."""
    if rule == "remote_hours":
        return f"the local hours of {speaker_text(problem, str(instance))}"
    if rule == "blocked_period":
        period = problem.blocked[int(instance)]  # type: ignore[call-overload]
        label = f"'{period.reason}' " if period.reason else ""
        return f"the blocked period {label}({span_text(problem, period.start, period.end)})"
    if rule == "unavailability":
        item = problem.unavailability[int(instance)]  # type: ignore[call-overload]
        why = f" ({item.reason})" if item.reason else ""
        return f"{item.kind} {item.id} being unavailable {span_text(problem, item.start, item.end)}{why}"
    if rule == "pins":
        event = problem.events_by_id[str(instance)]
        return f"the pin of {event.id}" + (f" to start at {moment_text(event.start.astimezone(problem.meeting.tz))}"
                                           if event.start else "")
    return rule


def describe_empty(problem: Problem, groups: Sequence[RoomGroup], domain: Domain) -> str:
    """Why ``domain``'s event has no placement left: the rule (or rules) that removed its last option."""
    event = domain.event
    name = f"{event.id} ({event.format}, {event.duration} min)"
    if not domain.groups:
        return _why_no_room(problem, groups, domain)
    if not domain.all_starts:
        return (f"{name} fits no run of consecutive slots open to {event.format} events "
                f"(rule 4: it must end by the end of the last slot it overlaps)")
    if not domain.starts:
        counts: dict[tuple[str, object], int] = {}
        for slot in domain.all_starts:
            for reason in dict.fromkeys(domain.start_reasons.get(slot, [])):
                counts[reason] = counts.get(reason, 0) + 1
        total = len(domain.all_starts)
        for (rule, instance), count in sorted(counts.items(), key=repr):
            if count == total and rule == "remote_hours":
                return f"{speaker_text(problem, str(instance))} can attend no slot of {event.id}'s format ({name})"
            if count == total:
                return f"{name} has no possible start: {instance_text(problem, rule, instance)} excludes all {total}"
        parts = [f"{instance_text(problem, rule, instance)} excludes {count}"
                 for (rule, instance), count in sorted(counts.items(), key=lambda item: (-item[1], repr(item[0])))]
        return f"{name} has no possible start; of its {total} slot starts, " + "; ".join(parts)
    labels = ", ".join(groups[g].label for g in domain.groups)
    return f"{name}: its possible rooms ({labels}) are unavailable at every start it could take"


def _why_no_room(problem: Problem, groups: Sequence[RoomGroup], domain: Domain) -> str:
    event = domain.event
    word = _ROOM_WORD.get(event.format, "room")
    kind_ok = [g for g in groups if "room_kind" not in {r for r, _ in domain.group_reasons.get(g.index, [])}]
    if not kind_ok:
        return f"{event.id} is {event.format} but the meeting has no {word}"
    fits = [g for g in kind_ok if "capacity" not in {r for r, _ in domain.group_reasons.get(g.index, [])}]
    if not fits:
        largest = max(g.first.capacity or 0 for g in kind_ok)
        return f"{event.id} needs {event.attendance} seats; the largest {word} has {largest}"
    room = problem.rooms_by_id.get(event.room or "")
    if room is None:
        return f"{event.id} is pinned to room {event.room}, which does not exist"
    if not room.accepts_format(event.format):
        return f"{event.id} is pinned to room {room.id}, which is not a {word}"
    return f"{event.id} is pinned to room {room.id} ({room.capacity} seats) but needs {event.attendance} seats"


def left_out_reason(session: Session, event_id: str) -> str:
    """Why an event with possible placements stayed unscheduled: the few events that hold its nearest place.

    Of every place the event could take, the one held by the fewest (then lowest-priority) events is
    named with those events; the kind of competition is judged over every place.
    """
    from ..presolve.words import event_text

    problem, data, chosen = session.problem, session.data, session.incumbent or {}
    domain = session.domains[event_id]
    event = domain.event
    occupants: dict[tuple[int, int], list[str]] = {}
    for other, placement in chosen.items():
        if placement is not None:
            for slot in placement.start.occupied:
                occupants.setdefault((placement.group, slot), []).append(other)
    occupancy = Occupancy(data)
    for other, placement in sorted(chosen.items()):
        if placement is not None:
            occupancy.add(problem.events_by_id[other], placement)
    blockers: set[str] = set()
    nearest: tuple[tuple[int, int, int, int], int, Any, dict[str, str]] | None = None
    for group, start in domain.pairs():
        takers: dict[str, str] = {}  # event -> what it holds: the room, or a person's time
        for slot in start.occupied:
            if len(occupants.get((group, slot), [])) >= session.groups[group].size:
                takers.update(dict.fromkeys(occupants[(group, slot)], "the room"))
        for person in people(event):
            for begin, end, other in occupancy.busy.get(person, ()):
                if begin < start.end and start.begin < end:
                    takers.setdefault(other, f"{person[0]} {person[1]}")
        blockers.update(takers)
        rank = (len(takers), max((problem.events_by_id[e].priority for e in takers), default=0), group, start.slot)
        if nearest is None or rank < nearest[0]:
            nearest = (rank, group, start, takers)
    if not blockers or nearest is None or not nearest[3]:
        return f"left out: placing {event.id} would cost more than leaving it out (priority {event.priority})"
    priorities = [problem.events_by_id[e].priority for e in blockers]
    if min(priorities) > event.priority:
        kind = "higher-priority events"
    elif min(priorities) == event.priority:
        kind = "events of equal or higher priority"
    else:
        kind = "events, some of lower priority"
    _, group, start, takers = nearest
    held = sorted(takers, key=lambda e: (-problem.events_by_id[e].priority, e))
    names = "; ".join(f"{event_text(problem.events_by_id[e])} (priority {problem.events_by_id[e].priority}"
                      + ("" if takers[e] == "the room" else f", {takers[e]}") + ")" for e in held)
    count = sum(1 for _ in domain.pairs())
    labels = sorted({session.groups[g].label for g, _ in domain.pairs()})
    return (f"left out for {kind}: its nearest place, {session.groups[group].label} at {moment_text(start.at)}, "
            f"is held by {names}; all its {count} possible places (rooms {', '.join(labels)}) are taken "
            f"(its priority: {event.priority})")


# Above this many (event, room group, start) combinations before the guardable rules prune them, the
# model with one assumption literal per rule instance gets too big to build and solve within seconds
