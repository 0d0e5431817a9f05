"""The scenario's vocabulary: every action, the fields it takes and the parsers that type-check them.

The parsers are problem-independent; each raises ``ValueProblem`` with a message saying what was expected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..model import FORMATS, ROOM_KINDS, UNAVAILABILITY_KINDS, VISIBILITIES


class ValueProblem(ValueError):
    """A value of the wrong type or out of range; the message says what was expected."""


# --- value parsers (problem-independent) -------------------------------------------------------------


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueProblem(f"expected text, got {value!r}")
    return value.strip()


def _ident(value: Any) -> str:
    text = _text(value)
    if not text:
        raise ValueProblem("must not be empty")
    return text


def _choice(options: Iterable[str]) -> Callable[[Any], str]:
    allowed = tuple(options)

    def parse(value: Any) -> str:
        text = _text(value).lower()
        if text not in allowed:
            raise ValueProblem(f"expected one of {', '.join(allowed)}, got {value!r}")
        return text

    return parse


def _integer(low: int, high: int | None, what: str) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueProblem(f"expected {what}, got {value!r}")
        if value < low or (high is not None and value > high):
            raise ValueProblem(f"expected {what}, got {value}")
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
    raise ValueProblem(f"expected true or false, got {value!r}")


def _list(parse: Callable[[Any], Any]) -> Callable[[Any], tuple]:
    """A TOML array, or a ``;``-separated string as in events.csv."""

    def parse_list(value: Any) -> tuple:
        if isinstance(value, str):
            value = [part for part in (p.strip() for p in value.split(";")) if part]
        if not isinstance(value, list):
            raise ValueProblem(f"expected a list, got {value!r}")
        return tuple(parse(item) for item in value)

    return parse_list


def _date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        raise ValueProblem(f"expected a date such as 2022-05-18, got {value!r}") from None


def _time(value: Any) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(_text(value))
    except ValueError:
        raise ValueProblem(f"expected a time such as 13:10, got {value!r}") from None


def _datetime(value: Any) -> datetime:
    """A local datetime (naive: venue time) or one with an offset; zoned by ``apply_scenario``."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(_text(value))
    except ValueError:
        raise ValueProblem(f"expected a local datetime such as 2022-05-18T13:10, got {value!r}") from None


def _zone(value: Any) -> str:
    name = _ident(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueProblem(f"unknown IANA time zone {name!r}") from None
    return name


def _hours(value: Any) -> tuple[time, time]:
    pair = _list(_time)(value)
    if len(pair) != 2 or pair[1] <= pair[0]:
        raise ValueProblem(f"expected [start, end] such as [\"13:00\", \"15:00\"], got {value!r}")
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

