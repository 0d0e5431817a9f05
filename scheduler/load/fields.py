"""Parse one cell of the input: a whole number, a boolean, a list, a time, a date, a datetime, a zone.

Each parser takes the cell's text (already stripped) and its :class:`SourceLocation`, and returns
the value or raises :class:`LoadError` at that place. :class:`Report` collects those errors so the
loader can go on and find all of them before raising :class:`DataErrors` once.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import DataErrors, DataWarning, LoadError, SourceLocation, suggest

T = TypeVar("T")

TRUE_WORDS = frozenset({"true", "yes", "1"})
FALSE_WORDS = frozenset({"false", "no", "0"})
LIST_SEPARATOR = ";"
LOCAL_DATETIME = "a local date and time YYYY-MM-DDTHH:MM"

_INT = re.compile(r"[+-]?[0-9]+")
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[T ](?P<time>[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)"
    r"(?P<offset>Z|[+-][0-9]{2}:?[0-9]{2})?"
)


def parse_int(text: str, where: SourceLocation, *, minimum: int = 0, maximum: int | None = None,
              what: str = "a whole number") -> int:
    """A whole number in ``minimum..maximum``; ``what`` names the unit in the message (``minutes``)."""
    if not _INT.fullmatch(text):
        raise LoadError(where, f"expected {what}, got {text!r}")
    value = int(text)
    if maximum is not None and not minimum <= value <= maximum:
        raise LoadError(where, f"must be from {minimum} to {maximum}, got {value}")
    if value < minimum:
        raise LoadError(where, f"must be {minimum} or more, got {value}")
    return value


def parse_bool(text: str, where: SourceLocation) -> bool:
    """true/false, yes/no or 1/0 in any case."""
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise LoadError(where, f"expected true/false, yes/no or 1/0, got {text!r}")


def parse_list(text: str) -> tuple[str, ...]:
    """A ``;``-separated list; items are stripped and empty items dropped (``a; ;b`` is two items)."""
    if not text:
        return ()
    return tuple(item for item in (part.strip() for part in text.split(LIST_SEPARATOR)) if item)


def parse_time(text: str, where: SourceLocation) -> time:
    """A time of day ``HH:MM`` (``H:MM`` and ``HH:MM:SS`` are accepted too)."""
    match = _TIME.fullmatch(text)
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
    raise LoadError(where, f"expected a time HH:MM, got {text!r}")


def parse_date(text: str, where: SourceLocation) -> date:
    """An ISO date ``YYYY-MM-DD``."""
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise LoadError(where, f"no such date: {text!r}") from None
    raise LoadError(where, f"expected a date YYYY-MM-DD, got {text!r}")


def parse_datetime(text: str, where: SourceLocation, tz: ZoneInfo, *, shape: str = LOCAL_DATETIME,
                   skipped_forward: bool = False) -> datetime:
    """A local ISO datetime ``YYYY-MM-DDTHH:MM`` in ``tz`` (or with an explicit offset), aware, in ``tz``.

    A wall-clock time that does not exist in ``tz`` (skipped by a clock change) is an error, or with
    ``skipped_forward`` the instant the clocks jump to. ``shape`` is what the message says was expected.
    """
    match = _DATETIME.fullmatch(text)
    if not match:
        raise LoadError(where, f"expected {shape}, got {text!r}")
    day = parse_date(match["date"], where)
    at = parse_time(match["time"], where)
    offset = match["offset"]
    if offset:
        zone: tzinfo = timezone.utc if offset == "Z" else _fixed_offset(offset, where)
        return datetime.combine(day, at, tzinfo=zone).astimezone(tz)
    result = datetime.combine(day, at, tzinfo=tz)
    if skipped_forward:  # via UTC, so a wall time that does not exist comes out normalised
        return result.astimezone(timezone.utc).astimezone(tz)
    if result.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None) != result.replace(tzinfo=None):
        raise LoadError(where, f"{text} does not exist in {tz.key} (the clocks skip it)")
    return result


def _fixed_offset(offset: str, where: SourceLocation) -> timezone:
    """``+02:00`` / ``-0530`` as a fixed zone."""
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise LoadError(where, f"bad UTC offset {offset!r}")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if offset[0] == "-" else delta)


def parse_zone(text: str, where: SourceLocation) -> str:
    """An IANA time zone name (``Europe/Vienna``) that zoneinfo knows; returns the name."""
    if not _zone_exists(text):
        raise LoadError(where, f"unknown time zone {text!r} (expected an IANA name such as Europe/Vienna)")
    return text


@lru_cache(maxsize=512)
def _zone_exists(name: str) -> bool:
    """Whether zoneinfo can load ``name``."""
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def parse_enum(text: str, where: SourceLocation, choices: Iterable[str], *, what: str = "value") -> str:
    """One of ``choices`` (matched in any case); returns the canonical spelling."""
    options = tuple(choices)
    lowered = text.lower()
    for option in options:
        if option == lowered:
            return option
    raise LoadError(where, f"unknown {what} {text!r}{suggest(lowered, options)}; expected one of {', '.join(options)}")


def format_time(at: time) -> str:
    """``HH:MM``, or ``HH:MM:SS`` when there are seconds: the text form the loader reads back."""
    return at.strftime("%H:%M:%S" if at.second else "%H:%M")


class Report:
    """Collects every LoadError of one load, and emits warnings as they are found."""

    def __init__(self) -> None:
        self.errors: list[LoadError] = []
        self._rank: dict[tuple[str, str | None], int] = {}  # (file, sheet) -> reading order

    def error(self, where: SourceLocation, message: str) -> None:
        """Record one error at ``where``."""
        self.add(LoadError(where, message))

    def add(self, error: LoadError) -> None:
        """Record an error raised by a parser."""
        self._rank.setdefault((error.location.path, error.location.sheet), len(self._rank))
        self.errors.append(error)

    def warn(self, where: SourceLocation, message: str) -> None:
        """Emit a DataWarning ``place: message``."""
        warnings.warn(DataWarning(f"{where}: {message}"), stacklevel=3)

    def parse(self, parser: Callable[..., T], text: str, where: SourceLocation, *args: object,
              **kwargs: object) -> T | None:
        """``parser(text, where, ...)``, or None after recording its error."""
        try:
            return parser(text, where, *args, **kwargs)
        except LoadError as error:
            self.add(error)
            return None

    def register(self, path: str, sheet: str | None = None) -> None:
        """Note a source file (or a sheet of a workbook) so its errors sort in reading order."""
        self._rank.setdefault((path, sheet), len(self._rank))

    def raise_if_any(self) -> None:
        """Raise DataErrors with every error, in file order, then row and column; no duplicates."""
        if not self.errors:
            return
        seen: set[str] = set()
        unique: list[LoadError] = []
        for error in self.errors:
            if str(error) not in seen:
                seen.add(str(error))
                unique.append(error)

        def order(error: LoadError) -> tuple[int, int, int]:
            where = error.location
            return (self._rank.get((where.path, where.sheet), len(self._rank)), where.row or 0, where.column or 0)

        raise DataErrors(sorted(unique, key=order))
