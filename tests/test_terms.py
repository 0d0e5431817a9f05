"""terms.py: one list of term names that every table agrees with, and each per-placement term's cost."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from datetime import date, datetime, time, timezone
from pathlib import Path

import scheduler.score as score_module
import scheduler.solver.objectives as objectives_module
import scheduler.terms as terms_module
from scheduler import terms
from scheduler.model import Assignment, Room, Schedule, event_end
from scheduler.score import breakdown
from scheduler.solver import OBJECTIVE_TERMS
from scheduler.solver.build import build_model
from scheduler.solver.constraints import compute_domains
from scheduler.solver.objectives import CostData, evaluate
from scheduler.solver.variables import Timeline, room_groups
from scheduler.weights import DEFAULT_WEIGHTS, MOVE_COST, UNSCHEDULED_COST
from tests.factory import DAY, VIENNA, at, event, meeting, problem, rooms, speaker

SECOND = date(2022, 5, 18)
R1, R2, V1 = rooms()  # 40 seats; 200 seats and hybrid; a channel


def _placed(prob, event_id: str, room: str, hhmm: str, day: date = DAY) -> Assignment:
    start = at(hhmm, day)
    return Assignment(event_id, room, start, event_end(start, prob.event(event_id).duration))


def _replan():
    """A two-event problem (E1 in a track, E2 wishing for a hall, comfort hours: every term is active), its
    earlier schedule and a later one that moved E2."""
    prob = problem([event("E1", track="T"), event("E2", room_tags=("hall",))],
                   the_meeting=meeting(comfort_hours=(time(9), time(18))))
    before = Schedule((_placed(prob, "E1", "R1", "09:00"), _placed(prob, "E2", "R1", "10:00")))
    after = Schedule((_placed(prob, "E1", "R1", "09:00"), _placed(prob, "E2", "R2", "10:00")))
    return prob, before, after


# --- the names, defined once -----------------------------------------------------------------


def test_the_weights_table_the_model_and_the_score_name_the_same_terms_in_order() -> None:
    assert tuple(DEFAULT_WEIGHTS) == terms.TERMS
    assert tuple(OBJECTIVE_TERMS) == terms.TERMS
    prob, before, after = _replan()
    assert tuple(breakdown(prob, after, before).raw) == terms.TERMS
    assert tuple(breakdown(prob, after).raw) == tuple(t for t in terms.TERMS if t != terms.MOVED)
    assert score_module.TERMS == tuple(t for t in terms.TERMS if t != terms.MOVED)


def test_terms_of_features_a_meeting_does_not_use_are_left_out() -> None:
    plain = problem([event("E1")])
    assert terms.active_terms(plain) == tuple(t for t in terms.TERMS
                                              if t not in (*terms.TRACK_TERMS, terms.MOVED, "room_wish",
                                                           "venue_off_hours"))
    assert terms.active_terms(_replan()[0], moved=True) == terms.TERMS


def test_the_model_and_evaluate_build_every_named_term() -> None:
    prob, before, _ = _replan()
    timeline, groups = Timeline(prob), room_groups(prob, split=True)
    domains = compute_domains(prob, timeline, groups)
    data = CostData(prob, timeline, groups, before)
    ctx = build_model(prob, data, domains, domains, optional=domains)
    assert tuple(ctx.terms) == terms.TERMS  # every default weight is non-zero, so every term is built
    assert tuple(evaluate(data, {})) == terms.TERMS
    assert tuple(evaluate(CostData(prob, timeline, groups), {})) == tuple(t for t in terms.TERMS if t != terms.MOVED)


def test_start_and_room_terms_are_named_terms_and_their_functions_return_them() -> None:
    assert set(terms.START_TERMS) | set(terms.ROOM_TERMS) < set(terms.TERMS)
    e = event("E")
    assert tuple(terms.start_terms(e, {}, at("09:00"), at("09:50"))) == terms.START_TERMS
    assert tuple(terms.room_terms(e, R1)) == terms.ROOM_TERMS
    for name in (*terms.START_TERMS, *terms.ROOM_TERMS, terms.MOVED, "unscheduled"):
        assert getattr(terms, name).__doc__


def test_terms_needs_neither_the_solver_nor_pandas() -> None:
    tree = ast.parse(inspect.getsource(terms_module))
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not any("solver" in name for name in imported)
    code = "import sys, scheduler.terms; print(sorted({m.split('.')[0] for m in sys.modules} & {'ortools', 'pandas'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "[]"


def test_the_model_and_the_score_do_not_restate_the_per_placement_terms() -> None:
    # the unit costs, the comfortable hours and the room's seats and kit are read in terms.py only
    for module in (score_module, objectives_module):
        tree = ast.parse(inspect.getsource(module))
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
        names |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        read = names & {"MOVE_COST", "UNSCHEDULED_COST", "COMFORT_HOURS", "within_local_hours", "capacity", "hybrid"}
        assert not read, (module.__name__, read)


# --- each per-placement term: a placement it does not charge, one it does ---------------------


def test_preferred_day() -> None:
    e = event("E", preferred_days=(SECOND,))
    assert terms.preferred_day(e, at("09:00", SECOND)) == 0
    assert terms.preferred_day(e, at("09:00", DAY)) == 1
    assert terms.preferred_day(event("F"), at("09:00", DAY)) == 0  # no preference, no cost


def test_preferred_start_reads_the_venue_wall_clock() -> None:
    e = event("E", preferred_starts=(time(9, 0),))
    assert terms.preferred_start(e, at("09:00")) == 0
    assert terms.preferred_start(e, at("10:00")) == 1
    assert terms.preferred_start(event("F"), at("10:00")) == 0


def test_remote_off_hours_counts_each_remote_speaker_once() -> None:
    ny = speaker("NY", timezone="America/New_York", remote=True)  # Vienna 15:00 = New York 09:00
    local = speaker("L")
    speakers = {s.id: s for s in (ny, local)}
    e = event("E", speakers=("NY", "NY", "L"))
    assert terms.remote_off_hours(e, speakers, at("15:00"), at("15:50")) == 0
    assert terms.remote_off_hours(e, speakers, at("09:00"), at("09:50")) == 1  # 03:00 in New York
    assert terms.remote_off_hours(e, speakers, at("09:00"), at("09:50"), lambda *_: True) == 0  # ``within`` decides


def test_room_fit() -> None:
    assert terms.room_fit(event("E", attendance=20), R1) == 0  # half full
    assert terms.room_fit(event("E", attendance=10), R1) == 5  # (40 - 20) * 10 // 40
    assert terms.room_fit(event("E", attendance=None), R1) == 10
    assert terms.room_fit(event("E", attendance=1), V1) == terms.room_fit(event("E"), None) == 0


def test_hybrid_kit_unused() -> None:
    assert terms.hybrid_kit_unused(event("E"), R1) == 0
    assert terms.hybrid_kit_unused(event("E", format="hybrid"), R2) == 0
    assert terms.hybrid_kit_unused(event("E"), R2) == 1
    assert terms.hybrid_kit_unused(event("E"), Room("R9", "No seats given", "physical", None, True)) == 1
    assert terms.hybrid_kit_unused(event("E"), None) == 0


def test_moved_by_its_largest_change() -> None:
    before = Assignment("E", "R1", at("09:00"), at("09:50"))
    assert terms.moved(before, "R1", at("09:00"), VIENNA) == 0
    assert terms.moved(before, "R1", at("09:00").astimezone(timezone.utc), VIENNA) == 0  # the same instant
    assert terms.moved(before, "R2", at("09:00"), VIENNA) == MOVE_COST["room"]
    assert terms.moved(before, "R1", at("10:00"), VIENNA) == MOVE_COST["time"]
    assert terms.moved(before, "R1", at("09:00", SECOND), VIENNA) == MOVE_COST["day"]
    assert terms.moved(before, None, None, VIENNA) == MOVE_COST["day"]  # left out now
    assert terms.moved(None, "R1", at("09:00"), VIENNA) == terms.moved(Assignment("E"), "R1", at("09:00"), VIENNA) == 0


def test_moved_compares_days_in_the_venue_zone() -> None:
    # 23:30 Vienna on the 17th is 21:30 UTC; 00:30 Vienna on the 18th is the 17th in UTC
    before = Assignment("E", "R1", at("23:30"), at("23:59"))
    late = datetime(2022, 5, 17, 22, 30, tzinfo=timezone.utc)
    assert terms.move_kind(before, "R1", late, VIENNA) == "day"
    assert terms.move_kind(before, "R1", late, timezone.utc) == "time"


def test_unscheduled_by_priority() -> None:
    assert terms.unscheduled(event("E", priority=1)) == UNSCHEDULED_COST[1]
    assert terms.unscheduled(event("E", priority=5)) == UNSCHEDULED_COST[5]


def test_the_solver_coefficients_are_the_terms_at_each_placement() -> None:
    ny = speaker("NY", timezone="America/New_York", remote=True)
    prob = problem([event("A", preferred_days=(SECOND,), preferred_starts=(time(10, 0),), speakers=("NY",),
                          attendance=5),
                    event("B", format="hybrid", attendance=150)],
                   [ny], the_meeting=meeting(days=(DAY, SECOND)))
    timeline, groups = Timeline(prob), room_groups(prob, split=True)
    data = CostData(prob, timeline, groups)
    for event_id, domain in compute_domains(prob, timeline, groups).items():
        e = prob.event(event_id)
        for group, start in domain.pairs():
            end = datetime.fromtimestamp(start.end, tz=timezone.utc)
            assert data.start_raw(e, start) == terms.start_terms(e, prob.speakers_by_id, start.at, end)
            assert data.room_raw(e, group) == terms.room_terms(e, groups[group].first)


def test_the_solver_move_costs_are_the_moved_term_at_each_placement() -> None:
    prob, before, _ = _replan()
    timeline, groups = Timeline(prob), room_groups(prob, split=True)
    data = CostData(prob, timeline, groups, before)
    for _ in range(2):  # cold, then cached
        for event_id, domain in compute_domains(prob, timeline, groups).items():
            e, earlier = prob.event(event_id), before.by_event[event_id]
            for group, start in domain.pairs():
                assert data.move_raw(e, group, start) == terms.moved(earlier, groups[group].first.id, start.at, VIENNA)
            assert data.unplaced_move_raw(e) == terms.moved(earlier, None, None, VIENNA) == MOVE_COST["day"]
