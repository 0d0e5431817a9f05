"""The plan of a built meeting: what callers fix (seeds, blueprint) and the placement being filled in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ..grid import SlotSpec
from ..model import DEFAULT_PRIORITY, BlockedPeriod, Meeting, Room, Unavailability

PHYSICAL_FORMATS: tuple[str, ...] = ("in_person", "hybrid")
MAX_RUN_GAP = timedelta(minutes=15)  # two slots further apart than this never make one 2-slot event


@dataclass(frozen=True)
class EventSeed:
    """What a caller fixes about an event before it is placed: its words, its size and maybe its organizer."""

    id: str
    title: str
    topics: tuple[str, ...] = ()
    virtual: bool = False  # online only (a channel) or in a physical room
    slots: int = 1  # 1 or 2 slots of the grid
    duration: int | None = None  # minutes; None: the whole run of slots
    organizer: str | None = None  # None: the builder reuses a free organizer or invents one
    description: str = ""
    visibility: str = "public"
    priority: int = DEFAULT_PRIORITY
    pin: str | None = None  # "room", "start" or "both": pinned where it lands; None: at the blueprint's odds
    min_capacity: int = 0  # a physical event lands only in a room with at least this many seats


@dataclass(frozen=True)
class Blueprint:
    """The fixed frame of a meeting (days, grid, rooms, blocked time) and the odds used to fill it."""

    meeting: Meeting
    slot_specs: tuple[SlotSpec, ...]
    rooms: tuple[Room, ...]
    zones: tuple[tuple[str, float], ...]  # remote speakers' IANA zones with weights
    blocked: tuple[BlockedPeriod, ...] = ()
    room_closures: tuple[Unavailability, ...] = ()
    header: str = ""  # comment lines at the top of meeting.toml
    hybrid_share: float = 0.7  # chance that an event in a hybrid-capable room is hybrid
    remote_share: tuple[tuple[str, float], ...] = (("hybrid", 0.5), ("virtual", 0.75))
    speaker_counts: tuple[tuple[int, float], ...] = ((0, 2), (1, 10), (2, 30), (3, 33), (4, 25))
    local_reuse: float = 0.35  # chance that a local speaker slot goes to someone already speaking
    remote_reuse: float = 0.15
    organizer_reuse: float = 0.6
    custom_window_share: float = 0.15
    email_share: float = 0.08
    blank_zone_share: float = 0.4  # local speakers whose timezone cell is left empty (the venue's)
    link_share: float = 0.85
    link_base: str = "https://meet.example.org/"
    pin_share: float = 0.06
    preference_share: float = 0.3
    speaker_unavailable: int = 1
    organizer_busy: int = 1


@dataclass(frozen=True)
class Position:
    """A place an event of ``size`` slots could take: a room, a first slot, the formats allowed there."""

    room: Room
    day: date
    index: int
    size: int
    start: datetime
    end: datetime  # end of the whole run of slots
    formats: tuple[str, ...]
    cells: tuple[tuple[str, date, int], ...]


@dataclass
class Placed:
    """An event in the hidden placement, filled in step by step."""

    seed: EventSeed
    position: Position
    format: str
    duration: int
    start: datetime
    end: datetime
    organizer: str = ""
    speakers: list[int] = field(default_factory=list)
