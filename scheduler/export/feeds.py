"""Feed bookkeeping for the iCalendar exporter: safe file names, the feed index, and the previous publication.

``ics.py`` builds the calendars; this module decides what each feed file is called (stable, safe slugs),
lists the feeds in ``index.json`` / ``index.html``, and reads an earlier output folder back
(:func:`load_previous`) so a re-publish can raise SEQUENCE and cancel dropped events.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from icalendar import Calendar, Event

from ..errors import DataErrors, LoadError, SourceLocation
from ..model import Assignment, Meeting
from .labels import slugify
from .templating import environment

FEEDS_DIR = "feeds"
ALL_PATH = "all.ics"
# kind -> folder under feeds/; the order is the order of index.json.
KIND_FOLDERS: dict[str, str] = {
    "all": "",
    "format": "formats",
    "room": "rooms",
    "organizer": "organizers",
    "speaker": "speakers",
    "topic": "topics",
}
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})
_SLUG_PATH = re.compile(r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*/)?[a-z0-9]+(?:-[a-z0-9]+)*\.ics$")
_LIFECYCLE = frozenset({"DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "STATUS"})


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


def index_json(meeting: Meeting, published_at: datetime, entries: Iterable[FeedEntry]) -> str:
    """``index.json``: every feed with its kind, id, title, event counts and relative URL."""
    document = {
        "meeting": {"id": meeting.id, "name": meeting.name, "timezone": meeting.timezone},
        "published_at": published_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "feeds": [
            {"path": e.path, "url": e.path, "kind": e.kind, "id": e.id, "title": e.title,
             "events": e.events, "cancelled": e.cancelled}
            for e in entries
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_KIND_HEADINGS = {"all": "Whole programme", "format": "By format", "room": "By room or online channel",
                  "organizer": "By organizer", "speaker": "By speaker", "topic": "By topic",
                  "other": "Other feeds of earlier versions"}


def index_html(meeting: Meeting, published_at: datetime, entries: Iterable[FeedEntry]) -> str:
    """``index.html``: a plain page listing every feed (title, event count, link) by kind."""
    entries = list(entries)
    sections = [(heading, rows) for kind, heading in _KIND_HEADINGS.items()
                if (rows := [e for e in entries if e.kind == kind])]
    return environment().get_template("feeds_index.html").render(
        meeting=meeting, stamp=published_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        sections=sections,
    )


# --- the previous publication -------------------------------------------------------------------


@dataclass(frozen=True)
class PreviousEvent:
    """One VEVENT of an earlier publication: its lifecycle fields, exact text and the feeds it was in."""

    uid: str
    sequence: int
    dtstamp: datetime
    last_modified: datetime | None
    status: str
    start: datetime | None  # UTC
    tzids: frozenset[str]
    text: str  # the serialized VEVENT, CRLF line ends, folded as published
    feeds: tuple[str, ...]

    @property
    def cancelled(self) -> bool:
        """True when the earlier publication already cancelled it."""
        return self.status == "CANCELLED"


@dataclass(frozen=True)
class PreviousFeed:
    """One feed file of an earlier publication."""

    path: str
    kind: str
    id: str | None
    title: str


@dataclass(frozen=True)
class PreviousPublication:
    """What a re-publish needs from an earlier output folder: events by UID, feeds, names, time."""

    folder: Path
    published_at: datetime | None
    events: dict[str, PreviousEvent]
    feeds: dict[str, PreviousFeed]
    assignments: dict[str, Assignment] = field(default_factory=dict)
    timezones: dict[str, str] = field(default_factory=dict)  # TZID -> VTIMEZONE text

    @property
    def names(self) -> dict[tuple[str, str], str]:
        """(kind, id) -> feed path, for feeds whose kind and id the earlier index recorded."""
        return {(f.kind, f.id): f.path for f in self.feeds.values() if f.id is not None}


def load_previous(folder: Path | str, *, missing_ok: bool = False) -> PreviousPublication | None:
    """Read an earlier output folder (schedule.csv, schedule.json, feeds/**.ics) for a re-publish.

    Raises DataErrors naming each missing or unreadable file. With ``missing_ok``, a folder that
    holds no publication at all (none of the three) gives None instead, for a first run.
    """
    folder = Path(folder)
    csv_path, json_path, feeds_dir = folder / "schedule.csv", folder / "schedule.json", folder / FEEDS_DIR
    if missing_ok and not (csv_path.exists() or json_path.exists() or feeds_dir.exists()):
        return None
    errors: list[LoadError] = []
    assignments = _collect(errors, _read_schedule_csv, csv_path)
    published_at = _collect(errors, _read_published_at, json_path)
    if not feeds_dir.is_dir():
        errors.append(LoadError(SourceLocation(str(feeds_dir)), "no feeds folder; expected the output of an "
                                                                "earlier run (OUT/feeds/*.ics)"))
        raise DataErrors(errors)
    index = _collect(errors, _read_index, feeds_dir / "index.json") or {}
    events: dict[str, list[tuple[PreviousEvent, str]]] = {}
    feeds: dict[str, PreviousFeed] = {}
    timezones: dict[str, str] = {}
    parsed: dict[str, PreviousEvent] = {}
    ics_files = sorted(feeds_dir.rglob("*.ics"))
    if not ics_files:
        errors.append(LoadError(SourceLocation(str(feeds_dir)), "no .ics feeds in the folder"))
    for path in ics_files:
        rel = path.relative_to(feeds_dir).as_posix()
        try:
            title, blocks, zones = _read_feed(path, parsed)
        except LoadError as error:
            errors.append(error)
            continue
        kind, item_id, index_title = index.get(rel, (None, None, None))
        feeds[rel] = PreviousFeed(rel, kind or kind_of_path(rel), item_id, index_title or title or rel)
        timezones.update({k: v for k, v in zones.items() if k not in timezones})
        for event in blocks:
            events.setdefault(event.uid, []).append((event, rel))
    if errors:
        raise DataErrors(errors)
    merged: dict[str, PreviousEvent] = {}
    for uid, copies in events.items():
        best = max((c[0] for c in copies), key=lambda e: (e.sequence, e.dtstamp, e.text))
        merged[uid] = replace(best, feeds=tuple(sorted({rel for _, rel in copies})))
    if published_at is None and merged:
        published_at = max(e.last_modified or e.dtstamp for e in merged.values())
    return PreviousPublication(folder, published_at, merged, feeds, assignments or {}, timezones)


def _collect(errors: list[LoadError], reader, path: Path):
    try:
        return reader(path)
    except DataErrors as many:
        errors.extend(many.errors)
    except LoadError as error:
        errors.append(error)
    return None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LoadError(SourceLocation(str(path)), "no such file (expected in an earlier output folder)") from None
    except UnicodeDecodeError as exc:
        raise LoadError(SourceLocation(str(path)), f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    except OSError as exc:
        raise LoadError(SourceLocation(str(path)), f"cannot read the file: {exc.strerror or exc}") from None


def _parse_instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("no UTC offset")
    return value


def _read_schedule_csv(path: Path) -> dict[str, Assignment]:
    rows = list(csv.reader(io.StringIO(_read_text(path), newline="")))
    name = str(path)
    if not rows:
        raise LoadError(SourceLocation(name, 1), "the file is empty; expected a header row")
    header = [c.strip() for c in rows[0]]
    missing = [c for c in ("event_id", "status", "room", "start", "end") if c not in header]
    if missing:
        raise LoadError(SourceLocation(name, 1), f"missing column(s) {', '.join(missing)}")
    col = {c: header.index(c) for c in ("event_id", "status", "room", "start", "end")}
    result: dict[str, Assignment] = {}
    errors: list[LoadError] = []
    for number, cells in enumerate(rows[1:], start=2):
        values = {c: (cells[i].strip() if i < len(cells) else "") for c, i in col.items()}
        if not any(values.values()):
            continue
        try:
            if values["status"] == "scheduled":
                start, end = _parse_instant(values["start"]), _parse_instant(values["end"])
                result[values["event_id"]] = Assignment(values["event_id"], values["room"], start, end)
            elif values["status"] == "unscheduled":
                result[values["event_id"]] = Assignment(values["event_id"])
            else:
                raise ValueError(f"status must be scheduled or unscheduled, got {values['status']!r}")
        except ValueError as exc:
            errors.append(LoadError(SourceLocation(name, number), f"unreadable row: {exc}"))
    if errors:
        raise DataErrors(errors)
    return result


def _read_published_at(path: Path) -> datetime | None:
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise LoadError(SourceLocation(str(path), exc.lineno, exc.colno), f"not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise LoadError(SourceLocation(str(path)), "expected a JSON object")
    value = data.get("published_at")
    if value is None and isinstance(data.get("metadata"), dict):
        value = data["metadata"].get("published_at")
    if value is None:
        return None
    try:
        return _parse_instant(str(value)).astimezone(timezone.utc)
    except ValueError:
        raise LoadError(SourceLocation(str(path), field="published_at"),
                        f"expected an ISO datetime with a UTC offset, got {value!r}") from None


def _read_index(path: Path) -> dict[str, tuple[str | None, str | None, str | None]]:
    if not path.exists():
        return {}
    try:
        data = json.loads(_read_text(path))
        return {str(f["path"]): (f.get("kind"), f.get("id"), f.get("title")) for f in data["feeds"]}
    except json.JSONDecodeError as exc:
        raise LoadError(SourceLocation(str(path), exc.lineno, exc.colno), f"not valid JSON: {exc.msg}") from None
    except (KeyError, TypeError) as exc:
        raise LoadError(SourceLocation(str(path)), f"not a feed index (expected feeds[].path): {exc}") from None


def _read_feed(path: Path, parsed: dict[str, PreviousEvent]) -> tuple[str, list[PreviousEvent], dict[str, str]]:
    """The calendar name, the VEVENTs (exact text) and the VTIMEZONEs (TZID -> text) of one feed file."""
    name = str(path)
    lines = _read_text(path).replace("\r\n", "\n").split("\n")
    while lines and not lines[-1]:
        lines.pop()
    if not lines or lines[0].strip().upper() != "BEGIN:VCALENDAR" or lines[-1].strip().upper() != "END:VCALENDAR":
        raise LoadError(SourceLocation(name, 1), "not an iCalendar file (expected BEGIN:VCALENDAR ... END:VCALENDAR)")
    header: list[str] = [lines[0]]
    blocks: list[tuple[str, int, list[str]]] = []
    depth, current, start_line = 0, [], 0
    for number, line in enumerate(lines[1:-1], start=2):
        upper = line.upper()
        if upper.startswith("BEGIN:"):
            if depth == 0:
                current, start_line = [], number
            depth += 1
        if depth == 0:
            header.append(line)
        else:
            current.append(line)
        if upper.startswith("END:"):
            depth -= 1
            if depth < 0:
                raise LoadError(SourceLocation(name, number), f"unbalanced {line.strip()}")
            if depth == 0:
                blocks.append((current[0].strip().upper()[6:], start_line, current))
    if depth != 0:
        raise LoadError(SourceLocation(name, len(lines)), "a component is not closed (missing END:)")
    # Only the calendar's name is needed from its own properties; parse that line alone (fast).
    named = [line for line in "\n".join(header).replace("\n ", "").replace("\n\t", "").split("\n")
             if line.upper().startswith(("X-WR-CALNAME:", "X-WR-CALNAME;"))]
    try:
        calendar = Calendar.from_ical("\r\n".join([lines[0], *named[:1], lines[-1]]) + "\r\n")
    except Exception as exc:  # noqa: BLE001 - any parser failure is an unreadable file
        raise LoadError(SourceLocation(name), f"not a valid iCalendar file: {exc}") from None
    title = str(calendar.get("X-WR-CALNAME", ""))
    events: list[PreviousEvent] = []
    zones: dict[str, str] = {}
    for kind, number, block in blocks:
        text = "\r\n".join(block) + "\r\n"
        if kind == "VTIMEZONE":
            match = re.search(r"^TZID[;:](?:.*:)?(.*)$", text, re.MULTILINE)
            if match:
                zones[match.group(1).strip()] = text
        elif kind == "VEVENT":
            if text not in parsed:
                parsed[text] = _parse_event(text, SourceLocation(name, number))
            events.append(parsed[text])
    return title, events, zones


def _parse_event(text: str, where: SourceLocation) -> PreviousEvent:
    try:
        event = Event.from_ical(text)
    except Exception as exc:  # noqa: BLE001 - any parser failure is an unreadable event
        raise LoadError(where, f"unreadable VEVENT: {exc}") from None
    uid = str(event.get("UID", "")).strip()
    if not uid:
        raise LoadError(where, "a VEVENT without UID")
    try:
        sequence = int(event.get("SEQUENCE", 0))
        stamp = event.decoded("DTSTAMP")
        modified = event.decoded("LAST-MODIFIED") if "LAST-MODIFIED" in event else None
        start = event.decoded("DTSTART") if "DTSTART" in event else None
    except (KeyError, ValueError, TypeError) as exc:
        raise LoadError(where, f"VEVENT {uid}: unreadable DTSTAMP, LAST-MODIFIED, SEQUENCE or DTSTART: {exc}") from None
    tzids = frozenset(str(event[p].params["TZID"]) for p in ("DTSTART", "DTEND")
                      if p in event and "TZID" in getattr(event[p], "params", {}))
    start_utc = start.astimezone(timezone.utc) if isinstance(start, datetime) and start.tzinfo else None
    return PreviousEvent(uid, sequence, _utc(stamp), _utc(modified) if modified else None,
                         str(event.get("STATUS", "CONFIRMED")).upper(), start_utc, tzids, text, ())


def _utc(value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"expected a date-time, got {value!r}")
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def replace_lifecycle(text: str, lines: Iterable[str]) -> str:
    """A serialized VEVENT with its DTSTAMP, LAST-MODIFIED, SEQUENCE and STATUS replaced by ``lines``.

    Everything else stays byte for byte, so a cancelled copy is the published event plus its new state.
    """
    physical = text.split("\r\n")[:-1]
    kept: list[str] = []
    depth, skipping = 0, False
    for line in physical[1:-1]:
        if line[:1] in (" ", "\t"):
            if not skipping:
                kept.append(line)
            continue
        upper = line.upper()
        name = re.split(r"[;:]", upper, maxsplit=1)[0]
        skipping = depth == 0 and name in _LIFECYCLE
        if upper.startswith("BEGIN:"):
            depth += 1
        elif upper.startswith("END:"):
            depth -= 1
        if not skipping:
            kept.append(line)
    return "\r\n".join([physical[0], *kept, *lines, physical[-1]]) + "\r\n"
