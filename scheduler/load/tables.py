"""Read the input tables (CSV files or the sheets of one .xlsx workbook) as text with exact row numbers.

A table is a header and rows of stripped text cells. Row numbers are what a spreadsheet shows:
the header is row 1, every record below it is one row, and a quoted cell that spans several lines
stays in its row (records are counted with the csv module, not lines). Excel cells that come back as
numbers, booleans, dates or times are turned into the text a CSV file would hold.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from ..errors import LoadError, SourceLocation, suggest
from .fields import Report, format_time

BOM = b"\xef\xbb\xbf"
_SURROGATE = re.compile("[\udc80-\udcff]")
_LINE_BREAK = re.compile(r"\r\n?")
# separators a CSV file may come with instead of commas, and how they come about
WRONG_SEPARATORS: dict[str, str] = {
    ";": "semicolons (as Excel saves CSV with German, Austrian and other European settings)",
    "\t": "tabs (a tab-separated export)",
}


@dataclass(eq=False)
class Table:
    """One table: its file's name (``events.csv``, ``meeting.xlsx``), header and rows, and its sheet in a workbook."""

    name: str
    header: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)  # lower-cased column name -> 0-based position
    sheet: str | None = None  # the worksheet's title, for a table of a workbook

    def __post_init__(self) -> None:
        for position, name in enumerate(self.header):
            self.index.setdefault(name.lower(), position)

    def has(self, column: str) -> bool:
        """Whether the header names ``column``."""
        return column in self.index

    def where(self, row: int | None = None, column: str | None = None) -> SourceLocation:
        """The place of ``column`` (by name) in ``row`` of this table."""
        position = self.index.get(column) if column else None
        return self.place(row, None if position is None else position + 1, column)

    def place(self, row: int | None = None, column: int | None = None, field: str | None = None) -> SourceLocation:
        """A place in this table by row and 1-based column number; the table itself when both are None."""
        return SourceLocation(self.name, row, column, field, self.sheet)


class Row:
    """One record of a table: its row number and its text cells, read by column name."""

    __slots__ = ("table", "number", "values")

    def __init__(self, table: Table, number: int, values: Sequence[str]) -> None:
        self.table = table
        self.number = number
        self.values = values

    def get(self, column: str) -> str:
        """The cell's stripped text, or "" when the column or the cell is absent."""
        position = self.table.index.get(column)
        if position is None or position >= len(self.values):
            return ""
        return self.values[position]

    def at(self, column: str) -> SourceLocation:
        """The place of this row's ``column`` cell: ``events.csv:7:4 (duration)``."""
        return self.table.where(self.number, column)


def clean(text: str) -> str:
    """A cell as the loader sees it: line breaks as ``\\n``, no surrounding whitespace."""
    if "\r" in text:
        text = _LINE_BREAK.sub("\n", text)
    return text.strip()


def read_bytes(path: Path, name: str, report: Report) -> bytes | None:
    """The bytes of an input file; None (after reporting it) when it is missing or unreadable."""
    report.register(name)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        report.error(SourceLocation(name), "missing file")
    except OSError as error:
        report.error(SourceLocation(name), f"cannot read the file: {error.strerror or error}")
    return None


def read_text(path: Path, name: str) -> str:
    """A whole UTF-8 text file (a BOM is skipped); raises LoadError naming ``name`` when it cannot be read."""
    report = Report()
    data = read_bytes(path, name, report)
    if data is None:
        raise report.errors[0]
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LoadError(SourceLocation(name), f"not UTF-8 text: {error.reason} at byte {error.start}") from None


def read_json(path: Path, name: str) -> Any:
    """A JSON file's value; raises LoadError at the line and column where it stops being JSON."""
    try:
        return json.loads(read_text(path, name))
    except json.JSONDecodeError as error:
        raise LoadError(SourceLocation(name, error.lineno, error.colno), f"not valid JSON: {error.msg}") from None


def read_csv(path: Path, name: str, report: Report, *, count_lines: bool = False,
             exact_width: bool = False) -> Table | None:
    """Read one CSV file as text; None (after reporting why) when it is missing or unreadable.

    A UTF-8 BOM is skipped. Bytes that are not UTF-8 are reported once, at the row and column of the
    first bad byte, and read on as U+FFFD so the rest of the file can still be checked.
    ``count_lines`` numbers a row by the file line it starts on instead of counting records (a
    machine-written file, whose readers count lines); ``exact_width`` makes any cell beyond the
    header's width an error and leaves that row out, where a trailing empty cell would be ignored.
    """
    data = read_bytes(path, name, report)
    if data is None:
        return None
    if data.startswith(BOM):
        data = data[len(BOM) :]
    bad_byte: int | None = None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad_byte = data[error.start]
        text = data.decode("utf-8", errors="surrogateescape")
    undecodable = bad_byte is not None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    table: Table | None = None
    number, line = 0, 1
    try:
        for index, record in enumerate(reader, start=1):
            number = line if count_lines else index
            line = reader.line_num + 1
            if undecodable and any(_SURROGATE.search(cell) for cell in record):
                if bad_byte is not None:
                    column = next(i for i, cell in enumerate(record) if _SURROGATE.search(cell)) + 1
                    header_name = table.header[column - 1].lower() if table and column <= len(table.header) else ""
                    report.error(
                        SourceLocation(name, number, column, header_name or None),
                        f"the file is not UTF-8: byte 0x{bad_byte:02X} cannot be decoded (save it as UTF-8)",
                    )
                    bad_byte = None
                record = [_SURROGATE.sub("\ufffd", cell) for cell in record]
            header = table is None
            table = _add_record(table, SourceLocation(name), number, [clean(cell) for cell in record], report,
                                exact_width)
            if header and table is not None and not _separated_by_commas(table, report):
                return None
    except csv.Error as error:
        where = SourceLocation(name, reader.line_num if count_lines else number + 1)
        report.error(where, f"malformed CSV: {error} (is a quote left open?)")
        return None
    if table is None:
        report.error(SourceLocation(name, 1), "the file is empty; expected a header row")
    return table


def _separated_by_commas(table: Table, report: Report) -> bool:
    """False (after reporting it) when a one-column header holds semicolons or tabs: the wrong separator."""
    if len(table.header) != 1:
        return True
    counts = {separator: table.header[0].count(separator) for separator in WRONG_SEPARATORS}
    separator = max(counts, key=lambda key: counts[key])
    if not counts[separator]:
        return True
    report.error(table.place(1), f"the columns are separated by {WRONG_SEPARATORS[separator]}, not "
                                                "commas: save the file with ',' as the separator, or give the "
                                                "meeting as one .xlsx workbook instead")
    return False


def _add_record(table: Table | None, source: SourceLocation, number: int, cells: list[str], report: Report,
                exact_width: bool = False) -> Table | None:
    """Append one record: the first non-blank one becomes the header (``source`` names the file and sheet)."""
    if not any(cells):
        return table
    if table is None:
        if number != 1:
            report.error(replace(source, row=1), "the header must be on row 1")
        return Table(source.path, tuple(cells), sheet=source.sheet)
    width = len(table.header)
    if len(cells) > width:
        extra = width if exact_width else next((i for i in range(width, len(cells)) if cells[i]), None)
        if extra is not None:
            report.error(
                table.place(number, extra + 1),
                f"this row has {len(cells)} cells but the header only {width}",
            )
        if exact_width:
            return table
        cells = cells[:width]
    table.rows.append(Row(table, number, cells))
    return table


def check_columns(table: Table, known: Collection[str], required: Iterable[str], report: Report) -> set[str]:
    """Report duplicate and missing required columns (errors) and unknown ones (warnings).

    Returns the names of the required columns that are missing.
    """
    seen: set[str] = set()
    for position, raw in enumerate(table.header):
        name = raw.lower()
        where = table.place(1, position + 1, raw or None)
        if not raw:
            if any(position < len(row.values) and row.values[position] for row in table.rows):
                report.warn(where, "column without a name ignored")
        elif name in seen:
            report.error(where, "duplicate column")
        elif name not in known:
            report.warn(where, f"unknown column ignored{suggest(name, known)}")
        seen.add(name)
    missing = {column for column in required if column not in table.index}
    for column in sorted(missing, key=list(required).index):
        report.error(table.place(1, None, column), "missing required column")
    return missing


def read_workbook(path: Path, name: str, report: Report,
                  datetime_columns: Mapping[str, Collection[str]]) -> dict[str, Table] | None:
    """Read every sheet of an .xlsx workbook as a table keyed by its lower-cased sheet name.

    ``datetime_columns`` names, per sheet, the columns whose Excel dates are datetimes (so a
    midnight value keeps its time). None (after reporting why) when the file cannot be read.
    """
    from openpyxl import load_workbook  # openpyxl is slow to import; only workbooks need it

    data = read_bytes(path, name, report)
    if data is None:
        return None
    tables: dict[str, Table] = {}
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a damaged file can fail anywhere in openpyxl and its XML parser
        report.error(SourceLocation(name), f"not a readable .xlsx workbook ({type(error).__name__}: {error})")
        return None
    try:
        for sheet in workbook.worksheets:
            source = SourceLocation(name, sheet=sheet.title)
            report.register(name, sheet.title)
            key = sheet.title.strip().lower()
            if key in tables:
                report.error(source, "two sheets have this name")
                continue
            tables[key] = _read_sheet(sheet, source, {c.lower() for c in datetime_columns.get(key, ())}, report)
    except Exception as error:  # sheets are parsed lazily, so damage shows up only here
        report.error(SourceLocation(name), f"not a readable .xlsx workbook ({type(error).__name__}: {error})")
        return None
    finally:
        workbook.close()
    return tables


def _read_sheet(sheet: Any, source: SourceLocation, datetime_columns: Collection[str], report: Report) -> Table:
    """One worksheet as a table; an empty sheet is a table without columns."""
    table: Table | None = None
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if table is None:
            cells = [excel_text(value, False) for value in values]
        else:
            header = table.header
            cells = [
                excel_text(value, i < len(header) and header[i].lower() in datetime_columns)
                for i, value in enumerate(values)
            ]
        table = _add_record(table, source, number, cells, report)
    return table if table is not None else Table(source.path, (), sheet=source.sheet)


def excel_text(value: object, as_datetime: bool) -> str:
    """An Excel cell's value as the text a CSV cell would hold (numbers, booleans, dates, times)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        value = _round_to_second(value)
        if not as_datetime and value.time() == time(0):
            return value.date().isoformat()
        return f"{value.date().isoformat()}T{format_time(value.time())}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        moment = _round_to_second(datetime.combine(date(2000, 1, 1), value))
        return format_time(moment.time())
    if isinstance(value, timedelta):
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return clean(str(value))


def _round_to_second(value: datetime) -> datetime:
    """Excel stores times as fractions of a day; drop the float noise."""
    if value.microsecond >= 500_000:
        return value.replace(microsecond=0) + timedelta(seconds=1)
    return value.replace(microsecond=0)
