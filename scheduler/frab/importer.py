"""A Programme -> a meeting folder, the programme's own timetable, and a note on every choice made.

frab knows rooms, times, tracks and persons, but no seats, formats or organizers, and its times need
not fit one grid; :func:`import_frab` fills the gaps with stated defaults and says so in its notes
(one warning line each, with the detail in ``import-notes.md``). Pure: it reads the XML and returns
text; the caller writes the tree and publishes the timetable (under ``DIR/published/``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import UsageError
from ..export.folder import folder_files
from ..grid import SlotSpec, build_slots, overlaps
from ..model import (
    Assignment,
    BlockedPeriod,
    Meeting,
    Problem,
    Room,
    Schedule,
    SideEvent,
    Speaker,
    meeting_day,
)
from .read import FrabEvent, Programme, read_frab, slugify
from .roles import HOST_OVERLAPS, RoleChoice, assign_roles
from .roles import MODES as ROLE_MODES
from .timetable import (
    COMFORT_SHARE,
    DAY_MINUTES,
    choose_day_change,
    choose_grid,
    comfort_window,
    day_slot_specs,
    double_booked,
    hours_of_use,
    is_break,
    meeting_days,
    room_ids,
    type_tags,
    wall_minutes,
)

NOTES_FILE = "import-notes.md"
PUBLISHED = "published"  # the programme's own timetable, as an output folder
ATTENDANCE = 50
CAPACITY = 100
PRIORITY = 3
ROOMS_OPEN = ("used", "all")
BREAKS = ("blocked", "events")
SHOWN = 5
WHY_LEFT_OUT = {
    "past-day-change": "past the day change at {day_change}, into the next meeting day (a slot belongs to one day)",
    "no-duration": "no duration",
}  # ids shown on a warning line; import-notes.md lists them all


@dataclass(frozen=True)
class Note:
    """One choice the import made: a one-line message, and one line per event or person it concerns."""

    kind: str
    message: str
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"warning: {self.message}"


@dataclass(frozen=True)
class Imported:
    """What :func:`import_frab` returns: the folder as text, the programme's timetable, and the notes.

    ``files`` maps relative paths (meeting.toml, rooms.csv, ..., import-notes.md) to their text;
    ``schedule`` is the programme's own timetable over ``problem`` (its metadata has no
    ``published_at``: the publisher adds it).
    """

    files: dict[str, str]
    problem: Problem
    schedule: Schedule
    notes: tuple[Note, ...]
    programme: Programme
    grid: int
    slot_specs: tuple[SlotSpec, ...]
    left_out: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # reason -> frab event ids
    hosts: tuple[str, ...] = ()  # persons who speak on no event: they only host or moderate

    def tree(self, published_at: datetime) -> dict[str, str | bytes]:
        """The meeting folder plus the programme's own timetable published under ``published/``.

        ``published/`` is a whole output folder (schedule, feeds, timetables), so ``solve --previous``,
        ``check`` and ``compare`` take the human timetable as they take one of ours.
        """
        from ..publication import publish

        published = publish(self.problem, self.schedule, published_at=published_at)
        return {**self.files, **{f"{PUBLISHED}/{name}": text for name, text in published.items()}}


def import_frab(xml_path: str | Path, *, grid: int | None = None, rooms_open: str = "used",
                capacity: int = CAPACITY, attendance: int = ATTENDANCE, full_day: bool = False,
                roles: str = "auto", breaks: str = "blocked", timezone: str | None = None,
                source: str | None = None) -> Imported:
    """Import a frab schedule.xml as a meeting (folder text + its own timetable + notes on every choice).

    ``grid`` minutes (default: from the programme's times); ``rooms_open`` ``used`` opens each room
    only in its hours of use per day (rooms.csv ``hours``), ``all`` keeps it open; ``breaks`` ``blocked``
    turns break events into blocked periods, ``events`` keeps them as events; ``roles`` (``auto``, ``xml``,
    ``speakers``) decides who speaks and who hosts (:mod:`scheduler.frab.roles`); ``source`` names the tool
    in the header.
    """
    _check_options(grid, rooms_open, capacity, attendance, breaks, roles)
    programme = read_frab(xml_path, timezone=timezone)
    tz = ZoneInfo(programme.timezone)
    notes: list[Note] = []
    if programme.zone_guessed:
        notes.append(Note("timezone", f"no <time_zone_name>: every event date has the same UTC offset, so the "
                                      f"meeting's zone is {programme.timezone} (no clock changes)"))
    if programme.renamed:
        notes.append(Note("ids", f"{len(programme.renamed)} event ids repeat in the programme; the repeats get "
                                 f"a suffix: {_some(f'{a} -> {b}' for a, b in programme.renamed)}",
                          tuple(f"{a} -> {b}" for a, b in programme.renamed)))

    left_out: dict[str, tuple[str, ...]] = {}
    day_change = choose_day_change([e for e in programme.events if e.duration > 0], programme.day_starts)
    past = [e for e in programme.events if e.duration > 0 and
            wall_minutes(e.start, day_change) + e.duration > DAY_MINUTES]
    crossing = [e for e in programme.events if e.duration > 0 and e.end.date() > e.start.date() and e not in past]
    if crossing:
        notes.append(_about("day-change", crossing, ("event runs", "events run"),
                            f"until or past midnight: a meeting day runs from {day_change:%H:%M} to "
                            f"{day_change:%H:%M} the next day (day_change), so each stays on the day it started"))
    empty = [e for e in programme.events if e.duration <= 0]
    for kind, found, wording in (("past-day-change", past, ("event runs", "events run")),
                                 ("no-duration", empty, ("event has", "events have"))):
        if found:
            left_out[kind] = tuple(e.id for e in found)
            why = WHY_LEFT_OUT[kind].format(day_change=f"{day_change:%H:%M}")
            notes.append(_about(kind, found, wording, f"{why}; left out"))
    skipped = {e.id for e in past} | {e.id for e in empty}
    events = [e for e in programme.events if e.id not in skipped]

    blocked: list[BlockedPeriod] = []
    if breaks == "blocked":
        events, blocked = _breaks_blocked(events, notes, left_out)
    elif any(is_break(e) for e in events):
        found = [e for e in events if is_break(e)]
        notes.append(_about("breaks", found, ("break", "breaks"),
                            "(no person; title says break, lunch...) kept as events, as asked"))
    if not events:
        raise UsageError(f"{programme.source}: no event left to import (see the notes: "
                         f"{'; '.join(note.message for note in notes)})")
    days = meeting_days(events, day_change)
    blocked = [b for b in blocked if any(meeting_day(b.start, day_change) <= day <= meeting_day(b.end, day_change)
                                         for day in days)]

    if grid is None:
        grid, divisor = choose_grid(events, day_change)
        why = (f"the greatest common divisor of the start times and durations is {divisor} min"
               + ("" if divisor == grid else f", bounded to {grid}"))
    else:
        why = "as asked"
    specs = day_slot_specs(events, days, grid, full_day, day_change)
    off_grid = [e for e in events if wall_minutes(e.start, day_change) % grid]
    if off_grid:
        notes.append(_about("off-grid", off_grid, ("event starts", "events start"),
                            f"off the {grid}-minute grid; the slot each starts in is split there"))
    uneven = [e for e in events if e.duration % grid]
    if uneven:
        notes.append(_about("duration", uneven, ("event lasts", "events last"),
                            f"a time that is not a multiple of the {grid}-minute grid; each holds its last slot "
                            f"to the end"))

    ids = room_ids(programme.rooms)
    used = {e.room for e in events}
    hours = hours_of_use(events, days, day_change) if rooms_open == "used" else {}
    tags, wishes = type_tags(events)
    rooms = tuple(Room(ids[name], name, "physical", capacity, False, hours=hours.get(name, ()), tags=tags.get(name, ()))
                  for name in programme.rooms if name in used)
    if tags:
        notes.append(Note("room-tags", f"each room is tagged with the types of the events the programme holds in it, "
                                       f"and each event wishes for a room of its type (room_wish): "
                                       f"{_some(sorted(set(t for ts in tags.values() for t in ts)))}",
                          tuple(f"{name}: {', '.join(found)}" for name, found in tags.items())))
    unused = [name for name in programme.rooms if name not in used]
    if unused:
        notes.append(Note("rooms", f"{_n(unused, 'room has', 'rooms have')} no event to import, left out: "
                                   f"{_some(unused)}", tuple(unused)))
    notes.append(Note("capacity", f"frab gives no seats, formats or organizers: every room is physical with "
                                  f"{capacity} seats, not hybrid; every event in person for {attendance} people, "
                                  f"priority {PRIORITY}, its own organizer frab-<id>; its track as track and topic"))

    choice = assign_roles(events, roles)
    names = _person_names(events, notes)
    notes.extend(_role_notes(choice, names))
    speaking = {p for e in events for p in choice.of(e, "speaker")}
    clashes = double_booked(FrabEvent(e.id, e.title, e.room, e.start, e.duration, e.track,
                                      tuple((p, n) for p, n in e.persons if p in choice.of(e, "speaker")))
                            for e in events)
    if clashes:
        notes.append(Note("double-booked", f"{_n(clashes, 'speaker is', 'speakers are')} on two overlapping "
                                           f"events in the programme, kept as speakers: the programme's own "
                                           f"timetable breaks the speaker rule for them: "
                                           f"{_some(names[p] for p in sorted(clashes))}",
                          tuple(f"{names[p]} ({p}): " + "; ".join(f"{a.id} and {b.id}" for a, b in pairs)
                                for p, pairs in sorted(clashes.items()))))
    speakers = tuple(Speaker(p, name, programme.timezone) for p, name in names.items())
    side_events = tuple(
        SideEvent(id=e.id, title=e.title, organizer=f"frab-{e.id}", format="in_person", duration=e.duration,
                  attendance=attendance, priority=PRIORITY, topics=(e.track,) if e.track else (), track=e.track,
                  speakers=choice.of(e, "speaker"), hosts=choice.of(e, "host"),
                  moderators=choice.of(e, "moderator"), room_tags=wishes.get(e.id, ()))
        for e in events
    )
    hosting = tuple(sorted({p for e in events for p in e.speaker_ids} - speaking))

    meeting_id = slugify(programme.acronym) or "frab"
    comfort = comfort_window(events, day_change)
    notes.append(Note("comfort", f"the venue's comfort hours are {comfort[0]:%H:%M}-{comfort[1]:%H:%M}: all but "
                                 f"{COMFORT_SHARE:.0%} of the events start after and end before (venue_off_hours)"))
    meeting = Meeting(id=meeting_id, name=programme.title, timezone=programme.timezone, days=tuple(days),
                      uid_domain=f"{meeting_id}.frab.invalid", venue=programme.venue, day_change=day_change,
                      comfort_hours=comfort)
    problem = Problem(meeting, rooms, build_slots(days, specs, tz, day_change), speakers, side_events,
                      blocked=tuple(blocked))
    header = (f"Imported from {programme.source} by {source or 'scheduler import frab'}: grid {grid} min "
              f"({why}){', full day' if full_day else ''}, rooms open {rooms_open}, breaks {breaks}, "
              f"roles {roles}.\n"
              f"Every choice the import made is in {NOTES_FILE}.")
    files = folder_files(problem, specs, header=header)
    del files["unavailability.csv"]
    schedule = Schedule(tuple(Assignment(e.id, ids[e.room], e.start, e.end) for e in events),
                        {"source": f"{programme.source}: the programme's own timetable"})
    summary = (f"Imported from `{programme.source}`: {len(side_events)} of {len(programme.events)} events, "
               f"{len(rooms)} rooms, {len(speakers)} speakers, {len(days)} days in {programme.timezone}, "
               f"on a {grid}-minute grid ({why}).")
    files[NOTES_FILE] = notes_markdown(programme.title, summary, notes)
    return Imported(files, problem, schedule, tuple(notes), programme, grid, specs, left_out, hosting)


def _check_options(grid: int | None, rooms_open: str, capacity: int, attendance: int, breaks: str,
                   roles: str) -> None:
    """Option values the import cannot work with, as a UsageError."""
    if roles not in ROLE_MODES:
        raise UsageError(f"roles must be one of {', '.join(ROLE_MODES)}, got {roles!r}")
    if grid is not None and not 1 <= grid <= 60:
        raise UsageError(f"the grid must be 1 to 60 minutes, got {grid}")
    if rooms_open not in ROOMS_OPEN:
        raise UsageError(f"rooms open must be one of {', '.join(ROOMS_OPEN)}, got {rooms_open!r}")
    if breaks not in BREAKS:
        raise UsageError(f"breaks must be one of {', '.join(BREAKS)}, got {breaks!r}")
    if capacity < 1 or attendance < 1:
        raise UsageError(f"capacity and attendance must be at least 1, got {capacity} and {attendance}")
    if attendance > capacity:
        raise UsageError(f"an attendance of {attendance} does not fit rooms of {capacity} seats")


def _breaks_blocked(events: list[FrabEvent], notes: list[Note],
                    left_out: dict[str, tuple[str, ...]]) -> tuple[list[FrabEvent], list[BlockedPeriod]]:
    """Break events become blocked periods, unless another event overlaps them (then they stay events)."""
    found = [e for e in events if is_break(e)]
    others = [e for e in events if not is_break(e)]
    clashing = [b for b in found if any(overlaps(b.start, b.end, e.start, e.end) for e in others)]
    turned = [b for b in found if b not in clashing]
    if turned:
        left_out["break"] = tuple(b.id for b in turned)
        notes.append(_about("breaks", turned, ("break", "breaks"),
                            "(no person; title says break, lunch...) blocked for every format instead of placed"))
    if clashing:
        notes.append(_about("breaks", clashing, ("break stays an event", "breaks stay events"),
                            "(other events overlap them)"))
    blocked = [BlockedPeriod(b.start, b.end, f"{b.title} (frab event {b.id})") for b in turned]
    return [e for e in events if e not in turned], blocked


def _role_notes(choice: RoleChoice, names: Mapping[str, str]) -> list[Note]:
    """A note for each kind of role decision: stated in the file, unknown words, sessions, busy persons."""
    notes = []
    if choice.stated:
        notes.append(_about("roles", choice.stated, ("event names", "events name"),
                            "a host or moderator in a person's role attribute; they host, optional"))
    for word, found in sorted(choice.unknown.items()):
        notes.append(_about("roles", found, ("event gives", "events give"),
                            f"a person the unknown role {word!r}; kept as a speaker"))
    if choice.sessions:
        notes.append(_about("roles", choice.sessions, ("event has", "events have"),
                            "no <origin_url> while others came from a call for participation: self-organized "
                            "sessions, whose listed persons are their hosts (optional, never blocking)"))
    if choice.busy:
        notes.append(Note("roles", f"{_n(choice.busy, 'person is', 'persons are')} on {HOST_OVERLAPS} or more "
                                   f"pairs of overlapping events in the programme: they host wherever listed "
                                   f"(optional, never blocking): {_some(names[p] for p in choice.busy)}",
                          tuple(f"{names[p]} ({p}): {count} overlapping pairs" for p, count in choice.busy.items())))
    return notes


def _person_names(events: Sequence[FrabEvent], notes: list[Note]) -> dict[str, str]:
    """Person id -> name (the first one listed); notes persons listed twice on one event or under two names."""
    names: dict[str, str] = {}
    others: dict[str, set[str]] = {}
    twice = []
    for event in events:
        if len(event.persons) != len(event.speaker_ids):
            twice.append(event)
        for person_id, name in event.persons:
            first = names.setdefault(person_id, name or person_id)
            if name and name != first:
                others.setdefault(person_id, set()).add(name)
    if twice:
        notes.append(_about("persons", twice, ("event lists", "events list"), "a person twice; each is a speaker once"))
    if others:
        notes.append(Note("persons", f"{_n(others, 'person is', 'persons are')} listed under more than one name; "
                                     f"the first is kept: {_some(names[p] for p in others)}",
                          tuple(f"{names[p]} ({p}), also: {', '.join(sorted(n))}" for p, n in others.items())))
    return names


def _n(items: Sequence | Mapping, one: str, many: str) -> str:
    """``1 event runs`` or ``3 events run``: the count with the singular or plural wording."""
    return f"1 {one}" if len(items) == 1 else f"{len(items)} {many}"


def _about(kind: str, events: Sequence[FrabEvent], wording: tuple[str, str], text: str) -> Note:
    """A note on some events: how many, what of them, the first few ids; one detail line per event."""
    return Note(kind, f"{_n(events, *wording)} {text}: {_some(e.id for e in events)}",
                tuple(_event_line(e) for e in events))


def _some(items) -> str:
    """The first few items, comma-separated, with how many more."""
    items = list(items)
    shown = ", ".join(str(item) for item in items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def _event_line(event: FrabEvent) -> str:
    """One event in a detail line: id, title, room and local start, with its line in the file."""
    return (f"{event.id} \"{event.title}\" in {event.room}, {event.start.strftime('%Y-%m-%d %H:%M')} "
            f"for {event.duration} min (line {event.line})")


def notes_markdown(title: str, summary: str, notes: Sequence[Note]) -> str:
    """import-notes.md: the summary, then every note with the events or persons it concerns."""
    lines = [f"# Import notes: {title}", "", summary, ""]
    for note in notes:
        lines += [f"## {note.message}", ""]
        lines += [f"- {detail}" for detail in note.details]
        if note.details:
            lines.append("")
    return "\n".join(lines)
