"""Roles: speakers must attend and block each other; hosts and moderators are listed and published only."""

from __future__ import annotations

from datetime import datetime, time, timezone
from pathlib import Path

import pytest
from icalendar import Calendar

from scheduler.check import check_schedule
from scheduler.errors import InfeasibleError
from scheduler.export.folder import folder_files
from scheduler.export.frab import frab_document
from scheduler.export.ics import build_feeds
from scheduler.export.view import build_view
from scheduler.frab import import_frab
from scheduler.grid import SlotSpec
from scheduler.load import load_problem
from scheduler.model import Assignment, Schedule, event_end
from scheduler.score import raw_scores
from scheduler.solver import SolveOptions, solve
from tests.factory import at, event, problem, speaker
from tests.load.meeting_files import MeetingFiles, load_errors, place


@pytest.fixture
def files(tmp_path: Path) -> MeetingFiles:
    """The loader tests' base meeting, ready to be edited and written."""
    return MeetingFiles(tmp_path)

ONE_SLOT = [SlotSpec(time(9, 0), time(9, 50))]


def _two_at_nine(shared: dict) -> tuple:
    """Events A and B (sharing ``shared`` persons) both at 09:00, in R1 and R2."""
    prob = problem([event("A", **shared), event("B", **shared)], [speaker("P"), speaker("Q")])
    nine = at("09:00")
    schedule = Schedule(tuple(Assignment(e, room, nine, event_end(nine, 50)) for e, room in (("A", "R1"), ("B", "R2"))))
    return prob, schedule


# --- the checker: only speakers clash -----------------------------------------------------------------


def test_a_host_on_two_events_at_once_breaks_no_rule() -> None:
    prob, schedule = _two_at_nine({"hosts": ("P",), "moderators": ("Q",)})
    assert check_schedule(prob, schedule) == []


def test_a_speaker_on_two_events_at_once_breaks_the_speaker_rule() -> None:
    prob, schedule = _two_at_nine({"speakers": ("P",), "hosts": ("Q",)})
    assert [(v.rule, v.ids) for v in check_schedule(prob, schedule)] == [("speaker_clash", ("A", "B", "P"))]


# --- the solver: hosts never block ---------------------------------------------------------------------


def test_the_solver_places_two_events_of_one_host_at_once() -> None:
    prob = problem([event("A", hosts=("P",)), event("B", hosts=("P",))], [speaker("P")], specs=ONE_SLOT)
    schedule = solve(prob, SolveOptions(time_limit=5, workers=1))
    assert {a.start for a in schedule.assignments} == {at("09:00")}
    assert check_schedule(prob, schedule) == []


def test_the_solver_refuses_two_events_of_one_speaker_at_once() -> None:
    prob = problem([event("A", speakers=("P",)), event("B", speakers=("P",))], [speaker("P")], specs=ONE_SLOT)
    with pytest.raises(InfeasibleError):
        solve(prob, SolveOptions(time_limit=5, workers=1))


# --- the score: a remote host's hours do not count ---------------------------------------------------


@pytest.mark.parametrize(("role", "counted"), [("speakers", 1), ("hosts", 0)])
def test_only_a_remote_speaker_counts_off_hours(role: str, counted: int) -> None:
    far = speaker("P", timezone="America/Los_Angeles", remote=True, earliest=time(0), latest=time(23, 59))
    prob = problem([event("A", format="hybrid", **{role: ("P",)})], [far])
    nine = at("09:00")
    schedule = Schedule((Assignment("A", "R2", nine, event_end(nine, 50)),))
    assert raw_scores(prob, schedule)["remote_off_hours"] == counted


# --- exporters list hosts with their role ----------------------------------------------------------


def test_exports_list_hosts_and_moderators_after_the_speakers() -> None:
    prob, schedule = _two_at_nine({"speakers": ("P",), "moderators": ("Q",)})
    view = build_view(prob, schedule)
    assert view.events[0].speaker_names == ("Speaker P", "Speaker Q (moderator)")
    persons = frab_document(view)["schedule"]["conference"]["days"][0]["rooms"]
    assert [p["name"] for events in persons.values() for p in events[0]["persons"]] == ["Speaker P", "Speaker Q"] * 2
    feeds = build_feeds(prob, schedule, published_at=datetime(2022, 5, 1, tzinfo=timezone.utc))
    (event, *_) = Calendar.from_ical(feeds["all.ics"]).walk("VEVENT")
    description = str(event["DESCRIPTION"])
    assert "Speakers: Speaker P" in description and "Hosts: Speaker Q (moderator)" in description


# --- the loader ----------------------------------------------------------------------------------------


def _with_hosts(files: MeetingFiles, hosts: str, moderators: str = "") -> Path:
    text = files.files["events.csv"]
    assert isinstance(text, str)
    lines = text.split("\n")
    lines[0] += ",hosts,moderators"
    e3 = next(i for i, line in enumerate(lines) if line.startswith("E3,"))
    lines[e3] += f",{hosts},{moderators}"
    return files.set("events.csv", "\n".join(lines)).write()


def test_hosts_and_moderators_load(files: MeetingFiles) -> None:
    prob = load_problem(_with_hosts(files, "S1;S3"))
    e3 = prob.events_by_id["E3"]
    assert (e3.speakers, e3.hosts, e3.moderators) == (("S2",), ("S1", "S3"), ())
    assert e3.roles == (("S2", "speaker"), ("S1", "host"), ("S3", "host"))


def test_unknown_hosts_and_a_second_role_are_errors_at_their_cell(files: MeetingFiles) -> None:
    errors = load_errors(_with_hosts(files, "S9", "S2"))
    assert [(place(e)[1:], e.message) for e in errors] == [
        ((4, 17, "hosts"), "unknown person S9 (not in speakers.csv)"),
        ((4, 18, "moderators"), "a person has one role per event: S2 is already its speaker"),
    ]


def test_a_folder_writes_the_role_columns_only_when_used(files: MeetingFiles) -> None:
    plain = load_problem(files.write())
    assert "hosts" not in folder_files(plain, ())["events.csv"].split("\n")[0]
    hosted = load_problem(_with_hosts(files, "S1", "S3"))
    header, *rows = folder_files(hosted, ())["events.csv"].split("\n")
    assert header.endswith(",visibility,hosts,moderators")
    assert next(row for row in rows if row.startswith("E3,")).endswith(",private,S1,S3")


# --- the frab importer ---------------------------------------------------------------------------------

PROGRAMME = """<?xml version="1.0" encoding="UTF-8"?>
<schedule><conference><acronym>roles</acronym><title>Roles</title>
<time_zone_name>Europe/Berlin</time_zone_name></conference>
<day date="2024-12-27">
 <room name="Hall">
  <event id="1"><date>2024-12-27T10:00:00+01:00</date><duration>01:00</duration><title>Talk</title>
   <origin_url>https://cfp.example.org/1</origin_url>
   <persons><person id="1">Ada</person><person id="2" role="Moderator">Mo</person></persons></event>
  <event id="2"><date>2024-12-27T11:00:00+01:00</date><duration>01:00</duration><title>Panel</title>
   <origin_url>https://cfp.example.org/2</origin_url>
   <persons><person id="3" role="juggler">Jo</person><person id="2" role="chair">Mo</person></persons></event>
 </room>
 <room name="Tent">
  <event id="3"><date>2024-12-27T10:00:00+01:00</date><duration>01:00</duration><title>Open space</title>
   <persons><person id="4">Hub user</person></persons></event>
 </room>
 <room name="Tent 2">
  <event id="4"><date>2024-12-27T10:00:00+01:00</date><duration>01:00</duration><title>Open space 2</title>
   <persons><person id="4">Hub user</person></persons></event>
 </room>
</day></schedule>
"""


def test_the_importer_reads_roles_sessions_and_hosts(tmp_path: Path) -> None:
    xml = tmp_path / "schedule.xml"
    xml.write_text(PROGRAMME, encoding="utf-8")
    imported = import_frab(xml)
    events = imported.problem.events_by_id
    assert (events["1"].speakers, events["1"].moderators) == (("1",), ("2",))
    assert (events["2"].speakers, events["2"].moderators) == (("3",), ("2",))  # an unknown role speaks
    assert (events["3"].speakers, events["3"].hosts) == ((), ("4",))  # a session entered without a CfP
    assert imported.hosts == ("2", "4")
    assert check_schedule(imported.problem, imported.schedule) == []
    messages = " ".join(note.message for note in imported.notes if note.kind == "roles")
    assert "unknown role 'juggler'" in messages and "self-organized" in messages
    everyone = import_frab(xml, roles="speakers")
    assert {v.rule for v in check_schedule(everyone.problem, everyone.schedule)} == {"speaker_clash"}


def test_a_person_on_many_overlapping_events_hosts_them(tmp_path: Path) -> None:
    rooms = "".join(
        f'<room name="T{n}"><event id="{n}"><date>2024-12-27T10:00:00+01:00</date><duration>01:00</duration>'
        f'<title>Station {n}</title><persons><person id="9">Station lead</person></persons></event></room>'
        for n in range(1, 4))
    xml = tmp_path / "schedule.xml"
    xml.write_text(PROGRAMME.split("<day ")[0] + f'<day date="2024-12-27">{rooms}</day></schedule>', encoding="utf-8")
    imported = import_frab(xml)  # three events at once: three overlapping pairs
    assert {e.hosts for e in imported.problem.events} == {("9",)}
    assert any("3 or more pairs" in note.message for note in imported.notes)
