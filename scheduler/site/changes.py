"""What changed in the public programme from one release to the next: added, moved, retitled, cancelled.

Only what delegates could see is compared: public scheduled events. An event made private is counted
as withdrawn and never named, so a release after the change says nothing about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ..export.feeds import ALL_PATH
from ..export.vevent import clean_text
from ..export.view import ProgrammeView
from ..load.previous import PreviousPublication
from ..model import Problem


@dataclass(frozen=True)
class Placement:
    """Where and when an event ran in one release."""

    room: str
    start: datetime
    end: datetime

    def json(self) -> dict[str, str]:
        """As changes.json writes it."""
        return {"room": self.room, "start": self.start.isoformat(), "end": self.end.isoformat()}

    def words(self) -> str:
        """As changes.md writes it."""
        return f"{self.room}, {self.start:%a %d %b %H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True)
class Changes:
    """The changes of one release against the one before it (everything is new in a first release)."""

    added: list[tuple[str, str, Placement]] = field(default_factory=list)  # id, title, where
    moved: list[tuple[str, str, Placement, Placement]] = field(default_factory=list)  # id, title, from, to
    retitled: list[tuple[str, str, str]] = field(default_factory=list)  # id, old title, new title
    cancelled: list[tuple[str, str]] = field(default_factory=list)  # id, title
    withdrawn: int = 0  # made private: counted, never named

    @property
    def count(self) -> int:
        """How many events changed in any way."""
        return len(self.added) + len(self.moved) + len(self.retitled) + len(self.cancelled) + self.withdrawn

    def summary(self) -> dict[str, int]:
        """Counts per kind of change, for the release index."""
        return {"added": len(self.added), "moved": len(self.moved), "retitled": len(self.retitled),
                "cancelled": len(self.cancelled), "withdrawn": self.withdrawn}

    def json(self) -> dict[str, Any]:
        """The changes as changes.json holds them."""
        return {
            "added": [{"id": i, "title": t, **p.json()} for i, t, p in self.added],
            "moved": [{"id": i, "title": t, "from": a.json(), "to": b.json()} for i, t, a, b in self.moved],
            "retitled": [{"id": i, "from": a, "to": b} for i, a, b in self.retitled],
            "cancelled": [{"id": i, "title": t} for i, t in self.cancelled],
            "withdrawn": self.withdrawn,
        }

    def markdown(self, number: int, stamp: str, hidden: frozenset[str] = frozenset()) -> str:
        """The changes as a Markdown section of the changelog; events in ``hidden`` (private now) go unnamed."""
        lines = [f"## Release {number} ({stamp})", ""]
        if not self.count:
            lines.append("No change to the public programme.")
        withdrawn = self.withdrawn
        for i, title, where in self.added:
            lines.append(f"- added: {title} ({i}): {where.words()}" if i not in hidden else "- added: an event "
                         "since withdrawn from the public programme")
        for i, title, old, new in self.moved:
            if i not in hidden:
                lines.append(f"- moved: {title} ({i}): from {old.words()} to {new.words()}")
        for i, old_title, new_title in self.retitled:
            if i not in hidden:
                lines.append(f"- retitled: {i}: “{old_title}” is now “{new_title}”")
        for i, title in self.cancelled:
            if i in hidden:
                withdrawn += 1
            else:
                lines.append(f"- cancelled: {title} ({i})")
        if withdrawn:
            lines.append(f"- withdrawn from the public programme: {withdrawn} event(s)")
        return "\n".join(lines) + "\n"

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Changes:
        """The changes a changes.json holds."""
        def where(item: dict[str, str]) -> Placement:
            return Placement(item["room"], datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"]))

        return cls([(c["id"], c["title"], where(c)) for c in document["added"]],
                   [(c["id"], c["title"], where(c["from"]), where(c["to"])) for c in document["moved"]],
                   [(c["id"], c["from"], c["to"]) for c in document["retitled"]],
                   [(c["id"], c["title"]) for c in document["cancelled"]], int(document["withdrawn"]))


def changes_between(previous: PreviousPublication | None, problem: Problem, view: ProgrammeView) -> Changes:
    """The public changes from ``previous`` (a release's record and schedule) to ``view`` (the new programme)."""
    now = {event.id: event for event in view.events}
    rooms = {room.id: room.name for room in problem.rooms}
    titles: dict[str, str] = {}  # every event the previous release published, with its title then
    places: dict[str, Placement] = {}
    if previous is not None:
        in_all = {uid: held[ALL_PATH] for uid, held in previous.held.items() if ALL_PATH in held}
        titles = {uid.rpartition("@")[0]: version.summary for uid, version in in_all.items() if not version.cancelled}
        places = {a.event_id: Placement(rooms.get(a.room, a.room), a.start, a.end)
                  for a in previous.schedule.scheduled if a.event_id in titles}
    changes = Changes()
    for event_id, event in now.items():
        here = Placement(event.room.name, event.start, event.end)
        title = event.event.title
        if event_id not in titles:
            changes.added.append((event_id, title, here))
            continue
        old_title, there = titles[event_id], places.get(event_id)
        if there is not None and (there.room, there.start, there.end) != (here.room, here.start, here.end):
            changes.moved.append((event_id, title, there, here))
        if old_title != clean_text(title):
            changes.retitled.append((event_id, old_title, title))
    private = {event.id for event in problem.events if not event.is_public}
    withdrawn = 0
    for event_id, old_title in sorted(titles.items()):
        if event_id in now:
            continue
        if event_id in private:
            withdrawn += 1
        else:
            changes.cancelled.append((event_id, old_title))
    return replace(changes, withdrawn=withdrawn)
