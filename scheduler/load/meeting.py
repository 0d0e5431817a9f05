"""meeting.toml (or the ``meeting``/``slots``/``blocked``/``weights`` sheets) -> Meeting, slots, blocked periods.

Both forms are first turned into :class:`Record` objects (values with their places), so one set of
checks serves TOML and Excel alike and every message names the key or the cell at fault.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import LoadError, SourceLocation
from ..grid import SlotSpec, build_slots, overlaps
from ..model import FORMATS, BlockedPeriod, Meeting, Slot
from ..weights import DEFAULT_WEIGHTS
from .fields import (
    Report,
    format_time,
    parse_date,
    parse_datetime,
    parse_enum,
    parse_int,
    parse_list,
    parse_time,
    parse_zone,
)
from .tables import Table, check_columns, clean

TOP_KEYS: tuple[str, ...] = ("id", "name", "timezone", "days", "uid_domain", "remote_hours", "venue")
REQUIRED_KEYS: tuple[str, ...] = ("id", "name", "timezone", "days")
SLOT_KEYS: tuple[str, ...] = ("start", "end", "formats", "days")
BLOCKED_KEYS: tuple[str, ...] = ("start", "end", "reason", "formats")
WEIGHT_COLUMNS: tuple[str, ...] = ("name", "weight")
META_COLUMNS: tuple[str, ...] = ("key", "value")
DEFAULT_REMOTE_HOURS: tuple[time, time] = (time(7, 0), time(22, 0))
UID_DOMAIN_SUFFIX = "side-events.local"  # default uid_domain: "<meeting id>.side-events.local"
MEETING_SHEETS: tuple[str, ...] = ("meeting", "slots", "blocked", "weights")

_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_DOMAIN = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")
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


@dataclass(frozen=True)
class MeetingSetup:
    """The checked meeting: None parts where the input was broken (errors are in the Report)."""

    meeting: Meeting | None
    tz: ZoneInfo  # the venue's zone, or UTC when it is broken (so later cells can still be checked)
    days: tuple[date, ...]
    specs: tuple[SlotSpec, ...]
    slots: tuple[Slot, ...]
    blocked: tuple[BlockedPeriod, ...]
    grid_ok: bool  # zone, days and every slot are valid: pins and durations can be checked against slots

    @classmethod
    def unknown(cls) -> MeetingSetup:
        """Stands in when the meeting settings could not be read at all: cells are still checked."""
        return cls(None, ZoneInfo("UTC"), (), (), (), (), False)


# ---------------------------------------------------------------- reading the two forms


def read_toml(path: Path, name: str, report: Report) -> dict[str, object] | None:
    """Parse meeting.toml; None (after reporting where) when it is missing, not UTF-8 or broken."""
    report.register(name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        report.error(SourceLocation(name), "missing file")
        return None
    except OSError as error:
        report.error(SourceLocation(name), f"cannot read the file: {error.strerror or error}")
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
            report.warn(where, "unknown key ignored")
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
                report.warn(place(sub), "unknown key ignored")
        records.append(Record(entries, place))
    return records


def sheets_input(tables: Mapping[str, Table], workbook: str, report: Report) -> MeetingInput | None:
    """The ``meeting``, ``slots``, ``blocked`` and ``weights`` sheets as records."""
    meeting = tables.get("meeting")
    if meeting is None:
        report.error(SourceLocation(f"{workbook}[meeting]"), "missing sheet")
        return None
    keys: dict[str, Entry] = {}
    if not check_columns(meeting, META_COLUMNS, META_COLUMNS, report):
        first_row: dict[str, int] = {}
        for row in meeting.rows:
            key = row.get("key").lower()
            if not key:
                report.error(row.at("key"), "empty key")
                continue
            where = SourceLocation(meeting.name, row.number, row.at("value").column, key)
            if key in first_row:
                report.error(where, f"key given twice (first on row {first_row[key]})")
            elif key not in TOP_KEYS:
                report.warn(SourceLocation(meeting.name, row.number, row.at("key").column, key), "unknown key ignored")
            else:
                first_row[key] = row.number
                keys[key] = Entry(row.get("value"), where)
    result = MeetingInput(
        keys=Record(keys, lambda key: SourceLocation(meeting.name, field=key)),
        slots=None,
        slots_where=SourceLocation(f"{workbook}[slots]"),
    )
    slots = tables.get("slots")
    if slots is not None:
        result.slots_where = SourceLocation(slots.name)
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


# ---------------------------------------------------------------- checking


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


def _text(entry: Entry) -> str:
    """A single value as text, or LoadError."""
    text = toml_text(entry.value)
    if text is None:
        raise LoadError(entry.where, f"expected text, got {entry.value!r}")
    return text


def _items(entry: Entry) -> tuple[str, ...]:
    """A list value: a TOML array, or a ``;``-separated text (the form a sheet cell holds)."""
    if isinstance(entry.value, list):
        texts = [toml_text(item) for item in entry.value]
        if any(text is None for text in texts):
            raise LoadError(entry.where, f"expected a list of texts, got {entry.value!r}")
        return tuple(text for text in texts if text)
    return parse_list(_text(entry))


def build_meeting(given: MeetingInput, report: Report) -> MeetingSetup:
    """Check every setting and build the Meeting, its slots and blocked periods."""
    keys = given.keys
    values: dict[str, object] = {}
    for key in REQUIRED_KEYS:
        if key not in keys.entries:
            report.error(keys.place(key), "missing required key")

    def read(key: str, parse: Callable[[Entry], object]) -> None:
        entry = keys.entries.get(key)
        if entry is None:
            return
        try:
            values[key] = parse(entry)
        except LoadError as error:
            report.add(error)

    read("id", _meeting_id)
    read("name", _nonempty)
    read("timezone", lambda entry: parse_zone(_text(entry), entry.where))
    read("days", _days)
    read("uid_domain", _uid_domain)
    read("remote_hours", _remote_hours)
    read("venue", _text)

    zone_ok = "timezone" in values
    tz = ZoneInfo(str(values["timezone"])) if zone_ok else ZoneInfo("UTC")
    days: tuple[date, ...] = values.get("days", ())  # type: ignore[assignment]
    located, specs_ok = _slot_specs(given, days, report)
    specs = [spec for spec, _ in located]
    blocked = _blocked(given, tz, days, report)
    weights = _weights(given, report)
    slots = build_slots(days, specs, tz) if days else ()
    specs_ok = _check_slot_starts(located, slots, given, report) and specs_ok

    meeting = None
    if all(key in values for key in REQUIRED_KEYS):
        meeting = Meeting(
            id=str(values["id"]),
            name=str(values["name"]),
            timezone=str(values["timezone"]),
            days=days,
            uid_domain=str(values.get("uid_domain") or f"{values['id']}.{UID_DOMAIN_SUFFIX}"),
            remote_hours=values.get("remote_hours", DEFAULT_REMOTE_HOURS),  # type: ignore[arg-type]
            weights=weights,
            venue=str(values.get("venue", "")),
        )
    grid_ok = zone_ok and bool(days) and specs_ok and bool(slots)
    return MeetingSetup(meeting, tz, days, tuple(specs), slots, blocked, grid_ok)


def _meeting_id(entry: Entry) -> str:
    """The meeting id: a slug, because it names files and calendar UIDs."""
    text = _text(entry)
    if not _SLUG.fullmatch(text):
        raise LoadError(entry.where, f"expected a slug (letters, digits, '.', '_', '-'), got {text!r}")
    return text


def _nonempty(entry: Entry) -> str:
    """Text that may not be empty."""
    text = _text(entry)
    if not text:
        raise LoadError(entry.where, "is empty")
    return text


def _days(entry: Entry) -> tuple[date, ...]:
    """The meeting days: ISO dates, at least one, none twice; returned in date order."""
    items = _items(entry)
    if not items:
        raise LoadError(entry.where, "expected at least one day")
    days = [parse_date(item, entry.where) for item in items]
    twice = sorted({day for day in days if days.count(day) > 1})
    if twice:
        raise LoadError(entry.where, f"day listed twice: {', '.join(day.isoformat() for day in twice)}")
    return tuple(sorted(days))


def _uid_domain(entry: Entry) -> str:
    """A domain name for calendar UIDs (``<event id>@<uid_domain>``)."""
    text = _text(entry)
    if not _DOMAIN.fullmatch(text):
        raise LoadError(entry.where, f"expected a domain name such as ccpcj31.example.org, got {text!r}")
    return text


def _remote_hours(entry: Entry) -> tuple[time, time]:
    """Two HH:MM times: from, until (an until not after from runs past midnight)."""
    items = _items(entry)
    if len(items) != 2:
        raise LoadError(entry.where, f"expected two times [\"HH:MM\", \"HH:MM\"], got {entry.value!r}")
    return (parse_time(items[0], entry.where), parse_time(items[1], entry.where))


def _formats(record: Record) -> frozenset[str]:
    """The ``formats`` of a slot or blocked period; all formats when absent."""
    entry = record.entries.get("formats")
    if entry is None:
        return frozenset(FORMATS)
    items = _items(entry)
    if not items:
        raise LoadError(entry.where, "expected at least one format (leave it out for all formats)")
    return frozenset(parse_enum(item, entry.where, FORMATS, what="format") for item in items)


def _slot_specs(given: MeetingInput, days: tuple[date, ...],
                report: Report) -> tuple[list[tuple[SlotSpec, Record]], bool]:
    """The daily grid entries; the flag is False when any of them is broken."""
    if given.slots is None or not given.slots:
        report.error(given.slots_where, "no slots: the meeting needs at least one [[slots]] entry")
        return [], False
    specs: list[tuple[SlotSpec, Record]] = []
    ok = True
    for record in given.slots:
        try:
            specs.append((_slot_spec(record, days), record))
        except LoadError as error:
            report.add(error)
            ok = False
    return specs, ok


def _slot_spec(record: Record, days: tuple[date, ...]) -> SlotSpec:
    """One ``[[slots]]`` entry; its days must be meeting days."""
    for key in ("start", "end"):
        if key not in record.entries:
            raise LoadError(record.where(key), "missing required key")
    start_entry, end_entry = record.entries["start"], record.entries["end"]
    start = parse_time(_text(start_entry), start_entry.where)
    end = parse_time(_text(end_entry), end_entry.where)
    if end <= start:
        raise LoadError(end_entry.where, f"the slot ends ({format_time(end)}) at or before its start "
                                         f"({format_time(start)})")
    formats = _formats(record)
    slot_days: tuple[date, ...] = ()
    days_entry = record.entries.get("days")
    if days_entry is not None:
        slot_days = tuple(sorted({parse_date(item, days_entry.where) for item in _items(days_entry)}))
        outside = [day for day in slot_days if days and day not in days]
        if outside:
            raise LoadError(days_entry.where, f"not a day of the meeting: {', '.join(d.isoformat() for d in outside)}")
    return SlotSpec(start, end, formats, slot_days)


def _check_slot_starts(specs: list[tuple[SlotSpec, Record]], slots: tuple[Slot, ...], given: MeetingInput,
                       report: Report) -> bool:
    """Two slots may not start at the same time on one day (errors); overlapping slots are warned about.

    The later of the two entries in the input is the one reported.
    """
    ok = True
    reported: set[int] = set()
    for day in sorted({slot.day for slot in slots}):
        day_slots = [slot for slot in slots if slot.day == day]
        # the entries behind this day's slots, in the order build_slots made them
        todays = sorted(
            ((number, record) for number, (spec, record) in enumerate(specs) if not spec.days or day in spec.days),
            key=lambda item: (specs[item[0]][0].start, specs[item[0]][0].end),
        )
        pairs = list(zip(day_slots, todays, strict=True))
        for (before, first), (after, second) in zip(pairs, pairs[1:], strict=False):
            number, record = max(first, second, key=lambda item: item[0])
            if number in reported:
                continue
            if before.start == after.start:
                report.error(record.where("start"),
                             f"two slots start at {format_time(after.start.time())} on {day.isoformat()}")
                reported.add(number)
                ok = False
            elif overlaps(before.start, before.end, after.start, after.end):
                report.warn(record.where("start"),
                            f"slots {format_time(before.start.time())}-{format_time(before.end.time())} and "
                            f"{format_time(after.start.time())}-{format_time(after.end.time())} overlap on "
                            f"{day.isoformat()}")
                reported.add(number)
    return ok


def _blocked(given: MeetingInput, tz: ZoneInfo, days: tuple[date, ...], report: Report) -> tuple[BlockedPeriod, ...]:
    """The blocked periods; one outside every meeting day is warned about (it has no effect)."""
    result = []
    for record in given.blocked:
        try:
            for key in ("start", "end"):
                if key not in record.entries:
                    raise LoadError(record.where(key), "missing required key")
            start_entry, end_entry = record.entries["start"], record.entries["end"]
            start = parse_datetime(_text(start_entry), start_entry.where, tz)
            end = parse_datetime(_text(end_entry), end_entry.where, tz)
            if end.astimezone(timezone.utc) <= start.astimezone(timezone.utc):
                raise LoadError(end_entry.where, "the blocked period ends at or before its start")
            reason_entry = record.entries.get("reason")
            reason = _text(reason_entry) if reason_entry else ""
            period = BlockedPeriod(start, end, reason, _formats(record))
        except LoadError as error:
            report.add(error)
            continue
        if days and not _touches_days(start, end, days, tz):
            report.warn(start_entry.where, "outside the meeting's days; it has no effect")
        result.append(period)
    return tuple(result)


def _touches_days(start: datetime, end: datetime, days: tuple[date, ...], tz: ZoneInfo) -> bool:
    """Whether [start, end) overlaps any of the local days."""
    for day in days:
        day_start = datetime.combine(day, time(0), tzinfo=tz)
        day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
        if overlaps(start, end, day_start, day_end):
            return True
    return False


def _weights(given: MeetingInput, report: Report) -> dict[str, int]:
    """``[weights]`` overrides: known term names, whole numbers 0 or more; sorted by name."""
    result: dict[str, int] = {}
    for name_entry, value_entry in given.weights:
        name = str(name_entry.value).strip()
        if name not in DEFAULT_WEIGHTS:
            report.error(name_entry.where, f"unknown weight {name!r}; expected one of {', '.join(DEFAULT_WEIGHTS)}")
            continue
        value = value_entry.value
        try:
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise LoadError(value_entry.where, f"expected a whole number 0 or more, got {value!r}")
            if isinstance(value, int):
                if value < 0:
                    raise LoadError(value_entry.where, f"must be 0 or more, got {value}")
                weight = value
            else:
                weight = parse_int(value.strip(), value_entry.where, what="a whole number 0 or more")
        except LoadError as error:
            report.add(error)
            continue
        if name in result:
            report.error(name_entry.where, f"weight {name!r} given twice")
            continue
        result[name] = weight
    return dict(sorted(result.items()))
