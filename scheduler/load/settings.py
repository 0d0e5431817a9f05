"""The meeting's settings as written: meeting.toml, or the ``meeting``/``slots``/``blocked``/``weights`` sheets.

Both forms become :class:`Record` objects (values with their places) before any checking, so
``meeting.py`` checks TOML and Excel alike and every message names the key or the cell at fault.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from ..errors import SourceLocation, suggest
from .fields import Report, format_time
from .tables import Table, check_columns, clean, read_bytes

TOP_KEYS: tuple[str, ...] = ("id", "name", "timezone", "days", "uid_domain", "remote_hours", "venue", "day_change",
                             "comfort_hours")
SLOT_KEYS: tuple[str, ...] = ("start", "end", "formats", "days")
BLOCKED_KEYS: tuple[str, ...] = ("start", "end", "reason", "formats")
WEIGHT_COLUMNS: tuple[str, ...] = ("name", "weight")
META_COLUMNS: tuple[str, ...] = ("key", "value")
MEETING_SHEETS: tuple[str, ...] = ("meeting", "slots", "blocked", "weights")

_TOML_PLACE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


@dataclass(frozen=True)
class Entry:
    """One value as given (TOML value or cell text) and where it was given."""

    value: object
    where: SourceLocation


@dataclass
class Record:
    """Key -> value entries of one TOML table or one sheet row, and where an absent key belongs."""

    entries: dict[str, Entry]
    place: Callable[[str], SourceLocation]

    def where(self, key: str) -> SourceLocation:
        """The place of ``key``: its own when given, else where it should have been."""
        entry = self.entries.get(key)
        return entry.where if entry else self.place(key)


@dataclass
class MeetingInput:
    """The meeting's settings in either form, before any checking."""

    keys: Record
    slots: list[Record] | None  # None: no [[slots]] at all
    slots_where: SourceLocation
    blocked: list[Record] = field(default_factory=list)
    weights: list[tuple[Entry, Entry]] = field(default_factory=list)  # (name, weight)


def read_toml(path: Path, name: str, report: Report) -> dict[str, object] | None:
    """Parse meeting.toml; None (after reporting where) when it is missing, not UTF-8 or broken."""
    data = read_bytes(path, name, report)
    if data is None:
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        report.error(SourceLocation(name, line, column),
                     f"the file is not UTF-8: byte 0x{data[error.start]:02X} cannot be decoded (save it as UTF-8)")
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_PLACE.search(message)
        if match:
            report.error(SourceLocation(name, int(match[1]), int(match[2])),
                         f"broken TOML: {message[: match.start()]}")
        else:
            report.error(SourceLocation(name), f"broken TOML: {message}")
        return None


def toml_input(data: Mapping[str, object], name: str, report: Report) -> MeetingInput:
    """The parsed meeting.toml as records; unknown keys are warned about."""
    keys: dict[str, Entry] = {}
    for key, value in data.items():
        where = SourceLocation(name, field=key)
        if key in TOP_KEYS:
            keys[key] = Entry(value, where)
        elif key not in ("slots", "blocked", "weights"):
            report.warn(where, f"unknown key ignored{suggest(key, [*TOP_KEYS, 'slots', 'blocked', 'weights'])}")
    result = MeetingInput(
        keys=Record(keys, lambda key: SourceLocation(name, field=key)),
        slots=_toml_tables(data, "slots", SLOT_KEYS, name, report),
        slots_where=SourceLocation(name, field="slots"),
    )
    result.blocked = _toml_tables(data, "blocked", BLOCKED_KEYS, name, report) or []
    weights = data.get("weights")
    if isinstance(weights, dict):
        for weight_name, value in weights.items():
            where = SourceLocation(name, field=f"weights.{weight_name}")
            result.weights.append((Entry(weight_name, where), Entry(value, where)))
    elif weights is not None:
        report.error(SourceLocation(name, field="weights"), "expected a [weights] table of name = weight")
    return result


def _toml_tables(data: Mapping[str, object], key: str, known: tuple[str, ...], name: str,
                 report: Report) -> list[Record] | None:
    """The ``[[key]]`` array of tables as records numbered from 1 (``slots[2].end``)."""
    if key not in data:
        return None
    items = data[key]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        report.error(SourceLocation(name, field=key), f"expected [[{key}]] tables")
        return []
    records = []
    for number, item in enumerate(items, start=1):
        assert isinstance(item, dict)

        def place(sub: str, number: int = number) -> SourceLocation:
            return SourceLocation(name, field=f"{key}[{number}].{sub}")

        entries: dict[str, Entry] = {}
        for sub, value in item.items():
            if sub in known:
                entries[sub] = Entry(value, place(sub))
            else:
                report.warn(place(sub), f"unknown key ignored{suggest(sub, known)}")
        records.append(Record(entries, place))
    return records


def sheets_input(tables: Mapping[str, Table], workbook: str, report: Report) -> MeetingInput | None:
    """The ``meeting``, ``slots``, ``blocked`` and ``weights`` sheets as records."""
    meeting = tables.get("meeting")
    if meeting is None:
        report.error(SourceLocation(workbook, sheet="meeting"), "missing sheet")
        return None
    keys: dict[str, Entry] = {}
    if not check_columns(meeting, META_COLUMNS, META_COLUMNS, report):
        first_row: dict[str, int] = {}
        for row in meeting.rows:
            key = row.get("key").lower()
            if not key:
                report.error(row.at("key"), "empty key")
                continue
            where = meeting.place(row.number, row.at("value").column, key)
            if key in first_row:
                report.error(where, f"key given twice (first on row {first_row[key]})")
            elif key not in TOP_KEYS:
                report.warn(meeting.place(row.number, row.at("key").column, key),
                            f"unknown key ignored{suggest(key, TOP_KEYS)}")
            else:
                first_row[key] = row.number
                keys[key] = Entry(row.get("value"), where)
    result = MeetingInput(
        keys=Record(keys, lambda key: meeting.place(field=key)),
        slots=None,
        slots_where=SourceLocation(workbook, sheet="slots"),
    )
    slots = tables.get("slots")
    if slots is not None:
        result.slots_where = slots.place()
        result.slots = _sheet_records(slots, SLOT_KEYS, ("start", "end"), report)
    blocked = tables.get("blocked")
    if blocked is not None:
        result.blocked = _sheet_records(blocked, BLOCKED_KEYS, ("start", "end"), report)
    weights = tables.get("weights")
    if weights is not None and not check_columns(weights, WEIGHT_COLUMNS, WEIGHT_COLUMNS, report):
        for row in weights.rows:
            result.weights.append((Entry(row.get("name"), row.at("name")), Entry(row.get("weight"), row.at("weight"))))
    return result


def _sheet_records(table: Table, known: tuple[str, ...], required: tuple[str, ...], report: Report) -> list[Record]:
    """Each row of a sheet as a record of its non-empty cells."""
    if check_columns(table, known, required, report):
        return []
    records = []
    for row in table.rows:
        entries = {key: Entry(row.get(key), row.at(key)) for key in known if row.get(key)}
        records.append(Record(entries, row.at))
    return records



def toml_text(value: object) -> str | None:
    """A TOML scalar as the text a sheet cell would hold; None for tables, lists of lists and numbers."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, datetime):
        text = f"{value.date().isoformat()}T{format_time(value.time())}"
        if value.tzinfo is not None:
            offset = value.utcoffset()
            assert offset is not None
            text += _offset_text(int(offset.total_seconds()) // 60)
        return text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return format_time(value)
    return None


def _offset_text(minutes: int) -> str:
    """``+02:00`` for 120 minutes, ``Z`` for 0."""
    if minutes == 0:
        return "Z"
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
