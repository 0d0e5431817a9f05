"""The solver's view of a Problem: the slot timeline, room groups, and each event's feasible placements.

Decision variables are booleans x[event, room group, start slot], created only for combinations
that pass every placement rule (see ``constraints.py``). Rooms that are interchangeable for every
rule and every soft term form one *room group* with a capacity of that many events per slot; the
rooms inside a group are assigned after solving by interval colouring (exact, because events in
one room and day occupy runs of consecutive slots, whose conflict graph is an interval graph).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cached_property

from ..model import Problem, Room, SideEvent, Slot


def epoch(moment: datetime) -> int:
    """Seconds since the epoch of an aware datetime (an exact, zone-independent instant)."""
    return int(moment.astimezone(timezone.utc).timestamp())


@dataclass(frozen=True)
class Start:
    """One way to start an event: a start slot, the run of slots it occupies, its real interval."""

    slot: int  # global index of the start slot
    day: date
    occupied: tuple[int, ...]  # global indices of the occupied slots (rule 4)
    begin: int  # epoch seconds
    end: int  # epoch seconds (model.event_end)
    at: datetime  # aware start in the venue zone


class Timeline:
    """Every grid slot in one global order (day, then time), with instants as epoch seconds."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.slots: tuple[Slot, ...] = tuple(s for day in sorted(problem.slots_by_day)
                                             for s in problem.slots_by_day[day])
        self.position: dict[int, int] = {}  # global index -> position within its day
        self.day_slots: dict[date, tuple[Slot, ...]] = dict(problem.slots_by_day)
        first_of_day: dict[date, int] = {}
        for index, slot in enumerate(self.slots):
            first_of_day.setdefault(slot.day, index)
            self.position[index] = index - first_of_day[slot.day]
        self.first_of_day = first_of_day
        self.index_of: dict[Slot, int] = {slot: index for index, slot in enumerate(self.slots)}
        self.begin = tuple(epoch(s.start) for s in self.slots)
        self.end = tuple(epoch(s.end) for s in self.slots)
        self._runs: dict[tuple[int, str], dict[int, Start]] = {}

    def __len__(self) -> int:
        return len(self.slots)

    def runs(self, duration: int, fmt: str) -> dict[int, Start]:
        """Rule 4: every start slot at which an event of this duration and format has a valid run.

        The run from slot i is every slot of the day that starts before the event ends (slots are in
        start order); it is valid when each is open to the format, the last ends no earlier than the
        event, and no earlier slot of the day still runs at the start (grids whose slots overlap):
        the same rule as ``grid.occupied_slots``, on integer instants, in time linear in the grid.
        """
        key = (duration, fmt)
        if key in self._runs:
            return self._runs[key]
        found: dict[int, Start] = {}
        for day, day_slots in self.day_slots.items():
            first, count = self.first_of_day[day], len(day_slots)
            begins, ends = self.begin[first:first + count], self.end[first:first + count]
            closed = [0]
            for slot in day_slots:
                closed.append(closed[-1] + (fmt not in slot.formats))
            latest_end = -1  # the latest end of the day's slots before i
            for i in range(count):
                begin = begins[i]
                end = begin + duration * 60
                k = i
                while k < count and begins[k] < end:
                    k += 1
                if latest_end <= begin and closed[k] == closed[i] and ends[k - 1] >= end:
                    found[first + i] = Start(first + i, day, tuple(range(first + i, first + k)), begin, end,
                                             day_slots[i].start)
                latest_end = max(latest_end, ends[i])
        self._runs[key] = found
        return found


@dataclass(frozen=True)
class RoomGroup:
    """Rooms that no rule or soft term tells apart; up to ``len(rooms)`` events share a slot."""

    index: int
    rooms: tuple[Room, ...]

    @property
    def first(self) -> Room:
        """A representative room (all rooms of the group behave the same)."""
        return self.rooms[0]

    @property
    def size(self) -> int:
        """How many events the group holds per slot."""
        return len(self.rooms)

    @property
    def label(self) -> str:
        """Room ids for messages: ``R1`` or ``R1/R2/R3``."""
        return "/".join(room.id for room in self.rooms)


def room_groups(problem: Problem, *, split: bool = False) -> tuple[RoomGroup, ...]:
    """Group interchangeable rooms: same kind, capacity, hybrid kit, unavailability, hours, tags, and no pin.

    With ``split`` every room is its own group (used when explaining, to name rooms one by one), and
    so it is when some event has a track: the track terms count the rooms a track uses.
    """
    pinned = {event.room for event in problem.events if event.room}
    split = split or any(event.track for event in problem.events)
    unavailable: dict[str, tuple] = {}
    for item in problem.unavailability:
        if item.kind == "room":
            unavailable.setdefault(item.id, ())
            unavailable[item.id] += ((epoch(item.start), epoch(item.end)),)
    keys: dict[tuple, list[Room]] = {}
    for room in problem.rooms:
        if split or room.id in pinned:
            key: tuple = ("single", room.id)
        else:
            capacity = None if room.is_virtual else room.capacity
            key = (room.kind, capacity, room.hybrid and not room.is_virtual,
                   tuple(sorted(unavailable.get(room.id, ()))), room.hours, tuple(sorted(room.tags)))
        keys.setdefault(key, []).append(room)
    return tuple(RoomGroup(i, tuple(rooms)) for i, rooms in enumerate(keys.values()))


@dataclass
class Domain:
    """The placements left for one event after the placement rules, with the reasons for the rest.

    ``guards`` (explain mode only) maps a kept (group, start slot) pair to the rule instances that
    would forbid it, so each instance can be switched on by an assumption literal.
    """

    event: SideEvent
    all_starts: dict[int, Start]  # every start with a valid run (rule 4)
    groups: list[int] = field(default_factory=list)
    starts: list[Start] = field(default_factory=list)
    forbidden: set[tuple[int, int]] = field(default_factory=set)
    group_reasons: dict[int, list[tuple[str, object]]] = field(default_factory=dict)
    start_reasons: dict[int, list[tuple[str, object]]] = field(default_factory=dict)
    pair_reasons: dict[tuple[int, int], list[tuple[str, object]]] = field(default_factory=dict)
    guards: dict[tuple[int, int], frozenset[tuple[str, object]]] = field(default_factory=dict)
    # Rooms closed by unavailability, shared by every event of the same duration and format: start
    # slot -> the groups open for the whole run from it (None: every group is open at every start).
    # One table per (duration, format) instead of one set of pairs per event keeps memory flat when
    # a fine grid meets rooms closed outside their hours.
    open_at: Mapping[int, tuple[int, ...]] | None = None

    def rooms_at(self, slot: int) -> list[int]:
        """The event's room groups open for a run from this start slot, by group index."""
        if self.open_at is None:
            return self.groups
        mine = self._group_set
        return [g for g in self.open_at.get(slot, ()) if g in mine]

    @cached_property
    def _group_set(self) -> frozenset[int]:
        return frozenset(self.groups)

    def allowed(self, group: int, slot: int) -> bool:
        """True when the event may take room group ``group`` at start slot ``slot`` (given a kept start)."""
        if self.open_at is not None and group not in self.open_at.get(slot, ()):
            return False
        return (group, slot) not in self.forbidden

    def pairs(self) -> Iterator[tuple[int, Start]]:
        """Every allowed (group index, start) combination, in a stable order (by start, then group)."""
        for start in self.starts:
            for g in self.rooms_at(start.slot):
                if (g, start.slot) not in self.forbidden:
                    yield g, start

    @cached_property
    def size(self) -> int:
        """How many placements the event has (rooms collapsed into groups), counted without listing them."""
        if not self.groups:
            return 0
        if self.open_at is None:
            count = len(self.groups) * len(self.starts)
        else:
            mine = self._group_set
            count = sum(len(mine.intersection(self.open_at.get(s.slot, ()))) for s in self.starts)
        if self.forbidden:
            slots = {s.slot for s in self.starts}
            count -= sum(1 for g, slot in self.forbidden if slot in slots and g in self._group_set
                         and (self.open_at is None or g in self.open_at.get(slot, ())))
        return count

    @property
    def empty(self) -> bool:
        """True when no placement is left."""
        return not self.groups or not self.starts or self.size == 0


@dataclass(frozen=True)
class Placement:
    """One concrete choice for an event: a room group and a start."""

    event: str
    group: int
    start: Start


def assign_rooms(groups: tuple[RoomGroup, ...], chosen: Mapping[str, Placement | None],
                 preferred: Mapping[str, str] | None = None) -> dict[str, str]:
    """Give every placed event a concrete room of its group (a preferred room when it is free).

    Events are taken by start slot; a room is free when its last event's run ended before this
    start. As at most ``size`` runs of a group cover any slot, a free room always exists.
    """
    preferred = preferred or {}
    by_group: dict[int, list[Placement]] = {}
    for placement in chosen.values():
        if placement is not None:
            by_group.setdefault(placement.group, []).append(placement)
    rooms: dict[str, str] = {}
    for group_index, items in sorted(by_group.items()):
        group = groups[group_index]
        last = {room.id: -1 for room in group.rooms}
        for placement in sorted(items, key=lambda p: (p.start.slot, p.event)):
            free = [room.id for room in group.rooms if last[room.id] < placement.start.slot]
            if not free:
                raise RuntimeError(f"room group {group.label} over-full at slot {placement.start.slot}")
            choice = preferred.get(placement.event)
            if choice not in free:
                choice = free[0]
            rooms[placement.event] = choice
            last[choice] = placement.start.occupied[-1]
    return rooms
