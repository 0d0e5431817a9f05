"""The presolve checks, one small named function each; ``PRESOLVE_CHECKS`` is the table of contents.

Every check is a necessary condition: it reports only what no valid schedule can avoid, and each
finding's ``leave_out`` counts events that must stay unscheduled among the finding's own events.
The first checks look at one event (or one pinned pair) at a time; the counting checks (people's
time, room demand, pinned rooms) consider only the events that still have a place, so that their
findings never share an event with the per-event ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from ..grid import speaker_window
from ..model import FORMATS, Room, SideEvent, Speaker
from .context import Finding, PresolveInput, bits, epoch, fewest_to_drop, union
from .words import FORMAT_WORD, ROOM_WORD, capital, event_text, events_text, plural, room_text, rooms_text

# --- one event at a time --------------------------------------------------------------------------


def seats(ctx: PresolveInput) -> Iterator[Finding]:
    """Rules 2 and 3: every event has a room of its kind, and one that seats its expected audience."""
    without: dict[str, list[SideEvent]] = {}
    for event in ctx.problem.events:
        kind = ctx.kind_mask(event.format)
        if not kind:
            without.setdefault(event.format, []).append(event)
        elif not kind & ctx.seats_mask(event.attendance):
            largest = max(ctx.room_list(kind), key=lambda room: room.capacity or 0)
            word, seated = ROOM_WORD[event.format], largest.capacity or 0
            yield ctx.finding(
                "seats",
                f"{event_text(event)} expects {event.attendance:,} people, but the largest {word}, "
                f"{room_text(largest)}, seats only {seated:,}.",
                f"Lower its expected attendance to {seated:,}, add a {word} with at least {event.attendance:,} "
                "seats, or make it virtual.",
                [event], 1)
    for fmt, events in without.items():
        word = ROOM_WORD.get(fmt, f"room for format {fmt!r}")
        how = {"virtual": "kind = virtual", "hybrid": "a physical room with hybrid = true"}.get(fmt, "a physical room")
        yield ctx.finding(
            "seats",
            f"The meeting has no {word}, yet {plural(len(events), FORMAT_WORD.get(fmt, fmt) + ' event')} "
            f"{'needs' if len(events) == 1 else 'need'} one: {events_text(events)}.",
            f"Add {how} to rooms.csv, or change the format of these events.",
            events, len(events))


def pin_reasons(ctx: PresolveInput, event: SideEvent) -> tuple[list[str], list[str]]:
    """Why the event's room pin and start pin cannot hold, as clauses (both empty when they can)."""
    room_reasons: list[str] = []
    room = ctx.problem.rooms_by_id.get(event.room) if event.room is not None else None
    if event.room is not None and ctx.kind_mask(event.format) & ctx.seats_mask(event.attendance):
        if room is None:
            room_reasons.append(f"no room {event.room} exists")
        elif event.format in FORMATS and not room.accepts_format(event.format):
            room_reasons.append(f"that room is not a {ROOM_WORD[event.format]}")
        elif not ctx.room_bit[room.id] & ctx.seats_mask(event.attendance):
            room_reasons.append(f"that room seats only {room.capacity:,}, fewer than its {event.attendance:,} "
                                "expected people")
    start_reasons: list[str] = []
    if event.start is not None and ctx.options[event.id].valid:
        start_reasons = _start_pin_reasons(ctx, event, None if room_reasons else room)
    return room_reasons, start_reasons


def _start_pin_reasons(ctx: PresolveInput, event: SideEvent, room: Room | None) -> list[str]:
    """Why the pinned start cannot hold: no valid start, a blocked period, remote hours, unavailability."""
    assert event.start is not None
    if event.start.tzinfo is None:
        return ["its pinned start has no time zone"]
    moment, starts = epoch(event.start), ctx.options[event.id].starts
    bit = starts.at(moment)
    if not bit:
        if moment not in ctx.grid.begin:
            return [f"{ctx.when(moment)} is not a slot start"]
        return [f"no run of consecutive slots open to {FORMAT_WORD.get(event.format, event.format)} events holds "
                f"its {event.duration} minutes from {ctx.when(moment)[11:]}"]
    reasons = []
    end = moment + event.duration * 60
    for period in ctx.problem.blocked:
        if event.format in period.formats and moment < epoch(period.end) and epoch(period.start) < end:
            label = f"“{period.reason}” " if period.reason else ""
            span = ctx.span(epoch(period.start), epoch(period.end))
            reasons.append(f"it overlaps the blocked period {label}({span})")
    for speaker in ctx.remote_speakers(event):
        if not bit & ctx.in_hours(event, speaker):
            reasons.append(f"it falls outside the hours of remote {ctx.who('speaker', speaker.id)} "
                           f"({_hours(ctx, speaker)})")
    for kind, who in ctx.people(event):
        if (kind, who) in ctx.closed and bit & ctx.busy(event, kind, who):
            reasons.append(f"{ctx.who(kind, who)} is unavailable then")
    if room is not None and event.room is not None and bit & ctx.busy(event, "room", event.room):
        reasons.append(f"{room_text(room)} is unavailable then")
    return reasons


def _hours(ctx: PresolveInput, speaker: Speaker) -> str:
    """``08:00-20:00 Africa/Nairobi time``: a remote speaker's local hours."""
    low, high = speaker_window(speaker, ctx.problem.meeting.remote_hours)
    return f"{low.strftime('%H:%M')}-{high.strftime('%H:%M')} {speaker.timezone} time"


def pins(ctx: PresolveInput) -> Iterator[Finding]:
    """Rule 10: a pinned room suits the event, and a pinned start is a valid start open to it."""
    for event in ctx.problem.events:
        room_reasons, start_reasons = pin_reasons(ctx, event)
        if not room_reasons and not start_reasons:
            continue
        where = []
        if event.start is not None:
            where.append(f"start at {ctx.when(epoch(event.start))}" if event.start.tzinfo else "a start")
        if event.room is not None:
            room = ctx.problem.rooms_by_id.get(event.room)
            where.append(f"{'in ' if where else ''}{room_text(room) if room else 'room ' + event.room}")
        fixes = []
        if room_reasons:
            seats = f" seating at least {event.attendance:,}" if event.format != "virtual" and event.attendance else ""
            fixes.append(f"pin it to a {ROOM_WORD.get(event.format, 'room')}{seats} or clear its room pin")
        if start_reasons:
            fixes.append("pin it to another start or clear its start pin")
        fix = " and ".join(fixes)
        yield ctx.finding(
            "pins",
            f"{event_text(event)} is pinned to {' '.join(where)}, but {'; '.join(room_reasons + start_reasons)}.",
            f"{fix[0].upper()}{fix[1:]} (the room and start columns of events.csv).",
            [event], 1)


def no_run(ctx: PresolveInput) -> Iterator[Finding]:
    """Rule 4: some run of consecutive slots open to the event's format holds its duration."""
    for event in ctx.problem.events:
        if not ctx.options[event.id].valid:
            fmt = FORMAT_WORD.get(event.format, event.format)
            yield ctx.finding(
                "no_run",
                f"{event_text(event)} lasts {event.duration} minutes, but no run of consecutive slots open to {fmt} "
                "events holds it on any day.",
                f"Shorten it, or open consecutive slots to {fmt} events in meeting.toml.",
                [event], 1)


def _hours_miss(ctx: PresolveInput, event: SideEvent) -> list[Speaker]:
    """The event's remote speakers whose local hours hold none of its valid starts."""
    valid = ctx.options[event.id].valid
    return [s for s in ctx.remote_speakers(event) if valid and not valid & ctx.in_hours(event, s)]


def remote_hours(ctx: PresolveInput) -> Iterator[Finding]:
    """Rule 8: each remote speaker's local hours, in their zone, hold some valid start of their event."""
    for event in ctx.problem.events:
        for speaker in _hours_miss(ctx, event):
            fmt = FORMAT_WORD.get(event.format, event.format)
            yield ctx.finding(
                "remote_hours",
                f"Remote {ctx.who('speaker', speaker.id)} takes part {_hours(ctx, speaker)}, but no valid start of "
                f"the {event.duration}-minute {fmt} event {event_text(event)} lies within those hours.",
                f"Widen the speaker's earliest/latest hours in speakers.csv, open slots to {fmt} events within them, "
                "or give the event another speaker.",
                [event], 1)


def no_place(ctx: PresolveInput) -> Iterator[Finding]:
    """Rules 7 to 9 together: some valid start survives blocked periods, remote hours and unavailability, in a room."""
    for event in ctx.problem.events:
        opts = ctx.options[event.id]
        if opts.placeable or not opts.valid or not ctx.kind_mask(event.format) & ctx.seats_mask(event.attendance) \
                or any(pin_reasons(ctx, event)) or _hours_miss(ctx, event):
            continue
        if opts.free:
            rooms = ctx.room_list(ctx.allowed(event))
            message = f"{event_text(event)} has no room left: {rooms_text(rooms)} " \
                      f"{'is' if len(rooms) == 1 else 'are'} unavailable at every start left to it."
            fix = "Shorten the rooms' unavailability in unavailability.csv or widen their opening hours (rooms.csv " \
                  "hours), or pin the event elsewhere."
        else:
            causes = []
            if opts.valid & ctx.blocked(event):
                causes.append("blocked periods")
            causes += [f"the hours of remote {ctx.who('speaker', s.id)}" for s in ctx.remote_speakers(event)
                       if opts.valid & ~ctx.in_hours(event, s)]
            causes += [f"the unavailability of {ctx.who(kind, who)}" for kind, who in ctx.people(event)
                       if (kind, who) in ctx.closed and opts.valid & ctx.busy(event, kind, who)]
            causes = causes or ["the time rules together"]
            joined = causes[0] if len(causes) == 1 else ", ".join(causes[:-1]) + " and " + causes[-1]
            message = f"{event_text(event)} has no possible start: {joined} rule out each of its " \
                      f"{plural(len(opts.starts.slots), 'valid start')}."
            fix = "Shorten the unavailability or blocked periods, widen the remote speakers' hours, or open more " \
                  f"slots to {FORMAT_WORD.get(event.format, event.format)} events."
        yield ctx.finding("no_place", message, fix, [event], 1)


# --- pinned pairs ---------------------------------------------------------------------------------


def _clusters(items: Iterable[tuple[int, int, SideEvent]]) -> Iterator[list[tuple[int, int, SideEvent]]]:
    """Groups of half-open intervals [begin, end) linked by overlaps, each of two or more."""
    group: list[tuple[int, int, SideEvent]] = []
    reach = 0
    for item in sorted(items, key=lambda i: (i[0], i[1], i[2].id)):
        if group and item[0] >= reach:
            if len(group) > 1:
                yield group
            group = []
        reach = max(reach, item[1]) if group else item[1]
        group.append(item)
    if len(group) > 1:
        yield group


def _most_apart(items: Sequence[tuple[int, int, SideEvent]]) -> int:
    """The most intervals that do not overlap one another (earliest end first is optimal)."""
    count, reach = 0, None
    for begin, end, _ in sorted(items, key=lambda i: i[1]):
        if reach is None or begin >= reach:
            count, reach = count + 1, end
    return count


def pinned_clash(ctx: PresolveInput) -> Iterator[Finding]:
    """Rules 5 and 6: events pinned to overlapping times share no speaker, organizer or room."""
    pinned = [e for e in ctx.placeable if e.start is not None]
    by_person: dict[tuple[str, str], list[tuple[int, int, SideEvent]]] = {}
    by_room: dict[str, list[tuple[int, int, SideEvent]]] = {}
    for event in pinned:
        assert event.start is not None
        begin = epoch(event.start)
        for person in ctx.people(event):
            by_person.setdefault(person, []).append((begin, begin + event.duration * 60, event))
        if event.room is not None:
            first, last = ctx.options[event.id].starts.runs[next(bits(ctx.options[event.id].free))]
            by_room.setdefault(event.room, []).append((first, last + 1, event))
    people: dict[tuple[str, ...], tuple[list[tuple[int, int, SideEvent]], list[tuple[str, str]]]] = {}
    for person, items in by_person.items():
        for group in _clusters(items):
            key = tuple(sorted(e.id for _, _, e in group))
            people.setdefault(key, (group, []))[1].append(person)
    for group, who in people.values():
        names = " and ".join(ctx.who(kind, name) for kind, name in who)
        times = ", ".join(f"{e.id} {ctx.span(begin, end)}" for begin, end, e in group)
        yield ctx.finding(
            "pinned_clash",
            f"{capital(names)} would be in {events_text([e for _, _, e in group], 6)} at once: they are "
            f"pinned to overlapping times ({times}).",
            "Move a start pin so the events do not overlap, clear a start pin, or give one event another "
            f"{'speaker' if who[0][0] == 'speaker' else 'organizer'}.",
            [e for _, _, e in group], len(group) - _most_apart(group))
    for room_id, items in by_room.items():
        for group in _clusters(items):
            events = [e for _, _, e in group]
            times = ", ".join(f"{e.id} {ctx.span(epoch(e.start), epoch(e.start) + e.duration * 60)}"
                              for e in events if e.start is not None)
            yield ctx.finding(
                "pinned_clash",
                f"{events_text(events, 6)} are all pinned to {room_text(ctx.problem.rooms_by_id[room_id])} at "
                f"overlapping slots ({times}).",
                "Pin one of them to another room or start, or clear a pin.",
                events, len(group) - _most_apart(group))


# --- counting checks ------------------------------------------------------------------------------


def _open_time(ctx: PresolveInput, events: Sequence[SideEvent], enough: int) -> int:
    """Seconds of the union of every interval the events could take (stops counting at ``enough``)."""
    by_length: dict[int, int] = {}
    for event in events:
        by_length[event.duration * 60] = by_length.get(event.duration * 60, 0) | ctx.options[event.id].free
    longest_first = sorted(by_length.items(), reverse=True)
    slot_begin = ctx.grid.begin
    intervals: Iterable[tuple[int, int]] = (
        (slot_begin[i], slot_begin[i] + next(seconds for seconds, mask in longest_first if mask >> i & 1))
        for i in bits(union(by_length.values())))  # in time order, lazily, so that counting can stop early
    if not ctx.grid.chronological:
        intervals = sorted(intervals)
    covered, reach = 0, None
    for begin, end in intervals:
        if reach is None or begin >= reach:
            covered, reach = covered + end - begin, end
        elif end > reach:
            covered, reach = covered + end - reach, end
        if covered >= enough:
            break
    return covered


def person_time(ctx: PresolveInput) -> Iterator[Finding]:
    """Rule 6: a speaker's or organizer's events fit, one after another, in the time open to them."""
    by_person: dict[tuple[str, str], list[SideEvent]] = {}
    for event in ctx.placeable:
        for person in ctx.people(event):
            by_person.setdefault(person, []).append(event)
    for (kind, who), events in by_person.items():
        if len(events) < 2 or all(event.start is not None for event in events):
            continue  # one event always fits; events all pinned in time are pinned_clash's
        needed = sum(event.duration * 60 for event in events)
        available = _open_time(ctx, events, needed)
        if available >= needed:
            continue
        name = ctx.who(kind, who)
        fix = ("Give some of these events another speaker, shorten them, or widen when the speaker can take part "
               "(unavailability.csv, earliest/latest)." if kind == "speaker" else
               "Shorten or merge some of these events, or free the organizer's time in unavailability.csv.")
        yield ctx.finding(
            "person_time",
            f"{capital(name)} needs {plural(needed // 60, 'minute')} for {len(events)} events "
            f"({events_text(events)}), but only {plural(available // 60, 'minute')} of the grid are open to them.",
            fix, events, fewest_to_drop((e.duration * 60 for e in events), available))


def _over(ctx: PresolveInput, rooms: int, events: Sequence[SideEvent]) -> tuple[int, int, int] | None:
    """(demand, supply, events to drop) in room-minutes when the events cannot fit in ``rooms``, else None."""
    needs = [ctx.need(event) for event in events]
    formats = {event.format for event in events}
    supply = sum(ctx.room_minutes(room, formats) for room in ctx.room_list(rooms))
    demand = sum(needs)
    return (demand, supply, fewest_to_drop(needs, supply)) if demand > supply else None


def _rooms_phrase(ctx: PresolveInput, rooms: int) -> str:
    """``the 3 hybrid rooms seating at least 150``, ``the 2 virtual channels`` or a list of rooms."""
    listed = ctx.room_list(rooms)
    if len(listed) == 1:
        return room_text(listed[0])
    for fmt, word in (("virtual", "virtual channel"), ("hybrid", "hybrid room"), ("in_person", "physical room")):
        kind = ctx.kind_mask(fmt)
        if rooms == kind:
            return f"the {plural(len(listed), word)}"
        least = min((room.capacity or 0) for room in listed)
        if fmt != "virtual" and rooms == kind & ctx.seats_mask(least):
            return f"the {plural(len(listed), word)} seating at least {least:,}"
    return f"rooms {rooms_text(listed)}"


def _room_sets(ctx: PresolveInput) -> list[int]:
    """The room sets to test: channels, hybrid and physical rooms (also by seats), and each event's own set."""
    hybrid, physical = ctx.kind_mask("hybrid"), ctx.kind_mask("in_person")
    sets = {ctx.kind_mask("virtual"), hybrid, physical}
    for capacity in {room.capacity for room in ctx.rooms if not room.is_virtual and room.capacity is not None}:
        sets |= {hybrid & ctx.seats_mask(capacity), physical & ctx.seats_mask(capacity)}
    sets |= {ctx.options[event.id].rooms for event in ctx.placeable if event.room is None}
    sets.discard(0)
    return sorted(sets, key=lambda mask: (mask.bit_count(), mask))


def room_demand(ctx: PresolveInput) -> Iterator[Finding]:
    """Rules 2, 3 and 5: the room-minutes needed by the events that can only use some rooms fit in those rooms."""
    found: list[Finding] = []
    for rooms in _room_sets(ctx):
        events = [event for event in ctx.placeable if not ctx.options[event.id].rooms & ~rooms]
        if not events or (rooms.bit_count() == 1 and all(event.room is not None for event in events)):
            continue  # nothing to fit, or only pins (room_pins)
        over = _over(ctx, rooms, events)
        if over is None:
            continue
        demand, supply, drop = over
        phrase = _rooms_phrase(ctx, rooms)
        one = rooms.bit_count() == 1
        found.append(ctx.finding(
            "room_demand",
            f"{plural(len(events), 'event')} ({events_text(events)}) can only use {phrase} and need at least "
            f"{demand:,} room-minutes there, but {'it offers' if one else 'they offer'} only {supply:,}: "
            f"{demand - supply:,} too many.",
            "Add rooms or open more slots to these events' formats in meeting.toml, shorten events, or move some "
            "to another format.",
            events, drop))
    yield from _strongest(found)


def _strongest(findings: Sequence[Finding]) -> list[Finding]:
    """Drop each finding implied by another: one over a subset of its events that leaves out at least as many."""
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (len(f.events), -f.leave_out)):
        events = set(finding.events)
        if not any(set(k.events) <= events and k.leave_out >= finding.leave_out for k in kept):
            kept.append(finding)
    order = {id(f): i for i, f in enumerate(findings)}
    return sorted(kept, key=lambda f: order[id(f)])


def room_pins(ctx: PresolveInput) -> Iterator[Finding]:
    """Rules 5 and 10: the events pinned to one room fit in the time that room is open to them."""
    by_room: dict[str, list[SideEvent]] = {}
    for event in ctx.placeable:
        if event.room is not None:
            by_room.setdefault(event.room, []).append(event)
    for room_id, events in by_room.items():
        if len(events) < 2 or all(event.start is not None for event in events):
            continue  # one event always fits; events all pinned in time are pinned_clash's
        over = _over(ctx, ctx.room_bit[room_id], events)
        if over is None:
            continue
        demand, supply, drop = over
        yield ctx.finding(
            "room_pins",
            f"{plural(len(events), 'event')} pinned to {room_text(ctx.problem.rooms_by_id[room_id])} "
            f"({events_text(events)}) need at least {demand:,} minutes of it, but it is open to them for only "
            f"{supply:,}.",
            "Pin some of them to another room, or clear their room pins.",
            events, drop)


# --- table of contents ----------------------------------------------------------------------------

PRESOLVE_CHECKS: dict[str, Callable[[PresolveInput], Iterable[Finding]]] = {
    "seats": seats,
    "pins": pins,
    "no_run": no_run,
    "remote_hours": remote_hours,
    "no_place": no_place,
    "pinned_clash": pinned_clash,
    "person_time": person_time,
    "room_demand": room_demand,
    "room_pins": room_pins,
}
