"""Feed layout for the iCalendar exporter: safe file names and the feed index.

``ics.py`` builds the calendars; this module decides what each feed file is called (stable, safe slugs)
and lists the feeds in ``index.json`` / ``index.html``. Reading an earlier publication back is
``scheduler.load.previous``'s job.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache

from ..model import Meeting
from .labels import FEEDS_DIR, slugify
from .links import base_url_of, subscribe_link
from .templating import environment

ALL_PATH = "all.ics"
# kind -> folder under feeds/; the order is the order of index.json.
KIND_FOLDERS: dict[str, str] = {
    "all": "",
    "format": "formats",
    "room": "rooms",
    "organizer": "organizers",
    "speaker": "speakers",
    "topic": "topics",
    "event": "events",  # one feed per event: the page's "add to calendar", kept up to date like any feed
}
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})
_SLUG_PATH = re.compile(r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*/)?[a-z0-9]+(?:-[a-z0-9]+)*\.ics$")


def _hash(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def kind_of_path(path: str) -> str:
    """The feed kind a path's folder stands for (``rooms/x.ics`` -> ``room``); ``other`` if none."""
    if path == ALL_PATH:
        return "all"
    folder = path.rpartition("/")[0]
    return next((kind for kind, name in KIND_FOLDERS.items() if name and name == folder), "other")


def is_safe_path(path: str) -> bool:
    """True for a feed path we would write: ``name.ics`` or ``folder/name.ics`` of safe slugs."""
    return bool(_SLUG_PATH.match(path))


def feed_paths(kind: str, ids: Iterable[str], previous: Mapping[tuple[str, str], str] | None = None,
               reserved: Iterable[str] = ()) -> dict[str, str]:
    """A safe, unique file path for every id of one kind (``rooms/m1.ics``).

    An id keeps the path an earlier publication gave it; the others take their slug, with a short
    stable hash suffix when two ids slug alike, the slug is empty or reserved, or the path belongs
    to another feed of an earlier publication (``reserved``).
    """
    folder = KIND_FOLDERS[kind]
    previous = previous or {}
    result: dict[str, str] = {}
    kept: set[str] = set()
    ids = sorted(set(ids))
    for item in ids:
        old = previous.get((kind, item))
        if old and is_safe_path(old) and old.startswith(f"{folder}/") and old not in kept:
            result[item] = old
            kept.add(old)
    taken = set(reserved) | kept
    rest = [item for item in ids if item not in result]
    bases = {item: slugify(item) for item in rest}
    counts = Counter(bases.values())
    for item in rest:
        base = bases[item]
        path = f"{folder}/{base}.ics"
        if counts[base] > 1 or not base or base in _RESERVED or path in taken:
            prefix = f"{base}-" if base else ""
            for length in range(8, 65, 4):
                path = f"{folder}/{prefix}{_hash(item, length)}.ics"
                if path not in taken:
                    break
        taken.add(path)
        result[item] = path
    return result


@dataclass(frozen=True)
class FeedEntry:
    """One published feed as the index lists it."""

    path: str
    kind: str
    id: str | None
    title: str
    events: int
    cancelled: int


def index_json(meeting: Meeting, published_at: datetime, entries: Iterable[FeedEntry],
               base_url: str | None = None) -> str:
    """``index.json``: every feed with its kind, id, title, event counts and URL (absolute under ``base_url``)."""
    links = {e.path: subscribe_link(f"{FEEDS_DIR}/{e.path}", base_url) for e in entries}
    document = {
        "meeting": {"id": meeting.id, "name": meeting.name, "timezone": meeting.timezone},
        "published_at": published_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "feeds": [
            {"path": e.path, "url": links[e.path].url or e.path, "kind": e.kind, "id": e.id, "title": e.title,
             "events": e.events, "cancelled": e.cancelled, **({"webcal": links[e.path].webcal} if base_url else {})}
            for e in entries
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_KIND_HEADINGS = {"all": "Whole programme", "format": "By format", "room": "By room or online channel",
                  "organizer": "By organizer", "speaker": "By speaker", "topic": "By topic",
                  "event": "Single events", "other": "Other feeds of earlier versions"}


def index_html(meeting: Meeting, published_at: datetime, entries: Iterable[FeedEntry],
               base_url: str | None = None) -> str:
    """``index.html``: a plain page listing every feed (title, event count, subscribe links) by kind."""
    entries = list(entries)
    sections = [(heading, [(e, subscribe_link(e.path, base_url and f"{base_url_of(base_url)}{FEEDS_DIR}/"))
                           for e in entries if e.kind == kind])
                for kind, heading in _KIND_HEADINGS.items() if any(e.kind == kind for e in entries)]
    return environment().get_template("feeds_index.html").render(
        meeting=meeting, stamp=published_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        sections=sections, base_url=base_url, script_hash=copy_script_hash(),
    )


@cache
def copy_script_hash() -> str:
    """The CSP source (``sha256-...``) of the copy-button script the feed index embeds."""
    text = environment().get_template("copy.js").render()
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
