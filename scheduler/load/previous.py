"""An earlier publication read back once: its schedule and metadata, and its feeds' events.

A re-plan keeps the earlier schedule as far as the rules allow; a re-publish keeps each unchanged
VEVENT byte for byte, raises SEQUENCE on changed ones and cancels dropped ones in the feeds they were
in. One UID may be CONFIRMED in one feed and CANCELLED in another, so the version each feed holds is
kept (``PreviousPublication.held``). Both read the output folder through :func:`load_previous`, and
every unreadable file is named.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from ..errors import DataErrors, LoadError, SourceLocation, UsageError
from ..export.feeds import kind_of_path
from ..export.labels import FEEDS_DIR
from ..model import Problem, Schedule
from .schedule import read_schedule, read_schedule_metadata
from .tables import read_json, read_text

T = TypeVar("T")


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
    summary: str = ""
    dtstart: datetime | None = None  # as written: in its zone, or UTC
    dtend: datetime | None = None

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
    """What a re-plan and a re-publish need from an earlier output folder: its schedule and metadata,
    its events by UID (SEQUENCE, stamps, exact text), its feeds and their names, its publication time.

    ``events`` holds the newest version of each UID across all feeds; ``held`` what each feed holds."""

    folder: Path
    published_at: datetime | None
    events: dict[str, PreviousEvent]
    feeds: dict[str, PreviousFeed]
    schedule: Schedule = field(default_factory=lambda: Schedule(()))  # read against the current meeting
    timezones: dict[str, str] = field(default_factory=dict)  # TZID -> VTIMEZONE text
    held: dict[str, dict[str, PreviousEvent]] = field(default_factory=dict)  # UID -> feed path -> version

    @property
    def metadata(self) -> Mapping[str, Any]:
        """What the earlier schedule.json said besides its assignments (status, scores, published_at...)."""
        return self.schedule.metadata

    @property
    def names(self) -> dict[tuple[str, str], str]:
        """(kind, id) -> feed path, for feeds whose kind and id the earlier index recorded."""
        return {(f.kind, f.id): f.path for f in self.feeds.values() if f.id is not None}


def previous_schedule(folder: Path | str, problem: Problem) -> Schedule:
    """Only the schedule of an earlier output folder, read as ``load_previous`` reads it, without its feeds.

    For what needs the old placements alone (the ``moved`` term of score and compare).
    """
    path = Path(folder) / "schedule.csv"
    return read_schedule(path, problem, ignore_unknown=True, name=str(path))


def publication_in(folder: Path, problem: Problem) -> PreviousPublication | None:
    """The publication an output folder already holds, for a new one written there to continue its feeds.

    None when it has no feeds (no subscribers to keep); UsageError when they cannot be read back, since
    overwriting them would strand their subscribers."""
    if not (folder / FEEDS_DIR).is_dir():
        return None
    try:
        return load_previous(folder, problem, missing_ok=True)
    except (DataErrors, LoadError) as error:
        raise UsageError(f"{folder} holds part of an earlier publication that cannot be continued ({error}); its "
                         "subscribers would lose track of their events. Write to a new folder, or empty this one "
                         "first") from None


def load_previous(folder: Path | str, problem: Problem, *, missing_ok: bool = False) -> PreviousPublication | None:
    """Read an earlier output folder (schedule.csv, schedule.json, feeds/**.ics) once, for a re-plan and a re-publish.

    The schedule is read against ``problem`` (the meeting as it is now): rows of events it no longer
    has are left out, rooms it no longer has are kept. Raises DataErrors naming each missing or
    unreadable file. With ``missing_ok``, a folder that holds no publication at all (none of the
    three) gives None instead, for a first run.
    """
    folder = Path(folder)
    csv_path, json_path, feeds_dir = folder / "schedule.csv", folder / "schedule.json", folder / FEEDS_DIR
    if missing_ok and not (csv_path.exists() or json_path.exists() or feeds_dir.exists()):
        return None
    errors: list[LoadError] = []
    if not json_path.is_file():
        errors.append(LoadError(SourceLocation(str(json_path)), "missing file (expected in an earlier output folder)"))
    schedule = _collect(errors, lambda path: read_schedule(path, problem, ignore_unknown=True, name=str(path)),
                        csv_path)
    if schedule is None and json_path.is_file():  # schedule.json's faults too, where the CSV's came first
        _collect(errors, lambda path: read_schedule_metadata(path, name=str(json_path)), csv_path)
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
    published_at = _collect(errors, _published_at, schedule, json_path) if schedule is not None else None
    if errors:
        raise DataErrors(list({str(error): error for error in errors}.values()))
    assert schedule is not None
    merged: dict[str, PreviousEvent] = {}
    held: dict[str, dict[str, PreviousEvent]] = {}
    for uid, copies in events.items():
        best = max((c[0] for c in copies), key=lambda e: (e.sequence, e.dtstamp, e.text))
        merged[uid] = replace(best, feeds=tuple(sorted({rel for _, rel in copies})))
        held[uid] = {rel: replace(event, feeds=(rel,)) for event, rel in sorted(copies, key=lambda c: c[1])}
    if published_at is None and merged:
        published_at = max(e.last_modified or e.dtstamp for e in merged.values())
    return PreviousPublication(folder, published_at, merged, feeds, schedule, timezones, held)


def _collect(errors: list[LoadError], reader: Callable[..., T], *args: Any) -> T | None:
    """``reader(*args)``, or None after adding its errors to ``errors``."""
    try:
        return reader(*args)
    except DataErrors as many:
        errors.extend(many.errors)
    except LoadError as error:
        errors.append(error)
    return None


def _published_at(schedule: Schedule, json_path: Path) -> datetime | None:
    """schedule.json's ``published_at`` (top level, or under ``metadata``) as UTC; None when absent."""
    data = schedule.metadata
    value = data.get("published_at")
    if value is None and isinstance(data.get("metadata"), dict):
        value = data["metadata"].get("published_at")
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise LoadError(SourceLocation(str(json_path), field="published_at"),
                        f"expected an ISO datetime with a UTC offset, got {value!r}")
    return moment.astimezone(timezone.utc)


def _read_index(path: Path) -> dict[str, tuple[str | None, str | None, str | None]]:
    if not path.exists():
        return {}
    data = read_json(path, str(path))
    try:
        return {str(f["path"]): (f.get("kind"), f.get("id"), f.get("title")) for f in data["feeds"]}
    except (KeyError, TypeError) as exc:
        raise LoadError(SourceLocation(str(path)), f"not a feed index (expected feeds[].path): {exc}") from None


def read_feed(path: Path) -> tuple[list[PreviousEvent], dict[str, str]]:
    """The VEVENTs (exact text) and VTIMEZONEs (TZID -> text) of one published feed; LoadError if unreadable."""
    _, events, zones = _read_feed(path, {})
    return events, zones


def _read_feed(path: Path, parsed: dict[str, PreviousEvent]) -> tuple[str, list[PreviousEvent], dict[str, str]]:
    """The calendar name, the VEVENTs (exact text) and the VTIMEZONEs (TZID -> text) of one feed file."""
    from icalendar import Calendar  # slow to import; only a re-publish needs it

    name = str(path)
    lines = read_text(path, name).replace("\r\n", "\n").split("\n")
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
    from icalendar import Event

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
        end = event.decoded("DTEND") if "DTEND" in event else None
    except (KeyError, ValueError, TypeError) as exc:
        raise LoadError(where, f"VEVENT {uid}: unreadable DTSTAMP, LAST-MODIFIED, SEQUENCE or DTSTART: {exc}") from None
    tzids = frozenset(str(event[p].params["TZID"]) for p in ("DTSTART", "DTEND")
                      if p in event and "TZID" in getattr(event[p], "params", {}))
    start_utc = start.astimezone(timezone.utc) if isinstance(start, datetime) and start.tzinfo else None
    return PreviousEvent(uid, sequence, _utc(stamp), _utc(modified) if modified else None,
                         str(event.get("STATUS", "CONFIRMED")).upper(), start_utc, tzids, text, (),
                         str(event.get("SUMMARY", "")), _moment(start), _moment(end))


def _moment(value: Any) -> datetime | None:
    """A DTSTART/DTEND value when it is an aware date-time (what our feeds write), else None."""
    return value if isinstance(value, datetime) and value.tzinfo is not None else None


def _utc(value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"expected a date-time, got {value!r}")
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)




def read_feeds_index(folder: Path | str) -> str | None:
    """The text of ``folder/feeds/index.json`` when feeds were published there (timetable.html links them)."""
    path = Path(folder) / FEEDS_DIR / "index.json"
    return read_text(path, str(path)) if path.is_file() else None
