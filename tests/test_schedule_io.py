"""schedule.csv and schedule.json: the exact written form, reading back, and every input fault with its place."""

from __future__ import annotations

import json
import warnings
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from scheduler.check import check_schedule
from scheduler.errors import DataErrors, DataWarning, LoadError
from scheduler.export.schedule import METADATA_KEYS, schedule_csv, schedule_json
from scheduler.load.schedule import read_schedule, read_schedule_metadata
from scheduler.model import Assignment, Schedule, event_end
from tests.factory import at, event, meeting, problem

UTC = timezone.utc
HEADER = "event_id,status,room,start,end\n"


def sample_problem():
    """Five events of different formats and lengths; one id carries a comma."""
    return problem([
        event("A"),
        event("B", format="virtual", attendance=None),
        event("C", duration=110),
        event("D,2"),
        event("Z"),
    ])


def sample_schedule(prob) -> Schedule:
    """A valid schedule of sample_problem, its rows deliberately out of order; Z unscheduled."""
    def put(event_id: str, room: str, hhmm: str) -> Assignment:
        start = at(hhmm)
        return Assignment(event_id, room, start, event_end(start, prob.event(event_id).duration))

    return Schedule(
        (Assignment("Z"), put("D,2", "R2", "11:00"), put("C", "R2", "09:00"), put("B", "V1", "09:00"),
         put("A", "R1", "09:00")),
        {"status": "feasible", "seed": 7},
    )


EXPECTED_CSV = (
    HEADER
    + "A,scheduled,R1,2022-05-17T09:00:00+02:00,2022-05-17T09:50:00+02:00\n"
    + "C,scheduled,R2,2022-05-17T09:00:00+02:00,2022-05-17T10:50:00+02:00\n"
    + "B,scheduled,V1,2022-05-17T09:00:00+02:00,2022-05-17T09:50:00+02:00\n"
    + '"D,2",scheduled,R2,2022-05-17T11:00:00+02:00,2022-05-17T11:50:00+02:00\n'
    + "Z,unscheduled,,,\n"
)


def write(tmp_path: Path, text: str, name: str = "schedule.csv", encoding: str = "utf-8") -> Path:
    """Write ``text`` byte for byte (no newline translation) and return the path."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def errors_of(path: Path, prob) -> list[str]:
    """The messages of the DataErrors that reading ``path`` raises, as ``place: message`` lines."""
    with pytest.raises(DataErrors) as caught:
        read_schedule(path, prob)
    return [str(error) for error in caught.value.errors]


# --- writing ----------------------------------------------------------------------------------------


def test_schedule_csv_is_the_exact_contract():
    prob = sample_problem()
    assert schedule_csv(sample_schedule(prob)) == EXPECTED_CSV


def test_schedule_csv_sorts_by_instant_not_by_text():
    # 10:00+02:00 is 08:00 UTC and comes before 09:00+00:00, though its text sorts after it
    early = Assignment("Y", "R1", at("10:00"), at("10:50"))
    late = Assignment("X", "R1", datetime(2022, 5, 17, 9, 0, tzinfo=UTC), datetime(2022, 5, 17, 9, 50, tzinfo=UTC))
    lines = schedule_csv(Schedule((late, early))).splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["Y", "X"]


def test_round_trip_csv_read_csv_is_identical(tmp_path):
    prob = sample_problem()
    text = schedule_csv(sample_schedule(prob))
    schedule = read_schedule(write(tmp_path, text), prob)
    assert schedule_csv(schedule) == text
    assert schedule.assignments == sample_schedule(prob).sorted().assignments
    assert check_schedule(prob, schedule, allow_unscheduled=True) == []


def test_round_trip_across_the_dst_change(tmp_path):
    days = tuple(date(2026, 3, d) for d in range(27, 32))
    prob = problem([event("A"), event("B")], the_meeting=meeting(days=days))
    text = (
        HEADER
        + "A,scheduled,R1,2026-03-27T09:00:00+01:00,2026-03-27T09:50:00+01:00\n"
        + "B,scheduled,R1,2026-03-30T09:00:00+02:00,2026-03-30T09:50:00+02:00\n"
    )
    schedule = read_schedule(write(tmp_path, text), prob)
    assert schedule_csv(schedule) == text
    starts = [a.start.astimezone(UTC).hour for a in schedule.assignments]
    assert starts == [8, 7]


def test_schedule_json_has_every_metadata_key_and_the_assignments():
    prob = sample_problem()
    published = datetime(2022, 5, 1, 12, 0, tzinfo=UTC)
    metadata = {"status": "optimal", "gap": 0.0, "published_at": published, "options": {"note": "Wien – Vienna"},
                "scores": {"room_fit": 3}}
    schedule = Schedule(sample_schedule(prob).assignments, metadata)
    text = schedule_json(schedule)
    data = json.loads(text)
    assert set(METADATA_KEYS) <= set(data)
    assert data["status"] == "optimal" and data["gap"] == 0.0
    assert data["objective"] is None and data["bound"] is None and data["input_digest"] is None
    assert data["published_at"] == "2022-05-01T12:00:00+00:00"
    assert data["scores"] == {"room_fit": 3}
    assert "Wien – Vienna" in text  # ensure_ascii=False
    assert text.endswith("}\n")
    assert [row["event_id"] for row in data["assignments"]] == ["A", "C", "B", "D,2", "Z"]
    assert data["assignments"][0] == {
        "event_id": "A", "status": "scheduled", "room": "R1",
        "start": "2022-05-17T09:00:00+02:00", "end": "2022-05-17T09:50:00+02:00",
    }
    assert data["assignments"][-1] == {"event_id": "Z", "status": "unscheduled", "room": None, "start": None,
                                       "end": None}
    assert list(data) == sorted(data)


def test_schedule_json_is_deterministic_and_json_safe():
    prob = sample_problem()
    meta_one = {"seed": 1, "gap": float("nan"), "options": {"workers": 1, "limit": 5.0}, "scores": {"b": 2, "a": 1}}
    meta_two = {"scores": {"a": 1, "b": 2}, "options": {"limit": 5.0, "workers": 1}, "gap": float("nan"), "seed": 1}
    one = schedule_json(Schedule(sample_schedule(prob).assignments, meta_one))
    two = schedule_json(Schedule(tuple(reversed(sample_schedule(prob).assignments)), meta_two))
    assert one == two
    assert json.loads(one)["gap"] is None
    assert "NaN" not in one


def test_metadata_is_read_from_the_json_beside_the_csv(tmp_path):
    prob = sample_problem()
    schedule = Schedule(sample_schedule(prob).assignments,
                        {"published_at": "2022-05-01T12:00:00+00:00", "seed": 3})
    write(tmp_path, schedule_csv(schedule))
    write(tmp_path, schedule_json(schedule), "schedule.json")
    metadata = read_schedule_metadata(tmp_path / "schedule.csv")
    assert metadata["published_at"] == "2022-05-01T12:00:00+00:00" and metadata["seed"] == 3
    assert "assignments" not in metadata
    assert read_schedule_metadata(tmp_path) == metadata  # the folder works too


def test_metadata_is_empty_without_json_and_bad_json_is_a_load_error(tmp_path):
    csv_path = write(tmp_path, HEADER)
    assert read_schedule_metadata(csv_path) == {}
    write(tmp_path, '{"seed": 1,\n  oops}', "schedule.json")
    with pytest.raises(LoadError) as caught:
        read_schedule_metadata(csv_path)
    assert str(caught.value).startswith("schedule.json:2:")


# --- reading: accepted forms ------------------------------------------------------------------------


def test_reading_accepts_a_bom_a_folder_and_crlf(tmp_path):
    prob = sample_problem()
    text = EXPECTED_CSV.replace("\n", "\r\n")
    write(tmp_path, "\ufeff" + text)
    schedule = read_schedule(tmp_path, prob)
    assert schedule_csv(schedule) == EXPECTED_CSV


def test_reading_derives_an_empty_end_and_reads_times_without_offset_as_venue_local(tmp_path):
    prob = sample_problem()
    text = HEADER + "C,scheduled,R2,2022-05-17T09:00,\nA,scheduled,R1,2022-05-17T07:00:00Z,\n"
    schedule = read_schedule(write(tmp_path, text), prob)
    by_event = schedule.by_event
    assert by_event["C"].start.isoformat() == "2022-05-17T09:00:00+02:00"
    assert by_event["C"].end.isoformat() == "2022-05-17T10:50:00+02:00"
    assert by_event["A"].start.isoformat() == "2022-05-17T09:00:00+02:00"  # Z converted to the venue zone
    assert by_event["A"].end - by_event["A"].start == timedelta(minutes=50)


def test_a_venue_local_time_skipped_by_the_dst_change_is_normalised(tmp_path):
    days = (date(2026, 3, 29),)
    prob = problem([event("A")], the_meeting=meeting(days=days))
    schedule = read_schedule(write(tmp_path, HEADER + "A,scheduled,R1,2026-03-29T02:30,\n"), prob)
    assert schedule.by_event["A"].start.isoformat() == "2026-03-29T03:30:00+02:00"


def test_reading_keeps_a_wrong_end_for_the_checker(tmp_path):
    prob = sample_problem()
    text = HEADER + "A,scheduled,R1,2022-05-17T09:00:00+02:00,2022-05-17T09:20:00+02:00\n"
    schedule = read_schedule(write(tmp_path, text), prob)
    assert schedule.by_event["A"].end == at("09:20")
    broken = [(v.rule, v.ids) for v in check_schedule(prob, schedule) if v.rule != "one_placement"]
    assert broken == [("slot_run", ("A",))]


def test_an_event_missing_from_the_file_loads_and_the_checker_reports_it(tmp_path):
    prob = sample_problem()
    text = "".join(line + "\n" for line in EXPECTED_CSV.splitlines() if not line.startswith("C,"))
    schedule = read_schedule(write(tmp_path, text), prob)
    violations = check_schedule(prob, schedule, allow_unscheduled=True)
    assert [(v.rule, v.ids) for v in violations] == [("one_placement", ("C",))]


def test_hard_rule_breaks_load_fine(tmp_path):
    prob = sample_problem()
    text = HEADER + "A,scheduled,V1,2022-05-17T09:30:00+02:00,\n"
    schedule = read_schedule(write(tmp_path, text), prob)
    assert schedule.by_event["A"].room == "V1"


def test_unknown_columns_warn_and_rows_count_physical_lines(tmp_path):
    prob = sample_problem()
    text = (
        "event_id,status,room,start,end,note\n"
        + 'A,scheduled,R1,2022-05-17T09:00:00+02:00,,"two\nlines"\n'
        + "B,sometimes,V1,2022-05-17T09:00:00+02:00,,\n"
    )
    path = write(tmp_path, text)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(DataErrors) as raised:
            read_schedule(path, prob)
    assert [str(w.message) for w in caught if issubclass(w.category, DataWarning)] == [
        "schedule.csv:1:6 (note): unknown column ignored"
    ]
    assert [str(e) for e in raised.value.errors] == [
        "schedule.csv:4:2 (status): expected scheduled or unscheduled, got 'sometimes'"
    ]


# --- reading: every fault, with its place -----------------------------------------------------------


def test_missing_columns_are_reported_on_the_header(tmp_path):
    assert errors_of(write(tmp_path, "event_id,room,start\nA,R1,2022-05-17T09:00\n"), sample_problem()) == [
        "schedule.csv:1 (status): missing required column",
        "schedule.csv:1 (end): missing required column",
    ]


def test_an_empty_file_is_a_data_error(tmp_path):
    assert errors_of(write(tmp_path, ""), sample_problem()) == [
        "schedule.csv:1: the file is empty; expected a header row"
    ]


def test_every_row_fault_is_collected_with_row_column_and_field(tmp_path):
    prob = sample_problem()
    text = (
        HEADER
        + "A,scheduled,R1,2022-05-17T09:00:00+02:00,\n"  # row 2: fine
        + "Q,scheduled,R1,2022-05-17T10:00:00+02:00,\n"  # 3: unknown event
        + "A,scheduled,R2,2022-05-17T11:00:00+02:00,\n"  # 4: duplicate
        + "B,maybe,V1,2022-05-17T09:00:00+02:00,\n"  # 5: bad status
        + "C,scheduled,R2,17/05/2022 09:00,2022-05-17\n"  # 6: bad start and a date without time
        + "D,2,scheduled,R2,2022-05-17T11:00:00+02:00,\n"  # 7: unquoted comma: too many cells
        + "Z,scheduled,,,\n"  # 8: scheduled without room and start
        + '"D,2",unscheduled,R1,,\n'  # 9: unscheduled with a room
        + "B,scheduled,R7,2022-05-17T09:00:00+02:00,\n"  # 10: B again, in an unknown room
        + ",scheduled,R1,2022-05-17T09:00:00+02:00,\n"  # 11: empty id
    )
    assert errors_of(write(tmp_path, text), prob) == [
        "schedule.csv:3:1 (event_id): unknown event 'Q'",
        "schedule.csv:4:1 (event_id): duplicate event 'A' (first in row 2)",
        "schedule.csv:5:2 (status): expected scheduled or unscheduled, got 'maybe'",
        "schedule.csv:6:4 (start): expected an ISO 8601 date and time like 2022-05-16T13:10:00+02:00, "
        "got '17/05/2022 09:00'",
        "schedule.csv:6:5 (end): expected an ISO 8601 date and time like 2022-05-16T13:10:00+02:00, got '2022-05-17'",
        "schedule.csv:7:6: this row has 6 cells but the header only 5",
        "schedule.csv:8:3 (room): a scheduled row needs a room",
        "schedule.csv:8:4 (start): a scheduled row needs a start",
        "schedule.csv:9:3 (room): an unscheduled row must leave room empty",
        "schedule.csv:10:1 (event_id): duplicate event 'B' (first in row 5)",
        "schedule.csv:10:3 (room): unknown room 'R7'",
        "schedule.csv:11:1 (event_id): empty event id",
    ]


def test_an_impossible_datetime_is_a_data_error(tmp_path):
    text = HEADER + "A,scheduled,R1,2022-05-17T25:00:00+02:00,\n"
    assert errors_of(write(tmp_path, text), sample_problem()) == [
        "schedule.csv:2:4 (start): expected a time HH:MM, got '25:00:00'"
    ]


def test_a_missing_or_non_utf8_file_is_a_data_error_at_its_place(tmp_path):
    assert errors_of(tmp_path / "nope.csv", sample_problem()) == ["nope.csv: missing file"]
    path = write(tmp_path, HEADER + "A,scheduled,Salle \u00e9,,\n", encoding="latin-1")
    assert errors_of(path, sample_problem())[0] == (
        "schedule.csv:2:3 (room): the file is not UTF-8: byte 0xE9 cannot be decoded (save it as UTF-8)")


def test_a_schedule_of_another_meeting_is_refused_in_one_line(tmp_path: Path) -> None:
    prob = sample_problem()
    rows = "".join(f"X{i},unscheduled,,,\n" for i in range(8))
    with pytest.raises(LoadError) as caught:
        read_schedule(write(tmp_path, HEADER + rows), prob)
    message = str(caught.value)
    assert "8 of its 8 event ids are not events of" in message and "another meeting" in message
    assert "\n" not in message


def test_a_few_unknown_ids_are_still_reported_at_their_rows(tmp_path: Path) -> None:
    prob = sample_problem()
    with pytest.raises(DataErrors) as caught:
        read_schedule(write(tmp_path, HEADER + "X1,unscheduled,,,\n"), prob)
    assert "schedule.csv:2:1 (event_id): unknown event 'X1'" in str(caught.value)
