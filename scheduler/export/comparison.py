"""The comparison page: what ``scheduler compare`` prints, as one standalone HTML page that marks what differs.

Built from a :class:`~scheduler.compare.Comparison`. The score table carries every figure exactly as
the terminal prints it, and marks each cell that differs from the first schedule as better, worse or
just different (with the difference beside it). The events that differ show, per schedule, the
placement with the changed room, day or time marked, and the reason where a re-plan moved the event;
each re-plan's moved events are listed with their reasons too. Names stand beside ids everywhere:
event titles, room names, speaker names (organizers are names already).

The page has no script and fetches nothing; its Content-Security-Policy allows inline styles only.
Wide tables scroll inside their own box or reflow into cards on a phone; print keeps them within A4
portrait.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ..compare import MOVED_ROW, PLACED_ROW, TOTAL_ROW, Comparison, Move
from ..model import Assignment, Problem, SideEvent
from .templating import environment

HIGHER_IS_BETTER = frozenset({PLACED_ROW})  # every other measure is better lower
NEUTRAL = frozenset({MOVED_ROW})  # differs, but neither better nor worse
WHOLE_CHANGES = frozenset({"placed", "unplaced", "added", "withdrawn"})
ID_TOKEN = re.compile(r"[\w.-]+")  # a word of a reason that may be an event, room or speaker id

Names = tuple[tuple[str, str], ...]  # (id, name) pairs of the events, rooms and speakers a text mentions


@dataclass(frozen=True)
class Figure:
    """One number of the score table and how it stands against the first schedule's."""

    value: int
    delta: int = 0  # value minus the first schedule's
    state: str = ""  # "better", "worse", "differs", or "" when equal (and for the first schedule)


@dataclass(frozen=True)
class ScoreRow:
    """One measure of the score table across the schedules."""

    measure: str
    figures: tuple[Figure, ...]
    total: bool = False  # the total score, set in bold


@dataclass(frozen=True)
class Placement:
    """Where and when one schedule puts one event, and what of that differs from the other side."""

    status: str  # "scheduled", "unscheduled" or "absent"
    room: str = ""
    room_name: str = ""
    day: str = ""  # venue-local ISO date
    hours: str = ""  # venue-local "09:00–09:50"
    room_changed: bool = False
    when_changed: bool = False  # the day or the start time
    changed: bool = False  # placed, unplaced, added or withdrawn: the placement as a whole
    reason: str = ""  # why a re-plan moved the event here
    reason_names: Names = ()  # the names of the ids the reason mentions

    @property
    def marked(self) -> bool:
        """True when any part of the placement is marked as differing."""
        return self.room_changed or self.when_changed or self.changed


@dataclass(frozen=True)
class DifferingEvent:
    """One row of the events that differ: the event, each schedule's placement, the kinds of change."""

    event_id: str
    title: str
    organizer: str
    placements: tuple[Placement, ...]  # one per schedule, in the comparison's order
    changes: str


@dataclass(frozen=True)
class MovedEvent:
    """One event a re-plan moved: from where, to where, and why."""

    event_id: str
    title: str
    before: Placement
    after: Placement
    kind: str
    reason: str
    reason_names: Names = ()  # the names of the ids the reason mentions


@dataclass(frozen=True)
class Replan:
    """A schedule's moves against the schedule it was re-planned from."""

    name: str
    moves: tuple[MovedEvent, ...]


@dataclass(frozen=True)
class CountRow:
    """One organizer or speaker and how many of their events each schedule changed."""

    key: str
    name: str  # the speaker's name; empty for an organizer (its key is its name)
    counts: tuple[int, ...]


@dataclass(frozen=True)
class CountTable:
    """Events changed per organizer or per speaker, against the first schedule."""

    label: str  # "organizer" or "speaker"
    columns: tuple[str, ...]
    rows: tuple[CountRow, ...]


@dataclass(frozen=True)
class ComparisonPage:
    """Everything the comparison template shows, as plain values."""

    title: str
    names: tuple[str, ...]
    first: str
    with_previous: bool
    score_rows: tuple[ScoreRow, ...]
    differing: tuple[DifferingEvent, ...]
    replans: tuple[Replan, ...]
    counts: tuple[CountTable, ...]
    violations: tuple[tuple[str, tuple[tuple[str, Names], ...]], ...]  # name -> (message, names of its ids)
    programme: tuple[tuple[str, tuple[str, ...]], ...] = ()  # measure -> each schedule's figure, as printed


def comparison_html(comparison: Comparison, title: str = "Schedule comparison") -> str:
    """A standalone HTML page of the whole comparison (no scripts, no external files), autoescaped."""
    page = comparison_page(comparison, title)
    return environment().get_template("comparison.html").render(page=page)


def comparison_page(comparison: Comparison, title: str = "Schedule comparison") -> ComparisonPage:
    """The page's content: figures and their marks, placements with names, re-plans' reasons."""
    names = comparison.names
    return ComparisonPage(
        title=title,
        names=names,
        first=names[0],
        with_previous=comparison.with_previous,
        score_rows=score_rows(comparison),
        differing=differing_events(comparison) if len(names) > 1 else (),
        replans=replans(comparison),
        counts=count_tables(comparison) if len(names) > 1 else (),
        violations=violations(comparison),
        programme=tuple((str(measure), tuple(_measure_text(v) for v in comparison.programme.loc[measure].tolist()))
                        for measure in comparison.programme.index),
    )


def _measure_text(value: object) -> str:
    """A programme measure as the terminal prints it: whole numbers plain, ratios to two places, none as -."""
    if isinstance(value, float):
        if value != value:  # NaN: the measure does not apply to that schedule's meeting
            return "-"
        return str(int(value)) if value.is_integer() else f"{value:.2f}"
    return str(value)


def violations(comparison: Comparison) -> tuple[tuple[str, tuple[tuple[str, Names], ...]], ...]:
    """Each schedule's hard-rule violations, with the names of the events, rooms and speakers involved."""
    known = glossary(comparison.problems.values())
    return tuple((name, tuple((str(v), names_of(v.ids, known)) for v in found))
                 for name, found in comparison.violations.items() if found)


def score_rows(comparison: Comparison) -> tuple[ScoreRow, ...]:
    """The side-by-side table, each figure as printed, marked where it differs from the first schedule's."""
    table = comparison.table
    rows = []
    for measure in table.index:
        values = [int(v) for v in table.loc[measure].tolist()]
        figures = tuple(_figure(str(measure), v, values[0]) if i else Figure(v) for i, v in enumerate(values))
        rows.append(ScoreRow(str(measure), figures, total=measure == TOTAL_ROW))
    return tuple(rows)


def _figure(measure: str, value: int, first: int) -> Figure:
    delta = value - first
    if not delta:
        return Figure(value)
    if measure in NEUTRAL:
        return Figure(value, delta, "differs")
    better = delta > 0 if measure in HIGHER_IS_BETTER else delta < 0
    return Figure(value, delta, "better" if better else "worse")


def differing_events(comparison: Comparison) -> tuple[DifferingEvent, ...]:
    """The events that differ from the first schedule, with every schedule's placement and the changes marked."""
    names = comparison.names
    moves = {name: {m.event_id: m for m in comparison.moves.get(name, ())} for name in names[1:]}
    reasons = {name: {str(m["event_id"]): str(m.get("reason", "")) for m in found}
               for name, found in comparison.replans.items()}
    known = glossary(comparison.problems.values())
    rows = []
    for record in comparison.differences.to_dict("records"):
        event_id = str(record["event"])
        event = _event(comparison, event_id)
        placements = tuple(
            _placement_against(comparison, name, event_id, moves.get(name, {}).get(event_id),
                               reasons.get(name, {}).get(event_id, ""), known)
            for name in names)
        rows.append(DifferingEvent(event_id, event.title if event else "", str(record["organizer"]), placements,
                                   str(record["changes"])))
    return tuple(rows)


def _placement_against(comparison: Comparison, name: str, event_id: str, move: Move | None,
                       reason: str, known: Mapping[str, str]) -> Placement:
    """One schedule's placement of an event, marked by its move against the first schedule."""
    changes = set(move.changes) if move is not None else set()
    base = placement(comparison.problems[name], comparison.schedules[name].by_event.get(event_id))
    return replace(base, room_changed="room" in changes, when_changed=bool(changes & {"day", "time"}),
                   changed=bool(changes & WHOLE_CHANGES), reason=reason,
                   reason_names=mentioned(reason, known, skip=(event_id,)))


def placement(problem: Problem, assignment: Assignment | None) -> Placement:
    """An assignment as a placement with its room's name and venue-local day and hours (nothing marked)."""
    if assignment is None:
        return Placement("absent")
    if not assignment.scheduled or assignment.start is None:
        return Placement("unscheduled")
    return _scheduled(problem, assignment.room or "", assignment.start, assignment.end)


def _scheduled(problem: Problem, room_id: str, start: datetime, end: datetime | None) -> Placement:
    tz = problem.meeting.tz
    local = start.astimezone(tz)
    until = end.astimezone(tz).strftime("–%H:%M") if end is not None else ""
    room = problem.rooms_by_id.get(room_id)
    name = room.name if room is not None and room.name != room_id else ""
    return Placement("scheduled", room_id, name, local.date().isoformat(), f"{local:%H:%M}{until}")


def replans(comparison: Comparison) -> tuple[Replan, ...]:
    """Each re-plan's moved events with their reasons; with ``--previous`` every schedule, moved or not."""
    shown = comparison.names if comparison.with_previous else tuple(n for n in comparison.names
                                                                    if n in comparison.replans)
    known = glossary(comparison.problems.values())
    return tuple(Replan(name, tuple(_moved(comparison, name, record, known)
                                    for record in comparison.replans.get(name, ())))
                 for name in shown)


def _moved(comparison: Comparison, name: str, record: Mapping[str, Any], known: Mapping[str, str]) -> MovedEvent:
    problem = comparison.problems[name]
    event_id = str(record["event_id"])
    old, new = record.get("before"), record.get("after")
    before, after = _recorded(problem, old), _recorded(problem, new)
    if old and new:
        after = replace(after, room_changed=old.get("room") != new.get("room"),
                        when_changed=_start(old) != _start(new))
    else:
        after = replace(after, changed=True)
    event = _event(comparison, event_id)
    reason = str(record.get("reason") or "")
    return MovedEvent(event_id, event.title if event else "", before, after, str(record.get("kind") or ""),
                      reason, mentioned(reason, known, skip=(event_id,)))


def _recorded(problem: Problem, record: Mapping[str, Any] | None) -> Placement:
    """A ``before``/``after`` record of a move (ISO datetimes) as a placement."""
    if not record:
        return Placement("unscheduled")
    end = record.get("end")
    return _scheduled(problem, str(record.get("room") or ""), _start(record),
                      datetime.fromisoformat(str(end)) if end else None)


def _start(record: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(str(record["start"]))


def count_tables(comparison: Comparison) -> tuple[CountTable, ...]:
    """Events changed per organizer and per speaker (speakers named), leaving out empty tables."""
    tables = []
    for label, frame in (("organizer", comparison.by_organizer), ("speaker", comparison.by_speaker)):
        if not len(frame):
            continue
        rows = tuple(CountRow(str(key), _speaker_name(comparison.problems.values(), str(key)) if label == "speaker"
                              else "", tuple(int(v) for v in frame.loc[key].tolist()))
                     for key in frame.index)
        tables.append(CountTable(label, tuple(str(c) for c in frame.columns), rows))
    return tuple(tables)


def _speaker_name(problems: Iterable[Problem], speaker_id: str) -> str:
    for problem in problems:
        speaker = problem.speakers_by_id.get(speaker_id)
        if speaker is not None:
            return speaker.name if speaker.name != speaker_id else ""
    return ""


def _event(comparison: Comparison, event_id: str) -> SideEvent | None:
    """The event from the first schedule's problem that knows it."""
    return next((p.events_by_id[event_id] for p in comparison.problems.values() if event_id in p.events_by_id), None)


def glossary(problems: Iterable[Problem]) -> dict[str, str]:
    """Id -> name of every event (its title), room and speaker; the first problem that knows an id wins."""
    known: dict[str, str] = {}
    for problem in problems:
        pairs = [(e.id, e.title) for e in problem.events] + [(r.id, r.name) for r in problem.rooms]
        for key, name in pairs + [(s.id, s.name) for s in problem.speakers]:
            known.setdefault(key, name)
    return known


def names_of(ids: Iterable[str], known: Mapping[str, str], *, skip: Collection[str] = ()) -> Names:
    """(id, name) of each distinct id of ``known`` among ``ids``, in order; those named as their id left out."""
    found: dict[str, str] = {}
    for key in ids:
        name = known.get(key)
        if name and name != key and key not in skip:
            found.setdefault(key, name)
    return tuple(found.items())


def mentioned(text: str, known: Mapping[str, str], *, skip: Collection[str] = ()) -> Names:
    """(id, name) of each event, room or speaker the text names by id (``moved to make room for SE063``)."""
    return names_of((word.rstrip(".") for word in ID_TOKEN.findall(text)), known, skip=skip)
