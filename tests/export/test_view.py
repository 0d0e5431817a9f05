"""The shared programme view: private events left out, cells and blocks, filters, exporter records."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta, timezone

import pytest

from scheduler.errors import UsageError
from scheduler.export.labels import is_web_url
from scheduler.export.view import (
    Exporter,
    build_view,
    event_anchor,
    filter_view,
    render_files,
    resolve_day,
    room_blocks,
)
from scheduler.model import Assignment, Schedule
from tests.export.programme import (
    DAY1,
    DAY2,
    PRIVATE_ORGANIZER,
    PRIVATE_TITLE,
    PRIVATE_TOPIC,
    PUBLIC_SCHEDULED,
    sample_problem,
    sample_schedule,
    sample_view,
)
from tests.factory import at


def test_view_holds_public_scheduled_events_in_time_order() -> None:
    view = sample_view()
    assert [e.id for e in view.events] == ["E01", "E02", "E03", "E08", "E04", "E07"]
    assert {e.id for e in view.events} == set(PUBLIC_SCHEDULED)
    assert [e.id for e in view.unscheduled] == ["E06"]
    assert view.metadata["published_at"] == "2022-03-20T08:00:00Z"


def test_private_events_leave_no_trace_in_the_view() -> None:
    view = sample_view()
    assert all(e.event.title != PRIVATE_TITLE for e in view.events)
    assert PRIVATE_ORGANIZER not in view.organizers
    assert PRIVATE_TOPIC not in view.topics
    prob = sample_problem()
    with_private = build_view(prob, sample_schedule(prob), include_private=True)
    assert "E05" in {e.id for e in with_private.events}


def test_times_are_in_the_venue_zone_across_dst() -> None:
    view = sample_view()
    by_id = {e.id: e for e in view.events}
    assert by_id["E01"].start.utcoffset() == timedelta(hours=1)  # before the change: CET
    assert by_id["E04"].start.utcoffset() == timedelta(hours=2)  # after: CEST
    assert by_id["E04"].start_utc.hour == 9 and by_id["E04"].start_utc.tzinfo == timezone.utc
    assert by_id["E02"].minutes == 110


def test_two_slot_event_fills_both_cells_and_one_block() -> None:
    view = sample_view()
    day = view.days[0]
    r2 = view.problem.room("R2")
    first, second, third = day.slots[:3]
    assert day.cell(first, r2).id == "E02" and day.cell(second, r2).id == "E02"
    assert day.cell(third, r2) is None
    blocks = room_blocks(day, r2)
    assert [(b.first, b.last, [e.id for e in b.events]) for b in blocks] == [(0, 1, ["E02"])]
    assert blocks[0].span == 2


def test_a_room_clash_keeps_both_events_in_the_cell_and_block() -> None:
    prob = sample_problem()
    schedule = sample_schedule(prob)
    clash = Assignment("E06", "R2", at("10:00", DAY1), at("10:50", DAY1))
    view = build_view(prob, Schedule(tuple(a if a.event_id != "E06" else clash for a in schedule.assignments)))
    day = view.days[0]
    r2 = prob.room("R2")
    assert [e.id for e in day.cell_events(day.slots[1], r2)] == ["E02", "E06"]
    assert [[e.id for e in b.events] for b in room_blocks(day, r2)] == [["E02", "E06"]]


def test_an_event_between_slots_is_off_grid_but_kept() -> None:
    prob = sample_problem()
    schedule = sample_schedule(prob)
    early = Assignment("E06", "R1", at("07:00", DAY1), at("07:50", DAY1))
    view = build_view(prob, Schedule(tuple(a if a.event_id != "E06" else early for a in schedule.assignments)))
    assert [e.id for e in view.days[0].off_grid()] == ["E06"]
    assert "E06" in {e.id for e in view.events}


def test_filter_by_day_room_organizer_topic_and_format() -> None:
    view = sample_view()
    assert [d.day for d in filter_view(view, day="2").days] == [DAY2]
    assert [e.id for e in filter_view(view, day=DAY1.isoformat()).events] == ["E01", "E02", "E03"]
    by_room = filter_view(view, room="boardroom b")
    assert [r.id for r in by_room.rooms] == ["R2"] and [e.id for e in by_room.events] == ["E02", "E08"]
    assert [e.id for e in filter_view(view, organizer="unodc").events] == ["E02", "E07"]
    assert [e.id for e in filter_view(view, topic="Cybercrime").events] == ["E02", "E03"]
    assert [e.id for e in filter_view(view, fmt="virtual").events] == ["E03", "E07"]
    both = filter_view(view, day=DAY2, organizer="UNODC")
    assert [e.id for e in both.events] == ["E07"] and [d.day for d in both.days] == [DAY2]
    assert [e.id for e in both.days[0].events] == ["E07"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"day": "2022-04-01"}, "not a meeting day"),
        ({"day": "3"}, "the meeting has days"),
        ({"day": "tomorrow"}, "expected an ISO date"),
        ({"room": "Attic"}, "no such room"),
        ({"organizer": PRIVATE_ORGANIZER}, "no public event"),
        ({"topic": PRIVATE_TOPIC}, "no public event"),
        ({"fmt": "outdoor"}, "unknown format"),
    ],
)
def test_filters_reject_unknown_values(options: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        filter_view(sample_view(), **options)


def test_resolve_day_accepts_dates_and_numbers() -> None:
    view = sample_view()
    assert resolve_day(view, "1") == DAY1
    assert resolve_day(view, DAY2) == DAY2
    with pytest.raises(UsageError):
        resolve_day(view, date(2022, 3, 26))


def test_web_links_and_anchors() -> None:
    assert is_web_url("https://meet.example.org/x?a=1")
    assert not is_web_url("javascript:alert(1)")
    assert not is_web_url("meet.example.org/x")
    assert not is_web_url(" https://padded.example.org")
    assert event_anchor("E 1/é") == "event-E_20_1_2f__e9_"
    assert event_anchor("a_b") != event_anchor("a b")
    view = sample_view()
    by_id = {e.id: e for e in view.events}
    assert by_id["E02"].web_link == "https://meet.example.org/e02"
    assert by_id["E07"].web_link == ""


def test_render_files_runs_each_exporter() -> None:
    view = sample_view()
    exporters = [Exporter("count", "out/count.txt", "text/plain", lambda v: str(len(v.events)))]
    assert render_files(view, exporters) == {"out/count.txt": "6"}
    assert exporters[0].extension == "txt"


def test_view_of_a_filtered_view_keeps_the_room_selection() -> None:
    view = filter_view(sample_view(), room="R1")
    again = filter_view(view, day="1")
    assert [r.id for r in again.rooms] == ["R1"] and [e.id for e in again.events] == ["E01"]
    assert replace(again, selected_rooms=None).rooms == again.problem.rooms


def test_every_exporter_is_byte_identical_across_processes() -> None:
    """Set and dict order must not leak into any output: an interpreter with another hash seed agrees."""
    import hashlib
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import hashlib\n"
        "from scheduler.export import frab, html, timetable\n"
        "from scheduler.export.view import render_files\n"
        "from tests.export.programme import sample_view\n"
        "files = render_files(sample_view(), timetable.EXPORTERS + html.EXPORTERS + frab.EXPORTERS)\n"
        "for name in sorted(files):\n"
        "    data = files[name] if isinstance(files[name], bytes) else files[name].encode()\n"
        "    print(name, hashlib.sha256(data).hexdigest())\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, check=True)
    from scheduler.export import frab, html, timetable

    here = render_files(sample_view(), timetable.EXPORTERS + html.EXPORTERS + frab.EXPORTERS)
    expected = "".join(
        f"{name} {hashlib.sha256(here[name] if isinstance(here[name], bytes) else here[name].encode()).hexdigest()}\n"
        for name in sorted(here)
    )
    assert len(here) == 6 and done.stdout == expected
