"""Table rows -> rooms, speakers, side events and unavailability, one cell at a time.

Every row yields its record even when some cells are bad: a bad cell is reported once and replaced by
a placeholder, and its column is listed in ``Parsed.bad`` so the cross-table checks in
``references.py`` skip whatever depends on it instead of piling nonsense on top.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Generic, TypeVar

from ..errors import LoadError, SourceLocation
from ..model import (
    DEFAULT_PRIORITY,
    FORMATS,
    ROOM_KINDS,
    UNAVAILABILITY_KINDS,
    VISIBILITIES,
    Room,
    SideEvent,
    Speaker,
    Unavailability,
)
from .fields import (
    LIST_SEPARATOR,
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
from .meeting import MeetingSetup
from .tables import Row, Table, check_columns

T = TypeVar("T")

ROOM_COLUMNS: tuple[str, ...] = ("id", "name", "kind", "capacity", "hybrid", "building", "hours", "tags")
ROOM_REQUIRED: tuple[str, ...] = ("id", "name")
SPEAKER_COLUMNS: tuple[str, ...] = ("id", "name", "timezone", "remote", "earliest", "latest", "email")
SPEAKER_REQUIRED: tuple[str, ...] = ("id", "name")
EVENT_COLUMNS: tuple[str, ...] = (
    "id", "title", "organizer", "format", "duration", "attendance", "speakers", "topics", "priority",
    "preferred_days", "preferred_starts", "room", "start", "link", "description", "visibility",
    "hosts", "moderators", "track", "room_tags", "room_seats",
)
EVENT_REQUIRED: tuple[str, ...] = ("id", "title", "organizer", "format", "duration")
UNAVAILABILITY_COLUMNS: tuple[str, ...] = ("kind", "id", "start", "end", "reason")
UNAVAILABILITY_REQUIRED: tuple[str, ...] = ("kind", "id", "start", "end")
SEATED_FORMATS: frozenset[str] = frozenset({"in_person", "hybrid"})  # formats that need attendance
PLACEHOLDER = datetime(2000, 1, 1, tzinfo=timezone.utc)  # stands in for a bad datetime cell (the load fails)


@dataclass(frozen=True)
class Parsed(Generic[T]):
    """A record read from one row; ``bad`` names the columns whose cells were invalid."""

    value: T
    row: Row
    bad: frozenset[str]


@dataclass
class Rows(Generic[T]):
    """The records of one table, and whether ids in it can be looked up.

    Not usable when the file is missing or unreadable, has no id column, or has a row whose id is bad:
    an "unknown id" error could then just be that row, so references to the table are not checked.
    """

    items: list[Parsed[T]]
    usable: bool

    @classmethod
    def of(cls, items: list[Parsed[T]], id_column: bool) -> Rows[T]:
        """Rows whose usability follows from the id column and the rows' ids."""
        return cls(items, id_column and not any("id" in parsed.bad for parsed in items))


class _Cells:
    """Reads the cells of one row, recording errors in the Report and bad columns in ``bad``."""

    def __init__(self, row: Row, report: Report) -> None:
        self.row = row
        self.report = report
        self.bad: set[str] = set()

    def text(self, column: str) -> str:
        """The cell's text ("" when absent)."""
        return self.row.get(column)

    def fail(self, column: str, message: str) -> None:
        """Report an error at this row's ``column`` and mark it bad."""
        self.report.error(self.row.at(column), message)
        self.bad.add(column)

    def required(self, column: str, message: str = "is empty") -> str:
        """Text that may not be empty (a missing column was reported already, once)."""
        text = self.text(column)
        if not text:
            if self.row.table.has(column):
                self.fail(column, message)
            self.bad.add(column)
        return text

    def value(self, column: str, parser: Callable[..., T], default: T, *args: object, **kwargs: object) -> T:
        """``parser(text, where, ...)`` of a non-empty cell, else ``default`` (also when it is bad)."""
        text = self.text(column)
        if not text:
            return default
        result = self.report.parse(parser, text, self.row.at(column), *args, **kwargs)
        if result is None:
            self.bad.add(column)
            return default
        return result

    def items(self, column: str, parser: Callable[[str, SourceLocation], T]) -> tuple[T, ...]:
        """A ``;`` list whose items each parse; the first bad item is reported (once per cell)."""
        where = self.row.at(column)
        try:
            return tuple(parser(item, where) for item in parse_list(self.text(column)))
        except LoadError as error:
            self.report.add(error)
            self.bad.add(column)
            return ()


def read_rooms(table: Table | None, setup: MeetingSetup, report: Report) -> Rows[Room]:
    """rooms.csv: physical rooms (capacity required) and virtual channels, their opening hours and tags."""
    if table is None:
        return Rows([], False)
    missing = check_columns(table, ROOM_COLUMNS, ROOM_REQUIRED, report)
    items: list[Parsed[Room]] = []
    physical_without_column = False
    for row in table.rows:
        cells = _Cells(row, report)
        room_id = cells.required("id", "empty id")
        name = cells.required("name")
        kind = cells.value("kind", parse_enum, "physical", ROOM_KINDS, what="room kind")
        capacity: int | None = None
        hybrid = cells.value("hybrid", parse_bool, False)
        if "kind" in cells.bad:
            capacity = cells.value("capacity", parse_int, None, minimum=1, what="a number of seats")
        elif kind == "physical":
            if not table.has("capacity"):
                physical_without_column = True
                cells.bad.add("capacity")
            elif not cells.text("capacity"):
                cells.fail("capacity", "capacity is required for a physical room")
            else:
                capacity = cells.value("capacity", parse_int, None, minimum=1, what="a number of seats")
        else:
            if cells.text("capacity"):
                report.warn(row.at("capacity"), "a virtual room has no capacity; ignored")
            if hybrid:
                report.warn(row.at("hybrid"), "hybrid applies to physical rooms only; ignored")
            hybrid = False
        room = Room(room_id, name, kind, capacity, hybrid, cells.text("building"), _hours(cells, setup),
                    tuple(dict.fromkeys(parse_list(cells.text("tags")))))
        items.append(Parsed(room, row, frozenset(cells.bad)))
    if physical_without_column:
        report.error(table.place(1, None, "capacity"),
                     "missing required column (physical rooms need a capacity)")
    return Rows.of(items, "id" not in missing)


def read_speakers(table: Table | None, setup: MeetingSetup, report: Report) -> Rows[Speaker]:
    """speakers.csv: time zone (default: the venue's), remote flag, own local hours."""
    if table is None:
        return Rows([], False)
    missing = check_columns(table, SPEAKER_COLUMNS, SPEAKER_REQUIRED, report)
    venue_zone = setup.meeting.timezone if setup.meeting else setup.tz.key
    items: list[Parsed[Speaker]] = []
    for row in table.rows:
        cells = _Cells(row, report)
        speaker_id = cells.required("id", "empty id")
        if LIST_SEPARATOR in speaker_id:
            cells.fail("id", f"a speaker id may not contain {LIST_SEPARATOR!r} (events list speakers with it)")
        speaker = Speaker(
            id=speaker_id,
            name=cells.required("name"),
            timezone=cells.value("timezone", parse_zone, venue_zone),
            remote=cells.value("remote", parse_bool, False),
            earliest=cells.value("earliest", parse_time, None),
            latest=cells.value("latest", parse_time, None),
            email=cells.text("email"),
        )
        items.append(Parsed(speaker, row, frozenset(cells.bad)))
    return Rows.of(items, "id" not in missing)


def read_events(table: Table | None, setup: MeetingSetup, report: Report) -> Rows[SideEvent]:
    """events.csv: what, who, how long, how many, wishes and pins."""
    if table is None:
        return Rows([], False)
    missing = check_columns(table, EVENT_COLUMNS, EVENT_REQUIRED, report)
    items: list[Parsed[SideEvent]] = []
    seated_without_column = False
    for row in table.rows:
        cells = _Cells(row, report)
        event_id = cells.required("id", "empty id")
        title = cells.required("title")
        organizer = cells.required("organizer")
        fmt = "in_person"
        if cells.required("format", f"is empty; expected one of {', '.join(FORMATS)}"):
            fmt = cells.value("format", parse_enum, "in_person", FORMATS, what="format")
        duration = 0
        if cells.required("duration", "is empty; expected minutes"):
            duration = cells.value("duration", parse_int, 0, minimum=1, what="minutes")
        attendance = cells.value("attendance", parse_int, None, what="a number of people")
        if attendance is None and "attendance" not in cells.bad and "format" not in cells.bad \
                and fmt in SEATED_FORMATS:
            if table.has("attendance"):
                cells.fail("attendance", f"attendance is required for a {fmt} event")
            else:
                seated_without_column = True
                cells.bad.add("attendance")
        event = SideEvent(
            id=event_id,
            title=title,
            organizer=organizer,
            format=fmt,
            duration=duration,
            attendance=attendance,
            speakers=_unique(cells, "speakers", parse_list(cells.text("speakers"))),
            topics=tuple(dict.fromkeys(parse_list(cells.text("topics")))),
            priority=cells.value("priority", parse_int, DEFAULT_PRIORITY, minimum=1, maximum=5, what="a priority 1-5"),
            preferred_days=tuple(sorted(set(cells.items("preferred_days", parse_date)))),
            preferred_starts=tuple(sorted(set(cells.items("preferred_starts", parse_time)))),
            room=cells.text("room") or None,
            start=cells.value("start", parse_datetime, None, setup.tz),
            link=cells.text("link"),
            description=cells.text("description"),
            visibility=cells.value("visibility", parse_enum, "public", VISIBILITIES, what="visibility"),
            hosts=_unique(cells, "hosts", parse_list(cells.text("hosts"))),
            moderators=_unique(cells, "moderators", parse_list(cells.text("moderators"))),
            track=cells.text("track"),
            room_tags=tuple(dict.fromkeys(parse_list(cells.text("room_tags")))),
            room_seats=cells.value("room_seats", parse_int, None, minimum=1, what="a number of seats"),
        )
        items.append(Parsed(event, row, frozenset(cells.bad)))
    if seated_without_column:
        report.error(table.place(1, None, "attendance"),
                     "missing required column (in_person and hybrid events need an attendance)")
    return Rows.of(items, "id" not in missing)


_HOURS = re.compile(r"(?:(?P<day>\d{4}-\d{2}-\d{2})\s+)?(?P<open>\d{1,2}:\d{2})\s*-\s*(?P<close>\d{1,2}:\d{2})")


def _hours(cells: _Cells, setup: MeetingSetup) -> tuple[tuple[datetime, datetime], ...]:
    """A room's opening hours: ``HH:MM-HH:MM`` every day or ``YYYY-MM-DD HH:MM-HH:MM`` one day, ``;``-separated.

    A closing time not after the opening time is on the next calendar day (the room is open past midnight).
    """
    text = cells.text("hours")
    if not text:
        return ()
    where = cells.row.at("hours")
    result: list[tuple[datetime, datetime]] = []
    for item in parse_list(text):
        match = _HOURS.fullmatch(item)
        try:
            if match is None:
                raise LoadError(where, f"expected opening hours HH:MM-HH:MM or YYYY-MM-DD HH:MM-HH:MM, got {item!r}")
            opens, closes = parse_time(match["open"], where), parse_time(match["close"], where)
            days = setup.days
            if match["day"]:
                day = parse_date(match["day"], where)
                if setup.days and day not in setup.days:
                    raise LoadError(where, f"{day.isoformat()} is not a day of the meeting")
                days = (day,)
        except LoadError as error:
            cells.report.add(error)
            cells.bad.add("hours")
            return ()
        for day in days:
            begin, end = setup.at(day, opens), setup.at(day, closes)
            if end <= begin:
                end = setup.at(day + timedelta(days=1), closes)
            result.append((begin, end))
    return tuple(sorted(result, key=lambda period: period[0].astimezone(timezone.utc)))


def _unique(cells: _Cells, column: str, values: Sequence[str]) -> tuple[str, ...]:
    """The list without repeats; a repeat is warned about."""
    unique = tuple(dict.fromkeys(values))
    if len(unique) != len(values):
        repeated = sorted({value for value in values if values.count(value) > 1})
        cells.report.warn(cells.row.at(column), f"listed twice: {', '.join(repeated)}")
    return unique


def read_unavailability(table: Table | None, setup: MeetingSetup, report: Report) -> Rows[Unavailability]:
    """unavailability.csv: a room, speaker or organizer that cannot be used for a while."""
    if table is None:
        return Rows([], False)
    check_columns(table, UNAVAILABILITY_COLUMNS, UNAVAILABILITY_REQUIRED, report)
    items: list[Parsed[Unavailability]] = []
    for row in table.rows:
        cells = _Cells(row, report)
        kind = "room"
        if cells.required("kind", f"is empty; expected one of {', '.join(UNAVAILABILITY_KINDS)}"):
            kind = cells.value("kind", parse_enum, "room", UNAVAILABILITY_KINDS, what="kind")
        target = cells.required("id", "empty id")
        start = end = None
        if cells.required("start"):
            start = cells.value("start", parse_datetime, None, setup.tz)
        if cells.required("end"):
            end = cells.value("end", parse_datetime, None, setup.tz)
        if start is not None and end is not None and end.astimezone(timezone.utc) <= start.astimezone(timezone.utc):
            cells.fail("end", "ends at or before its start")
        item = Unavailability(kind, target, start or PLACEHOLDER, end or PLACEHOLDER, cells.text("reason"))
        items.append(Parsed(item, row, frozenset(cells.bad)))
    return Rows(items, True)

