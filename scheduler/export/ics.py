"""iCalendar feeds of the public programme: all.ics plus one feed per room, organizer, speaker, topic, format
and event. Each event's own text (content, VEVENT, cancelled copy) is built in ``vevent.py``.

Delegates subscribe to these in Outlook, Google Calendar and Apple Calendar, and the feeds are
re-published whenever the schedule changes, so each VEVENT is built to survive that:

- UID ``<event id>@<uid_domain>``, stable forever; DTSTAMP and LAST-MODIFIED are the publication time
  of the version in which the event last changed (never "now").
- With the previous publication, an unchanged event is re-emitted byte for byte and a changed one gets
  a SEQUENCE above every version published before. In each feed an event was in and is no longer in
  (moved to another room, a speaker or topic removed, dropped, left unscheduled, made private) it is
  published as STATUS:CANCELLED, and that copy stays in the feed in later versions; an event that
  comes back to a feed is CONFIRMED there again with a higher SEQUENCE.
- A cancelled copy is built from known fields only (UID, DTSTAMP, DTSTART, DTEND, SEQUENCE, STATUS,
  SUMMARY), never from the old text, so nothing added to a feed by hand is carried on; the copy of a
  private event says only "Cancelled".
- DTSTART/DTEND carry the venue's TZID and every feed holds a VTIMEZONE for each TZID it uses.
- Text goes through icalendar's TEXT escaping, folding (75 octets, never inside a UTF-8 sequence) and
  CRLF line ends.

Each VEVENT is serialized once and the same text is placed in every feed that lists it; cancelled
copies are per feed, since feeds may hold different versions of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from functools import cache

from icalendar import Calendar
from icalendar.prop import vDuration

from ..errors import LoadError, SourceLocation, UsageError
from ..load.previous import PreviousEvent, PreviousFeed, PreviousPublication
from ..model import FORMATS, Meeting, Problem, Schedule
from .feeds import (
    ALL_PATH,
    KIND_FOLDERS,
    FeedEntry,
    feed_paths,
    index_html,
    index_json,
    is_safe_path,
)
from .labels import FORMAT_WORDS, format_label
from .vevent import Text, cancelled_event, clean_text, event_content, serialize_event, unambiguous
from .view import EventView, build_view
from .zones import vtimezone

__all__ = ["FeedState", "build_feed_state", "build_feeds", "selection_feed"]

PRODID = "-//side-event-scheduler//iCalendar feeds//EN"
REFRESH = timedelta(hours=1)
CALENDAR_COLOR = "steelblue"  # RFC 7986 COLOR: a CSS3 colour name, a hint for the subscribed calendar
EXTENSION, MEDIA_TYPE = ".ics", "text/calendar"
_END = "END:VCALENDAR\r\n"
CANCELLED_SUMMARY = "Cancelled"  # the whole text of a private event's cancelled copy
WITHDRAWN_TITLE = "Withdrawn side events"  # an earlier feed that only private events would name
@dataclass
class _Feed:
    """One feed being assembled."""

    path: str
    kind: str
    id: str | None
    title: str
    description: str
    blocks: dict[str, PreviousEvent] = field(default_factory=dict)  # UID -> the version this feed lists


@dataclass(frozen=True)
class FeedState:
    """A publication's feeds as files, and as the record the next publication continues.

    ``held`` is each UID's version in each feed (what a release history keeps)."""

    files: dict[str, str]
    published_at: datetime
    feeds: dict[str, PreviousFeed]
    held: dict[str, dict[str, PreviousEvent]]
    timezones: dict[str, str]


def build_feeds(problem: Problem, schedule: Schedule, *, published_at: datetime,
                previous: PreviousPublication | None = None, base_url: str | None = None) -> dict[str, str]:
    """Every feed of the public programme, plus index.json and index.html: relative file name -> text.

    ``published_at`` stamps the events that are new or changed in this version; ``previous`` (from
    :func:`scheduler.load.previous.load_previous`) keeps unchanged events byte-identical and cancels the dropped ones.
    """
    return build_feed_state(problem, schedule, published_at=published_at, previous=previous, base_url=base_url).files


def build_feed_state(problem: Problem, schedule: Schedule, *, published_at: datetime,
                     previous: PreviousPublication | None = None, base_url: str | None = None) -> FeedState:
    """The feeds of :func:`build_feeds` together with the per-feed versions the next publication continues.

    ``base_url`` (where the publication's root is served) makes the index's links absolute subscriptions."""
    stamp = _utc_second(published_at)
    if previous is not None and previous.published_at is not None and stamp < previous.published_at:
        raise UsageError(f"published_at {stamp:%Y-%m-%dT%H:%M:%SZ} is earlier than the previous publication "
                         f"({previous.published_at:%Y-%m-%dT%H:%M:%SZ}); calendars would ignore the update")
    meeting = problem.meeting
    view = build_view(problem, schedule)
    feeds = _feeds(problem, previous)
    for event_view in view.events:
        paths = _memberships(event_view, feeds.paths)
        block = _event_block(event_view, meeting, stamp, previous, paths)
        for path in paths:
            feeds.by_path[path].blocks[block.uid] = block
    if previous is not None:
        _carry_previous(previous, problem, feeds.by_path, stamp)

    blocks = [block for feed in feeds.by_path.values() for block in feed.blocks.values()]
    zone_text = _timezones(meeting, blocks, previous)
    files: dict[str, str] = {}
    entries: list[FeedEntry] = []
    for feed in _ordered(feeds.by_path.values(), problem):
        members = sorted(feed.blocks.values(), key=_block_order)
        tzids = sorted({meeting.timezone}.union(*(b.tzids for b in members)))
        files[feed.path] = "".join([_header(feed, meeting), *(zone_text[t] for t in tzids),
                                    *(b.text for b in members), _END])
        cancelled = sum(b.cancelled for b in members)
        entries.append(FeedEntry(feed.path, feed.kind, feed.id, feed.title, len(members) - cancelled, cancelled))
    files["index.json"] = index_json(meeting, stamp, entries, base_url)
    files["index.html"] = index_html(meeting, stamp, entries, base_url)
    held: dict[str, dict[str, PreviousEvent]] = {}
    for feed in feeds.by_path.values():
        for uid, block in feed.blocks.items():
            held.setdefault(uid, {})[feed.path] = block
    listed = {f.path: PreviousFeed(f.path, f.kind, f.id, f.title) for f in feeds.by_path.values()}
    return FeedState(files, stamp, listed,
                     {uid: dict(sorted(versions.items())) for uid, versions in sorted(held.items())},
                     {tzid: zone_text[tzid] for tzid in sorted(zone_text)})


# --- one event ---------------------------------------------------------------------------------


def _uid(event_id: str, meeting: Meeting) -> str:
    return f"{event_id}@{meeting.uid_domain}"


def _utc_second(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise UsageError(f"published_at must carry a UTC offset, got {moment.isoformat()}")
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def _event_block(view: EventView, meeting: Meeting, stamp: datetime, previous: PreviousPublication | None,
                 paths: Iterable[str]) -> PreviousEvent:
    """The VEVENT of a scheduled public event: the previous text if nothing changed and no feed of ``paths``
    holds it cancelled, else a new version with a SEQUENCE above every earlier one."""
    uid = _uid(view.id, meeting)
    content = event_content(view, meeting)
    held = previous.held.get(uid, {}) if previous is not None else {}
    confirmed = [old for old in held.values() if not old.cancelled]
    if confirmed and not any(held[path].cancelled for path in paths if path in held):
        old = max(confirmed, key=lambda e: (e.sequence, e.dtstamp, e.text))
        if serialize_event(view, uid, content, old.sequence, old.dtstamp, old.last_modified) == old.text:
            return replace(old, feeds=())
    sequence = max((old.sequence + 1 for old in held.values()), default=0)
    text = serialize_event(view, uid, content, sequence, stamp, stamp)
    return PreviousEvent(uid, sequence, stamp, stamp, "CONFIRMED", view.start_utc, frozenset({meeting.timezone}),
                         text, (), content.summary, unambiguous(view.start), unambiguous(view.end))


def _carry_previous(previous: PreviousPublication, problem: Problem, feeds: dict[str, _Feed],
                    stamp: datetime) -> None:
    """Keep every earlier feed (an emptied one tells subscribers its events are gone) and, in every feed
    that held an event it no longer lists, publish that event as CANCELLED (kept as it was when unchanged)."""
    meeting = problem.meeting
    events = {_uid(event.id, meeting): event for event in problem.events}
    hidden = _private_feed_ids(problem)
    hidden_titles = {(kind, name) for (kind, _), name in hidden.items()}
    for path, info in sorted(previous.feeds.items()):
        if path not in feeds and is_safe_path(path):  # a hand-made file name is not carried on
            if (info.kind, info.id) in hidden or (info.kind, info.title) in hidden_titles or (
                    info.id is None and info.title == WITHDRAWN_TITLE):
                feeds[path] = _Feed(path, info.kind, None, WITHDRAWN_TITLE,
                                    f"Side events of {meeting.name} withdrawn from this feed.")
            else:
                feeds[path] = _Feed(path, info.kind, info.id, info.title,
                                    _description(info.kind, info.title, meeting))
    for uid, held in sorted(previous.held.items()):
        gone = {path: old for path, old in held.items() if path in feeds and uid not in feeds[path].blocks}
        if not gone:
            continue
        event = events.get(uid)
        sequence = max(old.sequence for old in held.values()) + 1  # as a new CONFIRMED version would get
        for path, old in gone.items():
            if event is None:
                summary = clean_text(old.summary) or CANCELLED_SUMMARY
            elif event.is_public:
                summary = clean_text(event.title)
            else:
                summary = CANCELLED_SUMMARY
            copy = None
            if old.cancelled and cancelled_event(old, summary, old.sequence, old.dtstamp) == old.text:
                copy = replace(old, feeds=())
            if copy is None:
                copy = PreviousEvent(uid, sequence, stamp, None, "CANCELLED", old.start, old.tzids,
                                     cancelled_event(old, summary, sequence, stamp), (), summary,
                                     old.dtstart, old.dtend)
            feeds[path].blocks[uid] = copy



def _private_feed_ids(problem: Problem) -> dict[tuple[str, str], str]:
    """(kind, id) -> title of the organizer, speaker and topic feeds that only private events would name:
    a feed of an earlier version carried on under such a title would publish a private event's people."""
    public = [e for e in problem.events if e.is_public]
    shown = ({("organizer", e.organizer) for e in public} | {("speaker", s) for e in public for s in e.speakers}
             | {("topic", t) for e in public for t in e.topics})
    hidden: dict[tuple[str, str], str] = {}
    for event in problem.events:
        if event.is_public:
            continue
        hidden[("event", event.id)] = event.title
        hidden[("organizer", event.organizer)] = event.organizer
        for speaker_id in event.speakers:
            speaker = problem.speakers_by_id.get(speaker_id)
            hidden[("speaker", speaker_id)] = speaker.name if speaker is not None else speaker_id
        for topic in event.topics:
            hidden[("topic", topic)] = topic
    return {key: name for key, name in hidden.items() if key not in shown}


def _block_order(block: PreviousEvent) -> tuple:
    return (block.start or datetime.max.replace(tzinfo=timezone.utc), block.uid)


# --- the feeds ---------------------------------------------------------------------------------


@dataclass
class _FeedSet:
    by_path: dict[str, _Feed]
    paths: dict[str, dict[str, str]]  # kind -> id -> path


def _feeds(problem: Problem, previous: PreviousPublication | None) -> _FeedSet:
    """Every feed of this version (empty ones too, so a subscribed URL keeps working) by path."""
    meeting = problem.meeting
    public = [e for e in problem.events if e.is_public]
    names = previous.names if previous is not None else {}
    reserved = set(names.values())
    ids = {
        "room": [room.id for room in problem.rooms],
        "organizer": sorted({e.organizer for e in public}),
        "speaker": sorted({s for e in public for s in e.speakers if s in problem.speakers_by_id}),
        "topic": sorted({t for e in public for t in e.topics}),
        "event": [e.id for e in public],
    }
    paths: dict[str, dict[str, str]] = {kind: feed_paths(kind, items, names, reserved) for kind, items in ids.items()}
    paths["all"] = {"": ALL_PATH}
    paths["format"] = {fmt: f"{KIND_FOLDERS['format']}/{FORMAT_WORDS[fmt].slug}.ics" for fmt in FORMATS}
    titles: dict[str, dict[str, str]] = {
        "all": {"": "All side events"},
        "format": {fmt: f"{format_label(fmt)} side events" for fmt in FORMATS},
        "room": {r.id: r.name if not r.is_virtual else f"{r.name} (online channel)" for r in problem.rooms},
        "organizer": {o: o for o in ids["organizer"]},
        "speaker": {s: problem.speakers_by_id[s].name for s in ids["speaker"]},
        "topic": {t: t for t in ids["topic"]},
        "event": {e.id: e.title for e in public},
    }
    by_path: dict[str, _Feed] = {}
    for kind, mapping in paths.items():
        for item, path in mapping.items():
            title = clean_text(titles[kind][item])
            by_path[path] = _Feed(path, kind, item if kind != "all" else None, title,
                                  _description(kind, title, meeting))
    return _FeedSet(by_path, paths)


def _memberships(view: EventView, paths: dict[str, dict[str, str]]) -> list[str]:
    """The paths of every feed an event belongs in."""
    event = view.event
    found = [paths["all"][""], paths["format"][event.format], paths["room"][view.room.id],
             paths["organizer"][event.organizer]]
    found += [paths["speaker"][s.id] for s in view.speakers]
    found += [paths["topic"][t] for t in event.topics]
    found.append(paths["event"][event.id])
    return list(dict.fromkeys(found))


def _description(kind: str, title: str, meeting: Meeting) -> str:
    what = {
        "all": "All public side events",
        "format": f"{title} of the public programme",
        "room": f"Public side events in {title}",
        "organizer": f"Public side events organized by {title}",
        "speaker": f"Public side events with {title}",
        "topic": f"Public side events on {title}",
        "event": "One side event",
    }.get(kind, f"Side events ({title})")
    return (f"{what} of {meeting.name}. Times are set in {meeting.timezone}; your calendar shows them in "
            f"your own time zone.")


def _calendar_name(feed: _Feed, meeting: Meeting) -> str:
    return f"Side events – {meeting.name}" if feed.kind == "all" else f"{feed.title} – {meeting.name}"


def _header(feed: _Feed, meeting: Meeting) -> str:
    """The calendar's own properties, serialized by icalendar, without the closing line."""
    return _header_text(_calendar_name(feed, meeting), feed.description, meeting.timezone)


def _header_text(name: str, description: str, tzid: str) -> str:
    named = Calendar()
    name, description = clean_text(name), clean_text(description)
    named.add("NAME", Text(name))  # RFC 7986, read by newer clients; X-WR-* by Apple, Google and Outlook
    named.add("DESCRIPTION", Text(description))
    named.add("COLOR", CALENDAR_COLOR)
    named.add("X-WR-CALNAME", Text(name))
    named.add("X-WR-CALDESC", Text(description))
    named.add("X-WR-TIMEZONE", tzid)
    lines = named.to_ical().decode("utf-8")
    return _fixed_header() + lines[len("BEGIN:VCALENDAR\r\n"): -len(_END)]


def selection_feed(name: str, description: str, tzid: str, versions: Iterable[PreviousEvent],
                   timezones: Mapping[str, str]) -> str:
    """A calendar of chosen events exactly as a publication holds them (cancelled copies included):
    the feed a delegate's own selection subscribes to. ``timezones`` maps TZID -> VTIMEZONE text."""
    members = sorted(versions, key=_block_order)
    tzids = sorted({tzid}.union(*(v.tzids for v in members)) & set(timezones))
    return "".join([_header_text(name, description, tzid), *(timezones[t] for t in tzids),
                    *(v.text for v in members), _END])


@cache
def _fixed_header() -> str:
    """The properties every feed shares: PRODID, VERSION, CALSCALE, REFRESH-INTERVAL, X-PUBLISHED-TTL."""
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("REFRESH-INTERVAL", vDuration(REFRESH, params={"VALUE": "DURATION"}))
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    text = calendar.to_ical().decode("utf-8")
    assert text.endswith(_END)
    return text[: -len(_END)]


def _timezones(meeting: Meeting, blocks: Iterable[PreviousEvent],
               previous: PreviousPublication | None) -> dict[str, str]:
    """A VTIMEZONE text for every TZID in use, covering whole years around every event."""
    blocks = list(blocks)
    years = {day.year for day in meeting.days} | {b.start.year for b in blocks if b.start is not None} or {2000}
    first, last = date(min(years), 1, 1), date(max(years) + 1, 1, 1)
    result: dict[str, str] = {}
    for tzid in sorted({meeting.timezone}.union(*(b.tzids for b in blocks))):
        try:
            result[tzid] = vtimezone(tzid, first, last).to_ical().decode("utf-8")
        except ValueError:
            if previous is None or tzid not in previous.timezones:
                where = SourceLocation(str(previous.folder) if previous else meeting.id)
                raise LoadError(where, f"unknown time zone {tzid!r} and no VTIMEZONE for it") from None
            result[tzid] = previous.timezones[tzid]
    return result


def _ordered(feeds: Iterable[_Feed], problem: Problem) -> list[_Feed]:
    """Feeds in index order: all, formats, rooms in input order, then organizers, speakers, topics by title."""
    kinds = [*KIND_FOLDERS, "other"]
    room_rank = {room.id: i for i, room in enumerate(problem.rooms)}
    format_rank = {fmt: i for i, fmt in enumerate(FORMATS)}

    def key(feed: _Feed) -> tuple:
        rank = kinds.index(feed.kind) if feed.kind in kinds else len(kinds)
        inner = {"room": room_rank, "format": format_rank}.get(feed.kind, {}).get(feed.id or "", len(room_rank) + 3)
        return (rank, inner, feed.title.casefold(), feed.path)

    return sorted(feeds, key=key)
