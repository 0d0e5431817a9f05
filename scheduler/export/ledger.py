"""The feed record of a release: every version of every event in every feed, as the program wrote it.

A release history keeps one such record per release (``releases/<n>/feeds.json``). The next release
continues the record, not the feed files a web server publishes: unchanged events keep their exact
text, changed ones a higher SEQUENCE, and an event that leaves a feed is cancelled there from the
fields recorded here, so nothing edited into a published file by hand is ever carried on. Written
and read here, so the format lives in one place.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import LoadError, SourceLocation
from ..load.previous import PreviousEvent, PreviousFeed, PreviousPublication
from ..model import Schedule
from .ics import FeedState

FORMAT = 1


def ledger_json(state: FeedState) -> str:
    """The record of ``state`` as JSON text: feeds, time zones, and each distinct event version once."""
    versions: dict[str, int] = {}  # a version's JSON -> its number
    held: dict[str, dict[str, int]] = {}
    for uid, by_feed in state.held.items():
        for path, version in by_feed.items():
            key = json.dumps(_version(version), ensure_ascii=False)
            held.setdefault(uid, {})[path] = versions.setdefault(key, len(versions))
    document = {
        "format": FORMAT,
        "published_at": _instant(state.published_at),
        "feeds": [{"path": f.path, "kind": f.kind, "id": f.id, "title": f.title} for f in state.feeds.values()],
        "timezones": state.timezones,
        "versions": [json.loads(key) for key in versions],
        "held": held,
    }
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def read_ledger(path: Path, schedule: Schedule, folder: Path | None = None) -> PreviousPublication:
    """The publication a record describes, with ``schedule`` (its release's schedule) beside it and ``folder``
    (where its files are published; default: the record's own folder).

    Raises LoadError naming the file when it is not a record this program wrote.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != FORMAT:
            raise ValueError(f"unknown format {document.get('format')!r}")
        versions = [_event(item) for item in document["versions"]]
        held = {uid: {feed: versions[number] for feed, number in by_feed.items()}
                for uid, by_feed in document["held"].items()}
        feeds = {item["path"]: PreviousFeed(item["path"], item["kind"], item["id"], item["title"])
                 for item in document["feeds"]}
        timezones = {str(k): str(v) for k, v in document["timezones"].items()}
        published_at = datetime.fromisoformat(document["published_at"])
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise LoadError(SourceLocation(str(path)), f"not a feed record of this program: {exc}") from None
    merged: dict[str, PreviousEvent] = {}
    for uid, by_feed in held.items():
        best = max(by_feed.values(), key=lambda e: (e.sequence, e.dtstamp, e.text))
        merged[uid] = replace(best, feeds=tuple(sorted(by_feed)))
    return PreviousPublication(folder or path.parent, published_at, merged, feeds, schedule, timezones, held)


def _instant(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _zone(moment: datetime | None) -> str | None:
    """The IANA name of a written DTSTART/DTEND's zone (None for UTC or none)."""
    zone = getattr(moment, "tzinfo", None)
    return zone.key if isinstance(zone, ZoneInfo) else None


def _version(event: PreviousEvent) -> dict[str, Any]:
    return {
        "uid": event.uid, "sequence": event.sequence, "status": event.status,
        "dtstamp": _instant(event.dtstamp), "last_modified": _instant(event.last_modified),
        "start": _instant(event.start), "tzids": sorted(event.tzids),
        "dtstart": _instant(event.dtstart), "dtstart_zone": _zone(event.dtstart),
        "dtend": _instant(event.dtend), "dtend_zone": _zone(event.dtend),
        "summary": event.summary, "text": event.text,
    }


def _moment(value: str | None, zone: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment.astimezone(ZoneInfo(zone)) if zone else moment


def _event(item: dict[str, Any]) -> PreviousEvent:
    return PreviousEvent(
        str(item["uid"]), int(item["sequence"]), datetime.fromisoformat(item["dtstamp"]),
        _moment(item["last_modified"], None), str(item["status"]), _moment(item["start"], None),
        frozenset(item["tzids"]), str(item["text"]), (), str(item["summary"]),
        _moment(item["dtstart"], item["dtstart_zone"]), _moment(item["dtend"], item["dtend_zone"]),
    )
