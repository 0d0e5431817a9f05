"""The decomposed search: local moves with exact deltas, ejections, and neighbourhoods solved side by side."""

from __future__ import annotations

import random
from datetime import time

import pytest

import scheduler.solver.session as session_module
from scheduler.check import check_schedule
from scheduler.generate import generate_construction
from scheduler.model import Room
from scheduler.score import total
from scheduler.solver import SolveOptions, solve
from scheduler.solver.greedy import LocalSearch, greedy
from scheduler.solver.lns import Neighbourhoods
from scheduler.solver.objectives import evaluate, weighted
from scheduler.solver.session import Session
from scheduler.solver.variables import Placement
from tests.factory import at, event, problem


def _cost(session: Session, chosen) -> int:
    return sum(weighted(session.data, evaluate(session.data, chosen)).values())


def test_an_ejection_frees_the_preferred_start() -> None:
    # One room: E1 wants 09:00 but E2 sits there; moving E2 to 10:00 saves E1's 5.
    prob = problem([event("E1", preferred_starts=(time(9, 0),)), event("E2")],
                   the_rooms=(Room("R1", "Room 1", "physical", 40),))
    session = Session(prob, SolveOptions(workers=1))
    starts = {s.at: s for s in session.domains["E1"].starts}
    chosen = {"E1": Placement("E1", 0, starts[at("10:00")]), "E2": Placement("E2", 0, starts[at("09:00")])}
    local = LocalSearch(session.data, session.domains, chosen)
    assert local.improve_event("E1") == 5
    assert local.chosen["E1"].start.at == at("09:00")  # type: ignore[union-attr]
    assert local.chosen["E2"].start.at != at("09:00")  # type: ignore[union-attr]
    assert _cost(session, local.chosen) == _cost(session, chosen) - 5


def test_local_search_savings_are_exact_and_keep_the_schedule_whole() -> None:
    prob = generate_construction(80, 7).problem
    session = Session(prob, SolveOptions(workers=1))
    start = greedy(session.data, session.domains, session.placeable)
    local = LocalSearch(session.data, session.domains, start)
    saved = local.run(session.placeable, random.Random(1), sweeps=5)
    assert saved >= 0
    assert _cost(session, local.chosen) == _cost(session, start) - saved
    assert sorted(e for e, p in local.chosen.items() if p is not None) == \
        sorted(e for e, p in start.items() if p is not None)


def test_neighbourhoods_with_excluded_days_never_touch_them() -> None:
    prob = generate_construction(120, 3).problem
    session = Session(prob, SolveOptions(workers=2))
    chosen = greedy(session.data, session.domains, session.placeable)
    neighbourhoods = Neighbourhoods(session)
    for kind in Neighbourhoods.KINDS:
        free, days = neighbourhoods.next(chosen, kind, 30)
        assert free and days
        others, other_days = neighbourhoods.next(chosen, kind, 30, exclude=days)
        assert other_days is None or not other_days & days
        assert all(chosen[e].start.day not in days for e in others)  # type: ignore[union-attr]


@pytest.mark.parametrize("workers", [1, 2])
def test_decomposed_search_with_side_by_side_neighbourhoods_is_valid(monkeypatch: pytest.MonkeyPatch,
                                                                      workers: int) -> None:
    monkeypatch.setattr(session_module, "MONOLITHIC_MAX_PLACEMENTS", 0)
    prob = generate_construction(120, 5).problem
    schedule = solve(prob, SolveOptions(time_limit=4, workers=workers, seed=2))
    assert schedule.metadata["method"] == "decomposed"
    assert check_schedule(prob, schedule) == []
    assert total(prob, schedule) == schedule.metadata["objective"]
    assert schedule.metadata["bound"] <= schedule.metadata["objective"]
