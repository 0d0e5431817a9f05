"""The hard rules, one small named function each; ``HARD_RULES`` is the table of contents.

A rule works in one of two phases. *Placement* rules (room kind, capacity, slot run, blocked
periods, remote hours, unavailability, room hours, pins) remove placements before any variable exists, each
exclusion tagged with the rule and the rule instance (which speaker, which period) so the
explainer can turn it back on with an assumption literal. *Model* rules (one placement, room
clash, speaker and organizer clash) post CP-SAT constraints over the placement literals.
The names are those of the checker's violations (data-format.md, "Hard rules").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..grid import room_closures, speaker_window, within_local_hours
from ..model import Problem, SideEvent
from .variables import Domain, RoomGroup, Timeline, epoch

if TYPE_CHECKING:  # pragma: no cover
    from .build import ModelContext

Instance = tuple[str, object]  # (rule name, which instance: speaker id, period index, event id...)

# Placement rules whose instances the explainer may switch off one by one (the others are structural).
GUARDABLE = frozenset({"blocked_period", "remote_hours", "unavailability", "pins"})


class DomainContext:
    """What placement rules read and write: the problem, its timeline and groups, each event's domain."""

    def __init__(self, problem: Problem, timeline: Timeline, groups: Sequence[RoomGroup],
                 events: Iterable[SideEvent], guardable: frozenset[str] = frozenset()) -> None:
        self.problem = problem
        self.timeline = timeline
        self.groups = tuple(groups)
        self.events = tuple(events)
        self.guardable = guardable
        # room group -> its rooms' unavailable periods (epoch seconds, with the unavailability index),
        # applied per (duration, format) by ``open_tables`` rather than event by event
        self.room_closed: dict[int, list[tuple[int, int, int]]] = {}
        self.domains: dict[str, Domain] = {e.id: Domain(e, {}) for e in self.events}
        self._overlap_cache: dict[tuple[int, str, int, int], tuple[int, ...]] = {}

    def overlapping(self, event: SideEvent, begin: int, end: int) -> tuple[int, ...]:
        """The event's valid start slots whose interval overlaps [begin, end) (epoch seconds)."""
        key = (event.duration, event.format, begin, end)
        if key not in self._overlap_cache:
            starts = self.domains[event.id].all_starts.values()
            self._overlap_cache[key] = tuple(s.slot for s in starts if s.begin < end and begin < s.end)
        return self._overlap_cache[key]

    def exclude_groups(self, event: SideEvent, groups: Iterable[int], rule: str, instance: object = None) -> None:
        """Forbid these room groups for ``event`` because of ``rule`` (instance names which one)."""
        reasons = self.domains[event.id].group_reasons
        for g in groups:
            reasons.setdefault(g, []).append((rule, instance))

    def exclude_starts(self, event: SideEvent, slots: Iterable[int], rule: str, instance: object = None) -> None:
        """Forbid these start slots for ``event``."""
        reasons = self.domains[event.id].start_reasons
        for slot in slots:
            reasons.setdefault(slot, []).append((rule, instance))

    def exclude_pairs(self, event: SideEvent, pairs: Iterable[tuple[int, int]], rule: str,
                      instance: object = None) -> None:
        """Forbid these (room group, start slot) combinations for ``event``."""
        reasons = self.domains[event.id].pair_reasons
        for pair in pairs:
            reasons.setdefault(pair, []).append((rule, instance))


def _aware(moment_epoch: int, like: datetime) -> datetime:
    return datetime.fromtimestamp(moment_epoch, tz=timezone.utc).astimezone(like.tzinfo)


# --- placement rules -------------------------------------------------------------------------


def slot_run(ctx: DomainContext) -> None:
    """Rule 4: start at a slot start with a run of consecutive slots open to the format, ending in time."""
    for event in ctx.events:
        ctx.domains[event.id].all_starts = ctx.timeline.runs(event.duration, event.format)


def room_kind(ctx: DomainContext) -> None:
    """Rule 2: in_person needs a physical room, hybrid a hybrid one, virtual an online channel."""
    for event in ctx.events:
        ctx.exclude_groups(event, (g.index for g in ctx.groups if not g.first.accepts_format(event.format)),
                           "room_kind")


def capacity(ctx: DomainContext) -> None:
    """Rule 3: a physical room seats at least the event's attendance."""
    for event in ctx.events:
        need = event.attendance or 0
        ctx.exclude_groups(event, (g.index for g in ctx.groups
                                   if not g.first.is_virtual and (g.first.capacity or 0) < need), "capacity")


def blocked_period(ctx: DomainContext) -> None:
    """Rule 7: no event of a blocked format overlaps a blocked period."""
    for index, period in enumerate(ctx.problem.blocked):
        begin, end = epoch(period.start), epoch(period.end)
        for event in ctx.events:
            if event.format in period.formats:
                ctx.exclude_starts(event, ctx.overlapping(event, begin, end), "blocked_period", index)


def remote_hours(ctx: DomainContext) -> None:
    """Rule 8: a remote speaker's event lies inside their local hours on that date, in their zone."""
    default = ctx.problem.meeting.remote_hours
    cache: dict[tuple, bool] = {}
    for event in ctx.events:
        for speaker_id in dict.fromkeys(event.speakers):
            speaker = ctx.problem.speakers_by_id.get(speaker_id)
            if speaker is None or not speaker.remote:
                continue
            window = speaker_window(speaker, default)
            bad = []
            for start in ctx.domains[event.id].all_starts.values():
                key = (speaker.timezone, window, start.begin, start.end)
                if key not in cache:
                    cache[key] = within_local_hours(start.at, _aware(start.end, start.at), speaker.tz, window)
                if not cache[key]:
                    bad.append(start.slot)
            ctx.exclude_starts(event, bad, "remote_hours", speaker.id)


def unavailability(ctx: DomainContext) -> None:
    """Rule 9: no room, speaker or organizer is used while unavailable (interval overlap)."""
    for index, item in enumerate(ctx.problem.unavailability):
        begin, end = epoch(item.start), epoch(item.end)
        if item.kind == "room":
            groups = [g.index for g in ctx.groups if any(room.id == item.id for room in g.rooms)]
            if "unavailability" not in ctx.guardable:  # shared per (duration, format): see open_tables
                for g in groups:
                    ctx.room_closed.setdefault(g, []).append((begin, end, index))
                continue
            for event in ctx.events:
                reasons = ctx.domains[event.id].group_reasons
                usable = [g for g in groups if not any(r in ("room_kind", "capacity") for r, _ in reasons.get(g, []))]
                if usable:
                    hit = ctx.overlapping(event, begin, end)
                    ctx.exclude_pairs(event, ((g, slot) for g in usable for slot in hit), "unavailability", index)
        else:
            for event in ctx.events:
                if (item.kind == "speaker" and item.id in event.speakers) or \
                        (item.kind == "organizer" and item.id == event.organizer):
                    ctx.exclude_starts(event, ctx.overlapping(event, begin, end), "unavailability", index)


def room_hours(ctx: DomainContext) -> None:
    """A room with opening hours takes events only inside them (its closed times, like room unavailability)."""
    for item in room_closures(ctx.problem):
        begin, end = epoch(item.start), epoch(item.end)
        for group in ctx.groups:
            if any(room.id == item.id for room in group.rooms):
                ctx.room_closed.setdefault(group.index, []).append((begin, end, -1))


def pins(ctx: DomainContext) -> None:
    """Rule 10: a pinned room and a pinned start hold."""
    for event in ctx.events:
        if event.room:
            ctx.exclude_groups(event, (g.index for g in ctx.groups
                                       if all(room.id != event.room for room in g.rooms)), "pins", event.id)
        if event.start is not None:
            pinned = epoch(event.start)
            starts = ctx.domains[event.id].all_starts.values()
            ctx.exclude_starts(event, (s.slot for s in starts if s.begin != pinned), "pins", event.id)


# --- model rules ---------------------------------------------------------------------------


def one_placement(ctx: ModelContext) -> None:
    """Rule 1: every event is placed exactly once (at most once where leaving it out is allowed)."""
    for event in ctx.free_events:
        literals = [literal for _, literal in ctx.by_event[event.id]]
        guard = ctx.guard("one_placement", event.id)
        if ctx.optional(event.id):
            if literals:
                ctx.model.add_at_most_one(literals)
        elif guard is None:
            ctx.model.add_exactly_one(literals)
        else:
            ctx.model.add_at_most_one(literals)
            ctx.model.add_bool_or(literals).only_enforce_if(guard)


def room_clash(ctx: ModelContext) -> None:
    """Rule 5: no two events occupy the same slot in the same room (a group holds its size per slot)."""
    usage: dict[tuple[int, int], list] = {}
    for placement, literal in ctx.placements:
        for slot in placement.start.occupied:
            usage.setdefault((placement.group, slot), []).append(literal)
    for (group, slot), literals in sorted(usage.items()):
        room_count = ctx.room_capacity(group, slot)
        if len(literals) <= room_count:
            continue
        guard = ctx.guard("room_clash", (ctx.groups[group].label, slot))
        if room_count == 1:
            constraint = ctx.model.add_at_most_one(literals)
        else:
            constraint = ctx.model.add(sum(literals) <= room_count)
        if guard is not None:
            constraint.only_enforce_if(guard)


def speaker_clash(ctx: ModelContext) -> None:
    """Rule 6: no speaker is in two events whose intervals overlap."""
    _person_clash(ctx, "speaker_clash", lambda event: event.speakers)


def organizer_clash(ctx: ModelContext) -> None:
    """Rule 6: no organizer is in two events whose intervals overlap."""
    _person_clash(ctx, "organizer_clash", lambda event: (event.organizer,))


def _person_clash(ctx: ModelContext, rule: str, people: Callable[[SideEvent], Iterable[str]]) -> None:
    events_of: dict[str, list[SideEvent]] = {}
    for event in ctx.free_events:
        for person in dict.fromkeys(people(event)):
            events_of.setdefault(person, []).append(event)
    for person, events in sorted(events_of.items()):
        if len(events) < 2:
            continue
        intervals = [(start.begin, start.end, event.id, ctx.start_literal(event.id, start.slot))
                     for event in events for start in ctx.starts_of(event.id)]
        cliques = overlap_cliques([(b, e, (eid, lit)) for b, e, eid, lit in intervals])
        guard = ctx.guard(rule, person)
        for clique in cliques:
            if len({eid for eid, _ in clique}) < 2:
                continue
            constraint = ctx.model.add_at_most_one([lit for _, lit in clique])
            if guard is not None:
                constraint.only_enforce_if(guard)


def overlap_cliques(intervals: Sequence[tuple[int, int, object]]) -> list[list[object]]:
    """The maximal sets of pairwise-overlapping half-open intervals [begin, end) (payloads returned).

    In an interval graph every maximal clique is the set of intervals containing some interval's
    begin; sweeping the distinct begins in order, the set at one begin is maximal unless every
    member still runs at the next begin. At-most-one over each clique forbids exactly the
    overlapping pairs, however the intervals line up with the grid.
    """
    begins = sorted({b for b, _, _ in intervals})
    result: list[list[object]] = []
    for i, point in enumerate(begins):
        members = [(e, payload) for b, e, payload in intervals if b <= point < e]
        if not members:
            continue
        if i + 1 < len(begins) and min(e for e, _ in members) > begins[i + 1]:
            continue  # dominated by the set at the next begin
        result.append([payload for _, payload in members])
    return result


@dataclass(frozen=True)
class HardRule:
    """A named hard rule: ``phase`` is "placement" (prunes placements) or "model" (posts constraints)."""

    name: str
    phase: str
    apply: Callable

    @property
    def doc(self) -> str:
        """The rule's one-line description."""
        return (self.apply.__doc__ or "").strip().splitlines()[0]


HARD_RULES: dict[str, HardRule] = {rule.name: rule for rule in (
    HardRule("slot_run", "placement", slot_run),  # first: the others read the valid starts
    HardRule("room_kind", "placement", room_kind),
    HardRule("capacity", "placement", capacity),
    HardRule("blocked_period", "placement", blocked_period),
    HardRule("remote_hours", "placement", remote_hours),
    HardRule("unavailability", "placement", unavailability),
    HardRule("room_hours", "placement", room_hours),
    HardRule("pins", "placement", pins),
    HardRule("one_placement", "model", one_placement),
    HardRule("room_clash", "model", room_clash),
    HardRule("speaker_clash", "model", speaker_clash),
    HardRule("organizer_clash", "model", organizer_clash),
)}


def compute_domains(problem: Problem, timeline: Timeline, groups: Sequence[RoomGroup],
                    events: Iterable[SideEvent] | None = None, *,
                    guardable: frozenset[str] = frozenset()) -> dict[str, Domain]:
    """Apply every placement rule and return each event's domain.

    Exclusions by rules in ``guardable`` (explain mode) keep the placement but record the rule
    instances that forbid it in ``Domain.guards``; every other exclusion removes it.
    """
    ctx = DomainContext(problem, timeline, groups, problem.events if events is None else events, guardable)
    for rule in HARD_RULES.values():
        if rule.phase == "placement":
            rule.apply(ctx)
    tables = open_tables(ctx)
    for domain in ctx.domains.values():
        _finalize(domain, ctx.groups, guardable)
        domain.open_at = tables.get((domain.event.duration, domain.event.format))
    return ctx.domains


def open_tables(ctx: DomainContext) -> dict[tuple[int, str], dict[int, tuple[int, ...]]]:
    """Rule 9 for rooms: per (duration, format), each start slot's room groups open for the whole run.

    A group is closed at a start when one of its rooms' unavailable periods overlaps the run's
    interval. Only (duration, format) pairs of the events are built, once each.
    """
    if not ctx.room_closed:
        return {}
    every = tuple(g.index for g in ctx.groups)
    tables: dict[tuple[int, str], dict[int, tuple[int, ...]]] = {}
    for event in ctx.events:
        key = (event.duration, event.format)
        if key in tables:
            continue
        closed: dict[int, set[int]] = {}
        for g, periods in ctx.room_closed.items():
            for begin, end, _ in periods:
                closed.setdefault(g, set()).update(ctx.overlapping(event, begin, end))
        tables[key] = {slot: tuple(g for g in every if slot not in closed.get(g, ()))
                       for slot in ctx.domains[event.id].all_starts}
    return tables


def _hard(reasons: list[tuple[str, object]], guardable: frozenset[str]) -> bool:
    return any(rule not in guardable for rule, _ in reasons)


def _finalize(domain: Domain, groups: Sequence[RoomGroup], guardable: frozenset[str]) -> None:
    domain.groups = [g.index for g in groups if not _hard(domain.group_reasons.get(g.index, []), guardable)]
    domain.starts = [s for slot, s in sorted(domain.all_starts.items())
                     if not _hard(domain.start_reasons.get(slot, []), guardable)]
    domain.forbidden = {pair for pair, reasons in domain.pair_reasons.items() if _hard(reasons, guardable)}
    if not guardable:
        return
    for g in domain.groups:
        for start in domain.starts:
            pair = (g, start.slot)
            if pair in domain.forbidden:
                continue
            found = [*domain.group_reasons.get(g, []), *domain.start_reasons.get(start.slot, []),
                     *domain.pair_reasons.get(pair, [])]
            if found:
                domain.guards[pair] = frozenset(found)

