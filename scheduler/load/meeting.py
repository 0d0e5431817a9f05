"""Check the meeting's settings and build the Meeting, its slots (via grid.build_slots) and blocked periods.

The settings arrive as records from ``settings.py`` (meeting.toml or the workbook's sheets), so the
same checks and messages serve both forms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TypeVar
from zoneinfo import ZoneInfo

from ..errors import LoadError, suggest
from ..grid import SlotSpec, build_slots, clock_offset, on_day, overlaps, spec_order
from ..model import FORMATS, BlockedPeriod, Meeting, Slot, meeting_day
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
from .settings import Entry, MeetingInput, Record, toml_text

REQUIRED_KEYS: tuple[str, ...] = ("id", "name", "timezone", "days")
DEFAULT_REMOTE_HOURS: tuple[time, time] = (time(7, 0), time(22, 0))
UID_DOMAIN_SUFFIX = "side-events.local"  # default uid_domain: "<meeting id>.side-events.local"

T = TypeVar("T")

_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_DOMAIN = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")


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
    day_change: time = time(0)

    def at(self, day: date, clock: time) -> datetime:
        """The local moment of wall clock ``clock`` in meeting day ``day`` (the next date when past midnight)."""
        return on_day(day, clock, self.tz, self.day_change)

    def day_of(self, moment: datetime) -> date:
        """The meeting day a moment falls in (``Meeting.day_of``)."""
        return meeting_day(moment.astimezone(self.tz), self.day_change)

    @classmethod
    def unknown(cls) -> MeetingSetup:
        """Stands in when the meeting settings could not be read at all: cells are still checked."""
        return cls(None, ZoneInfo("UTC"), (), (), (), (), False)


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
    for key in REQUIRED_KEYS:
        if key not in keys.entries:
            report.error(keys.place(key), "missing required key")

    def take(key: str, parse: Callable[[Entry], T]) -> T | None:
        entry = keys.entries.get(key)
        if entry is None:
            return None
        try:
            return parse(entry)
        except LoadError as error:
            report.add(error)
            return None

    meeting_id = take("id", _meeting_id)
    name = take("name", _nonempty)
    zone = take("timezone", lambda entry: parse_zone(_text(entry), entry.where))
    days = take("days", _days) or ()
    uid_domain = take("uid_domain", _uid_domain)
    remote_hours = take("remote_hours", _remote_hours)
    venue = take("venue", _text)
    day_change = take("day_change", lambda entry: parse_time(_text(entry), entry.where)) or time(0)
    comfort_hours = take("comfort_hours", _remote_hours)

    tz = ZoneInfo(zone or "UTC")
    located, specs_ok = _slot_specs(given, days, day_change, report)
    specs = [spec for spec, _ in located]
    blocked = _blocked(given, tz, days, day_change, report)
    weights = _weights(given, report)
    slots = build_slots(days, specs, tz, day_change) if days else ()
    specs_ok = _check_slot_starts(located, slots, day_change, report) and specs_ok

    meeting = None
    if meeting_id is not None and name is not None and zone is not None and days:
        meeting = Meeting(
            id=meeting_id,
            name=name,
            timezone=zone,
            days=days,
            uid_domain=uid_domain or f"{meeting_id}.{UID_DOMAIN_SUFFIX}",
            remote_hours=remote_hours or DEFAULT_REMOTE_HOURS,
            weights=weights,
            venue=venue or "",
            day_change=day_change,
            comfort_hours=comfort_hours,
        )
    grid_ok = zone is not None and bool(days) and specs_ok and bool(slots)
    return MeetingSetup(meeting, tz, days, tuple(specs), slots, blocked, grid_ok, day_change)


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


def _slot_specs(given: MeetingInput, days: tuple[date, ...], day_change: time,
                report: Report) -> tuple[list[tuple[SlotSpec, Record]], bool]:
    """The daily grid entries; the flag is False when any of them is broken."""
    if given.slots is None or not given.slots:
        report.error(given.slots_where, "no slots: the meeting needs at least one [[slots]] entry")
        return [], False
    specs: list[tuple[SlotSpec, Record]] = []
    ok = True
    for record in given.slots:
        try:
            specs.append((_slot_spec(record, days, day_change), record))
        except LoadError as error:
            report.add(error)
            ok = False
    return specs, ok


def _slot_spec(record: Record, days: tuple[date, ...], day_change: time) -> SlotSpec:
    """One ``[[slots]]`` entry; its days must be meeting days; it ends after it starts within the meeting day
    (from ``day_change`` to ``day_change``: a time before the change is after midnight)."""
    for key in ("start", "end"):
        if key not in record.entries:
            raise LoadError(record.where(key), "missing required key")
    start_entry, end_entry = record.entries["start"], record.entries["end"]
    start = parse_time(_text(start_entry), start_entry.where)
    end = parse_time(_text(end_entry), end_entry.where)
    if clock_offset(end, day_change, end=True) <= clock_offset(start, day_change):
        within = f" within a meeting day from {format_time(day_change)}" if day_change != time(0) else ""
        raise LoadError(end_entry.where, f"the slot ends ({format_time(end)}) at or before its start "
                                         f"({format_time(start)}){within}")
    formats = _formats(record)
    slot_days: tuple[date, ...] = ()
    days_entry = record.entries.get("days")
    if days_entry is not None:
        slot_days = tuple(sorted({parse_date(item, days_entry.where) for item in _items(days_entry)}))
        outside = [day for day in slot_days if days and day not in days]
        if outside:
            raise LoadError(days_entry.where, f"not a day of the meeting: {', '.join(d.isoformat() for d in outside)}")
    return SlotSpec(start, end, formats, slot_days)


def _check_slot_starts(specs: list[tuple[SlotSpec, Record]], slots: tuple[Slot, ...], day_change: time,
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
            key=lambda item: spec_order(specs[item[0]][0], day_change),
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


def _blocked(given: MeetingInput, tz: ZoneInfo, days: tuple[date, ...], day_change: time,
             report: Report) -> tuple[BlockedPeriod, ...]:
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
        if days and not _touches_days(start, end, days, tz, day_change):
            report.warn(start_entry.where, "outside the meeting's days; it has no effect")
        result.append(period)
    return tuple(result)


def _touches_days(start: datetime, end: datetime, days: tuple[date, ...], tz: ZoneInfo, day_change: time) -> bool:
    """Whether [start, end) overlaps any of the meeting days (each from ``day_change`` to ``day_change``)."""
    for day in days:
        day_start = datetime.combine(day, day_change, tzinfo=tz)
        day_end = datetime.combine(day + timedelta(days=1), day_change, tzinfo=tz)
        if overlaps(start, end, day_start, day_end):
            return True
    return False


def _weights(given: MeetingInput, report: Report) -> dict[str, int]:
    """``[weights]`` overrides: known term names, whole numbers 0 or more; sorted by name."""
    result: dict[str, int] = {}
    for name_entry, value_entry in given.weights:
        name = str(name_entry.value).strip()
        if name not in DEFAULT_WEIGHTS:
            report.error(name_entry.where, f"unknown weight {name!r}{suggest(name, DEFAULT_WEIGHTS)}; expected one of "
                                           f"{', '.join(DEFAULT_WEIGHTS)}")
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
