"""A short summary of a meeting: what ``scheduler validate`` prints before anyone solves anything.

Counts events by format, rooms, speakers and remote time zones, and compares room-slot demand with
supply so a planner sees at once how tight the meeting is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .grid import overlaps, shortest_run
from .model import FORMATS, Problem, SideEvent, Slot

PHYSICAL_FORMATS = frozenset({"in_person", "hybrid"})


@dataclass(frozen=True)
class MeetingSummary:
    """The figures ``validate`` prints."""

    events_by_format: dict[str, int]
    private_events: int
    physical_rooms: int
    hybrid_rooms: int
    virtual_rooms: int
    speakers: int
    remote_speakers: int
    remote_zones: tuple[str, ...]
    utc_offsets: tuple[float, float] | None
    physical_demand: int
    physical_supply: int
    virtual_demand: int
    virtual_supply: int

    @property
    def physical_load(self) -> float:
        """Share of the in-person room-slots that the in-person and hybrid events need."""
        return self.physical_demand / self.physical_supply if self.physical_supply else float("inf")

    @property
    def virtual_load(self) -> float:
        """Share of the virtual channel-slots that the virtual events need."""
        return self.virtual_demand / self.virtual_supply if self.virtual_supply else float("inf")


def _min_slots(problem: Problem, event: SideEvent, cache: dict[tuple[int, str], int]) -> int:
    """The fewest grid slots any valid run for this event occupies (0 if none exists); cached per kind of event."""
    key = (event.duration, event.format)
    if key not in cache:
        cache[key] = shortest_run(problem.slots_by_day, event.duration, event.format)
    return cache[key]


def _open_formats(problem: Problem, slot: Slot) -> frozenset[str]:
    """The formats ``slot`` is open to, less those a blocked period overlapping it stops."""
    formats = set(slot.formats)
    for period in problem.blocked:
        if overlaps(slot.start, slot.end, period.start, period.end):
            formats -= period.formats
    return frozenset(formats)


def _supply(problem: Problem, rooms: list, formats: frozenset[str]) -> int:
    """Room-slots open to ``formats`` in ``rooms``: open slots where the room is not unavailable."""
    open_slots = [slot for slot in problem.slots if _open_formats(problem, slot) & formats]
    closed: dict[str, list[tuple[datetime, datetime]]] = {}
    for item in problem.unavailability:
        if item.kind == "room":
            closed.setdefault(item.id, []).append((item.start, item.end))
    return sum(
        1 for room in rooms for slot in open_slots
        if not any(overlaps(slot.start, slot.end, start, end) for start, end in closed.get(room.id, ()))
    )


def summarize(problem: Problem) -> MeetingSummary:
    """Compute the validate summary of ``problem``."""
    by_format = Counter(event.format for event in problem.events)
    remote = [s for s in problem.speakers if s.remote]
    zones = tuple(sorted({s.timezone for s in remote}))
    reference = datetime.combine(problem.meeting.days[0], datetime.min.time(), tzinfo=timezone.utc)
    offsets = [reference.astimezone(s.tz).utcoffset().total_seconds() / 3600 for s in remote]
    physical = [r for r in problem.rooms if not r.is_virtual]
    virtual = [r for r in problem.rooms if r.is_virtual]
    runs: dict[tuple[int, str], int] = {}
    return MeetingSummary(
        events_by_format={fmt: by_format.get(fmt, 0) for fmt in FORMATS},
        private_events=sum(1 for e in problem.events if not e.is_public),
        physical_rooms=len(physical),
        hybrid_rooms=sum(1 for r in physical if r.hybrid),
        virtual_rooms=len(virtual),
        speakers=len(problem.speakers),
        remote_speakers=len(remote),
        remote_zones=zones,
        utc_offsets=(min(offsets), max(offsets)) if offsets else None,
        physical_demand=sum(_min_slots(problem, e, runs) for e in problem.events if e.format in PHYSICAL_FORMATS),
        physical_supply=_supply(problem, physical, PHYSICAL_FORMATS),
        virtual_demand=sum(_min_slots(problem, e, runs) for e in problem.events if e.format == "virtual"),
        virtual_supply=_supply(problem, virtual, frozenset({"virtual"})),
    )


def format_summary(problem: Problem, summary: MeetingSummary) -> str:
    """The summary as a few human-readable lines."""
    meeting = problem.meeting
    fmt = summary.events_by_format
    days = f"{meeting.days[0].isoformat()} to {meeting.days[-1].isoformat()}" if meeting.days else "no days"
    offsets = (
        f" (UTC{summary.utc_offsets[0]:+g} to UTC{summary.utc_offsets[1]:+g})" if summary.utc_offsets else ""
    )
    lines = [
        f"{meeting.name} ({meeting.id}), {meeting.timezone}, {len(meeting.days)} days: {days}",
        f"events:   {len(problem.events)} ({fmt['in_person']} in person, {fmt['hybrid']} hybrid, "
        f"{fmt['virtual']} virtual; {summary.private_events} private)",
        f"rooms:    {summary.physical_rooms} physical ({summary.hybrid_rooms} hybrid), "
        f"{summary.virtual_rooms} virtual channels; {len(problem.slots)} slots in the grid",
        f"speakers: {summary.speakers} ({summary.remote_speakers} remote in {len(summary.remote_zones)} "
        f"time zones{offsets})",
        f"demand:   in-person room-slots {summary.physical_demand} of {summary.physical_supply} "
        f"({_percent(summary.physical_load)}); channel-slots {summary.virtual_demand} of "
        f"{summary.virtual_supply} ({_percent(summary.virtual_load)})",
    ]
    return "\n".join(lines)


def _percent(value: float) -> str:
    return "n/a" if value == float("inf") else f"{value:.0%}"


def validation_report(problem: Problem, scenario: Any, findings: Sequence[Any]) -> list[str]:
    """What ``validate`` prints: the summary, the scenario's changes, then the pre-solve findings or that none."""
    from .presolve import format_findings
    from .scenario import describe

    lines = [format_summary(problem, summarize(problem))]
    if scenario is not None:
        lines += [f"scenario {scenario.name}:", *(f"  {line}" for line in describe(scenario))]
    return lines + (format_findings(findings) if findings else ["checks:   no obstacle found before solving"])
