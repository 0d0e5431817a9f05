"""A small, valid meeting folder that each loader test edits in one place, and helpers to catch errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.errors import DataErrors, LoadError
from scheduler.load import load_problem

MEETING_TOML = """\
id = "demo31"
name = "Demo session of the Commission"
timezone = "Europe/Vienna"
days = ["2022-05-16", "2022-05-17"]
remote_hours = ["07:00", "22:00"]

[[slots]]
start = "09:00"
end = "09:50"

[[slots]]
start = "10:00"
end = "10:50"

[[slots]]
start = "11:00"
end = "11:50"
formats = ["in_person", "hybrid"]

[[slots]]
start = "13:00"
end = "14:00"
formats = ["virtual"]
days = ["2022-05-17"]

[[blocked]]
start = "2022-05-16T09:00"
end = "2022-05-16T10:00"
reason = "Opening of the session"
formats = ["in_person", "hybrid"]

[weights]
topic_clash = 5
"""

# columns: 1 id, 2 name, 3 kind, 4 capacity, 5 hybrid, 6 building
ROOMS_CSV = """\
id,name,kind,capacity,hybrid,building
R1,Room M1,physical,40,false,M
R2,Boardroom B,physical,200,true,C
V1,Online 1,virtual,,,
"""

# columns: 1 id, 2 name, 3 timezone, 4 remote, 5 earliest, 6 latest, 7 email
SPEAKERS_CSV = """\
id,name,timezone,remote,earliest,latest,email
S1,Amina Odhiambo,Africa/Nairobi,true,08:00,20:00,amina@example.org
S2,Bruno Keller,,false,,,
S3,Chen Wei,Asia/Shanghai,yes,,,
"""

# columns: 1 id, 2 title, 3 organizer, 4 format, 5 duration, 6 attendance, 7 speakers, 8 topics, 9 priority,
# 10 preferred_days, 11 preferred_starts, 12 room, 13 start, 14 link, 15 description, 16 visibility
# E1 (row 2) has a title and a description that span two lines each; E2 is row 3, E3 row 4, E4 row 5.
EVENTS_CSV = """\
id,title,organizer,format,duration,attendance,speakers,topics,priority,preferred_days,preferred_starts,room,start,\
link,description,visibility
E1,"Drugs, crime; and ""justice""
in practice",Austria,hybrid,50,80,S1;S2,drugs;justice,5,2022-05-16;2022-05-17,09:00,R2,2022-05-17T10:00,\
https://example.org/e1,"Line one
line two",public
E2,NA,NA,virtual,110,,S3,cyber,,,,V1,,,,
E3,Prison reform,UNODC,in_person,50,30,S2,justice,2,,,,,,,private
E4,Youth forum,Brazil,in_person,100,150,,youth,,2022-05-16,,,,,,
"""

# columns: 1 kind, 2 id, 3 start, 4 end, 5 reason
UNAVAILABILITY_CSV = """\
kind,id,start,end,reason
room,R1,2022-05-16T09:00,2022-05-16T12:00,Maintenance
speaker,S2,2022-05-17T13:00,2022-05-17T14:00,
organizer,UNODC,2022-05-16T09:00,2022-05-16T10:00,Briefing
"""

BASE_FILES: dict[str, str] = {
    "meeting.toml": MEETING_TOML,
    "rooms.csv": ROOMS_CSV,
    "speakers.csv": SPEAKERS_CSV,
    "events.csv": EVENTS_CSV,
    "unavailability.csv": UNAVAILABILITY_CSV,
}


class MeetingFiles:
    """The base meeting's files, edited by a test and then written into a folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, str | bytes] = dict(BASE_FILES)

    def replace(self, name: str, old: str, new: str) -> MeetingFiles:
        """Replace the one occurrence of ``old`` in file ``name``."""
        text = self.files[name]
        assert isinstance(text, str) and text.count(old) == 1, f"{old!r} must occur once in {name}"
        self.files[name] = text.replace(old, new)
        return self

    def set(self, name: str, content: str | bytes) -> MeetingFiles:
        """Set a whole file."""
        self.files[name] = content
        return self

    def drop(self, name: str) -> MeetingFiles:
        """Leave a file out."""
        del self.files[name]
        return self

    def write(self) -> Path:
        """Write the files into a fresh folder and return it."""
        folder = self.root / "meeting"
        folder.mkdir(exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        for name, content in self.files.items():
            path = folder / name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
        return folder


def load_errors(path: Path) -> list[LoadError]:
    """Every error the loader raises for ``path`` (fails when it loads)."""
    with pytest.raises(DataErrors) as caught:
        load_problem(path)
    return caught.value.errors


def only_error(path: Path) -> LoadError:
    """The single error the loader raises for ``path``."""
    errors = load_errors(path)
    assert len(errors) == 1, "\n".join(str(error) for error in errors)
    return errors[0]


def place(error: LoadError) -> tuple[str, int | None, int | None, str | None]:
    """(file, row, column, field) of an error."""
    where = error.location
    return (where.path, where.row, where.column, where.field)
