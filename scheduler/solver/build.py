"""Builds the CP-SAT model from both registries: placement literals, HARD_RULES, OBJECTIVE_TERMS.

The same builder serves the whole problem and sub-problems (repair and large-neighbourhood
search): ``free`` events get variables, ``fixed`` events keep their placement and only take room
slots, people's time and topic/crowding counts away from the free ones. In explain mode every
rule instance gets an assumption literal instead of holding unconditionally.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ortools.sat.python import cp_model

from ..model import Problem, SideEvent
from .constraints import HARD_RULES, Instance
from .objectives import OBJECTIVE_TERMS, CostData
from .variables import Domain, Placement, RoomGroup, Start


def people(event: SideEvent) -> list[tuple[str, str]]:
    """The (kind, id) of everyone who cannot be in two places at once for this event."""
    return [("speaker", s) for s in dict.fromkeys(event.speakers)] + [("organizer", event.organizer)]


@dataclass
class ModelContext:
    """What model rules and objective terms read: literals by event, by slot, and fixed counts."""

    model: cp_model.CpModel
    problem: Problem
    data: CostData
    groups: tuple[RoomGroup, ...]
    free_events: list[SideEvent]
    optional_ids: frozenset[str] = frozenset()
    explain: bool = False
    placements: list[tuple[Placement, cp_model.IntVar]] = field(default_factory=list)
    by_event: dict[str, list[tuple[Placement, cp_model.IntVar]]] = field(default_factory=dict)
    occupancy: dict[int, list[tuple[str, cp_model.IntVar]]] = field(default_factory=dict)
    fixed_used: Counter = field(default_factory=Counter)
    fixed_topic: Counter = field(default_factory=Counter)
    fixed_crowd: Counter = field(default_factory=Counter)
    fixed: dict[str, Placement] = field(default_factory=dict)  # the fixed events' placements
    cache: dict[str, Any] = field(default_factory=dict)  # what several terms share (the track variables)
    assumptions: dict[Instance, cp_model.IntVar] = field(default_factory=dict)
    terms: dict[str, cp_model.LinearExprT] = field(default_factory=dict)
    objective: cp_model.LinearExprT = 0
    _starts: dict[str, dict[int, cp_model.IntVar]] = field(default_factory=dict)
    _derived: list[tuple[cp_model.IntVar, Callable[[Mapping[int, int]], int]]] = field(default_factory=list)

    def event(self, event_id: str) -> SideEvent:
        """The event with this id."""
        return self.problem.events_by_id[event_id]

    def optional(self, event_id: str) -> bool:
        """True when this free event may stay unscheduled in this model."""
        return event_id in self.optional_ids

    def guard(self, rule: str, instance: object) -> cp_model.IntVar | None:
        """The assumption literal switching this rule instance on (explain mode), else None."""
        if not self.explain:
            return None
        key = (rule, instance)
        if key not in self.assumptions:
            self.assumptions[key] = self.model.new_bool_var(f"{rule}:{instance}")
        return self.assumptions[key]

    def room_capacity(self, group: int, slot: int) -> int:
        """How many more events the room group can hold in this slot."""
        return self.groups[group].size - self.fixed_used[(group, slot)]

    def start_literal(self, event_id: str, slot: int) -> cp_model.IntVar:
        """True iff the event starts at this slot (in any room)."""
        return self._starts[event_id][slot]

    def starts_of(self, event_id: str) -> list[Start]:
        """The distinct starts the event can take in this model."""
        seen: dict[int, Start] = {}
        for placement, _ in self.by_event[event_id]:
            seen.setdefault(placement.start.slot, placement.start)
        return list(seen.values())

    def derive(self, var: cp_model.IntVar, constant: int, literals: list, cap: int | None = None) -> None:
        """Record var = max(0, constant + sum(literals)), at most ``cap``, so a hint can fill it in."""
        def value(values: Mapping[int, int]) -> int:
            found = max(0, constant + sum(values.get(lit.index, 0) for lit in literals))
            return found if cap is None else min(cap, found)
        self._derived.append((var, value))

    def derive_by(self, var: cp_model.IntVar, value: Callable[[Mapping[int, int]], int]) -> None:
        """Record how a hint fills in ``var`` from the values of the variables derived before it."""
        self._derived.append((var, value))

    def add_hint(self, chosen: Mapping[str, Placement | None]) -> None:
        """Hint a complete solution: the chosen placements of the free events, and what follows."""
        values: dict[int, int] = {}
        for event in self.free_events:
            pick = chosen.get(event.id)
            for placement, literal in self.by_event[event.id]:
                hit = pick is not None and pick.group == placement.group and pick.start.slot == placement.start.slot
                values[literal.index] = int(hit)
                self.model.add_hint(literal, int(hit))
        for var, derived in self._derived:
            value = derived(values)
            values[var.index] = value
            self.model.add_hint(var, value)

    def decode(self, solver: cp_model.CpSolver) -> dict[str, Placement | None]:
        """The free events' placements in the solver's solution (None = unscheduled)."""
        result: dict[str, Placement | None] = {}
        for event in self.free_events:
            result[event.id] = next((p for p, lit in self.by_event[event.id] if solver.boolean_value(lit)), None)
        return result


def build_model(problem: Problem, data: CostData, domains: Mapping[str, Domain], free: Iterable[str],
                fixed: Mapping[str, Placement | None] | None = None, *, optional: Collection[str] = (),
                days: Collection[date] | None = None, explain: bool = False,
                objective: bool = True, offset: int = 0) -> ModelContext:
    """Build the model over the ``free`` events, with ``fixed`` placements as given facts.

    ``offset`` is a constant added to the objective: the cost of what the model leaves out (events
    with no possible placement), so that its value and bound are those of the whole schedule.
    """
    free_events = [problem.events_by_id[e] for e in sorted(set(free))]
    ctx = ModelContext(cp_model.CpModel(), problem, data, data.groups, free_events,
                       frozenset(optional), explain)
    busy: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for event_id, placement in sorted((fixed or {}).items()):
        if placement is None:
            continue
        ctx.fixed[event_id] = placement
        for slot in placement.start.occupied:
            ctx.fixed_used[(placement.group, slot)] += 1
            ctx.fixed_crowd[slot] += 1
            for topic in data.topics[event_id]:
                ctx.fixed_topic[(topic, slot)] += 1
        for person in people(problem.events_by_id[event_id]):
            busy.setdefault(person, []).append((placement.start.begin, placement.start.end))
    for event in free_events:
        _add_placements(ctx, domains[event.id], busy, days)
    for rule in HARD_RULES.values():
        if rule.phase == "model":
            rule.apply(ctx)
    if objective:
        parts = []
        for name, term in OBJECTIVE_TERMS.items():
            weight = data.weights[name]
            if weight and name in data.terms:
                ctx.terms[name] = term(ctx)
                parts.append(weight * ctx.terms[name])
        ctx.objective = cp_model.LinearExpr.sum(parts) + offset
        ctx.model.minimize(ctx.objective)
    return ctx


def _add_placements(ctx: ModelContext, domain: Domain, busy: Mapping[tuple[str, str], list[tuple[int, int]]],
                    days: Collection[date] | None) -> None:
    event = domain.event
    mine = [busy.get(person, []) for person in people(event)]
    start_ok: dict[int, bool] = {}
    by_start: dict[int, tuple[Start, list[cp_model.IntVar]]] = {}
    placements = ctx.by_event.setdefault(event.id, [])
    for group, start in domain.pairs():
        if start.slot not in start_ok:
            start_ok[start.slot] = (days is None or start.day in days) and not any(
                b < start.end and start.begin < e for intervals in mine for b, e in intervals)
        if not start_ok[start.slot]:
            continue
        if any(ctx.room_capacity(group, slot) <= 0 for slot in start.occupied):
            continue
        literal = ctx.model.new_bool_var("")
        placement = Placement(event.id, group, start)
        placements.append((placement, literal))
        ctx.placements.append((placement, literal))
        by_start.setdefault(start.slot, (start, []))[1].append(literal)
        for instance in sorted(domain.guards.get((group, start.slot), ()), key=repr):
            ctx.model.add_implication(ctx.guard(*instance), literal.Not())
    starts = ctx._starts.setdefault(event.id, {})
    for slot, (start, literals) in sorted(by_start.items()):
        if len(literals) == 1:
            starts[slot] = literals[0]
        else:
            starts[slot] = ctx.model.new_bool_var("")
            ctx.model.add(cp_model.LinearExpr.sum(literals) == starts[slot])
            ctx.derive(starts[slot], 0, literals)
        for occupied in start.occupied:
            ctx.occupancy.setdefault(occupied, []).append((event.id, starts[slot]))
