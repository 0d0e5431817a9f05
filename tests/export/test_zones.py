"""VTIMEZONE onsets read the RFC 5545 way (DTSTART in TZOFFSETFROM) match zoneinfo's every change."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from scheduler.export.zones import vtimezone

# Casablanca leaves standard time for about five weeks each Ramadan; icalendar's search walks in
# 64-day steps and misses both changes, so the library's observances lack them (strict xfail: the
# day the library finds them, this test says so).
SKIPS_SHORT_PERIODS = pytest.mark.xfail(strict=True, reason="icalendar's from_tzid misses Ramadan's short period")
ZONES = ["Europe/Vienna", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe", "America/Santiago",
         pytest.param("Africa/Casablanca", marks=SKIPS_SHORT_PERIODS), "Asia/Tehran", "Pacific/Apia",
         "Asia/Kolkata", "Europe/Dublin"]
FIRST, LAST = date(2021, 1, 1), date(2028, 1, 1)


def _changes(zone: ZoneInfo) -> set[datetime]:
    """Every UTC instant in [FIRST, LAST) where the zone's offset changes, found by scanning."""
    found = set()
    moment = datetime(FIRST.year, 1, 1, tzinfo=timezone.utc)
    end = datetime(LAST.year, 1, 1, tzinfo=timezone.utc)
    step = timedelta(minutes=15)
    previous = moment.astimezone(zone).utcoffset()
    while moment < end:
        moment += step
        offset = moment.astimezone(zone).utcoffset()
        if offset != previous:
            found.add(moment)  # every change of these zones falls on a quarter hour in UTC
            previous = offset
    return found


def _onsets(text: bytes) -> set[datetime]:
    """Onsets as RFC 5545 defines them: each DTSTART / RDATE local time minus TZOFFSETFROM, in UTC."""
    component = Calendar.from_ical(b"BEGIN:VCALENDAR\r\n" + text + b"END:VCALENDAR\r\n").subcomponents[0]
    result = set()
    for observance in component.subcomponents:
        before, after = observance["TZOFFSETFROM"].td, observance["TZOFFSETTO"].td
        if before == after:
            continue
        locals_ = [observance.DTSTART]
        rdates = observance.get("RDATE", [])
        for entry in rdates if isinstance(rdates, list) else [rdates]:
            locals_ += [moment.dt for moment in entry.dts]
        result |= {(local.replace(tzinfo=None) - before).replace(tzinfo=timezone.utc) for local in locals_}
    return result


@pytest.mark.parametrize("tzid", ZONES)
def test_every_change_has_its_rfc_onset(tzid: str) -> None:
    text = vtimezone(tzid, FIRST, LAST).to_ical()
    assert _onsets(text) == _changes(ZoneInfo(tzid))


def test_vienna_spring_onset_is_two_oclock_and_autumn_three() -> None:
    text = vtimezone("Europe/Vienna", date(2026, 1, 1), date(2027, 1, 1)).to_ical().decode()
    assert "DTSTART:20260329T020000\r\nTZNAME:CEST" in text
    assert "DTSTART:20261025T030000\r\nTZNAME:CET" in text


def test_no_comment_line() -> None:
    assert b"COMMENT" not in vtimezone("Europe/Vienna", FIRST, LAST).to_ical()
