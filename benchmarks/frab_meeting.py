"""Convert a frab / c3voc ``schedule.xml`` into a meeting folder, so real programmes can be benchmarked.

A thin wrapper over the package's importer (:func:`scheduler.frab.import_frab`) with the benchmark's
own defaults (a 5-minute grid, rooms open all day, breaks kept as events), plus the re-plan scenario
(``--close-busiest-room``) and the figures ``benchmarks/real.py`` prints.

A conference timetable becomes a meeting whose events the solver must place again: every room
physical (capacity 100 unless ``--capacity``), every person a local speaker, every event in_person
with attendance 50 and its own organizer ``frab-<id>`` (so organizers add no constraint), its track
as topic. The programme's own timetable is written too, as ``OUT/published`` (schedule.csv,
schedule.json and the calendar feeds, made by the scheduler's own exporters), so that ``scheduler
check OUT OUT/published/schedule.csv`` scores the human timetable and ``scheduler solve OUT
--previous OUT/published`` re-plans from it.

The grid is the conference's time zone; one meeting day per day of the programme, from its day change
(frab's, from the ``<day start>`` attributes, when an event runs past midnight; else midnight) to the
next, so an event after midnight stays on the day it started; ``--grid`` minute slots from each day's
first start to its last end, or the whole day with ``--full-day``. Events that run past the day change
itself are left out, and an event that starts off the grid splits the slot it starts in; both are
counted in the notes.

Usage:  python -m benchmarks.frab_meeting XML OUT [--grid 5] [--full-day] [--capacity 100]
        [--rooms-open used|all] [--roles auto|xml|speakers] [--close-busiest-room]
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from scheduler.errors import SchedulerError
from scheduler.export.folder import UNAVAILABILITY_COLUMNS
from scheduler.frab import import_frab, read_frab
from scheduler.frab.timetable import day_slot_specs, hours_of_use
from scheduler.model import Assignment, Schedule
from scheduler.output import write_tree_atomic
from scheduler.publication import publication_time, publish

__all__ = ["PUBLISHED", "close_busiest_room", "convert", "day_slot_specs", "hours_of_use", "main",
           "read_frab"]

PUBLISHED = "published"
CLOSED_REASON = "closed for the re-plan benchmark (busiest room, busiest day)"


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


def convert(xml_path: str | Path, out_dir: str | Path, *, grid: int = 5, full_day: bool = False,
            capacity: int = 100, rooms_open: str = "all", roles: str = "auto",
            close_busiest: bool = False) -> dict:
    """Write the meeting folder and its published timetable for ``xml_path``; return notes and figures."""
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty; convert into a new folder")
    imported = import_frab(xml_path, grid=grid, full_day=full_day, capacity=capacity, rooms_open=rooms_open,
                           roles=roles, breaks="events", source="benchmarks/frab_meeting.py")
    problem, programme = imported.problem, imported.programme
    stamp = publication_time([Path(xml_path)])
    schedule = Schedule(imported.schedule.assignments,
                        {"published_at": stamp.isoformat(), **imported.schedule.metadata})
    files = dict(imported.files)
    files |= {f"{PUBLISHED}/{name}": text
              for name, text in publish(problem, schedule, published_at=stamp, only=("ics",)).items()}
    write_tree_atomic(out, files)
    closed = close_busiest_room(out) if close_busiest else None

    # a quick infeasibility hint: no speaker can be in more event-hours than the grid holds
    speaker_minutes: Counter[str] = Counter()
    for event in problem.events:
        for speaker_id in event.speakers:
            speaker_minutes[speaker_id] += event.duration
    names = {speaker.id: speaker.name for speaker in problem.speakers}
    busiest = max(sorted(speaker_minutes), key=lambda s: speaker_minutes[s], default=None)
    grid_hours = sum((s[-1].end - s[0].start).total_seconds() for s in problem.slots_by_day.values()) / 3600
    left_out = imported.left_out
    return {
        "meeting": problem.meeting.id,
        "events_in_xml": len(programme.events),
        "events": len(problem.events),
        "left_out_past_day_change": len(left_out.get("past-day-change", ())),
        "day_change": problem.meeting.day_change.strftime("%H:%M"),
        "left_out_no_duration": len(left_out.get("no-duration", ())),
        "left_out_ids": sorted(event_id for ids in left_out.values() for event_id in ids),
        "off_grid_starts": sum(len(note.details) for note in imported.notes if note.kind == "off-grid"),
        "rooms": len(problem.rooms),
        "speakers": len(problem.speakers),
        "only_hosting": len(imported.hosts),
        "host_links": sum(len(e.hosts) + len(e.moderators) for e in problem.events),
        "days": [d.isoformat() for d in problem.meeting.days],
        "frab_days": [d.isoformat() for d in programme.frab_days],
        "slots": len(problem.slots),
        "grid_hours": round(grid_hours, 2),
        "busiest_speaker": None if busiest is None else {
            "id": busiest, "name": names[busiest], "hours": round(speaker_minutes[busiest] / 60, 2)},
        "unavailability_rows": len(problem.unavailability) + (closed is not None),
        "closed": closed,
        "import_notes": [note.message for note in imported.notes],
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: convert one schedule.xml and print the notes as JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.frab_meeting", description=__doc__.splitlines()[0])
    parser.add_argument("xml", type=Path, help="a frab / c3voc schedule.xml")
    parser.add_argument("out", type=Path, help="the meeting folder to write (new or empty)")
    parser.add_argument("--grid", type=int, default=5, help="slot length in minutes (default 5)")
    parser.add_argument("--full-day", action="store_true", help="slots over the whole meeting day")
    parser.add_argument("--capacity", type=int, default=100, help="seats of every room (default 100)")
    parser.add_argument("--rooms-open", choices=("used", "all"), default="all",
                        help="used: each room open from its first start to its last end of each day; all: always open")
    parser.add_argument("--roles", choices=("auto", "xml", "speakers"), default="auto",
                        help="who hosts rather than speaks (scheduler import frab --roles; default auto)")
    parser.add_argument("--close-busiest-room", action="store_true",
                        help="close the busiest room for its busiest day (a re-plan scenario)")
    args = parser.parse_args(argv)
    try:
        notes = convert(args.xml, args.out, grid=args.grid, full_day=args.full_day, capacity=args.capacity,
                        rooms_open=args.rooms_open, roles=args.roles,
                        close_busiest=args.close_busiest_room)
    except (ValueError, OSError, SchedulerError) as error:
        parser.error(str(error))
    print(json.dumps(notes, indent=2))


if __name__ == "__main__":
    main()
