"""The cause of a conflict in one sentence, repairs offered only when solving proves them, and reasons of
unscheduled events that name the few events holding the place."""

from __future__ import annotations

import re
from datetime import date

from scheduler.check import check_schedule
from scheduler.model import Unavailability
from scheduler.solver import SolveOptions, solve
from scheduler.solver.cause import cause, days_text, involved
from scheduler.solver.explain import diagnose
from scheduler.solver.repairs import suggest_repairs
from tests.factory import at, event, problem

AWAY = (Unavailability("room", "R2", at("09:00"), at("10:00"), "cleaning"),)


def crowded():
    """Four 100-seat events for the one big room, which is away one of its four slots."""
    return problem([event("E1")] + [event(f"E{i}", attendance=100) for i in range(2, 6)], unavailability=AWAY)


def test_days_are_written_as_planners_write_them() -> None:
    assert days_text([date(2022, 5, 19), date(2022, 5, 16), date(2022, 5, 17)]) == "16, 17 and 19 May"
    assert days_text([date(2022, 5, 31), date(2022, 6, 1)]) == "31 May and 1 Jun"
    assert days_text([date(2022, 5, 16)]) == "16 May"


def test_a_count_of_places_is_said_in_one_sentence() -> None:
    prob = crowded()
    text = cause(prob, diagnose(prob))
    assert text == ("4 in-person events of 50 minutes need 4 places, but Boardroom B (R2) offers only 3 at the "
                    "times they can take (10:00, 11:00 and 12:00 on 17 May), because of room R2 (Boardroom B) "
                    "being closed during 2022-05-17 09:00-10:00 (cleaning).")
    assert involved(prob, diagnose(prob).core)[0] == "E2 “Event E2” (Org E2, priority 3)"


def test_a_meeting_with_a_schedule_has_no_cause() -> None:
    prob = problem([event("E1"), event("E2")])
    assert cause(prob, diagnose(prob)) == ""


def test_the_repairs_offered_really_give_a_schedule() -> None:
    prob = crowded()
    repairs = suggest_repairs(prob, diagnose(prob).core, time_limit=5)
    assert [r.text for r in repairs] == ["reopen room R2 during 2022-05-17 09:00-10:00",
                                         "solve with --allow-unscheduled"]
    reopened = repairs[0].problem
    assert reopened.unavailability == ()
    assert check_schedule(reopened, solve(reopened, SolveOptions(time_limit=5, workers=1))) == []
    assert re.fullmatch(r"1 event is left out: E[2-5] “Event E[2-5]” \(priority 3\)", repairs[1].result)


def test_a_repair_that_does_not_help_is_not_offered() -> None:
    """Five 100-seat events for four slots of the one big room: reopening is not enough, leaving one out is."""
    prob = problem([event(f"E{i}", attendance=100) for i in range(1, 6)], unavailability=AWAY)
    repairs = suggest_repairs(prob, diagnose(prob).core, time_limit=5)
    assert [r.text for r in repairs] == ["solve with --allow-unscheduled"]
    assert repairs[0].result.startswith("2 events are left out: ")


def test_an_unscheduled_reason_names_the_few_events_that_took_the_place() -> None:
    """Five 100-seat events of priorities 1-5 for the four slots of the one big room: the lowest is left out,
    and its reason names the one event holding its nearest place, not every event of the room."""
    prob = problem([event(f"E{p}", attendance=100, priority=p) for p in range(1, 6)])
    schedule = solve(prob, SolveOptions(time_limit=5, workers=1, allow_unscheduled=True))
    assert [a.event_id for a in schedule.assignments if not a.scheduled] == ["E1"]
    reason = schedule.metadata["unscheduled_reasons"]["E1"]
    assert re.fullmatch(r"left out for higher-priority events: its nearest place, R2 at 2022-05-17 \d\d:00, is held "
                        r"by E[2-5] “Event E[2-5]” \(priority [2-5]\); all its 4 possible places \(rooms R2\) are "
                        r"taken \(its priority: 1\)", reason), reason
