"""The independent validator: every hard rule of the data format, checked over a finished Schedule.

A second implementation on purpose: plain Python over instants in UTC, with its own slot-run, overlap
and local-hours logic. It imports neither the solver nor ``grid.py``, so a bug there cannot hide here.
``check_rules`` is the table of contents; each rule is a short function whose name is what a
violation report prints.

Conventions:
- An event's interval is [start, start + duration) whatever ``end`` the schedule carries; an ``end``
  that disagrees with start + duration is itself a ``slot_run`` violation (the event would not fill
  the run of slots it claims).
- A room id the problem does not know is a ``room_kind`` violation; such an event is still checked
  for the rules that need no room (clashes of people, blocked periods, remote hours...).
- An event listed twice is a ``one_placement`` violation; only its first row takes part in the
  other rules.
- Pins bind only an event that is placed; leaving an event unscheduled is the business of
  ``one_placement`` (and ``allow_unscheduled``).
- Violation ids list the event ids first (sorted), then the room, speaker or organizer involved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cached_property
from zoneinfo import ZoneInfo

from .model import Assignment, Problem, Room, Schedule, SideEvent, Slot, Unavailability

UTC = timezone.utc


@dataclass(frozen=True)
class Violation:
    """One broken hard rule: the rule's name, the ids involved and a sentence a planner can act on."""

    rule: str
    ids: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class Placement:
    """A scheduled event as the checker sees it: the event, its room (None if unknown) and UTC interval."""

    event: SideEvent
    assignment: Assignment
    room: Room | None
    start: datetime  # UTC
    end: datetime  # UTC, always start + duration


@dataclass(frozen=True)
class CheckInput:
    """What every rule function receives: the problem, the schedule and the placements built once."""

    problem: Problem
    schedule: Schedule
    allow_unscheduled: bool = False

    @cached_property
    def placements(self) -> tuple[Placement, ...]:
        """First row of each known event that has a room and an aware start, in event-id order."""
        seen: set[str] = set()
        result: list[Placement] = []
        for assignment in self.schedule.assignments:
            event = self.problem.events_by_id.get(assignment.event_id)
            if event is None or assignment.event_id in seen:
                continue
            seen.add(assignment.event_id)
            if not assignment.scheduled or not _aware(assignment.start):
                continue
            start = assignment.start.astimezone(UTC)
            end = start + timedelta(minutes=event.duration)
            room = self.problem.rooms_by_id.get(assignment.room or "")
            result.append(Placement(event, assignment, room, start, end))
        return tuple(sorted(result, key=lambda p: p.event.id))

    @cached_property
    def venue_tz(self) -> ZoneInfo:
        """The venue's zone, for messages and the venue-local day of an event."""
        return ZoneInfo(self.problem.meeting.timezone)

    @cached_property
    def slots_of_day(self) -> dict[date, list[Slot]]:
        """Each day's slots ordered by their start instant, then end instant."""
        days: dict[date, list[Slot]] = {}
        for slot in self.problem.slots:
            days.setdefault(slot.day, []).append(slot)
        for slots in days.values():
            slots.sort(key=lambda s: (s.start.astimezone(UTC), s.end.astimezone(UTC)))
        return days

    def local(self, instant: datetime) -> str:
        """An instant as venue-local ``2022-05-16 13:10`` for messages."""
        return instant.astimezone(self.venue_tz).strftime("%Y-%m-%d %H:%M")


def _aware(value: datetime | None) -> bool:
    """True for a datetime that knows its offset from UTC."""
    return value is not None and value.tzinfo is not None and value.utcoffset() is not None


def _overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open [a_start, a_end) and [b_start, b_end) share an instant; compared in UTC."""
    return a_start.astimezone(UTC) < b_end.astimezone(UTC) and b_start.astimezone(UTC) < a_end.astimezone(UTC)


def _slots_touched(ctx: CheckInput, start: datetime, end: datetime, day: date | None = None) -> list[Slot]:
    """The slots (of ``day``, else of every day) whose interval overlaps [start, end), in time order."""
    days = [day] if day is not None else sorted(ctx.slots_of_day)
    return [slot for d in days for slot in ctx.slots_of_day.get(d, []) if _overlap(start, end, slot.start, slot.end)]


def _pairs(placements: Iterable[Placement]) -> Iterator[tuple[Placement, Placement]]:
    """Every unordered pair, the one with the smaller event id first."""
    items = sorted(placements, key=lambda p: p.event.id)
    for i, first in enumerate(items):
        for second in items[i + 1 :]:
            yield first, second


# --- rule 1 -----------------------------------------------------------------------------------------


def one_placement(ctx: CheckInput) -> Iterator[Violation]:
    """Rule 1: every event appears exactly once and is placed (unless unscheduled events are allowed)."""
    rows: dict[str, list[Assignment]] = {}
    for assignment in ctx.schedule.assignments:
        rows.setdefault(assignment.event_id, []).append(assignment)
    for event_id in sorted(rows):
        if event_id not in ctx.problem.events_by_id:
            yield Violation("one_placement", (event_id,), f"event {event_id} is in the schedule but not in the input")
    for event in sorted(ctx.problem.events, key=lambda e: e.id):
        mine = rows.get(event.id, [])
        if not mine:
            yield Violation("one_placement", (event.id,), f"event {event.id} is missing from the schedule")
            continue
        if len(mine) > 1:
            yield Violation("one_placement", (event.id,), f"event {event.id} appears {len(mine)} times")
        first = mine[0]
        half = (first.room is None) != (first.start is None)
        if half:
            yield Violation(
                "one_placement",
                (event.id,),
                f"event {event.id} has a {'room' if first.room is not None else 'start'} but no "
                f"{'start' if first.room is not None else 'room'}",
            )
        elif not first.scheduled and not ctx.allow_unscheduled:
            yield Violation(
                "one_placement", (event.id,), f"event {event.id} is unscheduled (allowed only with --allow-unscheduled)"
            )


# --- rules 2 and 3 ----------------------------------------------------------------------------------


def room_kind(ctx: CheckInput) -> Iterator[Violation]:
    """Rule 2: in_person in a physical room, hybrid in a hybrid physical room, virtual in a virtual one."""
    for p in ctx.placements:
        room_id = p.assignment.room or ""
        ids = (p.event.id, room_id)
        if p.room is None:
            yield Violation("room_kind", ids, f"event {p.event.id} is in room {room_id}, which does not exist")
            continue
        fmt, room = p.event.format, p.room
        if fmt == "virtual":
            ok = room.kind == "virtual"
            need = "a virtual room"
        elif fmt == "hybrid":
            ok = room.kind == "physical" and room.hybrid
            need = "a physical room with hybrid = true"
        elif fmt == "in_person":
            ok = room.kind == "physical"
            need = "a physical room"
        else:
            ok, need = False, "a known format"
        if not ok:
            kind = "virtual" if room.kind == "virtual" else ("hybrid physical" if room.hybrid else "physical")
            yield Violation(
                "room_kind",
                ids,
                f"event {p.event.id} ({fmt}) is in room {room.id} ({kind}); it needs {need}",
            )


def capacity(ctx: CheckInput) -> Iterator[Violation]:
    """Rule 3: a physical room seats at least the event's expected attendance."""
    for p in ctx.placements:
        room, attendance = p.room, p.event.attendance
        if room is None or room.kind != "physical" or attendance is None or room.capacity is None:
            continue
        if room.capacity < attendance:
            yield Violation(
                "capacity",
                (p.event.id, room.id),
                f"event {p.event.id} expects {attendance} people but room {room.id} seats {room.capacity}",
            )


# --- rules 4 and 5 ----------------------------------------------------------------------------------


def slot_run(ctx: CheckInput) -> Iterator[Violation]:
    """Rule 4: starts at a slot start; the slots it overlaps are consecutive, open to its format, and cover it."""
    for assignment in ctx.schedule.assignments:
        if assignment.scheduled and not _aware(assignment.start):
            yield Violation(
                "slot_run", (assignment.event_id,), f"event {assignment.event_id} has a start without a UTC offset"
            )
    for p in ctx.placements:
        yield from _slot_run_of(ctx, p)


def _slot_run_of(ctx: CheckInput, p: Placement) -> Iterator[Violation]:
    """The slot-run violations of one placed event (at most one per kind of fault)."""
    event_id, fmt = p.event.id, p.event.format
    ids = (event_id,)
    claimed_end = p.assignment.end
    if claimed_end is not None and (not _aware(claimed_end) or claimed_end.astimezone(UTC) != p.end):
        shown = ctx.local(claimed_end) if _aware(claimed_end) else claimed_end.isoformat()
        yield Violation(
            "slot_run",
            ids,
            f"event {event_id} ends at {shown} but starts at {ctx.local(p.start)} and lasts "
            f"{p.event.duration} min, so it ends at {ctx.local(p.end)}",
        )
    starts_here = [s for slots in ctx.slots_of_day.values() for s in slots if s.start.astimezone(UTC) == p.start]
    if not starts_here:
        yield Violation("slot_run", ids, f"event {event_id} starts at {ctx.local(p.start)}, which is not a slot start")
        return
    first = starts_here[0]
    day_slots = ctx.slots_of_day[first.day]
    touched = _slots_touched(ctx, p.start, p.end, first.day) or [first]
    position = day_slots.index(first)
    expected = day_slots[position : position + len(touched)]
    if touched != expected:
        yield Violation(
            "slot_run",
            ids,
            f"event {event_id} at {ctx.local(p.start)} overlaps slots that are not consecutive from its start "
            f"slot: {', '.join(s.id for s in touched)}",
        )
    closed = [s.id for s in touched if fmt not in s.formats]
    if closed:
        yield Violation(
            "slot_run", ids, f"event {event_id} ({fmt}) runs into slot {', '.join(closed)}, closed to {fmt} events"
        )
    last_end = max(s.end.astimezone(UTC) for s in touched)
    if p.end > last_end:
        yield Violation(
            "slot_run",
            ids,
            f"event {event_id} runs until {ctx.local(p.end)}, past the end of its last slot at {ctx.local(last_end)}",
        )


def room_clash(ctx: CheckInput) -> Iterator[Violation]:
    """Rule 5: two events in one room never occupy a common slot (nor overlap in time at all)."""
    by_room: dict[str, list[Placement]] = {}
    for p in ctx.placements:
        if p.room is not None:
            by_room.setdefault(p.room.id, []).append(p)
    for room_id in sorted(by_room):
        slots = {p.event.id: {s.id for s in _slots_touched(ctx, p.start, p.end)} for p in by_room[room_id]}
        for a, b in _pairs(by_room[room_id]):
            common = sorted(slots[a.event.id] & slots[b.event.id])
            if common or _overlap(a.start, a.end, b.start, b.end):
                where = f"slot {', '.join(common)}" if common else f"{ctx.local(max(a.start, b.start))}"
                yield Violation(
                    "room_clash",
                    (a.event.id, b.event.id, room_id),
                    f"events {a.event.id} and {b.event.id} are both in room {room_id} at {where}",
                )


# --- rule 6 -----------------------------------------------------------------------------------------


def speaker_clash(ctx: CheckInput) -> Iterator[Violation]:
    """Rule 6: no speaker is in two events whose intervals overlap (hosts and moderators may be)."""
    by_speaker: dict[str, list[Placement]] = {}
    for p in ctx.placements:
        for speaker_id in sorted(set(p.event.speakers)):
            by_speaker.setdefault(speaker_id, []).append(p)
    for speaker_id in sorted(by_speaker):
        yield from _clashes("speaker_clash", "speaker", speaker_id, by_speaker[speaker_id], ctx)


def organizer_clash(ctx: CheckInput) -> Iterator[Violation]:
    """Rule 6: no organizer is in two events whose intervals overlap."""
    by_organizer: dict[str, list[Placement]] = {}
    for p in ctx.placements:
        if p.event.organizer:
            by_organizer.setdefault(p.event.organizer, []).append(p)
    for organizer in sorted(by_organizer):
        yield from _clashes("organizer_clash", "organizer", organizer, by_organizer[organizer], ctx)


def _clashes(rule: str, what: str, who: str, placements: list[Placement], ctx: CheckInput) -> Iterator[Violation]:
    """One violation per pair of ``placements`` whose intervals overlap."""
    for a, b in _pairs(placements):
        if _overlap(a.start, a.end, b.start, b.end):
            yield Violation(
                rule,
                (a.event.id, b.event.id, who),
                f"{what} {who} is in events {a.event.id} ({ctx.local(a.start)}-{ctx.local(a.end)[-5:]}) and "
                f"{b.event.id} ({ctx.local(b.start)}-{ctx.local(b.end)[-5:]}) at once",
            )


# --- rules 7, 8 and 9 -------------------------------------------------------------------------------


def blocked_period(ctx: CheckInput) -> Iterator[Violation]:
    """Rule 7: no event of a blocked format overlaps a blocked period."""
    for p in ctx.placements:
        for period in ctx.problem.blocked:
            if p.event.format in period.formats and _overlap(p.start, p.end, period.start, period.end):
                reason = f" ({period.reason})" if period.reason else ""
                yield Violation(
                    "blocked_period",
                    (p.event.id,),
                    f"event {p.event.id} ({p.event.format}, {ctx.local(p.start)}-{ctx.local(p.end)[-5:]}) overlaps "
                    f"the blocked period {ctx.local(period.start)} to {ctx.local(period.end)}{reason}",
                )


def remote_hours(ctx: CheckInput) -> Iterator[Violation]:
    """Rule 8: the whole event lies inside each remote speaker's local hours, in their zone on that date."""
    default = ctx.problem.meeting.remote_hours
    for p in ctx.placements:
        for speaker_id in sorted(set(p.event.speakers)):
            speaker = ctx.problem.speakers_by_id.get(speaker_id)
            if speaker is None or not speaker.remote:
                continue
            earliest = speaker.earliest or default[0]
            latest = speaker.latest or default[1]
            tz = ZoneInfo(speaker.timezone)
            if not _inside_local_window(p.start, p.end, tz, earliest, latest):
                fmt = "%Y-%m-%d %H:%M"
                yield Violation(
                    "remote_hours",
                    (p.event.id, speaker_id),
                    f"event {p.event.id} runs {p.start.astimezone(tz).strftime(fmt)}-"
                    f"{p.end.astimezone(tz).strftime('%H:%M')} {speaker.timezone} time, outside remote speaker "
                    f"{speaker_id}'s hours {earliest.strftime('%H:%M')}-{latest.strftime('%H:%M')}",
                )


def _inside_local_window(start: datetime, end: datetime, tz: ZoneInfo, earliest: time, latest: time) -> bool:
    """[start, end) lies inside one daily window earliest-latest of zone ``tz``.

    The window opens at ``earliest`` local time on some date and closes at ``latest`` the same date,
    or the next date when ``latest <= earliest`` (past midnight). Only windows opening on the local
    date of the start or the date before can contain the start, so those two are tried.
    """
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    start_date = start_utc.astimezone(tz).date()
    for opening_date in (start_date - timedelta(days=1), start_date):
        closing_date = opening_date if latest > earliest else opening_date + timedelta(days=1)
        opens = datetime.combine(opening_date, earliest, tzinfo=tz).astimezone(UTC)
        closes = datetime.combine(closing_date, latest, tzinfo=tz).astimezone(UTC)
        if opens <= start_utc and end_utc <= closes:
            return True
    return False


def unavailability(ctx: CheckInput) -> Iterator[Violation]:
    """Rule 9: no room, speaker or organizer is used while unavailable."""
    by_whom: dict[tuple[str, str], list[Unavailability]] = {}
    for item in ctx.problem.unavailability:
        by_whom.setdefault((item.kind, item.id), []).append(item)
    for p in ctx.placements:
        whom = [("speaker", speaker_id) for speaker_id in sorted(set(p.event.speakers))]
        whom.append(("organizer", p.event.organizer))
        if p.room is not None:
            whom.append(("room", p.room.id))
        items = [item for key in whom for item in by_whom.get(key, [])]
        for item in sorted(items, key=lambda u: (u.kind, u.id, u.start.astimezone(UTC), u.end.astimezone(UTC))):
            if _overlap(p.start, p.end, item.start, item.end):
                reason = f" ({item.reason})" if item.reason else ""
                yield Violation(
                    "unavailability",
                    (p.event.id, item.id),
                    f"event {p.event.id} ({ctx.local(p.start)}-{ctx.local(p.end)[-5:]}) uses {item.kind} {item.id}, "
                    f"unavailable {ctx.local(item.start)} to {ctx.local(item.end)}{reason}",
                )


def room_hours(ctx: CheckInput) -> Iterator[Violation]:
    """A room with opening hours holds events only inside them (the union of its open periods)."""
    for p in ctx.placements:
        if p.room is None or not p.room.hours:
            continue
        merged: list[list[datetime]] = []
        for begin, end in sorted((b.astimezone(UTC), e.astimezone(UTC)) for b, e in p.room.hours):
            if merged and begin <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([begin, end])
        if not any(begin <= p.start and p.end <= end for begin, end in merged):
            hours = ", ".join(f"{ctx.local(b)}-{ctx.local(e)[-5:]}" for b, e in merged)
            yield Violation(
                "room_hours",
                (p.event.id, p.room.id),
                f"event {p.event.id} ({ctx.local(p.start)}-{ctx.local(p.end)[-5:]}) is in room {p.room.id} outside "
                f"its opening hours ({hours})",
            )


# --- rule 10 ----------------------------------------------------------------------------------------


def pins(ctx: CheckInput) -> Iterator[Violation]:
    """Rule 10: a pinned room and a pinned start hold for a placed event."""
    for p in ctx.placements:
        if p.event.room is not None and p.assignment.room != p.event.room:
            yield Violation(
                "pins",
                (p.event.id,),
                f"event {p.event.id} is pinned to room {p.event.room} but placed in room {p.assignment.room}",
            )
        pinned = p.event.start
        if pinned is not None and (not _aware(pinned) or pinned.astimezone(UTC) != p.start):
            shown = ctx.local(pinned) if _aware(pinned) else pinned.isoformat()
            yield Violation(
                "pins",
                (p.event.id,),
                f"event {p.event.id} is pinned to start at {shown} but starts at {ctx.local(p.start)}",
            )


# --- table of contents ------------------------------------------------------------------------------

check_rules: dict[str, Callable[[CheckInput], Iterable[Violation]]] = {
    "one_placement": one_placement,
    "room_kind": room_kind,
    "capacity": capacity,
    "slot_run": slot_run,
    "room_clash": room_clash,
    "speaker_clash": speaker_clash,
    "organizer_clash": organizer_clash,
    "blocked_period": blocked_period,
    "remote_hours": remote_hours,
    "unavailability": unavailability,
    "room_hours": room_hours,
    "pins": pins,
}

HARD_RULE_NAMES: tuple[str, ...] = tuple(check_rules)


def check_schedule(problem: Problem, schedule: Schedule, *, allow_unscheduled: bool = False) -> list[Violation]:
    """Every hard-rule violation of ``schedule`` for ``problem``, in rule order, then by ids and message.

    An empty list means the schedule is valid. ``allow_unscheduled`` permits events left unscheduled.
    """
    ctx = CheckInput(problem, schedule, allow_unscheduled)
    found: set[Violation] = set()
    for rule in check_rules.values():
        found.update(rule(ctx))
    order = {name: index for index, name in enumerate(HARD_RULE_NAMES)}
    return sorted(found, key=lambda v: (order[v.rule], v.ids, v.message))
