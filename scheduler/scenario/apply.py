"""Applying a scenario: one small function per action over the working copy, then re-validation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..errors import DataErrors, suggest
from ..model import Problem, Room, SideEvent, Speaker, Unavailability
from .parse import Action, Scenario
from .state import Working
from .validate import validate_result


def _add_room(s: Working, entry: Action) -> None:
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


def _close_room(s: Working, entry: Action) -> None:
    room_id = entry.values["id"]
    if room_id not in s.rooms:
        s.unknown(entry, "room", room_id, s.rooms)
        return
    reason = entry.values.get("reason") or f"closed ({s.scenario.name})"
    for start, end in s.periods(entry):
        s.added.append((Unavailability("room", room_id, start, end, reason), entry))


def _add_speaker(s: Working, entry: Action) -> None:
    values = dict(entry.values)
    if values["id"] in s.speakers:
        s.error(entry.at("id"), f"speaker {values['id']} already exists")
        return
    values.setdefault("timezone", s.meeting.timezone)
    s.speakers[values["id"]] = Speaker(**values)


def _change_speaker(s: Working, entry: Action) -> None:
    speaker_id = entry.values["id"]
    if speaker_id not in s.speakers:
        s.unknown(entry, "speaker", speaker_id, s.speakers)
        return
    changes = {k: v for k, v in entry.values.items() if k != "id"}
    s.speakers[speaker_id] = replace(s.speakers[speaker_id], **changes)
    for event in s.events.values():
        if speaker_id in event.speakers:
            s.mark(event.id, entry, ("speakers",))


def _withdraw_event(s: Working, entry: Action) -> None:
    event_id = entry.values["id"]
    if event_id not in s.events:
        s.unknown(entry, "event", event_id, s.events)
        return
    del s.events[event_id]
    s.set_by.pop(event_id, None)
    s.withdrawn[event_id] = entry


def _event_values(s: Working, entry: Action) -> dict[str, Any]:
    values = {k: v for k, v in entry.values.items() if k != "id"}
    if values.get("start") is not None:
        values["start"] = s.zoned(values["start"])
    return values


def _add_event(s: Working, entry: Action) -> None:
    event_id = entry.values["id"]
    if event_id in s.events:
        s.error(entry.at("id"), f"event {event_id} already exists; use [[events.change]] to change it")
        return
    s.events[event_id] = SideEvent(id=event_id, **_event_values(s, entry))
    s.withdrawn.pop(event_id, None)
    s.mark(event_id, entry, entry.values)


def _change_event(s: Working, entry: Action) -> None:
    event_id = entry.values["id"]
    if event_id not in s.events:
        s.unknown(entry, "event", event_id, s.events)
        return
    s.events[event_id] = replace(s.events[event_id], **_event_values(s, entry))
    s.mark(event_id, entry, entry.values)


def _pin_event(s: Working, entry: Action) -> None:
    event_id = entry.values["id"]
    if event_id not in s.events:
        s.unknown(entry, "event", event_id, s.events)
        return
    room = entry.values.get("room")
    if room is not None and room not in s.rooms:
        s.error(entry.at("room"), f"unknown room {room!r}{suggest(room, s.rooms)}")
        return
    changes = {k: v for k, v in _event_values(s, entry).items() if k in ("room", "start")}
    s.events[event_id] = replace(s.events[event_id], **changes)
    s.mark(event_id, entry, entry.values)


def _unavailable(s: Working, entry: Action) -> None:
    kind, who = entry.values["kind"], entry.values["id"]
    known = {"room": s.rooms, "speaker": s.speakers, "organizer": {e.organizer for e in s.events.values()}}[kind]
    if who not in known:
        s.unknown(entry, kind, who, sorted(known))
        return
    reason = entry.values.get("reason", "")
    for start, end in s.periods(entry):
        s.added.append((Unavailability(kind, who, start, end, reason), entry))


_APPLY: dict[str, Callable[[Working, Action], None]] = {
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
    s = Working(problem, scenario)
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
    validate_result(s, result)
    if s.errors:
        raise DataErrors(sorted(s.errors, key=lambda e: (e.location.row is None, e.location.row or 0)))
    return result
