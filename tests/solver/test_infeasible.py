"""No schedule: pre-checks and minimal conflicts in planner words, through solve() and explain()."""

from __future__ import annotations

import pytest

from scheduler.errors import InfeasibleError, SchedulerError
from scheduler.model import BlockedPeriod, Room
from scheduler.solver import NoScheduleFound, SolveOptions, explain, solve
from tests.factory import at, event, problem, speaker


def _reasons(prob) -> list[str]:
    with pytest.raises(InfeasibleError) as caught:
        solve(prob, SolveOptions(time_limit=10, workers=1))
    assert caught.value.exit_code == 1
    return caught.value.explanation


def test_speaker_pinned_into_two_events_at_once() -> None:
    prob = problem([event("E3", speakers=("S12",), start=at("10:00")),
                    event("E9", speakers=("S12",), start=at("10:00"), attendance=100),
                    event("E1")], [speaker("S12")])
    lines = _reasons(prob)  # solve refuses at once, on the pre-solve check, with its fix
    assert len(lines) == 1
    assert lines[0].startswith("Speaker Speaker S12 (S12) would be in E3 “Event E3” and E9 “Event E9” at once")
    assert "(fix: " in lines[0]
    # explain adds the minimal conflict of rule instances
    assert explain(prob, time_limit=10) == [lines[0], "speaker S12 is pinned into E3 and E9, both at 2022-05-17 10:00"]


def test_remote_speaker_whose_hours_exclude_every_slot() -> None:
    # 09:00-12:50 in Vienna is 00:00-03:50 in Los Angeles, outside 07:00-22:00.
    la = speaker("S12", timezone="America/Los_Angeles", remote=True)
    prob = problem([event("E4", format="hybrid", speakers=("S12",)), event("E5")], [la])
    lines = _reasons(prob)
    assert len(lines) == 1
    assert lines[0].startswith("Remote speaker Speaker S12 (S12) takes part 07:00-22:00 America/Los_Angeles time, "
                               "but no valid start of the 50-minute")
    assert explain(prob) == ["speaker S12 (America/Los_Angeles, 07:00-22:00) can attend no slot of E4's format "
                             "(E4 (hybrid, 50 min))"]


def test_event_larger_than_every_room_of_its_kind() -> None:
    lines = explain(problem([event("E17", format="hybrid", attendance=250)]))
    assert lines == ["E17 needs 250 seats; the largest hybrid room has 200"]


def test_hybrid_event_without_any_hybrid_room() -> None:
    rooms = (Room("R1", "Room 1", "physical", 40), Room("V1", "Online", "virtual"))
    assert explain(problem([event("E2", format="hybrid")], the_rooms=rooms)) == [
        "E2 is hybrid but the meeting has no hybrid room"]


def test_pinned_start_inside_a_blocked_period() -> None:
    blocked = (BlockedPeriod(at("09:00"), at("11:00"), "Opening"),)
    lines = explain(problem([event("E1", start=at("10:00"))], blocked=blocked))
    assert len(lines) == 1 and lines[0].startswith("E1 (in_person, 50 min) has no possible start")
    assert "'Opening'" in lines[0] and "the pin of E1" in lines[0]


def test_oversubscribed_room_gives_a_minimal_conflict() -> None:
    events = [event(f"E{i}", attendance=100) for i in range(5)] + [event("E9")]
    lines = explain(problem(events))
    placed = [line for line in lines if "must be placed" in line]
    assert len(placed) == 5 and not any(line.startswith("E9") for line in lines)  # E9 is not part of it
    assert any(line.startswith("room R2 holds one event at a time") for line in lines)
    assert all("R2" in line for line in placed)


def test_explain_finds_nothing_when_a_schedule_exists() -> None:
    assert explain(problem([event("E1"), event("E2")])) == []


def test_no_schedule_in_time_is_told_apart_from_proven_infeasible() -> None:
    error = NoScheduleFound(["no schedule was found within the 1 s time limit"])
    assert not isinstance(error, InfeasibleError) and isinstance(error, SchedulerError) and error.exit_code == 1
    assert str(error).startswith("No schedule found within the time limit")
    assert str(InfeasibleError(["x"])).startswith("No schedule exists")


def test_conflict_names_the_unavailable_room_and_the_events_competing_for_it() -> None:
    from scheduler.model import Unavailability

    away = (Unavailability("room", "R2", at("09:00"), at("10:00"), "cleaning"),)
    events = [event("E1")] + [event(f"E{i}", attendance=100) for i in range(2, 6)]
    lines = explain(problem(events, unavailability=away))
    assert "room R2 is unavailable 2022-05-17 09:00-10:00 (cleaning)" in lines
    assert sorted(line.split()[0] for line in lines if "must be placed" in line) == ["E2", "E3", "E4", "E5"]
