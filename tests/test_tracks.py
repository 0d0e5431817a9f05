"""Tracks: one room per day, as few days as may be, events back to back; in the score, the model and the search."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, time

import pytest
from ortools.sat.python import cp_model

from scheduler import terms
from scheduler.check import check_schedule
from scheduler.generate import generate_construction
from scheduler.grid import SlotSpec
from scheduler.model import Assignment, Room, Schedule, Unavailability, event_end
from scheduler.score import breakdown, raw_scores, total
from scheduler.solver import SolveOptions, solve
from scheduler.solver.build import build_model
from scheduler.solver.greedy import LocalSearch, greedy
from scheduler.solver.objectives import evaluate, weighted
from scheduler.solver.session import Session
from tests.factory import DAY, at, event, meeting, problem
from tests.solver.util import solve_checked

SECOND = date(2022, 5, 18)
TWO_ROOMS = (Room("R1", "Room 1", "physical", 40), Room("R2", "Room 2", "physical", 40))
SIX_SLOTS = [SlotSpec(time(9 + i, 0), time(9 + i, 50)) for i in range(6)]


def _tracked(*, days=(DAY,), unavailability=()) -> object:
    """Tracks A (A1-A3) and B (B1-B3) of 50-minute events, two rooms of six slots a day."""
    events = [event(f"{t}{i}", track=t) for t in "AB" for i in (1, 2, 3)]
    return problem(events, the_meeting=meeting(days=days), the_rooms=TWO_ROOMS, specs=SIX_SLOTS,
                   unavailability=unavailability)


def _at(prob, placed: dict[str, tuple[str, str, date]]) -> Schedule:
    """A schedule from event id -> (room, HH:MM, day)."""
    rows = []
    for event_id, (room, hhmm, day) in placed.items():
        start = at(hhmm, day)
        rows.append(Assignment(event_id, room, start, event_end(start, prob.event(event_id).duration)))
    return Schedule(tuple(rows))


# --- the terms, one schedule each keeps and one each breaks -------------------------------------------


def test_track_terms_hold_for_a_track_in_one_room_back_to_back() -> None:
    placed = [("A", DAY, "R1", 0, 1, 1), ("A", DAY, "R1", 1, 2, 1), ("A", DAY, "R1", 2, 4, 2)]
    assert terms.track_terms(placed) == {"track_rooms": 0, "track_days": 0, "track_gaps": 0}


@pytest.mark.parametrize(("second", "broken"), [
    (("A", DAY, "R2", 1, 2, 1), {"track_rooms": 1}),  # another room the same day
    (("A", SECOND, "R1", 0, 1, 1), {"track_days": 1}),  # another day
    (("A", DAY, "R1", 3, 4, 1), {"track_gaps": 2}),  # two empty slots between
])
def test_each_track_term_counts_what_breaks_it(second: tuple, broken: dict[str, int]) -> None:
    found = terms.track_terms([("A", DAY, "R1", 0, 1, 1), second])
    assert {name: value for name, value in found.items() if value} == broken


def test_the_score_counts_a_scattered_track_and_not_a_kept_one() -> None:
    prob = _tracked(days=(DAY, SECOND))
    kept = _at(prob, {"A1": ("R1", "09:00", DAY), "A2": ("R1", "10:00", DAY), "A3": ("R1", "11:00", DAY),
                      "B1": ("R2", "09:00", DAY), "B2": ("R2", "10:00", DAY), "B3": ("R2", "11:00", DAY)})
    scattered = _at(prob, {"A1": ("R1", "09:00", DAY), "A2": ("R2", "10:00", DAY), "A3": ("R1", "09:00", SECOND),
                           "B1": ("R2", "09:00", DAY), "B2": ("R2", "12:00", DAY), "B3": ("R2", "13:00", DAY)})
    assert {t: raw_scores(prob, kept)[t] for t in terms.TRACK_TERMS} == dict.fromkeys(terms.TRACK_TERMS, 0)
    assert {t: raw_scores(prob, scattered)[t] for t in terms.TRACK_TERMS} == {
        "track_rooms": 1, "track_days": 1, "track_gaps": 2}  # A in R1 and R2 on day 1, and on day 2; B: 10, 11


# --- the solver keeps tracks together, and its model counts as the score does -------------------------


def test_the_solver_keeps_each_track_in_one_room_back_to_back() -> None:
    prob = _tracked(days=(DAY, SECOND))
    schedule = solve_checked(prob)
    parts = breakdown(prob, schedule)
    assert {t: parts.raw[t] for t in terms.TRACK_TERMS} == dict.fromkeys(terms.TRACK_TERMS, 0)
    assert len({a.room for a in schedule.assignments if a.event_id.startswith("A")}) == 1


def test_a_room_closed_mid_day_breaks_a_track_and_the_solver_pays_the_least() -> None:
    # both rooms closed 11:00-12:00 and from 14:00 on the only day: no room holds three slots in a row
    closed = tuple(Unavailability("room", room, at(begin), at(end)) for room in ("R1", "R2")
                   for begin, end in (("11:00", "12:00"), ("14:00", "15:00")))
    prob = _tracked(unavailability=closed)
    schedule = solve_checked(prob)
    raw = breakdown(prob, schedule).raw
    assert raw["track_rooms"] + raw["track_gaps"] > 0


def test_the_models_optimum_is_the_scores_count() -> None:
    closed = (Unavailability("room", "R1", at("10:00"), at("11:00")),)
    prob = _tracked(days=(DAY, SECOND), unavailability=closed)
    session = Session(prob, SolveOptions(workers=1))
    ctx = build_model(prob, session.data, session.domains, session.placeable)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 20
    solver.parameters.num_workers = 1
    assert solver.solve(ctx.model) == cp_model.OPTIMAL
    chosen = ctx.decode(solver)
    assert round(solver.objective_value) == sum(weighted(session.data, evaluate(session.data, chosen)).values())
    fixed = dict(list(chosen.items())[:3])  # the same with half the events fixed, as a neighbourhood sees it
    part = build_model(prob, session.data, session.domains, [e for e in chosen if e not in fixed], fixed)
    part.add_hint(chosen)
    assert solver.solve(part.model) == cp_model.OPTIMAL
    found = {**fixed, **part.decode(solver)}
    assert sum(weighted(session.data, evaluate(session.data, found)).values()) == round(solver.objective_value)


def test_local_search_savings_stay_exact_with_tracks() -> None:
    base = generate_construction(60, 5).problem
    prob = replace(base, events=tuple(replace(e, track=e.topics[0] if e.topics else "") for e in base.events))
    session = Session(prob, SolveOptions(workers=1))
    start = greedy(session.data, session.domains, session.placeable)
    local = LocalSearch(session.data, session.domains, start)
    saved = local.run(session.placeable, random.Random(2), sweeps=3)

    def cost(chosen) -> int:
        return sum(weighted(session.data, evaluate(session.data, chosen)).values())

    assert saved >= 0 and cost(local.chosen) == cost(start) - saved


# --- a re-plan moves a track as a block --------------------------------------------------------------


def test_a_replan_moves_a_displaced_track_together() -> None:
    three = (*TWO_ROOMS, Room("R3", "Room 3", "physical", 40))
    events = [event(f"{t}{i}", track=t) for t in "AB" for i in (1, 2, 3)]
    prob = problem(events, the_rooms=three, specs=SIX_SLOTS)
    before = _at(prob, {"A1": ("R1", "09:00", DAY), "A2": ("R1", "10:00", DAY), "A3": ("R1", "11:00", DAY),
                        "B1": ("R2", "09:00", DAY), "B2": ("R2", "10:00", DAY), "B3": ("R2", "11:00", DAY)})
    # R1 closes from 10:00 to the end of the day: A2 and A3 must move; A1 could stay, but the track goes to
    # R3 as a block (3 room moves, 150, against 2 and a second room for the track, 160)
    closed = replace(prob, unavailability=(Unavailability("room", "R1", at("10:00"), at("15:00")),))
    after = solve(closed, SolveOptions(time_limit=10, workers=1, previous=before))
    assert check_schedule(closed, after) == [] and total(closed, after, before) == after.metadata["objective"]
    rooms = {a.event_id: a.room for a in after.assignments}
    assert {rooms["A1"], rooms["A2"], rooms["A3"]} == {"R3"}
    assert all(rooms[f"B{i}"] == "R2" for i in (1, 2, 3))
    raw = breakdown(closed, after, before).raw
    assert {t: raw[t] for t in terms.TRACK_TERMS} == dict.fromkeys(terms.TRACK_TERMS, 0)
