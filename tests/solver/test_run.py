"""solve(): metadata, determinism, progress, hints, Ctrl-C, and the decomposed path for large meetings."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

import scheduler.solver.session as session_module
from scheduler.check import check_schedule
from scheduler.export.schedule import schedule_csv
from scheduler.generate import generate_construction
from scheduler.score import score_schedule, total
from scheduler.solver import SolveOptions, solve
from scheduler.solver.greedy import greedy
from scheduler.solver.lns import repair
from scheduler.solver.session import Session
from scheduler.solver.variables import Placement
from tests.factory import at, event, problem, speaker
from tests.solver.util import solve_checked


def _small():
    events = [event(f"E{i}", topics=("cyber",) if i % 3 == 0 else ("wildlife",), attendance=20 + 15 * i,
                    speakers=("S1",) if i % 4 == 0 else (), format="hybrid" if i % 2 else "in_person")
              for i in range(5)]
    return problem([*events, event("V", format="virtual", attendance=None, topics=("cyber",))], [speaker("S1")])


def test_metadata_of_an_optimal_schedule() -> None:
    prob = _small()
    schedule = solve_checked(prob, workers=2, seed=4)
    meta = schedule.metadata
    assert meta["status"] == "optimal" and meta["gap"] == 0.0 and meta["bound"] == meta["objective"]
    assert meta["seed"] == 4 and meta["options"]["workers"] == 2 and meta["options"]["time_limit"] == 10.0
    assert meta["input_digest"] == prob.digest()
    assert meta["scores"] == score_schedule(prob, schedule)
    assert sum(meta["scores"].values()) == meta["objective"] == total(prob, schedule)
    for key in ("build_seconds", "solve_seconds", "first_solution_seconds"):
        assert meta[key] >= 0
    assert list(schedule.assignments) == list(schedule.sorted().assignments)
    for assignment in schedule.assignments:
        duration = prob.event(assignment.event_id).duration
        assert (assignment.end - assignment.start).total_seconds() == duration * 60  # type: ignore[operator]


def test_one_worker_and_a_seed_give_identical_output() -> None:
    prob = generate_construction(40, 3).problem
    first = solve(prob, SolveOptions(time_limit=3, workers=1, seed=5))
    second = solve(prob, SolveOptions(time_limit=3, workers=1, seed=5))
    assert schedule_csv(first) == schedule_csv(second)
    assert first.metadata["objective"] == second.metadata["objective"]


def test_decomposed_search_is_valid_and_reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_module, "MONOLITHIC_MAX_PLACEMENTS", 0)
    prob = generate_construction(60, 2).problem
    first = solve(prob, SolveOptions(time_limit=5, workers=1, seed=1))
    second = solve(prob, SolveOptions(time_limit=5, workers=1, seed=1))
    assert first.metadata["method"] == "decomposed"
    assert check_schedule(prob, first) == []
    assert total(prob, first) == first.metadata["objective"]
    assert first.metadata["bound"] <= first.metadata["objective"]
    assert schedule_csv(first) == schedule_csv(second)


def test_repair_moves_an_event_out_of_the_way_of_a_pinned_one() -> None:
    from scheduler.model import Room

    prob = problem([event("E1", start=at("09:00")), event("E2")], the_rooms=(Room("R1", "Room 1", "physical", 40),))
    session = Session(prob, SolveOptions(time_limit=5, workers=1))
    nine = next(s for s in session.domains["E2"].starts if s.at == at("09:00"))
    chosen: dict[str, Placement | None] = {"E1": None, "E2": Placement("E2", 0, nine)}
    fixed = repair(session, chosen)
    assert fixed["E1"] is not None and fixed["E1"].start.at == at("09:00")
    assert fixed["E2"] is not None and fixed["E2"].start.at != at("09:00")


def test_greedy_start_is_a_valid_hint_and_progress_only_improves() -> None:
    prob = generate_construction(40, 4).problem
    session = Session(prob, SolveOptions())
    start = greedy(session.data, session.domains, session.placeable)
    assert all(start[e] is not None for e in session.placeable)
    events = []
    schedule = solve(prob, SolveOptions(time_limit=5, progress=events.append))
    assert events and events[0].phase == "greedy"
    objectives = [e.objective for e in events]
    assert objectives == sorted(objectives, reverse=True) and len(set(objectives)) == len(objectives)
    assert [e.elapsed for e in events] == sorted(e.elapsed for e in events)
    assert all(e.bound <= e.objective and 0.0 <= e.gap <= 1.0 for e in events)
    assert objectives[-1] == schedule.metadata["objective"]


def test_a_hint_keeps_rooms_and_is_never_worse() -> None:
    prob = _small()
    first = solve_checked(prob)
    again = solve_checked(prob, hint=first)
    assert again.metadata["options"]["hint"] is True
    assert again.metadata["objective"] <= first.metadata["objective"]
    assert [(a.event_id, a.room, a.start) for a in again.assignments] == \
        [(a.event_id, a.room, a.start) for a in first.assignments]


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
def test_ctrl_c_returns_the_best_schedule_found_as_feasible() -> None:
    prob = generate_construction(150, 1).problem  # not proven optimal within seconds
    timer = threading.Timer(2.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    started = time.perf_counter()
    timer.start()
    try:
        schedule = solve(prob, SolveOptions(time_limit=60))
    finally:
        timer.cancel()
    assert time.perf_counter() - started < 30
    assert schedule.metadata["status"] == "feasible" and schedule.metadata["interrupted"] is True
    assert check_schedule(prob, schedule) == []


def test_finish_without_any_schedule_says_none_was_found_not_that_none_exists() -> None:
    from scheduler.errors import InfeasibleError, NoScheduleFound

    session = Session(_small(), SolveOptions(time_limit=2, workers=1))
    with pytest.raises(NoScheduleFound, match="within the 2 s time limit") as caught:
        session.finish("monolithic", 0.0)
    assert not isinstance(caught.value, InfeasibleError) and caught.value.exit_code == 1
    session.interrupted = True
    with pytest.raises(NoScheduleFound, match="interrupted before any schedule"):
        session.finish("monolithic", 0.0)
