"""A lower bound of our own on the objective, valid for every schedule that obeys the hard rules.

CP-SAT's own bound is weak on large meetings (its linear relaxation of the whole model is never
finished), so the gap reported in schedule.json would say nothing. The bound here is the best of
two sums, each a sum of lower bounds on *different* parts of the objective (so adding them is
valid); docs/objective.md ("The bound and the gap") gives the proof of each part.

- ``separate``: every event's cheapest placement (start-dependent terms plus the cheapest room
  allowed with that start), raised by per-person floors (a speaker's or organizer's events may
  not overlap, so they cannot all take their cheapest start when those starts coincide), plus
  per-topic clash floors and the crowding floor (slot-occupancies that can only fall inside a
  set of slots, minus what those slots hold without excess).
- ``coupled``: per topic, a min-cost flow that places the topic's events (and pays their own
  costs, each event counted under one topic only) while paying for clashes, plus the costs of
  events without a topic, plus the crowding floor.

Everything here is plain combinatorics on the events' domains (no CP-SAT), computed once per solve.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from .build import people
from .objectives import CostData
from .variables import Domain

SCALE = 6  # common multiple of 1, 2 and 3: costs per occupied slot of events of up to 3 slots stay whole


@dataclass(frozen=True)
class Bound:
    """The bound and its parts (weighted units), so a report can say where the floor comes from."""

    value: int
    event_costs: int  # sum of each event's cheapest placement (with --allow-unscheduled: or leaving out)
    person_floor: int  # what overlapping cheapest starts of one person's events add to event_costs
    topic_floor: int  # weighted topic clashes no schedule avoids (per topic, independently)
    crowding_floor: int  # weighted crowding no schedule avoids
    coupled: int  # the alternative sum: per-topic flows with event costs, plus crowding floor

    def as_dict(self) -> dict[str, int]:
        """The parts as plain values."""
        return {"value": self.value, "event_costs": self.event_costs, "person_floor": self.person_floor,
                "topic_floor": self.topic_floor, "crowding_floor": self.crowding_floor, "coupled": self.coupled}


def start_costs(data: CostData, domain: Domain) -> dict[int, int]:
    """Each start's cheapest weighted cost: its start-dependent terms plus the cheapest room allowed with it."""
    event = domain.event
    rooms = sorted(domain.groups, key=lambda g: (data.room_cost(event, g), g))
    costs: dict[int, int] = {}
    for start in domain.starts:
        room = next((g for g in rooms if domain.allowed(g, start.slot)), None)
        if room is not None:
            costs[start.slot] = data.start_cost(event, start) + data.room_cost(event, room)
    return costs


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


def _min_cost_flow(arcs: Sequence[tuple[int, int, int, int]], supplies: Mapping[int, int]) -> int | None:
    """The optimal cost of a balanced min-cost flow (arcs: tail, head, capacity, unit cost); None if none exists.

    No flow means the events involved cannot all be placed (e.g. one speaker pinned into two events
    at once): the meeting is infeasible and the solver says so; the bound just skips that part.
    """
    if not arcs:
        return 0
    flow = min_cost_flow.SimpleMinCostFlow()
    table = np.array(arcs, dtype=np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(table[:, 0], table[:, 1], table[:, 2], table[:, 3])
    nodes = sorted(supplies)
    flow.set_nodes_supplies(np.array(nodes, dtype=np.int64), np.array([supplies[n] for n in nodes], dtype=np.int64))
    if flow.solve() != flow.OPTIMAL:
        return None
    return int(flow.optimal_cost())


def person_floor(domains: Mapping[str, Domain], costs: Mapping[str, Mapping[int, int]]) -> int:
    """What one person's events must pay above their cheapest starts, summed over persons sharing no event.

    Two events of one person may not overlap, so they never start at the same instant: the
    events' costs are at least a min-cost assignment of events to distinct start instants.
    Persons are taken by decreasing gain, each only if none of its events is already counted.
    """
    events_of: dict[tuple[str, str], list[str]] = {}
    for event_id in sorted(costs):
        for person in people(domains[event_id].event):
            events_of.setdefault(person, []).append(event_id)
    gains: list[tuple[int, tuple[str, str], list[str]]] = []
    for person, members in sorted(events_of.items()):
        if len(members) < 2:
            continue
        begin_of = {s.slot: s.begin for e in members for s in domains[e].starts}
        cheapest = {e: min(costs[e].values()) for e in members}
        if _cheapest_collide(members, costs, cheapest, begin_of):
            matched = _assignment(members, costs, begin_of)
            gain = 0 if matched is None else matched - sum(cheapest.values())
            if gain > 0:
                gains.append((gain, person, members))
    total, counted = 0, set()
    for gain, _, members in sorted(gains, key=lambda item: (-item[0], item[1])):
        if counted.isdisjoint(members):
            total += gain
            counted.update(members)
    return total


def _cheapest_collide(members: Sequence[str], costs: Mapping[str, Mapping[int, int]], cheapest: Mapping[str, int],
                      begin_of: Mapping[int, int]) -> bool:
    """True unless the members can take distinct cheapest instants (checked greedily, fewest options first)."""
    taken: set[int] = set()
    options = {e: sorted({begin_of[s] for s, c in costs[e].items() if c == cheapest[e]}) for e in members}
    for event_id in sorted(members, key=lambda e: (len(options[e]), e)):
        free = [b for b in options[event_id] if b not in taken]
        if not free:
            return True
        taken.add(free[0])
    return False


def _assignment(members: Sequence[str], costs: Mapping[str, Mapping[int, int]],
                begin_of: Mapping[int, int]) -> int | None:
    """Min-cost assignment of the members to distinct start instants (each at its cheapest start there)."""
    instants = sorted({begin_of[s] for e in members for s in costs[e]})
    node = {b: len(members) + 2 + i for i, b in enumerate(instants)}
    source, sink = 0, 1
    arcs = []
    for index, event_id in enumerate(members):
        best: dict[int, int] = {}
        for slot, cost in costs[event_id].items():
            begin = begin_of[slot]
            best[begin] = min(cost, best.get(begin, cost))
        arcs.append((source, 2 + index, 1, 0))
        arcs.extend((2 + index, node[b], 1, c) for b, c in sorted(best.items()))
    arcs.extend((node[b], sink, 1, 0) for b in instants)
    return _min_cost_flow(arcs, {source: len(members), sink: -len(members)})


def topic_flow(data: CostData, domains: Mapping[str, Domain], costs: Mapping[str, Mapping[int, int]],
               members: Sequence[str], owned: Iterable[str]) -> int:
    """Lower bound on one topic's weighted clashes plus the own costs of the ``owned`` members.

    A min-cost flow (in units of 1/SCALE): each member sends ``need`` units (the fewest slots any
    of its starts occupies) to slots it can occupy; a unit into slot q costs the member's cheapest
    start occupying q divided by ``need`` (owned members only); each slot takes one unit free and
    every further unit at the topic_clash weight. Any schedule gives such a flow of no greater cost.
    """
    owned = set(owned)
    weight = data.weights["topic_clash"] * SCALE
    slots: dict[int, int] = {}
    source, sink = 0, 1
    arcs: list[tuple[int, int, int, int]] = []
    supply = 0
    for index, event_id in enumerate(members):
        domain = domains[event_id]
        need = min(len(s.occupied) for s in domain.starts if s.slot in costs[event_id])
        per_slot: dict[int, int] = {}
        for start in domain.starts:
            if start.slot not in costs[event_id]:
                continue
            cost = costs[event_id][start.slot] if event_id in owned else 0
            for q in start.occupied:
                per_slot[q] = min(cost, per_slot.get(q, cost))
        arcs.append((source, 2 + index, need, 0))
        supply += need
        for q, cost in sorted(per_slot.items()):
            node = slots.setdefault(q, 2 + len(members) + len(slots))
            arcs.append((2 + index, node, 1, cost * SCALE // need))
    for node in slots.values():
        arcs.append((node, sink, 1, 0))
        arcs.append((node, sink, supply, weight))
    cost = _min_cost_flow(arcs, {source: supply, sink: -supply})
    return 0 if cost is None else -(-cost // SCALE)


def combinatorial_bound(data: CostData, domains: Mapping[str, Domain], *, allow_unscheduled: bool = False,
                        coupled: bool = True) -> Bound:
    """The combinatorial lower bound over the placeable events' domains (empty domains are skipped).

    With ``allow_unscheduled`` every event may be left out, so only the per-event minimum (or its
    unscheduled cost, if cheaper) remains valid. ``coupled=False`` skips the per-topic flows
    (cheaper; used where a bound is needed at once).
    """
    domains = {e: d for e, d in sorted(domains.items()) if not d.empty}
    costs = {e: start_costs(data, d) for e, d in domains.items()}
    costs = {e: c for e, c in costs.items() if c}
    if allow_unscheduled:
        total = sum(min(min(c.values()), data.unscheduled_cost(domains[e].event)) for e, c in costs.items())
        return Bound(total, total, 0, 0, 0, total)
    event_costs = sum(min(c.values()) for c in costs.values())
    usable: dict[str, frozenset[int]] = {}
    need: dict[str, int] = {}
    for event_id in costs:
        starts = [s for s in domains[event_id].starts if s.slot in costs[event_id]]
        usable[event_id] = frozenset(q for s in starts for q in s.occupied)
        need[event_id] = min(len(s.occupied) for s in starts)
    by_topic: dict[str, list[str]] = {}
    for event_id in costs:
        for topic in data.topics[event_id]:
            by_topic.setdefault(topic, []).append(event_id)
    clash = data.weights["topic_clash"]
    topic_floor = sum(clash * excess_floor([(usable[e], need[e]) for e in members], 1)
                      for _, members in sorted(by_topic.items()))
    everything = [(usable[e], need[e]) for e in sorted(usable)]
    crowding_floor = data.weights["crowding"] * excess_floor(everything, data.target,
                                                             frozenset(range(len(data.timeline))))
    persons = person_floor(domains, costs)
    separate = event_costs + persons + topic_floor + crowding_floor
    coupled_total = 0
    if coupled and clash > 0:
        owner = {e: data.topics[e][0] for e in costs if data.topics[e]}
        coupled_total = crowding_floor + sum(min(c.values()) for e, c in costs.items() if e not in owner)
        for topic, members in sorted(by_topic.items()):
            coupled_total += topic_flow(data, domains, costs, members, [e for e in members if owner[e] == topic])
    return Bound(max(separate, coupled_total), event_costs, persons, topic_floor, crowding_floor, coupled_total)
