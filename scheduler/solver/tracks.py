"""The track terms in the solver: their CP-SAT variables, and their exact deltas for greedy and local search.

A track's cost (``terms.track_terms``) is a function of where all its events are: the rooms it uses
per day, the days it uses, and per day and room the span of its slots against the slots it fills.
The model states it with one boolean per (track, day, room) and per (track, day) it may use, and per
(track, day, room) the first and the end slot position its events reach; :class:`TrackState` keeps the same
figures for a growing or changing schedule so that one event's move is priced exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from .. import terms
from .variables import Placement, Start

if TYPE_CHECKING:  # pragma: no cover
    from .build import ModelContext
    from .objectives import CostData

Key = tuple[str, date]  # (track, day)
RoomKey = tuple[str, date, int]  # (track, day, room group)


@dataclass
class TrackModel:
    """The model's track variables, built once per model and shared by the three terms."""

    rooms: dict[Key, list] = field(default_factory=dict)  # (track, day) -> room-use literals or 1s
    days: dict[str, list] = field(default_factory=dict)  # track -> day-use literals or 1s
    gaps: list = field(default_factory=list)  # per (track, day, room): its gap, a variable or a constant


def track_model(ctx: ModelContext) -> TrackModel:
    """The track variables of ``ctx``'s model (built on first use and cached in ``ctx.cache``)."""
    if "tracks" not in ctx.cache:
        ctx.cache["tracks"] = _build(ctx)
    return ctx.cache["tracks"]


def _build(ctx: ModelContext) -> TrackModel:
    data = ctx.data
    free_rooms: dict[Key, dict[int, list[tuple[cp_model.IntVar, Start]]]] = {}
    for placement, literal in ctx.placements:
        track = data.track.get(placement.event)
        if track:
            key = (track, placement.start.day)
            free_rooms.setdefault(key, {}).setdefault(placement.group, []).append((literal, placement.start))
    free_starts: dict[Key, list[cp_model.IntVar]] = {}
    for event in ctx.free_events:
        if event.track:
            for start in ctx.starts_of(event.id):
                free_starts.setdefault((event.track, start.day), []).append(ctx.start_literal(event.id, start.slot))
    fixed_spans: dict[Key, dict[int, list[int]]] = {}  # (track, day) -> room group -> first, end, slots
    for event_id, placement in sorted(ctx.fixed.items()):
        track = data.track.get(event_id)
        if track:
            first, end, slots = data.span(placement.start)
            span = fixed_spans.setdefault((track, placement.start.day), {}).setdefault(placement.group,
                                                                                        [first, end, 0])
            span[0], span[1], span[2] = min(span[0], first), max(span[1], end), span[2] + slots
    found = TrackModel()
    for key in sorted(set(free_starts) | set(fixed_spans)):
        track, day = key
        fixed = fixed_spans.get(key, {})
        free = free_rooms.get(key, {})
        rooms: list = []
        for group in sorted(set(free) | set(fixed)):
            used = 1 if group in fixed else _any(ctx, [literal for literal, _ in free[group]])
            rooms.append(used)
            found.gaps.append(_gap(ctx, day, free.get(group, []), fixed.get(group), used))
        found.rooms[key] = rooms
        found.days.setdefault(track, []).append(1 if fixed else _any(ctx, free_starts[key]))
    return found


def _any(ctx: ModelContext, literals: list) -> cp_model.IntVar:
    """A boolean true when any of ``literals`` is (each implies it; minimising keeps it down otherwise)."""
    if len(literals) == 1:
        return literals[0]
    var = ctx.model.new_bool_var("")
    for literal in literals:
        ctx.model.add_implication(literal, var)
    ctx.derive(var, 0, literals, cap=1)
    return var


def _gap(ctx: ModelContext, day: date, starts: list[tuple[cp_model.IntVar, Start]], fixed: list[int] | None,
         used: cp_model.IntVar | int) -> cp_model.LinearExprT:
    """max(0, span - slots filled) of one (track, day, room): the first and end slot positions its events
    there reach (``starts``: their placement literals; ``used``: whether any is in that room)."""
    if not starts:
        assert fixed is not None
        return max(0, fixed[1] - fixed[0] - fixed[2])
    data = ctx.data
    n = len(data.timeline.day_slots[day])
    spans = [(literal, *data.span(start)) for literal, start in starts]
    first, end = ctx.model.new_int_var(0, n, ""), ctx.model.new_int_var(0, n, "")
    filled = cp_model.LinearExpr.weighted_sum([lit for lit, *_ in spans], [slots for *_, slots in spans])
    if fixed is not None:
        ctx.model.add(first <= fixed[0])
        ctx.model.add(end >= fixed[1])
        filled += fixed[2]
    for literal, begin, stop, _ in spans:
        ctx.model.add(first <= begin).only_enforce_if(literal)
        ctx.model.add(end >= stop).only_enforce_if(literal)
    gap = ctx.model.new_int_var(0, n, "")
    ctx.model.add(gap >= end - first - filled - n * (1 - used))

    def hint(values: Mapping[int, int], which: int) -> int:
        chosen = [(b, s, k) for lit, b, s, k in spans if values.get(lit.index, 0)]
        if fixed is not None:
            chosen.append(tuple(fixed))
        if not chosen:
            return 0
        low, high = min(b for b, _, _ in chosen), max(s for _, s, _ in chosen)
        return (low, high, max(0, high - low - sum(k for *_, k in chosen)))[which]

    ctx.derive_by(first, lambda values: hint(values, 0))
    ctx.derive_by(end, lambda values: hint(values, 1))
    ctx.derive_by(gap, lambda values: hint(values, 2))
    return gap


def excess(ctx: ModelContext, counted: list) -> cp_model.LinearExprT:
    """max(0, sum(counted) - 1) as a variable (the ones beyond the first), or its constant."""
    constant = sum(1 for item in counted if isinstance(item, int))
    literals = [item for item in counted if not isinstance(item, int)]
    if not literals:
        return max(0, constant - 1)
    var = ctx.model.new_int_var(0, len(counted) - 1, "")
    ctx.model.add(var >= constant - 1 + cp_model.LinearExpr.sum(literals))
    ctx.derive(var, constant - 1, literals)
    return var


class TrackState:
    """The figures behind the track terms for a changing set of placements, and one event's cost in it."""

    def __init__(self, data: CostData) -> None:
        self.data = data
        self.rooms: dict[Key, Counter] = {}  # (track, day) -> room group -> events
        self.days: dict[str, Counter] = {}  # track -> day -> events
        self.firsts: dict[RoomKey, Counter] = {}  # (track, day, room group) -> first slot positions
        self.ends: dict[RoomKey, Counter] = {}
        self.filled: Counter = Counter()

    def change(self, event_id: str, placement: Placement, sign: int) -> None:
        """Add (``sign`` 1) or remove (-1) one placement of a tracked event (others are ignored)."""
        track = self.data.track.get(event_id)
        if not track:
            return
        key = (track, placement.start.day)
        room = (track, placement.start.day, placement.group)
        first, end, slots = self.data.span(placement.start)
        for counter, item in ((self.rooms.setdefault(key, Counter()), placement.group),
                              (self.days.setdefault(track, Counter()), placement.start.day),
                              (self.firsts.setdefault(room, Counter()), first),
                              (self.ends.setdefault(room, Counter()), end)):
            counter[item] += sign
            if counter[item] <= 0:
                del counter[item]
        self.filled[room] += sign * slots

    def gap(self, room: RoomKey) -> int:
        """The current gap of one (track, day, room group)."""
        firsts, ends = self.firsts.get(room), self.ends.get(room)
        if not firsts or not ends:
            return 0
        return max(0, max(ends) - min(firsts) - self.filled[room])

    def start_delta(self, event_id: str, start: Start) -> int:
        """Weighted change of ``track_days`` if the (absent) event took ``start`` (the rest is the room's)."""
        track = self.data.track.get(event_id)
        if not track or not self.days.get(track) or start.day in self.days[track]:
            return 0
        return self.data.weights["track_days"]

    def floor(self, event_id: str, start: Start) -> int:
        """A lower bound of the event's track cost at any start of that day: filling its largest gap."""
        track = self.data.track.get(event_id)
        if not track:
            return 0
        used = self.rooms.get((track, start.day), ())
        return -self.data.weights["track_gaps"] * max((self.gap((track, start.day, g)) for g in used), default=0)

    def used_rooms(self, event_id: str, day: date) -> Counter | None:
        """The room groups the event's track uses on ``day`` (None for an event without a track)."""
        track = self.data.track.get(event_id)
        if not track:
            return None
        return self.rooms.get((track, day), Counter())

    def room_delta(self, event_id: str, start: Start, group: int, used: Counter | None) -> int:
        """Weighted change of ``track_rooms`` and ``track_gaps`` if the event took ``group`` at ``start``,
        its track using ``used`` that day: another room, or the gap it leaves or fills in one it uses."""
        if not used:
            return 0
        if group not in used:
            return self.data.weights["track_rooms"]
        room = (self.data.track[event_id], start.day, group)
        first, end, slots = self.data.span(start)
        low, high = min(min(self.firsts[room]), first), max(max(self.ends[room]), end)
        return self.data.weights["track_gaps"] * (max(0, high - low - self.filled[room] - slots) - self.gap(room))


def evaluate_tracks(data: CostData, chosen: Mapping[str, Placement | None]) -> dict[str, int]:
    """Raw track terms of a full choice of placements (``terms.track_terms`` over its tracked events)."""
    return terms.track_terms(data.track_placement(event_id, placement)
                             for event_id, placement in sorted(chosen.items())
                             if placement is not None and event_id in data.track)
