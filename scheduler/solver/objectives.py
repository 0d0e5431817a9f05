"""The soft terms of the model, one small named function each; ``OBJECTIVE_TERMS`` is the table of contents.

Each term counts something in whole units (its *raw* value); the objective is the sum of raw values
times integer weights (``scheduler.weights.DEFAULT_WEIGHTS``, overridden by ``meeting.toml
[weights]``). The per-placement terms (preferences, remote hours, room fit and kit, moves, leaving
out) are the functions of ``scheduler/terms.py``, which ``score.py`` calls too; ``CostData`` caches
their values for the CP-SAT coefficients, the greedy start and ``evaluate``. ``topic_clash`` and
``crowding`` are written here as constraints and independently in ``score.py``, as a cross-check.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from .. import terms
from ..model import Assignment, Problem, Schedule, SideEvent, Speaker
from ..score import crowding_target
from ..weights import effective_weights
from .tracks import evaluate_tracks, excess, track_model
from .variables import Placement, RoomGroup, Start, Timeline

if TYPE_CHECKING:  # pragma: no cover
    from .build import ModelContext


class CostData:
    """What every term needs: weights, the crowding target, each event's topics, cached costs.

    ``previous`` (a re-plan's earlier schedule) switches the ``moved`` term on; it needs one room per
    group (``room_groups(split=True)``), since a move of room is seen only between concrete rooms.
    """

    def __init__(self, problem: Problem, timeline: Timeline, groups: Sequence[RoomGroup],
                 previous: Schedule | None = None) -> None:
        self.problem = problem
        self.timeline = timeline
        self.groups = tuple(groups)
        self.weights = effective_weights(problem.meeting.weights)
        self.target = crowding_target(problem)
        self.topics = {e.id: tuple(sorted(set(e.topics))) for e in problem.events}
        self.track = {e.id: e.track for e in problem.events if e.track}
        self.terms = terms.active_terms(problem, moved=previous is not None)
        self._start_raw: dict[tuple[str, int], dict[str, int]] = {}
        self._room_raw: dict[tuple[str, int], dict[str, int]] = {}
        self._move_raw: dict[tuple[str, int, bool], int] = {}
        self._dependent: dict[str, bool] = {}
        self._no_start_cost = dict.fromkeys(terms.START_TERMS, 0)
        self._start_cost: dict[tuple[str, int], int] = {}
        self._instants: dict[int, datetime] = {}  # epoch seconds -> aware UTC datetime
        self.comfort_cache: dict[tuple[str, int, int], bool] = {}
        self._outside: list[int] | None = None  # prefix counts of the slots outside the comfort hours
        self._own: dict[str, bool] = {}
        # event id -> its previous assignment, for the events of the problem that were scheduled
        self.previous: dict[str, Assignment] | None = None
        if previous is not None:
            if any(group.size > 1 for group in self.groups):
                raise ValueError("the moved term needs one room per group (room_groups(split=True))")
            self.previous = {a.event_id: a for a in previous.assignments
                             if a.scheduled and a.event_id in problem.events_by_id}

    def span(self, start: Start) -> tuple[int, int, int]:
        """(first slot position, end position, slots) of a start within its day, as the track terms count."""
        position = self.timeline.position
        return position[start.occupied[0]], position[start.occupied[-1]] + 1, len(start.occupied)

    def track_placement(self, event_id: str, placement: Placement) -> terms.TrackPlacement:
        """A tracked event's placement as ``terms.track_terms`` reads it."""
        return (self.track[event_id], placement.start.day, self.groups[placement.group].first.id,
                *self.span(placement.start))

    def move_raw(self, event: SideEvent, group: int, start: Start) -> int:
        """Raw ``moved`` cost of placing ``event`` in room group ``group`` at ``start`` (0 without previous).

        Cached by (event, start, same room as before): ``terms.moved`` compares the room with the
        earlier one only, so the value is the same for every other room.
        """
        before = self.previous.get(event.id) if self.previous is not None else None
        if before is None:
            return 0
        room = self.groups[group].first.id
        key = (event.id, start.slot, room == before.room)
        if key not in self._move_raw:
            self._move_raw[key] = terms.moved(before, room, start.at, self.problem.meeting.tz,
                                              self.problem.meeting.day_change)
        return self._move_raw[key]

    def unplaced_move_raw(self, event: SideEvent) -> int:
        """Raw ``moved`` cost of leaving ``event`` unscheduled: a day move if it was placed before."""
        before = self.previous.get(event.id) if self.previous is not None else None
        return 0 if before is None else terms.moved(before, None, None, self.problem.meeting.tz,
                                                    self.problem.meeting.day_change)

    def start_raw(self, event: SideEvent, start: Start) -> dict[str, int]:
        """Raw values of the start-dependent terms for ``event`` at ``start`` (all 0 unless ``start_dependent``)."""
        if not self.start_dependent(event):
            return self._no_start_cost
        key = self._start_key(event, start)
        if key not in self._start_raw:
            if start.end not in self._instants:
                self._instants[start.end] = datetime.fromtimestamp(start.end, tz=timezone.utc)
            outside = self.outside_before(start.occupied[-1] + 1) - self.outside_before(start.occupied[0])
            self._start_raw[key] = terms.start_terms(event, self.problem.speakers_by_id, start.at,
                                                     self._instants[start.end], partial(self.comfortable, start),
                                                     day=start.day, off_hours=outside)
        return self._start_raw[key]

    def _start_key(self, event: SideEvent, start: Start) -> tuple:
        """The cache key of a start's costs: per event with wishes of its own (preferences, remote speakers),
        else shared by every event with the same run (only the venue's comfort hours tell starts apart)."""
        if event.id not in self._own:
            remote = any(getattr(self.problem.speakers_by_id.get(s), "remote", False) for s in event.speakers)
            self._own[event.id] = bool(event.preferred_days or event.preferred_starts or remote)
        return (event.id, start.slot) if self._own[event.id] else ("", start.slot, start.occupied[-1])

    def outside_before(self, slot: int) -> int:
        """How many grid slots before ``slot`` (global index) are not within the venue's comfort hours."""
        if self._outside is None:
            window, tz = self.problem.meeting.comfort_hours, self.problem.meeting.tz
            self._outside = [0]
            for found in self.timeline.slots:
                self._outside.append(self._outside[-1] + terms.venue_off_hours([(found.start, found.end)], window, tz))
        return self._outside[slot]

    def comfortable(self, start: Start, speaker: Speaker, begin: datetime, end: datetime) -> bool:
        """``terms.comfortable`` at ``start`` (``begin``, ``end``: its instants), cached by zone and run."""
        key = (speaker.timezone, start.begin, start.end)
        if key not in self.comfort_cache:
            self.comfort_cache[key] = terms.comfortable(speaker, begin, end)
        return self.comfort_cache[key]

    def room_raw(self, event: SideEvent, group: int) -> dict[str, int]:
        """Raw values of the room-dependent terms for ``event`` in room group ``group``."""
        key = (event.id, group)
        if key not in self._room_raw:
            self._room_raw[key] = terms.room_terms(event, self.groups[group].first)
        return self._room_raw[key]

    def start_cost(self, event: SideEvent, start: Start) -> int:
        """Weighted cost of the start-dependent terms of placing ``event`` at ``start``."""
        if not self.start_dependent(event):
            return 0
        key = self._start_key(event, start)
        if key not in self._start_cost:
            raw = self.start_raw(event, start)
            self._start_cost[key] = sum(self.weights[name] * value for name, value in raw.items())
        return self._start_cost[key]

    def start_dependent(self, event: SideEvent) -> bool:
        """False when no start-dependent term can be non-zero (no preferences, no remote speaker, no venue
        comfort hours): the greedy start and local search then skip the cost lookups for each of its starts."""
        if event.id not in self._dependent:
            remote = any(getattr(self.problem.speakers_by_id.get(s), "remote", False) for s in event.speakers)
            comfort = self.problem.meeting.comfort_hours is not None
            self._dependent[event.id] = bool(event.preferred_days or event.preferred_starts or remote or comfort)
        return self._dependent[event.id]

    def room_cost(self, event: SideEvent, group: int) -> int:
        """Weighted cost of the room-dependent terms of placing ``event`` in room group ``group``."""
        return sum(self.weights[name] * value for name, value in self.room_raw(event, group).items())

    def place_cost(self, event: SideEvent, group: int, start: Start) -> int:
        """Weighted cost of the room-dependent terms and of the move (re-plans) of ``event`` at a placement."""
        cost = self.room_cost(event, group)
        if self.previous is not None:
            cost += self.weights["moved"] * self.move_raw(event, group, start)
        return cost

    def unscheduled_cost(self, event: SideEvent) -> int:
        """Weighted cost of leaving ``event`` out."""
        return self.weights["unscheduled"] * terms.unscheduled(event)


# --- model terms: each returns a raw linear expression over the context's literals -----------


def _placement_term(ctx: ModelContext, name: str, *, by_room: bool) -> cp_model.LinearExprT:
    """Sum of a per-placement raw cost: by start (preferences, remote hours) or by room group (fit, kit)."""
    literals, coefficients = [], []
    for placement, literal in ctx.placements:
        event = ctx.event(placement.event)
        costs = ctx.data.room_raw(event, placement.group) if by_room else ctx.data.start_raw(event, placement.start)
        if costs[name]:
            literals.append(literal)
            coefficients.append(costs[name])
    return cp_model.LinearExpr.weighted_sum(literals, coefficients)


def _start_term(ctx: ModelContext, name: str) -> cp_model.LinearExprT:
    return _placement_term(ctx, name, by_room=False)


def _room_term(ctx: ModelContext, name: str) -> cp_model.LinearExprT:
    return _placement_term(ctx, name, by_room=True)


def preferred_day(ctx: ModelContext):
    """1 per scheduled event with preferred_days whose day is not among them."""
    return _start_term(ctx, "preferred_day")


def preferred_start(ctx: ModelContext):
    """1 per scheduled event with preferred_starts whose local start time is not among them."""
    return _start_term(ctx, "preferred_start")


def room_fit(ctx: ModelContext):
    """Per event in a physical room: max(0, capacity - 2*attendance) * 10 // capacity."""
    return _room_term(ctx, "room_fit")


def hybrid_kit_unused(ctx: ModelContext):
    """1 per in_person event placed in a hybrid room."""
    return _room_term(ctx, "hybrid_kit_unused")


def room_wish(ctx: ModelContext):
    """1 per event whose room lacks a tag it wishes for, or the seats it wishes for."""
    return _room_term(ctx, "room_wish")


def venue_off_hours(ctx: ModelContext):
    """Per event: each grid slot it occupies outside the venue's comfort hours."""
    return _start_term(ctx, "venue_off_hours")


def remote_off_hours(ctx: ModelContext):
    """1 per (event, remote speaker) not entirely within 09:00-18:00 speaker-local."""
    return _start_term(ctx, "remote_off_hours")


def topic_clash(ctx: ModelContext):
    """Per topic and grid slot: max(0, n - 1), n = events with that topic occupying the slot."""
    terms = []
    by_topic: dict[tuple[str, int], list] = {}
    for slot, items in sorted(ctx.occupancy.items()):
        for event_id, literal in items:
            for topic in ctx.data.topics[event_id]:
                by_topic.setdefault((topic, slot), []).append(literal)
    for key, literals in sorted(by_topic.items()):
        fixed = ctx.fixed_topic.get(key, 0)
        most = fixed + len(literals) - 1
        if most <= 0:
            continue
        excess = ctx.model.new_int_var(0, most, "")
        ctx.model.add(excess >= fixed - 1 + cp_model.LinearExpr.sum(literals))
        ctx.derive(excess, fixed - 1, literals)
        terms.append(excess)
    return cp_model.LinearExpr.sum(terms)


def crowding(ctx: ModelContext):
    """Per grid slot: max(0, n - target), n = events occupying it, target = even spread (see docs)."""
    terms = []
    for slot, items in sorted(ctx.occupancy.items()):
        fixed = ctx.fixed_crowd.get(slot, 0)
        most = fixed + len(items) - ctx.data.target
        if most <= 0:
            continue
        excess = ctx.model.new_int_var(0, most, "")
        literals = [lit for _, lit in items]
        ctx.model.add(excess >= fixed - ctx.data.target + cp_model.LinearExpr.sum(literals))
        ctx.derive(excess, fixed - ctx.data.target, literals)
        terms.append(excess)
    return cp_model.LinearExpr.sum(terms)


def track_rooms(ctx: ModelContext):
    """Per track and day: each room beyond the first it uses (rooms are told apart when tracks exist)."""
    model = track_model(ctx)
    return cp_model.LinearExpr.sum([excess(ctx, rooms) for _, rooms in sorted(model.rooms.items())])


def track_days(ctx: ModelContext):
    """Per track: each day beyond the first it uses."""
    model = track_model(ctx)
    return cp_model.LinearExpr.sum([excess(ctx, days) for _, days in sorted(model.days.items())])


def track_gaps(ctx: ModelContext):
    """Per track and day: max(0, slots from its first event's start to its last event's end - slots filled)."""
    return cp_model.LinearExpr.sum(track_model(ctx).gaps)


def moved(ctx: ModelContext):
    """Per event placed in the previous schedule (--previous): MOVE_COST of its room, time or day move."""
    data = ctx.data
    constant, literals, coefficients = 0, [], []
    if data.previous is not None:
        for event in ctx.free_events:
            if event.id not in data.previous:
                continue
            left_out = data.unplaced_move_raw(event) if ctx.optional(event.id) else 0
            constant += left_out
            for placement, literal in ctx.by_event[event.id]:
                value = data.move_raw(event, placement.group, placement.start) - left_out
                if value:
                    literals.append(literal)
                    coefficients.append(value)
    return cp_model.LinearExpr.weighted_sum(literals, coefficients) + constant


def unscheduled(ctx: ModelContext):
    """Per unscheduled event: UNSCHEDULED_COST[priority] (only where leaving events out is allowed)."""
    constant, literals, coefficients = 0, [], []
    for event in ctx.free_events:
        if ctx.optional(event.id):
            cost = terms.unscheduled(event)
            constant += cost
            for _, literal in ctx.by_event[event.id]:
                literals.append(literal)
                coefficients.append(-cost)
    return cp_model.LinearExpr.weighted_sum(literals, coefficients) + constant


OBJECTIVE_TERMS: dict[str, Callable] = {
    "preferred_day": preferred_day,
    "preferred_start": preferred_start,
    "topic_clash": topic_clash,
    "room_fit": room_fit,
    "hybrid_kit_unused": hybrid_kit_unused,
    "room_wish": room_wish,
    "remote_off_hours": remote_off_hours,
    "venue_off_hours": venue_off_hours,
    "crowding": crowding,
    "track_rooms": track_rooms,
    "track_days": track_days,
    "track_gaps": track_gaps,
    "unscheduled": unscheduled,
    "moved": moved,
}


def evaluate(data: CostData, chosen: Mapping[str, Placement | None]) -> dict[str, int]:
    """Raw value of every term for a full choice of placements (None = unscheduled).

    ``moved`` is there only when the data has a previous schedule (as in ``score.py``).
    """
    raw = dict.fromkeys(data.terms, 0)
    topic_count: Counter = Counter()
    slot_count: Counter = Counter()
    for event in data.problem.events:
        placement = chosen.get(event.id)
        if placement is None:
            raw["unscheduled"] += terms.unscheduled(event)
            if data.previous is not None:
                raw["moved"] += data.unplaced_move_raw(event)
            continue
        if data.previous is not None:
            raw["moved"] += data.move_raw(event, placement.group, placement.start)
        for name, value in data.start_raw(event, placement.start).items():
            if name in raw:
                raw[name] += value
        for name, value in data.room_raw(event, placement.group).items():
            if name in raw:
                raw[name] += value
        for slot in placement.start.occupied:
            slot_count[slot] += 1
            for topic in data.topics[event.id]:
                topic_count[(topic, slot)] += 1
    raw["topic_clash"] = sum(n - 1 for n in topic_count.values() if n > 1)
    raw["crowding"] = sum(n - data.target for n in slot_count.values() if n > data.target)
    if data.track:
        raw.update(evaluate_tracks(data, chosen))
    return raw


def weighted(data: CostData, raw: Mapping[str, int]) -> dict[str, int]:
    """Raw term values times their weights."""
    return {name: data.weights[name] * value for name, value in raw.items()}
