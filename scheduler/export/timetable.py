"""Timetables for people: Markdown, CSV and an Excel workbook, and the grid and list rows the terminal
views (``terminal.py``) are made of.

Every function is pure over the shared ``ProgrammeView``: the same view gives the same text or bytes.
A grid has one row per slot and one column per room; a cell holds the event's short title, and the
slots after its first read ``(cont.)``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone

from tabulate import tabulate, tabulate_formats

from ..errors import UsageError
from ..model import Room, Slot
from .labels import is_web_url
from .view import DayView, EventView, Exporter, ProgrammeView

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
CONTINUED = "(cont.)"
CSV_COLUMNS = ("event_id", "day", "start", "end", "start_utc", "end_utc", "room", "format", "title", "organizer",
               "speakers", "topics", "link")
TABLE_FORMATS: tuple[str, ...] = tuple(sorted(tabulate_formats))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
Fit = Callable[[str, int], str]  # text, width -> the text made that wide (cut, or wrapped over lines)


# ---------------------------------------------------------------------------------------------- text bits


def day_heading(day: date) -> str:
    """A day as printed above its grid: ``Tuesday 17 May 2022`` (English, whatever the locale)."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (line breaks included) made one space, control characters dropped.

    So a title cannot break a table row or send escape sequences to a terminal.
    """
    return " ".join(_CONTROL.sub("", text).split())


def short_title(title: str, width: int = 32) -> str:
    """The title on one line, cut at a word boundary to ``width`` characters with an ellipsis."""
    text = one_line(title)
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut and cut.rfind(" ") >= width // 2:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "…"


def time_range(start: datetime, end: datetime) -> str:
    """``09:00–09:50`` in the times' own zone."""
    return f"{start:%H:%M}–{end:%H:%M}"


def utc_text(moment: datetime) -> str:
    """An instant as ISO 8601 UTC with ``Z``."""
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def check_table_format(fmt: str) -> str:
    """``fmt`` if tabulate knows it, else a UsageError listing the formats."""
    if fmt not in tabulate_formats:
        raise UsageError(f"unknown table format {fmt!r}; choose one of {', '.join(TABLE_FORMATS)}")
    return fmt


def grid_columns(view: ProgrammeView) -> tuple[Room, ...]:
    """The rooms a grid shows: the chosen room, else every room that hosts an event of the view."""
    return view.selected_rooms if view.selected_rooms is not None else view.rooms_used()


# ---------------------------------------------------------------------------------------------- grids


def _cell_text(day: DayView, slot: Slot, room: Room, width: int, fit: Fit, joiner: str) -> str:
    parts = []
    for event in day.cell_events(slot, room):
        parts.append(fit(event.event.title, width) if event.slots[0].id == slot.id else CONTINUED)
    return joiner.join(parts)


def grid_rows(day: DayView, rooms: Sequence[Room], *, width: int = 32, fit: Fit = short_title,
              joiner: str = " / ") -> list[list[str]]:
    """One row per slot (label, then a cell per room), then a row per event outside the slot grid.

    A cell holds its events' titles made ``width`` wide by ``fit`` (cut to one line by default), joined by
    ``joiner``; the slots after an event's first read ``(cont.)``.
    """
    rows = [[time_range(slot.start, slot.end), *(_cell_text(day, slot, room, width, fit, joiner) for room in rooms)]
            for slot in day.slots]
    room_ids = [room.id for room in rooms]
    for event in day.off_grid():
        if event.room.id in room_ids:
            cells = ["" for _ in rooms]
            cells[room_ids.index(event.room.id)] = fit(event.event.title, width)
            rows.append([time_range(event.start, event.end), *cells])
    return rows


def table_text(rows: list[list[str]], headers: Sequence[str], fmt: str) -> str:
    """``rows`` under ``headers`` in tabulate's ``fmt``, every cell as text (``0012`` stays ``0012``)."""
    return tabulate(rows, headers=list(headers), tablefmt=fmt, disable_numparse=True)


LIST_HEADERS = ("Day", "Time", "Room", "Format", "Title", "Organizer", "Speakers")


def list_cells(event: EventView) -> list[str]:
    """One event's list cells in full, one line each: day, time, room, format, title, organizer, speakers."""
    return [event.day.isoformat(), time_range(event.start, event.end), one_line(event.room.name), event.format_label,
            one_line(event.event.title), one_line(event.event.organizer), one_line(", ".join(event.speaker_names))]


def list_rows(events: Sequence[EventView], *, width: int = 60) -> list[list[str]]:
    """One row per event for the list view, the title cut to ``width``, organizer and speakers to 40."""
    return [[*cells[:4], short_title(cells[4], width), short_title(cells[5], 40), short_title(cells[6], 40)]
            for cells in map(list_cells, events)]


# ---------------------------------------------------------------------------------------------- Markdown

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#])")


def markdown_cell(text: str) -> str:
    """Text safe in a Markdown table cell: one line, with Markdown and HTML punctuation backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text))


def timetable_md(view: ProgrammeView) -> str:
    """timetable.md: a grid per day, then the day's events with organizer and speakers."""
    meeting = view.meeting
    lines = [f"# {markdown_cell(meeting.name)}", "", f"Side events. Times are local to the venue "
             f"({markdown_cell(meeting.timezone)}).", ""]
    rooms = grid_columns(view)
    for day_view in view.days:
        lines += [f"## {day_heading(day_view.day)}", ""]
        if not day_view.events or not rooms:
            lines += ["No side events.", ""]
            continue
        rows = [[markdown_cell(cell) for cell in row] for row in grid_rows(day_view, rooms, width=48)]
        headers = ["Time", *(markdown_cell(room.name) for room in rooms)]
        lines += [table_text(rows, headers, "pipe"), ""]
        details = [[markdown_cell(cell) for cell in row[1:]] for row in list_rows(day_view.events, width=200)]
        lines += [table_text(details, LIST_HEADERS[1:], "pipe"), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------------------------- CSV


def event_record(event: EventView) -> dict[str, str]:
    """The CSV / spreadsheet columns of one event (``CSV_COLUMNS``), all as text."""
    return {
        "event_id": event.id,
        "day": event.day.isoformat(),
        "start": event.start.isoformat(),
        "end": event.end.isoformat(),
        "start_utc": utc_text(event.start),
        "end_utc": utc_text(event.end),
        "room": event.room.name,
        "format": event.event.format,
        "title": event.event.title,
        "organizer": event.event.organizer,
        "speakers": "; ".join(event.speaker_names),
        "topics": "; ".join(event.event.topics),
        "link": event.event.link,
    }


def timetable_csv(view: ProgrammeView) -> str:
    """timetable.csv: one row per public scheduled event in time order (``CSV_COLUMNS``)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for event in view.events:
        writer.writerow(event_record(event))
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------- Excel

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMAT_FILLS = {"in_person": "DDEBF7", "hybrid": "FCE4D6", "virtual": "E2EFDA"}
ROOM_SHEET_COLUMNS = ("day", "start", "end", "title", "organizer", "format", "speakers", "topics", "link")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def timetable_xlsx(view: ProgrammeView) -> bytes:
    """timetable.xlsx: a grid sheet per day, an "All events" sheet and a sheet per room.

    Every text is a string cell (never a formula); the bytes depend only on the view.
    """
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    names: set[str] = set()
    meeting = view.meeting.name
    for day_view in view.days:
        sheet = workbook.create_sheet(_sheet_name(f"{WEEKDAYS[day_view.day.weekday()][:3]} {day_view.day.day} "
                                                  f"{MONTHS[day_view.day.month - 1][:3]}", names))
        _grid_sheet(sheet, day_view, grid_columns(view))
        _print_setup(sheet, meeting, day_heading(day_view.day), fit_width=True)
    listing = workbook.create_sheet(_sheet_name("All events", names))
    _list_sheet(listing, view.events, CSV_COLUMNS)
    _print_setup(listing, meeting, "All events", fit_width=False)
    for room in grid_columns(view):
        events = [event for event in view.events if event.room.id == room.id]
        sheet = workbook.create_sheet(_sheet_name(room.name, names))
        _list_sheet(sheet, events, ROOM_SHEET_COLUMNS)
        _print_setup(sheet, meeting, one_line(room.name), fit_width=False)
    moment = _fixed_moment(view)
    workbook.properties.created = moment
    workbook.properties.modified = moment
    workbook.properties.creator = "side-event-scheduler"
    workbook.properties.lastModifiedBy = "side-event-scheduler"
    workbook.properties.title = _clean(f"{view.meeting.name}: side events")
    return _save(workbook)


def _clean(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)[:32767]


def put_text(sheet, row: int, column: int, text: str):  # noqa: ANN001, ANN201 - openpyxl Worksheet, Cell
    """Write ``text`` as a string cell: a leading ``=`` stays text, never a formula."""
    cell = sheet.cell(row=row, column=column)
    cell.value = _clean(text)
    cell.data_type = "s"
    return cell


def _sheet_name(wanted: str, taken: set[str]) -> str:
    base = _SHEET_NAME_BAD.sub(" ", _clean(one_line(wanted))).strip("' ")[:31] or "Sheet"
    name, number = base, 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.casefold())
    return name


def _header(sheet, headers: Sequence[str]) -> None:  # noqa: ANN001
    from openpyxl.styles import Font, PatternFill

    for column, text in enumerate(headers, start=1):
        cell = put_text(sheet, 1, column, text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
    sheet.freeze_panes = "B2" if headers and headers[0] == "Time" else "A2"


def _header_text(text: str, width: int = 120) -> str:
    """Text for a printed page header: one line, ``&`` doubled (a lone one starts a code), at most ``width``
    characters so that a header's parts stay within Excel's 255."""
    plain = _clean(one_line(text))
    return short_title(plain, width - plain.count("&")).replace("&", "&&")


def _print_setup(sheet, meeting: str, title: str, *, fit_width: bool) -> None:  # noqa: ANN001
    """A4 landscape; every page headed by the meeting and ``title`` (the day, or the list's name), row 1 and
    column A repeated, numbered ``page 2 of 5``; a day's grid fitted to the page's width, a list at full size
    (its columns run on over a second page, which stays readable where one page's width would not)."""
    from openpyxl.worksheet.page import PageMargins

    sheet.print_title_rows = "1:1"
    sheet.print_title_cols = "A:A"
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    if fit_width:
        setup.fitToWidth = 1
        setup.fitToHeight = 0
    else:
        setup.pageOrder = "overThenDown"  # a band of rows on every page across before the next band
    sheet.sheet_properties.pageSetUpPr.fitToPage = fit_width
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.75, bottom=0.6, header=0.3, footer=0.3)
    for header in (sheet.oddHeader, sheet.evenHeader):
        header.left.text = _header_text(meeting)
        header.right.text = f"&B{_header_text(title)}"
    for footer in (sheet.oddFooter, sheet.evenFooter):
        footer.center.text = "page &P of &N"
    sheet.print_options.horizontalCentered = fit_width


def _grid_sheet(sheet, day: DayView, rooms: Sequence[Room]) -> None:  # noqa: ANN001
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter

    from .view import room_blocks

    _header(sheet, ["Time", *(room.name for room in rooms)])
    wrap = Alignment(wrap_text=True, vertical="top")
    widths = [13] + [max(14, min(36, len(room.name) + 2)) for room in rooms]
    lines = [1] * len(day.slots)
    for row, slot in enumerate(day.slots, start=2):
        put_text(sheet, row, 1, time_range(slot.start, slot.end)).alignment = wrap
    for column, room in enumerate(rooms, start=2):
        for block in room_blocks(day, room):
            text = "\n".join(one_line(event.event.title) for event in block.events)
            cell = put_text(sheet, block.first + 2, column, text)
            cell.alignment = wrap
            fmt = block.events[0].event.format
            cell.fill = PatternFill("solid", fgColor=FORMAT_FILLS.get(fmt, "FFFFFF"))
            if block.span > 1:
                sheet.merge_cells(start_row=block.first + 2, end_row=block.last + 2,
                                  start_column=column, end_column=column)
            width = widths[column - 1]
            need = sum(-(-len(line) // width) for line in text.split("\n"))
            lines[block.first] = max(lines[block.first], -(-need // block.span))
    extra = len(day.slots) + 2
    room_ids = [room.id for room in rooms]
    for event in day.off_grid():
        if event.room.id in room_ids:
            put_text(sheet, extra, 1, time_range(event.start, event.end)).alignment = wrap
            put_text(sheet, extra, room_ids.index(event.room.id) + 2, one_line(event.event.title)).alignment = wrap
            extra += 1
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for index, count in enumerate(lines):
        sheet.row_dimensions[index + 2].height = 15 * min(max(count, 1), 8)


LIST_COLUMN_WIDTH = 40  # the widest a list's column gets; longer texts wrap inside it


def _list_sheet(sheet, events: Sequence[EventView], columns: Sequence[str]) -> None:  # noqa: ANN001
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    _header(sheet, columns)
    wrap = Alignment(wrap_text=True, vertical="top")
    widths = [len(name) + 2 for name in columns]
    for row, event in enumerate(events, start=2):
        record = event_record(event)
        record["start"], record["end"] = f"{event.start:%H:%M}", f"{event.end:%H:%M}"
        for column, name in enumerate(columns, start=1):
            text = one_line(record[name])
            cell = put_text(sheet, row, column, text)
            cell.alignment = wrap
            if name == "link" and is_web_url(text):
                cell.hyperlink = text
            widths[column - 1] = max(widths[column - 1], min(len(text) + 2, LIST_COLUMN_WIDTH))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(events) + 1}"


def _fixed_moment(view: ProgrammeView) -> datetime:
    """The workbook's created/modified time: the schedule's published_at, else the meeting's first day."""
    published = view.metadata.get("published_at")
    if isinstance(published, str):
        try:
            published = datetime.fromisoformat(published.replace("Z", "+00:00"))
        except ValueError:
            published = None
    if isinstance(published, datetime):
        aware = published if published.tzinfo else published.replace(tzinfo=timezone.utc)
        return aware.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)
    first = min(view.meeting.days) if view.meeting.days else date(2000, 1, 1)
    return datetime(first.year, first.month, first.day)


def _save(workbook) -> bytes:  # noqa: ANN001
    """Serialize without openpyxl stamping "now", then fix every zip entry's date: identical bytes."""
    from openpyxl.writer.excel import ExcelWriter

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return fixed.getvalue()


EXPORTERS: tuple[Exporter, ...] = (
    Exporter("timetable.md", "timetable.md", "text/markdown; charset=utf-8", timetable_md),
    Exporter("timetable.csv", "timetable.csv", "text/csv; charset=utf-8", timetable_csv),
    Exporter("timetable.xlsx", "timetable.xlsx", XLSX_MEDIA_TYPE, timetable_xlsx),
)
