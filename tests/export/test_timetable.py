"""Terminal grids and lists, timetable.md, timetable.csv and timetable.xlsx."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import replace
from datetime import datetime

import openpyxl
import pytest

from scheduler.errors import UsageError
from scheduler.export.schedule import schedule_csv
from scheduler.export.terminal import grid_text, list_text
from scheduler.export.timetable import (
    CONTINUED,
    CSV_COLUMNS,
    EXPORTERS,
    markdown_cell,
    short_title,
    timetable_csv,
    timetable_md,
    timetable_xlsx,
)
from scheduler.export.view import build_view
from scheduler.model import Problem, Schedule
from tests.export.programme import (
    DAY1,
    DAY2,
    FORMULA_TITLE,
    IMG_TITLE,
    PRIVATE_ORGANIZER,
    PRIVATE_TITLE,
    PUBLIC_SCHEDULED,
    SCRIPT_TITLE,
    SECRET_EMAIL,
    generated,
    sample_problem,
    sample_schedule,
    sample_view,
)


def _no_private(text: str) -> None:
    for secret in (PRIVATE_TITLE, PRIVATE_ORGANIZER, SECRET_EMAIL, "Waiting for a room"):
        assert secret not in text


# ---------------------------------------------------------------------------------------------- terminal


def test_grid_has_a_column_per_used_room_and_a_row_per_slot() -> None:
    text = grid_text(sample_view())
    lines = text.splitlines()
    assert lines[0] == "Test session & friends: times in Europe/Vienna"
    assert "Friday 25 March 2022" in text and "Monday 28 March 2022" in text
    header = next(line for line in lines if line.startswith("Time"))
    assert header.split() == ["Time", "Room", "M1", "Boardroom", "B", "Online", "1"]
    row_0900 = next(line for line in lines if line.startswith("09:00–09:50"))
    assert "Opening, with commas; and" in row_0900 and "Cybercrime and hybrid" in row_0900
    row_1000 = next(line for line in lines if line.startswith("10:00–10:50"))
    assert CONTINUED in row_1000 and SCRIPT_TITLE in row_1000
    _no_private(text)


def test_grid_filters_by_room_day_and_organizer() -> None:
    view = sample_view()
    by_room = grid_text(view, room="V1")
    header = next(line for line in by_room.splitlines() if line.startswith("Time"))
    assert header.split() == ["Time", "Online", "1"]
    assert "Monday 28 March 2022" in by_room and "-1+1 @cmd" in by_room
    one_day = grid_text(view, day="2022-03-28")
    assert "Friday" not in one_day and "Line one line two" in one_day
    organizer = grid_text(view, organizer="UNODC")
    assert "Cybercrime and hybrid" in organizer and "-1+1 @cmd" in organizer and "Opening" not in organizer


@pytest.mark.parametrize("fmt", ["plain", "grid", "github", "pipe", "html", "rst", "fancy_grid"])
def test_grid_and_list_accept_tabulate_formats(fmt: str) -> None:
    view = sample_view()
    assert "Online 1" in grid_text(view, fmt=fmt)
    assert "Ana Pérez" in list_text(view, fmt=fmt)


def test_html_table_format_escapes_titles() -> None:
    text = grid_text(sample_view(), fmt="html")
    assert SCRIPT_TITLE not in text and "&lt;script&gt;" in text


def test_unknown_table_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown table format 'nope'"):
        grid_text(sample_view(), fmt="nope")
    with pytest.raises(UsageError):
        list_text(sample_view(), fmt="nope")


def test_number_like_titles_are_not_reformatted() -> None:
    prob = sample_problem()
    prob = Problem(prob.meeting, prob.rooms, prob.slots, prob.speakers,
                   tuple(e if e.id != "E01" else replace(e, title="0012") for e in prob.events))
    view = build_view(prob, sample_schedule(prob))
    assert " 0012 " in grid_text(view, day="1") and "0012" in list_text(view, day="1")


def test_list_is_in_time_order_with_speakers() -> None:
    text = list_text(sample_view())
    rows = [line for line in text.splitlines() if line.startswith("2022-")]
    assert [row.split()[1] for row in rows] == ["09:00–09:50", "09:00–10:50", "10:00–10:50", "10:00–10:50",
                                                 "11:00–11:50", "12:00–12:50"]
    assert "Kwame Mensah" in text and "Hybrid" in text
    _no_private(text)


def test_list_of_an_empty_selection_says_so() -> None:
    assert "(no side events)" in list_text(sample_view(), day="2", room="V1", organizer="Government of Austria")


def test_control_characters_never_reach_the_terminal() -> None:
    prob = sample_problem()
    prob = Problem(prob.meeting, prob.rooms, prob.slots, prob.speakers,
                   tuple(e if e.id != "E01" else replace(e, title="Red\x1b[31m alert\x07") for e in prob.events))
    view = build_view(prob, sample_schedule(prob))
    for text in (grid_text(view), list_text(view), timetable_md(view)):
        assert "\x1b" not in text and "\x07" not in text and "31m alert" in text


def test_short_title_cuts_at_a_word() -> None:
    assert short_title("Line one\nline two", 40) == "Line one line two"
    assert short_title("Cybercrime and hybrid justice in practice", 20) == "Cybercrime and…"
    assert len(short_title("x" * 50, 10)) == 10


# ---------------------------------------------------------------------------------------------- Markdown


def test_markdown_has_a_grid_per_day_with_escaped_cells() -> None:
    text = timetable_md(sample_view())
    assert text.startswith("# Test session \\& friends\n")
    assert "## Friday 25 March 2022" in text and "## Monday 28 March 2022" in text
    assert SCRIPT_TITLE not in text and "\\<script\\>alert(1)\\</script\\>" in text
    assert "Civil \\| Society" in text
    grid = text.split("## Friday 25 March 2022")[1].split("\n\n")[1]
    assert len(grid.splitlines()) == 2 + 4  # header, rule, four slots
    table_lines = [line for line in text.splitlines() if line.startswith("|")]
    assert {len(re.findall(r"(?<!\\)\|", line)) for line in table_lines} == {5, 7}  # 4 and 6 columns
    _no_private(text)


def test_markdown_cell_escapes_table_and_html_syntax() -> None:
    assert markdown_cell("a|b <i>x</i>\n*y*") == "a\\|b \\<i\\>x\\</i\\> \\*y\\*"


# ---------------------------------------------------------------------------------------------- CSV


def test_csv_has_one_row_per_public_event_with_local_and_utc_times() -> None:
    rows = list(csv.DictReader(io.StringIO(timetable_csv(sample_view()))))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert [row["event_id"] for row in rows] == ["E01", "E02", "E03", "E08", "E04", "E07"]
    first, e04 = rows[0], next(row for row in rows if row["event_id"] == "E04")
    assert first["start"] == "2022-03-25T09:00:00+01:00" and first["start_utc"] == "2022-03-25T08:00:00Z"
    assert e04["start"] == "2022-03-28T11:00:00+02:00" and e04["end_utc"] == "2022-03-28T09:50:00Z"
    assert first["title"] == 'Opening, with commas; and "quotes"'
    assert first["speakers"] == "Ana Pérez" and first["topics"] == "drugs; crime"
    assert first["room"] == "Room M1" and first["format"] == "in_person" and first["day"] == DAY1.isoformat()
    e08 = next(row for row in rows if row["event_id"] == "E08")
    assert e08["title"] == f"Line one\nline two {IMG_TITLE}"
    e02 = next(row for row in rows if row["event_id"] == "E02")
    assert e02["link"] == "https://meet.example.org/e02" and e02["speakers"] == "Kwame Mensah"
    _no_private(timetable_csv(sample_view()))


# ---------------------------------------------------------------------------------------------- Excel


def _workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _grid_matches_schedule(book: openpyxl.Workbook, prob: Problem, schedule: Schedule) -> int:
    """Every public scheduled row of schedule.csv sits in its day sheet at its slot row and room column."""
    day_sheets = dict(zip(prob.meeting.days, book.worksheets, strict=False))
    found = 0
    for row in csv.DictReader(io.StringIO(schedule_csv(schedule))):
        item = prob.event(row["event_id"])
        if row["status"] != "scheduled" or not item.is_public:
            continue
        start = datetime.fromisoformat(row["start"]).astimezone(prob.meeting.tz)
        sheet = day_sheets[start.date()]
        header = [cell.value for cell in sheet[1]]
        column = header.index(prob.room(row["room"]).name) + 1
        line = next(r for r in range(2, sheet.max_row + 1)
                    if str(sheet.cell(r, 1).value).startswith(f"{start:%H:%M}–"))
        cell = sheet.cell(line, column)
        assert cell.value == " ".join(item.title.split()), row
        assert cell.data_type == "s"
        found += 1
    filled = sum(1 for sheet in day_sheets.values() for line in sheet.iter_rows(min_row=2, min_col=2)
                 for cell in line if cell.value is not None)
    assert filled == found  # nothing else in the grids: no private event, no stray cell
    return found


def test_xlsx_grid_matches_schedule_csv() -> None:
    prob = sample_problem()
    schedule = sample_schedule(prob)
    book = _workbook(timetable_xlsx(build_view(prob, schedule)))
    assert _grid_matches_schedule(book, prob, schedule) == len(PUBLIC_SCHEDULED)


def test_xlsx_sheets_layout_and_print_setup() -> None:
    book = _workbook(timetable_xlsx(sample_view()))
    assert book.sheetnames == ["Fri 25 Mar", "Mon 28 Mar", "All events", "Room M1", "Boardroom B", "Online 1"]
    day = book["Fri 25 Mar"]
    assert day.freeze_panes == "B2"
    assert [c.value for c in day[1]] == ["Time", "Room M1", "Boardroom B", "Online 1"]
    assert "C2:C3" in {str(r) for r in day.merged_cells.ranges}  # the two-slot event
    assert day.column_dimensions["B"].width >= 14
    assert day.sheet_properties.pageSetUpPr.fitToPage and day.page_setup.orientation == "landscape"
    listing = book["All events"]
    assert listing.freeze_panes == "A2"
    assert tuple(c.value for c in listing[1]) == CSV_COLUMNS
    assert listing.max_row == 1 + len(PUBLIC_SCHEDULED)
    assert listing.column_dimensions["I"].width > 20  # the title column is widened
    room = book["Boardroom B"]
    assert [row[3].value for row in room.iter_rows(min_row=2)] == [
        "Cybercrime and hybrid justice: a long title that needs cutting in a grid cell",
        f"Line one line two {IMG_TITLE}",
    ]


def test_xlsx_prints_with_the_meeting_and_the_day_on_every_page() -> None:
    view = sample_view()
    book = _workbook(timetable_xlsx(view))
    day = book["Mon 28 Mar"]
    assert day.oddHeader.left.text == "Test session && friends"  # '&' doubled: a lone one starts a header code
    assert day.oddHeader.right.text == "&BMonday 28 March 2022" and day.evenHeader.right.text.endswith("28 March 2022")
    assert day.oddFooter.center.text == "page &P of &N"
    assert day.print_title_rows == "$1:$1" and day.print_title_cols == "$A:$A"  # rooms and times on every page
    setup = day.page_setup
    assert day.sheet_properties.pageSetUpPr.fitToPage and (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert setup.orientation == "landscape" and setup.paperSize == 9  # A4
    listing = book["All events"]
    assert listing.oddHeader.left.text == "Test session && friends" and listing.oddHeader.right.text == "&BAll events"
    assert listing.freeze_panes == "A2" and listing.print_title_rows == "$1:$1"
    assert listing.auto_filter.ref == f"A1:M{1 + len(PUBLIC_SCHEDULED)}"
    assert not listing.sheet_properties.pageSetUpPr.fitToPage  # full size: one page's width made it unreadable
    assert all(listing.column_dimensions[letter].width <= 40 for letter in "ABCDEFGHIJKLM")
    assert listing["I2"].alignment.wrap_text  # a long title wraps in its column
    room = book["Boardroom B"]
    assert room.oddHeader.right.text == "&BBoardroom B" and room.auto_filter.ref == "A1:I3"


def test_xlsx_text_that_looks_like_a_formula_stays_a_string() -> None:
    book = _workbook(timetable_xlsx(sample_view()))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.value)
    listing = book["All events"]
    titles = {row[0].value: row[8] for row in listing.iter_rows(min_row=2)}
    assert titles["E04"].value == FORMULA_TITLE and titles["E04"].data_type == "s"
    assert titles["E07"].value == "-1+1 @cmd"
    organizers = {row[0].value: row[9].value for row in listing.iter_rows(min_row=2)}
    assert organizers["E04"] == "+Org"
    with zipfile.ZipFile(io.BytesIO(timetable_xlsx(sample_view()))) as archive:
        sheets = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets  # no formula anywhere in the workbook


def test_xlsx_links_are_hyperlinks_only_when_http() -> None:
    listing = _workbook(timetable_xlsx(sample_view()))["All events"]
    links = {row[0].value: row[12] for row in listing.iter_rows(min_row=2)}
    assert links["E02"].hyperlink.target == "https://meet.example.org/e02"
    assert links["E07"].value == "javascript:alert(2)" and links["E07"].hyperlink is None


def test_xlsx_is_byte_identical_and_stamped_with_published_at() -> None:
    first = timetable_xlsx(sample_view())
    assert first == timetable_xlsx(sample_view())
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    book = _workbook(first)
    assert book.properties.created == datetime(2022, 3, 20, 8, 0) == book.properties.modified


def test_xlsx_drops_characters_excel_cannot_hold() -> None:
    prob = sample_problem()
    prob = Problem(prob.meeting, prob.rooms, prob.slots, prob.speakers,
                   tuple(e if e.id != "E01" else replace(e, title="Bell\x07 title") for e in prob.events))
    book = _workbook(timetable_xlsx(build_view(prob, sample_schedule(prob))))
    assert book["Fri 25 Mar"]["B2"].value == "Bell title"


def test_exporters_are_deterministic_and_carry_metadata() -> None:
    assert [(e.path, e.extension) for e in EXPORTERS] == [("timetable.md", "md"), ("timetable.csv", "csv"),
                                                          ("timetable.xlsx", "xlsx")]
    for exporter in EXPORTERS:
        assert exporter.render(sample_view()) == exporter.render(sample_view()), exporter.name
        assert exporter.media_type


def test_day_two_grid_in_xlsx_has_the_later_offset_events() -> None:
    sheet = _workbook(timetable_xlsx(sample_view()))["Mon 28 Mar"]
    values = {sheet.cell(r, 1).value: [sheet.cell(r, c).value for c in range(2, 5)] for r in range(2, 6)}
    assert values["11:00–11:50"][0] == FORMULA_TITLE
    assert values["12:00–12:50"][2] == "-1+1 @cmd"
    assert DAY2.isoformat() not in sheet.title


# ---------------------------------------------------------------------------------------------- 1,000 events


def test_generated_meeting_xlsx_grid_matches_its_witness() -> None:
    prob, schedule = generated()
    view = build_view(prob, schedule)
    book = _workbook(timetable_xlsx(view))
    public = sum(1 for a in schedule.assignments if a.scheduled and prob.event(a.event_id).is_public)
    assert _grid_matches_schedule(book, prob, schedule) == public == len(view.events)
    rows = list(csv.DictReader(io.StringIO(timetable_csv(view))))
    assert len(rows) == public
