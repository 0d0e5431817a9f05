"""One event as iCalendar text: its content in words, the CONFIRMED VEVENT, the CANCELLED copy.

Built with icalendar (TEXT escaping, folding at 75 octets, CRLF); ``ics.py`` places the texts in feeds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from icalendar import Event
from icalendar.prop import vCategory, vText, vUri

from ..load.previous import PreviousEvent
from ..model import Meeting
from .labels import FORMAT_WORDS, format_label, is_web_url
from .view import EventView

__all__ = ["Categories", "Content", "Text", "cancelled_event", "clean_text", "event_content", "serialize_event",
           "unambiguous"]

_LINE_BREAKS = re.compile(r"\r\n|[\r\x85\u2028\u2029\x0b\x0c]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Text as a calendar can hold it: every kind of line break as ``\\n``, other control characters dropped."""
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))


class Text(vText):
    """icalendar's TEXT value, except that a literal backslash before ``N`` stays a backslash.

    icalendar reads ``\\N`` in a Python string as a line break before escaping, which would turn a title
    such as ``C:\\New`` into two lines; the text around each ``\\N`` goes through the library's
    escaping and the pair itself is written as an escaped backslash and an ``N``.
    """

    def to_ical(self) -> bytes:
        """The escaped value."""
        if "\\N" not in self:
            return super().to_ical()
        return b"\\\\N".join(vText(part).to_ical() for part in str(self).split("\\N"))


class Categories(vCategory):
    """CATEGORIES whose items escape like :class:`Text`."""

    def __init__(self, items: Iterable[str]) -> None:
        items = list(items)
        super().__init__(items)
        self.cats = [Text(item) for item in items]


@dataclass(frozen=True)
class Content:
    summary: str
    location: str
    description: str
    categories: tuple[str, ...]
    link: str | None  # the online link when it is an http(s) URL, fit for URL and CONFERENCE


def event_content(view: EventView, meeting: Meeting) -> Content:
    """Summary, location, description, categories and online link of an event, as plain text."""
    event, room = view.event, view.room
    online = event.format in ("hybrid", "virtual")
    link = event.link.strip()
    if room.is_virtual:
        location = "Online"
    else:
        building = room.building.strip()
        if building and len(building) <= 3 and " " not in building:
            building = f"Building {building}"
        location = ", ".join(part for part in (room.name, building, meeting.venue) if part)
    speakers = []
    for speaker in view.speakers:
        text = speaker.name
        if speaker.remote:
            local_start, local_end = view.start.astimezone(speaker.tz), view.end.astimezone(speaker.tz)
            text += (f" (online from {speaker.timezone}: {local_start:%Y-%m-%d %H:%M}–{local_end:%H:%M} "
                     f"local time)")
        speakers.append(text)
    lines = [f"Organizer: {event.organizer}"]
    if speakers:
        lines.append(f"Speakers: {'; '.join(speakers)}")
    if view.hosts:
        lines.append(f"Hosts: {'; '.join(f'{person.name} ({role})' for person, role in view.hosts)}")
    lines.append(f"Format: {FORMAT_WORDS[event.format].detail}")
    if room.is_virtual:
        lines.append(f"Online channel: {room.name}")
    if event.topics:
        lines.append(f"Topics: {'; '.join(event.topics)}")
    if link:
        lines.append(f"{'Join online' if online else 'Link'}: {link}")
    if event.description.strip():
        lines += ["", event.description.strip()]
    categories = (format_label(event.format), *event.topics)
    return Content(
        clean_text(event.title),
        clean_text(location),
        clean_text("\n".join(lines)),
        tuple(clean_text(c) for c in categories),
        link if online and is_web_url(link) else None,
    )


def serialize_event(view: EventView, uid: str, content: Content, sequence: int, stamp: datetime,
               modified: datetime | None) -> str:
    """The VEVENT as iCalendar text (CRLF, folded), built with icalendar."""
    event = Event.new(uid=uid, stamp=stamp, start=unambiguous(view.start), end=unambiguous(view.end),
                      sequence=sequence, last_modified=modified)
    event.add("STATUS", "CONFIRMED")
    event.add("SUMMARY", Text(content.summary))
    event.add("LOCATION", Text(content.location))
    event.add("DESCRIPTION", Text(content.description))
    event.add("CATEGORIES", Categories(content.categories))
    if content.link:
        event.add("URL", vUri(content.link))
        event.add("CONFERENCE", vUri(content.link, params={"VALUE": "URI", "FEATURE": ["AUDIO", "VIDEO"],
                                                          "LABEL": "Join online"}))
    return event.to_ical().decode("utf-8")


def unambiguous(moment: datetime) -> datetime:
    """``moment`` in UTC when its wall-clock time occurs twice (or never) in its zone, else as it is.

    A local time in the autumn's repeated hour is read as its first occurrence by RFC 5545 parsers
    and as the second by libical, ical.js and node-ical; a UTC time is read one way by all.
    """
    if moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset():
        return moment.astimezone(timezone.utc)
    return moment


def cancelled_event(old: PreviousEvent, summary: str, sequence: int, stamp: datetime) -> str:
    """A STATUS:CANCELLED VEVENT built from known fields only: UID, DTSTAMP, DTSTART and DTEND of the copy
    a feed held, SEQUENCE and SUMMARY; nothing else of the old text (hand-added properties stay out)."""
    event = Event()
    event.add("UID", old.uid)
    event.add("DTSTAMP", stamp)
    if old.dtstart is not None:
        event.add("DTSTART", unambiguous(old.dtstart))
    if old.dtend is not None:
        event.add("DTEND", unambiguous(old.dtend))
    event.add("SEQUENCE", sequence)
    event.add("STATUS", "CANCELLED")
    event.add("SUMMARY", Text(summary))
    return event.to_ical().decode("utf-8")
