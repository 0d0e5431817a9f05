"""An independent exact optimiser for small meetings: a plain CP-SAT model written from the contract.

One boolean per (event, room, start) that passes every placement rule of data-format.md, with the
objective of docs/objective.md term by term. It imports nothing from ``scheduler.solver``: the
placement rules are computed here in plain Python from ``grid``/``model`` helpers, the soft terms
from their written definitions (only the contract's constants come from ``scheduler.weights``).
Every optimum it returns is self-checked: ``scheduler.score`` must give the same total and
``scheduler.check`` no violation, so a mistake in this model fails loudly instead of hiding.
Meant for tiny meetings (a dozen events, a few rooms and slots): no room groups, no symmetry
breaking, pairwise clash constraints.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from ortools.sat.python import cp_model

from scheduler.check import check_schedule
from scheduler.grid import event_speakers_fit, occupied_slots, overlaps, within_local_hours
from scheduler.model import Assignment, Problem, Room, Schedule, SideEvent, Slot, event_end
from scheduler.score import total
from scheduler.weights import COMFORT_HOURS, UNSCHEDULED_COST, effective_weights

UTC = timezone.utc
COMFORT = (time.fromisoformat(COMFORT_HOURS[0]), time.fromisoformat(COMFORT_HOURS[1]))
SlotKey = tuple[date, int]


@dataclass(frozen=True)
class Candidate:
    """One valid placement: an event in a room from a start, the grid slots it covers and its own cost."""

    event: SideEvent
    room: Room
    start: datetime
    end: datetime
    covered: tuple[SlotKey, ...]  # (day, index) of every slot of its venue-local day it overlaps
    cost: int  # weighted preferred_day + preferred_start + room_fit + hybrid_kit_unused + remote_off_hours


@dataclass(frozen=True)
class ExactResult:
    """The proven optimum and a schedule attaining it, or ``optimum is None`` when no schedule exists."""

    optimum: int | None
    schedule: Schedule | None
    candidates: int  # placement booleans in the model
    terms: Mapping[str, int]  # the model's weighted value of each soft term at the optimum


def _free(problem: Problem, kind: str, who: str, start: datetime, end: datetime) -> bool:
    """Rule 9 for one room, speaker or organizer over [start, end)."""
    return not any(u.kind == kind and u.id == who and overlaps(start, end, u.start, u.end)
                   for u in problem.unavailability)


def placement_allowed(problem: Problem, event: SideEvent, room: Room, day_slots: tuple[Slot, ...],
                      index: int) -> bool:
    """Rules 2, 3, 4, 7, 8, 9 and 10 for ``event`` in ``room`` starting at ``day_slots[index]``."""
    start = day_slots[index].start
    end = event_end(start, event.duration)
    if not room.accepts_format(event.format):  # rule 2
        return False
    if not room.is_virtual and room.capacity is not None and (event.attendance or 0) > room.capacity:  # rule 3
        return False
    if occupied_slots(day_slots, index, event.duration, event.format) is None:  # rule 4
        return False
    if any(event.format in b.formats and overlaps(start, end, b.start, b.end) for b in problem.blocked):  # rule 7
        return False
    if event_speakers_fit(problem, event, start, end) is not None:  # rule 8
        return False
    people = [("speaker", s) for s in set(event.speakers)] + [("organizer", event.organizer), ("room", room.id)]
    if not all(_free(problem, kind, who, start, end) for kind, who in people):  # rule 9
        return False
    if event.room is not None and event.room != room.id:  # rule 10
        return False
    return event.start is None or event.start.astimezone(UTC) == start.astimezone(UTC)


def placement_cost(problem: Problem, weights: Mapping[str, int], event: SideEvent, room: Room, start: datetime,
                   end: datetime) -> int:
    """The weighted soft terms that depend on this one placement only (docs/objective.md)."""
    local_start = start.astimezone(problem.meeting.tz)
    cost = 0
    if event.preferred_days and local_start.date() not in event.preferred_days:
        cost += weights["preferred_day"]
    if event.preferred_starts and local_start.time().replace(tzinfo=None) not in event.preferred_starts:
        cost += weights["preferred_start"]
    if not room.is_virtual and room.capacity:
        cost += weights["room_fit"] * (max(0, room.capacity - 2 * (event.attendance or 0)) * 10 // room.capacity)
        if event.format == "in_person" and room.hybrid:
            cost += weights["hybrid_kit_unused"]
    for speaker_id in dict.fromkeys(event.speakers):
        speaker = problem.speakers_by_id.get(speaker_id)
        if speaker is not None and speaker.remote and not within_local_hours(start, end, speaker.tz, COMFORT):
            cost += weights["remote_off_hours"]
    return cost


def covered_slots(problem: Problem, start: datetime, end: datetime) -> tuple[SlotKey, ...]:
    """The slots of the start's venue-local day that [start, end) overlaps."""
    day = start.astimezone(problem.meeting.tz).date()
    return tuple((s.day, s.index) for s in problem.slots if s.day == day and overlaps(start, end, s.start, s.end))


def crowding_target(problem: Problem) -> int:
    """ceil(E / S): E sums each event's fewest slots over valid runs (rule 4 only), S counts grid slots."""
    if not problem.slots:
        return 0
    days: dict[date, list[Slot]] = defaultdict(list)
    for slot in problem.slots:
        days[slot.day].append(slot)
    needed = 0
    for event in problem.events:
        runs = [len(run) for slots in days.values() for i in range(len(slots))
                if (run := occupied_slots(sorted(slots, key=lambda s: s.start), i, event.duration, event.format))]
        needed += min(runs, default=0)
    return math.ceil(needed / len(problem.slots))


def unscheduled_cost(weights: Mapping[str, int], event: SideEvent) -> int:
    """The weighted cost of leaving ``event`` out."""
    return weights["unscheduled"] * UNSCHEDULED_COST.get(event.priority, UNSCHEDULED_COST[3])


def candidates(problem: Problem) -> list[Candidate]:
    """Every placement that passes the placement rules, with its own cost."""
    weights = effective_weights(problem.meeting.weights)
    days: dict[date, list[Slot]] = defaultdict(list)
    for slot in problem.slots:
        days[slot.day].append(slot)
    result = []
    for event in problem.events:
        for room in problem.rooms:
            for slots in days.values():
                day_slots = tuple(sorted(slots, key=lambda s: s.start))
                for index, slot in enumerate(day_slots):
                    if placement_allowed(problem, event, room, day_slots, index):
                        end = event_end(slot.start, event.duration)
                        result.append(Candidate(event, room, slot.start, end, covered_slots(problem, slot.start, end),
                                                placement_cost(problem, weights, event, room, slot.start, end)))
    return result


def _excess(model: cp_model.CpModel, literals: list, allowance: int, name: str) -> cp_model.IntVar | None:
    """An integer e >= sum(literals) - allowance, e >= 0 (None when the sum can never exceed it)."""
    if len(literals) <= allowance:
        return None
    excess = model.new_int_var(0, len(literals) - allowance, name)
    model.add(excess >= sum(literals) - allowance)
    return excess


def solve_exact(problem: Problem, *, allow_unscheduled: bool, workers: int = 2,
                time_limit: float = 120.0) -> ExactResult:
    """The proven optimal cost of ``problem`` and a schedule attaining it, self-checked against score and check."""
    weights = effective_weights(problem.meeting.weights)
    cands = candidates(problem)
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(len(cands))]
    by_event: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(cands):
        by_event[c.event.id].append(i)

    # Rule 1: each event placed once (at most once when events may stay out).
    left_out: dict[str, cp_model.IntVar | int] = {}
    for event in problem.events:
        mine = [x[i] for i in by_event[event.id]]
        if allow_unscheduled:
            model.add(sum(mine) <= 1)
            out = model.new_bool_var(f"out_{event.id}")
            model.add(out + sum(mine) == 1)
            left_out[event.id] = out
        elif not mine:
            return ExactResult(None, None, len(cands), {})
        else:
            model.add_exactly_one(mine)

    # Rule 5: one event per room and slot (and, for odd grids, never two overlapping in one room).
    by_room_slot: dict[tuple[str, SlotKey], list[int]] = defaultdict(list)
    for i, c in enumerate(cands):
        for key in c.covered:
            by_room_slot[(c.room.id, key)].append(i)
    for members in by_room_slot.values():
        model.add_at_most_one(x[i] for i in members)

    # Rule 6 (and rule 5 on real time): no two events of one speaker, organizer or room overlap.
    def owners(c: Candidate) -> set[tuple[str, str]]:
        """The speakers, organizer and room a placement uses."""
        return {("speaker", s) for s in c.event.speakers} | {("organizer", c.event.organizer), ("room", c.room.id)}

    spans = [(c.start.astimezone(UTC), c.end.astimezone(UTC)) for c in cands]
    for a in range(len(cands)):
        for b in range(a + 1, len(cands)):
            ca, cb = cands[a], cands[b]
            if ca.event.id == cb.event.id or not (spans[a][0] < spans[b][1] and spans[b][0] < spans[a][1]):
                continue
            shared = owners(ca) & owners(cb)
            if shared - {("organizer", "")}:
                model.add_bool_or([x[a].Not(), x[b].Not()])

    # Soft terms.
    terms: dict[str, list] = defaultdict(list)
    terms["placement"] = [c.cost * x[i] for i, c in enumerate(cands) if c.cost]
    terms["unscheduled"] = [unscheduled_cost(weights, e) * left_out[e.id] for e in problem.events if e.id in left_out]
    by_topic_slot: dict[tuple[str, SlotKey], list] = defaultdict(list)
    by_slot: dict[SlotKey, list] = defaultdict(list)
    for i, c in enumerate(cands):
        for key in c.covered:
            by_slot[key].append(x[i])
            for topic in set(c.event.topics):
                by_topic_slot[(topic, key)].append(x[i])
    for (topic, key), lits in sorted(by_topic_slot.items()):
        excess = _excess(model, lits, 1, f"clash_{topic}_{key}")
        if excess is not None:
            terms["topic_clash"].append(weights["topic_clash"] * excess)
    target = crowding_target(problem)
    for key, lits in sorted(by_slot.items()):
        excess = _excess(model, lits, target, f"crowd_{key}")
        if excess is not None:
            terms["crowding"].append(weights["crowding"] * excess)
    model.minimize(sum(sum(parts) for parts in terms.values()))

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return ExactResult(None, None, len(cands), {})
    if status != cp_model.OPTIMAL:
        raise RuntimeError(f"exact model not proven within {time_limit} s: {solver.status_name(status)}")
    optimum = round(solver.objective_value)
    assert round(solver.best_objective_bound) == optimum

    chosen = {cands[i].event.id: cands[i] for i in range(len(cands)) if solver.boolean_value(x[i])}
    assignments = []
    for event in problem.events:
        c = chosen.get(event.id)
        assignments.append(Assignment(event.id) if c is None else Assignment(event.id, c.room.id, c.start, c.end))
    schedule = Schedule(tuple(assignments), {"objective": optimum}).sorted()
    values = {name: sum(solver.value(p) for p in parts) for name, parts in terms.items()}
    # Self-check: the independent scorer agrees with this model's objective, the checker with its rules.
    scored = total(problem, schedule)
    assert scored == optimum, f"exact model objective {optimum} != score.total {scored} (terms {values})"
    violations = check_schedule(problem, schedule, allow_unscheduled=allow_unscheduled)
    assert violations == [], f"exact model schedule breaks hard rules: {violations}"
    return ExactResult(optimum, schedule, len(cands), values)
