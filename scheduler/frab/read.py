"""Read a frab / c3voc / pretalx / wafer ``schedule.xml`` into a Programme: plain data, every error placed.

Parsed with lxml without entity expansion or network access. Every problem found is collected and
raised once as :class:`DataErrors`, each naming the file, the element's line and the element:
``schedule.xml:1234 <event id="42">: duration '1h' is not HH:MM``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml import etree

from ..errors import DataErrors, LoadError, SourceLocation
from ..export.labels import slugify
from ..model import event_end

DURATION = re.compile(r"^(\d{1,3}):(\d{2})(?::(\d{2}))?$")
CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


class FrabError(LoadError):
    """One problem in a schedule.xml, at one element: ``schedule.xml:12 <event id="4">: message``."""

    def __init__(self, location: SourceLocation, element: str, message: str) -> None:
        super().__init__(location, message)
        self.element = element
        self.args = (f"{location} {element}: {message}" if element else f"{location}: {message}",)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class FrabEvent:
    """One <event>, its start in the conference's zone; ``persons`` as listed (duplicates kept)."""

    id: str
    title: str
    room: str  # the room's name
    start: datetime
    duration: int  # minutes
    track: str  # the track's slug, may be empty
    persons: tuple[tuple[str, str], ...]  # (person id, name)
    track_name: str = ""
    type: str = ""
    guid: str = ""
    url: str = ""
    abstract: str = ""
    links: tuple[tuple[str, str], ...] = ()  # (title, href)
    attachments: tuple[tuple[str, str], ...] = ()  # (title, href)
    line: int = 0
    roles: tuple[str, ...] = ()  # the ``role`` attribute of each person, as written ("" when absent)
    origin: str = ""  # <origin_url>: where the event was submitted (a CfP system), when the file says

    @property
    def end(self) -> datetime:
        """Real elapsed end (across a clock change too)."""
        return event_end(self.start, self.duration)

    @property
    def speaker_ids(self) -> tuple[str, ...]:
        """The person ids, each once, in listed order."""
        return tuple(dict.fromkeys(person_id for person_id, _ in self.persons))


@dataclass(frozen=True)
class Programme:
    """What a schedule.xml says: the conference, its rooms and tracks, and every event."""

    source: str  # the file's name, for messages
    acronym: str
    title: str
    venue: str
    timezone: str
    frab_days: tuple[date, ...]
    rooms: tuple[str, ...]  # names, in order of their first event; rooms without any event last
    events: tuple[FrabEvent, ...]
    tracks: tuple[tuple[str, str], ...] = ()  # (name, slug) as the conference lists them
    zone_guessed: bool = False  # no <time_zone_name>: the zone is the events' one UTC offset
    day_starts: tuple[datetime, ...] = ()  # the <day start> attributes, in the conference's zone
    renamed: tuple[tuple[str, str], ...] = field(default=())  # (frab id, imported id) of repeated event ids


def read_frab(xml_path: str | Path, *, timezone: str | None = None) -> Programme:
    """Parse a schedule.xml into a Programme; ``timezone`` overrides the file's <time_zone_name>.

    Raises DataErrors naming file, line and element for anything it cannot read.
    """
    path = Path(xml_path)
    name = path.name
    root = _parse(path, name)
    fail = _Errors(name)
    errors = fail.errors
    if root.tag != "schedule":
        fail(root, f"not a frab schedule.xml: the root element is <{root.tag}>, expected <schedule>")
        raise DataErrors(errors)
    conference = root.find("conference")
    if conference is None:
        fail(root, "no <conference> element; not a frab schedule.xml")
        raise DataErrors(errors)

    tracks = _tracks(root, conference)
    slugs = dict(tracks)
    rooms: dict[str, None] = {}  # rooms with events first, in order of their first event
    empty_rooms: dict[str, None] = {}
    raw: list[tuple[etree._Element, dict]] = []
    frab_days: set[date] = set()
    day_starts: list[datetime] = []
    for day in root.findall("day"):
        day_date = _day_date(day, fail)
        if day_date is not None:
            frab_days.add(day_date)
        try:
            day_starts.append(datetime.fromisoformat((day.get("start") or "").strip().replace("Z", "+00:00")))
        except ValueError:
            pass  # optional, and only a hint for the day change
        for room in day.findall("room"):
            room_name = (room.get("name") or "").strip()
            if room_name:
                empty_rooms.setdefault(room_name)
            for element in room.findall("event"):
                fields = _event_fields(element, room_name, day_date, slugs, fail)
                if fields is not None:
                    rooms.setdefault(fields["room"])
                    raw.append((element, fields))
    zone_name, guessed = _zone(conference, timezone, raw, fail)
    if errors or zone_name is None:
        raise DataErrors(errors)
    tz = ZoneInfo(zone_name)
    events, renamed = _events(raw, tz)
    if not events:
        fail(root, "no <event> in any <day><room>: nothing to import")
        raise DataErrors(errors)
    acronym = (conference.findtext("acronym") or "").strip() or path.stem
    return Programme(
        source=name,
        acronym=acronym,
        title=(conference.findtext("title") or "").strip() or acronym,
        venue=(conference.findtext("venue") or "").strip(),
        timezone=zone_name,
        frab_days=tuple(sorted(frab_days)),
        rooms=tuple(rooms) + tuple(r for r in empty_rooms if r not in rooms),
        events=events,
        tracks=tracks,
        zone_guessed=guessed,
        renamed=renamed,
        day_starts=tuple(d.astimezone(tz) if d.tzinfo else d.replace(tzinfo=tz) for d in day_starts),
    )


def _parse(path: Path, name: str) -> etree._Element:
    """The document's root element, namespaces dropped; a file or syntax problem as DataErrors."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        tree = etree.parse(str(path), parser)
    except OSError as error:
        if not path.exists():
            raise DataErrors([LoadError(SourceLocation(str(path)), "no such file")]) from None
        if path.is_dir():
            raise DataErrors([LoadError(SourceLocation(str(path)), "a folder, not a schedule.xml")]) from None
        raise DataErrors([LoadError(SourceLocation(name), f"cannot read: {error}")]) from None
    except etree.XMLSyntaxError as error:
        line = error.lineno if error.lineno else None
        message = (error.msg or str(error)).strip()
        message = re.sub(r",? line \d+, column \d+$", "", message)
        raise DataErrors([LoadError(SourceLocation(name, line, error.offset or None),
                                    f"not well-formed XML: {message}")]) from None
    root = tree.getroot()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = etree.QName(element).localname
    return root


class _Errors:
    """The errors found so far in one file; calling it records one at an element."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[LoadError] = []

    def __call__(self, element: etree._Element | None, message: str, at: etree._Element | None = None) -> None:
        """Record ``message`` about ``element``, at the line of ``at`` (one of its children) or its own."""
        place = at if at is not None else element
        line = place.sourceline if place is not None else None
        self.errors.append(FrabError(SourceLocation(self.name, line), _describe(element), message))

    def __len__(self) -> int:
        return len(self.errors)


def _describe(element: etree._Element | None) -> str:
    """``<event id="42">``: the element with the attribute that names it."""
    if element is None:
        return ""
    for key in ("id", "guid", "name", "date", "index", "slug"):
        value = element.get(key)
        if value:
            return f'<{element.tag} {key}="{value}">'
    return f"<{element.tag}>"


def _text(element: etree._Element | None) -> str:
    """All the text inside an element, stripped (empty for a missing one)."""
    return "".join(element.itertext()).strip() if element is not None else ""


def _tracks(root: etree._Element, conference: etree._Element) -> tuple[tuple[str, str], ...]:
    """(name, slug) of c3voc's <conference><track name slug> and pretalx's <tracks><track slug>."""
    found: dict[str, str] = {}
    for track in conference.findall("track"):
        track_name = (track.get("name") or _text(track)).strip()
        if track_name:
            found.setdefault(track_name, (track.get("slug") or "").strip() or slugify(track_name))
    for track in root.findall("tracks/track"):
        track_name = (_text(track) or track.get("name") or "").strip()
        if track_name:
            found.setdefault(track_name, (track.get("slug") or "").strip() or slugify(track_name))
    return tuple(found.items())


def _day_date(day: etree._Element, fail: _Errors) -> date | None:
    """The <day date> attribute (optional in the schema)."""
    text = (day.get("date") or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(day, f"date {text!r} is not a date (YYYY-MM-DD)")
        return None


def _event_fields(element: etree._Element, room_name: str, day_date: date | None, slugs: dict[str, str],
                  fail: _Errors) -> dict | None:
    """The fields of one <event> before the zone is known (start may still be naive); None if broken."""
    before = len(fail)
    event_id = (element.get("id") or "").strip() or (element.get("guid") or "").strip()
    if not event_id:
        fail(element, "no id or guid attribute")
    room = room_name or _text(element.find("room"))
    if not room:
        fail(element, "no room: neither <room name> around it nor a <room> inside it")
    start = _start(element, day_date, fail)
    duration_text = _text(element.find("duration"))
    match = DURATION.match(duration_text)
    if match is None:
        fail(element, f"duration {duration_text!r} is not HH:MM" if duration_text else "no <duration>",
             at=element.find("duration"))
    if len(fail) > before:
        return None
    assert match is not None
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    track_element = element.find("track")
    track_name = _text(track_element)
    slug = ((track_element.get("slug") or "").strip() if track_element is not None else "") \
        or slugs.get(track_name) or slugify(track_name)
    listed = [(person, _person(person)) for person in element.findall("persons/person")]
    persons = tuple(found for _, found in listed if found[0])
    roles = tuple((person.get("role") or "").strip().lower() for person, found in listed if found[0])
    title = _text(element.find("title")) or _text(element.find("slug")) or event_id
    return {
        "id": event_id, "guid": (element.get("guid") or "").strip(), "title": title, "room": room,
        "start": start, "duration": hours * 60 + minutes + (1 if seconds else 0), "track": slug,
        "track_name": track_name, "type": _text(element.find("type")),
        "persons": persons, "roles": roles, "origin": _text(element.find("origin_url")),
        "url": _text(element.find("url")), "abstract": _text(element.find("abstract")),
        "links": _hrefs(element.findall("links/link")),
        "attachments": _hrefs(element.findall("attachments/attachment")),
        "line": element.sourceline or 0,
    }


def _start(element: etree._Element, day_date: date | None, fail: _Errors) -> datetime | None:
    """<date> (ISO date-time with offset; naive means the conference's zone), else <day date> + <start>."""
    date_element = element.find("date")
    text = _text(date_element)
    if text:
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            fail(element, f"date {text!r} is not an ISO date-time such as 2024-12-27T10:30:00+01:00",
                 at=date_element)
            return None
    clock = _text(element.find("start"))
    match = CLOCK.match(clock)
    if day_date is None or match is None:
        fail(element, "no <date>, and no <day date> with an HH:MM <start> to make one")
        return None
    return datetime.combine(day_date, time(int(match[1]), int(match[2]), int(match[3] or 0)))


def _person(person: etree._Element) -> tuple[str, str]:
    """(id, name) of a <person>: its guid, else id, else the name's slug."""
    name = _text(person)
    return ((person.get("guid") or "").strip() or (person.get("id") or "").strip() or slugify(name), name)


def _hrefs(elements: Iterable[etree._Element]) -> tuple[tuple[str, str], ...]:
    """(title, href) of <link> or <attachment> elements that carry an href."""
    return tuple((_text(e), (e.get("href") or "").strip()) for e in elements if (e.get("href") or "").strip())


def _zone(conference: etree._Element, given: str | None, raw: list[tuple[etree._Element, dict]],
          fail: _Errors) -> tuple[str | None, bool]:
    """The conference's IANA zone: ``given``, else <time_zone_name>, else an ``Etc/GMT`` zone for one offset."""
    element = conference.find("time_zone_name")
    name = given.strip() if given else _text(element)
    if name:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            fail(conference, f"unknown time zone {name!r}; expected an IANA name such as Europe/Berlin",
                 at=None if given else element)
            return None, False
        return name, False
    offsets = {fields["start"].utcoffset() for _, fields in raw if fields["start"].tzinfo is not None}
    naive = any(fields["start"].tzinfo is None for _, fields in raw)
    if len(offsets) == 1 and not naive:
        offset = offsets.pop()
        assert offset is not None
        hours, rest = divmod(int(offset.total_seconds()), 3600)
        if rest == 0 and -14 <= hours <= 12:
            # Etc/GMT zones are named with the sign inverted: UTC+01:00 is Etc/GMT-1
            return ("Etc/UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"), True
    shown = ", ".join(sorted(_offset(o) for o in offsets)) or "none"
    fail(conference, f"no <time_zone_name>, and the event dates do not share one whole-hour UTC offset "
                     f"({shown}{', some without offset' if naive else ''}); add the conference's IANA zone")
    return None, False


def _offset(offset: timedelta | None) -> str:
    """+01:00 form of a UTC offset."""
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _events(raw: list[tuple[etree._Element, dict]], tz: ZoneInfo) -> tuple[tuple[FrabEvent, ...],
                                                                          tuple[tuple[str, str], ...]]:
    """FrabEvents in the conference's zone; a repeated event id gets a ``-2``, ``-3``... suffix."""
    seen: set[str] = set()
    renamed: list[tuple[str, str]] = []
    events = []
    for _, fields in raw:
        start = fields["start"]
        start = start.replace(tzinfo=tz) if start.tzinfo is None else start.astimezone(tz)
        event_id, suffix = fields["id"], 2
        while event_id in seen:
            event_id, suffix = f"{fields['id']}-{suffix}", suffix + 1
        if event_id != fields["id"]:
            renamed.append((fields["id"], event_id))
        seen.add(event_id)
        events.append(FrabEvent(**(fields | {"id": event_id, "start": start})))
    return tuple(events), tuple(renamed)
