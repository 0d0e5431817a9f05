"""score.py over hand-built schedules: every term counted by its definition, weights applied."""

from __future__ import annotations

import ast
import inspect
from datetime import date, time

import scheduler.score as score_module
from scheduler.grid import SlotSpec
from scheduler.model import Assignment, Room, Schedule, event_end
from scheduler.score import breakdown, crowding_target, raw_scores, score_schedule, total
from scheduler.weights import DEFAULT_WEIGHTS, UNSCHEDULED_COST
from tests.factory import DAY, at, event, meeting, problem, speaker


def _placed(prob, event_id: str, room: str, hhmm: str, day: date = DAY) -> Assignment:
    start = at(hhmm, day)
    return Assignment(event_id, room, start, event_end(start, prob.event(event_id).duration))


def test_score_does_not_import_the_solver() -> None:
    tree = ast.parse(inspect.getsource(score_module))
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not any("solver" in name or "ortools" in name for name in imported)


def test_each_term_by_its_definition() -> None:
    second = date(2022, 5, 18)
    ny = speaker("S1", timezone="America/New_York", remote=True)  # 13:00 Vienna = 07:00 New York
    specs = [SlotSpec(time(9, 0), time(9, 50)), SlotSpec(time(13, 0), time(13, 50)),
             SlotSpec(time(16, 0), time(16, 50))]
    events = [
        event("A", topics=("cyber", "trafficking"), preferred_days=(second,), attendance=10),  # R1: 5 fit units
        event("B", topics=("cyber",), preferred_starts=(time(9, 0),), attendance=100),  # R2 in_person: kit unused
        event("C", topics=("cyber",), format="hybrid", speakers=("S1",), attendance=150),
        event("D", format="virtual", attendance=None, topics=("trafficking",)),
        event("E", priority=5),
    ]
    prob = problem(events, [ny], the_meeting=meeting(days=(DAY, second)), specs=specs)
    schedule = Schedule((
        _placed(prob, "A", "R1", "13:00"),
        _placed(prob, "B", "R2", "16:00", second),
        _placed(prob, "C", "R2", "13:00"),
        _placed(prob, "D", "V1", "13:00"),
        Assignment("E"),
    ))
    raw = raw_scores(prob, schedule)
    assert raw == {
        "preferred_day": 1,  # A runs on the 17th, asked for the 18th
        "preferred_start": 1,  # B starts at 16:00, asked for 09:00
        "topic_clash": 2,  # 13:00 on the 17th: cyber (A, C) and trafficking (A, D) each one too many
        "room_fit": 5 + 0,  # A: (40 - 20) * 10 // 40; B: 200 - 200 = 0; C: 200 - 300 < 0
        "hybrid_kit_unused": 1,  # B is in_person in the hybrid room R2
        "remote_off_hours": 1,  # C at 07:00 in New York, before 09:00
        "crowding": 3 - crowding_target(prob),  # three events at 13:00 on the 17th
        "unscheduled": UNSCHEDULED_COST[5],
    }
    weighted = score_schedule(prob, schedule)
    assert weighted == {name: DEFAULT_WEIGHTS[name] * value for name, value in raw.items()}
    assert total(prob, schedule) == sum(weighted.values()) == breakdown(prob, schedule).total


def test_crowding_target_counts_the_shortest_valid_run_of_every_event() -> None:
    # 4 slots; runs: 50 min -> 1 slot, 110 min -> 2 slots; 3 + 2 + 2 = 7 event-slots -> ceil(7 / 4) = 2.
    prob = problem([event("A"), event("B"), event("C"), event("D", duration=110), event("E", duration=110)])
    assert crowding_target(prob) == 2
    # An event with no valid run anywhere (longer than the day) counts 0.
    assert crowding_target(problem([event("A"), event("Z", duration=600)])) == 1


def test_meeting_weights_override_the_defaults() -> None:
    prob = problem([event("A", preferred_starts=(time(9, 0),))], the_meeting=meeting(weights={"preferred_start": 7}))
    schedule = Schedule((_placed(prob, "A", "R1", "10:00"),))
    assert score_schedule(prob, schedule)["preferred_start"] == 7


def test_an_event_missing_from_the_schedule_counts_as_unscheduled() -> None:
    prob = problem([event("A", priority=1), event("B")], the_rooms=(Room("R1", "Room 1", "physical", 60),))
    schedule = Schedule((_placed(prob, "B", "R1", "09:00"),))
    assert raw_scores(prob, schedule)["unscheduled"] == UNSCHEDULED_COST[1]
    assert raw_scores(prob, schedule)["room_fit"] == 0  # 60 - 60 = 0


# --- the command: scheduler score ---------------------------------------------------------------------


def test_score_command_totals_equal_the_objectives_solve_wrote(shipped_dir, tmp_path) -> None:
    """`scheduler score` is the independent sum: a solve's and a re-plan's (with --previous) objective."""
    import json

    from click.testing import CliRunner

    from scheduler.cli import cli

    root = shipped_dir.parent.parent
    runner = CliRunner()
    solve = ["--workers", "1", "--time-limit", "20", "--quiet", "--published-at", "2022-05-01T09:00Z"]
    first, second = tmp_path / "first", tmp_path / "second"
    assert runner.invoke(cli, ["solve", str(shipped_dir), "--out", str(first), *solve]).exit_code == 0
    scenario = root / "examples" / "scenarios" / "room-closed-wednesday.toml"
    replan = runner.invoke(cli, ["solve", str(shipped_dir), "--out", str(second), "--scenario", str(scenario),
                                 "--previous", str(first), *solve])
    assert replan.exit_code == 0, replan.output

    def total(*args: str) -> int:
        result = runner.invoke(cli, ["score", *args, "--fmt", "plain"])
        assert result.exit_code == 0, result.output
        assert "hard-rule violations: 0" in result.output
        return int(next(line.split()[-1] for line in result.output.splitlines() if line.startswith("total")))

    objective = json.loads((first / "schedule.json").read_text())["objective"]
    assert total(str(shipped_dir), str(first / "schedule.csv")) == objective
    # the scenario only closes a room (a hard rule), so the soft terms are the base meeting's
    replanned = json.loads((second / "schedule.json").read_text())
    assert replanned["moves"], "the closed room moved no event: the test would prove nothing"
    assert total(str(shipped_dir), str(second / "schedule.csv"), "--previous", str(first)) == replanned["objective"]
    assert total(str(shipped_dir), str(second / "schedule.csv")) < replanned["objective"]  # without the moved term
    # compare --previous: the same totals side by side, the first schedule's moved term being 0
    compared = runner.invoke(cli, ["compare", str(shipped_dir), str(first / "schedule.csv"),
                                   str(second / "schedule.csv"), "--previous", str(first), "--fmt", "plain"])
    assert compared.exit_code == 0, compared.output
    row = next(line.split() for line in compared.output.splitlines() if line.startswith("total score"))
    assert [int(value) for value in row[-2:]] == [objective, replanned["objective"]]
