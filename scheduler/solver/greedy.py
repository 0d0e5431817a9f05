"""A fast greedy start: most-constrained events first, each at its cheapest placement still free.

Its schedule is the solver's hint (and, on large meetings, the incumbent that repair and
large-neighbourhood search improve). The cost of a placement is the exact increase of the
objective given the events already placed (topic clashes and crowding included).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from ..model import SideEvent
from .blocks import place_tracks
from .build import people
from .objectives import CostData
from .tracks import TrackState
from .variables import Domain, Placement, Start

Runs = tuple[tuple[bool, tuple[tuple[int, int], ...]], ...]  # (ordered, ((room group, track cost), ...))


class Occupancy:
    """Room-group slots in use, people's busy intervals, topic and slot counts of placed events."""

    def __init__(self, data: CostData) -> None:
        self.data = data
        self.used: Counter = Counter()
        self.busy: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
        self.topic: Counter = Counter()
        self.crowd: Counter = Counter()
        self.full: dict[int, set[int]] = {}  # room group -> slots where all its rooms are taken
        self.tracks = TrackState(data) if data.track else None
        self._plain_rooms: tuple[Sequence[int], Runs] | None = None

    def add(self, event: SideEvent, placement: Placement) -> None:
        """Record ``event`` at ``placement``."""
        self._count(event, placement, 1)
        for person in people(event):
            self.busy.setdefault(person, []).append((placement.start.begin, placement.start.end, event.id))

    def remove(self, event: SideEvent, placement: Placement) -> None:
        """Forget ``event`` at ``placement``."""
        self._count(event, placement, -1)
        for person in people(event):
            self.busy[person] = [item for item in self.busy[person] if item[2] != event.id]

    def _count(self, event: SideEvent, placement: Placement, sign: int) -> None:
        size = self.data.groups[placement.group].size
        full = self.full.setdefault(placement.group, set())
        for slot in placement.start.occupied:
            self.used[(placement.group, slot)] += sign
            if self.used[(placement.group, slot)] >= size:
                full.add(slot)
            else:
                full.discard(slot)
            self.crowd[slot] += sign
            for topic in self.data.topics[event.id]:
                self.topic[(topic, slot)] += sign
        if self.tracks is not None:
            self.tracks.change(event.id, placement, sign)

    def person_free(self, event: SideEvent, start: Start) -> bool:
        """No speaker or organizer of ``event`` is busy during ``start``'s interval."""
        for person in people(event):
            for begin, end, other in self.busy.get(person, ()):
                if other != event.id and begin < start.end and start.begin < end:
                    return False
        return True

    def room_free(self, group: int, start: Start) -> bool:
        """The room group still has a room in every slot ``start`` occupies."""
        full = self.full.get(group)
        return full is None or full.isdisjoint(start.occupied)

    def start_delta(self, event: SideEvent, start: Start) -> int:
        """Weighted cost of ``event`` at ``start`` given what is placed: own terms, clashes, crowding, and its
        track's days (the track's rooms and gaps are priced by ``room_order``)."""
        data = self.data
        clash = sum(1 for slot in start.occupied for topic in data.topics[event.id] if self.topic[(topic, slot)] > 0)
        crowd = sum(1 for slot in start.occupied if self.crowd[slot] >= data.target)
        track = self.tracks.start_delta(event.id, start) if self.tracks is not None else 0
        return data.start_cost(event, start) + data.weights["topic_clash"] * clash + \
            data.weights["crowding"] * crowd + track

    def room_order(self, event: SideEvent, rooms: Sequence[int], start: Start) -> Runs:
        """``rooms`` (sorted by room cost) as runs of (group, track cost there) for ``start``, each with
        whether its cost grows with the room cost (a search may then stop at its first free room).

        The rooms the event's track already uses that day come first, each with the change of the
        track's gap there (few, in any order); then the others, each at ``track_rooms``.
        """
        used = self.tracks.used_rooms(event.id, start.day) if self.tracks is not None else None
        if not used or self.tracks is None:
            return self._plain(rooms)
        tracks = self.tracks
        return ((False, tuple((g, tracks.room_delta(event.id, start, g, used)) for g in rooms if g in used)),
                (True, tuple((g, tracks.data.weights["track_rooms"]) for g in rooms if g not in used)))

    def _plain(self, rooms: Sequence[int]) -> Runs:
        """``rooms`` as one run at no track cost (cached: the same list comes for every start of an event)."""
        if self._plain_rooms is None or self._plain_rooms[0] is not rooms:
            self._plain_rooms = (rooms, ((True, tuple((g, 0) for g in rooms)),))
        return self._plain_rooms[1]

    def track_floor(self, event: SideEvent, start: Start) -> int:
        """A lower bound of the track cost ``room_order`` adds at ``start`` (filling the track's largest gap)."""
        return self.tracks.floor(event.id, start) if self.tracks is not None else 0


def best_placement(occupancy: Occupancy, domain: Domain, rng: random.Random | None = None) -> Placement | None:
    """The cheapest placement of the domain's event that is still free, or None."""
    event, data = domain.event, occupancy.data
    rooms = sorted(domain.groups, key=lambda g: (data.room_cost(event, g), g))
    cheapest_room = data.room_cost(event, rooms[0]) if rooms else 0
    moves = data.previous is not None  # a move's cost depends on room and start together: try every room
    best: tuple[float, int, int] | None = None
    found: Placement | None = None
    for start in domain.starts:
        if best is not None and data.start_cost(event, start) + cheapest_room + \
                occupancy.track_floor(event, start) >= best[0]:
            continue  # the clashes and crowding start_delta adds can only make it dearer
        delta = occupancy.start_delta(event, start)
        if best is not None and delta + cheapest_room + occupancy.track_floor(event, start) >= best[0]:
            continue
        if not occupancy.person_free(event, start):
            continue
        opened = domain.open_at.get(start.slot, ()) if domain.open_at is not None else None
        for ordered, run in occupancy.room_order(event, rooms, start):
            for group, extra in run:
                if opened is not None and group not in opened:  # domain.allowed, inlined: the hot loop
                    continue
                if (group, start.slot) in domain.forbidden or not occupancy.room_free(group, start):
                    continue
                cost = delta + extra + data.place_cost(event, group, start) + (rng.random() * 0.5 if rng else 0.0)
                key = (cost, start.slot, group)
                if best is None or key < best:
                    best, found = key, Placement(event.id, group, start)
                if ordered and not moves:
                    break
    return found


def greedy_order(domains: Mapping[str, Domain], event_ids: Iterable[str], *, by_priority: bool,
                 rng: random.Random | None = None, data: CostData | None = None) -> list[str]:
    """Most constrained first (fewest placements, longest, largest); by priority first if asked. An event
    that wishes for a room counts only the placements in the rooms it wishes for (given ``data``). A
    track's events go together, at the turn of its most constrained event, so each finds its track in place."""
    own: dict[str, tuple] = {}
    for event_id in event_ids:
        domain = domains[event_id]
        event = domain.event
        noise = rng.random() if rng else 0.0
        size = domain.size
        if data is not None and (event.room_tags or event.room_seats is not None) and domain.groups:
            wished = sum(1 for g in domain.groups if not data.room_raw(event, g)["room_wish"])
            size *= max(1, wished) / len(domain.groups)
        own[event_id] = (-event.priority if by_priority else 0, size * (1 + 0.3 * noise), -event.duration,
                         -(event.attendance or 0), event_id)
    lead: dict[str, tuple] = {}
    for event_id, key in own.items():
        track = domains[event_id].event.track
        if track:
            lead[track] = min(lead.get(track, key), key)
    return sorted(own, key=lambda e: (lead.get(domains[e].event.track, own[e]), own[e]))


def greedy(data: CostData, domains: Mapping[str, Domain], event_ids: Sequence[str], *,
           fixed: Mapping[str, Placement | None] | None = None, by_priority: bool = False,
           seed: int | None = None) -> dict[str, Placement | None]:
    """Place ``event_ids`` one by one around the ``fixed`` ones; None for those that found no room.

    With tracks, pinned events go first, then each track as a block (``blocks.place_tracks``), then the rest.
    """
    rng = random.Random(seed) if seed is not None else None
    occupancy = Occupancy(data)
    for event_id, placement in sorted((fixed or {}).items()):
        if placement is not None:
            occupancy.add(data.problem.events_by_id[event_id], placement)
    result: dict[str, Placement | None] = {}
    order = greedy_order(domains, event_ids, by_priority=by_priority, rng=rng, data=data)
    if data.track:
        pinned = [e for e in order if domains[e].event.room or domains[e].event.start is not None]
        for event_id in pinned:
            result[event_id] = _place(occupancy, domains[event_id], rng)
        result.update(place_tracks(occupancy, domains, [e for e in order if e not in result]))
    for event_id in order:
        if event_id not in result:
            result[event_id] = _place(occupancy, domains[event_id], rng)
    return result


def _place(occupancy: Occupancy, domain: Domain, rng: random.Random | None) -> Placement | None:
    """The event's cheapest free placement, recorded in ``occupancy`` (None when there is none)."""
    placement = best_placement(occupancy, domain, rng)
    if placement is not None:
        occupancy.add(domain.event, placement)
    return placement


EJECTION_TRIES = 8  # per event and sweep: each costs a scan of the ejected event's placements


class LocalSearch:
    """Hill-climbing on a complete schedule with exact cost deltas: move one event, or move it and
    push the one event in its way to that event's best other place (an ejection chain of one).

    Cheap in Python (no model to build), so it runs between large-neighbourhood sub-solves and
    finds the many small improvements a greedy start leaves; CP-SAT then handles the rest.
    """

    def __init__(self, data: CostData, domains: Mapping[str, Domain], chosen: Mapping[str, Placement | None]) -> None:
        self.data = data
        self.domains = domains
        self.chosen: dict[str, Placement | None] = dict(chosen)
        self.occupancy = Occupancy(data)
        self.occupants: dict[tuple[int, int], set[str]] = {}
        self.floors: dict[str, int] = {}
        for event_id, placement in sorted(self.chosen.items()):
            if placement is not None:
                self._add(event_id, placement)

    def _event(self, event_id: str) -> SideEvent:
        return self.data.problem.events_by_id[event_id]

    def _add(self, event_id: str, placement: Placement) -> None:
        self.occupancy.add(self._event(event_id), placement)
        for slot in placement.start.occupied:
            self.occupants.setdefault((placement.group, slot), set()).add(event_id)
        self.chosen[event_id] = placement

    def _remove(self, event_id: str) -> Placement:
        placement = self.chosen[event_id]
        assert placement is not None
        self.occupancy.remove(self._event(event_id), placement)
        for slot in placement.start.occupied:
            self.occupants[(placement.group, slot)].discard(event_id)
        self.chosen[event_id] = None
        return placement

    def _cost(self, event_id: str, placement: Placement) -> int:
        """Marginal weighted cost of the (removed) event at ``placement`` given everything placed."""
        event = self._event(event_id)
        tracks = self.occupancy.tracks
        rooms = tracks.room_delta(event_id, placement.start, placement.group,
                                  tracks.used_rooms(event_id, placement.start.day)) if tracks is not None else 0
        return self.occupancy.start_delta(event, placement.start) + rooms + \
            self.data.place_cost(event, placement.group, placement.start)

    def _floor(self, event_id: str) -> int:
        """The event's cheapest own cost (start terms plus cheapest room), ignoring the others, less the
        largest gap of its track it could fill."""
        if event_id not in self.floors:
            domain = self.domains[event_id]
            event = domain.event
            self.floors[event_id] = min(self.data.start_cost(event, s) for s in domain.starts) + \
                min(self.data.room_cost(event, g) for g in domain.groups)
        tracks = self.occupancy.tracks
        track = self.data.track.get(event_id)
        if tracks is None or not track:
            return self.floors[event_id]
        gaps = [tracks.gap(room) for room in tracks.firsts if room[0] == track]
        return self.floors[event_id] - self.data.weights["track_gaps"] * max(gaps, default=0)

    def _blockers(self, event_id: str, placement: Placement) -> set[str]:
        """The placed events that keep ``placement`` from being free (room taken, person busy)."""
        found: set[str] = set()
        if not self.occupancy.room_free(placement.group, placement.start):
            for slot in placement.start.occupied:
                found |= self.occupants.get((placement.group, slot), set())
        for person in people(self._event(event_id)):
            for begin, end, other in self.occupancy.busy.get(person, ()):
                if other != event_id and begin < placement.start.end and placement.start.begin < end:
                    found.add(other)
        return found

    def _fits(self, event_id: str, placement: Placement) -> bool:
        return self.occupancy.room_free(placement.group, placement.start) and \
            self.occupancy.person_free(self._event(event_id), placement.start)

    def improve_event(self, event_id: str) -> int:
        """Try to make ``event_id`` cheaper by a move or a one-event ejection; the saving (0 if none)."""
        domain = self.domains[event_id]
        event = domain.event
        old = self._remove(event_id)
        current = self._cost(event_id, old)
        if current <= self._floor(event_id):  # no placement can cost less than the cheapest own cost
            self._add(event_id, old)
            return 0
        rooms = sorted(domain.groups, key=lambda g: (self.data.room_cost(event, g), g))
        candidates = []
        moves = self.data.previous is not None
        for start in domain.starts:
            delta = self.occupancy.start_delta(event, start)
            for ordered, run in self.occupancy.room_order(event, rooms, start):
                for group, extra in run:
                    cost = delta + extra + self.data.place_cost(event, group, start)
                    if cost >= current:
                        if moves or not ordered:
                            continue
                        break
                    if domain.allowed(group, start.slot):
                        candidates.append((cost, start.slot, group, start))
        tries = 0
        for cost, _, group, start in sorted(candidates, key=lambda c: c[:3]):
            placement = Placement(event_id, group, start)
            blockers = self._blockers(event_id, placement)
            if not blockers:
                self._add(event_id, placement)
                return current - cost
            if len(blockers) != 1 or self.data.groups[group].size != 1 or tries >= EJECTION_TRIES:
                continue
            tries += 1
            other = next(iter(blockers))
            other_old = self._remove(other)
            other_current = self._cost(other, other_old)
            if self._fits(event_id, placement):
                cost = self._cost(event_id, placement)  # without ``other`` in the way
                self._add(event_id, placement)
                moved = best_placement(self.occupancy, self.domains[other])
                if moved is not None and moved != other_old:
                    other_cost = self._cost(other, moved)
                    saving = current + other_current - cost - other_cost
                    if saving > 0:
                        self._add(other, moved)
                        return saving
                self._remove(event_id)
            self._add(other, other_old)
        self._add(event_id, old)
        return 0

    def run(self, order: Sequence[str], rng: random.Random, sweeps: int, deadline: float | None = None) -> int:
        """Sweep over ``order`` (shuffled each time) until a sweep saves nothing; the total saving."""
        import time

        total = 0
        order = list(order)
        for _ in range(sweeps):
            rng.shuffle(order)
            saved = 0
            for event_id in order:
                if deadline is not None and time.perf_counter() > deadline:
                    return total + saved
                if self.chosen.get(event_id) is not None:
                    saved += self.improve_event(event_id)
            total += saved
            if not saved:
                break
        return total
