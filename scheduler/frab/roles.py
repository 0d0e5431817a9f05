"""Who speaks and who hosts: the role of every person the programme lists on an event.

frab lists persons without saying what they do. A speaker must be there (a hard rule: never in two
places at once); a host or moderator is listed and published but optional. :func:`assign_roles`
decides, in this order, and reports every decision so the importer can note it:

1. a ``role`` attribute on ``<person>`` says it (``host``, ``moderator``, ``speaker`` and their
   synonyms); an unknown word keeps the person a speaker;
2. *self-organized sessions*: when some events carry an ``<origin_url>`` (submitted through a call for
   participation, such as pretalx) and others do not, the others were entered in the programme tool
   itself by whoever runs them; the hub of the Chaos Communication Congress lists that person, the
   session's host, on every such session;
3. a person the programme itself puts on at least ``HOST_OVERLAPS`` pairs of overlapping events
   hosts them (nobody gives three talks at once by mistake); a single overlap stays a speaker's, a
   real double booking for ``check`` to report.

``mode`` ``auto`` applies all three, ``xml`` only the first, ``speakers`` none (everyone speaks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .read import FrabEvent

MODES: tuple[str, ...] = ("auto", "xml", "speakers")
HOST_OVERLAPS = 3
ROLE_WORDS: dict[str, str] = {
    "speaker": "speaker", "presenter": "speaker", "lecturer": "speaker", "author": "speaker",
    "panelist": "speaker", "performer": "speaker", "instructor": "speaker", "contributor": "speaker",
    "host": "host", "organizer": "host", "organiser": "host", "coordinator": "host", "submitter": "host",
    "owner": "host", "contact": "host",
    "moderator": "moderator", "moderation": "moderator", "chair": "moderator", "facilitator": "moderator",
}


@dataclass
class RoleChoice:
    """Each event's persons by role, and the events or persons behind each kind of decision."""

    roles: dict[str, dict[str, str]] = field(default_factory=dict)  # event id -> person id -> role
    stated: list[FrabEvent] = field(default_factory=list)  # events whose XML gives a host or moderator
    unknown: dict[str, list[FrabEvent]] = field(default_factory=dict)  # role word -> events, kept speaking
    sessions: list[FrabEvent] = field(default_factory=list)  # self-organized sessions: their persons host
    busy: dict[str, int] = field(default_factory=dict)  # person -> overlapping pairs: hosts wherever listed

    def of(self, event: FrabEvent, role: str) -> tuple[str, ...]:
        """The ids of the event's persons in ``role``, in listed order."""
        mine = self.roles.get(event.id, {})
        return tuple(person for person in event.speaker_ids if mine.get(person, "speaker") == role)


def assign_roles(events: Sequence[FrabEvent], mode: str = "auto") -> RoleChoice:
    """The role of every listed person on every event, by the rules of the module's doc."""
    choice = RoleChoice()
    if mode == "speakers":
        return choice
    for event in events:
        for (person, _), word in zip(event.persons, event.roles, strict=True):
            role = ROLE_WORDS.get(word, "speaker") if word else "speaker"
            if word and word not in ROLE_WORDS:
                choice.unknown.setdefault(word, []).append(event)
            if role != "speaker":
                choice.roles.setdefault(event.id, {})[person] = role
        if event.id in choice.roles:
            choice.stated.append(event)
    if mode == "xml":
        return choice
    stated = set(choice.roles)
    if any(e.origin for e in events):
        choice.sessions = [e for e in events if not e.origin and e.persons and e.id not in stated]
        for event in choice.sessions:
            choice.roles[event.id] = dict.fromkeys(event.speaker_ids, "host")
    for person, pairs in sorted(_overlapping_pairs(events, choice).items()):
        if pairs >= HOST_OVERLAPS:
            choice.busy[person] = pairs
            for event in events:
                if person in event.speaker_ids and choice.roles.get(event.id, {}).get(person) is None:
                    choice.roles.setdefault(event.id, {})[person] = "host"
    return choice


def _overlapping_pairs(events: Sequence[FrabEvent], choice: RoleChoice) -> dict[str, int]:
    """Person -> how many pairs of the events they still speak on overlap in time."""
    by_person: dict[str, list[FrabEvent]] = {}
    for event in events:
        for person in choice.of(event, "speaker"):
            by_person.setdefault(person, []).append(event)
    return {person: sum(1 for i, a in enumerate(theirs) for b in theirs[i + 1:] if a.start < b.end and b.start < a.end)
            for person, theirs in by_person.items()}
