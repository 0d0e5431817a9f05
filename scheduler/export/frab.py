"""The frab / c3voc conference schedule (schedule.xml and its JSON form) read by conference apps.

Giggity, EventFahrplan and ConfClerk read this format. Both files are built from one list of
per-event records so they always agree, and both validate against the c3voc schemas
(``schedule.xml.xsd`` and ``schedule.schema.json``). Mapping of our fields:

- guid: UUID5 of the event's calendar UID (``<id>@<uid_domain>``), stable across versions;
- id: a positive integer derived from the same UID (collisions resolved in event-id order);
- track: the event's first topic; type: its format; subtitle: its organizer; abstract: its description;
- persons: speakers', then hosts' and moderators' display names (never e-mail addresses); links: the online
  link, if http(s);
- url: the event on timetable.html when a public ``base_url`` is known, else ``urn:uuid:<guid>``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta
from importlib import metadata as importlib_metadata
from typing import Any

from ..errors import UsageError
from ..model import Meeting, Room
from .labels import is_web_url, slugify
from .view import DayView, EventView, Exporter, ProgrammeView, event_anchor

GENERATOR = "side-event-scheduler"
SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
XML_MEDIA_TYPE = "application/vnd.c3voc.schedule+xml"
JSON_MEDIA_TYPE = "application/json"
ONLINE_LINK_TITLE = "Join online"
SLUG_LENGTH = 48  # title words in an event slug, cut at a word boundary
_ID_SPACE = 9_000_000  # ids are 7-digit numbers: 1000000..9999999
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TZ_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")  # what schedule.schema.json accepts


# ---------------------------------------------------------------------------------------------- identities


def acronym(meeting: Meeting) -> str:
    """The conference acronym both schemas accept: the meeting id in ``[a-z0-9_]``, at least 4 characters."""
    text = re.sub(r"[^a-z0-9_]+", "_", _ascii(meeting.id).lower()).strip("_")
    return text.ljust(4, "_")


def event_uid(meeting: Meeting, event_id: str) -> str:
    """The event's calendar UID, as data-format.md defines it: ``<event id>@<uid_domain>``."""
    return f"{event_id}@{meeting.uid_domain}"


def event_guid(meeting: Meeting, event_id: str) -> str:
    """The frab guid of an event: UUID5 of its calendar UID, so apps keep favourites across versions."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, event_uid(meeting, event_id)))


def _guid(meeting: Meeting, kind: str, key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{kind}:{key}@{meeting.uid_domain}"))


def frab_ids(meeting: Meeting, event_ids: list[str]) -> dict[str, int]:
    """Stable, unique positive integer ids: a 7-digit number hashed from each UID, the next free on a clash."""
    taken: set[int] = set()
    result: dict[str, int] = {}
    for event_id in sorted(event_ids):
        digest = hashlib.sha256(event_uid(meeting, event_id).encode("utf-8")).digest()
        number = int.from_bytes(digest[:8], "big") % _ID_SPACE
        while number in taken:
            number = (number + 1) % _ID_SPACE
        taken.add(number)
        result[event_id] = 1_000_000 + number
    return result


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def event_slug(conference: str, number: int, title: str) -> str:
    """``<acronym>-<id>-<title words>``: unique (the id is) and valid for both schemas."""
    words = slugify(title, SLUG_LENGTH, whole_words=True)
    return f"{conference}-{number}-{words}" if words else f"{conference}-{number}"


def room_labels(rooms: tuple[Room, ...]) -> dict[str, str]:
    """Room id -> the name shown in the schedule; names shared by two rooms get the id appended."""
    counts: dict[str, int] = {}
    for room in rooms:
        counts[room.name] = counts.get(room.name, 0) + 1
    return {room.id: room.name if counts[room.name] == 1 and room.name else f"{room.name} ({room.id})".strip()
            for room in rooms}


def hhmm(minutes: int) -> str:
    """Minutes as frab's ``HH:MM`` duration."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def timeslot_minutes(view: ProgrammeView) -> int:
    """The finest step of the grid: the gcd of every slot's start and end minute of the day (15 if none)."""
    step = 0
    for day in view.days:
        for slot in day.slots:
            for moment in (slot.start, slot.end):
                step = math.gcd(step, moment.hour * 60 + moment.minute)
    return step or 15


def schedule_version(view: ProgrammeView, events: list[dict[str, Any]]) -> str:
    """The version apps compare: the schedule's published_at, else a digest of the published events."""
    published = view.metadata.get("published_at")
    if published:
        return published.isoformat() if isinstance(published, datetime) else str(published)
    text = json.dumps(events, sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _clean(text: str) -> str:
    """Text without the control characters XML 1.0 cannot carry."""
    return _XML_ILLEGAL.sub("", text)


# ---------------------------------------------------------------------------------------------- records


def _event_url(meeting: Meeting, event: EventView, base_url: str | None) -> str:
    if base_url:
        return f"{base_url.rstrip('/')}/timetable.html#{event_anchor(event.id)}"
    return f"urn:uuid:{event_guid(meeting, event.id)}"


def _event_record(view: ProgrammeView, event: EventView, number: int, rooms: dict[str, str],
                  base_url: str | None) -> dict[str, Any]:
    """One event in the JSON form (the XML is written from the same record)."""
    meeting = view.meeting
    record: dict[str, Any] = {
        "guid": event_guid(meeting, event.id),
        "id": number,
        "date": event.start.isoformat(),
        "start": f"{event.start:%H:%M}",
        "end": event.end.isoformat(),
        "duration": hhmm(event.minutes),
        "room": rooms[event.room.id],
        "slug": event_slug(acronym(meeting), number, event.event.title),
        "url": _event_url(meeting, event, base_url),
        "title": _clean(event.event.title),
        "subtitle": _clean(event.event.organizer),
        "track": _clean(event.event.topics[0]) if event.event.topics else None,
        "type": event.format_label,
        "language": None,
        "abstract": _clean(event.event.description),
        "persons": [{"name": _clean(person.name), "guid": _guid(meeting, "speaker", person.id)}
                    for person in (*event.speakers, *(host for host, _ in event.hosts))],
        "links": [{"url": event.web_link, "title": ONLINE_LINK_TITLE, "type": "web"}] if event.web_link else [],
    }
    return record


def _day_bounds(day: DayView, tz) -> tuple[datetime, datetime]:  # noqa: ANN001 - ZoneInfo
    starts = [slot.start for slot in day.slots] + [event.start for event in day.events]
    ends = [slot.end for slot in day.slots] + [event.end for event in day.events]
    if not starts:
        return (datetime.combine(day.day, time(0), tzinfo=tz),
                datetime.combine(day.day + timedelta(days=1), time(0), tzinfo=tz))
    return min(starts, key=lambda m: m.timestamp()), max(ends, key=lambda m: m.timestamp())


def frab_document(view: ProgrammeView, *, base_url: str | None = None) -> dict[str, Any]:
    """The schedule as the c3voc JSON document (a dict); ``frab_json`` and ``frab_xml`` both render it."""
    meeting = view.meeting
    if base_url is not None and not is_web_url(base_url):
        raise UsageError(f"--base-url {base_url!r}: expected an absolute http(s) URL such as https://example.org/ccpcj31/")
    rooms = room_labels(view.problem.rooms)
    numbers = frab_ids(meeting, [event.id for event in view.events])
    records = {event.id: _event_record(view, event, numbers[event.id], rooms, base_url) for event in view.events}
    days = []
    for index, day in enumerate(view.days, start=1):
        start, end = _day_bounds(day, meeting.tz)
        day_rooms: dict[str, list[dict[str, Any]]] = {}
        for room in day.rooms_used():
            day_rooms[rooms[room.id]] = [records[e.id] for e in day.events if e.room.id == room.id]
        days.append({"index": index, "date": day.day.isoformat(), "day_start": start.isoformat(),
                     "day_end": end.isoformat(), "rooms": day_rooms})
    used = view.rooms_used()
    conference: dict[str, Any] = {
        "acronym": acronym(meeting),
        "title": _clean(meeting.name),
        "start": _first(meeting.days).isoformat(),
        "end": _last(meeting.days).isoformat(),
        "daysCount": len(meeting.days),
        "timeslot_duration": hhmm(timeslot_minutes(view)),
    }
    if _TZ_NAME.search(meeting.timezone):
        conference["time_zone_name"] = meeting.timezone
    if base_url:
        conference["url"] = f"{base_url.rstrip('/')}/timetable.html"
    conference["tracks"] = [{"name": track} for track in sorted({r["track"] for r in records.values() if r["track"]})]
    conference["rooms"] = [_room_record(meeting, room, rooms[room.id]) for room in used]
    conference["days"] = days
    schedule: dict[str, Any] = {"version": schedule_version(view, list(records.values()))}
    if base_url:
        schedule["base_url"] = base_url
    schedule["conference"] = conference
    return {"$schema": SCHEMA_URL, "generator": {"name": GENERATOR, "version": _package_version()},
            "schedule": schedule}


def _room_record(meeting: Meeting, room: Room, label: str) -> dict[str, Any]:
    record: dict[str, Any] = {"name": label, "guid": _guid(meeting, "room", room.id)}
    slug = slugify(room.id, SLUG_LENGTH, whole_words=True)
    if len(slug) >= 2:
        record["slug"] = slug
    record["type"] = "online" if room.is_virtual else "other"
    if room.capacity is not None:
        record["capacity"] = room.capacity
    if room.building:
        record["description"] = _clean(f"Building {room.building}")
    return record


def _first(days: tuple[date, ...]) -> date:
    return min(days) if days else date(2000, 1, 1)


def _last(days: tuple[date, ...]) -> date:
    return max(days) if days else date(2000, 1, 1)


def _package_version() -> str:
    try:
        return importlib_metadata.version(GENERATOR)
    except importlib_metadata.PackageNotFoundError:
        return "0"


# ---------------------------------------------------------------------------------------------- renderers


def frab_json(view: ProgrammeView, *, base_url: str | None = None) -> str:
    """frab/schedule.json: the c3voc JSON schedule of the public programme."""
    return json.dumps(frab_document(view, base_url=base_url), ensure_ascii=False, indent=2) + "\n"


def frab_xml(view: ProgrammeView, *, base_url: str | None = None) -> str:
    """frab/schedule.xml: the c3voc XML schedule of the public programme (valid against schedule.xml.xsd)."""
    document = frab_document(view, base_url=base_url)
    schedule, conference = document["schedule"], document["schedule"]["conference"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", {"name": GENERATOR, "version": document["generator"]["version"]})
    _text(root, "version", schedule["version"])
    head = ET.SubElement(root, "conference")
    for key, tag in (("acronym", "acronym"), ("title", "title"), ("start", "start"), ("end", "end"),
                     ("daysCount", "days"), ("timeslot_duration", "timeslot_duration"),
                     ("time_zone_name", "time_zone_name"), ("url", "url")):
        if key in conference:
            _text(head, tag, str(conference[key]))
    if "base_url" in schedule:
        _text(head, "base_url", schedule["base_url"])
    for track in conference["tracks"]:
        ET.SubElement(head, "track", {"name": track["name"]})
    guids = {room["name"]: room["guid"] for room in conference["rooms"]}
    for day in conference["days"]:
        day_element = ET.SubElement(root, "day", {"index": str(day["index"]), "date": day["date"],
                                                  "start": day["day_start"], "end": day["day_end"]})
        for name, events in day["rooms"].items():
            room_element = ET.SubElement(day_element, "room", {"name": name, "guid": guids[name]})
            for record in events:
                _xml_event(room_element, record)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _text(parent: ET.Element, tag: str, text: str | None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text or None
    return element


def _xml_event(parent: ET.Element, record: dict[str, Any]) -> None:
    element = ET.SubElement(parent, "event", {"guid": record["guid"], "id": str(record["id"])})
    for tag in ("date", "start", "duration", "room", "slug"):
        _text(element, tag, record[tag])
    if record["url"].startswith(("http://", "https://")):
        _text(element, "url", record["url"])
    for tag in ("title", "subtitle", "track", "type", "abstract"):
        _text(element, tag, record[tag])
    persons = ET.SubElement(element, "persons")
    for person in record["persons"]:
        ET.SubElement(persons, "person", {"guid": person["guid"]}).text = person["name"]
    links = ET.SubElement(element, "links")
    for link in record["links"]:
        ET.SubElement(links, "link", {"href": link["url"]}).text = link["title"]


EXPORTERS: tuple[Exporter, ...] = (
    Exporter("frab.xml", "frab/schedule.xml", XML_MEDIA_TYPE, frab_xml),
    Exporter("frab.json", "frab/schedule.json", JSON_MEDIA_TYPE, frab_json),
)
