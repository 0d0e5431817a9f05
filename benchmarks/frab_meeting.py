"""Convert a frab / c3voc ``schedule.xml`` into a meeting folder, so real programmes can be benchmarked.

A conference timetable becomes a meeting whose events the solver must place again: every room
physical (capacity 100 unless ``--capacity``), every person a local speaker, every event in_person
with attendance 50 and its own organizer ``frab-<id>`` (so organizers add no constraint), its track
as topic. The programme's own timetable is written too, as ``OUT/published`` (schedule.csv,
schedule.json and the calendar feeds, made by the scheduler's own exporters), so that ``scheduler
check OUT OUT/published/schedule.csv`` scores the human timetable and ``scheduler solve OUT
--previous OUT/published`` re-plans from it.

The grid is the conference's time zone; one day per local date on which events start (38C3 lists
after-midnight events under the previous frab day, and wafer's DebConf days are UTC days, so the
frab day dates are not always the local dates); ``--grid`` minute slots from each day's first start
to its last end, or 00:00-24:00 with ``--full-day``. Two things the loader cannot express are
handled and counted in the notes: a slot cannot end at 24:00 (times are ``HH:MM`` below 24:00), so
the last slot of a day ends at 23:59 at the latest and events that end at or after midnight are left
out; an event that starts off the grid splits the slot it starts in.

Usage:  python -m benchmarks.frab_meeting XML OUT [--grid 5] [--full-day] [--capacity 100]
        [--rooms-open used|all] [--no-hosts] [--close-busiest-room]
"""

from __future__ import annotations

import argparse
import csv
import json
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from scheduler.export.folder import UNAVAILABILITY_COLUMNS, folder_files
from scheduler.export.labels import slugify
from scheduler.grid import SlotSpec, build_slots
from scheduler.model import (
    Assignment,
    Meeting,
    Problem,
    Room,
    Schedule,
    SideEvent,
    Speaker,
    Unavailability,
    event_end,
)
from scheduler.output import write_tree_atomic
from scheduler.publish import publication_time, publish

PUBLISHED = "published"
DAY_MINUTES = 24 * 60
LAST_MINUTE = DAY_MINUTES - 1  # 23:59: a slot may not end at 24:00 (the loader reads HH:MM below 24:00)
ATTENDANCE = 50
PRIORITY = 3
CLOSED_REASON = "closed for the re-plan benchmark (busiest room, busiest day)"


@dataclass(frozen=True)
class FrabEvent:
    """One <event> of the schedule.xml, with its start in the conference's zone."""

    id: str
    title: str
    room: str  # the room's name
    start: datetime
    duration: int  # minutes
    track: str  # topic slug, may be empty
    persons: tuple[tuple[str, str], ...]  # (person id, name)

    @property
    def end(self) -> datetime:
        """Real elapsed end (across a clock change too)."""
        return event_end(self.start, self.duration)


@dataclass(frozen=True)
class Programme:
    """What the converter needs from a schedule.xml."""

    acronym: str
    title: str
    venue: str
    timezone: str
    frab_days: tuple[date, ...]
    rooms: tuple[str, ...]  # names, in order of first appearance
    events: tuple[FrabEvent, ...]


def read_frab(xml_path: str | Path) -> Programme:
    """Parse a frab / c3voc / wafer / pretalx schedule.xml into a Programme."""
    root = ET.parse(xml_path).getroot()
    conference = root.find("conference")
    if conference is None:
        raise ValueError(f"{xml_path}: no <conference> element; not a frab schedule.xml")
    zone_name = (conference.findtext("time_zone_name") or "").strip()
    if not zone_name:
        raise ValueError(f"{xml_path}: no <time_zone_name>; the grid needs the conference's zone")
    tz = ZoneInfo(zone_name)
    # track name -> slug, from c3voc's <conference><track name slug> and pretalx's <tracks><track slug>
    track_slugs = {t.get("name", ""): t.get("slug", "") for t in conference.findall("track")}
    track_slugs |= {(t.text or "").strip(): t.get("slug", "") for t in root.findall("tracks/track")}
    rooms: dict[str, None] = {}
    events: list[FrabEvent] = []
    frab_days: list[date] = []
    for day in root.iter("day"):
        frab_days.append(date.fromisoformat(day.get("date", "")))
        for room in day.findall("room"):
            name = (room.get("name") or "").strip()
            for element in room.findall("event"):
                room_name = name or (element.findtext("room") or "").strip()
                rooms.setdefault(room_name)
                events.append(_event(element, room_name, tz, track_slugs))
    acronym = (conference.findtext("acronym") or Path(xml_path).stem).strip()
    return Programme(
        acronym=acronym,
        title=(conference.findtext("title") or acronym).strip(),
        venue=(conference.findtext("venue") or "").strip(),
        timezone=zone_name,
        frab_days=tuple(sorted(set(frab_days))),
        rooms=tuple(rooms),
        events=tuple(events),
    )


def _event(element: ET.Element, room: str, tz: ZoneInfo, track_slugs: dict[str, str]) -> FrabEvent:
    """One <event>: id, title, room, start (from <date>), duration, track slug and persons."""
    event_id = (element.get("id") or element.get("guid") or "").strip()
    start = datetime.fromisoformat((element.findtext("date") or "").strip()).astimezone(tz)
    track_element = element.find("track")
    track_name = (track_element.text or "").strip() if track_element is not None else ""
    track = (track_element.get("slug") if track_element is not None else None) or track_slugs.get(track_name) \
        or slugify(track_name)
    persons = tuple(
        dict.fromkeys(
            ((person.get("guid") or person.get("id") or slugify(person.text or "")).strip(),
             (person.text or "").strip())
            for person in element.findall("persons/person")
        )
    )
    title = (element.findtext("title") or "").strip() or (element.findtext("slug") or "").strip() or event_id
    return FrabEvent(event_id, title, room, start, _minutes(element.findtext("duration") or ""), track, persons)


def _minutes(text: str) -> int:
    """A frab duration ``HH:MM`` or ``HH:MM:SS`` in whole minutes (seconds rounded up)."""
    parts = [int(part) for part in text.strip().split(":")]
    hours, minutes, seconds = (parts + [0, 0, 0])[:3]
    return hours * 60 + minutes + (1 if seconds else 0)


def _wall_minutes(moment: datetime) -> int:
    """Minutes since local midnight of the wall-clock time ``moment`` shows (seconds rounded up)."""
    return moment.hour * 60 + moment.minute + (1 if moment.second or moment.microsecond else 0)


def double_booked(events: Iterable[FrabEvent]) -> set[str]:
    """Ids of persons who are on two events that overlap in time (the timetable double-books them)."""
    by_person: dict[str, list[FrabEvent]] = defaultdict(list)
    for event in events:
        for person_id, _ in event.persons:
            by_person[person_id].append(event)
    result = set()
    for person_id, theirs in by_person.items():
        theirs.sort(key=lambda e: e.start)
        latest_end = None
        for event in theirs:
            if latest_end is not None and event.start < latest_end:
                result.add(person_id)
                break
            latest_end = event.end if latest_end is None else max(latest_end, event.end)
    return result


def day_slot_specs(events: Sequence[FrabEvent], days: Sequence[date], grid: int,
                   full_day: bool) -> tuple[SlotSpec, ...]:
    """The daily grid: ``grid``-minute slots over each day's span, split at off-grid event starts.

    Slot (start, end) pairs shared by several days become one ``[[slots]]`` entry listing them (none
    when every day has it), which keeps meeting.toml short.
    """
    days_of: dict[tuple[int, int], list[date]] = defaultdict(list)
    for day in days:
        todays = [event for event in events if event.start.date() == day]
        if full_day:
            low, high = 0, LAST_MINUTE
        else:
            low = min(_wall_minutes(e.start) for e in todays) // grid * grid
            high = min(-(-max(_wall_minutes(e.end) for e in todays) // grid) * grid, LAST_MINUTE)
        bounds = sorted(set(range(low, high, grid)) | {high} | {_wall_minutes(e.start) for e in todays})
        for start, end in zip(bounds, bounds[1:], strict=False):
            days_of[(start, end)].append(day)
    every = list(days)
    return tuple(
        SlotSpec(_clock(start), _clock(end), days=() if found == every else tuple(found))
        for (start, end), found in sorted(days_of.items())
    )


def _clock(minutes: int) -> time:
    """Minutes since midnight as a time of day."""
    return time(minutes // 60, minutes % 60)


def closed_outside_use(events: Sequence[FrabEvent], room_ids: dict[str, str], days: Sequence[date],
                       tz: ZoneInfo) -> list[Unavailability]:
    """Room closures outside each room's span of use per day (first event start to last event end)."""
    result = []
    for name, room_id in room_ids.items():
        for day in days:
            midnight = datetime.combine(day, time(0), tzinfo=tz)
            next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
            used = [e for e in events if e.room == name and e.start.date() == day]
            if not used:
                result.append(Unavailability("room", room_id, midnight, next_midnight, "not used this day"))
                continue
            first, last = min(e.start for e in used), max(e.end for e in used)
            if first > midnight:
                result.append(Unavailability("room", room_id, midnight, first, "before its first event"))
            if last < next_midnight:
                result.append(Unavailability("room", room_id, last, next_midnight, "after its last event"))
    return result


def busiest_room_day(assignments: Iterable[Assignment]) -> tuple[str, date]:
    """The room with the most scheduled minutes, and its busiest local day: the one to close in a re-plan."""
    minutes: Counter[str] = Counter()
    per_day: Counter[tuple[str, date]] = Counter()
    for a in assignments:
        if a.room is None or a.start is None or a.end is None:
            continue
        length = (a.end - a.start).total_seconds() / 60
        minutes[a.room] += length
        per_day[(a.room, a.start.date())] += length
    if not minutes:
        raise ValueError("no scheduled event: no room to close")
    room = max(sorted(minutes), key=lambda r: minutes[r])
    day = max(sorted(d for r, d in per_day if r == room), key=lambda d: per_day[(room, d)])
    return room, day


def closure(room: str, day: date, tz: ZoneInfo) -> Unavailability:
    """The unavailability that closes ``room`` for the whole local ``day``."""
    return Unavailability("room", room, datetime.combine(day, time(0), tzinfo=tz),
                          datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz), CLOSED_REASON)


def close_busiest_room(meeting_dir: str | Path) -> dict[str, str]:
    """Close the busiest room of ``meeting_dir/published`` for its busiest day: one more unavailability.csv row."""
    folder = Path(meeting_dir)
    with (folder / PUBLISHED / "schedule.csv").open(encoding="utf-8", newline="") as handle:
        assignments = [
            Assignment(row["event_id"], row["room"] or None,
                       datetime.fromisoformat(row["start"]) if row["start"] else None,
                       datetime.fromisoformat(row["end"]) if row["end"] else None)
            for row in csv.DictReader(handle)
        ]
    room, day = busiest_room_day(assignments)
    target = folder / "unavailability.csv"
    new_file = not target.exists()
    with target.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        if new_file:
            writer.writerow(UNAVAILABILITY_COLUMNS)
        writer.writerow(["room", room, f"{day.isoformat()}T00:00", f"{(day + timedelta(days=1)).isoformat()}T00:00",
                         CLOSED_REASON])
    return {"room": room, "day": day.isoformat()}


def _room_ids(names: Sequence[str]) -> dict[str, str]:
    """Room name -> a unique slug id (``Saal 1`` -> ``saal-1``)."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for number, name in enumerate(names, 1):
        base = slugify(name) or f"room-{number}"
        room_id, suffix = base, 2
        while room_id in taken:
            room_id, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(room_id)
        ids[name] = room_id
    return ids


def convert(xml_path: str | Path, out_dir: str | Path, *, grid: int = 5, full_day: bool = False,
            capacity: int = 100, rooms_open: str = "all", hosts_as_speakers: bool = True,
            close_busiest: bool = False) -> dict:
    """Write the meeting folder and its published timetable for ``xml_path``; return notes and figures."""
    if grid < 1 or grid > 60:
        raise ValueError(f"--grid must be 1 to 60 minutes, got {grid}")
    if rooms_open not in ("used", "all"):
        raise ValueError(f"--rooms-open must be 'used' or 'all', got {rooms_open!r}")
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty; convert into a new folder")
    programme = read_frab(xml_path)
    tz = ZoneInfo(programme.timezone)

    crossing = [e for e in programme.events if e.end.astimezone(tz).date() > e.start.date()]
    at_midnight = [e for e in crossing if e.end.astimezone(tz).time() == time(0)]
    empty = [e for e in programme.events if e.duration <= 0]
    left_out = {e.id for e in crossing} | {e.id for e in empty}
    events = [e for e in programme.events if e.id not in left_out]
    if not events:
        raise ValueError(f"{xml_path}: no event left to schedule")
    days = sorted({e.start.date() for e in events})
    dropped_people = set() if hosts_as_speakers else double_booked(events)
    dropped_links = sum(1 for e in events for person_id, _ in e.persons if person_id in dropped_people)

    room_ids = _room_ids(programme.rooms)
    used_rooms = {e.room for e in events}
    rooms = tuple(Room(room_ids[name], name, "physical", capacity, False) for name in programme.rooms
                  if name in used_rooms)
    names: dict[str, str] = {}
    for event in events:
        for person_id, name in event.persons:
            if person_id not in dropped_people:
                names.setdefault(person_id, name or person_id)
    speakers = tuple(Speaker(person_id, name, programme.timezone) for person_id, name in names.items())
    side_events = tuple(
        SideEvent(id=e.id, title=e.title, organizer=f"frab-{e.id}", format="in_person", duration=e.duration,
                  attendance=ATTENDANCE, priority=PRIORITY, topics=(e.track,) if e.track else (),
                  speakers=tuple(p for p, _ in e.persons if p not in dropped_people))
        for e in events
    )
    specs = day_slot_specs(events, days, grid, full_day)
    unavailability = closed_outside_use(events, {n: room_ids[n] for n in programme.rooms if n in used_rooms},
                                        days, tz) if rooms_open == "used" else []
    assignments = tuple(Assignment(e.id, room_ids[e.room], e.start, e.end) for e in events)
    closed = None
    if close_busiest:
        closed = busiest_room_day(assignments)
        unavailability.append(closure(*closed, tz))

    meeting_id = slugify(programme.acronym) or "frab"
    meeting = Meeting(id=meeting_id, name=programme.title, timezone=programme.timezone, days=tuple(days),
                      uid_domain=f"{meeting_id}.frab.invalid", venue=programme.venue)
    problem = Problem(meeting, rooms, build_slots(days, specs, tz), speakers, side_events,
                      unavailability=tuple(unavailability))
    header = (f"Converted from {Path(xml_path).name} by benchmarks/frab_meeting.py: grid {grid} min"
              f"{', full day' if full_day else ''}, rooms open {rooms_open}, "
              f"{'hosts as speakers' if hosts_as_speakers else 'double-booked persons dropped'}.")
    files: dict[str, str] = folder_files(problem, specs, header=header)
    if not unavailability:
        del files["unavailability.csv"]
    stamp = publication_time([Path(xml_path)])
    schedule = Schedule(assignments, {"published_at": stamp.isoformat(),
                                      "source": f"{Path(xml_path).name}: the programme's own timetable"})
    files |= {f"{PUBLISHED}/{name}": text
              for name, text in publish(problem, schedule, published_at=stamp, only=("ics",)).items()}
    write_tree_atomic(out, files)

    starts_on_grid = {e.id for e in events if _wall_minutes(e.start) % grid == 0}
    # a quick infeasibility hint: no speaker can be in more event-hours than the grid holds
    speaker_minutes: Counter[str] = Counter()
    for event in side_events:
        for speaker_id in event.speakers:
            speaker_minutes[speaker_id] += event.duration
    busiest = max(sorted(speaker_minutes), key=lambda s: speaker_minutes[s], default=None)
    grid_hours = sum((s[-1].end - s[0].start).total_seconds() for s in problem.slots_by_day.values()) / 3600
    return {
        "meeting": meeting_id,
        "events_in_xml": len(programme.events),
        "events": len(side_events),
        "left_out_crossing_midnight": len(crossing) - len(at_midnight),
        "left_out_ending_at_midnight": len(at_midnight),
        "left_out_no_duration": len(empty),
        "left_out_ids": sorted(left_out),
        "off_grid_starts": len(events) - len(starts_on_grid),
        "rooms": len(rooms),
        "speakers": len(speakers),
        "hosts_dropped": len(dropped_people),
        "host_links_dropped": dropped_links,
        "days": [d.isoformat() for d in days],
        "frab_days": [d.isoformat() for d in programme.frab_days],
        "slots": len(problem.slots),
        "grid_hours": round(grid_hours, 2),
        "busiest_speaker": None if busiest is None else {
            "id": busiest, "name": names[busiest], "hours": round(speaker_minutes[busiest] / 60, 2)},
        "unavailability_rows": len(unavailability),
        "closed": None if closed is None else {"room": closed[0], "day": closed[1].isoformat()},
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: convert one schedule.xml and print the notes as JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.frab_meeting", description=__doc__.splitlines()[0])
    parser.add_argument("xml", type=Path, help="a frab / c3voc schedule.xml")
    parser.add_argument("out", type=Path, help="the meeting folder to write (new or empty)")
    parser.add_argument("--grid", type=int, default=5, help="slot length in minutes (default 5)")
    parser.add_argument("--full-day", action="store_true", help="slots 00:00-24:00 every day (23:59: see above)")
    parser.add_argument("--capacity", type=int, default=100, help="seats of every room (default 100)")
    parser.add_argument("--rooms-open", choices=("used", "all"), default="all",
                        help="used: each room closed outside its first start..last end of each day; all: always open")
    parser.add_argument("--hosts-as-speakers", dest="hosts", action="store_true", default=True,
                        help="every listed person is a speaker (default)")
    parser.add_argument("--no-hosts", dest="hosts", action="store_false",
                        help="leave out persons the programme puts on two overlapping events")
    parser.add_argument("--close-busiest-room", action="store_true",
                        help="close the busiest room for its busiest day (a re-plan scenario)")
    args = parser.parse_args(argv)
    try:
        notes = convert(args.xml, args.out, grid=args.grid, full_day=args.full_day, capacity=args.capacity,
                        rooms_open=args.rooms_open, hosts_as_speakers=args.hosts,
                        close_busiest=args.close_busiest_room)
    except (ValueError, OSError, ET.ParseError) as error:
        parser.error(str(error))
    print(json.dumps(notes, indent=2))


if __name__ == "__main__":
    main()
