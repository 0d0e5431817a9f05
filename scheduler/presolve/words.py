"""How presolve findings name things: events with their titles, rooms with their names, counts in words."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Room, SideEvent

FORMAT_WORD = {"in_person": "in-person", "hybrid": "hybrid", "virtual": "virtual"}
ROOM_WORD = {"in_person": "physical room", "hybrid": "hybrid room", "virtual": "virtual channel"}


def event_text(event: SideEvent) -> str:
    """``E1 “Drugs, crime and justice”``: the id and a short title."""
    title = " ".join(event.title.split())
    if len(title) > 60:
        title = title[:57].rstrip() + "…"
    return f"{event.id} “{title}”" if title else event.id


def events_text(events: Sequence[SideEvent], limit: int = 4) -> str:
    """Up to ``limit`` events by id and title, then how many more."""
    shown = [event_text(e) for e in events[:limit]]
    if len(events) > limit:
        return ", ".join(shown) + f" and {len(events) - limit} more"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def room_text(room: Room) -> str:
    """``Room M1 (R1)``."""
    return f"{room.name} ({room.id})" if room.name and room.name != room.id else room.id


def rooms_text(rooms: Sequence[Room], limit: int = 4) -> str:
    """Up to ``limit`` rooms by name and id, then how many more."""
    shown = [room_text(room) for room in rooms[:limit]]
    if len(rooms) > limit:
        return ", ".join(shown) + f" and {len(rooms) - limit} more"
    return ", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else "".join(shown)


def plural(count: int, word: str) -> str:
    """``1 event``, ``4,995 minutes``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def capital(text: str) -> str:
    """``text`` with its first letter in upper case (a sentence that starts with ``speaker ...``)."""
    return text[:1].upper() + text[1:]
