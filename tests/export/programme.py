"""Shared test data of the timetable tests: a small two-day programme with every awkward case.

Two days either side of Vienna's spring DST change (so UTC offsets differ), a two-slot event, a
private event, an unscheduled one, hostile titles (script tags, formulas, quotes, line breaks) and a
remote speaker with a private e-mail address. ``generated`` builds the 1,000-event synthetic meeting.
"""

from __future__ import annotations

import tempfile
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from scheduler.export.view import ProgrammeView, build_view
from scheduler.generate import generate_meeting
from scheduler.load import load_problem
from scheduler.load.schedule import read_schedule
from scheduler.model import Assignment, Problem, Schedule, event_end
from tests.factory import at, event, meeting, problem, speaker

DAY1, DAY2 = date(2022, 3, 25), date(2022, 3, 28)  # Friday before, Monday after the DST change
SCRIPT_TITLE = "<script>alert(1)</script>"
IMG_TITLE = '"><img src=x onerror=alert(3)> & more'
FORMULA_TITLE = '=HYPERLINK("http://evil.example","click")'
PRIVATE_TITLE = "Closed-door briefing"
PRIVATE_ORGANIZER = "Quiet Delegation"
PRIVATE_TOPIC = "secret-topic"
SECRET_EMAIL = "hidden.speaker@example.org"

PLACEMENTS = {  # event id -> (room, day, "HH:MM")
    "E01": ("R1", DAY1, "09:00"),
    "E02": ("R2", DAY1, "09:00"),
    "E03": ("V1", DAY1, "10:00"),
    "E04": ("R1", DAY2, "11:00"),
    "E05": ("R2", DAY2, "09:00"),
    "E07": ("V1", DAY2, "12:00"),
    "E08": ("R2", DAY2, "10:00"),
}
PUBLIC_SCHEDULED = ("E01", "E02", "E03", "E04", "E07", "E08")


def sample_problem() -> Problem:
    """The two-day test meeting."""
    events = [
        event("E01", title='Opening, with commas; and "quotes"', topics=("drugs", "crime"), speakers=("S1",),
              organizer="Government of Austria"),
        event("E02", title="Cybercrime and hybrid justice: a long title that needs cutting in a grid cell",
              format="hybrid", duration=110, topics=("cybercrime",), organizer="UNODC", speakers=("S2",),
              link="https://meet.example.org/e02", description="First line.\nSecond line with <b>tags</b>."),
        event("E03", title=SCRIPT_TITLE, format="virtual", topics=("cybercrime",), organizer="NGO <Alliance>"),
        event("E04", title=FORMULA_TITLE, organizer="+Org", topics=("drugs",)),
        event("E05", title=PRIVATE_TITLE, organizer=PRIVATE_ORGANIZER, topics=(PRIVATE_TOPIC,),
              visibility="private"),
        event("E06", title="Waiting for a room", organizer="Late Org"),
        event("E07", title="-1+1 @cmd", format="virtual", link="javascript:alert(2)", organizer="UNODC"),
        event("E08", title=f"Line one\nline two {IMG_TITLE}", organizer="Civil | Society", topics=("crime",)),
    ]
    speakers = [speaker("S1", name="Ana Pérez"),
                speaker("S2", name="Kwame Mensah", timezone="Africa/Accra", remote=True, email=SECRET_EMAIL)]
    return problem(events, speakers, the_meeting=meeting(id="ccpcj-test", name="Test session & friends",
                                                         days=(DAY1, DAY2)))


def sample_schedule(prob: Problem) -> Schedule:
    """The placements above; E06 stays unscheduled."""
    assignments = []
    for item in prob.events:
        if item.id in PLACEMENTS:
            room, day, hhmm = PLACEMENTS[item.id]
            start = at(hhmm, day)
            assignments.append(Assignment(item.id, room, start, event_end(start, item.duration)))
        else:
            assignments.append(Assignment(item.id))
    return Schedule(tuple(assignments), {"published_at": "2022-03-20T08:00:00Z"})


def sample_view() -> ProgrammeView:
    """The public view of the sample programme."""
    prob = sample_problem()
    return build_view(prob, sample_schedule(prob))


@cache
def _generated(events: int, seed: int) -> tuple[Problem, Schedule]:
    built = generate_meeting(events, seed)
    with tempfile.TemporaryDirectory(prefix="generated-meeting-") as name:
        folder = Path(name)
        for file_name, text in built.files.items():
            (folder / file_name).write_text(text, encoding="utf-8")
        (folder / "schedule.csv").write_text(built.witness, encoding="utf-8")
        prob = load_problem(folder)
        return prob, read_schedule(folder / "schedule.csv", prob)


def generated(events: int = 1000, seed: int = 11) -> tuple[Problem, Schedule]:
    """A synthetic meeting and its witness schedule, through the real loader (cached per process)."""
    return _generated(events, seed)


def shipped(shipped_dir: Path) -> tuple[Problem, Schedule]:
    """The shipped meeting and the valid schedule its build script placed (examples/build_ccpcj31.py)."""
    import importlib.util

    script = shipped_dir.parents[1] / "examples" / "build_ccpcj31.py"
    if not script.exists():
        pytest.skip("examples/build_ccpcj31.py (the shipped meeting's schedule) is not there")
    spec = importlib.util.spec_from_file_location("build_ccpcj31", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    prob = load_problem(shipped_dir)
    with tempfile.TemporaryDirectory(prefix="shipped-schedule-") as name:
        path = Path(name) / "schedule.csv"
        path.write_text(module.build().witness, encoding="utf-8")
        return prob, read_schedule(path, prob)
