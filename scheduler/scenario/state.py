"""The working copy of a Problem while a scenario is applied: rooms, speakers, events, and the errors found."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from ..errors import LoadError, SourceLocation, suggest
from ..grid import local
from ..model import Problem, Room, SideEvent, Speaker, Unavailability
from .parse import Action, Scenario

UTC = timezone.utc


class Working:
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
        """Record a mistake at ``where``; all are raised together at the end."""
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
        """Record an id the entry names that does not exist (or was withdrawn earlier)."""
        if what == "event" and name in self.withdrawn:
            self.error(entry.at("id"), f"event {name} was withdrawn by {self.withdrawn[name].key}")
            return
        self.error(entry.at("id"), f"unknown {what} {name!r}{suggest(name, known)}")

    def mark(self, event_id: str, entry: Action, names: Iterable[str]) -> None:
        """Remember that ``entry`` set these fields of the event, to blame it for what they break."""
        self.set_by.setdefault(event_id, {}).update({name: entry for name in names})

