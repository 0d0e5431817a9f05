"""A valid meeting folder loads into exactly the Problem its files describe."""

from __future__ import annotations

import csv
import io
import warnings
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scheduler.errors import DataWarning
from scheduler.load import load_problem
from scheduler.load.convert import folder_to_workbook
from scheduler.model import FORMATS, BlockedPeriod, Room, Speaker, Unavailability

from .meeting_files import BASE_FILES, MeetingFiles

VIENNA = ZoneInfo("Europe/Vienna")


def at(text: str) -> datetime:
    """A Vienna datetime from ``2022-05-16T09:00``."""
    return datetime.fromisoformat(text).replace(tzinfo=VIENNA)


def test_base_meeting_loads_without_warnings(files: MeetingFiles) -> None:
    folder = files.write()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        problem = load_problem(folder)

    meeting = problem.meeting
    assert meeting.id == "demo31"
    assert meeting.timezone == "Europe/Vienna"
    assert meeting.days == (date(2022, 5, 16), date(2022, 5, 17))
    assert meeting.uid_domain == "demo31.side-events.local"  # the documented default
    assert meeting.remote_hours == (time(7), time(22))
    assert dict(meeting.weights) == {"topic_clash": 5}

    assert [slot.id for slot in problem.slots] == [
        "2022-05-16T09:00", "2022-05-16T10:00", "2022-05-16T11:00",
        "2022-05-17T09:00", "2022-05-17T10:00", "2022-05-17T11:00", "2022-05-17T13:00",
    ]
    assert problem.slots[2].formats == frozenset({"in_person", "hybrid"})
    assert problem.slots[-1].formats == frozenset({"virtual"})
    assert problem.slots[0].formats == frozenset(FORMATS)
    assert problem.slots[0].start == at("2022-05-16T09:00")
    assert problem.blocked == (
        BlockedPeriod(at("2022-05-16T09:00"), at("2022-05-16T10:00"), "Opening of the session",
                      frozenset({"in_person", "hybrid"})),
    )

    assert problem.rooms == (
        Room("R1", "Room M1", "physical", 40, False, "M"),
        Room("R2", "Boardroom B", "physical", 200, True, "C"),
        Room("V1", "Online 1", "virtual", None, False, ""),
    )
    assert problem.speakers == (
        Speaker("S1", "Amina Odhiambo", "Africa/Nairobi", True, time(8), time(20), "amina@example.org"),
        Speaker("S2", "Bruno Keller", "Europe/Vienna", False),  # the venue's zone by default
        Speaker("S3", "Chen Wei", "Asia/Shanghai", True),
    )

    e1, e2, e3, e4 = problem.events
    assert e1.title == 'Drugs, crime; and "justice"\nin practice'
    assert e1.description == "Line one\nline two"
    assert (e1.organizer, e1.format, e1.duration, e1.attendance) == ("Austria", "hybrid", 50, 80)
    assert e1.speakers == ("S1", "S2")
    assert e1.topics == ("drugs", "justice")
    assert e1.priority == 5
    assert e1.preferred_days == (date(2022, 5, 16), date(2022, 5, 17))
    assert e1.preferred_starts == (time(9),)
    assert (e1.room, e1.start) == ("R2", at("2022-05-17T10:00"))
    assert e1.link == "https://example.org/e1"
    assert e1.visibility == "public"
    # "NA" is Namibia (or any text), never a missing value
    assert (e2.title, e2.organizer, e2.attendance, e2.priority) == ("NA", "NA", None, 3)
    assert (e2.format, e2.duration, e2.room, e2.start) == ("virtual", 110, "V1", None)
    assert e3.visibility == "private" and not e3.is_public
    assert e4.speakers == () and e4.preferred_days == (date(2022, 5, 16),)

    assert problem.unavailability == (
        Unavailability("room", "R1", at("2022-05-16T09:00"), at("2022-05-16T12:00"), "Maintenance"),
        Unavailability("speaker", "S2", at("2022-05-17T13:00"), at("2022-05-17T14:00"), ""),
        Unavailability("organizer", "UNODC", at("2022-05-16T09:00"), at("2022-05-16T10:00"), "Briefing"),
    )


def test_a_string_path_loads_the_same(files: MeetingFiles) -> None:
    folder = files.write()
    assert load_problem(str(folder)) == load_problem(folder)


def test_unavailability_is_optional(files: MeetingFiles) -> None:
    problem = load_problem(files.drop("unavailability.csv").write())
    assert problem.unavailability == ()


def test_bom_crlf_and_padding_load_the_same(files: MeetingFiles) -> None:
    plain = load_problem(files.write())
    for name in ("rooms.csv", "speakers.csv", "events.csv", "unavailability.csv"):
        text = files.files[name]
        assert isinstance(text, str)
        files.set(name, b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert load_problem(files.write()) == plain


def test_surrounding_whitespace_is_stripped_but_inner_text_kept(files: MeetingFiles) -> None:
    files.replace("rooms.csv", "R1,Room M1,physical,40,false,M", "  R1 ,\tRoom  M1 , Physical , 40 ,FALSE, M ")
    files.replace("events.csv", "E3,Prison reform,", "E3,  Prison   reform  ,")
    problem = load_problem(files.write())
    assert problem.rooms[0] == Room("R1", "Room  M1", "physical", 40, False, "M")
    assert problem.events[2].title == "Prison   reform"


@pytest.mark.parametrize(("text", "value"), [("true", True), ("YES", True), ("1", True), ("False", False),
                                             ("no", False), ("0", False), ("", False)])
def test_booleans_in_any_case(files: MeetingFiles, text: str, value: bool) -> None:
    files.replace("speakers.csv", "S3,Chen Wei,Asia/Shanghai,yes,", f"S3,Chen Wei,Asia/Shanghai,{text},")
    files.replace("events.csv", "E2,NA,NA,virtual,110,,S3,", "E2,NA,NA,virtual,110,,,")  # keep it valid either way
    assert load_problem(files.write()).speaker("S3").remote is value


def test_optional_meeting_keys(files: MeetingFiles) -> None:
    files.replace("meeting.toml", 'remote_hours = ["07:00", "22:00"]\n',
                  'remote_hours = ["06:30", "23:00"]\nuid_domain = "ccpcj31.example.org"\n'
                  'venue = "Vienna International Centre"\n')
    meeting = load_problem(files.write()).meeting
    assert meeting.remote_hours == (time(6, 30), time(23))
    assert meeting.uid_domain == "ccpcj31.example.org"
    assert meeting.venue == "Vienna International Centre"


def test_native_toml_dates_and_times_are_accepted(files: MeetingFiles) -> None:
    quoted = load_problem(files.write())
    files.replace("meeting.toml", 'days = ["2022-05-16", "2022-05-17"]', "days = [2022-05-17, 2022-05-16]")
    files.replace("meeting.toml", 'start = "09:00"\nend = "09:50"', "start = 09:00:00\nend = 09:50:00")
    files.replace("meeting.toml", 'start = "2022-05-16T09:00"', "start = 2022-05-16T09:00:00")
    files.replace("meeting.toml", 'end = "2022-05-16T10:00"', "end = 2022-05-16T08:00:00Z")
    assert load_problem(files.write()) == quoted


def test_pin_with_an_explicit_offset_is_the_same_instant(files: MeetingFiles) -> None:
    files.replace("events.csv", "R2,2022-05-17T10:00,", "R2,2022-05-17T08:00Z,")
    start = load_problem(files.write()).event("E1").start
    assert start == at("2022-05-17T10:00")
    assert start is not None and start.tzinfo is VIENNA


def test_lists_drop_empty_items_and_repeated_topics(files: MeetingFiles) -> None:
    files.replace("events.csv", "S1;S2,drugs;justice,", " S1 ; ;S2;,drugs;justice;drugs,")
    event = load_problem(files.write()).event("E1")
    assert event.speakers == ("S1", "S2")
    assert event.topics == ("drugs", "justice")


def test_a_speaker_listed_twice_is_a_warning(files: MeetingFiles) -> None:
    files.replace("events.csv", "S1;S2,drugs", "S1;S2;S1,drugs")
    with pytest.warns(DataWarning) as caught:
        event = load_problem(files.write()).event("E1")
    assert [str(w.message) for w in caught] == ["events.csv:2:7 (speakers): listed twice: S1"]
    assert event.speakers == ("S1", "S2")


def test_unknown_column_is_a_warning_and_ignored(files: MeetingFiles) -> None:
    text = files.files["events.csv"]
    assert isinstance(text, str)
    lines = text.split("\n")
    lines[0] += ",colour"
    files.set("events.csv", "\n".join(lines))
    files.replace("events.csv", "youth,,2022-05-16,,,,,,", "youth,,2022-05-16,,,,,,,red")
    with pytest.warns(DataWarning) as caught:
        problem = load_problem(files.write())
    assert [str(w.message) for w in caught] == ["events.csv:1:17 (colour): unknown column ignored"]
    assert problem.event("E4").title == "Youth forum"


def test_a_misspelt_column_is_warned_about_with_the_column_it_resembles(files: MeetingFiles) -> None:
    text = files.files["events.csv"]
    assert isinstance(text, str)
    files.set("events.csv", text.replace(",visibility\n", ",visiblity\n", 1))
    with pytest.warns(DataWarning) as caught:
        load_problem(files.write())
    assert [str(w.message) for w in caught] == [
        "events.csv:1:16 (visiblity): unknown column ignored (did you mean 'visibility'?)"]


def test_column_order_and_header_case_do_not_matter(files: MeetingFiles) -> None:
    plain = load_problem(files.write())
    files.set("rooms.csv", "Building,Capacity,ID,Name,Kind,Hybrid\nM,40,R1,Room M1,physical,false\n"
                           "C,200,R2,Boardroom B,physical,true\n,,V1,Online 1,virtual,\n")
    assert load_problem(files.write()) == plain


def test_blank_lines_are_skipped(files: MeetingFiles) -> None:
    plain = load_problem(files.write())
    files.replace("rooms.csv", "R2,Boardroom B", "\n,,,,,\nR2,Boardroom B")
    assert load_problem(files.write()) == plain


def test_the_same_folder_gives_the_same_digest(files: MeetingFiles) -> None:
    folder = files.write()
    assert load_problem(folder).digest() == load_problem(folder).digest()


def test_outside_blocked_period_and_unavailability_are_warnings(files: MeetingFiles) -> None:
    files.replace("meeting.toml", 'start = "2022-05-16T09:00"\nend = "2022-05-16T10:00"',
                  'start = "2022-05-20T09:00"\nend = "2022-05-20T10:00"')
    files.replace("unavailability.csv", "speaker,S2,2022-05-17T13:00,2022-05-17T14:00,",
                  "speaker,S2,2022-05-15T13:00,2022-05-15T14:00,")
    with pytest.warns(DataWarning) as caught:
        problem = load_problem(files.write())
    assert [str(w.message) for w in caught] == [
        "meeting.toml (blocked[1].start): outside the meeting's days; it has no effect",
        "unavailability.csv:3:3 (start): outside the meeting's days; it has no effect",
    ]
    assert len(problem.blocked) == 1 and len(problem.unavailability) == 3


def test_virtual_room_capacity_and_hybrid_are_ignored_with_a_warning(files: MeetingFiles) -> None:
    files.replace("rooms.csv", "V1,Online 1,virtual,,,", "V1,Online 1,virtual,500,true,")
    with pytest.warns(DataWarning) as caught:
        problem = load_problem(files.write())
    assert [str(w.message) for w in caught] == [
        "rooms.csv:4:4 (capacity): a virtual room has no capacity; ignored",
        "rooms.csv:4:5 (hybrid): hybrid applies to physical rooms only; ignored",
    ]
    assert problem.room("V1") == Room("V1", "Online 1", "virtual", None, False, "")


TITLE_TEXT = st.lists(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85")
    | st.sampled_from([",", ";", '"', "\n", "\r\n", "\r", " ", "NA", "="]),
    max_size=25,
).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TITLE_TEXT)
def test_any_title_survives_csv_quoting(files: MeetingFiles, title: str) -> None:
    expected = title.replace("\r\n", "\n").replace("\r", "\n").strip()
    assume(expected)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow(["E3", title])
    files.files = dict(BASE_FILES)
    files.replace("events.csv", "E3,Prison reform,", buffer.getvalue().rstrip("\n") + ",")
    assert load_problem(files.write()).event("E3").title == expected


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TITLE_TEXT)
def test_any_title_survives_the_workbook(files: MeetingFiles, tmp_path: Path, title: str) -> None:
    expected = title.replace("\r\n", "\n").replace("\r", "\n").strip()
    assume(expected)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow(["E3", title])
    files.files = dict(BASE_FILES)
    files.replace("events.csv", "E3,Prison reform,", buffer.getvalue().rstrip("\n") + ",")
    workbook = tmp_path / "title.xlsx"
    workbook.write_bytes(folder_to_workbook(files.write()))
    assert load_problem(workbook).event("E3").title == expected
