"""One sentence of cause for a conflict, with titles and names next to ids.

``explain.py`` finds a minimal set of conflicting rule instances and renders each as a line; a
planner still has to see what they add up to. Most often it is a count: N events that can only use a
few rooms at a few times, with one place too few ("10 hybrid events of 110 minutes need 10 places,
but M3, M7 and BR-D offer only 9 ..."). ``cause`` says that in one sentence, naming what took the
places away (rooms closed, blocked periods, pins, people's hours), and ``involved`` lists the events
by id, title and organizer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, time
from typing import Any

from ..model import Problem, SideEvent, Unavailability
from ..presolve.words import FORMAT_WORD, event_text, plural, rooms_text
from .constraints import Instance
from .reasons import moment_text, span_text, speaker_text
from .variables import Domain, RoomGroup, Timeline

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SHOWN = 12  # events listed by title at most; the rest are counted


def days_text(days: Sequence[date]) -> str:
    """``16, 17 and 19 May`` (or ``31 May and 1 Jun``): dates in order, the month once per run."""
    days = sorted(set(days))
    parts: list[str] = []
    for index, day in enumerate(days):
        last_of_month = index == len(days) - 1 or days[index + 1].month != day.month
        parts.append(f"{day.day} {_MONTHS[day.month - 1]}" if last_of_month else str(day.day))
    return _and(parts)


def when_text(problem: Problem, items: Sequence[Unavailability]) -> str:
    """``on 16, 17 and 19 May`` for whole local days, else ``during 2022-05-17 09:00-10:00, ...``."""
    tz = problem.meeting.tz
    if all(i.start.astimezone(tz).time() == i.end.astimezone(tz).time() == time(0) for i in items):
        return "on " + days_text([i.start.astimezone(tz).date() for i in items])
    return "during " + ", ".join(span_text(problem, i.start, i.end) for i in sorted(items, key=lambda i: i.start))


def _kind_text(events: Sequence[SideEvent]) -> str:
    """``10 hybrid events of 110 minutes``, or ``7 events (hybrid and in-person, 50-110 minutes)``."""
    formats = sorted({FORMAT_WORD.get(e.format, e.format) for e in events})
    durations = sorted({e.duration for e in events})
    if len(formats) == 1 and len(durations) == 1:
        return f"{len(events)} {formats[0]} event{'s' if len(events) != 1 else ''} of {durations[0]} minutes"
    length = f"{durations[0]} minutes" if len(durations) == 1 else f"{durations[0]}-{durations[-1]} minutes"
    return f"{plural(len(events), 'event')} ({' and '.join(formats)}, {length})"


def _and(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _times_text(problem: Problem, timeline: Timeline, slots: Sequence[int]) -> str:
    """``13:10 on 16, 17 and 19 May``, ``10:00, 11:00 and 12:00 on 17 May``, else each start."""
    tz = problem.meeting.tz
    starts = sorted({timeline.slots[s].start.astimezone(tz) for s in slots})
    hours = sorted({start.strftime("%H:%M") for start in starts})
    days = sorted({start.date() for start in starts})
    if len(hours) == 1:
        return f"{hours[0]} on {days_text(days)}"
    if len(days) == 1:
        return f"{_and(hours)} on {days_text(days)}"
    return ", ".join(f"{s.day} {_MONTHS[s.month - 1]} {s:%H:%M}" for s in starts)


def _why(problem: Problem, core: Sequence[Instance]) -> list[str]:
    """What took places away, grouped: each room or person's unavailability with its dates, blocked periods, pins."""
    unavailable: dict[tuple[str, str, str], list] = {}
    parts: list[str] = []
    for rule, instance in core:
        if rule == "unavailability":
            item = problem.unavailability[int(instance)]  # type: ignore[call-overload]
            unavailable.setdefault((item.kind, item.id, item.reason), []).append(item)
        elif rule == "blocked_period":
            period = problem.blocked[int(instance)]  # type: ignore[call-overload]
            label = f"“{period.reason}” " if period.reason else ""
            parts.append(f"the blocked period {label}({span_text(problem, period.start, period.end)})")
        elif rule == "pins":
            event = problem.events_by_id[str(instance)]
            where = f" to room {event.room}" if event.room else ""
            when = f" at {moment_text(event.start.astimezone(problem.meeting.tz))}" if event.start else ""
            parts.append(f"the pin of {event.id}{where}{when}")
        elif rule == "remote_hours":
            parts.append(f"the local hours of {speaker_text(problem, str(instance))}")
        elif rule in ("speaker_clash", "organizer_clash"):
            parts.append(f"{rule.split('_')[0]} {instance} being in one event at a time")
    for (kind, item_id, reason), items in unavailable.items():
        when = when_text(problem, items)
        name = problem.rooms_by_id[item_id].name if kind == "room" and item_id in problem.rooms_by_id else ""
        who = f"{kind} {item_id}" + (f" ({name})" if name and name != item_id else "")
        parts.insert(0, f"{who} being closed {when}" if kind == "room" else f"{who} being unavailable {when}")
        if reason:
            parts[0] += f" ({reason})"
    return parts


def places(events: Sequence[SideEvent], groups: Sequence[RoomGroup], domains: Mapping[str, Domain]
           ) -> tuple[list[tuple[str, int]], bool]:
    """Every (room, start slot) the events can take, and whether these places are apart (no two overlap in a room)."""
    taken: dict[tuple[int, int], set[int]] = {}
    for event in events:
        for group, start in domains[event.id].pairs():
            taken.setdefault((group, start.slot), set()).update(start.occupied)
    covering = Counter((group, slot) for (group, _), occupied in taken.items() for slot in occupied)
    apart = all(count == 1 for count in covering.values())
    return sorted((groups[g].label, slot) for g, slot in taken), apart


def cause(problem: Problem, diagnosis: Any) -> str:
    """One sentence of what a diagnosis' minimal conflict adds up to; "" when it names no event to place.

    "N events need N places, but ... offer only P" when the places they can take do not overlap and are
    fewer than the events; otherwise "N events cannot all be placed in ... at ...".
    """
    core, timeline = diagnosis.core, diagnosis.timeline
    events = sorted((problem.events_by_id[str(i)] for r, i in core if r == "one_placement"), key=lambda e: e.id)
    if not events or timeline is None:
        return ""
    why = _why(problem, core)
    because = f", because of {'; '.join(why)}" if why else ""
    options, apart = places(events, diagnosis.groups, diagnosis.domains)
    if not options:
        return f"{_kind_text(events)} cannot all be placed{because}."
    room_ids = sorted({room for label, _ in options for room in label.split("/")})
    rooms = rooms_text([problem.rooms_by_id[r] for r in room_ids if r in problem.rooms_by_id], limit=6)
    times = _times_text(problem, timeline, sorted({slot for _, slot in options}))
    if apart and len(options) < len(events):
        offer = "offers" if len(room_ids) == 1 else "offer"
        return (f"{_kind_text(events)} need {len(events)} places, but {rooms} {offer} only {len(options)} at the "
                f"times they can take ({times}){because}.")
    return f"{_kind_text(events)} cannot all be placed in {rooms} at the times they can take ({times}){because}."


def involved(problem: Problem, core: Sequence[Instance], limit: int = SHOWN) -> list[str]:
    """The conflict's events by id, title and organizer: ``SE014 “Protecting children…” (UNICEF)``."""
    events = sorted((problem.events_by_id[str(i)] for r, i in core if r == "one_placement"), key=lambda e: e.id)
    lines = [f"{event_text(e)} ({e.organizer}, priority {e.priority})" for e in events[:limit]]
    if len(events) > limit:
        lines.append(f"... and {len(events) - limit} more")
    return lines
