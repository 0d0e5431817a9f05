"""The greedy start for tracks: each track laid out as one block, its events back to back in one room.

Placing a track's events one at a time, the first of them picks a room without knowing whether the
others will fit after it, and the track spills into other rooms and days. Here a track is placed
whole: every window of a room on a day (where a free run of its slots begins, and a few offsets
inside longer runs) is tried by laying the events out back to back from there. Of the windows that
hold the whole track the cheapest wins, each slot its run would leave free counting as a cost (best
fit, tracks largest first, so the roomy windows stay for the large tracks); if none holds it, the one
that costs least, counting the events it leaves out at the average of those it holds plus a second
room for the track. What does not fit goes on in the next window, and what fits nowhere is left to
the one-by-one greedy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .variables import Domain, Placement, Start

if TYPE_CHECKING:  # pragma: no cover
    from .greedy import Occupancy

OFFSETS = 4  # windows tried inside a free run longer than the block, besides its beginning
SKIP = 2  # slots an event may start after the previous one ends when it cannot start right there


def place_tracks(occupancy: Occupancy, domains: Mapping[str, Domain], event_ids: Sequence[str]) -> dict[str, Placement]:
    """Place the tracked events among ``event_ids`` track by track (largest first) as blocks; those placed."""
    data = occupancy.data
    by_track: dict[str, list[str]] = {}
    for event_id in event_ids:
        track = data.track.get(event_id)
        if track and not domains[event_id].empty:
            by_track.setdefault(track, []).append(event_id)
    starts = {e: {s.slot: s for s in domains[e].starts} for ids in by_track.values() for e in ids}
    placed: dict[str, Placement] = {}
    need = {track: sum(len(min(domains[e].starts, key=lambda s: len(s.occupied)).occupied) for e in ids)
            for track, ids in by_track.items()}
    for track in sorted(by_track, key=lambda t: (-need[t], t)):
        left = list(by_track[track])
        while left:
            best: tuple[tuple[float, float], list[Placement]] | None = None
            split = data.weights["track_rooms"]
            for group, slot, room in _windows(occupancy, domains[left[0]], starts[left[0]], need[track]):
                laid, cost = _lay(occupancy, domains, starts, left, group, slot)
                if not laid:
                    continue
                # a window that holds the whole track: its cost, and a slot's cost for each slot of its run
                # it leaves (best fit keeps the roomy windows for the larger tracks to come); else what the
                # track would cost: the laid events, the rest at their average and in another room
                rest = len(left) - len(laid)
                key = (-1.0, cost + room - need[track]) if not rest else (cost + rest * cost / len(laid) + split, 0.0)
                if best is None or key < best[0]:
                    best = (key, laid)
            if best is None:
                break
            for placement in best[1]:
                occupancy.add(domains[placement.event].event, placement)
                placed[placement.event] = placement
                left.remove(placement.event)
    return placed


def _windows(occupancy: Occupancy, domain: Domain, starts: Mapping[int, Start],
             need: int) -> list[tuple[int, int, int]]:
    """(room group, first slot, slots in its run) of every window worth trying for a block that ``domain``'s
    event opens: the beginning of each run of slots where it may start, and a few offsets inside longer runs."""
    timeline = occupancy.data.timeline
    found: list[tuple[int, int, int]] = []
    for group in domain.groups:
        for day, day_slots in timeline.day_slots.items():
            first = timeline.first_of_day[day]
            run: list[int] = []
            for slot in [*range(first, first + len(day_slots)), -1]:
                start = starts.get(slot)
                if start is not None and domain.allowed(group, slot) and occupancy.room_free(group, start):
                    run.append(slot)
                    continue
                if run:
                    stride = max(1, (len(run) - need) // OFFSETS) if len(run) > need else len(run)
                    found.extend((group, run[i], len(run)) for i in range(0, max(1, len(run) - need + 1), stride))
                run = []
    return found


def _lay(occupancy: Occupancy, domains: Mapping[str, Domain], starts: Mapping[str, Mapping[int, Start]],
         events: Sequence[str], group: int, slot: int) -> tuple[list[Placement], int]:
    """The events laid back to back in ``group`` from ``slot`` while they fit, and their cost (the track's
    days, gaps and rooms counted once for the block, as laying it whole would change them)."""
    data, tracks = occupancy.data, occupancy.tracks
    day = data.timeline.slots[slot].day
    last = data.timeline.first_of_day[day] + len(data.timeline.day_slots[day])
    laid: list[Placement] = []
    cost = 0
    for event_id in events:
        domain = domains[event_id]
        if group not in domain.groups:
            break
        found = None
        for at in range(slot, min(slot + SKIP + 1, last)):
            start = starts[event_id].get(at)
            if start is None or not domain.allowed(group, at) or not occupancy.room_free(group, start):
                continue
            if not occupancy.person_free(domain.event, start):
                continue
            found = start
            break
        if found is None:
            break
        laid.append(Placement(event_id, group, found))
        cost += occupancy.start_delta(domain.event, found) + data.place_cost(domain.event, group, found)
        if tracks is not None:  # the track's part once for the block (below), not once per event
            cost -= tracks.start_delta(event_id, found)
        slot = found.occupied[-1] + 1
        if slot >= last:
            break
    if laid and tracks is not None:
        first = laid[0]
        cost += tracks.start_delta(first.event, first.start) + \
            tracks.room_delta(first.event, first.start, group, tracks.used_rooms(first.event, day))
    return laid, cost
