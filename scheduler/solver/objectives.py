"""The soft terms, one small named function each; ``OBJECTIVE_TERMS`` is the table of contents.

Each term counts something in whole units (its *raw* value); the objective is the sum of raw values
times integer weights (``scheduler.weights.DEFAULT_WEIGHTS``, overridden by ``meeting.toml
[weights]``). Terms that depend on one placement are plain functions of (event, start) or
(event, room) used three ways: as CP-SAT coefficients, by the greedy start, and by ``evaluate``.
``scheduler/score.py`` computes the same definitions independently over any finished Schedule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, time, timezone
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from ..grid import within_local_hours
from ..model import Problem, Room, SideEvent
from ..score import crowding_target
from ..weights import COMFORT_HOURS, UNSCHEDULED_COST, effective_weights
from .variables import Domain, Placement, RoomGroup, Start, Timeline

if TYPE_CHECKING:  # pragma: no cover
    from .build import ModelContext

COMFORT = (time.fromisoformat(COMFORT_HOURS[0]), time.fromisoformat(COMFORT_HOURS[1]))


class CostData:
    """What every term needs: weights, the crowding target, each event's topics, cached costs."""

    def __init__(self, problem: Problem, timeline: Timeline, groups: Sequence[RoomGroup]) -> None:
        self.problem = problem
        self.timeline = timeline
        self.groups = tuple(groups)
        self.weights = effective_weights(problem.meeting.weights)
        self.target = crowding_target(problem)
        self.topics = {e.id: tuple(sorted(set(e.topics))) for e in problem.events}
        self._start_raw: dict[tuple[str, int], dict[str, int]] = {}
        self._room_raw: dict[tuple[str, int], dict[str, int]] = {}
        self.comfort_cache: dict[tuple[str, int, int], bool] = {}

    def start_raw(self, event: SideEvent, start: Start) -> dict[str, int]:
        """Raw values of the start-dependent terms for ``event`` at ``start``."""
        key = (event.id, start.slot)
        if key not in self._start_raw:
            self._start_raw[key] = {name: fn(self, event, start) for name, fn in START_TERMS.items()}
        return self._start_raw[key]

    def room_raw(self, event: SideEvent, group: int) -> dict[str, int]:
        """Raw values of the room-dependent terms for ``event`` in room group ``group``."""
        key = (event.id, group)
        if key not in self._room_raw:
            room = self.groups[group].first
            self._room_raw[key] = {name: fn(self, event, room) for name, fn in ROOM_TERMS.items()}
        return self._room_raw[key]

    def start_cost(self, event: SideEvent, start: Start) -> int:
        """Weighted cost of the start-dependent terms of placing ``event`` at ``start``."""
        return sum(self.weights[name] * value for name, value in self.start_raw(event, start).items())

    def room_cost(self, event: SideEvent, group: int) -> int:
        """Weighted cost of the room-dependent terms of placing ``event`` in room group ``group``."""
        return sum(self.weights[name] * value for name, value in self.room_raw(event, group).items())

    def unscheduled_cost(self, event: SideEvent) -> int:
        """Weighted cost of leaving ``event`` out."""
        return self.weights["unscheduled"] * UNSCHEDULED_COST.get(event.priority, UNSCHEDULED_COST[3])


# --- per-placement terms (raw units) ----------------------------------------------------------


def preferred_day_cost(data: CostData, event: SideEvent, start: Start) -> int:
    """1 when the event has preferred days and runs on another day."""
    return int(bool(event.preferred_days) and start.day not in event.preferred_days)


def preferred_start_cost(data: CostData, event: SideEvent, start: Start) -> int:
    """1 when the event has preferred start times and starts (venue-local) at another."""
    return int(bool(event.preferred_starts) and start.at.time() not in event.preferred_starts)


def remote_off_hours_cost(data: CostData, event: SideEvent, start: Start) -> int:
    """1 per remote speaker for whom the event is not entirely within 09:00-18:00 local."""
    count = 0
    for speaker_id in dict.fromkeys(event.speakers):
        speaker = data.problem.speakers_by_id.get(speaker_id)
        if speaker is not None and speaker.remote:
            key = (speaker.timezone, start.begin, start.end)
            if key not in data.comfort_cache:
                end = datetime.fromtimestamp(start.end, tz=timezone.utc)
                data.comfort_cache[key] = within_local_hours(start.at, end, speaker.tz, COMFORT)
            count += not data.comfort_cache[key]
    return count


def room_fit_cost(data: CostData, event: SideEvent, room: Room) -> int:
    """Empty-seat units in a physical room less than half full: max(0, cap - 2*att) * 10 // cap."""
    if room.is_virtual or not room.capacity:
        return 0
    return max(0, room.capacity - 2 * (event.attendance or 0)) * 10 // room.capacity


def hybrid_kit_unused_cost(data: CostData, event: SideEvent, room: Room) -> int:
    """1 when an in_person event takes a hybrid-equipped room."""
    return int(event.format == "in_person" and not room.is_virtual and room.hybrid)


START_TERMS: dict[str, Callable[[CostData, SideEvent, Start], int]] = {
    "preferred_day": preferred_day_cost,
    "preferred_start": preferred_start_cost,
    "remote_off_hours": remote_off_hours_cost,
}
ROOM_TERMS: dict[str, Callable[[CostData, SideEvent, Room], int]] = {
    "room_fit": room_fit_cost,
    "hybrid_kit_unused": hybrid_kit_unused_cost,
}


# --- model terms: each returns a raw linear expression over the context's literals -----------


def _start_term(ctx: ModelContext, name: str) -> cp_model.LinearExprT:
    literals, coefficients = [], []
    for placement, literal in ctx.placements:
        value = ctx.data.start_raw(ctx.event(placement.event), placement.start)[name]
        if value:
            literals.append(literal)
            coefficients.append(value)
    return cp_model.LinearExpr.weighted_sum(literals, coefficients)


def _room_term(ctx: ModelContext, name: str) -> cp_model.LinearExprT:
    literals, coefficients = [], []
    for placement, literal in ctx.placements:
        value = ctx.data.room_raw(ctx.event(placement.event), placement.group)[name]
        if value:
            literals.append(literal)
            coefficients.append(value)
    return cp_model.LinearExpr.weighted_sum(literals, coefficients)


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


def unscheduled(ctx: ModelContext):
    """Per unscheduled event: UNSCHEDULED_COST[priority] (only where leaving events out is allowed)."""
    constant, literals, coefficients = 0, [], []
    for event in ctx.free_events:
        if ctx.optional(event.id):
            cost = UNSCHEDULED_COST.get(event.priority, UNSCHEDULED_COST[3])
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
    "remote_off_hours": remote_off_hours,
    "crowding": crowding,
    "unscheduled": unscheduled,
}


def evaluate(data: CostData, chosen: Mapping[str, Placement | None]) -> dict[str, int]:
    """Raw value of every term for a full choice of placements (None = unscheduled)."""
    raw = dict.fromkeys(OBJECTIVE_TERMS, 0)
    topic_count: Counter = Counter()
    slot_count: Counter = Counter()
    for event in data.problem.events:
        placement = chosen.get(event.id)
        if placement is None:
            raw["unscheduled"] += UNSCHEDULED_COST.get(event.priority, UNSCHEDULED_COST[3])
            continue
        for name, value in data.start_raw(event, placement.start).items():
            raw[name] += value
        for name, value in data.room_raw(event, placement.group).items():
            raw[name] += value
        for slot in placement.start.occupied:
            slot_count[slot] += 1
            for topic in data.topics[event.id]:
                topic_count[(topic, slot)] += 1
    raw["topic_clash"] = sum(n - 1 for n in topic_count.values() if n > 1)
    raw["crowding"] = sum(n - data.target for n in slot_count.values() if n > data.target)
    return raw


def weighted(data: CostData, raw: Mapping[str, int]) -> dict[str, int]:
    """Raw term values times their weights."""
    return {name: data.weights[name] * value for name, value in raw.items()}


def lower_bound(data: CostData, domains: Mapping[str, Domain], *, allow_unscheduled: bool = False) -> int:
    """A simple valid lower bound on the objective: per-event cheapest placement plus topic floors.

    Each event pays at least its cheapest start cost plus its cheapest room cost (or, where allowed,
    its unscheduled cost
    if smaller); each topic whose events need more slot-occupancies than there are slots they can
    use must clash at least that excess. Used to report an honest gap when CP-SAT's bound is weak.
    """
    total = 0
    usable: dict[str, frozenset[int]] = {}
    shortest: dict[str, int] = {}
    for event_id, domain in sorted(domains.items()):
        event = domain.event
        if domain.empty:
            continue
        cheapest = min(data.start_cost(event, s) for s in domain.starts) + \
            min(data.room_cost(event, g) for g in domain.groups)
        if allow_unscheduled:  # an event may be left out: no clash floors, and maybe a cheaper exit
            total += min(cheapest, data.unscheduled_cost(event))
            continue
        total += cheapest
        usable[event_id] = frozenset(q for s in domain.starts for q in s.occupied)
        shortest[event_id] = min(len(s.occupied) for s in domain.starts)
    if allow_unscheduled:
        return total
    by_topic: dict[str, list[str]] = {}
    for event_id in usable:
        for topic in data.topics[event_id]:
            by_topic.setdefault(topic, []).append(event_id)
    for _topic, members in sorted(by_topic.items()):
        total += data.weights["topic_clash"] * excess_floor([(usable[e], shortest[e]) for e in members], 1)
    everything = [(usable[e], shortest[e]) for e in sorted(usable)]
    total += data.weights["crowding"] * excess_floor(everything, data.target, frozenset(range(len(data.timeline))))
    return total


def excess_floor(items: Sequence[tuple[frozenset[int], int]], per_slot: int,
                 extra: frozenset[int] | None = None) -> int:
    """A lower bound on sum over slots of max(0, n - per_slot) for items that each occupy ``need``
    slots among their ``usable`` ones: for a slot set S, the items usable only inside S put at
    least the sum of their needs into S, so S holds at least that minus ``per_slot * |S|`` beyond.
    S ranges over the items' usable sets, their union, and ``extra``.
    """
    candidates = {u for u, _ in items}
    if items:
        candidates.add(frozenset().union(*candidates))
    if extra is not None:
        candidates.add(extra)
    best = 0
    for slots in sorted(candidates, key=sorted):
        inside = sum(need for u, need in items if u <= slots)
        best = max(best, inside - per_slot * len(slots))
    return best
