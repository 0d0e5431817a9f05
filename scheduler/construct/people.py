"""People around the placement: organizers and speakers who are never in two places at once, remote
speakers whose zones and hours hold their events, and unavailability only in time they have free.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from ..grid import local, within_local_hours
from ..model import Meeting, Unavailability
from .plan import Blueprint, Placed

UTC = timezone.utc
# Personal hours a remote speaker may state instead of the meeting's remote_hours (one runs past midnight).
CUSTOM_WINDOWS: tuple[tuple[str, str], ...] = (
    ("08:00", "18:00"),
    ("09:00", "17:30"),
    ("06:00", "23:00"),
    ("10:00", "21:00"),
    ("05:30", "13:00"),
    ("18:00", "01:00"),
)
# Venue-local windows for derived unavailability; the first is a whole meeting day.
SPEAKER_AWAY: tuple[tuple[str, str], ...] = (("07:00", "22:00"), ("07:00", "12:00"), ("12:00", "16:00"))
ORGANIZER_BUSY: tuple[tuple[str, str], ...] = (("12:00", "15:00"), ("08:00", "10:00"), ("17:00", "20:00"))
SPEAKER_AWAY_REASONS = ("Travelling", "Other commitments", "National holiday", "Attending another meeting")
ORGANIZER_BUSY_REASONS = (
    "Bilateral meetings", "Delegation coordination meeting", "Reception", "Informal consultations",
)
EMAIL_DOMAINS = ("example.org", "example.net", "example.com")

@dataclass
class Person:
    """A speaker while being built; ``zone`` is empty for someone at the venue whose zone is left blank."""

    name: str
    zone: str
    remote: bool
    window: tuple[time, time] | None = None
    email: str = ""


class Hours:
    """Rule 8 answers, cached: many events share the same interval and many speakers the same zone."""

    def __init__(self, default: tuple[time, time]) -> None:
        self.default = default
        self._zones: dict[str, ZoneInfo] = {}
        self._answers: dict[tuple[datetime, datetime, str, tuple[time, time]], bool] = {}

    def fit(self, start: datetime, end: datetime, zone: str, window: tuple[time, time] | None = None) -> bool:
        """True when [start, end) lies inside ``window`` (default: remote_hours) in ``zone``."""
        key = (start, end, zone, window or self.default)
        answer = self._answers.get(key)
        if answer is None:
            tz = self._zones.get(zone) or self._zones.setdefault(zone, ZoneInfo(zone))
            answer = self._answers[key] = within_local_hours(start, end, tz, key[3])
        return answer


class Calendar:
    """Busy intervals (UTC) per person or organizer, to keep everyone in one place at a time."""

    def __init__(self) -> None:
        self._busy: dict[object, list[tuple[datetime, datetime]]] = {}

    def free(self, key: object, start: datetime, end: datetime) -> bool:
        """True when ``key`` has nothing overlapping [start, end)."""
        busy = self._busy.get(key)
        if not busy:
            return True
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        return not any(start < e and s < end for s, e in busy)

    def add(self, key: object, start: datetime, end: datetime) -> None:
        """Mark [start, end) busy for ``key``."""
        self._busy.setdefault(key, []).append((start.astimezone(UTC), end.astimezone(UTC)))

    def days(self, key: object, tz: ZoneInfo) -> list[date]:
        """The venue-local days on which ``key`` is busy."""
        return sorted({s.astimezone(tz).date() for s, _ in self._busy.get(key, ())})


def assign_organizers(
    blueprint: Blueprint,
    placed: list[Placed],
    organizers: Calendar,
    rng: random.Random,
    organizer_name: Callable[[], str] | None,
) -> None:
    """Give every event without one an organizer: one already hosting and free then, or a new one."""
    known = list(dict.fromkeys(p.organizer for p in placed if p.organizer))
    for p in placed:
        if p.organizer:
            continue
        chosen = ""
        if known and rng.random() < blueprint.organizer_reuse:
            for _ in range(6):
                candidate = known[rng.randrange(len(known))]
                if organizers.free(candidate, p.start, p.end):
                    chosen = candidate
                    break
        if not chosen:
            if organizer_name is None:
                raise ValueError(f"event {p.seed.id} has no organizer and no organizer_name was given")
            chosen = organizer_name()
            known.append(chosen)
        p.organizer = chosen
        organizers.add(chosen, p.start, p.end)


def assign_speakers(
    blueprint: Blueprint, placed: list[Placed], rng: random.Random, person_name: Callable[[], str]
) -> tuple[list[Person], Calendar]:
    """Give each event speakers who are free then; remote ones only where their hours contain the event."""
    meeting = blueprint.meeting
    people: list[Person] = []
    calendar = Calendar()
    pools: dict[bool, list[int]] = {False: [], True: []}
    zone_uses: dict[str, int] = {zone: 0 for zone, _ in blueprint.zones}
    remote_share = dict(blueprint.remote_share)
    hours = Hours(meeting.remote_hours)
    counts = [c for c, _ in blueprint.speaker_counts]
    weights = [w for _, w in blueprint.speaker_counts]
    for p in placed:
        wanted = rng.choices(counts, weights)[0]
        if p.format == "virtual":
            wanted = max(1, wanted)
        for _ in range(wanted):
            remote = p.format != "in_person" and rng.random() < remote_share.get(p.format, 0.0)
            reuse = blueprint.remote_reuse if remote else blueprint.local_reuse
            chosen = None
            if pools[remote] and rng.random() < reuse:
                for _ in range(8):
                    candidate = pools[remote][rng.randrange(len(pools[remote]))]
                    if candidate not in p.speakers and calendar.free(candidate, p.start, p.end) and (
                        not remote or hours.fit(p.start, p.end, people[candidate].zone, people[candidate].window)
                    ):
                        chosen = candidate
                        break
            if chosen is None:
                person = _new_person(blueprint, p, remote, zone_uses, hours, rng, person_name)
                chosen = len(people)
                people.append(person)
                pools[person.remote].append(chosen)
            p.speakers.append(chosen)
            calendar.add(chosen, p.start, p.end)
    return people, calendar


def _new_person(
    blueprint: Blueprint,
    p: Placed,
    remote: bool,
    zone_uses: dict[str, int],
    hours: Hours,
    rng: random.Random,
    person_name: Callable[[], str],
) -> Person:
    """A new speaker for ``p``: remote in a zone whose hours contain it (least-used zones favoured), else local."""
    meeting = blueprint.meeting
    name = person_name()
    email = _email(name, rng) if rng.random() < blueprint.email_share else ""
    if remote:
        zones = [(z, w) for z, w in blueprint.zones if hours.fit(p.start, p.end, z)]
        if zones:
            zone = rng.choices([z for z, _ in zones], [w / (1 + zone_uses[z]) for z, w in zones])[0]
            zone_uses[zone] += 1
            person = Person(name, zone, True, email=email)
            if rng.random() < blueprint.custom_window_share:
                options = list(CUSTOM_WINDOWS)
                rng.shuffle(options)
                for earliest, latest in options:
                    window = (time.fromisoformat(earliest), time.fromisoformat(latest))
                    if hours.fit(p.start, p.end, zone, window):
                        person.window = window
                        break
            return person
    zone = "" if rng.random() < blueprint.blank_zone_share else meeting.timezone
    return Person(name, zone, False, email=email)


def _email(name: str, rng: random.Random) -> str:
    """A plausible address on a reserved example domain, ASCII only."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    parts = [part for part in "".join(c if c.isalnum() else " " for c in ascii_name).split() if part]
    local_part = ".".join(parts[-2:]) if parts else "speaker"
    return f"{local_part}@{rng.choice(EMAIL_DOMAINS)}"


def derive_unavailability(
    kind: str,
    ids: list[str],
    keys: list[object],
    calendar: Calendar,
    count: int,
    windows: Sequence[tuple[str, str]],
    reasons: Sequence[str],
    meeting: Meeting,
    rng: random.Random,
    *,
    free_day_first: bool,
) -> list[Unavailability]:
    """Up to ``count`` rows for busy people or organizers, each in time that the placement leaves free.

    ``free_day_first`` tries days without any of their events first (whole-day absences); otherwise days
    with events come first, so the row rules out real alternatives.
    """
    busy = [i for i, key in enumerate(keys) if calendar.days(key, meeting.tz)]
    rng.shuffle(busy)
    rows: list[Unavailability] = []
    for i in busy:
        if len(rows) >= count:
            break
        days = list(meeting.days)
        rng.shuffle(days)
        busy_days = set(calendar.days(keys[i], meeting.tz))
        days.sort(key=lambda d: (d in busy_days) == free_day_first)
        found = None
        for day in days:
            for first, last in windows:
                start = local(day, time.fromisoformat(first), meeting.tz)
                end = local(day, time.fromisoformat(last), meeting.tz)
                if calendar.free(keys[i], start, end):
                    found = (start, end)
                    break
            if found:
                break
        if found:
            rows.append(Unavailability(kind, ids[i], found[0], found[1], rng.choice(reasons)))
    return rows
