"""A Problem written out as a meeting folder: meeting.toml and the four CSV tables of the data format.

Used to ship generated meetings. A Problem holds the daily grid already expanded into slots, so the
``[[slots]]`` entries come from the SlotSpecs it was built from. Pure functions of their input: the
same Problem gives the same bytes. Times are written venue-local, to the minute, as the format asks.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

from ..grid import SlotSpec
from ..model import FORMATS, Problem, Room, SideEvent, Speaker, Unavailability, meeting_day

ROOM_COLUMNS = ("id", "name", "kind", "capacity", "hybrid", "building")
SPEAKER_COLUMNS = ("id", "name", "timezone", "remote", "earliest", "latest", "email")
EVENT_COLUMNS = (
    "id", "title", "organizer", "format", "duration", "attendance", "speakers", "topics", "priority",
    "preferred_days", "preferred_starts", "room", "start", "link", "description", "visibility",
)
UNAVAILABILITY_COLUMNS = ("kind", "id", "start", "end", "reason")
# Columns beyond the shared contract (docs/data-format.md): written only when some record uses them, so
# a meeting that does not use them keeps the contract's files byte for byte.
OPTIONAL_EVENT_COLUMNS = ("hosts", "moderators", "track", "room_tags", "room_seats")
OPTIONAL_ROOM_COLUMNS = ("hours", "tags")


def folder_files(problem: Problem, slot_specs: Sequence[SlotSpec], *, header: str = "",
                 blank_zones: Collection[str] = ()) -> dict[str, str]:
    """File name -> text of the meeting folder for ``problem``.

    ``header`` becomes comment lines atop meeting.toml; speakers listed in ``blank_zones`` get an empty
    timezone cell (meaning the venue's), as a planner would leave it.
    """
    tz = problem.meeting.tz
    blank = set(blank_zones)
    return {
        "meeting.toml": meeting_toml(problem, slot_specs, header=header),
        "rooms.csv": _optional_csv(ROOM_COLUMNS, OPTIONAL_ROOM_COLUMNS,
                                   [_room_row(room) | _room_extra(room, tz, problem.meeting.day_change)
                                    for room in problem.rooms]),
        "speakers.csv": _csv(SPEAKER_COLUMNS, [_speaker_row(s, s.id in blank) for s in problem.speakers]),
        "events.csv": _optional_csv(EVENT_COLUMNS, OPTIONAL_EVENT_COLUMNS,
                                    [_event_row(event, tz) | _event_extra(event) for event in problem.events]),
        "unavailability.csv": _csv(UNAVAILABILITY_COLUMNS,
                                   [_unavailability_row(u, tz) for u in problem.unavailability]),
    }


def meeting_toml(problem: Problem, slot_specs: Sequence[SlotSpec], *, header: str = "") -> str:
    """meeting.toml text: the meeting keys, the daily grid and the blocked periods."""
    m = problem.meeting
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines += [
        f"id = {_toml(m.id)}",
        f"name = {_toml(m.name)}",
        *([f"venue = {_toml(m.venue)}"] if m.venue else []),
        f"timezone = {_toml(m.timezone)}",
        f"days = {_toml([d.isoformat() for d in m.days])}",
        f"uid_domain = {_toml(m.uid_domain)}",
        f"remote_hours = {_toml([_hhmm(t) for t in m.remote_hours])}",
        *([f"day_change = {_toml(_hhmm(m.day_change))}"] if m.day_change != time(0) else []),
        *([f"comfort_hours = {_toml([_hhmm(t) for t in m.comfort_hours])}"] if m.comfort_hours else []),
    ]
    for spec in slot_specs:
        lines += ["", "[[slots]]", f"start = {_toml(_hhmm(spec.start))}", f"end = {_toml(_hhmm(spec.end))}"]
        lines += _formats_line(spec.formats)
        if spec.days:
            lines.append(f"days = {_toml([d.isoformat() for d in spec.days])}")
    for period in problem.blocked:
        lines += [
            "",
            "[[blocked]]",
            f"start = {_toml(_stamp(period.start, m.tz))}",
            f"end = {_toml(_stamp(period.end, m.tz))}",
            f"reason = {_toml(period.reason)}",
        ]
        lines += _formats_line(period.formats)
    if m.weights:
        lines += ["", "[weights]", *(f"{name} = {int(m.weights[name])}" for name in sorted(m.weights))]
    return "\n".join(lines) + "\n"


def _csv(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """CSV text with a header, minimal quoting and ``\\n`` line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def _optional_csv(columns: Sequence[str], optional: Sequence[str], rows: Sequence[dict[str, str]]) -> str:
    """CSV text of ``columns`` plus each ``optional`` column that some row fills."""
    used = [column for column in optional if any(row.get(column) for row in rows)]
    return _csv([*columns, *used], [[row.get(column, "") for column in (*columns, *used)] for row in rows])


def _hhmm(value: time | None) -> str:
    """HH:MM, or empty."""
    return value.strftime("%H:%M") if value is not None else ""


def _stamp(value: datetime | None, tz: ZoneInfo) -> str:
    """A venue-local ISO datetime without offset, to the minute, or empty."""
    return value.astimezone(tz).strftime("%Y-%m-%dT%H:%M") if value is not None else ""


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _toml(value: object) -> str:
    """A TOML string or array of strings (JSON escapes are valid TOML basic-string escapes)."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _formats_line(formats: frozenset[str]) -> list[str]:
    """A ``formats = [...]`` line, or nothing when all formats are allowed (the default)."""
    if set(formats) == set(FORMATS):
        return []
    return [f"formats = {_toml([f for f in FORMATS if f in formats])}"]


def _room_row(room: Room) -> dict[str, str]:
    if room.is_virtual:
        return dict(zip(ROOM_COLUMNS, [room.id, room.name, room.kind, "", "", room.building], strict=True))
    return dict(zip(ROOM_COLUMNS, [room.id, room.name, room.kind, str(room.capacity), _bool(room.hybrid),
                                   room.building], strict=True))


def _room_extra(room: Room, tz: ZoneInfo, day_change: time) -> dict[str, str]:
    """The optional columns of one room (``OPTIONAL_ROOM_COLUMNS``): its hours day by day, its tags."""
    hours = []
    for begin, end in room.hours:
        begin, end = begin.astimezone(tz), end.astimezone(tz)
        hours.append(f"{meeting_day(begin, day_change).isoformat()} {begin:%H:%M}-{end:%H:%M}")
    return {"hours": ";".join(hours), "tags": ";".join(room.tags)}


def _speaker_row(speaker: Speaker, blank_zone: bool) -> list[str]:
    return [speaker.id, speaker.name, "" if blank_zone else speaker.timezone, _bool(speaker.remote),
            _hhmm(speaker.earliest), _hhmm(speaker.latest), speaker.email]


def _event_extra(event: SideEvent) -> dict[str, str]:
    """The optional columns of one event (``OPTIONAL_EVENT_COLUMNS``), empty where unused."""
    return {"hosts": ";".join(event.hosts), "moderators": ";".join(event.moderators), "track": event.track,
            "room_tags": ";".join(event.room_tags),
            "room_seats": "" if event.room_seats is None else str(event.room_seats)}


def _event_row(event: SideEvent, tz: ZoneInfo) -> dict[str, str]:
    return dict(zip(EVENT_COLUMNS, [
        event.id,
        event.title,
        event.organizer,
        event.format,
        str(event.duration),
        "" if event.attendance is None else str(event.attendance),
        ";".join(event.speakers),
        ";".join(event.topics),
        str(event.priority),
        ";".join(d.isoformat() for d in event.preferred_days),
        ";".join(_hhmm(t) for t in event.preferred_starts),
        event.room or "",
        _stamp(event.start, tz),
        event.link,
        event.description,
        event.visibility,
    ], strict=True))


def _unavailability_row(u: Unavailability, tz: ZoneInfo) -> list[str]:
    return [u.kind, u.id, _stamp(u.start, tz), _stamp(u.end, tz), u.reason]
