"""Presolve: one meeting per kind of finding, the leave-out bound, the CLI, and no false positives.

Every check must be a necessary condition: it may never reject a meeting that has a schedule. The
shipped meeting and generated meetings (feasible by construction) must give no finding, and on small
random meetings a finding must mean the solver finds no schedule either, and no fewer left out.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scheduler.check import check_schedule
from scheduler.generate import generate_construction
from scheduler.grid import SlotSpec
from scheduler.load import load_problem
from scheduler.model import BlockedPeriod, Problem, Room, Unavailability
from scheduler.presolve import PRESOLVE_CHECKS, Finding, format_findings, leave_out_bound, presolve
from tests import factory as f
from tests.load.meeting_files import MeetingFiles

ROOT = Path(__file__).resolve().parents[1]


def only(problem: Problem, check_name: str) -> Finding:
    """The one finding of ``problem``, which must come from ``check_name``."""
    findings = presolve(problem)
    assert [x.check for x in findings] == [check_name], "\n".join(map(str, findings))
    return findings[0]


# --- one meeting per kind of finding ----------------------------------------------------------------


def test_seats_an_event_larger_than_every_room_of_its_kind() -> None:
    # (a) 250 people, hybrid: only R2 is hybrid and it seats 200
    problem = f.problem([f.event("E1", format="hybrid", attendance=250, title="Big launch"), f.event("E2")])
    finding = only(problem, "seats")
    assert finding.events == ("E1",) and finding.leave_out == 1
    assert "E1 “Big launch”" in finding.message and "Boardroom B (R2)" in finding.message
    assert "250" in finding.message and "200" in finding.message


def test_seats_a_format_with_no_room_at_all() -> None:
    rooms = [r for r in f.rooms() if not r.is_virtual]
    problem = f.problem([f.event("E1", format="virtual", attendance=None), f.event("E2", format="virtual"),
                         f.event("E3")], the_rooms=rooms)
    finding = only(problem, "seats")
    assert finding.events == ("E1", "E2") and finding.leave_out == 2
    assert "virtual channel" in finding.message and "E1 “Event E1”" in finding.message


def test_in_person_events_may_use_hybrid_rooms() -> None:
    # 150 people fit only R2, which is hybrid: allowed for an in_person event
    assert presolve(f.problem([f.event("E1", attendance=150)])) == []


def test_pinned_clash_two_pinned_events_sharing_a_speaker() -> None:
    # (b) Bruno is in both, pinned to 10:00 (one in R1, the other in any room)
    speakers = [f.speaker("S2", name="Bruno Keller")]
    problem = f.problem([f.event("E1", speakers=("S2",), start=f.at("10:00"), room="R1"),
                         f.event("E4", speakers=("S2",), start=f.at("10:00"), duration=30, title="Youth forum")],
                        speakers)
    finding = only(problem, "pinned_clash")
    assert set(finding.events) == {"E1", "E4"} and finding.leave_out == 1
    assert "Bruno Keller (S2)" in finding.message and "E4 “Youth forum”" in finding.message


def test_pinned_clash_three_pinned_to_one_room_leave_out_two() -> None:
    events = [f.event(f"E{i}", start=f.at("10:00"), room="R1") for i in range(3)]
    finding = only(f.problem(events), "pinned_clash")
    assert finding.leave_out == 2 and "Room M1 (R1)" in finding.message


def test_pinned_events_that_do_not_overlap_are_fine() -> None:
    speakers = [f.speaker("S2")]
    events = [f.event("E1", speakers=("S2",), start=f.at("09:00")),
              f.event("E2", speakers=("S2",), start=f.at("10:00"))]
    assert presolve(f.problem(events, speakers)) == []


def test_remote_hours_a_speaker_whose_hours_meet_no_slot() -> None:
    # (c) Los Angeles is UTC-7 in May: the 09:00-12:50 Vienna grid is 00:00-03:50 there
    speakers = [f.speaker("S9", name="Dana Ruiz", timezone="America/Los_Angeles", remote=True)]
    problem = f.problem([f.event("E1", format="virtual", attendance=None, speakers=("S9",), title="Cyber talk")],
                        speakers)
    finding = only(problem, "remote_hours")
    assert finding.events == ("E1",)
    assert "Dana Ruiz (S9)" in finding.message and "E1 “Cyber talk”" in finding.message
    assert "America/Los_Angeles" in finding.message


def test_remote_hours_own_window_and_past_midnight_window() -> None:
    # Tokyo is UTC+9: 09:00-12:50 Vienna is 16:00-19:50 there
    late = f.speaker("S1", timezone="Asia/Tokyo", remote=True, earliest=time(20, 0), latest=time(23, 0))
    night = f.speaker("S2", timezone="Asia/Tokyo", remote=True, earliest=time(19, 0), latest=time(2, 0))
    assert only(f.problem([f.event("E1", format="hybrid", speakers=("S1",))], [late]), "remote_hours")
    assert presolve(f.problem([f.event("E1", format="hybrid", speakers=("S2",))], [night])) == []


def test_room_demand_over_supply_for_a_format() -> None:
    # (d) five 50-minute virtual events, one channel with four 50-minute slots
    events = [f.event(f"V{i}", format="virtual", attendance=None, title=f"Webinar {i}") for i in range(5)]
    finding = only(f.problem(events), "room_demand")
    assert finding.leave_out == 1 and len(finding.events) == 5
    assert "Online 1 (V1)" in finding.message and "V0 “Webinar 0”" in finding.message
    assert "250" in finding.message and "200" in finding.message


def test_room_demand_hybrid_rooms_alone_and_with_physical_ones() -> None:
    # nine hybrid events fit only R2 (4 slots): 5 must go; in-person ones still have R1
    events = [f.event(f"H{i}", format="hybrid") for i in range(9)] + [f.event(f"P{i}") for i in range(3)]
    finding = only(f.problem(events), "room_demand")
    assert finding.leave_out == 5 and set(finding.events) == {f"H{i}" for i in range(9)}
    # nine more in-person events: the physical rooms (8 room-slots) cannot hold 21 events
    more = [f.event(f"Q{i}") for i in range(9)]
    findings = presolve(f.problem(events + more))
    assert {x.check for x in findings} == {"room_demand"}
    assert leave_out_bound(findings) == 21 - 8


def test_room_demand_counts_the_slots_an_event_occupies() -> None:
    # four 30-minute slots (120 minutes); 40 minutes occupy two slots: three events need 180 slot-minutes
    specs = [SlotSpec(time(9 + i // 2, 30 * (i % 2)), time(9 + (i + 1) // 2, 30 * ((i + 1) % 2))) for i in range(4)]
    events = [f.event(f"V{i}", format="virtual", attendance=None, duration=40) for i in range(3)]
    finding = only(f.problem(events, specs=specs), "room_demand")
    assert finding.leave_out == 1 and "180" in finding.message and "120" in finding.message


def test_room_demand_respects_blocked_periods_and_room_closures() -> None:
    blocked = [BlockedPeriod(f.at("09:00"), f.at("11:00"), "Plenary", frozenset({"virtual"}))]
    closed = [Unavailability("room", "V1", f.at("11:00"), f.at("12:00"))]
    events = [f.event(f"V{i}", format="virtual", attendance=None) for i in range(2)]
    finding = only(f.problem(events, blocked=blocked, unavailability=closed), "room_demand")
    assert finding.leave_out == 1


def test_person_time_a_speaker_with_more_minutes_than_the_grid() -> None:
    speakers = [f.speaker("S3", name="Chen Wei")]
    events = [f.event(f"E{i}", speakers=("S3",), format="virtual" if i < 2 else "hybrid") for i in range(5)]
    finding = only(f.problem(events, speakers), "person_time")
    assert finding.leave_out == 1 and len(finding.events) == 5
    assert "Chen Wei (S3)" in finding.message and "250 minutes" in finding.message
    assert "200 minutes" in finding.message


def test_person_time_an_organizer_and_their_unavailability() -> None:
    events = [f.event(f"E{i}", organizer="UNODC") for i in range(3)]
    busy = [Unavailability("organizer", "UNODC", f.at("09:00"), f.at("11:00"))]
    finding = only(f.problem(events, unavailability=busy), "person_time")
    assert finding.leave_out == 1 and "Organizer UNODC" in finding.message


def test_room_pins_more_pinned_minutes_than_the_room_is_open() -> None:
    events = [f.event(f"E{i}", room="R1") for i in range(5)]
    finding = only(f.problem(events), "room_pins")
    assert finding.leave_out == 1 and "Room M1 (R1)" in finding.message


def test_no_run_a_duration_no_slots_can_hold() -> None:
    finding = only(f.problem([f.event("E1", duration=300, title="Long day")]), "no_run")
    assert "E1 “Long day”" in finding.message and "300 minutes" in finding.message


def test_pins_a_start_that_is_no_slot_start_and_a_room_of_the_wrong_kind() -> None:
    finding = only(f.problem([f.event("E1", start=f.at("10:05"))]), "pins")
    assert "2022-05-17 10:05 is not a slot start" in finding.message
    finding = only(f.problem([f.event("E1", format="hybrid", room="R1")]), "pins")
    assert "Room M1 (R1)" in finding.message and "not a hybrid room" in finding.message


def test_pins_a_start_in_a_blocked_period_or_outside_remote_hours() -> None:
    blocked = [BlockedPeriod(f.at("10:00"), f.at("11:00"), "Opening")]
    finding = only(f.problem([f.event("E1", start=f.at("10:00"))], blocked=blocked), "pins")
    assert "Opening" in finding.message
    # Nairobi is UTC+3: 09:00 Vienna is 10:00 there, before her 11:00
    amina = f.speaker("S1", name="Amina Odhiambo", timezone="Africa/Nairobi", remote=True, earliest=time(11, 0))
    finding = only(f.problem([f.event("E1", format="hybrid", speakers=("S1",), start=f.at("09:00"))], [amina]),
                   "pins")
    assert "Amina Odhiambo (S1)" in finding.message


def test_no_place_every_start_ruled_out_by_rules_together() -> None:
    # the blocked period takes 09:00-11:00, the organizer's unavailability 11:00-13:00
    blocked = [BlockedPeriod(f.at("09:00"), f.at("11:00"), "Plenary")]
    busy = [Unavailability("organizer", "Org E1", f.at("11:00"), f.at("13:00"))]
    finding = only(f.problem([f.event("E1")], blocked=blocked, unavailability=busy), "no_place")
    assert "blocked periods" in finding.message and "organizer Org E1" in finding.message


def test_no_place_every_room_unavailable_at_every_start_left() -> None:
    closed = [Unavailability("room", "V1", f.at("08:00"), f.at("13:00"))]
    finding = only(f.problem([f.event("E1", format="virtual", attendance=None)], unavailability=closed), "no_place")
    assert "Online 1 (V1)" in finding.message


def test_presolve_imports_neither_the_solver_nor_ortools() -> None:
    code = "import sys, scheduler.presolve; print([m for m in sys.modules if 'solver' in m or 'ortools' in m])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


def test_the_table_lists_every_check_and_each_has_a_docstring() -> None:
    assert set(PRESOLVE_CHECKS) == {"seats", "pins", "no_run", "remote_hours", "no_place", "pinned_clash",
                                    "person_time", "room_demand", "room_pins"}
    for name, check_function in PRESOLVE_CHECKS.items():
        assert check_function.__name__ == name and check_function.__doc__


# --- the bound on what --allow-unscheduled leaves out -----------------------------------------------


def _finding(events: tuple[str, ...], leave_out: int) -> Finding:
    return Finding("seats", "m", "f", events, leave_out)


def test_leave_out_bound_adds_disjoint_findings_only() -> None:
    assert leave_out_bound([]) == 0
    assert leave_out_bound([_finding(("A",), 1), _finding(("B", "C"), 1)]) == 2
    assert leave_out_bound([_finding(("A", "B"), 1), _finding(("B", "C"), 1)]) == 1
    assert leave_out_bound([_finding(("A", "B", "C"), 2), _finding(("A",), 1), _finding(("D",), 1)]) == 3


def test_per_event_findings_and_counting_findings_add_up() -> None:
    # E1 fits no room at all; the other five virtual events overfill the channel by one
    events = [f.event("E1", format="hybrid", attendance=500)]
    events += [f.event(f"V{i}", format="virtual", attendance=None) for i in range(5)]
    findings = presolve(f.problem(events))
    assert [x.check for x in findings] == ["seats", "room_demand"]
    assert leave_out_bound(findings) == 2
    assert format_findings(findings)[-1] == "--allow-unscheduled would have to leave out at least 2 events"


def test_allow_unscheduled_turns_findings_into_warnings() -> None:
    problem = f.problem([f.event("E1", format="hybrid", attendance=250)])
    (finding,) = presolve(problem, allow_unscheduled=True)
    assert not finding.blocking
    lines = format_findings([finding])
    assert lines[0].startswith("warning: seats:") and lines[-1].endswith("at least 1 event")


# --- no false positives -----------------------------------------------------------------------------


def test_no_finding_on_the_shipped_meeting(shipped_dir: Path) -> None:
    assert presolve(load_problem(shipped_dir)) == []


@pytest.mark.parametrize("events,seed", [(1, 0), (5, 1), (12, 2), (30, 3), (60, 4), (120, 5), (250, 6),
                                         (400, 7), (1000, 8)])
def test_no_finding_on_generated_meetings_feasible_by_construction(events: int, seed: int) -> None:
    built = generate_construction(events, seed)
    assert check_schedule(built.problem, built.schedule) == []  # the witness really is a schedule
    assert presolve(built.problem) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 40), st.integers(0, 10_000))
def test_no_finding_on_small_generated_meetings(events: int, seed: int) -> None:
    assert presolve(generate_construction(events, seed).problem) == []


@st.composite
def small_meetings(draw: st.DrawFn) -> Problem:
    """Tiny, tight meetings: a few rooms and slots, pins, remote speakers, blocked periods, unavailability."""
    zones = ["Europe/Vienna", "America/New_York", "Asia/Tokyo", "Africa/Nairobi", "America/Los_Angeles"]
    speakers = [f.speaker(f"S{i}", timezone=draw(st.sampled_from(zones)), remote=draw(st.booleans()),
                          earliest=draw(st.sampled_from([None, time(6, 0), time(15, 0), time(20, 0)])),
                          latest=draw(st.sampled_from([None, time(12, 0), time(23, 0), time(2, 0)])))
                for i in range(3)]
    rooms = [Room("R1", "Room M1", "physical", draw(st.sampled_from([20, 40, 120])), draw(st.booleans())),
             Room("R2", "Boardroom B", "physical", draw(st.sampled_from([60, 200])), True),
             Room("V1", "Online 1", "virtual")]
    starts = ["09:00", "10:00", "11:00", "12:00", "10:05"]
    events = []
    for i in range(draw(st.integers(1, 9))):
        fmt = draw(st.sampled_from(["in_person", "hybrid", "virtual"]))
        who = tuple(draw(st.sets(st.sampled_from(["S0", "S1", "S2"]), max_size=2)))
        if fmt == "in_person":
            who = tuple(s for s in who if not next(x for x in speakers if x.id == s).remote)
        start = draw(st.sampled_from([None] * 8 + starts))
        room = draw(st.sampled_from([None] * 6 + ["R1", "R2", "V1"]))
        events.append(f.event(
            f"E{i}", format=fmt, duration=draw(st.sampled_from([30, 50, 50, 60, 100, 110])),
            attendance=None if fmt == "virtual" else draw(st.sampled_from([10, 30, 100])), speakers=who,
            organizer=draw(st.sampled_from(["Austria", "UNODC", "Brazil"])),
            start=f.at(start) if start else None, room=room))
    blocked = [BlockedPeriod(f.at("09:00"), f.at(draw(st.sampled_from(["09:30", "10:00", "11:00"]))), "Plenary",
                             frozenset(draw(st.sets(st.sampled_from(["in_person", "hybrid", "virtual"]),
                                                    min_size=1))))] if draw(st.booleans()) else []
    busy = [Unavailability(draw(st.sampled_from(["room", "speaker", "organizer"])),
                           draw(st.sampled_from(["R1", "V1", "S0", "S1", "UNODC", "Austria"])),
                           f.at(draw(st.sampled_from(["09:00", "10:30", "11:00"]))), f.at("12:00"))
            for _ in range(draw(st.integers(0, 2)))]
    busy = [u for u in busy if (u.kind == "room") == u.id.startswith(("R", "V"))
            and (u.kind == "speaker") == u.id.startswith("S")]
    formats = st.sampled_from(["in_person", "hybrid", "virtual"])
    specs = [SlotSpec(time(9 + i, 0), time(9 + i, 50), frozenset(draw(st.one_of(
        st.just({"in_person", "hybrid", "virtual"}), st.sets(formats, min_size=1))))) for i in range(4)]
    return f.problem(events, speakers, the_rooms=rooms, specs=specs, blocked=blocked, unavailability=busy)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_meetings())
def test_findings_agree_with_the_solver_on_small_meetings(problem: Problem) -> None:
    """A finding means the solver finds no schedule; the bound never exceeds what a valid schedule leaves out."""
    from scheduler.errors import InfeasibleError
    from scheduler.solver import NoScheduleFound, SolveOptions, solve

    findings = presolve(problem)
    try:
        schedule = solve(problem, SolveOptions(time_limit=5, workers=1))
    except NoScheduleFound:
        assume(False)  # undecided within the time limit
    except InfeasibleError:
        schedule = None
    if schedule is not None and check_schedule(problem, schedule) == []:
        assert findings == [], "\n".join(map(str, findings))
    partial = solve(problem, SolveOptions(time_limit=5, workers=1, allow_unscheduled=True))
    assume(check_schedule(problem, partial, allow_unscheduled=True) == [])
    left_out = sum(1 for a in partial.assignments if not a.scheduled)
    assert leave_out_bound(findings) <= left_out


def test_the_big_grid_is_checked_quickly() -> None:
    """1,000 events on a 5-minute grid of 24 hours x 4 days and 72 rooms: no loop over events x rooms x slots."""
    import time as clock

    base = generate_construction(1000, 7).problem
    days = tuple(base.meeting.days[0] + timedelta(days=i) for i in range(4))
    specs = [SlotSpec(time(h, m), time(h, m + 5) if m < 55 else time(h + 1, 0) if h < 23 else time(23, 59))
             for h in range(24) for m in range(0, 60, 5)]
    meeting = replace(base.meeting, days=days)
    rooms = tuple(Room(f"R{i:02d}", f"Room {i}", "physical", (40, 80, 150, 300, 500)[i % 5], i % 3 != 0)
                  for i in range(1, 65)) + tuple(Room(f"V{k}", f"Channel {k}", "virtual") for k in range(1, 9))
    events = tuple(replace(e, start=None, room=None) for e in base.events)
    problem = f.problem(events, base.speakers, the_meeting=meeting, the_rooms=rooms, specs=specs)
    began = clock.perf_counter()
    presolve(problem)
    assert clock.perf_counter() - began < 10


# --- the command line -------------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """Run ``python -m scheduler`` as a user would."""
    return subprocess.run([sys.executable, "-m", "scheduler", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_validate_exits_1_naming_an_event_too_big_for_every_room(tmp_path: Path) -> None:
    files = MeetingFiles(tmp_path)
    files.replace("events.csv", "E4,Youth forum,Brazil,in_person,100,150,", "E4,Youth forum,Brazil,in_person,100,450,")
    result = run_cli("validate", str(files.write()))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "events:" in result.stdout  # the summary comes first
    assert "seats: E4 “Youth forum” expects 450 people" in result.stdout
    assert "Boardroom B (R2)" in result.stdout and "  fix: " in result.stdout
    assert "--allow-unscheduled would have to leave out at least 1 event" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    relaxed = run_cli("validate", str(files.write()), "--allow-unscheduled")
    assert relaxed.returncode == 0 and "warning: seats: E4" in relaxed.stdout


def test_validate_exits_1_for_two_pinned_events_sharing_a_speaker(tmp_path: Path) -> None:
    files = MeetingFiles(tmp_path)
    files.replace("events.csv", "E4,Youth forum,Brazil,in_person,100,150,,youth,,2022-05-16,,,,,,",
                  "E4,Youth forum,Brazil,in_person,50,30,S2,youth,,,,R1,2022-05-17T10:00,,,")
    result = run_cli("validate", str(files.write()))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "pinned_clash: Speaker Bruno Keller (S2)" in result.stdout and "E4 “Youth forum”" in result.stdout


def test_validate_still_exits_0_on_a_good_meeting(tmp_path: Path) -> None:
    result = run_cli("validate", str(MeetingFiles(tmp_path).write()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no obstacle found" in result.stdout
