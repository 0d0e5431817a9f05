"""timetable.html: one self-contained page with a grid per day, filters, event details and feed links.

Rendered by jinja2 with autoescape on, so every title, name and link is escaped; the filter script
reads its data from a JSON script tag written with ``|tojson``. The page fetches nothing: styles and
script are inline, and a Content-Security-Policy allows only that one script (by its hash).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from .labels import FEEDS_DIR, format_label
from .templating import environment
from .timetable import day_heading, one_line, time_range
from .view import DayView, EventView, Exporter, ProgrammeView, event_anchor, room_blocks


@cache
def script_hash() -> str:
    """The CSP source (``sha256-...``) of the inline filter script, exactly as the page embeds it."""
    text = environment().get_template("timetable.js").render()
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@dataclass(frozen=True)
class FeedLinks:
    """Where the page links for calendar feeds, relative to timetable.html."""

    all: str  # the whole programme, e.g. "feeds/all.ics"
    rooms: Mapping[str, str]  # room id -> that room's feed, e.g. "feeds/rooms/m1.ics"

    def room(self, room_id: str) -> str:
        """The room's feed (the whole programme's if the room has none)."""
        return self.rooms.get(room_id, self.all)


def default_feed_links(view: ProgrammeView) -> FeedLinks:
    """The feed paths the feeds exporter gives a first publication (no earlier names to keep)."""
    from .feeds import ALL_PATH, feed_paths

    rooms = feed_paths("room", [room.id for room in view.problem.rooms])
    return FeedLinks(f"{FEEDS_DIR}/{ALL_PATH}", {room_id: f"{FEEDS_DIR}/{path}" for room_id, path in rooms.items()})


def feed_links_from_index(index_json: str, folder: str = "feeds") -> FeedLinks:
    """The feed paths an actual publication used, read from its feeds/index.json text."""
    from .feeds import ALL_PATH

    document = json.loads(index_json)
    rooms = {entry["id"]: f"{folder}/{entry['path']}" for entry in document.get("feeds", [])
             if entry.get("kind") == "room" and entry.get("id")}
    return FeedLinks(f"{folder}/{ALL_PATH}", rooms)


def timetable_html(view: ProgrammeView, *, feeds: FeedLinks | None = None) -> str:
    """The whole page as text; ``feeds`` says where the calendar feeds are (default: first publication's names)."""
    feeds = feeds or default_feed_links(view)
    events = {event.id: _event_context(index, event, feeds) for index, event in enumerate(view.events)}
    context: dict[str, Any] = {
        "meeting": view.meeting,
        "events": view.events,
        "days": [_day_context(day, events) for day in view.days],
        "other_days": [events[e.id] for e in view.events if e.day not in {d.day for d in view.days}],
        "topics": view.topics,
        "organizers": view.organizers,
        "formats": [{"id": fmt, "label": format_label(fmt)} for fmt in view.formats],
        "rooms": view.rooms_used(),
        "feed_all": feeds.all,
        "feed_rooms": [{"name": room.name, "href": feeds.room(room.id)} for room in view.rooms_used()],
        "data": {"events": [_filter_data(event) for event in view.events]},
        "script_hash": script_hash(),
    }
    return environment().get_template("timetable.html").render(context)


def _filter_data(event: EventView) -> dict[str, Any]:
    return {
        "id": event.id,
        "topics": list(event.event.topics),
        "organizer": event.event.organizer,
        "format": event.event.format,
        "room": event.room.id,
    }


def _event_context(index: int, event: EventView, feeds: FeedLinks) -> dict[str, Any]:
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
        "room_feed": feeds.room(event.room.id),
    }


def _day_context(day: DayView, events: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    rooms = day.rooms_used()
    starts: dict[tuple[int, str], Any] = {}
    covered: set[tuple[int, str]] = set()
    for room in rooms:
        for block in room_blocks(day, room):
            starts[(block.first, room.id)] = block
            covered.update((index, room.id) for index in range(block.first + 1, block.last + 1))
    rows = []
    for index, slot in enumerate(day.slots):
        cells = []
        for room in rooms:
            if (index, room.id) in covered:
                continue
            block = starts.get((index, room.id))
            if block is None:
                cells.append({"events": ()})
            else:
                cells.append({"events": [events[e.id] for e in block.events], "rowspan": block.span,
                              "room": room.name})
        rows.append({"label": time_range(slot.start, slot.end), "cells": cells})
    return {
        "anchor": f"day-{day.day.isoformat()}",
        "heading": day_heading(day.day),
        "rooms": rooms,
        "rows": rows,
        "off_grid": [events[e.id] for e in day.off_grid()],
    }


EXPORTERS: tuple[Exporter, ...] = (
    Exporter("timetable.html", "timetable.html", "text/html; charset=utf-8", timetable_html),
)
