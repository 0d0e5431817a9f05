"""How a schedule looks as a programme: where its tracks are, its nights, its people's conflicts.

Plain Python over a finished Schedule, like ``score.py`` (no solver imports): what ``compare`` shows
beside the soft terms, so a timetable of ours and a human one can be read side by side in the terms a
programme committee uses. Only the measures a meeting has something to measure for are given: track
measures when some event has a track, the comfort hours' when the meeting has them, host conflicts
when some event has a host or moderator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone

from .grid import within_local_hours
from .model import Assignment, Problem, Schedule, SideEvent

Placed = list[tuple[Assignment, SideEvent]]

ROOMS_PER_TRACK = "rooms per track (mean)"
MOST_ROOMS = "rooms per track (most)"
DAYS_PER_TRACK = "days per track (mean)"
SWITCHES = "track switches within a room"
OUTSIDE = "events outside the comfort hours"
SPEAKER_CONFLICTS = "speaker conflicts"
HOST_CONFLICTS = "host conflicts"


def applies(problem: Problem) -> bool:
    """Whether the meeting uses anything these measures are about (tracks, comfort hours, hosts)."""
    return any(e.track or e.hosts or e.moderators for e in problem.events) or \
        problem.meeting.comfort_hours is not None


def measures(problem: Problem, schedule: Schedule) -> dict[str, float]:
    """The programme measures of ``schedule`` (see the module's doc for which apply), by name."""
    placed = [(a, problem.events_by_id[a.event_id]) for a in schedule.scheduled if a.event_id in problem.events_by_id]
    found: dict[str, float] = {}
    tracks: dict[str, tuple[set[str], set[date]]] = {}
    for assignment, event in placed:
        if event.track:
            rooms, days = tracks.setdefault(event.track, (set(), set()))
            rooms.add(assignment.room or "")
            days.add(_day(problem, assignment))
    if any(e.track for e in problem.events):
        found[ROOMS_PER_TRACK] = round(sum(len(r) for r, _ in tracks.values()) / max(1, len(tracks)), 2)
        found[MOST_ROOMS] = max((len(r) for r, _ in tracks.values()), default=0)
        found[DAYS_PER_TRACK] = round(sum(len(d) for _, d in tracks.values()) / max(1, len(tracks)), 2)
        found[SWITCHES] = _switches(problem, placed)
    window, tz = problem.meeting.comfort_hours, problem.meeting.tz
    if window is not None:
        found[OUTSIDE] = sum(1 for assignment, _ in placed
                             if not within_local_hours(_start(assignment), _end(assignment), tz, window))
    found[SPEAKER_CONFLICTS] = _conflicts(placed, lambda event: event.speakers)
    if any(e.hosts or e.moderators for e in problem.events):
        found[HOST_CONFLICTS] = _conflicts(placed, lambda event: (*event.hosts, *event.moderators))
    return found


def _day(problem: Problem, assignment: Assignment) -> date:
    assert assignment.start is not None
    return problem.meeting.day_of(assignment.start)


def _start(assignment: Assignment) -> datetime:
    assert assignment.start is not None
    return assignment.start.astimezone(timezone.utc)


def _end(assignment: Assignment) -> datetime:
    assert assignment.end is not None
    return assignment.end


def _switches(problem: Problem, placed: Placed) -> int:
    """Per room and meeting day, in start order: consecutive events whose tracks differ (no track is one too)."""
    runs: dict[tuple[str, date], list[tuple[datetime, str]]] = {}
    for assignment, event in placed:
        runs.setdefault((assignment.room or "", _day(problem, assignment)), []).append(
            (_start(assignment), event.track))
    return sum(1 for run in runs.values() for (_, a), (_, b) in zip(sorted(run), sorted(run)[1:], strict=False)
               if a != b)


def _conflicts(placed: Placed, people: Callable[[SideEvent], Iterable[str]]) -> int:
    """Pairs of overlapping events that share a person of ``people(event)``, counted per person."""
    by_person: dict[str, list[tuple[datetime, datetime]]] = {}
    for assignment, event in placed:
        for person in dict.fromkeys(people(event)):
            by_person.setdefault(person, []).append((_start(assignment), _end(assignment).astimezone(timezone.utc)))
    return sum(_overlapping(intervals) for intervals in by_person.values())


def _overlapping(intervals: Iterable[tuple[datetime, datetime]]) -> int:
    items = sorted(intervals)
    return sum(1 for i, (_, end) in enumerate(items) for begin, _ in items[i + 1:] if begin < end)
