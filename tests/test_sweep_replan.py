"""``scheduler sweep`` over the example scenarios re-plans each against the baseline: a scenario moves only
what it changes and what the hard rules then force, exactly the moves ``solve --previous`` makes."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

from click.testing import CliRunner

from scheduler.check import check_schedule
from scheduler.cli import cli
from scheduler.load import load_problem
from scheduler.load.schedule import read_schedule
from scheduler.model import Problem, Schedule
from scheduler.scenario import apply_scenario, load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "examples" / "scenarios"
SOLVE = ["--time-limit", "10"]  # the shipped meeting is proven optimal well within it: results repeat exactly


def _invoke(*args: str | Path) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def _sweep(shipped_dir: Path, root: Path) -> dict:
    """The five example scenarios swept in one process, and its baseline published as a first version."""
    output = _invoke("sweep", shipped_dir, *sorted(SCENARIOS.glob("*.toml")), "--out", root / "sweep", "--jobs", "1",
                     "--fmt", "plain", *SOLVE)
    # the baseline published as solve publishes it (feeds and all), for solve --previous to start from
    _invoke("export", "ics", shipped_dir, root / "sweep" / "baseline" / "schedule.csv", "--out", root / "v1",
            "--published-at", "2022-05-01T09:00Z")
    return {"root": root, "output": output, "problem": load_problem(shipped_dir), "data": shipped_dir}


def _moved(folder: Path) -> dict[str, str]:
    """Event id -> reason of every move a re-plan recorded in its schedule.json."""
    moves = json.loads((folder / "schedule.json").read_text(encoding="utf-8"))["moves"]
    return {move["event_id"]: move["reason"] for move in moves}


def _replanned_by_solve(swept: dict, name: str) -> dict[str, str]:
    """The moves ``solve --previous`` makes for one scenario, against the published first version."""
    out = swept["root"] / f"solve-{name}"
    if not out.exists():
        _invoke("solve", swept["data"], "--scenario", SCENARIOS / f"{name}.toml", "--previous", swept["root"] / "v1",
                "--out", out, "--workers", "1", "-q", *SOLVE)
    return _moved(out)


def _same_as_solve_previous(swept: dict, name: str) -> None:
    """The scenario's re-plan in the sweep moves what ``solve --previous`` moves, and the output says so."""
    moved = _moved(swept["root"] / "sweep" / name)
    assert moved == _replanned_by_solve(swept, name)
    rows = [r for r in csv.DictReader((swept["root"] / "sweep" / "moves.csv").open(encoding="utf-8"))
            if r["scenario"] == name]
    assert {r["event_id"]: r["reason"] for r in rows} == moved
    changed = next(line for line in swept["output"].splitlines() if line.startswith("events changed vs first"))
    column = ["baseline", *sorted(p.stem for p in SCENARIOS.glob("*.toml"))].index(name)
    assert int(changed.split()[-6 + column]) == len(moved)  # nothing added or withdrawn in these two
    assert f"{name}: {len(moved)} event{'s' if len(moved) != 1 else ''} moved" in swept["output"]


def _room_closed_moves_only_the_events_of_the_closed_rooms(swept: dict) -> None:
    problem = swept["problem"]
    baseline = read_schedule(swept["root"] / "sweep" / "baseline" / "schedule.csv", problem)
    closed = {("M3", "2022-05-18"), ("BR-B", "2022-05-19")}
    hit = {a.event_id for a in baseline.scheduled if (a.room, a.start.date().isoformat()) in closed}
    moved = set(_moved(swept["root"] / "sweep" / "room-closed-wednesday"))
    assert moved and moved <= hit  # M3 all Wednesday; of BR-B only the 08:00-09:00 closure bites


def _touched(name: str) -> set[str]:
    """Events a scenario names in its event actions."""
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    return {str(a.values["id"]) for a in scenario.actions if a.action.startswith("events.") and "id" in a.values}


def _forced(problem: Problem, previous: Schedule, schedule: Schedule, event_id: str) -> bool:
    """True when the event's old placement breaks a hard rule next to the new schedule's other events."""
    old = previous.by_event[event_id]
    back = tuple(dataclasses.replace(old, end=None) if a.event_id == event_id else a for a in schedule.assignments)
    return any(event_id in v.ids for v in check_schedule(problem, Schedule(back)))


def _keynote_moves_the_keynote_and_only_what_the_rules_force(swept: dict) -> None:
    root, name = swept["root"], "keynote-wednesday"
    problem = apply_scenario(swept["problem"], load_scenario(SCENARIOS / f"{name}.toml"))
    previous = read_schedule(root / "sweep" / "baseline" / "schedule.csv", swept["problem"])
    schedule = read_schedule(root / "sweep" / name / "schedule.csv", problem)
    assert check_schedule(problem, schedule) == []
    moved = set(_moved(root / "sweep" / name))
    touched = _touched(name)
    assert touched == {"SE063"} and touched <= moved
    for event_id in sorted(moved - touched):
        assert _forced(problem, previous, schedule, event_id), event_id
    assert len(moved) <= 3



def test_the_example_scenarios_move_only_what_they_force(shipped_dir: Path, tmp_path: Path) -> None:
    """One test (one sweep, solved once even when the tests run in parallel)."""
    swept = _sweep(shipped_dir, tmp_path)
    for name in ("room-closed-wednesday", "keynote-wednesday"):
        _same_as_solve_previous(swept, name)
    _room_closed_moves_only_the_events_of_the_closed_rooms(swept)
    _keynote_moves_the_keynote_and_only_what_the_rules_force(swept)
