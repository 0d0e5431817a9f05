"""The iCalendar feeds: every feed parses back (icalendar and vobject), holds exactly its events at the
right instants, is line-clean, private and deterministic; titles of any text survive; DST and remote zones."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from scheduler.errors import UsageError
from scheduler.export.feeds import feed_paths
from scheduler.export.ics import build_feeds
from scheduler.export.labels import slugify
from scheduler.generate import generate_meeting
from scheduler.grid import SlotSpec
from scheduler.load import load_problem
from scheduler.load.schedule import read_schedule
from scheduler.model import Assignment, Schedule, event_end
from scheduler.publication import published_at_of
from scheduler.solver import SolveOptions, solve
from tests import factory as f

UTC = timezone.utc
PUBLISHED = datetime(2022, 5, 10, 9, 0, tzinfo=UTC)
SAFE_PATH = re.compile(r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*/)?[a-z0-9]+(?:-[a-z0-9]+)*\.ics$")


# --- helpers shared with the other feed tests -----------------------------------------------------


def placed(problem, *placements: tuple[str, str, datetime]) -> Schedule:
    """A schedule putting each (event id, room id, start) there, every other event unscheduled."""
    where = {event_id: (room, start) for event_id, room, start in placements}
    assignments = []
    for event in problem.events:
        if event.id in where:
            room, start = where[event.id]
            assignments.append(Assignment(event.id, room, start, event_end(start, event.duration)))
        else:
            assignments.append(Assignment(event.id))
    return Schedule(tuple(assignments))


def lint(text: str) -> list[str]:
    """Line problems of a feed: not CRLF, a line over 75 octets, a UTF-8 sequence split by a fold."""
    problems = []
    data = text.encode("utf-8")
    if not data.endswith(b"\r\n"):
        problems.append("does not end with CRLF")
    if re.search(rb"(?<!\r)\n", data) or re.search(rb"\r(?!\n)", data):
        problems.append("a bare LF or CR")
    for number, line in enumerate(data.split(b"\r\n")[:-1], start=1):
        if len(line) > 75:
            problems.append(f"line {number} has {len(line)} octets")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"line {number} splits a UTF-8 sequence")
        if not line:
            problems.append(f"line {number} is empty")
    return problems


def ical_events(text: str) -> list:
    """The VEVENTs of a feed, parsed by icalendar."""
    return Calendar.from_ical(text).walk("VEVENT")


def vobject_events(text: str) -> list:
    """The VEVENTs of a feed, parsed by vobject with validation, reading this feed's own VTIMEZONEs.

    vobject keeps the first VTIMEZONE it saw for a TZID for the rest of the process; forgetting them
    makes it apply the rules of the feed at hand (one covering 2022 knows nothing of 2026).
    """
    registry = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [tzid for tzid in registry if tzid != "UTC"]:
        del registry[tzid]
    calendar = vobject.readOne(text, validate=True)
    return list(calendar.contents.get("vevent", []))


def uids(text: str) -> list[str]:
    """The UIDs of a feed's VEVENTs, in file order."""
    return [str(event["UID"]) for event in ical_events(text)]


def instant(event, name: str = "DTSTART") -> datetime:
    """A VEVENT date-time property as a UTC instant (icalendar)."""
    return event.decoded(name).astimezone(UTC)


def check_feed_set(files: dict[str, str]) -> None:
    """Every feed line-lints clean and parses back with icalendar and vobject; the index lists them all."""
    feeds = {path: text for path, text in files.items() if path.endswith(".ics")}
    index = json.loads(files["index.json"])
    assert sorted(entry["path"] for entry in index["feeds"]) == sorted(feeds)
    for path, text in feeds.items():
        assert SAFE_PATH.match(path), path
        assert lint(text) == [], (path, lint(text)[:3])
        calendar = Calendar.from_ical(text)
        assert "METHOD" not in calendar
        assert calendar.get_missing_tzids() == set(), path
        by_icalendar = calendar.walk("VEVENT")
        by_vobject = vobject_events(text)
        assert [str(e["UID"]) for e in by_icalendar] == [e.uid.value for e in by_vobject]
        assert len({str(e["UID"]) for e in by_icalendar}) == len(by_icalendar), f"{path}: a UID twice"
        entry = next(e for e in index["feeds"] if e["path"] == path)
        cancelled = sum(str(e.get("STATUS")) == "CANCELLED" for e in by_icalendar)
        assert (entry["events"], entry["cancelled"]) == (len(by_icalendar) - cancelled, cancelled), path
        for ours, theirs in zip(by_icalendar, by_vobject, strict=True):
            assert instant(ours) == theirs.dtstart.value.astimezone(UTC)
            assert instant(ours, "DTEND") == theirs.dtend.value.astimezone(UTC)


# --- a small meeting with every kind of event -------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    """Three rooms (one a channel), public in-person/hybrid/virtual events, a private and an unscheduled one."""
    speakers = [
        f.speaker("S1", name="Ana Pérez", email="ana.secret@example.org"),
        f.speaker("S2", name="Kenji Sato", timezone="Asia/Tokyo", remote=True, email="kenji.secret@example.org"),
        f.speaker("S3", name="Hidden Person", email="hidden.secret@example.org"),
    ]
    events = [
        f.event("E1", title="Cybercrime and youth", organizer="UNODC", speakers=("S1",),
                topics=("cybercrime", "youth")),
        f.event("E2", title="Hybrid panel", organizer="Government of Japan", format="hybrid", speakers=("S2",),
                topics=("cybercrime",), link="https://meet.example.org/e2", description="Bring, your; questions"),
        f.event("E3", title="Online briefing", organizer="UNODC", format="virtual", attendance=None,
                speakers=("S1", "S2"), topics=("victims",), link="https://meet.example.org/e3"),
        f.event("E4", title="Closed consultation", organizer="Secret Org", speakers=("S1", "S3"),
                topics=("private-topic",), visibility="private"),
        f.event("E5", title="Waiting list event", organizer="NGO X", topics=("youth",)),
        f.event("E6", title="Prison reform", organizer="Government of Japan"),
    ]
    problem = f.problem(events, speakers)
    schedule = placed(problem, ("E1", "R1", f.at("09:00")), ("E2", "R2", f.at("09:00")),
                      ("E3", "V1", f.at("10:00")), ("E4", "R1", f.at("10:00")), ("E6", "R2", f.at("11:00")))
    return problem, schedule


@pytest.fixture(scope="module")
def sample_files(sample):
    problem, schedule = sample
    return build_feeds(problem, schedule, published_at=PUBLISHED)


def test_every_feed_lints_clean_and_parses_back_with_icalendar_and_vobject(sample_files):
    check_feed_set(sample_files)


def test_the_feed_layout_lists_every_room_format_organizer_speaker_and_topic(sample_files):
    assert sorted(sample_files) == sorted([
        "all.ics", "formats/in-person.ics", "formats/hybrid.ics", "formats/online.ics",
        "rooms/r1.ics", "rooms/r2.ics", "rooms/v1.ics",
        "organizers/unodc.ics", "organizers/government-of-japan.ics", "organizers/ngo-x.ics",
        "speakers/s1.ics", "speakers/s2.ics",
        "topics/cybercrime.ics", "topics/youth.ics", "topics/victims.ics",
        *(f"events/{event_id.lower()}.ics" for event_id in ("E1", "E2", "E3", "E5", "E6")),
        "index.json", "index.html",
    ])


def test_all_ics_holds_every_public_scheduled_event_once_at_the_schedules_instant(sample, sample_files):
    problem, schedule = sample
    events = ical_events(sample_files["all.ics"])
    expected = {a.event_id: a for a in schedule.scheduled if problem.event(a.event_id).is_public}
    assert Counter(str(e["UID"]) for e in events) == Counter(f"{i}@test.example.org" for i in expected)
    for event in events:
        assignment = expected[str(event["UID"]).split("@")[0]]
        assert instant(event) == assignment.start.astimezone(UTC)
        assert instant(event, "DTEND") == assignment.end.astimezone(UTC)
        assert event["DTSTART"].params["TZID"] == "Europe/Vienna"


def test_each_feed_holds_exactly_its_events(sample_files):
    def ids(path):
        return sorted(u.split("@")[0] for u in uids(sample_files[path]))

    assert ids("rooms/r1.ics") == ["E1"]
    assert ids("rooms/r2.ics") == ["E2", "E6"]
    assert ids("rooms/v1.ics") == ["E3"]
    assert ids("formats/in-person.ics") == ["E1", "E6"]
    assert ids("formats/hybrid.ics") == ["E2"]
    assert ids("formats/online.ics") == ["E3"]
    assert ids("organizers/unodc.ics") == ["E1", "E3"]
    assert ids("organizers/government-of-japan.ics") == ["E2", "E6"]
    assert ids("organizers/ngo-x.ics") == []
    assert ids("speakers/s1.ics") == ["E1", "E3"]
    assert ids("speakers/s2.ics") == ["E2", "E3"]
    assert ids("topics/cybercrime.ics") == ["E1", "E2"]
    assert ids("topics/youth.ics") == ["E1"]
    assert ids("topics/victims.ics") == ["E3"]


def test_a_vevent_carries_every_property_of_the_spec(sample_files):
    events = {str(e["UID"]): e for e in ical_events(sample_files["all.ics"])}
    hybrid, online = events["E2@test.example.org"], events["E3@test.example.org"]
    in_person = events["E1@test.example.org"]
    for event in events.values():
        assert event.decoded("DTSTAMP") == PUBLISHED
        assert event.decoded("LAST-MODIFIED") == PUBLISHED
        assert int(event["SEQUENCE"]) == 0
        assert str(event["STATUS"]) == "CONFIRMED"
    assert str(in_person["SUMMARY"]) == "Cybercrime and youth"
    assert str(in_person["LOCATION"]) == "Room M1, Building M"
    assert str(online["LOCATION"]) == "Online"
    description = str(hybrid["DESCRIPTION"])
    for part in ("Organizer: Government of Japan", "Kenji Sato", "Format: Hybrid", "Topics: cybercrime",
                 "https://meet.example.org/e2", "Bring, your; questions"):
        assert part in description
    assert [str(c) for c in hybrid.categories] == ["Hybrid", "cybercrime"]
    assert [str(c) for c in in_person.categories] == ["In person", "cybercrime", "youth"]
    for event, link in ((hybrid, "https://meet.example.org/e2"), (online, "https://meet.example.org/e3")):
        assert str(event["URL"]) == link
        (conference,) = event.conferences
        assert conference.uri == link
        assert conference.feature == ["AUDIO", "VIDEO"]
        assert conference.label
    assert "URL" not in in_person and "CONFERENCE" not in in_person


def test_only_a_web_link_becomes_url_and_conference():
    problem = f.problem([f.event("E1", format="hybrid", link="javascript:alert(1)"),
                         f.event("E2", format="hybrid", link="https://meet.example.org/x?a=1;b=2")])
    files = build_feeds(problem, placed(problem, ("E1", "R2", f.at("09:00")), ("E2", "R2", f.at("10:00"))),
                        published_at=PUBLISHED)
    events = {str(e["UID"]): e for e in ical_events(files["all.ics"])}
    unsafe, safe = events["E1@test.example.org"], events["E2@test.example.org"]
    assert "URL" not in unsafe and "CONFERENCE" not in unsafe
    assert "javascript:alert(1)" in str(unsafe["DESCRIPTION"])
    assert str(safe["URL"]) == "https://meet.example.org/x?a=1;b=2"
    assert [c.uri for c in safe.conferences] == ["https://meet.example.org/x?a=1;b=2"]


def test_the_calendar_carries_its_own_properties_and_no_method(sample_files):
    raw = sample_files["rooms/r2.ics"]
    calendar = Calendar.from_ical(raw)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//")
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert "Boardroom B" in str(calendar["X-WR-CALNAME"])
    assert "Boardroom B" in str(calendar["X-WR-CALDESC"])
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"])  # RFC 7986 and the clients' X- names agree
    # icalendar unescapes the TEXT of DESCRIPTION but keeps an X- property's escapes as written
    assert str(calendar["DESCRIPTION"]) == str(calendar["X-WR-CALDESC"]).replace("\\;", ";").replace("\\,", ",")
    assert str(calendar["COLOR"]) == "steelblue"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Vienna"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in raw
    assert "X-PUBLISHED-TTL:PT1H\r\n" in raw
    assert "METHOD" not in calendar
    assert raw.startswith("BEGIN:VCALENDAR\r\n") and raw.endswith("END:VCALENDAR\r\n")


def test_private_events_and_emails_appear_in_no_output(sample_files):
    for path, text in sample_files.items():
        for secret in ("E4@", "Closed consultation", "Secret Org", "private-topic", "Hidden Person",
                       "secret@example.org"):
            assert secret not in text, (path, secret)
    assert not any(p.startswith("speakers/s3") for p in sample_files)
    assert "E4@test.example.org" not in uids(sample_files["speakers/s1.ics"])


def test_the_same_schedule_gives_byte_identical_feeds(sample, sample_files):
    problem, schedule = sample
    shuffled = Schedule(tuple(reversed(schedule.assignments)), {"seed": 7})
    reordered = replace(problem, events=tuple(reversed(problem.events)), speakers=tuple(reversed(problem.speakers)))
    assert build_feeds(reordered, shuffled, published_at=PUBLISHED) == sample_files
    assert build_feeds(problem, schedule, published_at=PUBLISHED.astimezone(ZoneInfo("Asia/Tokyo"))) == sample_files


def test_published_at_comes_from_the_metadata_or_the_option_never_the_clock(sample):
    problem, schedule = sample
    with_meta = Schedule(schedule.assignments, {"published_at": "2022-05-10T11:00:00+02:00"})
    assert published_at_of(with_meta) == PUBLISHED
    override = datetime(2022, 5, 11, tzinfo=UTC)
    assert published_at_of(with_meta, override) == override
    with pytest.raises(UsageError, match="published-at"):
        published_at_of(schedule)
    with pytest.raises(UsageError, match="UTC offset"):
        published_at_of(Schedule(schedule.assignments, {"published_at": "2022-05-10T11:00:00"}))
    with pytest.raises(UsageError, match="UTC offset"):
        build_feeds(problem, schedule, published_at=datetime(2022, 5, 10, 9))


def test_the_index_lists_every_feed_with_title_count_and_relative_url(sample_files):
    index = json.loads(sample_files["index.json"])
    assert index["published_at"] == "2022-05-10T09:00:00Z"
    by_path = {entry["path"]: entry for entry in index["feeds"]}
    assert by_path["all.ics"]["events"] == 4
    assert by_path["rooms/v1.ics"]["title"] == "Online 1 (online channel)"
    assert by_path["speakers/s2.ics"] == {"path": "speakers/s2.ics", "url": "speakers/s2.ics", "kind": "speaker",
                                          "id": "S2", "title": "Kenji Sato", "events": 2, "cancelled": 0}
    page = sample_files["index.html"]
    for entry in index["feeds"]:
        assert f'href="{entry["url"]}"' in page
    assert page.count("<tr><td>") == len(index["feeds"])


def test_titles_and_names_are_html_escaped_in_the_index():
    problem = f.problem([f.event("E1", title="x", organizer="<script>alert(1)</script> & Co",
                                 topics=('"quoted" <b>',))])
    files = build_feeds(problem, placed(problem, ("E1", "R1", f.at("09:00"))), published_at=PUBLISHED)
    page = files["index.html"]
    assert "<script>alert" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    topics = [e for e in json.loads(files["index.json"])["feeds"] if e["kind"] == "topic"]
    assert topics[-1]["title"] == '"quoted" <b>'


def test_an_empty_feed_is_still_a_valid_calendar():
    problem = f.problem([f.event("E1")])
    files = build_feeds(problem, placed(problem), published_at=PUBLISHED)
    for path in ("all.ics", "rooms/r1.ics", "organizers/org-e1.ics"):
        assert ical_events(files[path]) == []
        assert vobject_events(files[path]) == []
        assert "BEGIN:VTIMEZONE" in files[path]


# --- text of any kind --------------------------------------------------------------------------------

HOSTILE_TITLES = [
    "Crime, justice; and \"prevention\"",
    "Back\\slash \\n \\N \\, \\; C:\\New\\Folder \\\\",
    "Two\nlines\r\nthree\rfour",
    "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@attacker\r\nSUMMARY:injected",
    "END:VCALENDAR",
    "مكافحة الجريمة المنظمة عبر الوطنية",
    "预防犯罪和刑事司法委员会第三十一届会议",
    "Предупреждение преступности и уголовное правосудие",
    "Emoji 🎉👩🏽‍⚖️🇦🇹 — done",
    "é" * 200,
    "😀" * 80,
    "a" * 74 + "é" + "😀" * 3 + "\\" * 5,
]


def expected_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_a_hostile_title_comes_back_as_the_same_text_and_never_adds_a_component(title):
    problem = f.problem([f.event("E1", title=title, organizer=title, topics=(title, "plain")),
                         f.event("E2", title="Other")])
    files = build_feeds(problem, placed(problem, ("E1", "R1", f.at("09:00")), ("E2", "R1", f.at("10:00"))),
                        published_at=PUBLISHED)
    check_feed_set(files)
    text = files["all.ics"]
    lines = text.split("\r\n")
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 2
    assert lines.count("BEGIN:VCALENDAR") == lines.count("END:VCALENDAR") == 1
    ours = {str(e["UID"]): e for e in ical_events(text)}
    theirs = {e.uid.value: e for e in vobject_events(text)}
    assert set(ours) == set(theirs) == {"E1@test.example.org", "E2@test.example.org"}
    assert str(ours["E1@test.example.org"]["SUMMARY"]) == expected_text(title)
    assert theirs["E1@test.example.org"].summary.value == expected_text(title)
    assert [str(c) for c in ours["E1@test.example.org"].categories] == ["In person", expected_text(title), "plain"]
    assert theirs["E1@test.example.org"].categories.value == ["In person", expected_text(title), "plain"]
    assert f"Organizer: {expected_text(title)}" in theirs["E1@test.example.org"].description.value


_PIECES = st.sampled_from(["\\", "\\N", "\\n", ";", ",", ":", '"', "\n", "\r\n", "BEGIN:VEVENT", "END:VCALENDAR",
                           "é", "中", "🙂", "ـ", " ", "\t"])
_TITLES = st.lists(st.one_of(_PIECES, st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)),
                   max_size=12).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=_TITLES)
def test_any_title_round_trips_through_icalendar_and_vobject(title):
    problem = f.problem([f.event("E1", title=title)])
    text = build_feeds(problem, placed(problem, ("E1", "R1", f.at("09:00"))), published_at=PUBLISHED)["all.ics"]
    assert lint(text) == []
    (ours,) = ical_events(text)
    (theirs,) = vobject_events(text)
    assert str(ours["SUMMARY"]) == expected_text(title)
    assert theirs.summary.value == expected_text(title)


def test_control_characters_are_dropped_and_unicode_line_breaks_become_line_breaks():
    problem = f.problem([f.event("E1", title="a\x00b\x07c\x1bd\x7fe\u2028f\x0cg\th")])
    text = build_feeds(problem, placed(problem, ("E1", "R1", f.at("09:00"))), published_at=PUBLISHED)["all.ics"]
    (event,) = ical_events(text)
    assert str(event["SUMMARY"]) == "abcde\nf\ng\th"


def test_long_lines_fold_at_75_octets_between_characters():
    title = "日本語のタイトル" * 30
    problem = f.problem([f.event("E1", title=title, description="ü" * 500)])
    text = build_feeds(problem, placed(problem, ("E1", "R1", f.at("09:00"))), published_at=PUBLISHED)["all.ics"]
    assert lint(text) == []
    assert max(len(line.encode()) for line in text.split("\r\n")) == 75
    assert str(ical_events(text)[0]["SUMMARY"]) == title


# --- file names ---------------------------------------------------------------------------------------


def test_slugs_are_ascii_lowercase_and_safe():
    assert slugify("Government of Côte d'Ivoire") == "government-of-cote-d-ivoire"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("网络犯罪") == ""
    assert len(slugify("x" * 500)) <= 60


def test_ids_that_slug_alike_get_distinct_stable_names():
    ids = ["Room A", "room-a", "ROOM_A", "../../etc/passwd", "con", "网络犯罪", "حماية الأطفال", "", "a" * 100, "b"]
    paths = feed_paths("topic", ids)
    assert len(set(paths.values())) == len(ids)
    for item, path in paths.items():
        assert SAFE_PATH.match(path) and path.startswith("topics/"), (item, path)
    assert paths["b"] == "topics/b.ics"
    assert paths["con"] != "topics/con.ics"
    assert len({paths["Room A"], paths["room-a"], paths["ROOM_A"]}) == 3
    assert all(paths[i].startswith("topics/room-a-") for i in ("Room A", "room-a", "ROOM_A"))
    assert feed_paths("topic", list(reversed(ids))) == paths  # order of input does not matter
    kept = feed_paths("topic", [*ids, "Room-A!"], previous={("topic", "Room A"): "topics/room-a.ics"},
                      reserved={"topics/room-a.ics"})
    assert kept["Room A"] == "topics/room-a.ics"
    assert len(set(kept.values())) == len(ids) + 1


def test_feed_names_in_a_publication_are_unique_and_safe():
    names = ["Room A", "room-a", "../x", "网络犯罪", "حماية الأطفال"]
    problem = f.problem([f.event(f"E{i}", organizer=name, topics=(name,)) for i, name in enumerate(names)])
    schedule = placed(problem, *((f"E{i}", "R1", f.at(f"{9 + i:02d}:00")) for i in range(4)))
    files = build_feeds(problem, schedule, published_at=PUBLISHED)
    check_feed_set(files)
    assert sum(p.startswith("organizers/") for p in files) == sum(p.startswith("topics/") for p in files) == 5


# --- time zones ---------------------------------------------------------------------------------------

DST_DAYS = tuple(date(2026, 3, 27) + timedelta(days=i) for i in range(5))  # Vienna switches on Sun 29 March


@pytest.fixture(scope="module")
def dst_meeting():
    meeting = f.meeting(days=DST_DAYS)
    specs = [SlotSpec(time(9, 0), time(9, 50)), SlotSpec(time(15, 0), time(15, 50))]
    speakers = [f.speaker("NY", name="New York speaker", timezone="America/New_York", remote=True),
                f.speaker("TK", name="Tokyo speaker", timezone="Asia/Tokyo", remote=True)]
    events = [f.event(f"D{day.day}", format="hybrid", speakers=("TK",)) for day in DST_DAYS]
    events.append(f.event("NY1", format="hybrid", speakers=("NY",)))
    problem = f.problem(events, speakers, the_meeting=meeting, specs=specs)
    placements = [(f"D{day.day}", "R2", f.at("09:00", day)) for day in DST_DAYS]
    placements.append(("NY1", "R2", f.at("15:00", DST_DAYS[0])))
    schedule = placed(problem, *placements)
    return problem, build_feeds(problem, schedule, published_at=PUBLISHED)


def test_a_meeting_across_the_dst_change_keeps_every_event_at_its_wall_clock_time(dst_meeting):
    _, files = dst_meeting
    check_feed_set(files)
    text = files["rooms/r2.ics"]
    for day in DST_DAYS:
        assert f"DTSTART;TZID=Europe/Vienna:{day:%Y%m%d}T090000\r\n" in text
    expected_utc = {27: 8, 28: 8, 29: 7, 30: 7, 31: 7}  # CET (UTC+1) before, CEST (UTC+2) after the change
    by_vobject = {e.uid.value: e for e in vobject_events(text)}
    by_icalendar = {str(e["UID"]): e for e in ical_events(text)}
    for day, hour in expected_utc.items():
        uid = f"D{day}@test.example.org"
        want = datetime(2026, 3, day, hour, 0, tzinfo=UTC)
        assert instant(by_icalendar[uid]) == want
        assert by_vobject[uid].dtstart.value.astimezone(UTC) == want  # vobject reads our VTIMEZONE
        assert by_vobject[uid].dtstart.value.hour == 9


def test_a_remote_speakers_feed_shows_the_right_instant_in_their_zone(dst_meeting):
    _, files = dst_meeting
    new_york = ZoneInfo("America/New_York")
    (event,) = vobject_events(files["speakers/ny.ics"])
    # 15:00 in Vienna (still CET, UTC+1) on 27 March is 14:00 UTC, and New York is already on EDT (UTC-4).
    assert event.dtstart.value.astimezone(new_york).replace(tzinfo=None) == datetime(2026, 3, 27, 10, 0)
    assert event.dtend.value.astimezone(new_york).replace(tzinfo=None) == datetime(2026, 3, 27, 10, 50)
    assert "America/New_York: 2026-03-27 10:00–10:50 local time" in event.description.value
    tokyo = ZoneInfo("Asia/Tokyo")
    starts = sorted(e.dtstart.value.astimezone(tokyo).replace(tzinfo=None)
                    for e in vobject_events(files["speakers/tk.ics"]))
    assert starts == [datetime(2026, 3, 27, 17), datetime(2026, 3, 28, 17), datetime(2026, 3, 29, 16),
                      datetime(2026, 3, 30, 16), datetime(2026, 3, 31, 16)]


# --- the generated and the shipped meeting -------------------------------------------------------------


def check_against_schedule(problem, schedule, files) -> None:
    """all.ics holds each public scheduled event once at schedule.csv's instant; room feeds hold their rooms'."""
    check_feed_set(files)
    public = {a.event_id: a for a in schedule.scheduled if problem.event(a.event_id).is_public}
    domain = problem.meeting.uid_domain
    events = ical_events(files["all.ics"])
    assert Counter(str(e["UID"]) for e in events) == Counter(f"{i}@{domain}" for i in public)
    for event in events:
        assignment = public[str(event["UID"]).rsplit("@", 1)[0]]
        assert instant(event) == assignment.start.astimezone(UTC)
        assert instant(event, "DTEND") == assignment.end.astimezone(UTC)
    index = json.loads(files["index.json"])
    for entry in index["feeds"]:
        if entry["kind"] == "room":
            want = sorted(f"{i}@{domain}" for i, a in public.items() if a.room == entry["id"])
            assert sorted(uids(files[entry["path"]])) == want, entry["path"]
    emails = [s.email for s in problem.speakers if s.email]
    for path, text in files.items():
        assert not any(email in text for email in emails), path


def test_the_feeds_of_a_generated_meeting_match_its_schedule(tmp_path):
    generated = generate_meeting(40, 3)
    for name, text in generated.files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "witness.csv").write_text(generated.witness, encoding="utf-8")
    problem = load_problem(tmp_path)
    schedule = read_schedule(tmp_path / "witness.csv", problem)
    files = build_feeds(problem, schedule, published_at=PUBLISHED)
    check_against_schedule(problem, schedule, files)
    assert build_feeds(problem, schedule, published_at=PUBLISHED) == files


def test_the_feeds_of_the_shipped_meeting_match_a_solved_schedule(shipped_dir: Path):
    problem = load_problem(shipped_dir)
    schedule = solve(problem, SolveOptions(time_limit=1, seed=1, workers=1))
    files = build_feeds(problem, schedule, published_at=PUBLISHED)
    check_against_schedule(problem, schedule, files)


def test_an_event_in_the_repeated_autumn_hour_is_written_in_utc_and_read_alike():
    day = date(2026, 10, 25)  # Vienna: 03:00 CEST becomes 02:00 CET, so 02:00-02:59 happens twice
    meeting = f.meeting(days=(day,))
    specs = [SlotSpec(time(1, 0), time(1, 50)), SlotSpec(time(2, 0), time(2, 50)), SlotSpec(time(9, 0), time(9, 50))]
    problem = f.problem([f.event("E2"), f.event("E9")], the_meeting=meeting, specs=specs)
    schedule = placed(problem, ("E2", "R1", f.at("02:00", day)), ("E9", "R1", f.at("09:00", day)))
    files = build_feeds(problem, schedule, published_at=PUBLISHED)
    check_feed_set(files)
    text = files["all.ics"]
    start = next(a.start for a in schedule.assignments if a.event_id == "E2").astimezone(UTC)
    assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z\r\n" in text
    assert "DTSTART;TZID=Europe/Vienna:20261025T090000\r\n" in text  # unambiguous times keep the venue's zone
    by_vobject = {e.uid.value: e.dtstart.value for e in vobject_events(text)}
    by_icalendar = {str(e["UID"]): instant(e) for e in ical_events(text)}
    assert by_vobject["E2@test.example.org"].astimezone(UTC) == by_icalendar["E2@test.example.org"] == start
