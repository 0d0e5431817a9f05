"""Compare and diff: any schedules side by side, hand-edited ones included; the events that moved."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from scheduler.compare import (
    ABSENT,
    MOVED_ROW,
    PLACED_ROW,
    TOTAL_ROW,
    UNSCHEDULED_ROW,
    VIOLATIONS_ROW,
    build_comparison,
    changes_by,
    compare_schedules,
    diff,
    format_comparison,
    read_schedules,
    schedule_names,
)
from scheduler.errors import UsageError
from scheduler.export.schedule import schedule_csv
from scheduler.load.schedule import read_schedule
from scheduler.model import Assignment, Schedule, event_end
from scheduler.scenario import SCENARIO_FILE
from scheduler.score import TERMS
from tests import factory as f

SPRING = date(2022, 3, 26)  # the day before Vienna's spring DST change
NEXT = date(2022, 3, 27)


def placed(event_id: str, room: str, hhmm: str, day: date = f.DAY, minutes: int = 50) -> Assignment:
    start = f.at(hhmm, day)
    return Assignment(event_id, room, start, event_end(start, minutes))


def small():
    """Four in-person events, two sharing speaker S1, over the factory's one day."""
    return f.problem([f.event("A", speakers=("S1",)), f.event("B", speakers=("S1",)), f.event("C"), f.event("D")],
                     [f.speaker("S1")])


BASE = Schedule((placed("A", "R1", "09:00"), placed("B", "R1", "10:00"), placed("C", "R1", "11:00"),
                 placed("D", "R1", "12:00")))


# --- diff --------------------------------------------------------------------------------------------


def test_diff_names_room_day_and_time_changes_in_venue_time() -> None:
    problem = f.problem([f.event(x) for x in "ABCDE"], the_meeting=f.meeting(days=(SPRING, NEXT)))
    before = Schedule((placed("A", "R1", "09:00", SPRING), placed("B", "R1", "10:00", SPRING),
                       placed("C", "R1", "11:00", SPRING), placed("D", "R1", "12:00", SPRING), Assignment("E")))
    after = Schedule((placed("A", "R2", "09:00", SPRING), placed("B", "R1", "10:00", NEXT),
                      placed("C", "R2", "09:00", NEXT), placed("D", "R1", "12:00", SPRING),
                      placed("E", "R1", "09:00", SPRING)))
    moves = {m.event_id: m.changes for m in diff(problem, before, after)}
    # B keeps 10:00 local across the DST change, so only its day changed (the UTC time did too)
    assert moves == {"A": ("room",), "B": ("day",), "C": ("room", "day", "time"), "E": ("placed",)}
    assert [m.changes for m in diff(problem, after, before) if m.event_id == "E"] == [("unplaced",)]


def test_diff_of_a_schedule_with_itself_is_empty_and_absent_events_are_added_or_withdrawn() -> None:
    problem = small()
    assert diff(problem, BASE, BASE) == []
    fewer = Schedule(BASE.assignments[:3] + (placed("N", "R2", "09:00"),))
    moves = diff(problem, BASE, fewer)
    assert [(m.event_id, m.changes, m.before is None, m.after is None) for m in moves] == [
        ("D", ("withdrawn",), False, True), ("N", ("added",), True, False)]


def test_changes_are_counted_per_organizer_and_per_speaker() -> None:
    problem = small()
    moved = Schedule((placed("A", "R2", "09:00"), placed("B", "R2", "10:00"), placed("C", "R2", "11:00"),
                      placed("D", "R1", "12:00")))
    moves = diff(problem, BASE, moved)
    assert changes_by(moves, [problem], "speaker") == {"S1": 2}
    assert changes_by(moves, [problem], "organizer") == {"Org A": 1, "Org B": 1, "Org C": 1}


# --- the side-by-side table --------------------------------------------------------------------------


def test_a_double_booked_room_shows_as_a_violation_and_a_score_difference() -> None:
    problem = small()
    clash = Schedule((placed("A", "R1", "09:00"), placed("B", "R1", "10:00"), placed("C", "R2", "09:00"),
                      placed("D", "R2", "09:00")))
    table = compare_schedules(problem, {"solver": BASE, "edited": clash})
    assert list(table.columns) == ["solver", "edited"]
    assert table.loc[VIOLATIONS_ROW].tolist() == [0, 1]
    assert table.loc["violated: room_clash"].tolist() == [0, 1]
    # C and D moved from the 40-seat R1 into the 200-seat hybrid R2: each 7 room_fit, 1 unused hybrid kit
    assert table.loc["room_fit"].tolist() == [0, 14]
    assert table.loc["hybrid_kit_unused"].tolist() == [0, 4]
    assert table.loc[TOTAL_ROW].tolist() == [sum(table.loc[t, n] for t in TERMS if t in table.index)
                                             for n in ("solver", "edited")]
    assert table.loc[TOTAL_ROW, "edited"] > table.loc[TOTAL_ROW, "solver"]
    assert table.loc[MOVED_ROW].tolist() == [0, 2]
    assert table.loc[PLACED_ROW].tolist() == [4, 4] and table.loc[UNSCHEDULED_ROW].tolist() == [0, 0]
    assert all(str(dtype) == "int64" for dtype in table.dtypes)


def test_unscheduled_events_have_their_own_row_not_a_violation_unless_asked() -> None:
    problem = small()
    partial = Schedule(BASE.assignments[:3] + (Assignment("D"),))
    table = compare_schedules(problem, {"all": BASE, "partial": partial})
    assert table.loc[UNSCHEDULED_ROW].tolist() == [0, 1] and table.loc[VIOLATIONS_ROW].tolist() == [0, 0]
    assert table.loc["unscheduled"].tolist() == [0, 16_000]  # priority 3
    strict = compare_schedules(problem, {"all": BASE, "partial": partial}, allow_unscheduled=False)
    assert strict.loc["violated: one_placement"].tolist() == [0, 1]


def test_solver_schedule_against_a_hand_edited_csv(tmp_path: Path) -> None:
    """The issue's acceptance: solve, double-book one room by hand in the CSV, compare."""
    from scheduler.solver import SolveOptions, solve

    problem = small()
    solved = solve(problem, SolveOptions(time_limit=5, workers=1))
    original = tmp_path / "solver.csv"
    original.write_text(schedule_csv(solved), encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(original.read_text(encoding="utf-8"))))
    first, second = rows[0], next(r for r in rows[1:] if r["room"] != rows[0]["room"] or r["start"] != rows[0]["start"])
    second.update(room=first["room"], start=first["start"], end=first["end"])  # one room, two events at once
    edited = tmp_path / "edited.csv"
    with edited.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    schedules, problems = read_schedules(problem, [original, edited])
    assert problems == {}
    comparison = build_comparison(problem, schedules)
    table = comparison.table
    assert table.loc[VIOLATIONS_ROW, "solver.csv"] == 0 and table.loc["violated: room_clash", "edited.csv"] >= 1
    clash = [v for v in comparison.violations["edited.csv"] if v.rule == "room_clash"]
    assert clash and {first["event_id"], second["event_id"]} <= set(clash[0].ids)
    assert table.loc[TOTAL_ROW, "solver.csv"] == solved.metadata["objective"]
    assert table.loc[TOTAL_ROW, "edited.csv"] != table.loc[TOTAL_ROW, "solver.csv"]
    assert comparison.differences["event"].tolist() == [second["event_id"]]
    text = format_comparison(comparison)
    assert "room_clash" in text and "Events that differ from solver.csv: 1" in text


def test_three_schedules_are_diffed_against_the_first() -> None:
    problem = small()
    b = Schedule((placed("A", "R2", "09:00"),) + BASE.assignments[1:])
    c = Schedule(BASE.assignments[:3] + (placed("D", "R1", "09:00"),))
    comparison = build_comparison(problem, {"a": BASE, "b": b, "c": c})
    assert comparison.table.loc[MOVED_ROW].tolist() == [0, 1, 1]
    differences = comparison.differences
    assert list(differences.columns) == ["event", "organizer", "a", "b", "c", "changes"]
    assert differences.to_dict("records") == [
        {"event": "A", "organizer": "Org A", "a": "R1 2022-05-17 09:00-09:50", "b": "R2 2022-05-17 09:00-09:50",
         "c": "R1 2022-05-17 09:00-09:50", "changes": "room"},
        {"event": "D", "organizer": "Org D", "a": "R1 2022-05-17 12:00-12:50", "b": "R1 2022-05-17 12:00-12:50",
         "c": "R1 2022-05-17 09:00-09:50", "changes": "time"},
    ]
    assert comparison.by_organizer.to_dict() == {"b": {"Org A": 1, "Org D": 0}, "c": {"Org A": 0, "Org D": 1}}
    assert comparison.by_speaker.to_dict() == {"b": {"S1": 1}, "c": {"S1": 0}}


def test_schedules_of_different_scenarios_are_scored_against_their_own_problem() -> None:
    from dataclasses import replace

    problem = small()
    grown = replace(problem, events=problem.events + (f.event("N"),))
    more = Schedule(BASE.assignments + (placed("N", "R2", "09:00"),))
    comparison = build_comparison(problem, {"base": BASE, "grown": more}, problems={"grown": grown})
    assert comparison.table.loc[PLACED_ROW].tolist() == [4, 5]
    assert comparison.table.loc[VIOLATIONS_ROW].tolist() == [0, 0]
    (row,) = comparison.differences.to_dict("records")
    assert (row["event"], row["organizer"], row["base"], row["changes"]) == ("N", "Org N", ABSENT, "added")


def test_text_output() -> None:
    """The terminal's text (tests/export/test_comparison_html.py holds the page to the same figures)."""
    problem = small()
    clash = Schedule(BASE.assignments[:3] + (placed("D", "R1", "09:00"),))
    comparison = build_comparison(problem, {"a": BASE, "b<&>": clash})
    text = format_comparison(comparison, "github")
    assert text.startswith("| measure") and "Hard-rule violations:" in text and "room_clash: events A and D" in text
    assert "Events changed per organizer (against a)" in text and text == format_comparison(comparison, "github")
    one = format_comparison(build_comparison(problem, {"only": BASE}))
    assert "differ" not in one and VIOLATIONS_ROW in one


def test_nothing_to_compare_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        compare_schedules(small(), {})


def test_schedule_names_are_short_and_unique() -> None:
    assert schedule_names(["a.csv", "x/b.csv"]) == ["a.csv", "b.csv"]
    assert schedule_names(["out/s1/schedule.csv", "out/s2", "schedule.csv"]) == ["s1", "s2", "schedule.csv"]
    assert schedule_names(["one/out/schedule.csv", "two/out/schedule.csv"]) == ["one/out", "two/out"]
    assert schedule_names(["x/a.csv", "y/a.csv"]) == ["x/a.csv", "y/a.csv"]


def test_a_schedule_beside_its_scenario_is_read_against_the_scenario(tmp_path: Path) -> None:
    problem = small()
    folder = tmp_path / "late"
    folder.mkdir()
    (folder / SCENARIO_FILE).write_text(
        '[[events.add]]\nid = "N"\ntitle = "Late"\norganizer = "Org N"\nformat = "virtual"\nduration = 50\n',
        encoding="utf-8")
    (folder / "schedule.csv").write_text(schedule_csv(Schedule(BASE.assignments + (placed("N", "V1", "09:00"),))),
                                         encoding="utf-8")
    (tmp_path / "base.csv").write_text(schedule_csv(BASE), encoding="utf-8")
    schedules, problems = read_schedules(problem, [tmp_path / "base.csv", folder])
    assert list(schedules) == ["base.csv", "late"] and list(problems) == ["late"]
    assert problems["late"].event("N").title == "Late"
    assert read_schedule(tmp_path / "base.csv", problem) == schedules["base.csv"]
    with pytest.raises(UsageError):
        read_schedules(problem, [tmp_path / "missing.csv"])
