"""The hidden placement: every event in a free room and run of slots, most constrained events first."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timezone

from ..grid import occupied_slots, overlaps
from ..model import FORMATS, BlockedPeriod, Slot, Unavailability, event_end
from .people import Calendar
from .plan import MAX_RUN_GAP, PHYSICAL_FORMATS, Blueprint, EventSeed, Placed, Position

UTC = timezone.utc


def blocked_by(blocked: Sequence[BlockedPeriod], fmt: str, start: datetime, end: datetime) -> bool:
    """True when a blocked period of format ``fmt`` overlaps [start, end)."""
    return any(fmt in b.formats and overlaps(start, end, b.start, b.end) for b in blocked)


def minutes_between(start: datetime, end: datetime) -> int:
    """Elapsed minutes between two aware datetimes."""
    return int((end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() // 60)


def positions(blueprint: Blueprint, by_day: dict[date, list[Slot]]) -> dict[tuple[bool, int], list[Position]]:
    """Every (room, first slot, size) where an event could run, keyed by (virtual room?, size)."""
    runs: list[tuple[date, int, int, datetime, datetime, frozenset[str]]] = []
    for day, day_slots in by_day.items():
        for index, first in enumerate(day_slots):
            for size in (1, 2):
                last = index + size - 1
                if last >= len(day_slots):
                    continue
                if size == 2 and day_slots[last].start - day_slots[index].end > MAX_RUN_GAP:
                    continue
                start, end = first.start, day_slots[last].end
                duration = minutes_between(start, end)
                valid = frozenset(
                    f for f in FORMATS
                    if len(occupied_slots(day_slots, index, duration, f) or ()) == size
                    and not blocked_by(blueprint.blocked, f, start, end)
                )
                if valid:
                    runs.append((day, index, size, start, end, valid))
    closures: dict[str, list[Unavailability]] = {}
    for closure in blueprint.room_closures:
        closures.setdefault(closure.id, []).append(closure)
    result: dict[tuple[bool, int], list[Position]] = {(v, s): [] for v in (False, True) for s in (1, 2)}
    for room in blueprint.rooms:
        formats = ("virtual",) if room.is_virtual else tuple(f for f in PHYSICAL_FORMATS if room.accepts_format(f))
        for day, index, size, start, end, valid in runs:
            allowed = tuple(f for f in formats if f in valid)
            if not allowed or any(overlaps(start, end, c.start, c.end) for c in closures.get(room.id, ())):
                continue
            cells = tuple((room.id, day, i) for i in range(index, index + size))
            result[(room.is_virtual, size)].append(Position(room, day, index, size, start, end, allowed, cells))
    return result


def _pick(rng: random.Random, candidates: list[Position], ok: Callable[[Position], bool]) -> Position | None:
    """A random candidate that passes ``ok``: a few blind draws, then a shuffled full scan."""
    if not candidates:
        return None
    for _ in range(min(len(candidates), 48)):
        candidate = candidates[rng.randrange(len(candidates))]
        if ok(candidate):
            return candidate
    order = list(range(len(candidates)))
    rng.shuffle(order)
    for i in order:
        if ok(candidates[i]):
            return candidates[i]
    return None


def place(
    blueprint: Blueprint,
    seeds: Sequence[EventSeed],
    by_day: dict[date, list[Slot]],
    rng: random.Random,
    organizers: Calendar,
) -> list[Placed]:
    """The hidden placement, most constrained first (two-slot events, busy organizers), each in a random free place.

    Returned in seed order.
    """
    candidates = positions(blueprint, by_day)
    taken: set[tuple[str, date, int]] = set()
    load: dict[str, int] = {}
    for seed in seeds:
        if seed.organizer:
            load[seed.organizer] = load.get(seed.organizer, 0) + seed.slots
    order = list(range(len(seeds)))
    rng.shuffle(order)
    order.sort(key=lambda i: (-seeds[i].slots, -load.get(seeds[i].organizer or "", 0)))
    result: dict[int, Placed] = {}
    for i in order:
        seed = seeds[i]
        if seed.slots not in (1, 2):
            raise ValueError(f"event {seed.id}: slots must be 1 or 2, not {seed.slots}")
        position = _pick(rng, candidates[(seed.virtual, seed.slots)], _fits(seed, taken, organizers))
        if position is None and seed.slots == 2:
            seed = replace(seed, slots=1, duration=None)  # no pair of slots left: make it a one-slot event
            position = _pick(rng, candidates[(seed.virtual, 1)], _fits(seed, taken, organizers))
        if position is None:
            raise ValueError(f"event {seed.id}: no free room-slot left; the blueprint is too small")
        duration = seed.duration or minutes_between(position.start, position.end)
        fmt = _choose_format(blueprint, position, rng)
        run = occupied_slots(by_day[position.day], position.index, duration, fmt)
        if run is None or len(run) != seed.slots:
            raise ValueError(f"event {seed.id}: {duration} minutes do not fill exactly {seed.slots} slot(s)")
        end = event_end(position.start, duration)
        taken.update(position.cells)
        if seed.organizer:
            organizers.add(seed.organizer, position.start, end)
        result[i] = Placed(seed, position, fmt, duration, position.start, end, seed.organizer or "")
    return [result[i] for i in range(len(seeds))]


def _fits(seed: EventSeed, taken: set[tuple[str, date, int]], organizers: Calendar) -> Callable[[Position], bool]:
    """The test a position must pass for ``seed``: cells free, room big enough, fixed organizer free."""

    def ok(position: Position) -> bool:
        if any(cell in taken for cell in position.cells):
            return False
        if (position.room.capacity or 0) < seed.min_capacity and not position.room.is_virtual:
            return False
        if seed.organizer:
            end = event_end(position.start, seed.duration or minutes_between(position.start, position.end))
            return organizers.free(seed.organizer, position.start, end)
        return True

    return ok


def _choose_format(blueprint: Blueprint, position: Position, rng: random.Random) -> str:
    """virtual in a channel; in a physical room hybrid (when allowed) with ``hybrid_share`` odds, else in_person."""
    if position.room.is_virtual:
        return "virtual"
    if "hybrid" in position.formats and ("in_person" not in position.formats or rng.random() < blueprint.hybrid_share):
        return "hybrid"
    return "in_person"
