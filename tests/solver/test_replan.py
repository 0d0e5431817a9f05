"""Minimal-change re-planning (``SolveOptions(previous=...)``): few moves, the right ones, with reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from scheduler.check import check_schedule
from scheduler.compare import diff
from scheduler.errors import DataErrors, InfeasibleError, UsageError
from scheduler.export.schedule import schedule_csv
from scheduler.load.schedule import read_schedule
from scheduler.model import Assignment, Problem, Room, Schedule, Unavailability, event_end
from scheduler.moves import move_line, moved_events
from scheduler.score import move_cost, move_kind, score_schedule, total
from scheduler.solver import SolveOptions, solve
from scheduler.solver.replan import keep_previous, neighbourhood
from scheduler.solver.session import Session
from scheduler.weights import MOVE_COST
from tests.factory import DAY, VIENNA, at, event, meeting, problem, speaker

DAY2 = date(2022, 5, 18)
TWO_DAYS = meeting(days=(DAY, DAY2))
ROOMS = (Room("R1", "Room 1", "physical", 60), Room("R2", "Room 2", "physical", 60),
         Room("R3", "Room 3", "physical", 60), Room("V1", "Online 1", "virtual"))


def _replan(prob: Problem, previous: Schedule, **options) -> Schedule:
    """Re-plan with one worker; the result must pass the checker and score to its objective."""
    options.setdefault("time_limit", 10.0)
    schedule = solve(prob, SolveOptions(workers=1, previous=previous, **options))
    assert check_schedule(prob, schedule, allow_unscheduled=options.get("allow_unscheduled", False)) == []
    assert total(prob, schedule, previous) == schedule.metadata["objective"]
    assert score_schedule(prob, schedule, previous) == schedule.metadata["scores"]
    return schedule


def _closed(prob: Problem, room: str, day: date, reason: str = "Informal consultations") -> Problem:
    """``prob`` with ``room`` closed all of ``day`` (as a scenario's rooms.close writes it)."""
    start = datetime.combine(day, time(0), tzinfo=VIENNA)
    item = Unavailability("room", room, start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=VIENNA),
                          reason)
    return replace(prob, unavailability=(*prob.unavailability, item))


def _placed(prob: Problem, event_id: str, room: str, hhmm: str, day: date = DAY) -> Assignment:
    start = at(hhmm, day)
    return Assignment(event_id, room, start, event_end(start, prob.event(event_id).duration))


def _moved_ids(schedule: Schedule) -> list[str]:
    return [move["event_id"] for move in schedule.metadata["moves"]]


def _meeting() -> Problem:
    """Two days, three twin rooms and a channel, 14 events, some sharing speakers and organizers."""
    events = [event(f"E{i:02}", attendance=20 + 3 * i, topics=("cyber",) if i % 3 == 0 else ("drugs",),
                    speakers=("S1",) if i % 5 == 0 else (), organizer=f"Org {i % 6}",
                    preferred_days=(DAY,) if i % 2 else ()) for i in range(12)]
    events += [event("V1", format="virtual", attendance=None), event("V2", format="virtual", attendance=None)]
    return problem(events, [speaker("S1")], the_meeting=TWO_DAYS, the_rooms=ROOMS)


def test_closing_a_room_for_a_day_moves_exactly_the_events_in_it() -> None:
    prob = _meeting()
    base = solve(prob, SolveOptions(time_limit=10, workers=1))
    tz = prob.meeting.tz
    counts: dict[tuple[str, date], list[str]] = {}
    for a in base.scheduled:
        counts.setdefault((a.room, a.start.astimezone(tz).date()), []).append(a.event_id)  # type: ignore[union-attr]
    (room, day), forced = max(((k, v) for k, v in counts.items() if k[0] != "V1"), key=lambda kv: (len(kv[1]), kv[0]))
    assert len(forced) >= 2
    changed = _closed(prob, room, day)
    replanned = _replan(changed, base)
    assert _moved_ids(replanned) == sorted(forced) == moved_events(changed, base, replanned)
    assert [m.event_id for m in diff(changed, base, replanned)] == sorted(forced)
    for move in replanned.metadata["moves"]:
        assert move["reason"] == f"its room {room} closed on {day}: Informal consultations"
        assert move["before"]["room"] == room and move["after"]["room"] != room
    assert replanned.metadata["scores"]["moved"] == sum(MOVE_COST[m["kind"]] for m in replanned.metadata["moves"])
    assert replanned.metadata["options"]["previous"] is True


def test_an_unchanged_meeting_moves_nothing_and_stays_identical() -> None:
    prob = _meeting()
    base = solve(prob, SolveOptions(time_limit=10, workers=1))
    again = _replan(prob, base)
    assert again.metadata["moves"] == [] and again.metadata["scores"]["moved"] == 0
    assert [(a.event_id, a.room, a.start) for a in again.assignments] == \
        [(a.event_id, a.room, a.start) for a in base.assignments]


def test_without_previous_there_is_no_moved_term() -> None:
    prob = _meeting()
    schedule = solve(prob, SolveOptions(time_limit=5, workers=1))
    assert "moved" not in schedule.metadata["scores"] and "moved" not in score_schedule(prob, schedule)
    assert "moves" not in schedule.metadata and "previous" not in schedule.metadata["options"]
    with pytest.raises(UsageError, match="--previous"):
        solve(prob, SolveOptions(time_limit=5, workers=1, max_moves=3))


def test_move_kinds_and_costs() -> None:
    prob = problem([event("E1"), event("E2")], the_meeting=TWO_DAYS)
    before = _placed(prob, "E1", "R1", "09:00")
    assert move_kind(prob, before, before) is None and move_cost(prob, before, before) == 0
    assert move_kind(prob, before, _placed(prob, "E1", "R2", "09:00")) == "room"
    assert move_kind(prob, before, _placed(prob, "E1", "R1", "11:00")) == "time"
    assert move_kind(prob, before, _placed(prob, "E1", "R1", "09:00", DAY2)) == "day"
    assert move_cost(prob, before, Assignment("E1")) == MOVE_COST["day"]
    assert move_cost(prob, Assignment("E1"), before) == move_cost(prob, None, before) == 0  # new or unplaced
    assert MOVE_COST["room"] < MOVE_COST["time"] < MOVE_COST["day"] < 2 * MOVE_COST["room"]


def test_the_cheapest_move_is_taken_room_then_time_then_day() -> None:
    rooms = (Room("R1", "Room 1", "physical", 60), Room("R2", "Room 2", "physical", 60))
    events = [event("E1"), event("E2"), event("E3")]
    prob = problem(events, the_meeting=TWO_DAYS, the_rooms=rooms)
    previous = Schedule((_placed(prob, "E1", "R1", "09:00"), _placed(prob, "E2", "R2", "10:00"),
                         _placed(prob, "E3", "R2", "11:00")))
    closed_hour = Unavailability("room", "R1", at("09:00"), at("09:50"), "cleaning")
    room_move = _replan(replace(prob, unavailability=(closed_hour,)), previous)
    assert [(m["event_id"], m["kind"]) for m in room_move.metadata["moves"]] == [("E1", "room")]
    assert room_move.by_event["E1"].room == "R2" and room_move.by_event["E1"].start == at("09:00")
    assert room_move.metadata["moves"][0]["reason"] == f"its room R1 closed on {DAY} 09:00-09:50: cleaning"
    both_rooms = (closed_hour, replace(closed_hour, id="R2"))
    time_move = _replan(replace(prob, unavailability=both_rooms), previous)
    assert [(m["event_id"], m["kind"]) for m in time_move.metadata["moves"]] == [("E1", "time")]
    busy_organizer = Unavailability("organizer", "Org E1", at("00:00"), at("00:00", DAY2), "travelling")
    day_move = _replan(replace(prob, unavailability=(busy_organizer,)), previous)
    assert [(m["event_id"], m["kind"]) for m in day_move.metadata["moves"]] == [("E1", "day")]
    assert day_move.metadata["moves"][0]["reason"] == f"organizer Org E1 now unavailable on {DAY}: travelling"


def test_an_event_moved_out_of_the_way_says_for_whom_and_max_moves_forbids_it() -> None:
    rooms = (Room("R1", "Room 1", "physical", 60),)
    prob = problem([event("E1"), event("E2")], the_meeting=meeting(), the_rooms=rooms)
    previous = Schedule((_placed(prob, "E1", "R1", "09:00"), _placed(prob, "E2", "R1", "10:00")))
    pinned = replace(prob, events=(*prob.events, event("NEW", start=at("09:00"))))
    replanned = _replan(pinned, previous)
    assert _moved_ids(replanned) == ["E1"]
    assert replanned.metadata["moves"][0]["reason"] == "moved to make room for NEW"
    assert replanned.metadata["scores"]["moved"] == MOVE_COST["time"]
    with pytest.raises(InfeasibleError, match="--max-moves 0 is too few: every schedule moves at least 1 event "):
        solve(pinned, SolveOptions(time_limit=5, workers=1, previous=previous, max_moves=0))
    assert _moved_ids(_replan(pinned, previous, max_moves=1)) == ["E1"]


def test_max_moves_keeps_to_the_cap_at_a_higher_cost() -> None:
    # E3 must leave R1 at 09:00; sending it to R2 at 09:00 (a room move) needs E4 to leave R2, and
    # moving E3 to 11:00 instead breaks its preferred start: two cheap moves against one dear one.
    rooms = (Room("R1", "Room 1", "physical", 60), Room("R2", "Room 2", "physical", 60))
    nine = (time(9, 0),)
    dear_start = meeting(weights={"preferred_start": 200})
    prob = problem([event("E3", preferred_starts=nine), event("E4")], the_meeting=dear_start, the_rooms=rooms)
    previous = Schedule((_placed(prob, "E3", "R1", "09:00"), _placed(prob, "E4", "R2", "09:00")))
    changed = replace(prob, unavailability=(Unavailability("room", "R1", at("09:00"), at("09:50")),))
    free = _replan(changed, previous)
    assert _moved_ids(free) == ["E3", "E4"]
    assert [m["reason"] for m in free.metadata["moves"]] == [f"its room R1 closed on {DAY} 09:00-09:50",
                                                              "moved to make room for E3"]
    capped = _replan(changed, previous, max_moves=1)
    assert _moved_ids(capped) == ["E3"] and capped.metadata["objective"] > free.metadata["objective"]
    assert capped.metadata["options"]["max_moves"] == 1
    with pytest.raises(InfeasibleError, match="--max-moves 0 is too few: the changes leave 1 event no way"):
        solve(changed, SolveOptions(time_limit=5, workers=1, previous=previous, max_moves=0))


def test_reasons_name_what_changed() -> None:
    prob = problem([event("E1", speakers=("S1",)), event("E2"), event("E3"), event("E4")], [speaker("S1")],
                   the_meeting=TWO_DAYS, the_rooms=ROOMS)
    previous = Schedule((_placed(prob, "E1", "R1", "09:00"), _placed(prob, "E2", "R2", "12:00"),
                         _placed(prob, "E3", "R3", "09:00"), _placed(prob, "E4", "R1", "10:00")))
    changed = replace(
        prob,
        events=(prob.event("E1"), replace(prob.event("E2"), duration=110), replace(prob.event("E3"), start=at("11:00")),
                prob.event("E4")),
        unavailability=(Unavailability("speaker", "S1", at("08:00"), at("10:00"), "flight"),),
    )
    replanned = _replan(changed, previous)
    reasons = {m["event_id"]: m["reason"] for m in replanned.metadata["moves"]}
    assert reasons == {"E1": f"speaker S1 now unavailable on {DAY} 08:00-10:00: flight",
                       "E2": "its duration changed from 50 to 110 min",
                       "E3": f"pinned to start at {DAY} 11:00"}
    line = move_line(changed, replanned.metadata["moves"][2])
    assert line == f"E3: R3 Tue 17 May 09:00 -> {replanned.by_event['E3'].room} Tue 17 May 11:00 " \
                   f"(pinned to start at {DAY} 11:00)"


def test_a_removed_room_and_event_are_tolerated_and_unplaceable_events_count_as_day_moves(tmp_path) -> None:
    prob = problem([event("E1"), event("E2"), event("GONE")], the_meeting=meeting(), the_rooms=ROOMS)
    previous = Schedule((_placed(prob, "E1", "R1", "09:00"), _placed(prob, "E2", "R2", "09:00"),
                         _placed(prob, "GONE", "R3", "09:00")))
    (tmp_path / "schedule.csv").write_text(schedule_csv(previous), encoding="utf-8")
    smaller = replace(prob, rooms=ROOMS[1:], events=(prob.event("E1"), prob.event("E2")),
                      unavailability=(Unavailability("organizer", "Org E2", at("08:00"), at("13:00")),))
    with pytest.raises(DataErrors, match="unknown event 'GONE'"):
        read_schedule(tmp_path, smaller)
    again = read_schedule(tmp_path, smaller, ignore_unknown=True)
    assert [a.event_id for a in again.assignments] == ["E1", "E2"] and again.by_event["E1"].room == "R1"
    replanned = _replan(smaller, again, allow_unscheduled=True)
    moves = {m["event_id"]: m for m in replanned.metadata["moves"]}
    assert moves["E1"]["reason"] == "its room R1 no longer exists" and moves["E1"]["kind"] == "room"
    assert moves["E2"]["after"] is None and moves["E2"]["kind"] == "day"
    assert moves["E2"]["reason"].startswith(f"organizer Org E2 now unavailable on {DAY} 08:00-13:00")
    assert replanned.metadata["scores"]["moved"] == MOVE_COST["room"] + MOVE_COST["day"]


def test_local_repair_frees_neighbours_only_and_widens_when_it_must() -> None:
    big = Room("BIG", "Big room", "physical", 200)
    small = Room("S", "Small room", "physical", 40)
    events = [event("LARGE", attendance=150), *(event(f"X{i}") for i in range(4)), event("Y", organizer="Org LARGE"),
              event("Z")]
    prob = problem(events, the_meeting=TWO_DAYS, the_rooms=(big, small))
    slots = ["09:00", "10:00", "11:00", "12:00"]
    previous = Schedule((_placed(prob, "LARGE", "BIG", "09:00"), _placed(prob, "Y", "S", "11:00", DAY2),
                         _placed(prob, "Z", "S", "09:00"),
                         *(_placed(prob, f"X{i}", "BIG", slots[i], DAY2) for i in range(4))))
    changed = _closed(prob, "BIG", DAY)
    session = Session(changed, SolveOptions(previous=previous))
    kept = keep_previous(session)
    assert sorted(kept) == ["X0", "X1", "X2", "X3", "Y", "Z"]
    assert neighbourhood(session, kept, "local") == {"LARGE", "Y"}  # Z's room cannot seat LARGE
    assert neighbourhood(session, kept, "days") == {"LARGE", "Y", "Z"}
    replanned = _replan(changed, previous)
    assert "all repair" in replanned.metadata["method"]
    moves = {m["event_id"]: m for m in replanned.metadata["moves"]}
    assert sorted(moves) == ["LARGE", next(e for e in moves if e.startswith("X"))]
    moved_x = next(e for e in moves if e.startswith("X"))
    assert moves[moved_x]["reason"] == "moved to make room for LARGE" and moves[moved_x]["kind"] == "room"
    assert moves["LARGE"]["kind"] == "day"


def test_replanning_is_reproducible_with_one_worker() -> None:
    prob = _meeting()
    base = solve(prob, SolveOptions(time_limit=5, workers=1))
    changed = _closed(prob, "R2", DAY)
    first = solve(changed, SolveOptions(time_limit=5, workers=1, previous=base))
    second = solve(changed, SolveOptions(time_limit=5, workers=1, previous=base))
    assert schedule_csv(first) == schedule_csv(second) and first.metadata["moves"] == second.metadata["moves"]


def test_shipped_meeting_with_a_room_closed_on_wednesday(shipped_dir) -> None:
    from pathlib import Path

    from scheduler.load import load_problem
    from scheduler.scenario import apply_scenario, load_scenario

    prob = load_problem(shipped_dir)
    base = solve(prob, SolveOptions(time_limit=10, workers=1))
    scenario = load_scenario(Path(shipped_dir).parents[1] / "examples" / "scenarios" / "room-closed-wednesday.toml")
    changed = apply_scenario(prob, scenario)
    session = Session(changed, SolveOptions(previous=base))
    forced = sorted(e for e in base.by_event if e not in keep_previous(session))
    assert forced and all(base.by_event[e].room in ("M3", "BR-B") for e in forced)
    replanned = _replan(changed, base, time_limit=10)
    moved = _moved_ids(replanned)
    assert [m.event_id for m in diff(changed, base, replanned)] == moved
    reasons = {m["event_id"]: m["reason"] for m in replanned.metadata["moves"]}
    assert all(" closed on " in reasons[e] for e in forced)
    assert all(reasons[e].startswith("moved to make room for ") for e in set(moved) - set(forced))
    with pytest.raises(InfeasibleError, match="is too few"):  # no schedule moves fewer events
        solve(changed, SolveOptions(time_limit=10, workers=1, previous=base, max_moves=len(moved) - 1))


def test_a_new_clash_between_kept_events_moves_one_and_names_the_other() -> None:
    prob = problem([event("E1", speakers=("S1",)), event("E2")], [speaker("S1")], the_meeting=meeting(),
                   the_rooms=ROOMS)
    previous = Schedule((_placed(prob, "E1", "R1", "09:00"), _placed(prob, "E2", "R2", "09:00")))
    changed = replace(prob, events=(prob.event("E1"), replace(prob.event("E2"), speakers=("S1",))))
    replanned = _replan(changed, previous)
    [move] = replanned.metadata["moves"]
    other = "E2" if move["event_id"] == "E1" else "E1"
    assert move["kind"] == "time" and move["reason"] == f"speaker S1 is also in {other} at that time"
