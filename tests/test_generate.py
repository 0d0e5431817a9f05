"""Synthetic meetings: shaped like the shipped data, deterministic, and feasible by construction.

Feasibility is verified twice: by a small plain-Python reading of the files and check of every hard
rule written here (it shares no code with the generator, the loader or ``scheduler.check``), and by
the project's own loader and checker. ``tests/test_shipped_data.py`` reuses the plain helpers.
"""

from __future__ import annotations

import csv
import io
import tomllib
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.errors import SchedulerError
from scheduler.export.schedule import schedule_csv
from scheduler.generate import GeneratedMeeting, generate_construction, generate_meeting

UTC = timezone.utc
ALL_FORMATS = ("in_person", "hybrid", "virtual")
PHYSICAL = ("in_person", "hybrid")
FILES = ("meeting.toml", "rooms.csv", "speakers.csv", "events.csv", "unavailability.csv")


# --- a plain reading of a meeting folder -------------------------------------------------------------


@dataclass
class PlainSlot:
    day: date
    index: int
    start: datetime
    end: datetime
    formats: tuple[str, ...]


@dataclass
class PlainMeeting:
    """The files of a meeting read with nothing but tomllib and csv."""

    tz: ZoneInfo
    days: list[date]
    remote_hours: tuple[time, time]
    slots: dict[date, list[PlainSlot]]
    blocked: list[tuple[datetime, datetime, tuple[str, ...]]]
    rooms: dict[str, dict[str, str]]
    speakers: dict[str, dict[str, str]]
    events: dict[str, dict[str, str]]
    unavailability: list[dict[str, str]]
    toml: dict = field(default_factory=dict)

    def local(self, text: str) -> datetime:
        """A venue-local ISO datetime cell as an aware datetime."""
        return datetime.fromisoformat(text).replace(tzinfo=self.tz)

    def split(self, text: str) -> list[str]:
        return [part.strip() for part in text.split(";") if part.strip()]


def rows(text: str) -> list[dict[str, str]]:
    """CSV text as dicts, header row first."""
    return list(csv.DictReader(io.StringIO(text)))


def read_plain(files: dict[str, str]) -> PlainMeeting:
    """Parse a meeting's files (file name -> text) the simplest possible way."""
    doc = tomllib.loads(files["meeting.toml"])
    tz = ZoneInfo(doc["timezone"])
    days = [date.fromisoformat(d) for d in doc["days"]]
    slots: dict[date, list[PlainSlot]] = {}
    for day in days:
        specs = [s for s in doc["slots"] if "days" not in s or day.isoformat() in s["days"]]
        specs.sort(key=lambda s: s["start"])
        slots[day] = [
            PlainSlot(day, i, datetime.combine(day, time.fromisoformat(s["start"]), tz),
                      datetime.combine(day, time.fromisoformat(s["end"]), tz), tuple(s.get("formats", ALL_FORMATS)))
            for i, s in enumerate(specs)
        ]
    blocked = [
        (datetime.fromisoformat(b["start"]).replace(tzinfo=tz), datetime.fromisoformat(b["end"]).replace(tzinfo=tz),
         tuple(b.get("formats", ALL_FORMATS)))
        for b in doc.get("blocked", [])
    ]
    hours = doc.get("remote_hours", ["07:00", "22:00"])
    return PlainMeeting(
        tz=tz,
        days=days,
        remote_hours=(time.fromisoformat(hours[0]), time.fromisoformat(hours[1])),
        slots=slots,
        blocked=blocked,
        rooms={r["id"]: r for r in rows(files["rooms.csv"])},
        speakers={s["id"]: s for s in rows(files["speakers.csv"])},
        events={e["id"]: e for e in rows(files["events.csv"])},
        unavailability=rows(files.get("unavailability.csv", "kind,id,start,end\n")),
        toml=doc,
    )


def read_folder(path: Path) -> dict[str, str]:
    """The meeting files of a folder as texts."""
    return {name: (path / name).read_text(encoding="utf-8") for name in FILES if (path / name).exists()}


def overlap(a: datetime, b: datetime, c: datetime, d: datetime) -> bool:
    """Half-open [a, b) and [c, d) share an instant (compared in UTC)."""
    return a.astimezone(UTC) < d.astimezone(UTC) and c.astimezone(UTC) < b.astimezone(UTC)


def truthy(text: str) -> bool:
    return text.strip().lower() in ("true", "yes", "1")


def inside_window(start: datetime, end: datetime, tz: ZoneInfo, earliest: time, latest: time) -> bool:
    """Rule 8 in plain words: [start, end) fits the local window opening on the event's local date or the day before."""
    local_date = start.astimezone(tz).date()
    for day in (local_date - timedelta(days=1), local_date):
        opens = datetime.combine(day, earliest, tz)
        closes = datetime.combine(day if latest > earliest else day + timedelta(days=1), latest, tz)
        if opens.astimezone(UTC) <= start.astimezone(UTC) and end.astimezone(UTC) <= closes.astimezone(UTC):
            return True
    return False


def occupied(m: PlainMeeting, start: datetime, end: datetime) -> list[PlainSlot]:
    """The slots of the event's venue-local day that [start, end) overlaps."""
    day = start.astimezone(m.tz).date()
    return [s for s in m.slots.get(day, []) if overlap(start, end, s.start, s.end)]


def valid_run(m: PlainMeeting, start: datetime, end: datetime, fmt: str) -> list[PlainSlot] | None:
    """Rule 4: the slots [start, end) occupies if they start at ``start``, run on, admit ``fmt`` and hold the end."""
    run = occupied(m, start, end)
    if not run or run[0].start != start or any(fmt not in s.formats for s in run):
        return None
    if [s.index for s in run] != list(range(run[0].index, run[0].index + len(run))):
        return None
    return run if end.astimezone(UTC) <= run[-1].end.astimezone(UTC) else None


def hard_rule_violations(files: dict[str, str], witness: str) -> list[str]:
    """Every hard rule of the data format checked over a schedule.csv text, in plain Python."""
    m = read_plain(files)
    bad: list[str] = []
    placed: dict[str, tuple[str, datetime, datetime]] = {}
    for row in rows(witness):
        if row["event_id"] in placed or row["event_id"] not in m.events:
            bad.append(f"one_placement: {row['event_id']} unknown or twice")
            continue
        if row["status"] != "scheduled":
            bad.append(f"one_placement: {row['event_id']} unscheduled")
            continue
        start = datetime.fromisoformat(row["start"])
        event = m.events[row["event_id"]]
        end = start + timedelta(minutes=int(event["duration"]))
        if datetime.fromisoformat(row["end"]) != end:
            bad.append(f"slot_run: {row['event_id']} end column is not start + duration")
        placed[row["event_id"]] = (row["room"], start, end)
    bad += [f"one_placement: {e} missing" for e in m.events if e not in placed]
    cells: dict[tuple[str, date, int], str] = {}
    for event_id, (room_id, start, end) in placed.items():
        e = m.events[event_id]
        fmt = e["format"]
        room = m.rooms.get(room_id)
        if room is None:
            bad.append(f"room_kind: {event_id} in unknown room {room_id}")
            continue
        virtual = room.get("kind", "physical") == "virtual"
        if (fmt == "virtual") != virtual or (fmt == "hybrid" and not truthy(room["hybrid"])):
            bad.append(f"room_kind: {event_id} ({fmt}) in {room_id}")
        if not virtual and int(room["capacity"]) < int(e["attendance"]):
            bad.append(f"capacity: {event_id} ({e['attendance']}) in {room_id} ({room['capacity']})")
        run = valid_run(m, start, end, fmt)
        if run is None:
            bad.append(f"slot_run: {event_id} at {start}")
        for s in run or occupied(m, start, end):
            other = cells.setdefault((room_id, s.day, s.index), event_id)
            if other != event_id:
                bad.append(f"room_clash: {event_id} and {other} in {room_id} at {s.start}")
        for b_start, b_end, b_formats in m.blocked:
            if fmt in b_formats and overlap(start, end, b_start, b_end):
                bad.append(f"blocked_period: {event_id}")
        for speaker_id in m.split(e["speakers"]):
            sp = m.speakers[speaker_id]
            if truthy(sp["remote"]):
                earliest = time.fromisoformat(sp["earliest"]) if sp.get("earliest") else m.remote_hours[0]
                latest = time.fromisoformat(sp["latest"]) if sp.get("latest") else m.remote_hours[1]
                if not inside_window(start, end, ZoneInfo(sp["timezone"] or str(m.tz)), earliest, latest):
                    bad.append(f"remote_hours: {event_id} for {speaker_id}")
        for u in m.unavailability:
            hit = (u["kind"] == "room" and u["id"] == room_id) or (
                u["kind"] == "speaker" and u["id"] in m.split(e["speakers"])) or (
                u["kind"] == "organizer" and u["id"] == e["organizer"])
            if hit and overlap(start, end, m.local(u["start"]), m.local(u["end"])):
                bad.append(f"unavailability: {event_id} and {u['kind']} {u['id']}")
        if e.get("room") and e["room"] != room_id:
            bad.append(f"pins: {event_id} pinned to room {e['room']}, placed in {room_id}")
        if e.get("start") and m.local(e["start"]).astimezone(UTC) != start.astimezone(UTC):
            bad.append(f"pins: {event_id} pinned to start {e['start']}, placed at {start}")
    for rule, key in (("speaker_clash", "speakers"), ("organizer_clash", "organizer")):
        busy: dict[str, list[tuple[datetime, datetime, str]]] = {}
        for event_id, (_, start, end) in placed.items():
            who = m.split(m.events[event_id][key]) if key == "speakers" else [m.events[event_id][key]]
            for person in who:
                busy.setdefault(person, []).append((start.astimezone(UTC), end.astimezone(UTC), event_id))
        for person, intervals in busy.items():
            intervals.sort()
            for (_, end_a, a), (start_b, _, b) in zip(intervals, intervals[1:], strict=False):
                if start_b < end_a:
                    bad.append(f"{rule}: {person} in {a} and {b}")
    return bad


def fewest_slots(m: PlainMeeting, event: dict[str, str], cache: dict | None = None) -> int:
    """How many slots the event occupies wherever it can start (the least over every valid start)."""
    key = (event["format"], event["duration"])
    if cache is not None and key in cache:
        return cache[key]
    best = None
    minutes = timedelta(minutes=int(event["duration"]))
    for day_slots in m.slots.values():
        for s in day_slots:
            run = valid_run(m, s.start, s.start + minutes, event["format"])
            if run and (best is None or len(run) < best):
                best = len(run)
    assert best is not None, f"event {event['id']} fits nowhere in the grid"
    if cache is not None:
        cache[key] = best
    return best


def tightness(files: dict[str, str]) -> tuple[int, int]:
    """(demand, supply) of physical room-slots, as the brief defines them (computed independently here)."""
    m = read_plain(files)
    cache: dict = {}
    demand = sum(fewest_slots(m, e, cache) for e in m.events.values() if e["format"] in PHYSICAL)
    supply = 0
    for room_id, room in m.rooms.items():
        if room.get("kind", "physical") == "virtual":
            continue
        takes = PHYSICAL if truthy(room["hybrid"]) else ("in_person",)
        closed = [(m.local(u["start"]), m.local(u["end"])) for u in m.unavailability
                  if u["kind"] == "room" and u["id"] == room_id]
        for day_slots in m.slots.values():
            for s in day_slots:
                open_formats = [f for f in takes if f in s.formats and not any(
                    f in bf and overlap(s.start, s.end, bs, be) for bs, be, bf in m.blocked)]
                if open_formats and not any(overlap(s.start, s.end, cs, ce) for cs, ce in closed):
                    supply += 1
    return demand, supply


def project_check(files: dict[str, str], witness: str, tmp_path: Path) -> tuple[list[str], list[str]]:
    """(warnings, violations) from the project's own loader and checker over the files and the witness."""
    from scheduler.check import check_schedule
    from scheduler.load import load_problem
    from scheduler.load.schedule import read_schedule

    folder = tmp_path / "meeting"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (tmp_path / "schedule.csv").write_text(witness, encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        problem = load_problem(folder)
    schedule = read_schedule(tmp_path / "schedule.csv", problem)
    return [str(w.message) for w in caught], [str(v) for v in check_schedule(problem, schedule)]


# --- the tests ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def meetings() -> dict[int, GeneratedMeeting]:
    """Generated meetings of several sizes, built once."""
    return {n: generate_meeting(n, 7) for n in (10, 80, 300, 1000)}


def test_files_and_witness_shape(meetings):
    for n, generated in meetings.items():
        assert sorted(generated.files) == sorted(FILES)
        m = read_plain(generated.files)
        assert len(m.events) == n
        witness = rows(generated.witness)
        assert list(witness[0]) == ["event_id", "status", "room", "start", "end"]
        assert sorted(r["event_id"] for r in witness) == sorted(m.events)
        key = [(datetime.fromisoformat(r["start"]).astimezone(UTC), r["room"], r["event_id"]) for r in witness]
        assert key == sorted(key), "witness rows must be sorted by start, room, event id"


@pytest.mark.parametrize("n", [10, 80, 300, 1000])
def test_witness_obeys_every_hard_rule(meetings, n):
    generated = meetings[n]
    assert hard_rule_violations(generated.files, generated.witness) == []


def test_largest_size_is_feasible_by_construction():
    generated = generate_meeting(3000, 11)
    assert len(rows(generated.files["events.csv"])) == 3000
    assert hard_rule_violations(generated.files, generated.witness) == []


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(min_value=1, max_value=60), seed=st.integers(min_value=0, max_value=2**31))
def test_any_small_size_and_seed_is_feasible(n, seed):
    generated = generate_meeting(n, seed)
    assert len(rows(generated.files["events.csv"])) == n
    assert hard_rule_violations(generated.files, generated.witness) == []


def _csv_text(witness: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["event_id", "status", "room", "start", "end"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(witness)
    return out.getvalue()


def test_plain_checker_catches_a_broken_witness(meetings):
    generated = meetings[80]
    events = read_plain(generated.files).events
    witness = rows(generated.witness)
    physical = [r for r in witness if events[r["event_id"]]["format"] != "virtual"]
    a, b = physical[0], next(r for r in physical[1:] if r["start"] != physical[0]["start"])
    moved = [dict(r, start=b["start"], end=b["end"], room=b["room"]) if r is a else r for r in witness]
    assert any(p.startswith("room_clash") for p in hard_rule_violations(generated.files, _csv_text(moved)))
    dropped = witness[1:]
    assert any(p.startswith("one_placement") for p in hard_rule_violations(generated.files, _csv_text(dropped)))
    shifted = [dict(r, start=r["start"].replace(":10:00", ":20:00")) if r is a else r for r in witness]
    assert any(p.startswith("slot_run") for p in hard_rule_violations(generated.files, _csv_text(shifted)))


def test_project_loader_and_checker_accept_the_witness(meetings, tmp_path):
    for n in (10, 300):
        caught, violations = project_check(meetings[n].files, meetings[n].witness, tmp_path / str(n))
        assert caught == []
        assert violations == []


def test_files_load_back_to_the_problem_they_were_written_from(tmp_path):
    from scheduler.load import load_problem

    built = generate_construction(80, 3)
    for name, text in built.files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert load_problem(tmp_path).digest() == built.problem.digest()
    assert built.witness == schedule_csv(built.schedule)


def test_same_seed_same_bytes_other_seed_other_meeting():
    first, again, other = generate_meeting(120, 5), generate_meeting(120, 5), generate_meeting(120, 6)
    assert first.files == again.files and first.witness == again.witness
    assert first.files["events.csv"] != other.files["events.csv"]


def test_tight_at_every_size(meetings):
    for n, generated in meetings.items():
        demand, supply = tightness(generated.files)
        assert demand <= supply
        assert demand / supply >= 0.7, f"{n} events: {demand}/{supply}"


def test_scales_days_and_rooms_with_events(meetings):
    sizes = sorted(meetings)
    days = [len(read_plain(meetings[n].files).days) for n in sizes]
    rooms = [len(read_plain(meetings[n].files).rooms) for n in sizes]
    assert days == sorted(days) and days[0] < days[-1]
    assert rooms == sorted(rooms) and rooms[0] < rooms[-1]


def test_constraint_shape_matches_the_shipped_data(meetings):
    m = read_plain(meetings[300].files)
    events = list(m.events.values())
    assert {e["format"] for e in events} == set(ALL_FORMATS)
    cache: dict = {}
    assert {fewest_slots(m, e, cache) for e in events} == {1, 2}
    kinds = Counter(r.get("kind") or "physical" for r in m.rooms.values())
    assert kinds["physical"] >= 2 and kinds["virtual"] >= 2
    assert any(truthy(r["hybrid"]) for r in m.rooms.values() if r["kind"] == "physical")
    assert any(set(s.formats) == {"virtual"} for d in m.slots.values() for s in d)
    assert m.blocked and any(set(f) == set(PHYSICAL) for _, _, f in m.blocked)
    assert {u["kind"] for u in m.unavailability} == {"room", "speaker", "organizer"}
    assert any(e["room"] for e in events) and any(e["start"] for e in events)
    assert any(e["preferred_days"] for e in events) and any(e["preferred_starts"] for e in events)
    assert len({e["priority"] for e in events}) >= 4
    assert any(e["visibility"] == "private" for e in events)
    assert all(e["topics"] for e in events)
    assert any("," in e["title"] for e in events) and any('"' in e["title"] for e in events)
    assert any(not e["title"].isascii() for e in events)
    speaker_use = Counter(s for e in events for s in m.split(e["speakers"]))
    organizer_use = Counter(e["organizer"] for e in events)
    assert max(speaker_use.values()) >= 2 and max(organizer_use.values()) >= 2
    assert not any(truthy(m.speakers[s]["remote"]) for e in events if e["format"] == "in_person"
                   for s in m.split(e["speakers"]))


def test_remote_speakers_span_zones_and_dst(meetings):
    m = read_plain(meetings[300].files)
    remote = [s for s in m.speakers.values() if truthy(s["remote"])]
    assert len(remote) / len(m.speakers) >= 0.25
    zones = {s["timezone"] for s in remote}
    assert {"America/Los_Angeles", "Pacific/Auckland", "Australia/Sydney", "America/New_York"} <= zones
    assert any(s["earliest"] for s in remote)
    # the meeting runs over the venue's DST change, and the long ones over the southern hemisphere's too
    assert m.days[0].isoformat() < "2026-03-29" < m.days[-1].isoformat()
    offsets = {datetime.combine(d, time(12), m.tz).utcoffset() for d in m.days}
    assert len(offsets) == 2
    auckland = {datetime.combine(d, time(12), ZoneInfo("Pacific/Auckland")).utcoffset()
                for d in read_plain(meetings[1000].files).days}
    assert len(auckland) == 2


def test_rejects_a_size_out_of_range():
    with pytest.raises(SchedulerError):
        generate_meeting(0, 1)
