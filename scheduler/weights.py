"""Default weights and unit costs of the soft terms, shared by the solver's objective and ``score.py``.

The table's keys are ``scheduler.terms.TERMS``, in that order (tests/test_terms.py holds them to
it); ``meeting.toml [weights]`` overrides any of them by name. Weights are non-negative integers so
the CP-SAT objective and the plain-Python score agree exactly.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_WEIGHTS: dict[str, int] = {
    "preferred_day": 10,  # per event placed on a day it did not ask for
    "preferred_start": 5,  # per event placed at a start time it did not ask for
    "topic_clash": 3,  # per (topic, slot): events beyond the first sharing the topic at once
    "room_fit": 1,  # per event: empty-seat units when the room is less than half full (0..10)
    "hybrid_kit_unused": 2,  # per in_person event placed in a hybrid-equipped room
    "room_wish": 40,  # per event whose room lacks a tag it wishes for, or the seats it wishes for
    "remote_off_hours": 4,  # per (event, remote speaker) outside 09:00-18:00 speaker-local
    "venue_off_hours": 2,  # per grid slot an event occupies outside the venue's comfort hours (> crowding's 1)
    "crowding": 1,  # per slot: events beyond the even-spread target running at once
    "track_rooms": 60,  # per track and day: each room beyond the first the track uses (> a room move, 50)
    "track_days": 60,  # per track: each day beyond the first
    "track_gaps": 1,  # per track, day and room: empty slots between its first and its last event there
    "unscheduled": 1,  # per unscheduled event: UNSCHEDULED_COST[priority] (with --allow-unscheduled)
    "moved": 1,  # per moved event against --previous: MOVE_COST (room) or day/time move cost
}

# Each priority level costs four times the one below, so the solver leaves out low-priority events
# before high-priority ones.
UNSCHEDULED_COST: dict[int, int] = {1: 1_000, 2: 4_000, 3: 16_000, 4: 64_000, 5: 256_000}

# The cost of moving one event against an earlier schedule (term "moved", ``solve --previous``), by its
# largest change: the same start in another room, another start on the same venue-local day, another
# day. A move of day costs more than a move of time, which costs more than a move of room; and any two
# moves cost more than any one, with a margin (2 x 50 = 100 > 80 + 20), so a re-plan does not move a
# second event to spare the first a longer move. An event placed before and unscheduled now counts
# as a day move; one unscheduled before, or new, costs nothing.
MOVE_COST: dict[str, int] = {"room": 50, "time": 65, "day": 80}

COMFORT_HOURS = ("09:00", "18:00")  # remote speakers' preferred local hours (soft)


def effective_weights(overrides: Mapping[str, float] | None = None) -> dict[str, int]:
    """The default weights with a meeting's overrides applied (unknown names are ignored here)."""
    weights = dict(DEFAULT_WEIGHTS)
    for name, value in (overrides or {}).items():
        if name in weights:
            weights[name] = int(value)
    return weights
