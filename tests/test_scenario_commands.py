"""A scenario's schedule is usable everywhere: check, score, timetable, export, compare and explain take
``--scenario FILE`` (or find the scenario.toml that sweep writes beside a schedule) and accept its new events."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scheduler.cli import cli
from scheduler.export.registry import OUTPUTS
from scheduler.export.schedule import schedule_files
from scheduler.generate import generate_meeting
from scheduler.load import load_problem
from scheduler.scenario import SCENARIO_FILE, apply_scenario, load_scenario
from scheduler.solver import SolveOptions, solve

LATE = ('name = "A late request"\n[[events.add]]\nid = "N1"\ntitle = "Late request on drones"\n'
        'organizer = "Org N"\nformat = "virtual"\nduration = 50\n')
CLOSED = '[[rooms.close]]\nid = "R01"\ndays = ["2026-03-27"]\nreason = "Consultations"\n'  # no schedule left
PUBLISHED = "2026-03-01T09:00:00Z"


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A generated meeting, a scenario adding event N1, and the scenario's solved schedule (alone and in a
    folder with the scenario beside it, as sweep writes it)."""
    root = tmp_path_factory.mktemp("scenario-commands")
    data = root / "data"
    data.mkdir()
    for name, text in generate_meeting(20, 3).files.items():
        (data / name).write_text(text, encoding="utf-8")
    scenario = root / "late.toml"
    scenario.write_text(LATE, encoding="utf-8")
    (root / "closed.toml").write_text(CLOSED, encoding="utf-8")
    problem = apply_scenario(load_problem(data), load_scenario(scenario))
    schedule = solve(problem, SolveOptions(time_limit=5, workers=1))
    (root / "late.csv").write_text(schedule_files(schedule)["schedule.csv"], encoding="utf-8")
    folder = root / "swept"
    folder.mkdir()
    shutil.copy(root / "late.csv", folder / "schedule.csv")
    shutil.copy(scenario, folder / SCENARIO_FILE)
    return {"root": root, "data": data, "scenario": scenario, "csv": root / "late.csv", "folder": folder}


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_without_the_scenario_the_new_event_is_unknown(case: dict) -> None:
    result = _run("check", case["data"], case["csv"])
    assert result.exit_code == 2 and "unknown event 'N1'" in result.output


def test_check_takes_the_scenario(case: dict) -> None:
    result = _run("check", case["data"], case["csv"], "--scenario", case["scenario"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "no violations\n"


def test_a_scenario_beside_the_schedule_is_found(case: dict) -> None:
    result = _run("check", case["data"], case["folder"] / "schedule.csv")
    assert result.exit_code == 0, result.output
    assert "read with the scenario beside it" in result.stderr and result.stdout == "no violations\n"


def test_score_takes_the_scenario(case: dict) -> None:
    result = _run("score", case["data"], case["csv"], "--scenario", case["scenario"])
    assert result.exit_code == 0, result.output
    assert "hard-rule violations: 0" in result.stdout


def test_timetable_takes_the_scenario(case: dict) -> None:
    result = _run("timetable", case["data"], case["csv"], "--scenario", case["scenario"], "--list",
                  "--organizer", "Org N", "--width", "0")
    assert result.exit_code == 0, result.output
    assert "Late request on drones" in result.stdout


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_every_export_takes_the_scenario(name: str, case: dict, tmp_path: Path) -> None:
    stamp = ["--published-at", PUBLISHED] if "published_at" in OUTPUTS[name].options else []
    result = _run("export", name, case["data"], case["csv"], "--scenario", case["scenario"], "--out", tmp_path, *stamp)
    assert result.exit_code == 0, result.output
    assert (tmp_path / SCENARIO_FILE).read_text(encoding="utf-8") == LATE
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in tmp_path.rglob("*")
                   if p.is_file() and p.suffix != ".xlsx" and p.name != SCENARIO_FILE)
    assert "Late request on drones" in text or "N1@" in text


def test_compare_takes_the_scenario(case: dict, tmp_path: Path) -> None:
    edited = tmp_path / "edited.csv"
    edited.write_text(case["csv"].read_text(encoding="utf-8"), encoding="utf-8")
    result = _run("compare", case["data"], case["csv"], edited, "--scenario", case["scenario"], "--fmt", "plain")
    assert result.exit_code == 0, result.output
    placed = next(line for line in result.stdout.splitlines() if line.startswith("events placed"))
    assert placed.split()[-2:] == ["21", "21"]
    assert "Events that differ from late.csv: 0" in result.stdout


def test_compare_reads_each_schedule_with_its_own_scenario(case: dict) -> None:
    """--scenario is the meeting of the schedules without their own: the swept folder keeps its scenario."""
    result = _run("compare", case["data"], case["csv"], case["folder"], "--scenario", case["scenario"],
                  "--fmt", "plain")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].split()[-2:] == ["0", "0"]  # hard-rule violations
    assert "Events that differ from late.csv: 0" in result.stdout


def test_explain_takes_the_scenario(case: dict) -> None:
    feasible = _run("explain", case["data"], "--scenario", case["scenario"], "--time-limit", "5")
    assert feasible.exit_code == 0, feasible.output
    assert "a schedule exists" in feasible.stdout
    closed = _run("explain", case["data"], "--scenario", case["root"] / "closed.toml", "--time-limit", "5")
    assert closed.exit_code == 1, closed.output
    assert closed.stdout.startswith("No schedule exists:")
