"""Importing a frab schedule.xml: every element kind, every note, errors placed by line, and the real files."""

from __future__ import annotations

import re
import warnings
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduler.check import check_schedule
from scheduler.errors import DataErrors, SchedulerError, UsageError
from scheduler.frab import NOTES_FILE, import_frab, read_frab
from scheduler.load import load_problem
from scheduler.output import write_tree_atomic

BERLIN = ZoneInfo("Europe/Berlin")
REAL = {"fosdem-2026.xml": 883, "38c3.xml": 1007, "debconf23.xml": 117}

SAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<schedule>
  <generator name="test" version="1"/>
  <version>1</version>
  <conference>
    <acronym>testcon-24</acronym>
    <title>Test Con 24</title>
    <venue>Town Hall</venue>
    <start>2024-12-27</start>
    <end>2024-12-28</end>
    <days>2</days>
    <timeslot_duration>00:15</timeslot_duration>
    <time_zone_name>Europe/Berlin</time_zone_name>
    <track name="Art &amp; Beauty" slug="art" color="#F9B000"/>
    <track name="Science" slug="science"/>
  </conference>
  <day date="2024-12-27" index="1" start="2024-12-27T09:00:00+01:00" end="2024-12-28T04:00:00+01:00">
    <room name="Saal 1" guid="ba692ba3-421b-5371-8309-60acc34a3c05">
      <event id="1" guid="270fa44c-821a-577f-8ca3-33e8d4a8c2a7">
        <date>2024-12-27T10:00:00+01:00</date>
        <start>10:00</start>
        <duration>01:00</duration>
        <room>Saal 1</room>
        <slug>testcon-1-opening</slug>
        <title>Opening</title>
        <subtitle/>
        <track>Art &amp; Beauty</track>
        <type>Talk</type>
        <language>en</language>
        <abstract>Welcome.</abstract>
        <description>Welcome, at length.</description>
        <url>https://example.org/1</url>
        <persons>
          <person guid="0c16ffaa-709d-599f-959f-9a38b911361a">Ada</person>
          <person id="7">Grace</person>
          <person id="7">Grace</person>
        </persons>
        <links>
          <link href="https://example.org/slides">Slides</link>
        </links>
        <attachments>
          <attachment href="https://example.org/paper.pdf" type="application/pdf">Paper</attachment>
        </attachments>
        <recording><license>CC BY 4.0</license><optout>false</optout></recording>
      </event>
      <event id="2" guid="78910469-adfa-5c79-8529-1a9d66ef9e6a">
        <date>2024-12-27T11:00:00+01:00</date>
        <start>11:00</start>
        <duration>00:30</duration>
        <room>Saal 1</room>
        <title>Lunch</title>
        <track/>
        <type/>
        <abstract/>
        <persons/>
      </event>
      <event id="3" guid="c7c7e1a8-35d6-4c6b-a3f8-6a1c8b4b0a01">
        <date>2024-12-27T11:30:00+01:00</date>
        <start>11:30</start>
        <duration>00:45</duration>
        <room>Saal 1</room>
        <title>Off the grid</title>
        <track>Science</track>
        <type>Talk</type>
        <abstract/>
        <persons><person id="7">Grace Hopper</person></persons>
      </event>
      <event id="4" guid="0d6c3f5e-9a8b-4b1c-8e1f-2a3b4c5d6e7f">
        <date>2024-12-27T23:30:00+01:00</date>
        <start>23:30</start>
        <duration>10:00</duration>
        <room>Saal 1</room>
        <title>Past the day change</title>
        <track>Science</track>
        <type>Party</type>
        <abstract/>
        <persons/>
      </event>
      <event id="5" guid="1e7d4f6a-0b9c-4c2d-9f2a-3b4c5d6e7f80">
        <date>2024-12-27T23:00:00+01:00</date>
        <start>23:00</start>
        <duration>01:25</duration>
        <room>Saal 1</room>
        <title>Past midnight</title>
        <track>Science</track>
        <type>Party</type>
        <abstract/>
      </event>
    </room>
    <room name="Saal 2">
      <event id="6" guid="2f8e5a7b-1c0d-4d3e-8a3b-4c5d6e7f8091">
        <date>2024-12-27T10:07:00+01:00</date>
        <start>10:07</start>
        <duration>00:23</duration>
        <room>Saal 2</room>
        <title>Clash</title>
        <track>Science</track>
        <type>Workshop</type>
        <abstract/>
        <persons><person guid="0c16ffaa-709d-599f-959f-9a38b911361a">Ada</person></persons>
      </event>
    </room>
    <room name="Empty room"/>
  </day>
  <day date="2024-12-28" index="2" start="2024-12-28T09:00:00+01:00" end="2024-12-28T20:00:00+01:00">
    <room name="Saal 2">
      <event id="7" guid="3a9f6b8c-2d1e-4e4f-9b4c-5d6e7f8091a2">
        <date>2024-12-28T09:30:00+01:00</date>
        <start>09:30</start>
        <duration>01:30</duration>
        <room>Saal 2</room>
        <title>Day two</title>
        <track>Unlisted track</track>
        <type>Talk</type>
        <abstract/>
        <persons><person id="8">Linus</person></persons>
      </event>
    </room>
  </day>
</schedule>
"""

# valid against the c3voc schema with the fewest elements it allows: no <time_zone_name>, no <day date>
MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
<schedule>
  <version>1</version>
  <conference/>
  <day index="1" start="2025-06-02T08:00:00+02:00" end="2025-06-02T20:00:00+02:00">
    <room name="Main hall">
      <event id="1" guid="00000000-0000-4000-8000-000000000001">
        <room>Main hall</room>
        <title>Keynote</title>
        <type>Talk</type>
        <date>2025-06-02T09:00:00+02:00</date>
        <start>09:00</start>
        <duration>00:40</duration>
        <abstract/>
        <track>Main</track>
      </event>
      <event id="2" guid="00000000-0000-4000-8000-000000000002">
        <room>Main hall</room>
        <title>Panel</title>
        <type>Panel</type>
        <date>2025-06-02T10:00:00+02:00</date>
        <start>10:00</start>
        <duration>01:00</duration>
        <abstract/>
        <track>Main</track>
      </event>
    </room>
  </day>
</schedule>
"""


def _write(tmp_path: Path, text: str, name: str = "schedule.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    """The 1-based line of the first occurrence of ``needle``."""
    return text[: text.index(needle)].count("\n") + 1


def _errors(path: Path, **options) -> list[str]:
    with pytest.raises(DataErrors) as raised:
        import_frab(path, **options)
    return [str(error) for error in raised.value.errors]


def _load(tmp_path: Path, files: dict[str, str]):
    folder = tmp_path / "meeting"
    write_tree_atomic(folder, files)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the imported folder loads without a single warning
        return load_problem(folder)


# --- reading ---------------------------------------------------------------------------------------

def test_read_frab_reads_every_element_kind(tmp_path: Path) -> None:
    programme = read_frab(_write(tmp_path, SAMPLE))
    assert (programme.acronym, programme.title, programme.venue, programme.timezone) == (
        "testcon-24", "Test Con 24", "Town Hall", "Europe/Berlin")
    assert programme.tracks == (("Art & Beauty", "art"), ("Science", "science"))
    assert programme.rooms == ("Saal 1", "Saal 2", "Empty room")
    assert [str(d) for d in programme.frab_days] == ["2024-12-27", "2024-12-28"]
    first = programme.events[0]
    assert (first.id, first.guid, first.title, first.room, first.duration) == (
        "1", "270fa44c-821a-577f-8ca3-33e8d4a8c2a7", "Opening", "Saal 1", 60)
    assert first.start == datetime(2024, 12, 27, 10, 0, tzinfo=BERLIN)
    assert (first.track, first.track_name, first.type, first.abstract) == ("art", "Art & Beauty", "Talk", "Welcome.")
    assert first.persons == (("0c16ffaa-709d-599f-959f-9a38b911361a", "Ada"), ("7", "Grace"), ("7", "Grace"))
    assert first.speaker_ids == ("0c16ffaa-709d-599f-959f-9a38b911361a", "7")
    assert first.links == (("Slides", "https://example.org/slides"),)
    assert first.attachments == (("Paper", "https://example.org/paper.pdf"),)
    assert first.url == "https://example.org/1"
    assert first.line == _line_of(SAMPLE, '<event id="1"')
    assert programme.events[-1].track == "unlisted-track"  # a track the conference does not list: its slug


def test_a_file_valid_against_the_c3voc_schema_is_read(tmp_path: Path, shared_dir: Path) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    xsd = shared_dir / "external" / "frab" / "schedule.xml.xsd"
    if not xsd.exists():
        pytest.skip("../shared/external/frab/schedule.xml.xsd is not there")
    path = _write(tmp_path, MINIMAL)
    xmlschema.XMLSchema(str(xsd)).validate(str(path))
    imported = import_frab(path)
    assert imported.problem.meeting.timezone == "Etc/GMT-2"  # UTC+02:00, the only offset; Etc names flip the sign
    assert imported.problem.meeting.id == "schedule"  # no acronym: the file's name
    assert [note.kind for note in imported.notes][:1] == ["timezone"]
    assert imported.grid == 20  # gcd(540, 40, 600, 60)
    _load(tmp_path, imported.files)


def test_an_event_without_date_is_placed_by_its_day_and_start(tmp_path: Path) -> None:
    text = SAMPLE.replace("<date>2024-12-28T09:30:00+01:00</date>", "")
    event = read_frab(_write(tmp_path, text)).events[-1]
    assert event.start == datetime(2024, 12, 28, 9, 30, tzinfo=BERLIN)


def test_namespaced_schedule_is_read(tmp_path: Path) -> None:
    text = SAMPLE.replace("<schedule>", '<schedule xmlns="https://example.org/ns">', 1)
    assert len(read_frab(_write(tmp_path, text)).events) == 7


def test_a_repeated_event_id_gets_a_suffix(tmp_path: Path) -> None:
    text = SAMPLE.replace('<event id="7"', '<event id="6"')
    imported = import_frab(_write(tmp_path, text))
    assert imported.programme.renamed == (("6", "6-2"),)
    assert "6-2" in imported.problem.events_by_id
    assert any(note.kind == "ids" for note in imported.notes)


# --- importing -------------------------------------------------------------------------------------

def test_import_notes_every_choice(tmp_path: Path) -> None:
    imported = import_frab(_write(tmp_path, SAMPLE))
    kinds = [note.kind for note in imported.notes]
    assert kinds == ["day-change", "past-day-change", "breaks", "off-grid", "duration", "room-tags", "rooms",
                     "capacity", "persons", "persons", "double-booked", "comfort"]
    by_kind = {note.kind: note for note in reversed(imported.notes)}
    assert imported.left_out == {"past-day-change": ("4",), "break": ("2",)}
    # the programme's days start at 09:00: event 5 (23:00-00:30) stays on the 27th, event 4 (to 09:30) is cut
    assert (imported.problem.meeting.day_change.hour, "5") == (9, by_kind["day-change"].details[0].split()[0])
    assert imported.grid == 5  # 10:07 makes the divisor 1, bounded to 5
    assert "6" in by_kind["off-grid"].message and "6" in by_kind["duration"].message
    assert "Empty room" in by_kind["rooms"].message
    assert "Ada" in by_kind["double-booked"].message and "1 and 6" in by_kind["double-booked"].details[0]
    assert all(str(note).startswith("warning: ") and "\n" not in str(note) for note in imported.notes)
    notes_md = imported.files[NOTES_FILE]
    assert notes_md.startswith("# Import notes: Test Con 24")
    past_midnight = _line_of(SAMPLE, '<event id="4"')
    assert f"(line {past_midnight})" in notes_md


def test_imported_meeting_loads_and_keeps_what_frab_says(tmp_path: Path) -> None:
    imported = import_frab(_write(tmp_path, SAMPLE))
    assert set(imported.files) == {"meeting.toml", "rooms.csv", "speakers.csv", "events.csv", NOTES_FILE}
    problem = _load(tmp_path, imported.files)
    assert problem == imported.problem
    assert [event.id for event in problem.events] == ["1", "3", "5", "6", "7"]
    assert [room.id for room in problem.rooms] == ["saal-1", "saal-2"]
    assert {s.id: s.name for s in problem.speakers} == {
        "0c16ffaa-709d-599f-959f-9a38b911361a": "Ada", "7": "Grace", "8": "Linus"}
    opening = problem.events_by_id["1"]
    assert (opening.topics, opening.speakers, opening.organizer, opening.format) == (
        ("art",), ("0c16ffaa-709d-599f-959f-9a38b911361a", "7"), "frab-1", "in_person")
    assert [(b.reason, b.start.hour) for b in problem.blocked] == [("Lunch (frab event 2)", 11)]
    # each room open from its first event to its last each day it is used (saal-1 only on the 27th)
    saal = problem.rooms_by_id["saal-1"]
    assert [(a.strftime("%d %H:%M"), b.strftime("%d %H:%M")) for a, b in saal.hours] == [("27 10:00", "28 00:25")]
    assert (saal.tags, opening.room_tags) == (("party", "talk"), ("talk",))
    # the programme's own timetable: every kept event where frab put it; only Ada's clash breaks a rule
    assert [(a.event_id, a.room, a.start.strftime("%d %H:%M")) for a in imported.schedule.assignments] == [
        ("1", "saal-1", "27 10:00"), ("3", "saal-1", "27 11:30"), ("5", "saal-1", "27 23:00"),
        ("6", "saal-2", "27 10:07"), ("7", "saal-2", "28 09:30")]
    assert {v.rule for v in check_schedule(problem, imported.schedule)} == {"speaker_clash"}


def test_import_options(tmp_path: Path) -> None:
    path = _write(tmp_path, SAMPLE)
    imported = import_frab(path, grid=15, rooms_open="all", capacity=30, attendance=20, breaks="events",
                           roles="speakers")
    assert imported.grid == 15 and "unavailability.csv" not in imported.files
    assert "2" in imported.problem.events_by_id and not imported.problem.blocked
    assert imported.hosts == () and "roles speakers" in imported.files["meeting.toml"]
    assert {room.capacity for room in imported.problem.rooms} == {30}
    assert "grid 15 min (as asked)" in imported.files["meeting.toml"]
    _load(tmp_path, imported.files)
    for bad in ({"grid": 0}, {"rooms_open": "some"}, {"breaks": "skip"}, {"capacity": 10, "attendance": 20},
                {"roles": "hosts"}):
        with pytest.raises(UsageError):
            import_frab(path, **bad)


def test_import_is_deterministic(tmp_path: Path) -> None:
    path = _write(tmp_path, SAMPLE)
    assert import_frab(path).files == import_frab(path).files


# --- errors ----------------------------------------------------------------------------------------

def test_bad_xml_names_the_line(tmp_path: Path) -> None:
    text = SAMPLE.replace("<title>Opening</title>", "<title>Opening</titel>")
    [error] = _errors(_write(tmp_path, text))
    assert error.startswith(f"schedule.xml:{_line_of(text, '</titel>')}:")
    assert "not well-formed XML" in error


def test_bad_duration_names_the_event_and_the_line(tmp_path: Path) -> None:
    text = SAMPLE.replace("<duration>00:45</duration>", "<duration>1h</duration>")
    assert _errors(_write(tmp_path, text)) == [
        f"schedule.xml:{_line_of(text, '<duration>1h')} <event id=\"3\">: duration '1h' is not HH:MM"]


def test_bad_dates_name_the_line(tmp_path: Path) -> None:
    text = (SAMPLE.replace("2024-12-27T11:30:00+01:00", "2024-12-27T25:30:00+01:00")
            .replace('<day date="2024-12-28"', '<day date="2024-02-30"'))
    day_line = _line_of(text, '<day date="2024-02-30"')
    assert _errors(_write(tmp_path, text)) == [
        f"schedule.xml:{_line_of(text, 'T25:30')} <event id=\"3\">: date '2024-12-27T25:30:00+01:00' is not an "
        "ISO date-time such as 2024-12-27T10:30:00+01:00",
        f"schedule.xml:{day_line} <day date=\"2024-02-30\">: date '2024-02-30' is not a date (YYYY-MM-DD)",
    ]


def test_unknown_time_zone(tmp_path: Path) -> None:
    text = SAMPLE.replace("Europe/Berlin", "Mars/Olympus_Mons")
    [error] = _errors(_write(tmp_path, text))
    assert error.startswith(f"schedule.xml:{_line_of(text, '<time_zone_name>')} <conference>: unknown time zone "
                            "'Mars/Olympus_Mons'")
    assert import_frab(_write(tmp_path, text), timezone="Europe/Berlin").problem.meeting.timezone == "Europe/Berlin"


def test_missing_time_zone_with_two_offsets(tmp_path: Path) -> None:
    text = (SAMPLE.replace("<time_zone_name>Europe/Berlin</time_zone_name>", "")
            .replace("2024-12-28T09:30:00+01:00", "2024-12-28T09:30:00+02:00"))
    [error] = _errors(_write(tmp_path, text))
    assert error.startswith(f"schedule.xml:{_line_of(text, '<conference>')} <conference>: no <time_zone_name>")
    assert "+01:00, +02:00" in error


def test_every_error_of_a_file_at_once_and_other_refusals(tmp_path: Path) -> None:
    text = SAMPLE.replace("<duration>00:45</duration>", "<duration>45</duration>").replace(
        "<duration>01:30</duration>", "")
    assert [re.sub(r"^schedule.xml:\d+ ", "", e) for e in _errors(_write(tmp_path, text))] == [
        "<event id=\"3\">: duration '45' is not HH:MM", '<event id="7">: no <duration>']
    assert _errors(tmp_path / "absent.xml") == [f"{tmp_path / 'absent.xml'}: no such file"]
    assert _errors(_write(tmp_path, "<html><body/></html>")) == [
        "schedule.xml:1 <html>: not a frab schedule.xml: the root element is <html>, expected <schedule>"]
    assert _errors(_write(tmp_path, "<schedule><version/></schedule>")) == [
        "schedule.xml:1 <schedule>: no <conference> element; not a frab schedule.xml"]
    assert _errors(_write(tmp_path, "")) != []


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    text = SAMPLE.replace('<?xml version="1.0" encoding="UTF-8"?>',
                          f'<?xml version="1.0"?><!DOCTYPE schedule [<!ENTITY x SYSTEM "file://{secret}">]>')
    text = text.replace("<title>Opening</title>", "<title>Opening&x;</title>")
    imported = import_frab(_write(tmp_path, text))
    assert "SECRET" not in "".join(imported.files.values())


@pytest.mark.parametrize("tag", ["conference", "time_zone_name", "acronym", "title", "day", "room", "event", "date",
                                 "start", "duration", "track", "persons", "person", "links", "attachments"])
def test_any_element_missing_gives_a_result_or_a_clean_error(tmp_path: Path, tag: str) -> None:
    text = re.sub(rf"<{tag}\b[^>]*/>|<{tag}\b[^>]*>.*?</{tag}>", "", SAMPLE, count=1, flags=re.DOTALL)
    try:
        import_frab(_write(tmp_path, text))
    except SchedulerError as error:
        assert re.match(r"^(\d+ errors? in the input:\n  )?schedule.xml", str(error)), str(error)


# --- the real programmes ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def schedules(shared_dir: Path) -> Path:
    folder = shared_dir / "external" / "schedules"
    if not all((folder / name).exists() for name in REAL):
        pytest.skip("../shared/external/schedules/*.xml are not there")
    return folder


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_programmes_import_and_load(tmp_path: Path, schedules: Path, name: str) -> None:
    imported = import_frab(schedules / name)
    assert len(imported.programme.events) == REAL[name]
    problem = _load(tmp_path, imported.files)
    assert problem == imported.problem
    assert {a.event_id for a in imported.schedule.assignments} == set(problem.events_by_id)
    left_out = sum(len(ids) for ids in imported.left_out.values())
    assert len(problem.events) + left_out == REAL[name]


def test_real_notes(schedules: Path) -> None:
    notes = {name: import_frab(schedules / name) for name in REAL}
    assert {kind: len(ids) for kind, ids in notes["38c3.xml"].left_out.items()} == {
        "past-day-change": 5}
    assert {kind: len(ids) for kind, ids in notes["debconf23.xml"].left_out.items()} == {"break": 30}
    assert notes["fosdem-2026.xml"].left_out == {}
    # roles: 38C3's self-organized sessions are hosted, so no host breaks the speaker rule; FOSDEM keeps
    # its one real double booking of a speaker
    found = {name: check_schedule(i.problem, i.schedule) for name, i in notes.items() if name != "debconf23.xml"}
    assert [v.rule for v in found["38c3.xml"]] == ["room_clash", "room_clash"]
    assert [(v.rule, v.ids[-1]) for v in found["fosdem-2026.xml"]] == [("speaker_clash", "3527")]
    assert len(notes["38c3.xml"].hosts) > 9 and notes["fosdem-2026.xml"].hosts == ()


def test_benchmark_wrapper_still_converts(tmp_path: Path, schedules: Path) -> None:
    from benchmarks.frab_meeting import PUBLISHED, close_busiest_room, convert

    figures = convert(schedules / "debconf23.xml", tmp_path / "dc", rooms_open="used", roles="xml")
    assert (figures["events_in_xml"], figures["events"], figures["left_out_ids"]) == (117, 117, [])
    assert (tmp_path / "dc" / PUBLISHED / "schedule.csv").exists()
    assert close_busiest_room(tmp_path / "dc")["room"]
    load_problem(tmp_path / "dc")


# --- the command: scheduler import frab ---------------------------------------------------------------


def test_import_command_writes_a_meeting_and_its_published_timetable(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from scheduler.cli import cli

    xml = _write(tmp_path, SAMPLE)
    out = tmp_path / "meeting"
    runner = CliRunner()
    result = runner.invoke(cli, ["import", "frab", str(xml), "--out", str(out), "--published-at", "2024-01-01T00:00Z"])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr and f"into {out}" in result.stdout
    for name in ("meeting.toml", "rooms.csv", "speakers.csv", "events.csv", "import-notes.md",
                 "published/schedule.csv", "published/schedule.json", "published/feeds/all.ics",
                 "published/timetable.html", "published/frab/schedule.xml"):
        assert (out / name).is_file(), name
    assert runner.invoke(cli, ["validate", str(out)]).exit_code in (0, 1)  # loads; 1 only for a proven obstacle
    checked = runner.invoke(cli, ["check", str(out), str(out / "published" / "schedule.csv")])
    # the sample's own timetable double-books one person: the check names it, nothing else
    assert checked.exit_code == 1 and checked.stdout.count("speaker_clash") == 1, checked.output
    # the same file again into a non-empty folder is refused, and nothing changes there
    before = (out / "events.csv").read_bytes()
    again = runner.invoke(cli, ["import", "frab", str(xml), "--out", str(out)])
    assert again.exit_code == 2 and "not empty" in again.stderr and "Traceback" not in again.output
    assert (out / "events.csv").read_bytes() == before


def test_import_command_reports_a_broken_file_with_its_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from scheduler.cli import cli

    xml = _write(tmp_path, SAMPLE.replace("<duration>00:30</duration>", "<duration>1h</duration>", 1))
    result = CliRunner().invoke(cli, ["import", "frab", str(xml), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert re.search(r"schedule\.xml:\d+ <event", result.stderr), result.stderr
    assert not (tmp_path / "out").exists()
