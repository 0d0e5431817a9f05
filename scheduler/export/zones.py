"""VTIMEZONE components whose onsets follow RFC 5545 3.6.5.

icalendar's ``Timezone.from_tzid`` finds each offset change by walking wall-clock time and writes
the first wall time that shows the new offset as the onset. RFC 5545 defines the onset as a local
time in the offset *before* the change (``DTSTART`` combined with ``TZOFFSETFROM``), so every
spring-forward onset comes out one step late (03:00 instead of 02:00 in Vienna) and clients that
follow the RFC move the change by that step. We keep the library's observances, names and offsets,
and correct only the onset times against zoneinfo; the library's COMMENT line is dropped because
libical's restriction checker rejects COMMENT in a VTIMEZONE.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Timezone

SEARCH = timedelta(days=1)  # the true change lies within a day of the library's onset


def vtimezone(tzid: str, first: date, last: date) -> Timezone:
    """A VTIMEZONE for ``tzid`` covering ``first`` to ``last``, with RFC 5545 onsets and no COMMENT."""
    component = Timezone.from_tzid(tzid, first_date=first, last_date=last)
    component.pop("COMMENT", None)
    zone = ZoneInfo(tzid)
    for observance in component.subcomponents:
        before = observance["TZOFFSETFROM"].td
        after = observance["TZOFFSETTO"].td
        if before == after:
            continue  # the opening observance: no change happens at its DTSTART
        observance.DTSTART = onset(zone, observance.DTSTART, before, after)
        if "RDATE" in observance:
            rdates = observance.pop("RDATE")
            moments = [moment.dt for entry in (rdates if isinstance(rdates, list) else [rdates])
                       for moment in entry.dts]
            observance.add("RDATE", [onset(zone, moment, before, after) for moment in moments])
    return component


def onset(zone: ZoneInfo, near: datetime, before: timedelta, after: timedelta) -> datetime:
    """The RFC 5545 onset (local time in the ``before`` offset) of the change near ``near`` in ``zone``."""
    low = (near.replace(tzinfo=None) - after - SEARCH).replace(tzinfo=timezone.utc)
    high = low + 3 * SEARCH
    if _offset(zone, low) != before or _offset(zone, high) != after:
        raise RuntimeError(f"{zone.key}: no change from {before} to {after} near {near:%Y-%m-%d %H:%M}")
    # bisection on whole seconds: zone data changes offsets on whole seconds
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) // 2
        middle = middle.replace(microsecond=0)
        if _offset(zone, middle) == before:
            low = middle
        else:
            high = middle
    return (high + before).replace(tzinfo=None)


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    offset = moment.astimezone(zone).utcoffset()
    assert offset is not None
    return offset
