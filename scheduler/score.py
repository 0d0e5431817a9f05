"""Score breakdown of any finished Schedule, term by term, in plain Python (no solver imports).

The definitions are those of the solver's objective (docs/objective.md): the per-placement terms
are the very functions the solver's coefficients come from (``scheduler/terms.py``); ``topic_clash``
and ``crowding`` are counted here independently of the model's constraints, as a cross-check. For a
schedule the solver returns, the weighted total here equals the objective it reports. ``compare``
and ``explain`` print these figures.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

from . import terms
from .grid import shortest_run
from .model import Assignment, Problem, Schedule, Slot, event_end
from .weights import effective_weights

# The terms of every score; ``moved`` joins them against a previous schedule (``solve --previous``).
TERMS: tuple[str, ...] = tuple(name for name in terms.TERMS if name != terms.MOVED)


@dataclass(frozen=True)
class ScoreBreakdown:
    """Raw values and weighted values per term, the weighted total (what the solver minimises), and counts.

    ``counts`` is how many things each term counts, as a planner reads it: the raw value, except for
    ``unscheduled`` and ``moved``, whose raw values are costs (per priority, per kind of move) and whose
    counts are the events left out and the events moved.
    """

    raw: dict[str, int]
    weighted: dict[str, int]
    total: int
    counts: dict[str, int]


def crowding_target(problem: Problem) -> int:
    """The even-spread target of the crowding term: ceil(occupied event-slots / grid slots).

    An event's occupied event-slots are the fewest slots any valid run (rule 4: consecutive slots
    of one day open to its format, long enough) occupies; an event with no valid run counts 0.
    Every event counts, scheduled or not, so the target does not depend on the schedule.
    """
    if not problem.slots:
        return 0
    shortest: dict[tuple[int, str], int] = {}
    total = 0
    for event in problem.events:
        key = (event.duration, event.format)
        if key not in shortest:
            shortest[key] = shortest_run(problem.slots_by_day, event.duration, event.format)
        total += shortest[key]
    return math.ceil(total / len(problem.slots))


def _covered(problem: Problem, assignment: Assignment) -> tuple[Slot, ...]:
    """The grid slots of the event's meeting day that its interval overlaps."""
    assert assignment.start is not None and assignment.end is not None
    begin, end = assignment.start.astimezone(timezone.utc), assignment.end.astimezone(timezone.utc)
    return tuple(s for s in problem.slots_by_day.get(problem.meeting.day_of(assignment.start), ())
                 if s.start.astimezone(timezone.utc) < end and begin < s.end.astimezone(timezone.utc))


def move_kind(problem: Problem, before: Assignment | None, after: Assignment | None) -> str | None:
    """How an event moved from ``before`` to ``after``: ``room``, ``time``, ``day`` or None (``terms.move_kind``)."""
    return terms.move_kind(before, *_room_and_start(after), problem.meeting.tz, problem.meeting.day_change)


def move_cost(problem: Problem, before: Assignment | None, after: Assignment | None) -> int:
    """Raw ``moved`` cost of one event: ``MOVE_COST`` of its ``move_kind`` (0 when it did not move)."""
    return terms.moved(before, *_room_and_start(after), problem.meeting.tz, problem.meeting.day_change)


def _room_and_start(assignment: Assignment | None) -> tuple[str | None, datetime | None]:
    """(room, start) of a scheduled assignment; (None, None) for one left out or missing."""
    if assignment is None or not assignment.scheduled:
        return None, None
    return assignment.room, assignment.start


def raw_scores(problem: Problem, schedule: Schedule, previous: Schedule | None = None) -> dict[str, int]:
    """Unweighted count of every soft term for ``schedule`` (events missing from it count as unscheduled).

    With ``previous`` (the schedule a re-plan started from) the ``moved`` term is added: the move cost
    of every event of ``problem`` that ``previous`` scheduled.
    """
    raw = dict.fromkeys(terms.active_terms(problem, moved=previous is not None), 0)
    tz = problem.meeting.tz
    topic_count: Counter = Counter()
    slot_count: Counter = Counter()
    tracked: list[terms.TrackPlacement] = []
    by_event = schedule.by_event
    for event in problem.events:
        assignment = by_event.get(event.id)
        if assignment is None or not assignment.scheduled:
            raw["unscheduled"] += terms.unscheduled(event)
            continue
        assert assignment.start is not None
        end = assignment.end or event_end(assignment.start, event.duration)
        room = problem.rooms_by_id.get(assignment.room or "")
        covered = _covered(problem, Assignment(event.id, assignment.room, assignment.start, end))
        outside = terms.venue_off_hours(((s.start, s.end) for s in covered), problem.meeting.comfort_hours, tz)
        placement = terms.start_terms(event, problem.speakers_by_id, assignment.start.astimezone(tz), end,
                                      day=problem.meeting.day_of(assignment.start), off_hours=outside) | \
            terms.room_terms(event, room)
        for name, value in placement.items():
            if name in raw:
                raw[name] += value
        for slot in covered:
            slot_count[(slot.day, slot.index)] += 1
            for topic in set(event.topics):
                topic_count[(topic, slot.day, slot.index)] += 1
        if event.track and covered:
            tracked.append((event.track, covered[0].day, assignment.room or "", covered[0].index,
                            covered[-1].index + 1, len(covered)))
    raw["topic_clash"] = sum(n - 1 for n in topic_count.values() if n > 1)
    target = crowding_target(problem)
    raw["crowding"] = sum(n - target for n in slot_count.values() if n > target)
    if tracked:
        raw.update(terms.track_terms(tracked))
    if previous is not None:
        before = previous.by_event
        raw[terms.MOVED] = sum(move_cost(problem, before.get(event.id), by_event.get(event.id))
                               for event in problem.events)
    return raw


def breakdown(problem: Problem, schedule: Schedule, previous: Schedule | None = None) -> ScoreBreakdown:
    """Raw values, weighted values (meeting weights applied), the weighted total and the counts of every term."""
    raw = raw_scores(problem, schedule, previous)
    weights = effective_weights(problem.meeting.weights)
    weighted = {name: weights[name] * value for name, value in raw.items()}
    return ScoreBreakdown(raw, weighted, sum(weighted.values()), term_counts(problem, schedule, raw, previous))


def term_counts(problem: Problem, schedule: Schedule, raw: dict[str, int],
                previous: Schedule | None = None) -> dict[str, int]:
    """How many things each term of ``raw`` counts: events left out for ``unscheduled``, events moved for ``moved``."""
    after = schedule.by_event
    counts = dict(raw)
    counts["unscheduled"] = sum(1 for event in problem.events
                                if event.id not in after or not after[event.id].scheduled)
    if previous is not None:
        before = previous.by_event
        counts[terms.MOVED] = sum(1 for event in problem.events
                                  if move_kind(problem, before.get(event.id), after.get(event.id)) is not None)
    return counts


def score_schedule(problem: Problem, schedule: Schedule, previous: Schedule | None = None) -> dict[str, int]:
    """Weighted value of every soft term for ``schedule``; their sum is the solver's objective.

    Give ``previous`` for a schedule re-planned from it (``solve --previous``) to include ``moved``.
    """
    return breakdown(problem, schedule, previous).weighted


def total(problem: Problem, schedule: Schedule, previous: Schedule | None = None) -> int:
    """The weighted total of ``schedule`` (lower is better); ``previous`` as for :func:`score`."""
    return breakdown(problem, schedule, previous).total
