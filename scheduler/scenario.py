"""What-if scenarios: a TOML file of changes applied on top of a meeting without editing its files.

A scenario closes or adds rooms, adds, withdraws, changes or pins events, adds or changes speakers,
adds unavailability and overrides weights. ``load_scenario`` reads and type-checks the file;
``apply_scenario`` returns a new Problem and re-validates whatever the changes can break, reporting
every mistake as a DataErrors that names the scenario file, the key (``events.add[2].duration``,
entries counted from 0) and, where it can be found, the line. docs/scenarios.md shows every action.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import DataErrors, LoadError, SourceLocation
from .grid import event_speakers_fit, local, occupied_slots, overlaps
from .model import (
    FORMATS,
    ROOM_KINDS,
    UNAVAILABILITY_KINDS,
    VISIBILITIES,
    Problem,
    Room,
    SideEvent,
    Speaker,
    Unavailability,
    event_end,
)
from .weights import DEFAULT_WEIGHTS

UTC = timezone.utc
SCENARIO_FILE = "scenario.toml"  # the name a scenario gets beside a result schedule (sweep writes it)


class _FieldError(ValueError):
    """A value of the wrong type or out of range; the message says what was expected."""


# --- value parsers (problem-independent) -------------------------------------------------------------


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _FieldError(f"expected text, got {value!r}")
    return value.strip()


def _ident(value: Any) -> str:
    text = _text(value)
    if not text:
        raise _FieldError("must not be empty")
    return text


def _choice(options: Iterable[str]) -> Callable[[Any], str]:
    allowed = tuple(options)

    def parse(value: Any) -> str:
        text = _text(value).lower()
        if text not in allowed:
            raise _FieldError(f"expected one of {', '.join(allowed)}, got {value!r}")
        return text

    return parse


def _integer(low: int, high: int | None, what: str) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            raise _FieldError(f"expected {what}, got {value!r}")
        if value < low or (high is not None and value > high):
            raise _FieldError(f"expected {what}, got {value}")
        return value

    return parse


def _optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An optional field: the empty string clears it (None)."""
    return lambda value: None if value == "" else parse(value)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise _FieldError(f"expected true or false, got {value!r}")


def _list(parse: Callable[[Any], Any]) -> Callable[[Any], tuple]:
    """A TOML array, or a ``;``-separated string as in events.csv."""

    def parse_list(value: Any) -> tuple:
        if isinstance(value, str):
            value = [part for part in (p.strip() for p in value.split(";")) if part]
        if not isinstance(value, list):
            raise _FieldError(f"expected a list, got {value!r}")
        return tuple(parse(item) for item in value)

    return parse_list


def _date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        raise _FieldError(f"expected a date such as 2022-05-18, got {value!r}") from None


def _time(value: Any) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(_text(value))
    except ValueError:
        raise _FieldError(f"expected a time such as 13:10, got {value!r}") from None


def _datetime(value: Any) -> datetime:
    """A local datetime (naive: venue time) or one with an offset; zoned by ``apply_scenario``."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(_text(value))
    except ValueError:
        raise _FieldError(f"expected a local datetime such as 2022-05-18T13:10, got {value!r}") from None


def _zone(value: Any) -> str:
    name = _ident(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _FieldError(f"unknown IANA time zone {name!r}") from None
    return name


def _hours(value: Any) -> tuple[time, time]:
    pair = _list(_time)(value)
    if len(pair) != 2 or pair[1] <= pair[0]:
        raise _FieldError(f"expected [start, end] such as [\"13:00\", \"15:00\"], got {value!r}")
    return pair[0], pair[1]


EVENT_FIELDS: dict[str, Callable[[Any], Any]] = {
    "id": _ident,
    "title": _ident,
    "organizer": _ident,
    "format": _choice(FORMATS),
    "duration": _integer(1, None, "a whole number of minutes above 0"),
    "attendance": _optional(_integer(0, None, "a whole number of people")),
    "speakers": _list(_ident),
    "topics": _list(_ident),
    "priority": _integer(1, 5, "a priority from 1 to 5"),
    "preferred_days": _list(_date),
    "preferred_starts": _list(_time),
    "room": _optional(_ident),
    "start": _optional(_datetime),
    "link": _text,
    "description": _text,
    "visibility": _choice(VISIBILITIES),
}
SPEAKER_FIELDS: dict[str, Callable[[Any], Any]] = {
    "id": _ident,
    "name": _ident,
    "timezone": _zone,
    "remote": _boolean,
    "earliest": _optional(_time),
    "latest": _optional(_time),
    "email": _text,
}
PERIOD_FIELDS: dict[str, Callable[[Any], Any]] = {
    "id": _ident,
    "days": _list(_date),
    "only_days": _list(_date),
    "hours": _hours,
    "start": _datetime,
    "end": _datetime,
    "reason": _text,
}
ROOM_FIELDS: dict[str, Callable[[Any], Any]] = {
    "id": _ident,
    "name": _ident,
    "kind": _choice(ROOM_KINDS),
    "capacity": _optional(_integer(1, None, "a number of seats above 0")),
    "hybrid": _boolean,
    "building": _text,
    "open_days": _list(_date),
}


@dataclass(frozen=True)
class _Spec:
    fields: Mapping[str, Callable[[Any], Any]]
    required: tuple[str, ...]


# Every action, in the order apply_scenario applies them.
ACTIONS: dict[str, _Spec] = {
    "rooms.add": _Spec(ROOM_FIELDS, ("id", "name")),
    "rooms.close": _Spec(PERIOD_FIELDS, ("id",)),
    "speakers.add": _Spec(SPEAKER_FIELDS, ("id", "name")),
    "speakers.change": _Spec(SPEAKER_FIELDS, ("id",)),
    "events.withdraw": _Spec({"id": _ident}, ("id",)),
    "events.add": _Spec(EVENT_FIELDS, ("id", "title", "organizer", "format", "duration")),
    "events.change": _Spec(EVENT_FIELDS, ("id",)),
    "events.pin": _Spec({"id": _ident, "room": _ident, "start": _datetime}, ("id",)),
    "unavailable": _Spec({**PERIOD_FIELDS, "kind": _choice(UNAVAILABILITY_KINDS)}, ("kind", "id")),
}
TOP_KEYS = ("name", "description", "rooms", "events", "speakers", "unavailable", "weights")


@dataclass(frozen=True)
class Action:
    """One entry of a scenario, e.g. the third ``[[events.add]]``: its parsed values and where it is."""

    action: str  # a key of ACTIONS
    index: int  # position among the entries of the same action, from 0
    values: Mapping[str, Any]
    source: str  # the scenario file, for messages
    lines: Mapping[str, int] = field(default_factory=dict)  # key -> line in the file
    line: int | None = None  # line of the entry's header

    @property
    def key(self) -> str:
        """The entry's key as messages print it: ``events.add[2]``."""
        return f"{self.action}[{self.index}]"

    def at(self, name: str | None = None) -> SourceLocation:
        """The place of this entry, or of one of its keys."""
        row = self.lines.get(name, self.line) if name else self.line
        return SourceLocation(self.source, row=row, field=f"{self.key}.{name}" if name else self.key)


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario file: its actions in application order and its weight overrides."""

    path: str
    name: str
    description: str = ""
    actions: tuple[Action, ...] = ()
    weights: Mapping[str, int] = field(default_factory=dict)
    weight_lines: Mapping[str, int] = field(default_factory=dict)
    text: str = field(default="", repr=False)  # the TOML source, which sweep copies beside each result

    def of(self, action: str) -> tuple[Action, ...]:
        """The entries of one action, in file order."""
        return tuple(a for a in self.actions if a.action == action)


# --- reading the file --------------------------------------------------------------------------------

_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\[\]]+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=")
_DECODE_PLACE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _dotted(name: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in name.split("."))


class _Lines:
    """Line numbers of table headers and keys, found by a light scan of the TOML text."""

    def __init__(self, text: str) -> None:
        self.sections: list[tuple[str, int, int | None, dict[str, int]]] = [("", 0, None, {})]
        seen: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            header = _ARRAY_HEADER.match(line) or _TABLE_HEADER.match(line)
            if header:
                name = _dotted(header.group(1))
                occurrence = seen.get(name, 0)
                seen[name] = occurrence + 1
                self.sections.append((name, occurrence, number, {}))
            elif key := _KEY.match(line):
                self.sections[-1][3].setdefault(_dotted(key.group(1)), number)

    def entry(self, table: str, index: int) -> tuple[int | None, dict[str, int]]:
        """Header line and key lines of the ``index``-th ``[[table]]``."""
        for name, occurrence, line, keys in self.sections:
            if name == table and occurrence == index:
                return line, keys
        return self.key(table), {}

    def key(self, path: str) -> int | None:
        """The line of a dotted key such as ``events.withdraw`` or ``weights.topic_clash``."""
        for name, _occurrence, line, keys in self.sections:
            if name == path:
                return line
            prefix = f"{name}." if name else ""
            if path.startswith(prefix) and path[len(prefix) :] in keys:
                return keys[path[len(prefix) :]]
        return None


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def parse_scenario(text: str, source: str = "scenario.toml") -> Scenario:
    """Parse scenario TOML ``text``; ``source`` names the file in messages. Raises DataErrors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        place = _DECODE_PLACE.search(message)
        row, column = (int(place.group(1)), int(place.group(2))) if place else (None, None)
        raise DataErrors([LoadError(SourceLocation(source, row, column), _DECODE_PLACE.sub("", message))]) from None
    lines = _Lines(text)
    errors: list[LoadError] = []

    def error(path: str, message: str) -> None:
        errors.append(LoadError(SourceLocation(source, row=lines.key(path), field=path), message))

    for key in sorted(set(data) - set(TOP_KEYS)):
        error(key, f"unknown key{_suggest(key, TOP_KEYS)}; a scenario knows {', '.join(TOP_KEYS)}")
    name = data.get("name", Path(source).stem)
    description = data.get("description", "")
    for key, value in (("name", name), ("description", description)):
        if not isinstance(value, str):
            error(key, f"expected text, got {value!r}")
    for group in ("rooms", "events", "speakers"):
        known = [a.partition(".")[2] for a in ACTIONS if a.startswith(group + ".")]
        container = data.get(group, {})
        if not isinstance(container, dict):
            error(group, f"expected a table of actions ({', '.join(known)})")
            continue
        for key in sorted(set(container) - set(known)):
            error(f"{group}.{key}", f"unknown action{_suggest(key, known)}; {group} knows {', '.join(known)}")
    actions: list[Action] = []
    for action in ACTIONS:
        for index, values, line, key_lines in _entries(data, action, lines, error):
            actions.append(_parse_entry(action, index, values, source, line, key_lines, errors))
    weights, weight_lines = _parse_weights(data.get("weights", {}), lines, error)
    if errors:
        raise DataErrors(errors)
    return Scenario(source, str(name), str(description), tuple(actions), weights, weight_lines, text)


def _entries(data: Mapping[str, Any], action: str, lines: _Lines, error: Callable[[str, str], None]) -> list:
    """The raw entries of one action: (index, table, header line, key lines)."""
    group, _, verb = action.partition(".")
    container = data.get(group) if verb else data
    if container is None:
        return []
    if not isinstance(container, dict):
        return []  # reported by parse_scenario
    raw = container.get(verb or action)
    if raw is None:
        return []
    if action == "events.withdraw":
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            error(action, "expected a list of event ids, e.g. withdraw = [\"SE014\"]")
            return []
        line = lines.key(action)
        return [(index, {"id": item}, line, {}) for index, item in enumerate(raw)]
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        error(action, f"expected an array of tables: write each entry under [[{action}]]")
        return []
    result = []
    for index, values in enumerate(raw):
        line, key_lines = lines.entry(action, index)
        result.append((index, values, line, key_lines))
    return result


def _parse_entry(action: str, index: int, raw: Mapping[str, Any], source: str, line: int | None,
                 key_lines: Mapping[str, int], errors: list[LoadError]) -> Action:
    """Type-check one entry against its action's fields."""
    spec = ACTIONS[action]
    entry = Action(action, index, {}, source, dict(key_lines), line)
    values: dict[str, Any] = {}
    for key in sorted(raw):
        parse = spec.fields.get(key)
        if parse is None:
            errors.append(LoadError(entry.at(key), f"unknown field{_suggest(key, spec.fields)}; "
                                                   f"{action} knows {', '.join(spec.fields)}"))
            continue
        try:
            values[key] = parse(raw[key])
        except _FieldError as problem:
            errors.append(LoadError(entry.at(key), str(problem)))
    for key in spec.required:
        if key not in raw:
            errors.append(LoadError(entry.at(), f"missing required field {key!r}"))
    if action in ("rooms.close", "unavailable"):
        _check_period_shape(entry, raw, errors)
    if action == "events.pin" and not ({"room", "start"} & set(raw)):
        errors.append(LoadError(entry.at(), "a pin needs a room, a start or both"))
    return replace(entry, values=values)


def _check_period_shape(entry: Action, raw: Mapping[str, Any], errors: list[LoadError]) -> None:
    """Exactly one of days, only_days or start+end; hours only with days or only_days."""
    shapes = [name for name in ("days", "only_days") if name in raw]
    if "start" in raw or "end" in raw:
        shapes.append("start/end")
        if not ("start" in raw and "end" in raw):
            errors.append(LoadError(entry.at(), "give both start and end"))
        if "hours" in raw:
            errors.append(LoadError(entry.at("hours"), "hours go with days or only_days, not with start/end"))
    if len(shapes) != 1:
        errors.append(LoadError(entry.at(), "give exactly one of days, only_days or start/end"
                                            + (f" (found {', '.join(shapes)})" if shapes else "")))


def _parse_weights(raw: Any, lines: _Lines, error: Callable[[str, str], None]) -> tuple[dict, dict]:
    if not isinstance(raw, dict):
        error("weights", "expected a table of term = weight")
        return {}, {}
    weights: dict[str, int] = {}
    where: dict[str, int] = {}
    for name in sorted(raw):
        path = f"weights.{name}"
        if name not in DEFAULT_WEIGHTS:
            error(path, f"unknown soft term{_suggest(name, DEFAULT_WEIGHTS)}; terms: {', '.join(DEFAULT_WEIGHTS)}")
            continue
        value = raw[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            error(path, f"expected a whole number of 0 or more, got {value!r}")
            continue
        weights[name] = value
        line = lines.key(path)
        if line is not None:
            where[name] = line
    return weights, where


def load_scenario(path: Path | str) -> Scenario:
    """Read and type-check a scenario file (TOML). Raises DataErrors naming the file, key and line."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise DataErrors([LoadError(source, f"cannot read the scenario: {error.strerror or error}")]) from None
    except UnicodeDecodeError:
        raise DataErrors([LoadError(source, "the scenario is not UTF-8 text")]) from None
    return parse_scenario(text, source)


# --- applying a scenario -----------------------------------------------------------------------------

Busy = dict[tuple[str, str], list[tuple[datetime, datetime]]]  # (kind, id) -> UTC intervals


class _Apply:
    """The mutable working copy of rooms, speakers and events while a scenario is applied, and its errors."""

    def __init__(self, problem: Problem, scenario: Scenario) -> None:
        self.base = problem
        self.scenario = scenario
        self.meeting = problem.meeting
        self.tz = ZoneInfo(problem.meeting.timezone)
        self.rooms: dict[str, Room] = {room.id: room for room in problem.rooms}
        self.speakers: dict[str, Speaker] = {speaker.id: speaker for speaker in problem.speakers}
        self.events: dict[str, SideEvent] = {event.id: event for event in problem.events}
        self.added: list[tuple[Unavailability, Action]] = []
        self.set_by: dict[str, dict[str, Action]] = {}  # event id -> field -> action that last set it
        self.withdrawn: dict[str, Action] = {}
        self.errors: list[LoadError] = []

    def error(self, where: SourceLocation, message: str) -> None:
        self.errors.append(LoadError(where, message))

    def zoned(self, moment: datetime) -> datetime:
        """A scenario datetime in the venue zone: naive means venue-local."""
        return moment.replace(tzinfo=self.tz) if moment.tzinfo is None else moment.astimezone(self.tz)

    def whole_days(self, days: Iterable[date], hours: tuple[time, time] | None) -> list[tuple[datetime, datetime]]:
        """Local periods covering each day (or its ``hours``)."""
        periods = []
        for day in sorted(set(days)):
            if hours:
                periods.append((local(day, hours[0], self.tz), local(day, hours[1], self.tz)))
            else:
                periods.append((local(day, time(0), self.tz), local(day + timedelta(days=1), time(0), self.tz)))
        return periods

    def meeting_days(self, entry: Action, key: str) -> tuple[date, ...] | None:
        """The entry's ``key`` list of days, all of which must be meeting days (None if not)."""
        days = entry.values.get(key, ())
        strangers = [d.isoformat() for d in days if d not in self.meeting.days]
        if strangers:
            span = f"{self.meeting.days[0]} to {self.meeting.days[-1]}" if self.meeting.days else "none"
            self.error(entry.at(key), f"{', '.join(strangers)} not among the meeting's days ({span})")
            return None
        return days

    def periods(self, entry: Action) -> list[tuple[datetime, datetime]]:
        """The local periods an entry with days, only_days or start/end describes."""
        values = entry.values
        if "start" in values and "end" in values:
            start, end = self.zoned(values["start"]), self.zoned(values["end"])
            if end.astimezone(UTC) <= start.astimezone(UTC):
                self.error(entry.at("end"), "must be after start")
                return []
            return [(start, end)]
        if "days" in values:
            days = self.meeting_days(entry, "days")
        else:
            excluded = self.meeting_days(entry, "only_days")
            days = None if excluded is None else tuple(d for d in self.meeting.days if d not in excluded)
        return [] if days is None else self.whole_days(days, values.get("hours"))

    def unknown(self, entry: Action, what: str, name: str, known: Iterable[str]) -> None:
        if what == "event" and name in self.withdrawn:
            self.error(entry.at("id"), f"event {name} was withdrawn by {self.withdrawn[name].key}")
            return
        self.error(entry.at("id"), f"unknown {what} {name!r}{_suggest(name, known)}")

    def mark(self, event_id: str, entry: Action, names: Iterable[str]) -> None:
        self.set_by.setdefault(event_id, {}).update({name: entry for name in names})


def _add_room(s: _Apply, entry: Action) -> None:
    values = dict(entry.values)
    room_id = values["id"]
    if room_id in s.rooms:
        s.error(entry.at("id"), f"room {room_id} already exists")
        return
    kind = values.get("kind", "physical")
    if kind == "physical" and values.get("capacity") is None:
        s.error(entry.at("capacity" if "capacity" in values else None), "a physical room needs a capacity")
        return
    if kind == "virtual" and values.get("hybrid"):
        s.error(entry.at("hybrid"), "only a physical room can be hybrid")
        return
    s.rooms[room_id] = Room(room_id, values["name"], kind, values.get("capacity") if kind == "physical" else None,
                            values.get("hybrid", False), values.get("building", ""))
    if "open_days" in values:
        open_days = s.meeting_days(entry, "open_days")
        if open_days is not None:
            closed = [d for d in s.meeting.days if d not in open_days]
            for start, end in s.whole_days(closed, None):
                s.added.append((Unavailability("room", room_id, start, end, "not open that day"), entry))


def _close_room(s: _Apply, entry: Action) -> None:
    room_id = entry.values["id"]
    if room_id not in s.rooms:
        s.unknown(entry, "room", room_id, s.rooms)
        return
    reason = entry.values.get("reason") or f"closed ({s.scenario.name})"
    for start, end in s.periods(entry):
        s.added.append((Unavailability("room", room_id, start, end, reason), entry))


def _add_speaker(s: _Apply, entry: Action) -> None:
    values = dict(entry.values)
    if values["id"] in s.speakers:
        s.error(entry.at("id"), f"speaker {values['id']} already exists")
        return
    values.setdefault("timezone", s.meeting.timezone)
    s.speakers[values["id"]] = Speaker(**values)


def _change_speaker(s: _Apply, entry: Action) -> None:
    speaker_id = entry.values["id"]
    if speaker_id not in s.speakers:
        s.unknown(entry, "speaker", speaker_id, s.speakers)
        return
    changes = {k: v for k, v in entry.values.items() if k != "id"}
    s.speakers[speaker_id] = replace(s.speakers[speaker_id], **changes)
    for event in s.events.values():
        if speaker_id in event.speakers:
            s.mark(event.id, entry, ("speakers",))


def _withdraw_event(s: _Apply, entry: Action) -> None:
    event_id = entry.values["id"]
    if event_id not in s.events:
        s.unknown(entry, "event", event_id, s.events)
        return
    del s.events[event_id]
    s.set_by.pop(event_id, None)
    s.withdrawn[event_id] = entry


def _event_values(s: _Apply, entry: Action) -> dict[str, Any]:
    values = {k: v for k, v in entry.values.items() if k != "id"}
    if values.get("start") is not None:
        values["start"] = s.zoned(values["start"])
    return values


def _add_event(s: _Apply, entry: Action) -> None:
    event_id = entry.values["id"]
    if event_id in s.events:
        s.error(entry.at("id"), f"event {event_id} already exists; use [[events.change]] to change it")
        return
    s.events[event_id] = SideEvent(id=event_id, **_event_values(s, entry))
    s.withdrawn.pop(event_id, None)
    s.mark(event_id, entry, entry.values)


def _change_event(s: _Apply, entry: Action) -> None:
    event_id = entry.values["id"]
    if event_id not in s.events:
        s.unknown(entry, "event", event_id, s.events)
        return
    s.events[event_id] = replace(s.events[event_id], **_event_values(s, entry))
    s.mark(event_id, entry, entry.values)


def _pin_event(s: _Apply, entry: Action) -> None:
    event_id = entry.values["id"]
    if event_id not in s.events:
        s.unknown(entry, "event", event_id, s.events)
        return
    room = entry.values.get("room")
    if room is not None and room not in s.rooms:
        s.error(entry.at("room"), f"unknown room {room!r}{_suggest(room, s.rooms)}")
        return
    changes = {k: v for k, v in _event_values(s, entry).items() if k in ("room", "start")}
    s.events[event_id] = replace(s.events[event_id], **changes)
    s.mark(event_id, entry, entry.values)


def _unavailable(s: _Apply, entry: Action) -> None:
    kind, who = entry.values["kind"], entry.values["id"]
    known = {"room": s.rooms, "speaker": s.speakers, "organizer": {e.organizer for e in s.events.values()}}[kind]
    if who not in known:
        s.unknown(entry, kind, who, sorted(known))
        return
    reason = entry.values.get("reason", "")
    for start, end in s.periods(entry):
        s.added.append((Unavailability(kind, who, start, end, reason), entry))


_APPLY: dict[str, Callable[[_Apply, Action], None]] = {
    "rooms.add": _add_room,
    "rooms.close": _close_room,
    "speakers.add": _add_speaker,
    "speakers.change": _change_speaker,
    "events.withdraw": _withdraw_event,
    "events.add": _add_event,
    "events.change": _change_event,
    "events.pin": _pin_event,
    "unavailable": _unavailable,
}


def apply_scenario(problem: Problem, scenario: Scenario) -> Problem:
    """A new Problem: ``problem`` with ``scenario`` applied (``problem`` is left as it was).

    Raises DataErrors, naming the scenario file and key, for unknown ids, duplicates, days outside the
    meeting, and events the changes leave with no possible place (a duration no run of slots holds,
    a pin into a closed room, a speaker who is never available...).
    """
    s = _Apply(problem, scenario)
    for entry in scenario.actions:
        _APPLY[entry.action](s, entry)
    weights = {**problem.meeting.weights, **scenario.weights}
    result = replace(
        problem,
        meeting=replace(problem.meeting, weights=weights),
        rooms=tuple(s.rooms.values()),
        speakers=tuple(s.speakers.values()),
        events=tuple(s.events.values()),
        unavailability=problem.unavailability + tuple(u for u, _ in s.added),
    )
    _validate(s, result)
    if s.errors:
        raise DataErrors(sorted(s.errors, key=lambda e: (e.location.row is None, e.location.row or 0)))
    return result


# --- re-validation -----------------------------------------------------------------------------------


def _validate(s: _Apply, problem: Problem) -> None:
    """Report what the scenario broke: event fields that no longer fit, events with no place at all."""
    busy = _busy(problem)
    base_busy: Busy | None = None
    for event in problem.events:
        touched = s.set_by.get(event.id)
        if touched:
            mistakes = _field_problems(s, problem, event)
            for fields_, message in mistakes:
                s.error(_blame(s, event.id, fields_), f"event {event.id}: {message}")
            if mistakes:
                continue
        found = _no_place(problem, event, busy)
        if found is None:
            continue
        reason, fields_ = found
        before = s.base.events_by_id.get(event.id)
        if before is not None and not (touched and any(name in touched for name in fields_)):
            base_busy = base_busy if base_busy is not None else _busy(s.base)
            if _no_place(s.base, before, base_busy) is not None:
                continue  # no place even without the scenario: a data problem, reported by solve/explain
        if touched:
            s.error(_blame(s, event.id, fields_), f"event {event.id} has no possible place: {reason}")
            continue
        culprit = _culprit(s, problem, event)
        where = culprit.at() if culprit else SourceLocation(s.scenario.path)
        s.error(where, f"leaves event {event.id} with no possible place: {reason}")


def _blame(s: _Apply, event_id: str, fields_: Iterable[str]) -> SourceLocation:
    """The key of the scenario that set the first of ``fields_`` on the event, else the entry."""
    touched = s.set_by[event_id]
    for name in fields_:
        if name in touched:
            entry = touched[name]
            return entry.at(name) if name in entry.values else entry.at()
    return list(touched.values())[-1].at()


def _field_problems(s: _Apply, problem: Problem, event: SideEvent) -> list[tuple[tuple[str, ...], str]]:
    """Field-level mistakes of an added or changed event (the loader's rules for events.csv)."""
    found: list[tuple[tuple[str, ...], str]] = []
    if event.format != "virtual" and event.attendance is None:
        found.append((("attendance", "format"), f"a {event.format} event needs an attendance"))
    for speaker_id in event.speakers:
        speaker = problem.speakers_by_id.get(speaker_id)
        if speaker is None:
            found.append((("speakers",), f"unknown speaker {speaker_id!r}{_suggest(speaker_id, s.speakers)}"))
        elif speaker.remote and event.format == "in_person":
            found.append((("format", "speakers"), f"speaker {speaker_id} is remote, so the event must be "
                                                  "hybrid or virtual, not in_person"))
    strangers = [d.isoformat() for d in event.preferred_days if d not in problem.meeting.days]
    if strangers:
        found.append((("preferred_days",), f"preferred days {', '.join(strangers)} are not meeting days"))
    return found


def _busy(problem: Problem) -> Busy:
    busy: Busy = {}
    for u in problem.unavailability:
        busy.setdefault((u.kind, u.id), []).append((u.start.astimezone(UTC), u.end.astimezone(UTC)))
    return busy


def _free(busy: Busy, kind: str, who: str, start: datetime, end: datetime) -> bool:
    return not any(overlaps(start, end, a, b) for a, b in busy.get((kind, who), ()))


def _no_place(problem: Problem, event: SideEvent, busy: Busy) -> tuple[str, tuple[str, ...]] | None:
    """Why ``event`` has no (room, start) obeying rules 2-4 and 7-10 on its own; None if it has one.

    Returns the reason and the event fields that could fix it, most likely first.
    """
    tz = ZoneInfo(problem.meeting.timezone)
    starts: list[datetime] = []
    for day_slots in problem.slots_by_day.values():
        for index, slot in enumerate(day_slots):
            if occupied_slots(day_slots, index, event.duration, event.format):
                starts.append(slot.start)
    if not starts:
        return f"no run of slots open to {event.format} events holds {event.duration} minutes", ("duration", "format")
    if event.start is not None:
        pinned = event.start.astimezone(UTC)
        starts = [start for start in starts if start.astimezone(UTC) == pinned]
        if not starts:
            shown = event.start.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            return (f"a {event.duration}-minute {event.format} event cannot start at {shown} "
                    "(not a slot start, or the slots from there do not hold it)", ("start", "duration", "format"))
    if event.room is not None:
        room = problem.rooms_by_id.get(event.room)
        if room is None:
            return f"pinned room {event.room!r} does not exist", ("room",)
        if not room.accepts_format(event.format):
            return f"room {room.id} cannot host a {event.format} event", ("room", "format")
        if not room.is_virtual and (room.capacity or 0) < (event.attendance or 0):
            return f"room {room.id} seats {room.capacity}, the event expects {event.attendance}", ("room", "attendance")
        rooms = [room]
    else:
        rooms = [r for r in problem.rooms if r.accepts_format(event.format)
                 and (r.is_virtual or (r.capacity or 0) >= (event.attendance or 0))]
        if not rooms:
            return f"no room takes a {event.format} event of {event.attendance} people", ("format", "attendance")
    usable = []
    causes: set[str] = set()
    for start in starts:
        end = event_end(start, event.duration)
        if any(event.format in p.formats and overlaps(start, end, p.start, p.end) for p in problem.blocked):
            causes.add("blocked periods")
            continue
        late = event_speakers_fit(problem, event, start, end)
        if late is not None:
            causes.add(f"remote speaker {late.id}'s hours")
            continue
        away = [who for who in event.speakers if not _free(busy, "speaker", who, start, end)]
        if away:
            causes.add(f"speaker {away[0]} unavailable")
        elif not _free(busy, "organizer", event.organizer, start, end):
            causes.add(f"organizer {event.organizer} unavailable")
        else:
            usable.append((start, end))
    if not usable:
        return f"every possible start is ruled out ({'; '.join(sorted(causes))})", ("speakers", "start", "duration")
    if any(_free(busy, "room", room.id, start, end) for start, end in usable for room in rooms):
        return None
    names = ", ".join(room.id for room in rooms[:5]) + (" ..." if len(rooms) > 5 else "")
    when = (f"at its pinned start {event.start.astimezone(tz):%Y-%m-%d %H:%M}" if event.start is not None
            else "at every possible start")
    return f"room{'s' if len(rooms) > 1 else ''} {names} closed {when}", ("room", "start")


def _culprit(s: _Apply, problem: Problem, event: SideEvent) -> Action | None:
    """The first scenario entry that takes a resource away from an event it did not name."""
    rooms = {event.room} if event.room else {r.id for r in problem.rooms if r.accepts_format(event.format)}
    for unavailability, entry in s.added:
        kind, who = unavailability.kind, unavailability.id
        if ((kind == "room" and who in rooms) or (kind == "speaker" and who in event.speakers)
                or (kind == "organizer" and who == event.organizer)):
            return entry
    return None


def describe(scenario: Scenario) -> list[str]:
    """One line per action, in a planner's words (what ``validate --scenario`` prints)."""
    lines = [f"{entry.key}: {_describe(entry.action, entry.values)}" + (
        f" ({entry.values['reason']})" if entry.values.get("reason") else "") for entry in scenario.actions]
    if scenario.weights:
        lines.append("weights: " + ", ".join(f"{k} = {w}" for k, w in sorted(scenario.weights.items())))
    return lines


def _describe(action: str, v: Mapping[str, Any]) -> str:
    if action == "rooms.add":
        seats = f" ({v['capacity']} seats{', hybrid' if v.get('hybrid') else ''})" if v.get("capacity") else ""
        days = f", open {', '.join(d.isoformat() for d in v['open_days'])}" if "open_days" in v else ""
        return f"add {v.get('kind', 'physical')} room {v['id']}{seats}{days}"
    if action == "rooms.close":
        return f"close room {v['id']} {_when(v)}"
    if action == "unavailable":
        return f"{v['kind']} {v['id']} unavailable {_when(v)}"
    if action == "speakers.add":
        return f"add speaker {v['id']}" + (" (remote)" if v.get("remote") else "")
    if action == "events.withdraw":
        return f"withdraw event {v['id']}"
    if action == "events.add":
        return f"add event {v['id']} ({v.get('format')}, {v.get('duration')} min, {v.get('organizer')})"
    verb = {"speakers.change": "change speaker", "events.change": "change event", "events.pin": "pin event"}[action]
    return f"{verb} {v['id']}: {_changes(v)}"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, (date, time, datetime)):
        return value.isoformat()
    return '""' if value is None else str(value)


def _changes(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} = {_show(v)}" for k, v in values.items() if k != "id")


def _when(values: Mapping[str, Any]) -> str:
    hours = values.get("hours")
    daily = f" {hours[0].strftime('%H:%M')}-{hours[1].strftime('%H:%M')}" if hours else ""
    if "days" in values:
        return "on " + ", ".join(d.isoformat() for d in values["days"]) + daily
    if "only_days" in values:
        return "except on " + ", ".join(d.isoformat() for d in values["only_days"]) + daily
    if "start" in values:
        return f"from {_show(values['start'])} to {_show(values.get('end'))}"
    return ""
