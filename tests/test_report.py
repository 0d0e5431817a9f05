"""What solve prints, in a planner's words: the legend, the progress and heartbeat, the verdict, counts apart
from costs, the time line and the file to open; every figure checked against one computed here."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from scheduler.model import Assignment, Schedule, event_end
from scheduler.report import COUNTED, LEGEND, SolveProgress, score_table, time_line, verdict
from scheduler.solver.options import ProgressEvent
from scheduler.terms import TERMS
from scheduler.weights import MOVE_COST, UNSCHEDULED_COST
from tests.factory import at, event, problem


def _row(table: str, term: str) -> list[str]:
    return next(line.split() for line in table.splitlines() if line.split()[:1] == [term])


def test_every_soft_term_says_what_it_counts() -> None:
    assert set(COUNTED) == set(TERMS)


def test_counts_and_costs_are_apart_for_events_left_out_and_moved() -> None:
    events = [event(f"E{i}", priority=1 + i) for i in range(5)]
    prob = problem(events)
    placed = Assignment("E0", "R1", at("09:00"), event_end(at("09:00"), 50))
    schedule = Schedule((placed, *(Assignment(f"E{i}") for i in range(1, 5))))
    row = _row(score_table(prob, schedule), "unscheduled")
    assert row[1] == "4"  # four events left out, not their cost
    assert int(row[-1]) == sum(UNSCHEDULED_COST[1 + i] for i in range(1, 5))
    # against an earlier schedule that placed E0 at 10:00 and E1 at 09:00: E0 moved in its day, E1 was dropped
    earlier = Schedule((Assignment("E0", "R1", at("10:00"), event_end(at("10:00"), 50)),
                        Assignment("E1", "R2", at("09:00"), event_end(at("09:00"), 50))))
    moved = _row(score_table(prob, schedule, earlier), "moved")
    assert moved[1] == "2" and int(moved[-1]) == MOVE_COST["time"] + MOVE_COST["day"]
    assert " ".join(moved[2:-1]) == COUNTED["moved"]


def test_the_verdict_says_proven_best_or_how_far_from_it() -> None:
    assert verdict({"status": "optimal", "objective": 200, "bound": 200}).startswith("proven best")
    unproven = verdict({"status": "feasible", "objective": 1000, "bound": 921, "gap": 0.079})
    assert unproven == ("within 7.9% of the best possible: it costs 1000, no schedule can cost less than 921; "
                        "a longer --time-limit may improve it")
    assert "could cost as little as 0" in verdict({"status": "feasible", "objective": 230, "bound": 0, "gap": 1.0})
    assert "interrupted" in verdict({"status": "feasible", "objective": 5, "bound": 4, "gap": 0.2, "interrupted": True})


def test_the_time_line_is_in_words() -> None:
    line = time_line({"build_seconds": 0.08, "first_solution_seconds": 0.1, "solve_seconds": 4.2})
    assert line == "ready to search after 0.08 s, first schedule after 0.10 s, search ended after 4.28 s"
    assert "seconds" not in line


def test_a_heartbeat_comes_whenever_the_search_is_quiet() -> None:
    lines: list[str] = []
    started = time.perf_counter()
    with SolveProgress(lines.append, started=started, every=0.2) as progress:
        time.sleep(0.3)
        progress.searching(started + 60)
        time.sleep(0.5)
        progress(ProgressEvent(0.5, 120, 100, 0.1667, "lns"))
        time.sleep(0.5)
    assert "loading the meeting" in lines[0]
    legend = lines.index(f"  {LEGEND[0]}")
    assert lines[legend : legend + len(LEGEND)] == [f"  {line}" for line in LEGEND]
    beats = [line for line in lines if "searching" in line]
    assert any("searching for a first schedule" in line for line in beats)
    assert any("still searching; best so far: objective 120, gap 16.7%" in line for line in beats)
    assert any("better schedule (improving a part at a time)" in line for line in lines)
    assert len(beats) >= 3
    assert "writing the outputs" in progress.heartbeat(started + 61)  # past the search's end
    progress(ProgressEvent(1.2, 100, 100, 0.0, "cp-sat"))
    assert "best possible schedule found" in progress.heartbeat(started + 2)


def test_solve_prints_progress_every_two_seconds_and_true_figures(tmp_path: Path) -> None:
    meeting, out = tmp_path / "meeting", tmp_path / "out"
    run = [sys.executable, "-m", "scheduler"]
    assert subprocess.run([*run, "generate", "--events", "400", "--seed", "5", "--out", str(meeting)],
                          capture_output=True, timeout=120).returncode == 0
    result = subprocess.run([*run, "solve", str(meeting), "--out", str(out), "--time-limit", "7", "--workers", "1"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    times = [float(match[1]) for match in re.finditer(r"^ +(\d+\.\d) s  ", result.stderr, flags=re.M)]
    assert len(times) >= 3 and times == sorted(times)
    assert max(later - earlier for earlier, later in zip([0.0, *times], times, strict=False)) <= 2.5, result.stderr
    meta = json.loads((out / "schedule.json").read_text(encoding="utf-8"))
    lines = result.stdout.splitlines()
    assert lines[0] == f"result:   {verdict(meta)}"
    assert str(meta["objective"]) in lines[0]
    if meta["status"] != "optimal" and meta["bound"] > 0:
        assert f"{meta['gap']:.1%}" in lines[0] and str(meta["bound"]) in lines[0]
    total = next(line.split() for line in lines if line.startswith("total"))
    assert int(total[-1]) == meta["objective"]
    assert lines[-1] == f"open {out / 'timetable.html'} in a browser to read the timetable"
    timing = next(line for line in lines if line.startswith("time:"))  # (schedule.json leaves timings out)
    ready, first, ended = (float(value) for value in re.findall(r"after (\d+\.\d\d) s", timing))
    assert ready <= first <= ended <= 7 and timing.startswith("time:     ready to search after")
