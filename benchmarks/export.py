"""Benchmark of the iCalendar feeds: every feed of a 1,000-event schedule, fresh and re-published.

Builds a schedule of ``--events`` public side events directly (5 days, rooms and online channels,
remote speakers in other zones, shared organizers and topics; no solver needed), times
``build_feeds`` on it, writes the feeds to a temporary folder, times ``load_previous`` and a
re-publish against it with a few events moved, retitled and dropped, and prints the figures.
The target is under 5 s for every feed of 1,000 events.

With ``--generated``, the meeting and witness schedule of ``scheduler.generate.generate_meeting``
are used instead (when that module exists).

Run from the repository root::

    python benchmarks/export.py --events 1000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock
from pathlib import Path
from random import Random

from scheduler.export.ics import build_feeds
from scheduler.grid import SlotSpec, build_slots
from scheduler.load.previous import load_previous
from scheduler.model import Assignment, Meeting, Problem, Room, Schedule, SideEvent, Speaker, event_end
from scheduler.output import write_tree_atomic

ZONES = ("America/New_York", "Asia/Tokyo", "Africa/Nairobi", "Australia/Sydney", "America/Sao_Paulo")
TOPICS = ("cybercrime", "corruption", "trafficking", "wildlife", "prisons", "children", "gender",
          "terrorism", "drugs", "evidence", "victims", "youth", "حماية الأطفال", "网络犯罪", "коррупция")


def synthetic(events: int, seed: int) -> tuple[Problem, Schedule]:
    """A valid-looking meeting of ``events`` public events, each placed in its own (room, slot)."""
    rng = Random(seed)
    days = tuple(date(2026, 3, 27) + timedelta(days=i) for i in range(5))  # across the Vienna DST change
    meeting = Meeting("bench", "Benchmark meeting", "Europe/Vienna", days, "bench.example.org")
    specs = [SlotSpec(clock(8 + i, 10), clock(9 + i, 0)) for i in range(12)]
    slots = build_slots(days, specs, meeting.tz)
    per_slot = -(-events // len(slots))
    rooms = [Room(f"R{i}", f"Room {i}", "physical", 300, i % 2 == 0, "M") for i in range(max(per_slot - 3, 1))]
    rooms += [Room(f"V{i}", f"Online channel {i}", "virtual") for i in range(3)]
    speakers = [
        Speaker(f"S{i}", f"Speaker {i} «Ünïcødé»", rng.choice(ZONES) if i % 4 == 0 else "Europe/Vienna",
                remote=i % 4 == 0, email=f"s{i}@example.org")
        for i in range(events)
    ]
    cells = [(slot, room) for slot in slots for room in rooms]
    rng.shuffle(cells)
    side_events, assignments = [], []
    for i in range(events):
        slot, room = cells[i]
        fmt = "virtual" if room.is_virtual else ("hybrid" if room.hybrid else "in_person")
        chosen = rng.sample(speakers, k=rng.randint(0, 3))
        if fmt == "in_person":
            chosen = [s for s in chosen if not s.remote]
        event = SideEvent(
            id=f"E{i:04d}", title=f"Side event {i}: crime, justice; and \"prevention\" — 第{i}号",
            organizer=f"Organizer {rng.randrange(events // 3 or 1)}", format=fmt, duration=50,
            attendance=None if fmt == "virtual" else 30, speakers=tuple(s.id for s in chosen),
            topics=tuple(rng.sample(TOPICS, k=rng.randint(0, 3))),
            link="" if fmt == "in_person" else f"https://meet.example.org/{i}",
            description="Line one.\nLine two with a backslash \\ and a comma, too.",
        )
        side_events.append(event)
        assignments.append(Assignment(event.id, room.id, slot.start, event_end(slot.start, event.duration)))
    problem = Problem(meeting, tuple(rooms), slots, tuple(speakers), tuple(side_events))
    return problem, Schedule(tuple(assignments), {"published_at": "2026-03-01T09:00:00Z"})


def generated(events: int, seed: int) -> tuple[Problem, Schedule]:
    """The generated meeting and its witness schedule (needs scheduler.generate and the loaders)."""
    from scheduler.generate import generate_meeting
    from scheduler.load import load_problem
    from scheduler.load.schedule import read_schedule

    result = generate_meeting(events, seed)
    files = getattr(result, "files", result)
    witness = getattr(result, "witness", None) or files["schedule.csv"]
    folder = Path(tempfile.mkdtemp(prefix="bench-meeting-"))
    write_tree_atomic(folder, {name: text for name, text in files.items() if name != "schedule.csv"})
    (folder / "witness.csv").write_text(witness, encoding="utf-8")
    problem = load_problem(folder)
    return problem, read_schedule(folder / "witness.csv", problem)


def changed(problem: Problem, schedule: Schedule, rng: Random) -> tuple[Problem, Schedule]:
    """A next version: 2% of events retitled, 2% moved to another event's place (swapped), 1% dropped."""
    ids = sorted(a.event_id for a in schedule.scheduled)
    picks = rng.sample(ids, k=max(len(ids) // 20, 3))
    cut = max(len(picks) // 5, 1)
    dropped, retitled, moved = set(picks[:cut]), set(picks[cut:3 * cut]), picks[3 * cut:]
    events = tuple(replace(e, title=e.title + " (new title)") if e.id in retitled else e
                   for e in problem.events if e.id not in dropped)
    by_event = dict(schedule.by_event)
    for a, b in zip(moved[::2], moved[1::2], strict=False):
        ea, eb = problem.event(a), problem.event(b)
        if ea.format == eb.format and ea.duration == eb.duration:
            by_event[a], by_event[b] = replace(by_event[b], event_id=a), replace(by_event[a], event_id=b)
    assignments = tuple(v for k, v in sorted(by_event.items()) if k not in dropped)
    return replace(problem, events=events), Schedule(assignments, schedule.metadata)


def release_timings(problem: Problem, schedule: Schedule, next_problem: Problem, next_schedule: Schedule,
                    first_at: datetime, repeat: int) -> dict[str, list[float]]:
    """Seconds of a site's first release and of a second one that continues it (every output, not feeds only).

    The second release reads the first one's feed record (``open_site``), builds the publication once to
    see whether anything changed and once more stamped, and writes it; ``unchanged`` is a repeat of the
    first release's schedule, which writes nothing.
    """
    from scheduler.site import make_release, open_site, write_release

    found: dict[str, list[float]] = {"release 1 (build + write)": [], "open_site (record read)": [],
                                     "release 2 (build + write)": [], "release, unchanged": []}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
            site = Path(tmp) / "site"
            started = time.perf_counter()
            write_release(site, make_release(problem, schedule, open_site(site, problem), published_at=first_at))
            found["release 1 (build + write)"].append(time.perf_counter() - started)
            started = time.perf_counter()
            opened = open_site(site, problem)
            found["open_site (record read)"].append(time.perf_counter() - started)
            started = time.perf_counter()
            assert make_release(problem, schedule, opened) is None
            found["release, unchanged"].append(time.perf_counter() - started)
            started = time.perf_counter()
            release = make_release(next_problem, next_schedule, open_site(site, next_problem),
                                   published_at=first_at + timedelta(days=1))
            write_release(site, release)
            found["release 2 (build + write)"].append(time.perf_counter() - started)
    return found


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generated", action="store_true", help="use scheduler.generate's meeting")
    args = parser.parse_args(argv)
    problem, schedule = (generated if args.generated else synthetic)(args.events, args.seed)
    first_at = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
    fresh, fresh_cpu = [], []
    for _ in range(args.repeat):
        started, cpu = time.perf_counter(), time.process_time()
        files = build_feeds(problem, schedule, published_at=first_at)
        fresh.append(time.perf_counter() - started)
        fresh_cpu.append(time.process_time() - cpu)
    index = json.loads(files["index.json"])
    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as tmp:
        out = Path(tmp)
        write_tree_atomic(out / "feeds", files)
        (out / "schedule.csv").write_text("event_id,status,room,start,end\n", encoding="utf-8")
        (out / "schedule.json").write_text(json.dumps({"published_at": "2026-03-01T09:00:00Z"}), encoding="utf-8")
        started = time.perf_counter()
        previous = load_previous(out, problem)
        loading = time.perf_counter() - started
    next_problem, next_schedule = changed(problem, schedule, Random(args.seed))
    republish, republish_cpu = [], []
    for _ in range(args.repeat):
        started, cpu = time.perf_counter(), time.process_time()
        again = build_feeds(next_problem, next_schedule, published_at=first_at + timedelta(days=1), previous=previous)
        republish.append(time.perf_counter() - started)
        republish_cpu.append(time.process_time() - cpu)
    cancelled = sum(f["cancelled"] for f in json.loads(again["index.json"])["feeds"] if f["path"] == "all.ics")
    events = sum(1 for a in schedule.scheduled)
    size = sum(len(text.encode("utf-8")) for text in files.values())
    print(f"events scheduled: {events}; feeds: {len(index['feeds'])}; output: {size / 1e6:.1f} MB")
    print(f"build_feeds, fresh:        wall best {min(fresh):.2f} s, median {statistics.median(fresh):.2f} s; "
          f"CPU median {statistics.median(fresh_cpu):.2f} s")
    print(f"load_previous:             wall {loading:.2f} s")
    print(f"build_feeds, re-publish:   wall best {min(republish):.2f} s, median {statistics.median(republish):.2f} s; "
          f"CPU median {statistics.median(republish_cpu):.2f} s ({cancelled} cancelled in all.ics)")
    timings = release_timings(problem, schedule, next_problem, next_schedule, first_at, args.repeat)
    for label, values in timings.items():
        print(f"{label + ':':<27}wall median {statistics.median(values):.2f} s (best {min(values):.2f} s)")
    verdict = "OK" if min(fresh) < 5 and min(republish) < 5 else "SLOWER THAN 5 s"
    print(f"target: every feed of {events} events under 5 s: {verdict}")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
