"""Cell parsers and the table reader on their own: values, messages and exact places."""

from __future__ import annotations

import warnings
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduler.errors import DataErrors, DataWarning, LoadError, SourceLocation
from scheduler.load.fields import (
    Report,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_enum,
    parse_int,
    parse_list,
    parse_time,
    parse_zone,
)
from scheduler.load.tables import check_columns, excel_text, read_csv

HERE = SourceLocation("events.csv", 7, 4, "duration")
VIENNA = ZoneInfo("Europe/Vienna")


def message(parser, *args) -> str:
    """The error text a parser raises."""
    with pytest.raises(LoadError) as caught:
        parser(*args)
    assert caught.value.location == HERE
    return str(caught.value)


def test_int() -> None:
    assert parse_int("50", HERE) == 50
    assert parse_int("0", HERE) == 0
    assert message(parse_int, "1h", HERE) == "events.csv:7:4 (duration): expected a whole number, got '1h'"
    assert message(parse_int, "-1", HERE) == "events.csv:7:4 (duration): must be 0 or more, got -1"
    assert message(parse_int, "٣", HERE).endswith("got '٣'")  # only ASCII digits
    with pytest.raises(LoadError, match="must be from 1 to 5, got 7"):
        parse_int("7", HERE, minimum=1, maximum=5)


@pytest.mark.parametrize("text", ["true", "TRUE", "Yes", "1"])
def test_bool_true(text: str) -> None:
    assert parse_bool(text, HERE) is True


@pytest.mark.parametrize("text", ["false", "False", "NO", "0"])
def test_bool_false(text: str) -> None:
    assert parse_bool(text, HERE) is False


def test_bool_rejects_other_words() -> None:
    assert message(parse_bool, "y", HERE).endswith("expected true/false, yes/no or 1/0, got 'y'")


def test_list() -> None:
    assert parse_list("") == ()
    assert parse_list("a;b") == ("a", "b")
    assert parse_list(" a ; ; b ;") == ("a", "b")
    assert parse_list("NA") == ("NA",)


def test_time() -> None:
    assert parse_time("09:05", HERE) == time(9, 5)
    assert parse_time("9:05", HERE) == time(9, 5)
    assert parse_time("23:59:30", HERE) == time(23, 59, 30)
    for bad in ("24:00", "9", "09:60", "9h", "09:00 am", "0900"):
        assert message(parse_time, bad, HERE).endswith(f"expected a time HH:MM, got {bad!r}")


def test_date() -> None:
    assert parse_date("2022-05-16", HERE) == date(2022, 5, 16)
    assert message(parse_date, "2022-02-29", HERE).endswith("no such date: '2022-02-29'")
    assert message(parse_date, "20220516", HERE).endswith("expected a date YYYY-MM-DD, got '20220516'")


def test_datetime_local_and_with_offsets() -> None:
    local = datetime(2022, 5, 16, 13, 10, tzinfo=VIENNA)
    assert parse_datetime("2022-05-16T13:10", HERE, VIENNA) == local
    assert parse_datetime("2022-05-16 13:10", HERE, VIENNA) == local
    assert parse_datetime("2022-05-16T13:10:00+02:00", HERE, VIENNA) == local
    assert parse_datetime("2022-05-16T11:10Z", HERE, VIENNA) == local
    assert parse_datetime("2022-05-16T16:40+0530", HERE, VIENNA) == local
    assert parse_datetime("2022-05-16T07:10-04:00", HERE, VIENNA) == local
    assert parse_datetime("2022-05-16T11:10Z", HERE, VIENNA).tzinfo is VIENNA
    assert message(parse_datetime, "2022-05-16T13:10+25:00", HERE, VIENNA).endswith("bad UTC offset '+25:00'")
    assert message(parse_datetime, "2022-05-16", HERE, VIENNA).endswith(
        "expected a local date and time YYYY-MM-DDTHH:MM, got '2022-05-16'")


def test_datetime_across_the_clock_change() -> None:
    # 2022-10-30 02:30 happens twice in Vienna: the first (summer time) is taken; 2022-03-27 02:30 never happens.
    ambiguous = parse_datetime("2022-10-30T02:30", HERE, VIENNA)
    assert ambiguous.astimezone(timezone.utc) == datetime(2022, 10, 30, 0, 30, tzinfo=timezone.utc)
    assert message(parse_datetime, "2022-03-27T02:30", HERE, VIENNA).endswith(
        "2022-03-27T02:30 does not exist in Europe/Vienna (the clocks skip it)")


def test_zone() -> None:
    assert parse_zone("America/Argentina/Buenos_Aires", HERE) == "America/Argentina/Buenos_Aires"
    for bad in ("Europe", "../etc/passwd", "/etc/localtime", "Mars/Olympus", "europe/vienna", "UTC+2"):
        assert message(parse_zone, bad, HERE).endswith(
            f"unknown time zone {bad!r} (expected an IANA name such as Europe/Vienna)")


def test_enum_matches_in_any_case() -> None:
    assert parse_enum("Virtual", HERE, ("in_person", "hybrid", "virtual"), what="format") == "virtual"
    assert message(parse_enum, "online", HERE, ("a", "b")).endswith("unknown value 'online'; expected one of a, b")


def test_report_sorts_by_file_row_and_column_and_drops_repeats() -> None:
    report = Report()
    report.register("rooms.csv")
    report.register("events.csv")
    report.error(SourceLocation("events.csv", 3, 2, "title"), "b")
    report.error(SourceLocation("rooms.csv", 5, 1, "id"), "a")
    report.error(SourceLocation("events.csv", 2, 9, "priority"), "c")
    report.error(SourceLocation("events.csv", 3, 2, "title"), "b")
    with pytest.raises(DataErrors) as caught:
        report.raise_if_any()
    assert [str(error) for error in caught.value.errors] == [
        "rooms.csv:5:1 (id): a", "events.csv:2:9 (priority): c", "events.csv:3:2 (title): b"]


def test_report_without_errors_does_not_raise() -> None:
    Report().raise_if_any()


def test_csv_rows_are_records_not_lines(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(b'id,title\r\nE1,"two\r\nlines"\r\n\r\nE2,"three\nlines\nhere"\r\nE3,last\r\n')
    report = Report()
    table = read_csv(path, "events.csv", report)
    assert table is not None and not report.errors
    assert [(row.number, row.get("id"), row.get("title")) for row in table.rows] == [
        (2, "E1", "two\nlines"),
        (4, "E2", "three\nlines\nhere"),  # row 3 is blank
        (5, "E3", "last"),
    ]
    assert table.rows[2].at("title") == SourceLocation("events.csv", 5, 2, "title")


def test_short_rows_read_as_empty_cells(tmp_path: Path) -> None:
    path = tmp_path / "rooms.csv"
    path.write_text("id,name,capacity\nR1,Room\n")
    table = read_csv(path, "rooms.csv", Report())
    assert table is not None
    assert (table.rows[0].get("name"), table.rows[0].get("capacity"), table.rows[0].get("absent")) == ("Room", "", "")


def test_unnamed_column_with_values_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "rooms.csv"
    path.write_text("id,,name\nR1,x,Room\n")
    report = Report()
    table = read_csv(path, "rooms.csv", report)
    assert table is not None
    with pytest.warns(DataWarning) as caught:
        missing = check_columns(table, ("id", "name"), ("id", "name"), report)
    assert missing == set()
    assert [str(w.message) for w in caught] == ["rooms.csv:1:2: column without a name ignored"]


def test_trailing_empty_cells_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "rooms.csv"
    path.write_text("id,name\nR1,Room,,\n")
    report = Report()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = read_csv(path, "rooms.csv", report)
    assert table is not None and not report.errors


@pytest.mark.parametrize(("value", "as_datetime", "text"), [
    (None, False, ""),
    ("  text \r\n more ", False, "text \n more"),
    (True, False, "true"),
    (40, False, "40"),
    (40.0, False, "40"),
    (40.5, False, "40.5"),
    (datetime(2022, 5, 16), False, "2022-05-16"),
    (datetime(2022, 5, 16), True, "2022-05-16T00:00"),
    (datetime(2022, 5, 16, 13, 10), False, "2022-05-16T13:10"),
    (datetime(2022, 5, 16, 13, 9, 59, 999_600), True, "2022-05-16T13:10"),
    (date(2022, 5, 16), False, "2022-05-16"),
    (time(8, 10), False, "08:10"),
    (time(8, 9, 59, 999_900), False, "08:10"),
    (time(8, 10, 30), False, "08:10:30"),
    (timedelta(hours=1, minutes=30), False, "01:30"),
])
def test_excel_values_become_csv_text(value: object, as_datetime: bool, text: str) -> None:
    assert excel_text(value, as_datetime) == text
