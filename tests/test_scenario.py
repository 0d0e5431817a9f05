"""Scenarios: every action applied on top of a meeting, and every mistake reported with file, key and line."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from scheduler.errors import DataErrors, LoadError
from scheduler.model import Room, Unavailability
from scheduler.scenario import apply_scenario, describe, load_scenario, parse_scenario
from tests import factory as f

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples" / "scenarios").glob("*.toml"))
DAY2 = date(2022, 5, 18)
UTC = timezone.utc


def two_days(events=(), speakers=(), **kwargs):
    """The factory meeting over 17 and 18 May 2022."""
    return f.problem(events, speakers, the_meeting=f.meeting(days=(f.DAY, DAY2)), **kwargs)


def errors_of(problem, text: str, source: str = "s.toml") -> list[LoadError]:
    with pytest.raises(DataErrors) as caught:
        apply_scenario(problem, parse_scenario(text, source))
    return caught.value.errors


def fields_of(errors: list[LoadError]) -> list[str | None]:
    return [e.location.field for e in errors]


# --- actions -----------------------------------------------------------------------------------------


def test_close_room_for_a_day_adds_whole_day_unavailability_and_leaves_the_input_alone() -> None:
    problem = two_days([f.event("A")])
    digest = problem.digest()
    after = apply_scenario(problem, parse_scenario('[[rooms.close]]\nid = "R1"\ndays = ["2022-05-18"]\n'))
    assert after.unavailability == (
        Unavailability("room", "R1", f.at("00:00", DAY2), f.at("00:00", DAY2 + timedelta(days=1)), "closed (scenario)"),
    )
    assert problem.unavailability == () and problem.digest() == digest
    assert after.digest() != digest


def test_closing_over_a_dst_change_keeps_local_midnights() -> None:
    spring = date(2022, 3, 27)  # Vienna moves clocks forward: a 23-hour day
    problem = f.problem([f.event("A")], the_meeting=f.meeting(days=(spring,)))
    after = apply_scenario(problem, parse_scenario('[[rooms.close]]\nid = "R1"\ndays = ["2022-03-27"]\n'))
    closure = after.unavailability[0]
    assert (closure.start.hour, closure.end.hour) == (0, 0)
    assert closure.end.astimezone(UTC) - closure.start.astimezone(UTC) == timedelta(hours=23)


def test_close_room_for_some_hours_and_by_start_end() -> None:
    problem = two_days([f.event("A")])
    after = apply_scenario(problem, parse_scenario(
        '[[rooms.close]]\nid = "R2"\nonly_days = ["2022-05-17"]\nhours = ["09:00", "11:00"]\nreason = "Works"\n'
        '[[rooms.close]]\nid = "V1"\nstart = "2022-05-17T12:00"\nend = "2022-05-17T13:00"\n'))
    assert after.unavailability == (
        Unavailability("room", "R2", f.at("09:00", DAY2), f.at("11:00", DAY2), "Works"),
        Unavailability("room", "V1", f.at("12:00"), f.at("13:00"), "closed (scenario)"),
    )


def test_add_room_open_only_on_some_days() -> None:
    problem = two_days([f.event("A")])
    after = apply_scenario(problem, parse_scenario(
        '[[rooms.add]]\nid = "M7"\nname = "Room M7"\ncapacity = 80\nhybrid = "yes"\nopen_days = ["2022-05-18"]\n'))
    assert after.rooms[-1] == Room("M7", "Room M7", "physical", 80, True, "")
    assert [(u.id, u.start.date()) for u in after.unavailability] == [("M7", f.DAY)]


def test_add_withdraw_change_and_pin_events() -> None:
    problem = f.problem([f.event("A"), f.event("B"), f.event("C")], [f.speaker("S1"), f.speaker("S2")])
    after = apply_scenario(problem, parse_scenario("""
[events]
withdraw = ["B"]

[[events.add]]
id = "N1"
title = "Late request"
organizer = "Org N"
format = "hybrid"
duration = 50
attendance = 60
speakers = "S1; S2"
topics = ["drugs", "youth"]
priority = 5
preferred_days = ["2022-05-17"]
preferred_starts = ["10:00"]

[[events.change]]
id = "A"
format = "virtual"
attendance = ""
speakers = ["S2"]

[[events.pin]]
id = "C"
room = "R2"
start = 2022-05-17T11:00:00
"""))
    assert [e.id for e in after.events] == ["A", "C", "N1"]
    added = after.event("N1")
    assert (added.format, added.attendance, added.speakers, added.topics, added.priority) == (
        "hybrid", 60, ("S1", "S2"), ("drugs", "youth"), 5)
    assert added.preferred_days == (f.DAY,) and added.preferred_starts == (datetime(2000, 1, 1, 10).time(),)
    changed = after.event("A")
    assert (changed.format, changed.attendance, changed.speakers, changed.title) == (
        "virtual", None, ("S2",), "Event A")
    pinned = after.event("C")
    assert pinned.room == "R2" and pinned.start == f.at("11:00")
    assert pinned.start.tzinfo is not None and pinned.start.utcoffset() == timedelta(hours=2)


def test_pin_with_an_offset_is_converted_to_venue_time() -> None:
    problem = f.problem([f.event("A")])
    after = apply_scenario(problem, parse_scenario('[[events.pin]]\nid = "A"\nstart = "2022-05-17T08:00:00+00:00"\n'))
    assert after.event("A").start == f.at("10:00")


def test_add_and_change_speakers_and_only_days_unavailability() -> None:
    problem = two_days([f.event("A", format="hybrid", speakers=("S1",))], [f.speaker("S1")])
    after = apply_scenario(problem, parse_scenario("""
[[speakers.add]]
id = "K1"
name = "Keynote"
timezone = "America/New_York"
remote = true
earliest = "03:00"

[[speakers.change]]
id = "S1"
remote = true
timezone = "Europe/London"

[[events.change]]
id = "A"
speakers = ["S1", "K1"]

[[unavailable]]
kind = "speaker"
id = "K1"
only_days = ["2022-05-18"]
reason = "only on Wednesday"
"""))
    keynote = after.speaker("K1")
    assert (keynote.timezone, keynote.remote, keynote.earliest.hour, keynote.latest) == (
        "America/New_York", True, 3, None)
    assert after.speaker("S1").remote and after.speaker("S1").timezone == "Europe/London"
    assert [(u.kind, u.id, u.start.date(), u.reason) for u in after.unavailability] == [
        ("speaker", "K1", f.DAY, "only on Wednesday")]


def test_organizer_unavailability_and_weights_merge_with_the_meeting() -> None:
    problem = f.problem([f.event("A")], the_meeting=f.meeting(weights={"crowding": 5}))
    after = apply_scenario(problem, parse_scenario(
        '[[unavailable]]\nkind = "organizer"\nid = "Org A"\ndays = ["2022-05-17"]\nhours = ["09:00", "10:00"]\n'
        '[weights]\ntopic_clash = 9\n'))
    assert dict(after.meeting.weights) == {"crowding": 5, "topic_clash": 9}
    assert after.unavailability[0].kind == "organizer" and after.unavailability[0].id == "Org A"


def test_withdraw_then_add_again_replaces_an_event() -> None:
    problem = f.problem([f.event("A")])
    after = apply_scenario(problem, parse_scenario(
        'events.withdraw = ["A"]\n[[events.add]]\nid = "A"\ntitle = "New A"\norganizer = "X"\n'
        'format = "virtual"\nduration = 50\n'))
    assert after.event("A").title == "New A" and after.event("A").format == "virtual"


def test_describe_lists_every_action() -> None:
    scenario = parse_scenario("""
name = "Wednesday crunch"
[[rooms.close]]
id = "R1"
days = ["2022-05-18"]
reason = "Maintenance"
[events]
withdraw = ["B"]
[[events.change]]
id = "A"
duration = 90
[weights]
crowding = 3
""")
    assert scenario.name == "Wednesday crunch"
    assert describe(scenario) == [
        "rooms.close[0]: close room R1 on 2022-05-18 (Maintenance)",
        "events.withdraw[0]: withdraw event B",
        "events.change[0]: change event A: duration = 90",
        "weights: crowding = 3",
    ]


# --- mistakes: file, key and line --------------------------------------------------------------------


def test_a_duration_no_run_of_slots_holds_names_the_key_and_line() -> None:
    problem = f.problem([f.event("A")])
    entry = 'title = "T"\norganizer = "O"\nformat = "virtual"\n'
    text = "".join(f'[[events.add]]\nid = "N{i}"\n{entry}duration = {d}\n' for i, d in enumerate((50, 110, 500)))
    errors = errors_of(problem, text)
    assert len(errors) == 1
    location = errors[0].location
    assert (location.path, location.field, location.row) == ("s.toml", "events.add[2].duration", 18)
    assert "N2" in errors[0].message and "500 minutes" in errors[0].message
    assert str(errors[0]).startswith("s.toml:18 (events.add[2].duration): ")


def test_unknown_ids_are_reported_with_suggestions() -> None:
    problem = f.problem([f.event("SE001")], [f.speaker("S1")])
    errors = errors_of(problem, """
[[events.change]]
id = "SE01"
duration = 50
[[rooms.close]]
id = "R9"
days = ["2022-05-17"]
[[unavailable]]
kind = "speaker"
id = "S2"
days = ["2022-05-17"]
""")
    assert fields_of(errors) == ["events.change[0].id", "rooms.close[0].id", "unavailable[0].id"]
    assert "did you mean 'SE001'" in errors[0].message
    assert [e.location.row for e in errors] == [3, 6, 10]


def test_change_of_a_withdrawn_event_says_who_withdrew_it() -> None:
    text = 'events.withdraw = ["A"]\n[[events.change]]\nid = "A"\nduration = 50\n'
    errors = errors_of(f.problem([f.event("A")]), text)
    assert fields_of(errors) == ["events.change[0].id"]
    assert "withdrawn by events.withdraw[0]" in errors[0].message


def test_pin_into_a_room_the_scenario_closes() -> None:
    problem = f.problem([f.event("A")])
    errors = errors_of(problem, """
[[rooms.close]]
id = "R2"
days = ["2022-05-17"]
[[events.pin]]
id = "A"
room = "R2"
start = "2022-05-17T10:00"
""")
    assert fields_of(errors) == ["events.pin[0].room"] and "R2 closed" in errors[0].message


def test_closing_the_room_of_a_pin_in_the_data_blames_the_closure() -> None:
    problem = f.problem([f.event("A", room="R1", start=f.at("09:00")), f.event("B")])
    errors = errors_of(problem, '[[rooms.close]]\nid = "R1"\ndays = ["2022-05-17"]\n')
    assert fields_of(errors) == ["rooms.close[0]"]
    assert "event A" in errors[0].message and errors[0].location.row == 1


def test_a_data_problem_the_scenario_did_not_cause_is_not_blamed_on_it() -> None:
    problem = f.problem([f.event("A", duration=600), f.event("B")])  # A never fits: the data's fault
    text = '[[events.change]]\nid = "B"\nduration = 110\n[[events.change]]\nid = "A"\ntitle = "Renamed"\n'
    after = apply_scenario(problem, parse_scenario(text))
    assert after.event("B").duration == 110 and after.event("A").title == "Renamed"
    errors = errors_of(problem, '[[events.change]]\nid = "A"\nduration = 590\n')  # but a new duration is
    assert fields_of(errors) == ["events.change[0].duration"]


def test_pin_to_a_time_that_is_not_a_slot_start() -> None:
    errors = errors_of(f.problem([f.event("A")]), '[[events.pin]]\nid = "A"\nstart = "2022-05-17T09:20"\n')
    assert fields_of(errors) == ["events.pin[0].start"] and "cannot start at 2022-05-17 09:20" in errors[0].message


def test_pin_to_a_room_of_the_wrong_kind_or_size() -> None:
    problem = f.problem([f.event("A"), f.event("B", attendance=100)])
    errors = errors_of(problem, '[[events.pin]]\nid = "A"\nroom = "V1"\n[[events.pin]]\nid = "B"\nroom = "R1"\n')
    assert fields_of(errors) == ["events.pin[0].room", "events.pin[1].room"]
    assert "cannot host a in_person event" in errors[0].message and "seats 40" in errors[1].message


def test_speaker_made_remote_breaks_an_in_person_event() -> None:
    problem = f.problem([f.event("A", speakers=("S1",))], [f.speaker("S1")])
    errors = errors_of(problem, '[[speakers.change]]\nid = "S1"\nremote = true\n')
    assert fields_of(errors) == ["speakers.change[0]"] and "must be hybrid or virtual" in errors[0].message


def test_field_mistakes_of_added_and_changed_events() -> None:
    problem = f.problem([f.event("A")], [f.speaker("S1")])
    errors = errors_of(problem, """
[[events.add]]
id = "N"
title = "New"
organizer = "O"
format = "hybrid"
duration = 50
speakers = ["S1", "S7"]
preferred_days = ["2022-06-01"]
[[events.add]]
id = "A"
title = "Clash"
organizer = "O"
format = "virtual"
duration = 50
""")
    assert fields_of(errors) == ["events.add[0].format", "events.add[0].speakers", "events.add[0].preferred_days",
                                 "events.add[1].id"]
    assert "needs an attendance" in errors[0].message and "'S7'" in errors[1].message
    assert "already exists" in errors[3].message


def test_a_remote_speaker_who_is_never_available_leaves_no_place() -> None:
    problem = f.problem([f.event("A", format="hybrid", speakers=("S1",))], [f.speaker("S1")])
    errors = errors_of(problem, '[[speakers.change]]\nid = "S1"\nremote = true\ntimezone = "America/New_York"\n')
    assert fields_of(errors) == ["speakers.change[0]"] and "remote speaker S1's hours" in errors[0].message


def test_type_errors_are_collected_at_load_with_lines() -> None:
    text = """name = 3
[[events.add]]
id = "N"
title = "T"
organizer = "O"
format = "plenary"
duration = "1h"
priority = 9
colour = "red"
[[rooms.close]]
id = "R1"
days = ["2022-05-17"]
start = "2022-05-17T09:00"
[[unavailable]]
kind = "speaker"
[weights]
topic_clesh = 2
crowding = -1
[events.remove]
ids = ["A"]
[speakers]
add = "x"
"""
    with pytest.raises(DataErrors) as caught:
        parse_scenario(text, "s.toml")
    found = {(e.location.field, e.location.row) for e in caught.value.errors}
    assert {("name", 1), ("events.add[0].format", 6), ("events.add[0].duration", 7),
            ("events.add[0].priority", 8), ("events.add[0].colour", 9), ("rooms.close[0]", 10),
            ("rooms.close[0]", 10), ("unavailable[0]", 14), ("weights.topic_clesh", 17), ("weights.crowding", 18),
            ("events.remove", 19), ("speakers.add", 22)} <= found
    messages = "\n".join(str(e) for e in caught.value.errors)
    assert "did you mean 'topic_clash'" in messages and "expected one of in_person, hybrid, virtual" in messages
    assert "give exactly one of days, only_days or start/end" in messages and "missing required field 'id'" in messages


def test_days_outside_the_meeting_and_backwards_periods() -> None:
    errors = errors_of(f.problem([f.event("A")]), """
[[rooms.close]]
id = "R1"
days = ["2022-05-21"]
[[rooms.close]]
id = "R1"
start = "2022-05-17T12:00"
end = "2022-05-17T11:00"
""")
    assert fields_of(errors) == ["rooms.close[0].days", "rooms.close[1].end"]
    assert "2022-05-21 not among the meeting's days" in errors[0].message


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[rooms.close]]\nid = "R1\n', encoding="utf-8")
    with pytest.raises(DataErrors) as caught:
        load_scenario(path)
    (error,) = caught.value.errors
    assert (error.location.path, error.location.row, error.location.column) == (str(path), 2, 9)
    assert "(at line" not in error.message


def test_missing_scenario_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataErrors) as caught:
        load_scenario(tmp_path / "none.toml")
    assert "cannot read the scenario" in str(caught.value)


def test_load_scenario_keeps_the_text_and_names_it_by_the_file(tmp_path: Path) -> None:
    path = tmp_path / "late-requests.toml"
    path.write_text('\ufeff[weights]\ncrowding = 2\n', encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.name == "late-requests" and scenario.weights == {"crowding": 2} and "crowding" in scenario.text


# --- the shipped examples ----------------------------------------------------------------------------


def test_there_are_at_least_four_example_scenarios() -> None:
    assert len(EXAMPLES) >= 4, "examples/scenarios/ should hold at least four scenarios"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_scenarios_apply_to_the_shipped_meeting(path: Path, shipped_dir: Path) -> None:
    from scheduler.load import load_problem

    problem = load_problem(shipped_dir)
    scenario = load_scenario(path)
    after = apply_scenario(problem, scenario)
    assert scenario.description and describe(scenario)
    assert after.digest() != problem.digest()
