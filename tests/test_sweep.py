"""Sweep: scenarios solved side by side through any executor, each result in its own folder."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from scheduler.check import check_schedule
from scheduler.compare import TOTAL_ROW, read_schedules
from scheduler.errors import DataErrors, UsageError
from scheduler.load.schedule import read_schedule
from scheduler.scenario import SCENARIO_FILE, parse_scenario
from scheduler.solver import SolveOptions
from scheduler.sweep import (
    BASELINE,
    format_sweep,
    given_baseline,
    prepare,
    restrict,
    run_sweep,
    single_worker,
    sweep_scenarios,
    write_sweep,
)
from tests import factory as f

OPTIONS = SolveOptions(time_limit=5, seed=1)
CLOSE_R2 = '[[rooms.close]]\nid = "R2"\ndays = ["2022-05-17"]\nhours = ["09:00", "11:00"]\n'
LATE = ('[[events.add]]\nid = "N"\ntitle = "Late request"\norganizer = "Org N"\nformat = "virtual"\n'
        'duration = 50\n')
PIN_ALL_R1 = "".join(f'[[events.pin]]\nid = "{x}"\nroom = "R1"\n' for x in "ABCDE")  # five events, four slots


def meeting():
    """Five in-person events (two share speaker S1) in a one-day meeting with two physical rooms."""
    return f.problem([f.event(x, speakers=("S1",) if x in "AB" else ()) for x in "ABCDE"], [f.speaker("S1")])


def scenarios():
    return [parse_scenario(CLOSE_R2, "close-r2.toml"), parse_scenario(LATE, "late.toml")]


class InlineExecutor:
    """The smallest plug-in executor: runs each task at once; its futures only have ``result()``."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def submit(self, fn: Any, /, *args: Any) -> Any:
        self.calls.append(args[0])
        value = fn(*args)
        return type("Done", (), {"result": lambda self: value})()


def test_sweep_solves_each_scenario_against_its_own_problem() -> None:
    result = sweep_scenarios(meeting(), scenarios(), OPTIONS, executor=ThreadPoolExecutor(max_workers=2))
    assert [o.name for o in result.outcomes] == [BASELINE, "close-r2", "late"]
    assert all(o.status == "optimal" for o in result.outcomes)
    for variant, outcome in zip(result.variants, result.outcomes, strict=True):
        assert check_schedule(variant.problem, outcome.schedule) == []
        assert outcome.schedule.metadata["scenario"] == variant.name
        assert outcome.schedule.metadata["options"]["workers"] == 1
    closed = result.solved["close-r2"]
    assert not any(a.room == "R2" and a.start.hour < 11 for a in closed.assignments)
    assert "N" in result.solved["late"].by_event and "N" not in result.solved[BASELINE].by_event
    table = result.comparison().table
    assert list(table.columns) == [BASELINE, "close-r2", "late"]
    assert table.loc["events placed"].tolist() == [5, 5, 6]


def test_any_object_with_submit_can_run_the_tasks() -> None:
    executor = InlineExecutor()
    variants = prepare(meeting(), scenarios(), baseline=False)
    result = run_sweep(variants, OPTIONS, executor=executor)
    assert executor.calls == ["close-r2", "late"]
    assert [o.status for o in result.outcomes] == ["optimal", "optimal"]
    assert result.previous is None  # no baseline to re-plan against: each solved from scratch


def test_scenarios_are_replanned_against_the_baseline_by_default(tmp_path: Path) -> None:
    executor = InlineExecutor()
    result = run_sweep(prepare(meeting(), scenarios()), OPTIONS, executor=executor)
    assert executor.calls == [BASELINE, "close-r2", "late"]  # the baseline first: the others start from it
    base = result.solved[BASELINE]
    assert result.previous == base
    closed, late = result.outcomes[1], result.outcomes[2]
    assert late.moves == [] and {a.event_id: a for a in base.assignments}.items() <= late.schedule.by_event.items()
    in_r2_early = {a.event_id for a in base.scheduled if a.room == "R2" and a.start.hour < 11}
    assert closed.moves and {m["event_id"] for m in closed.moves} <= in_r2_early
    assert all("closed" in m["reason"] or "make room" in m["reason"] for m in closed.moves)
    assert closed.schedule.metadata["options"]["previous"] is True
    totals = result.comparison().table.loc["total score"]
    assert totals["close-r2"] == closed.schedule.metadata["objective"]  # the moved term counted, as solved
    text = format_sweep(result, timings=False)
    assert "re-planned against baseline" in text and f"close-r2: {len(closed.moves)} event" in text
    write_sweep(result, tmp_path)
    rows = (tmp_path / "moves.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "scenario,event_id,title,organizer,before,after,kind,reason"
    assert len(rows) == 1 + len(closed.moves)


def test_from_scratch_solves_every_variant_anew(tmp_path: Path) -> None:
    (tmp_path / "moves.csv").write_text("stale", encoding="utf-8")
    result = sweep_scenarios(meeting(), scenarios(), OPTIONS, replan=False)
    assert result.previous is None and all(o.moves == [] for o in result.outcomes)
    assert all("previous" not in o.schedule.metadata["options"] for o in result.outcomes)
    assert "re-planned" not in format_sweep(result, timings=False)
    write_sweep(result, tmp_path)
    assert not (tmp_path / "moves.csv").exists()


def test_a_published_baseline_is_taken_as_it_is() -> None:
    problem = meeting()
    published = sweep_scenarios(problem, [], OPTIONS).solved[BASELINE]
    given = given_baseline(published, "v1")
    result = run_sweep(prepare(problem, scenarios()), OPTIONS, baseline=given)
    first = result.outcomes[0]
    assert (first.status, first.source, first.schedule.assignments) == ("published", "v1", published.assignments)
    assert result.previous == published
    assert result.outcomes[2].moves == []
    assert format_sweep(result, timings=False).splitlines()[0] == "baseline  published  (v1)"


def test_restrict_leaves_out_the_events_a_scenario_withdrew() -> None:
    problem = meeting()
    schedule = sweep_scenarios(problem, [], OPTIONS).solved[BASELINE]
    fewer = prepare(problem, [parse_scenario('[events]\nwithdraw = ["C"]\n', "w.toml")])[1].problem
    assert sorted(restrict(schedule, fewer).by_event) == ["A", "B", "D", "E"]


def test_without_a_baseline_schedule_the_scenarios_are_solved_from_scratch() -> None:
    crowded = f.problem([f.event(x) for x in "ABCDEFGHI"])  # nine events, eight room slots
    fewer = parse_scenario('[events]\nwithdraw = ["I"]\n', "fewer.toml")
    result = sweep_scenarios(crowded, [fewer], OPTIONS)
    assert [o.status for o in result.outcomes] == ["infeasible", "optimal"]
    assert result.previous is None and "baseline has no schedule" in result.note
    assert "Note: the baseline has no schedule" in format_sweep(result, timings=False)


def test_process_pool_gives_the_same_schedules_as_one_process() -> None:
    """--jobs 2 really runs in other processes; one CP-SAT worker each keeps results reproducible."""
    variants = prepare(meeting(), scenarios())
    one = run_sweep(variants, OPTIONS, jobs=1)
    two = run_sweep(variants, OPTIONS, jobs=2)
    assert [o.schedule.assignments for o in one.outcomes] == [o.schedule.assignments for o in two.outcomes]


def test_an_infeasible_scenario_does_not_stop_the_others(tmp_path: Path) -> None:
    seen: list[str] = []
    result = sweep_scenarios(meeting(), [parse_scenario(PIN_ALL_R1, "crowded.toml"), *scenarios()], OPTIONS,
                   progress=lambda outcome: seen.append(outcome.name))
    assert seen == [BASELINE, "crowded", "close-r2", "late"]
    crowded = result.outcomes[1]
    assert crowded.status == "infeasible" and crowded.schedule is None and crowded.explanation
    assert list(result.comparison().table.columns) == [BASELINE, "close-r2", "late"]
    text = format_sweep(result, timings=False)
    assert text.splitlines()[1].startswith("crowded   infeasible; ")
    assert text == format_sweep(result, timings=False)
    write_sweep(result, tmp_path)
    assert sorted(p.name for p in (tmp_path / "crowded").iterdir()) == ["infeasible.txt", SCENARIO_FILE]
    assert (tmp_path / "crowded" / "infeasible.txt").read_text(encoding="utf-8").startswith("infeasible:\n")


def test_result_folders_can_be_read_back_and_compared(tmp_path: Path) -> None:
    problem = meeting()
    result = sweep_scenarios(problem, scenarios(), OPTIONS)
    write_sweep(result, tmp_path)
    for name in (BASELINE, "close-r2", "late"):
        assert (tmp_path / name / "schedule.csv").is_file() and (tmp_path / name / "schedule.json").is_file()
    assert not (tmp_path / BASELINE / SCENARIO_FILE).exists()
    assert (tmp_path / "late" / SCENARIO_FILE).read_text(encoding="utf-8") == LATE
    late = result.variants[2].problem
    assert read_schedule(tmp_path / "late" / "schedule.csv", late) == result.solved["late"]
    schedules, problems = read_schedules(problem, [tmp_path / n for n in (BASELINE, "close-r2", "late")])
    assert list(problems) == ["close-r2", "late"]
    csv_text = (tmp_path / "comparison.csv").read_text(encoding="utf-8")
    assert csv_text.splitlines()[0] == f"measure,{BASELINE},close-r2,late"
    assert f"{TOTAL_ROW}," in csv_text


def test_all_scenario_errors_come_before_any_solve() -> None:
    bad = [parse_scenario('[[events.change]]\nid = "Z"\nduration = 50\n', "one.toml"),
           parse_scenario('[[rooms.close]]\nid = "R9"\ndays = ["2022-05-17"]\n', "two.toml")]
    with pytest.raises(DataErrors) as caught:
        prepare(meeting(), bad)
    assert [(e.location.path, e.location.field) for e in caught.value.errors] == [
        ("one.toml", "events.change[0].id"), ("two.toml", "rooms.close[0].id")]


def test_two_scenarios_with_one_folder_name_and_bad_jobs_are_usage_errors() -> None:
    with pytest.raises(UsageError):
        prepare(meeting(), [parse_scenario(LATE, "a/late.toml"), parse_scenario(LATE, "b/late.toml")])
    with pytest.raises(UsageError):
        prepare(meeting(), [], baseline=False)
    with pytest.raises(UsageError):
        run_sweep(prepare(meeting(), []), OPTIONS, jobs=0)


def test_tasks_get_one_worker_and_no_callback() -> None:
    options = single_worker(SolveOptions(time_limit=3, workers=2, progress=print))
    assert (options.workers, options.progress, options.time_limit) == (1, None, 3)


def test_a_variant_with_no_schedule_found_in_time_is_reported_like_an_infeasible_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import scheduler.sweep as sweep_module
    from scheduler.errors import NoScheduleFound

    def out_of_time(problem: Any, options: Any) -> None:
        raise NoScheduleFound(["no schedule was found within the 1 s time limit"])

    monkeypatch.setattr(sweep_module, "solve", out_of_time)
    outcome = sweep_module.solve_variant("late", meeting(), OPTIONS)
    assert outcome.status == "infeasible"
    assert outcome.explanation == ("no schedule was found within the 1 s time limit",)


def test_a_baseline_folder_without_this_meetings_schedule_is_a_usage_error(shipped_dir: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from scheduler.cli import cli

    other = tmp_path / "other"
    other.mkdir()
    (other / "schedule.csv").write_text("event_id,status,room,start,end\nX1,unscheduled,,,\nX2,unscheduled,,,\n",
                                        encoding="utf-8")
    scenario = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "late-requests.toml"
    for folder, message in ((tmp_path / "missing", "no schedule.csv there"), (other, "a schedule of another meeting")):
        result = CliRunner().invoke(cli, ["sweep", str(shipped_dir), str(scenario), "--out", str(tmp_path / "out"),
                                          "--baseline", str(folder)])
        assert result.exit_code == 2, result.output
        assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_sweep_against_its_own_published_baseline_repeats_itself(tmp_path: Path) -> None:
    """sweep --baseline OUT/baseline: the baseline is read, not solved, and the re-plans come out the same."""
    from click.testing import CliRunner

    from scheduler.cli import cli
    from scheduler.generate import generate_meeting

    data = tmp_path / "data"
    data.mkdir()
    for name, text in generate_meeting(20, 3).files.items():
        (data / name).write_text(text, encoding="utf-8")
    scenario = tmp_path / "closed.toml"
    scenario.write_text('[[rooms.close]]\nid = "R03"\ndays = ["2026-03-27"]\n', encoding="utf-8")
    runs = []
    for out, extra in (("first", []), ("again", ["--baseline", str(tmp_path / "first" / BASELINE)])):
        result = CliRunner().invoke(cli, ["sweep", str(data), str(scenario), "--out", str(tmp_path / out),
                                          "--jobs", "1", "--time-limit", "5", *extra])
        assert result.exit_code == 0, result.output
        runs.append(result)
    assert runs[1].stdout.splitlines()[0] == f"baseline  published  ({tmp_path / 'first' / BASELINE})"
    assert "baseline: read from" in runs[1].stderr
    for name in ("closed/schedule.csv", "closed/schedule.json", "moves.csv", f"{BASELINE}/schedule.csv"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
