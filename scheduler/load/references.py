"""Cross-table checks: duplicate ids, unknown speakers/rooms/organizers, pins that cannot hold.

Each check reports at most one error per cell, and skips whatever depends on a cell that was already
reported bad (``Parsed.bad``) or on a table that could not be read (``Rows.usable``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone

from ..errors import suggest
from ..grid import occupied_slots, overlaps
from ..model import Room, SideEvent, Slot, Speaker, Unavailability
from .fields import Report, format_time
from .meeting import MeetingSetup
from .rows import Parsed, Rows

UTC = timezone.utc


def check_references(setup: MeetingSetup, rooms: Rows[Room], speakers: Rows[Speaker], events: Rows[SideEvent],
                     unavailability: Rows[Unavailability], report: Report) -> None:
    """Run every cross-table check, recording errors and warnings in ``report``."""
    room_by_id = unique_ids(rooms, "room", report)
    speaker_by_id = unique_ids(speakers, "speaker", report)
    unique_ids(events, "event", report)
    fits = _DurationFit(setup)
    for parsed in events.items:
        if speakers.usable:
            _event_speakers(parsed, speaker_by_id, report)
            _event_hosts(parsed, speaker_by_id, report)
        if rooms.usable:
            _pinned_room(parsed, room_by_id, report)
        _pinned_start(parsed, setup, report)
        _duration(parsed, fits, report)
        _preferences(parsed, setup, report)
    organizers = {parsed.value.organizer for parsed in events.items}
    organizers_usable = events.usable and not any("organizer" in parsed.bad for parsed in events.items)
    known = {
        "room": set(room_by_id) if rooms.usable else None,
        "speaker": set(speaker_by_id) if speakers.usable else None,
        "organizer": organizers if organizers_usable else None,
    }
    for item in unavailability.items:
        _unavailable(item, known, setup, report)


def unique_ids(rows: Rows, what: str, report: Report) -> dict:
    """Report every id used twice (at the later row); returns the first record of each id."""
    first: dict[str, Parsed] = {}
    for parsed in rows.items:
        record_id = parsed.value.id
        if not record_id or "id" in parsed.bad:
            continue
        if record_id in first:
            earlier = first[record_id].row.number
            report.error(parsed.row.at("id"), f"duplicate {what} id {record_id!r} (first on row {earlier})")
        else:
            first[record_id] = parsed
    return {record_id: parsed for record_id, parsed in first.items()}


def _event_speakers(parsed: Parsed[SideEvent], speaker_by_id: dict[str, Parsed[Speaker]], report: Report) -> None:
    """Unknown speakers (one error per cell), and remote speakers of an in_person event."""
    event = parsed.value
    unknown = [speaker_id for speaker_id in event.speakers if speaker_id not in speaker_by_id]
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        named = ", ".join(f"{speaker_id}{suggest(speaker_id, speaker_by_id)}" for speaker_id in unknown)
        report.error(parsed.row.at("speakers"), f"unknown speaker{plural} {named}")
    if event.format == "in_person" and "format" not in parsed.bad:
        remote = [
            speaker_id for speaker_id in event.speakers
            if speaker_id in speaker_by_id and speaker_by_id[speaker_id].value.remote
            and "remote" not in speaker_by_id[speaker_id].bad
        ]
        if remote:
            report.error(parsed.row.at("format"),
                         f"an in_person event cannot have a remote speaker ({', '.join(remote)}); "
                         "make it hybrid or virtual")


def _event_hosts(parsed: Parsed[SideEvent], speaker_by_id: dict[str, Parsed[Speaker]], report: Report) -> None:
    """Hosts and moderators are persons of speakers.csv, each with one role per event (one error per cell)."""
    event = parsed.value
    earlier: dict[str, str] = dict.fromkeys(event.speakers, "speaker")
    for column, role in (("hosts", "host"), ("moderators", "moderator")):
        listed = event.hosts if role == "host" else event.moderators
        unknown = [person for person in listed if person not in speaker_by_id]
        twice = [person for person in listed if person in earlier]
        if unknown:
            plural = "s" if len(unknown) > 1 else ""
            report.error(parsed.row.at(column), f"unknown person{plural} {', '.join(unknown)} (not in speakers.csv)")
        elif twice:
            report.error(parsed.row.at(column), "a person has one role per event: "
                         + ", ".join(f"{person} is already its {earlier[person]}" for person in twice))
        earlier.update(dict.fromkeys(listed, role))


def _pinned_room(parsed: Parsed[SideEvent], room_by_id: dict[str, Parsed[Room]], report: Report) -> None:
    """A pinned room must exist, suit the event's format and seat its attendance."""
    event = parsed.value
    if event.room is None:
        return
    where = parsed.row.at("room")
    found = room_by_id.get(event.room)
    if found is None:
        report.error(where, f"unknown room {event.room!r}{suggest(event.room, room_by_id)}")
        return
    room = found.value
    if "format" in parsed.bad or "kind" in found.bad:
        return
    if not room.accepts_format(event.format):
        if event.format == "virtual":
            reason = f"room {room.id} is physical; a virtual event needs a virtual room"
        elif room.is_virtual:
            reason = f"room {room.id} is virtual; a {event.format} event needs a physical room"
        else:
            reason = f"room {room.id} is not hybrid; a hybrid event needs a hybrid room"
        report.error(where, reason)
        return
    if room.is_virtual or room.capacity is None or event.attendance is None or "capacity" in found.bad:
        return
    if event.attendance > room.capacity:
        report.error(where, f"room {room.id} seats {room.capacity}, fewer than the attendance {event.attendance}")


def _pinned_start(parsed: Parsed[SideEvent], setup: MeetingSetup, report: Report) -> None:
    """A pinned start must be a slot start of a meeting day with a valid run of slots for the event."""
    event = parsed.value
    if event.start is None or not setup.days:
        return
    where = parsed.row.at("start")
    day = setup.day_of(event.start)
    if day not in setup.days:
        report.error(where, f"{day.isoformat()} is not a day of the meeting ({_day_range(setup.days)})")
        return
    if not setup.grid_ok:
        return
    day_slots = [slot for slot in setup.slots if slot.day == day]
    start_utc = event.start.astimezone(UTC)
    index = next((i for i, slot in enumerate(day_slots) if slot.start.astimezone(UTC) == start_utc), None)
    if index is None:
        starts = ", ".join(format_time(slot.start.time()) for slot in day_slots)
        report.error(where, f"not a slot start on {day.isoformat()} (slots start at {starts})")
        return
    if "duration" in parsed.bad or "format" in parsed.bad:
        return
    if occupied_slots(day_slots, index, event.duration, event.format) is None:
        report.error(where, f"no run of slots from here holds a {event.duration}-minute {event.format} event")


class _DurationFit:
    """Whether any day has a run of slots for a (format, duration); cached per pair."""

    def __init__(self, setup: MeetingSetup) -> None:
        self.setup = setup
        self.days: dict[date, list[Slot]] = {}
        for slot in setup.slots:
            self.days.setdefault(slot.day, []).append(slot)
        self.cache: dict[tuple[str, int], bool] = {}

    def __call__(self, fmt: str, duration: int) -> bool:
        key = (fmt, duration)
        if key not in self.cache:
            self.cache[key] = any(
                occupied_slots(day_slots, index, duration, fmt) is not None
                for day_slots in self.days.values()
                for index in range(len(day_slots))
            )
        return self.cache[key]


def _duration(parsed: Parsed[SideEvent], fits: _DurationFit, report: Report) -> None:
    """An event whose duration no run of slots on any day can hold for its format can never be placed."""
    event = parsed.value
    if not fits.setup.grid_ok or "duration" in parsed.bad or "format" in parsed.bad:
        return
    if not fits(event.format, event.duration):
        report.error(parsed.row.at("duration"),
                     f"no run of slots on any day holds a {event.duration}-minute {event.format} event")


def _preferences(parsed: Parsed[SideEvent], setup: MeetingSetup, report: Report) -> None:
    """Preferred days must be meeting days; preferred starts must be slot start times."""
    event = parsed.value
    if setup.days:
        outside = [day for day in event.preferred_days if day not in setup.days]
        if outside:
            report.error(parsed.row.at("preferred_days"),
                         f"not a day of the meeting: {', '.join(day.isoformat() for day in outside)} "
                         f"({_day_range(setup.days)})")
    if setup.grid_ok and event.preferred_starts:
        starts: set[time] = {slot.start.time() for slot in setup.slots}
        wrong = [at for at in event.preferred_starts if at not in starts]
        if wrong:
            report.error(parsed.row.at("preferred_starts"),
                         f"not a slot start: {', '.join(format_time(at) for at in wrong)} "
                         f"(slots start at {', '.join(format_time(at) for at in sorted(starts))})")


def _unavailable(parsed: Parsed[Unavailability], known: dict[str, set[str] | None], setup: MeetingSetup,
                 report: Report) -> None:
    """The room, speaker or organizer must exist; a period outside the meeting is warned about."""
    item = parsed.value
    if "kind" not in parsed.bad and "id" not in parsed.bad:
        ids = known[item.kind]
        if ids is not None and item.id not in ids:
            detail = ": it organizes no event" if item.kind == "organizer" else ""
            report.error(parsed.row.at("id"), f"unknown {item.kind} {item.id!r}{detail}{suggest(item.id, sorted(ids))}")
    if "start" in parsed.bad or "end" in parsed.bad or not setup.days:
        return
    if not any(overlaps(item.start, item.end, *_day_bounds(day, setup)) for day in setup.days):
        report.warn(parsed.row.at("start"), "outside the meeting's days; it has no effect")


def _day_bounds(day: date, setup: MeetingSetup) -> tuple[datetime, datetime]:
    """The meeting day ``day`` in the venue zone: from its day change to the next (local midnights by default)."""
    start = datetime.combine(day, setup.day_change, tzinfo=setup.tz)
    return start, datetime.combine(day + timedelta(days=1), setup.day_change, tzinfo=setup.tz)


def _day_range(days: Iterable[date]) -> str:
    """``2022-05-16 to 2022-05-20``, or the list when the days are not consecutive."""
    ordered = sorted(days)
    if len(ordered) > 1 and all((b - a).days == 1 for a, b in zip(ordered, ordered[1:], strict=False)):
        return f"{ordered[0].isoformat()} to {ordered[-1].isoformat()}"
    return ", ".join(day.isoformat() for day in ordered)
