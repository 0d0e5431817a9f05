"""Every kind of bad input is reported at its exact file, row, column and field, all in one go."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from scheduler.errors import DataErrors
from scheduler.load import load_problem

from .meeting_files import MeetingFiles, load_errors, only_error, place


@dataclass(frozen=True)
class Case:
    """One bad edit of the base meeting and the single error it must cause."""

    name: str
    edits: tuple[tuple[str, str, str], ...]  # (file, old, new)
    where: tuple[str, int | None, int | None, str | None]
    message: str  # the error's full message after "place: "


def case(name: str, file: str, old: str, new: str, where: tuple, message: str) -> Case:
    """A case with one edit."""
    return Case(name, ((file, old, new),), where, message)


E3 = "E3,Prison reform,UNODC,in_person,50,30,S2,justice,2,,,,,,,private"  # events.csv row 4
E4 = "E4,Youth forum,Brazil,in_person,100,150,,youth,,2022-05-16,,,,,,"  # events.csv row 5
R1 = "R1,Room M1,physical,40,false,M"  # rooms.csv row 2
S2 = "S2,Bruno Keller,,false,,,"  # speakers.csv row 3

CASES = [
    # ids
    case("empty event id", "events.csv", E3, E3.replace("E3,", ",", 1),
         ("events.csv", 4, 1, "id"), "empty id"),
    case("duplicate event id", "events.csv", E4, E4.replace("E4,", "E3,", 1),
         ("events.csv", 5, 1, "id"), "duplicate event id 'E3' (first on row 4)"),
    case("duplicate room id", "rooms.csv", "V1,Online 1,virtual,,,", "V1,Online 1,virtual,,,\nR1,Room M2,physical,20,,",
         ("rooms.csv", 5, 1, "id"), "duplicate room id 'R1' (first on row 2)"),
    case("empty speaker id", "speakers.csv", S2, S2.replace("S2,", ",", 1),
         ("speakers.csv", 3, 1, "id"), "empty id"),
    case("semicolon in a speaker id", "speakers.csv", "S3,Chen Wei", "S3;x,Chen Wei",
         ("speakers.csv", 4, 1, "id"),
         "a speaker id may not contain ';' (events list speakers with it)"),
    # numbers
    case("duration not a number", "events.csv", E3, E3.replace(",50,30,", ",1h,30,"),
         ("events.csv", 4, 5, "duration"), "expected minutes, got '1h'"),
    case("duration zero", "events.csv", E3, E3.replace(",50,30,", ",0,30,"),
         ("events.csv", 4, 5, "duration"), "must be 1 or more, got 0"),
    case("negative capacity", "rooms.csv", R1, R1.replace(",40,", ",-5,"),
         ("rooms.csv", 2, 4, "capacity"), "must be 1 or more, got -5"),
    case("negative attendance", "events.csv", E3, E3.replace(",50,30,", ",50,-3,"),
         ("events.csv", 4, 6, "attendance"), "must be 0 or more, got -3"),
    case("decimal attendance", "events.csv", E3, E3.replace(",50,30,", ",50,30.5,"),
         ("events.csv", 4, 6, "attendance"), "expected a number of people, got '30.5'"),
    case("priority too high", "events.csv", E3, E3.replace("justice,2,", "justice,6,"),
         ("events.csv", 4, 9, "priority"), "must be from 1 to 5, got 6"),
    case("priority zero", "events.csv", E3, E3.replace("justice,2,", "justice,0,"),
         ("events.csv", 4, 9, "priority"), "must be from 1 to 5, got 0"),
    case("priority not a number", "events.csv", E3, E3.replace("justice,2,", "justice,high,"),
         ("events.csv", 4, 9, "priority"), "expected a priority 1-5, got 'high'"),
    # enumerations
    case("unknown format", "events.csv", E3, E3.replace("in_person", "in-person"),
         ("events.csv", 4, 4, "format"),
         "unknown format 'in-person' (did you mean 'in_person'?); expected one of in_person, hybrid, virtual"),
    case("empty format", "events.csv", E3, E3.replace("in_person", ""),
         ("events.csv", 4, 4, "format"), "is empty; expected one of in_person, hybrid, virtual"),
    case("bad visibility", "events.csv", E3, E3.replace("private", "secret"),
         ("events.csv", 4, 16, "visibility"), "unknown visibility 'secret'; expected one of public, private"),
    case("unknown room kind", "rooms.csv", "V1,Online 1,virtual", "V1,Online 1,online",
         ("rooms.csv", 4, 3, "kind"), "unknown room kind 'online'; expected one of physical, virtual"),
    case("unknown unavailability kind", "unavailability.csv", "organizer,UNODC", "team,UNODC",
         ("unavailability.csv", 4, 1, "kind"), "unknown kind 'team'; expected one of room, speaker, organizer"),
    case("bad boolean", "rooms.csv", R1, R1.replace("false", "maybe"),
         ("rooms.csv", 2, 5, "hybrid"), "expected true/false, yes/no or 1/0, got 'maybe'"),
    # required cells
    case("attendance missing for in_person", "events.csv", E3, E3.replace(",50,30,", ",50,,"),
         ("events.csv", 4, 6, "attendance"), "attendance is required for a in_person event"),
    case("attendance missing for hybrid", "events.csv", "hybrid,50,80,", "hybrid,50,,",
         ("events.csv", 2, 6, "attendance"), "attendance is required for a hybrid event"),
    case("capacity missing for a physical room", "rooms.csv", R1, R1.replace(",40,", ",,"),
         ("rooms.csv", 2, 4, "capacity"), "capacity is required for a physical room"),
    case("empty title", "events.csv", E3, E3.replace("Prison reform", ""),
         ("events.csv", 4, 2, "title"), "is empty"),
    case("empty organizer", "events.csv", E3, E3.replace("UNODC", ""),
         ("events.csv", 4, 3, "organizer"), "is empty"),
    # time zones, dates and times
    case("unknown speaker time zone", "speakers.csv", "Asia/Shanghai", "Asia/Peking",
         ("speakers.csv", 4, 3, "timezone"),
         "unknown time zone 'Asia/Peking' (expected an IANA name such as Europe/Vienna)"),
    case("bad preferred day", "events.csv", "5,2022-05-16;2022-05-17,", "5,2022-05-16;2022-02-30,",
         ("events.csv", 2, 10, "preferred_days"), "no such date: '2022-02-30'"),
    case("preferred day not ISO", "events.csv", E4, E4.replace("2022-05-16", "16/05/2022"),
         ("events.csv", 5, 10, "preferred_days"), "expected a date YYYY-MM-DD, got '16/05/2022'"),
    case("bad preferred start", "events.csv", "2022-05-17,09:00,R2", "2022-05-17,25:00,R2",
         ("events.csv", 2, 11, "preferred_starts"), "expected a time HH:MM, got '25:00'"),
    case("bad pin datetime", "events.csv", "R2,2022-05-17T10:00,", "R2,17.05.2022 10:00,",
         ("events.csv", 2, 13, "start"), "expected a local date and time YYYY-MM-DDTHH:MM, got '17.05.2022 10:00'"),
    case("speaker earliest malformed", "speakers.csv", "true,08:00,20:00", "true,8am,20:00",
         ("speakers.csv", 2, 5, "earliest"), "expected a time HH:MM, got '8am'"),
    case("speaker latest malformed", "speakers.csv", "true,08:00,20:00", "true,08:00,20:75",
         ("speakers.csv", 2, 6, "latest"), "expected a time HH:MM, got '20:75'"),
    case("unavailability end not a datetime", "unavailability.csv", "2022-05-16T12:00", "2022-05-16",
         ("unavailability.csv", 2, 4, "end"), "expected a local date and time YYYY-MM-DDTHH:MM, got '2022-05-16'"),
    case("unavailability ends before it starts", "unavailability.csv", "2022-05-16T12:00", "2022-05-16T08:00",
         ("unavailability.csv", 2, 4, "end"), "ends at or before its start"),
    case("pin in a clock-change gap", "events.csv", "R2,2022-05-17T10:00,", "R2,2022-03-27T02:30,",
         ("events.csv", 2, 13, "start"), "2022-03-27T02:30 does not exist in Europe/Vienna (the clocks skip it)"),
    # days outside the meeting
    case("preferred day outside the meeting", "events.csv", E4, E4.replace("2022-05-16", "2022-05-18"),
         ("events.csv", 5, 10, "preferred_days"), "not a day of the meeting: 2022-05-18 (2022-05-16 to 2022-05-17)"),
    case("pin start outside the meeting", "events.csv", "R2,2022-05-17T10:00,", "R2,2022-05-18T10:00,",
         ("events.csv", 2, 13, "start"), "2022-05-18 is not a day of the meeting (2022-05-16 to 2022-05-17)"),
    case("preferred start that is no slot start", "events.csv", "2022-05-17,09:00,R2", "2022-05-17,09:30,R2",
         ("events.csv", 2, 11, "preferred_starts"),
         "not a slot start: 09:30 (slots start at 09:00, 10:00, 11:00, 13:00)"),
    # references
    case("unknown speakers, once per cell", "events.csv", "S1;S2,drugs", "S1;S9;S2;S8,drugs",
         ("events.csv", 2, 7, "speakers"), "unknown speakers S9, S8"),
    case("unknown pinned room", "events.csv", "R2,2022-05-17T10:00", "R7,2022-05-17T10:00",
         ("events.csv", 2, 12, "room"), "unknown room 'R7'"),
    case("unknown room in unavailability", "unavailability.csv", "room,R1,", "room,R9,",
         ("unavailability.csv", 2, 2, "id"), "unknown room 'R9'"),
    case("unknown speaker in unavailability", "unavailability.csv", "speaker,S2,", "speaker,S20,",
         ("unavailability.csv", 3, 2, "id"), "unknown speaker 'S20' (did you mean 'S2'?)"),
    case("unknown organizer in unavailability", "unavailability.csv", "organizer,UNODC,", "organizer,UNDP,",
         ("unavailability.csv", 4, 2, "id"),
         "unknown organizer 'UNDP': it organizes no event (did you mean 'UNODC'?)"),
    # did you mean: a misspelt id is answered with the closest known one, in every table
    case("misspelt speaker", "events.csv", "S1;S2,drugs", "S1;s2,drugs",
         ("events.csv", 2, 7, "speakers"), "unknown speaker s2 (did you mean 'S2'?)"),
    case("misspelt pinned room", "events.csv", "R2,2022-05-17T10:00", "RR2,2022-05-17T10:00",
         ("events.csv", 2, 12, "room"), "unknown room 'RR2' (did you mean 'R2'?)"),
    case("misspelt room in unavailability", "unavailability.csv", "room,R1,", "room,R11,",
         ("unavailability.csv", 2, 2, "id"), "unknown room 'R11' (did you mean 'R1'?)"),
    case("misspelt organizer in unavailability", "unavailability.csv", "organizer,UNODC,", "organizer,UNDOC,",
         ("unavailability.csv", 4, 2, "id"),
         "unknown organizer 'UNDOC': it organizes no event (did you mean 'UNODC'?)"),
    # pins that cannot hold
    case("pinned room of the wrong kind (virtual event)", "events.csv", "cyber,,,,V1,", "cyber,,,,R1,",
         ("events.csv", 3, 12, "room"), "room R1 is physical; a virtual event needs a virtual room"),
    case("pinned room of the wrong kind (in_person event)", "events.csv", E3,
         E3.replace(",2,,,,,,,private", ",2,,,V1,,,,private"),
         ("events.csv", 4, 12, "room"), "room V1 is virtual; a in_person event needs a physical room"),
    case("pinned room too small", "events.csv", E3,
         E3.replace(",2,,,,,,,private", ",2,,,R1,,,,private").replace(",30,", ",45,"),
         ("events.csv", 4, 12, "room"), "room R1 seats 40, fewer than the attendance 45"),
    case("pinned room not hybrid", "events.csv", "hybrid,50,80,S1;S2,drugs;justice,5,2022-05-16;2022-05-17,09:00,R2",
         "hybrid,50,30,S1;S2,drugs;justice,5,2022-05-16;2022-05-17,09:00,R1",
         ("events.csv", 2, 12, "room"), "room R1 is not hybrid; a hybrid event needs a hybrid room"),
    case("pinned start not a slot start", "events.csv", "R2,2022-05-17T10:00,", "R2,2022-05-17T10:15,",
         ("events.csv", 2, 13, "start"), "not a slot start on 2022-05-17 (slots start at 09:00, 10:00, 11:00, 13:00)"),
    case("pinned start without a run of slots", "events.csv", E4,
         E4.replace(",2022-05-16,,,,,,", ",,,,2022-05-16T11:00,,,"),
         ("events.csv", 5, 13, "start"), "no run of slots from here holds a 100-minute in_person event"),
    case("pinned start in a slot closed to the format", "events.csv", "cyber,,,,V1,", "cyber,,,,V1,2022-05-16T11:00",
         ("events.csv", 3, 13, "start"), "no run of slots from here holds a 110-minute virtual event"),
    case("in_person event with a remote speaker", "events.csv", E3, E3.replace(",S2,", ",S2;S3,"),
         ("events.csv", 4, 4, "format"),
         "an in_person event cannot have a remote speaker (S3); make it hybrid or virtual"),
    case("duration no run of slots can hold", "events.csv", E3, E3.replace(",50,30,", ",240,30,"),
         ("events.csv", 4, 5, "duration"), "no run of slots on any day holds a 240-minute in_person event"),
    # meeting.toml
    case("unknown venue time zone", "meeting.toml", '"Europe/Vienna"', '"Europe/Vienne"',
         ("meeting.toml", None, None, "timezone"),
         "unknown time zone 'Europe/Vienne' (expected an IANA name such as Europe/Vienna)"),
    case("missing meeting key", "meeting.toml", 'name = "Demo session of the Commission"\n', "",
         ("meeting.toml", None, None, "name"), "missing required key"),
    case("bad meeting day", "meeting.toml", '"2022-05-16", "2022-05-17"]', '"2022-05-16", "2022-05-32"]',
         ("meeting.toml", None, None, "days"), "no such date: '2022-05-32'"),
    case("meeting day twice", "meeting.toml", '"2022-05-16", "2022-05-17"]', '"2022-05-16", "2022-05-16"]',
         ("meeting.toml", None, None, "days"), "day listed twice: 2022-05-16"),
    case("slot ends before it starts", "meeting.toml",
         'start = "11:00"\nend = "11:50"', 'start = "11:00"\nend = "10:50"',
         ("meeting.toml", None, None, "slots[3].end"), "the slot ends (10:50) at or before its start (11:00)"),
    case("slot ends when it starts", "meeting.toml",
         'start = "11:00"\nend = "11:50"', 'start = "11:00"\nend = "11:00"',
         ("meeting.toml", None, None, "slots[3].end"), "the slot ends (11:00) at or before its start (11:00)"),
    case("bad slot time", "meeting.toml", 'start = "11:00"', 'start = "11h"',
         ("meeting.toml", None, None, "slots[3].start"), "expected a time HH:MM, got '11h'"),
    case("slot day outside the meeting", "meeting.toml", 'days = ["2022-05-17"]', 'days = ["2022-05-19"]',
         ("meeting.toml", None, None, "slots[4].days"), "not a day of the meeting: 2022-05-19"),
    case("unknown slot format", "meeting.toml", 'formats = ["virtual"]', 'formats = ["online"]',
         ("meeting.toml", None, None, "slots[4].formats"),
         "unknown format 'online'; expected one of in_person, hybrid, virtual"),
    case("two slots start at once", "meeting.toml", 'start = "13:00"\nend = "14:00"', 'start = "11:00"\nend = "11:30"',
         ("meeting.toml", None, None, "slots[4].start"), "two slots start at 11:00 on 2022-05-17"),
    case("blocked period ends before it starts", "meeting.toml", 'end = "2022-05-16T10:00"', 'end = "2022-05-16T08:00"',
         ("meeting.toml", None, None, "blocked[1].end"), "the blocked period ends at or before its start"),
    case("remote_hours malformed", "meeting.toml", '["07:00", "22:00"]', '["07:00"]',
         ("meeting.toml", None, None, "remote_hours"), "expected two times [\"HH:MM\", \"HH:MM\"], got ['07:00']"),
    case("remote_hours bad time", "meeting.toml", '["07:00", "22:00"]', '["07:00", "22.00"]',
         ("meeting.toml", None, None, "remote_hours"), "expected a time HH:MM, got '22.00'"),
    case("unknown weight name", "meeting.toml", "topic_clash = 5", "topic_clashes = 5",
         ("meeting.toml", None, None, "weights.topic_clashes"),
         "unknown weight 'topic_clashes' (did you mean 'topic_clash'?); expected one of preferred_day, "
         "preferred_start, topic_clash, room_fit, hybrid_kit_unused, room_wish, remote_off_hours, venue_off_hours, "
         "crowding, track_rooms, track_days, track_gaps, unscheduled, moved"),
    case("negative weight", "meeting.toml", "topic_clash = 5", "topic_clash = -1",
         ("meeting.toml", None, None, "weights.topic_clash"), "must be 0 or more, got -1"),
    case("non-integer weight", "meeting.toml", "topic_clash = 5", "topic_clash = 2.5",
         ("meeting.toml", None, None, "weights.topic_clash"), "expected a whole number 0 or more, got 2.5"),
    case("meeting id not a slug", "meeting.toml", 'id = "demo31"', 'id = "demo 31"',
         ("meeting.toml", None, None, "id"), "expected a slug (letters, digits, '.', '_', '-'), got 'demo 31'"),
    case("uid_domain not a domain", "meeting.toml", 'id = "demo31"', 'id = "demo31"\nuid_domain = "x@y"',
         ("meeting.toml", None, None, "uid_domain"), "expected a domain name such as ccpcj31.example.org, got 'x@y'"),
    case("broken TOML", "meeting.toml", 'remote_hours = ["07:00", "22:00"]', 'remote_hours = ["07:00" "22:00"]',
         ("meeting.toml", 5, 25, None), "broken TOML: Unclosed array"),
]


@pytest.mark.parametrize("bad", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_reported_at_its_place(files: MeetingFiles, bad: Case) -> None:
    for file, old, new in bad.edits:
        files.replace(file, old, new)
    error = only_error(files.write())
    assert place(error) == bad.where
    assert error.message == bad.message


def test_missing_file(files: MeetingFiles) -> None:
    error = only_error(files.drop("rooms.csv").write())
    assert place(error) == ("rooms.csv", None, None, None)
    assert str(error) == "rooms.csv: missing file"


def test_missing_meeting_toml_still_checks_the_tables(files: MeetingFiles) -> None:
    files.drop("meeting.toml").replace("events.csv", E3, E3.replace(",50,30,", ",1h,30,"))
    errors = load_errors(files.write())
    assert [place(error) for error in errors] == [
        ("meeting.toml", None, None, None),
        ("events.csv", 4, 5, "duration"),
    ]


def test_missing_required_column(files: MeetingFiles) -> None:
    text = files.files["events.csv"]
    assert isinstance(text, str)
    files.set("events.csv", "id,title,organizer,format,attendance\nE1,Title,Org,virtual,\n").drop("unavailability.csv")
    error = only_error(files.write())
    assert place(error) == ("events.csv", 1, None, "duration")
    assert str(error) == "events.csv:1 (duration): missing required column"


def test_missing_capacity_column_with_physical_rooms(files: MeetingFiles) -> None:
    files.set("rooms.csv", "id,name,kind,hybrid\nR1,Room M1,physical,false\nR2,Boardroom B,physical,true\n"
                           "V1,Online 1,virtual,\n")
    files.replace("events.csv", ",R2,2022-05-17T10:00,", ",,,")  # no pin on R2's seats
    error = only_error(files.write())
    assert place(error) == ("rooms.csv", 1, None, "capacity")


def test_duplicate_column(files: MeetingFiles) -> None:
    files.replace("rooms.csv", "id,name,kind,capacity,hybrid,building", "id,name,kind,capacity,hybrid,name")
    error = only_error(files.write())
    assert place(error) == ("rooms.csv", 1, 6, "name")
    assert error.message == "duplicate column"


def test_not_utf8_names_the_row_and_column_of_the_bad_byte(files: MeetingFiles) -> None:
    text = files.files["events.csv"]
    assert isinstance(text, str)
    latin1 = text.replace("Youth forum", "Jeunesse").encode("utf-8").replace(b"Jeunesse", b"Caf\xe9 forum")
    files.set("events.csv", latin1)
    error = only_error(files.write())
    assert place(error) == ("events.csv", 5, 2, "title")
    assert error.message == "the file is not UTF-8: byte 0xE9 cannot be decoded (save it as UTF-8)"


def test_not_utf8_meeting_toml(files: MeetingFiles) -> None:
    text = files.files["meeting.toml"]
    assert isinstance(text, str)
    files.set("meeting.toml", text.encode("utf-8").replace(b"Demo session", b"S\xe9ance"))
    error = only_error(files.write())
    assert place(error) == ("meeting.toml", 2, 10, None)


def test_unclosed_quote(files: MeetingFiles) -> None:
    files.replace("rooms.csv", "V1,Online 1,", 'V1,"Online 1,')
    error = only_error(files.write())
    assert place(error) == ("rooms.csv", 4, None, None)
    assert error.message.startswith("malformed CSV: ")


def test_text_after_a_closing_quote(files: MeetingFiles) -> None:
    files.replace("rooms.csv", "R1,Room M1,", 'R1,"Room" M1,')
    error = only_error(files.write())
    assert place(error) == ("rooms.csv", 2, None, None)


def test_more_cells_than_the_header(files: MeetingFiles) -> None:
    files.replace("rooms.csv", R1, R1 + ",extra")
    error = only_error(files.write())
    assert place(error) == ("rooms.csv", 2, 7, None)
    assert error.message == "this row has 7 cells but the header only 6"


def test_empty_file(files: MeetingFiles) -> None:
    error = only_error(files.set("speakers.csv", "").write())
    assert place(error) == ("speakers.csv", 1, None, None)


def test_a_multiline_cell_does_not_shift_later_rows(files: MeetingFiles) -> None:
    # E1 spans rows 2-4 as lines of text but is row 2 as a record; E4 is the fifth record.
    files.replace("events.csv", E4, E4.replace(",100,", ",100 min,"))
    error = only_error(files.write())
    assert place(error) == ("events.csv", 5, 5, "duration")


def test_every_error_is_reported_at_once_in_file_order(files: MeetingFiles) -> None:
    files.replace("events.csv", E4, E4.replace(",100,", ",1h,"))
    files.replace("events.csv", E3, E3.replace("in_person", "onsite"))
    files.replace("rooms.csv", R1, R1.replace(",40,", ",forty,"))
    files.replace("meeting.toml", '"Europe/Vienna"', '"Vienna"')
    files.replace("unavailability.csv", "organizer,UNODC,", "organizer,UNDP,")
    with pytest.raises(DataErrors) as caught:
        load_problem(files.write())
    assert str(caught.value) == "\n".join([
        "5 errors in the input:",
        "  meeting.toml (timezone): unknown time zone 'Vienna' (expected an IANA name such as Europe/Vienna)",
        "  rooms.csv:2:4 (capacity): expected a number of seats, got 'forty'",
        "  events.csv:4:4 (format): unknown format 'onsite'; expected one of in_person, hybrid, virtual",
        "  events.csv:5:5 (duration): expected minutes, got '1h'",
        "  unavailability.csv:4:2 (id): unknown organizer 'UNDP': it organizes no event (did you mean 'UNODC'?)",
    ])


def test_a_bad_cell_does_not_cascade(files: MeetingFiles) -> None:
    # A bad format is reported once: no room-kind, duration or remote-speaker errors follow from it.
    files.replace("events.csv", "hybrid,50,80,S1;S2", "hybird,50,80,S1;S2")
    files.replace("events.csv", "S2,justice,2", "S3,justice,2")
    # A bad room capacity does not turn a pin on that room into a capacity error.
    files.replace("rooms.csv", "R2,Boardroom B,physical,200,", "R2,Boardroom B,physical,lots,")
    errors = load_errors(files.write())
    assert [place(error) for error in errors] == [
        ("rooms.csv", 3, 4, "capacity"),
        ("events.csv", 2, 4, "format"),
        ("events.csv", 4, 4, "format"),  # E3 is in_person and now has the remote S3: a real error
    ]


def test_unknown_speakers_table_does_not_cascade(files: MeetingFiles) -> None:
    files.drop("speakers.csv")
    errors = load_errors(files.write())
    assert [place(error) for error in errors] == [("speakers.csv", None, None, None)]


def test_not_a_meeting(tmp_path) -> None:
    other = tmp_path / "meeting.csv"
    other.write_text("id\n")
    assert place(only_error(other)) == ("meeting.csv", None, None, None)
    assert only_error(tmp_path / "nowhere").message == "no such meeting folder or workbook"


def test_no_slots(files: MeetingFiles) -> None:
    text = files.files["meeting.toml"]
    assert isinstance(text, str)
    files.set("meeting.toml", text[: text.index("[[slots]]")] + "[weights]\ntopic_clash = 5\n")
    error = only_error(files.write())
    assert place(error) == ("meeting.toml", None, None, "slots")
    assert error.message == "no slots: the meeting needs at least one [[slots]] entry"


def test_a_bad_speaker_id_silences_unknown_speaker_references(files: MeetingFiles) -> None:
    # "S2" cannot be told apart from the row whose id is now empty: only the bad id is reported.
    files.replace("speakers.csv", S2, S2.replace("S2,", ",", 1)).replace("events.csv", "S1;S2,", "S1;S2;S7,")
    assert [place(error) for error in load_errors(files.write())] == [("speakers.csv", 3, 1, "id")]


@pytest.mark.parametrize("delimiter,words", [(";", "separated by semicolons (as Excel saves CSV with German"),
                                             ("\t", "separated by tabs")])
def test_a_csv_file_with_another_separator_is_one_error_that_says_so(files: MeetingFiles, delimiter: str,
                                                                       words: str) -> None:
    import csv
    import io

    text = files.files["events.csv"]
    assert isinstance(text, str)
    resaved = io.StringIO()
    csv.writer(resaved, delimiter=delimiter, lineterminator="\r\n").writerows(csv.reader(io.StringIO(text)))
    files.set("events.csv", resaved.getvalue())
    files.replace("rooms.csv", R1, R1.replace(",40,", ",forty,"))  # the other files are still checked
    errors = load_errors(files.write())
    assert [place(error) for error in errors] == [("rooms.csv", 2, 4, "capacity"), ("events.csv", 1, None, None)]
    assert words in errors[1].message and "save the file with ',' as the separator" in errors[1].message
    assert "missing required column" not in str(errors)
