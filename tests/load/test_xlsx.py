"""The .xlsx form: a workbook loads to the same Problem as its folder, and errors name sheet, row and column."""

from __future__ import annotations

import io
import warnings
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from scheduler.errors import DataWarning
from scheduler.load import load_problem
from scheduler.load.convert import folder_to_workbook

from .meeting_files import MeetingFiles, load_errors, only_error, place


def to_xlsx(folder: Path, target: Path) -> Path:
    """Convert ``folder`` and write the workbook to ``target``."""
    target.write_bytes(folder_to_workbook(folder))
    return target


def test_workbook_loads_to_the_same_problem(files: MeetingFiles, tmp_path: Path) -> None:
    folder = files.write()
    workbook = to_xlsx(folder, tmp_path / "meeting.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        from_xlsx = load_problem(workbook)
    assert from_xlsx == load_problem(folder)
    assert from_xlsx.digest() == load_problem(folder).digest()


def test_workbook_layout(files: MeetingFiles) -> None:
    book = load_workbook(io.BytesIO(folder_to_workbook(files.write())))
    assert book.sheetnames == ["meeting", "slots", "blocked", "weights", "rooms", "speakers", "events",
                               "unavailability"]
    rows = [tuple(row) for row in book["meeting"].iter_rows(values_only=True)]
    assert rows == [
        ("key", "value"),
        ("id", "demo31"),
        ("name", "Demo session of the Commission"),
        ("timezone", "Europe/Vienna"),
        ("days", "2022-05-16;2022-05-17"),
        ("remote_hours", "07:00;22:00"),
    ]
    assert [tuple(row) for row in book["slots"].iter_rows(values_only=True)][-1] == (
        "13:00", "14:00", "virtual", "2022-05-17")
    assert [tuple(row) for row in book["weights"].iter_rows(values_only=True)] == [("name", "weight"),
                                                                                  ("topic_clash", 5)]
    # number columns hold numbers; ids and other text stay text
    assert [row[3] for row in book["rooms"].iter_rows(min_row=2, values_only=True)] == [40, 200, None]
    events = list(book["events"].iter_rows(min_row=2, values_only=True))
    assert events[0][1] == 'Drugs, crime; and "justice"\nin practice'
    assert events[1][1:3] == ("NA", "NA")


def test_conversion_is_byte_for_byte_repeatable(files: MeetingFiles) -> None:
    folder = files.write()
    assert folder_to_workbook(folder) == folder_to_workbook(folder)


def test_text_that_looks_like_a_formula_or_a_number_stays_text(files: MeetingFiles, tmp_path: Path) -> None:
    files.replace("events.csv", "E3,Prison reform,UNODC,", "E3,=SUM(A1:A3),007,")
    files.replace("unavailability.csv", "organizer,UNODC,", "organizer,007,")
    folder = files.write()
    event = load_problem(to_xlsx(folder, tmp_path / "m.xlsx")).event("E3")
    assert (event.title, event.organizer) == ("=SUM(A1:A3)", "007")
    assert load_problem(tmp_path / "m.xlsx") == load_problem(folder)


def test_native_excel_values_are_read_as_the_csv_text(files: MeetingFiles, tmp_path: Path) -> None:
    """Numbers, booleans, dates, times and datetimes typed into Excel load like their CSV text."""
    folder = files.write()
    book = load_workbook(io.BytesIO(folder_to_workbook(folder)))
    slots = book["slots"]
    slots["A2"], slots["B2"] = time(9, 0), time(9, 50)
    blocked = book["blocked"]
    blocked["A2"], blocked["B2"] = datetime(2022, 5, 16, 9, 0), datetime(2022, 5, 16, 10, 0)
    rooms = book["rooms"]
    rooms["D2"], rooms["E2"], rooms["E3"] = 40.0, False, True
    speakers = book["speakers"]
    speakers["E2"], speakers["F2"], speakers["D4"] = time(8, 0), time(20, 0), True
    events = book["events"]
    events["E2"], events["I2"] = 50.0, 5
    events["K2"] = time(9, 0)
    events["M2"] = datetime(2022, 5, 17, 10, 0)
    events["J5"] = date(2022, 5, 16)
    unavailability = book["unavailability"]
    unavailability["C2"], unavailability["D2"] = datetime(2022, 5, 16, 9, 0), datetime(2022, 5, 16, 12, 0)
    target = tmp_path / "typed.xlsx"
    book.save(target)
    assert load_problem(target) == load_problem(folder)


def test_midnight_in_a_datetime_column_keeps_its_time(files: MeetingFiles, tmp_path: Path) -> None:
    files.replace("unavailability.csv", "speaker,S2,2022-05-17T13:00,", "speaker,S2,2022-05-17T00:00,")
    folder = files.write()
    book = load_workbook(io.BytesIO(folder_to_workbook(folder)))
    book["unavailability"]["C3"] = datetime(2022, 5, 17, 0, 0)
    book.save(tmp_path / "midnight.xlsx")
    problem = load_problem(tmp_path / "midnight.xlsx")
    assert problem == load_problem(folder)
    assert problem.unavailability[1].start.time() == time(0)


def test_errors_name_the_sheet_and_the_excel_cell(files: MeetingFiles, tmp_path: Path) -> None:
    files.replace("events.csv", "E4,Youth forum,Brazil,in_person,100,", "E4,Youth forum,Brazil,in_person,1h,")
    files.replace("meeting.toml", '"Europe/Vienna"', '"Europe/Vienne"')
    files.replace("meeting.toml", 'start = "11:00"\nend = "11:50"', 'start = "11:00"\nend = "10:50"')
    files.replace("meeting.toml", "topic_clash = 5", "topic_clash = -5")
    files.replace("meeting.toml", 'end = "2022-05-16T10:00"', 'end = "2022-05-16"')
    errors = load_errors(to_xlsx(files.write(), tmp_path / "meeting.xlsx"))
    assert [str(error) for error in errors] == [
        "meeting.xlsx meeting!B4 (timezone): unknown time zone 'Europe/Vienne' "
        "(expected an IANA name such as Europe/Vienna)",
        "meeting.xlsx slots!B4 (end): the slot ends (10:50) at or before its start (11:00)",
        "meeting.xlsx blocked!B2 (end): expected a local date and time YYYY-MM-DDTHH:MM, got '2022-05-16'",
        "meeting.xlsx weights!B2 (weight): must be 0 or more, got -5",
        "meeting.xlsx events!E5 (duration): expected minutes, got '1h'",
    ]


def build_book(sheets: dict[str, list[list[object]]], path: Path) -> Path:
    """A workbook with these sheets and rows."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_missing_and_unknown_sheets(files: MeetingFiles, tmp_path: Path) -> None:
    book = load_workbook(io.BytesIO(folder_to_workbook(files.write())))
    del book["speakers"]
    book.create_sheet("notes")["A1"] = "remember the coffee"
    book["events"]["G2"] = "S1"  # no speaker references left to fail
    book["events"]["G3"] = book["events"]["G4"] = None
    target = tmp_path / "meeting.xlsx"
    book.save(target)
    with pytest.warns(DataWarning) as caught:
        error = only_error(target)
    assert place(error) == ("meeting.xlsx", None, None, None) and error.location.sheet == "speakers"
    assert str(error) == "meeting.xlsx speakers: missing sheet"
    assert [str(w.message) for w in caught] == ["meeting.xlsx notes: unknown sheet ignored"]


def test_meeting_sheet_keys(files: MeetingFiles, tmp_path: Path) -> None:
    book = load_workbook(io.BytesIO(folder_to_workbook(files.write())))
    meeting = book["meeting"]
    meeting.append(["timezone", "Europe/Paris"])  # row 7: given twice
    meeting.append(["colour", "blue"])  # row 8: unknown
    meeting["B5"] = "2022-05-16; 2022-05-17"  # spaces around ';' are fine
    target = tmp_path / "keys.xlsx"
    book.save(target)
    with pytest.warns(DataWarning) as caught:
        error = only_error(target)
    assert str(error) == "keys.xlsx meeting!B7 (timezone): key given twice (first on row 4)"
    assert [str(w.message) for w in caught] == ["keys.xlsx meeting!A8 (colour): unknown key ignored"]


def test_minimal_workbook_without_optional_sheets(tmp_path: Path) -> None:
    path = build_book({
        "meeting": [["key", "value"], ["id", "mini"], ["name", "Mini"], ["timezone", "Europe/Vienna"],
                    ["days", date(2022, 5, 16)]],
        "slots": [["start", "end"], [time(9), time(10)]],
        "rooms": [["id", "name", "kind"], ["V1", "Online", "virtual"]],
        "speakers": [["id", "name"]],
        "events": [["id", "title", "organizer", "format", "duration"], [1, "Talk", "NA", "virtual", 60]],
    }, tmp_path / "mini.xlsx")
    problem = load_problem(path)
    assert problem.meeting.days == (date(2022, 5, 16),)
    assert problem.meeting.uid_domain == "mini.side-events.local"
    assert [slot.id for slot in problem.slots] == ["2022-05-16T09:00"]
    assert problem.event("1").duration == 60
    assert problem.blocked == () and problem.unavailability == ()


def test_missing_meeting_sheet(tmp_path: Path) -> None:
    path = build_book({"rooms": [["id", "name"]], "speakers": [["id", "name"]],
                       "events": [["id", "title", "organizer", "format", "duration"]]}, tmp_path / "m.xlsx")
    errors = load_errors(path)
    assert [str(error) for error in errors] == ["m.xlsx meeting: missing sheet"]


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "meeting.xlsx"
    path.write_text("id,name\n")
    error = only_error(path)
    assert place(error) == ("meeting.xlsx", None, None, None)
    assert error.message.startswith("not a readable .xlsx workbook")


def test_shipped_meeting_as_a_workbook(shipped_dir: Path, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        from_folder = load_problem(shipped_dir)
        from_xlsx = load_problem(to_xlsx(shipped_dir, tmp_path / "ccpcj31.xlsx"))
    assert from_xlsx == from_folder
    assert from_xlsx.digest() == from_folder.digest()


def test_a_place_in_a_workbook_is_written_as_excel_writes_a_reference() -> None:
    from scheduler.errors import SourceLocation

    assert str(SourceLocation("m.xlsx", 11, 5, "duration", "events")) == "m.xlsx events!E11 (duration)"
    assert str(SourceLocation("m.xlsx", 1, None, "duration", "events")) == "m.xlsx events!1:1 (duration)"
    assert str(SourceLocation("m.xlsx", 3, 28, None, "All events")) == "m.xlsx 'All events'!AB3"
    assert str(SourceLocation("m.xlsx", 2, 1, None, "Joe's")) == "m.xlsx 'Joe''s'!A2"
    assert str(SourceLocation("m.xlsx", 2, 26, None, "A1")) == "m.xlsx 'A1'!Z2"  # a name like a cell is quoted
    assert str(SourceLocation("events.csv", 11, 5, "duration")) == "events.csv:11:5 (duration)"  # CSV as before
