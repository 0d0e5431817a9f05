"""timetable.html: one self-contained page with a grid per day, filters, event details and feed links.

Rendered by jinja2 with autoescape on, so every title, name and link is escaped; the filter script
reads its data from a JSON script tag written with ``|tojson``. The page fetches nothing: styles and
script are inline, and a Content-Security-Policy allows only that one script (by its hash).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..model import FORMATS, BlockedPeriod, Room
from .labels import FEEDS_DIR, FORMAT_WORDS, format_label
from .links import Subscribe, base_url_of, subscribe_link
from .templating import environment
from .timetable import day_heading, one_line, time_range
from .view import DayView, EventView, Exporter, ProgrammeView, event_anchor, room_blocks

GRID_COLUMNS = 10  # more rooms than this in one grid, and the page opens in the agenda view
SELECT_PATH = f"{FEEDS_DIR}/select.ics"  # the feed of chosen events that ``scheduler serve`` answers


@cache
def script_hash() -> str:
    """The CSP source (``sha256-...``) of the inline filter script, exactly as the page embeds it."""
    text = environment().get_template("timetable.js").render()
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@dataclass(frozen=True)
class FeedLinks:
    """Where the page links for calendar feeds: kind -> id -> path relative to timetable.html.

    With the publication's ``base_url`` every link is absolute and has a ``webcal://`` twin."""

    paths: Mapping[str, Mapping[str, str]]  # "all" -> {"": "feeds/all.ics"}, "room" -> {"M1": ...}, ...
    base_url: str | None = None
    index: str | None = None  # the feed index page, e.g. "feeds/index.html"

    def link(self, kind: str, item: str = "") -> Subscribe | None:
        """The links of one feed, or None when the publication has no such feed."""
        path = self.paths.get(kind, {}).get(item)
        return None if path is None else subscribe_link(path, self.base_url)


def feed_links_from_index(index_json: str, folder: str = FEEDS_DIR, base_url: str | None = None) -> FeedLinks:
    """The feed paths an actual publication used, read from its feeds/index.json text."""
    document = json.loads(index_json)
    paths: dict[str, dict[str, str]] = {}
    for entry in document.get("feeds", []):
        kind, item = entry.get("kind"), entry.get("id")
        if kind == "all":
            item = ""
        if kind and item is not None:
            paths.setdefault(kind, {})[item] = f"{folder}/{entry['path']}"
    return FeedLinks(paths, base_url, f"{folder}/index.html")


def timetable_html(view: ProgrammeView, *, feeds: FeedLinks | None = None, base_url: str | None = None) -> str:
    """The whole page as text; ``feeds`` says where the calendar feeds are (None: the page links no feed).

    ``base_url`` is where the page is published: subscription links and "my programme" use it."""
    base = base_url_of(base_url if base_url is not None else (feeds.base_url if feeds else None))
    events = {event.id: _event_context(index, event, feeds) for index, event in enumerate(view.events)}
    days = [_day_context(day, events, view.problem.blocked) for day in view.days]
    lists = []
    if feeds is not None:
        people = {s.id: s.name for e in view.events for s in e.speakers}
        rooms = {room.id: room.name for room in view.rooms_used()}
        for heading, kind, names in (("room or channel", "room", rooms),
                                     ("organizer", "organizer", {o: o for o in view.organizers}),
                                     ("speaker", "speaker", dict(sorted(people.items(), key=lambda i: i[1]))),
                                     ("topic", "topic", {t: t for t in view.topics})):
            links = [{"name": name, "href": link.href} for item, name in names.items()
                     if (link := feeds.link(kind, item)) is not None]
            if links:
                lists.append({"heading": heading, "links": links})
    context: dict[str, Any] = {
        "meeting": view.meeting,
        "events": view.events,
        "days": days,
        "speakers": sorted({(s.id, s.name) for e in view.events for s in e.speakers}, key=lambda i: (i[1], i[0])),
        "agenda_first": max((len(g["rooms"]) for d in days for g in d["grids"]), default=0) > GRID_COLUMNS,
        "other_days": [events[e.id] for e in view.events if e.day not in {d.day for d in view.days}],
        "topics": view.topics,
        "organizers": view.organizers,
        "formats": [{"id": fmt, "label": format_label(fmt)} for fmt in view.formats],
        "rooms": view.rooms_used(),
        "feed_all": feeds.link("all") if feeds is not None else None,
        "feed_index": feeds.index if feeds is not None else None,
        "feed_lists": lists,
        "base_url": base,
        "data": {"events": [_filter_data(event) for event in view.events], "base": base,
                 "select": SELECT_PATH, "meeting": view.meeting.id},
        "script_hash": script_hash(),
    }
    return environment().get_template("timetable.html").render(context)


def _filter_data(event: EventView) -> dict[str, Any]:
    return {
        "id": event.id,
        "day": event.day.isoformat(),
        "topics": list(event.event.topics),
        "organizer": event.event.organizer,
        "speakers": [speaker.id for speaker in event.speakers],
        "format": event.event.format,
        "room": event.room.id,
        # what the search box looks through: title, organizer, speakers, topics, room
        "text": " ".join([one_line(event.event.title), event.event.organizer, *event.speaker_names,
                          *event.event.topics, event.room.name]),
    }


def _event_context(index: int, event: EventView, feeds: FeedLinks | None) -> dict[str, Any]:
    calendar = []
    if feeds is not None:
        wanted = [("this event only", "event", event.id), (f"{event.room.name} feed", "room", event.room.id),
                  (f"{event.event.organizer} feed", "organizer", event.event.organizer),
                  *((f"{s.name} feed", "speaker", s.id) for s in event.speakers),
                  *((f"{t} feed", "topic", t) for t in event.event.topics), ("all side events", "all", "")]
        calendar = [{"label": label, "href": link.href} for label, kind, item in wanted
                    if (link := feeds.link(kind, item)) is not None]
    return {
        "index": index,
        "anchor": event_anchor(event.id),
        "title": one_line(event.event.title),
        "time": time_range(event.start, event.end),
        "date": day_heading(event.day),
        "room": event.room.name,
        "format": event.event.format,
        "format_label": event.format_label,
        "organizer": event.event.organizer,
        "speakers": event.speaker_names,
        "topics": event.event.topics,
        "link": event.web_link,
        "link_text": "" if event.web_link else event.event.link,
        "description": event.event.description.strip(),
        "calendar": calendar,
        "id": event.id,
    }


def _day_context(day: DayView, events: Mapping[str, dict[str, Any]],
                 blocked: Sequence[BlockedPeriod]) -> dict[str, Any]:
    """One day: its grids (rooms, then online channels, each fitting the page), bands and agenda."""
    used = day.rooms_used()
    physical = tuple(room for room in used if not room.is_virtual)
    channels = tuple(room for room in used if room.is_virtual)
    bands = [period for period in blocked if period.start.date() <= day.day <= period.end.date()]
    grids = [{"label": label, "rooms": rooms,
              "rows": _grid_rows(day, rooms, events, [p for p in bands if p.formats & formats])}
             for label, rooms, formats in (("Rooms", physical, {"in_person", "hybrid"}),
                                           ("Online channels", channels, {"virtual"})) if rooms]
    return {
        "anchor": f"day-{day.day.isoformat()}",
        "iso": day.day.isoformat(),
        "heading": day_heading(day.day),
        "rooms": used,
        "grids": grids,
        "bands": [{"time": time_range(p.start, p.end), "reason": p.reason or "No side events",
                   "formats": _paused(p)} for p in bands],
        "agenda": [events[e.id] for e in day.events],
        "off_grid": [events[e.id] for e in day.off_grid()],
    }


def _paused(period: BlockedPeriod) -> str:
    """What a blocked period stops, in words: ``no in-person or hybrid side events``."""
    words = [FORMAT_WORDS[f].adjective for f in FORMATS if f in period.formats]
    return "no side events" if len(words) == len(FORMATS) else f"no {' or '.join(words)} side events"


def _grid_rows(day: DayView, rooms: Sequence[Room], events: Mapping[str, dict[str, Any]],
               bands: Sequence[BlockedPeriod]) -> list[dict[str, Any]]:
    """The rows of one grid: a slot each, with a cell per room not covered by an event above it."""
    starts: dict[tuple[int, str], Any] = {}
    covered: set[tuple[int, str]] = set()
    for room in rooms:
        for block in room_blocks(day, room):
            starts[(block.first, room.id)] = block
            covered.update((index, room.id) for index in range(block.first + 1, block.last + 1))
    rows = []
    for index, slot in enumerate(day.slots):
        cells = []
        for column, room in enumerate(rooms):
            if (index, room.id) in covered:
                continue
            block = starts.get((index, room.id))
            if block is None:
                cells.append({"events": (), "column": column})
            else:
                cells.append({"events": [events[e.id] for e in block.events], "rowspan": block.span,
                              "room": room.name, "column": column})
        band = next((p for p in bands if p.start < slot.end and slot.start < p.end), None)
        rows.append({"label": time_range(slot.start, slot.end), "cells": cells,
                     "band": (band.reason or "No side events") if band is not None else None})
    return rows


EXPORTERS: tuple[Exporter, ...] = (
    Exporter("timetable.html", "timetable.html", "text/html; charset=utf-8", timetable_html),
)
