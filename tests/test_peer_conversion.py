"""The peer benchmark's conversion to PyCon UK's conference-scheduler model and back (benchmarks/peer.py).

Skipped when the peer (the ``bench`` extra) is not installed.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import time
from pathlib import Path

import pytest

from scheduler.check import check_schedule
from scheduler.load import load_problem
from scheduler.model import BlockedPeriod, Unavailability
from tests.factory import at, event, problem, speaker

pytest.importorskip("conference_scheduler")

PEER_SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "peer.py"


@pytest.fixture(scope="module")
def peer():
    """benchmarks/peer.py loaded as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("benchmark_peer", PEER_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def open_places(peer, model, event_id: str) -> set[tuple[str, str]]:
    """(room id, HH:MM) of every peer slot the event may use."""
    index = model.event_ids.index(event_id)
    unavailable = model.events[index].unavailability
    return {
        (slot.venue, slot.starts_at.strftime("%H:%M"))
        for slot in model.slots
        if not any(isinstance(u, peer.PeerSlot) and u == slot for u in unavailable)
    }


def clashes(peer, model, event_id: str) -> set[str]:
    """Names of the events the peer may not run at the same time as ``event_id``."""
    index = model.event_ids.index(event_id)
    return {u.name for u in model.events[index].unavailability if isinstance(u, peer.PeerEvent)}


ALL_TIMES = {"09:00", "10:00", "11:00", "12:00"}


def test_one_peer_slot_per_room_and_grid_slot(peer):
    prob = problem([event("A")])
    model = peer.to_peer(prob)
    assert len(model.slots) == len(prob.rooms) * len(prob.slots) == 12
    for peer_slot, (room_id, slot) in zip(model.slots, model.places, strict=True):
        assert (peer_slot.venue, peer_slot.starts_at, peer_slot.duration) == (room_id, slot.start, 50)
    assert {s.capacity for s in model.slots if s.venue == "R2"} == {200}


def test_room_kind_and_capacity_rule_out_rooms(peer):
    prob = problem([
        event("BIG", attendance=100),
        event("ONLINE", format="virtual", attendance=None),
        event("HYB", format="hybrid"),
        event("SMALL"),
    ])
    model = peer.to_peer(prob)
    assert open_places(peer, model, "BIG") == {("R2", t) for t in ALL_TIMES}
    assert open_places(peer, model, "ONLINE") == {("V1", t) for t in ALL_TIMES}
    assert open_places(peer, model, "HYB") == {("R2", t) for t in ALL_TIMES}
    assert open_places(peer, model, "SMALL") == {(r, t) for r in ("R1", "R2") for t in ALL_TIMES}
    assert model.events[model.event_ids.index("ONLINE")].demand == 0
    assert model.events[model.event_ids.index("BIG")].demand == 100


def test_blocked_periods_and_remote_hours_rule_out_times(peer):
    # Tokyo is 7 h ahead of Vienna in May: a 17:00 Tokyo latest closes the window at 10:00 Vienna.
    tokyo = speaker("TK", timezone="Asia/Tokyo", remote=True, latest=time(17, 0))
    prob = problem(
        [event("REMOTE", format="hybrid", speakers=("TK",)), event("LOCAL")],
        [tokyo],
        blocked=[BlockedPeriod(at("10:30"), at("11:30"), "Plenary", frozenset({"in_person"}))],
    )
    model = peer.to_peer(prob)
    assert open_places(peer, model, "REMOTE") == {("R2", "09:00")}
    assert open_places(peer, model, "LOCAL") == {(r, t) for r in ("R1", "R2") for t in ("09:00", "12:00")}


def test_unavailability_and_pins_rule_out_places(peer):
    prob = problem(
        [event("ROOMY"), event("BUSY", speakers=("S1",)), event("PINNED", room="R1", start=at("12:00"))],
        [speaker("S1")],
        unavailability=[
            Unavailability("room", "R1", at("09:00"), at("10:30")),
            Unavailability("speaker", "S1", at("11:00"), at("13:00")),
            Unavailability("organizer", "Org ROOMY", at("12:00"), at("12:30")),
        ],
    )
    model = peer.to_peer(prob)
    assert open_places(peer, model, "ROOMY") == {("R1", "11:00"), ("R2", "09:00"), ("R2", "10:00"), ("R2", "11:00")}
    assert open_places(peer, model, "BUSY") == {(r, t) for t in ("09:00", "10:00") for r in ("R1", "R2")} - {
        ("R1", "09:00"), ("R1", "10:00")}
    assert open_places(peer, model, "PINNED") == {("R1", "12:00")}


def test_shared_speakers_and_organizers_cannot_meet(peer):
    prob = problem(
        [
            event("A", speakers=("S1",)),
            event("B", speakers=("S2", "S1")),
            event("C", organizer="Org A"),
            event("D", speakers=("S2",)),
            event("E"),
        ],
        [speaker("S1"), speaker("S2")],
    )
    model = peer.to_peer(prob)
    assert clashes(peer, model, "A") == {"B", "C"}
    assert clashes(peer, model, "B") == {"A", "D"}
    assert clashes(peer, model, "C") == {"A"}
    assert clashes(peer, model, "D") == {"B"}
    assert clashes(peer, model, "E") == set()


def test_an_event_longer_than_a_slot_is_refused(peer):
    with pytest.raises(ValueError, match="LONG fits no single slot"):
        peer.to_peer(problem([event("A"), event("LONG", duration=100)]))


def test_the_peer_solution_maps_back_to_our_schedule(peer):
    prob = problem([event("A", duration=45), event("B")])
    model = peer.to_peer(prob)
    slot_index = model.places.index(("R2", prob.slots[2]))
    schedule = peer.from_peer(prob, model, [(model.event_ids.index("A"), slot_index)], {"status": "feasible"})
    a, b = schedule.by_event["A"], schedule.by_event["B"]
    assert (a.room, a.start, a.end) == ("R2", at("11:00"), at("11:45"))
    assert a.start.tzinfo is not None and not b.scheduled
    assert [x.event_id for x in schedule.assignments] == ["A", "B"]
    assert schedule.metadata["status"] == "feasible"


def test_the_peer_places_a_small_meeting_validly(peer):
    tokyo = speaker("TK", timezone="Asia/Tokyo", remote=True, latest=time(17, 0))
    prob = problem(
        [
            event("A", speakers=("S1",)),
            event("B", speakers=("S1",), attendance=120),
            event("C", format="hybrid", speakers=("TK",)),
            event("D", format="virtual", attendance=None, organizer="Org A"),
            event("E"),
        ],
        [speaker("S1"), tokyo],
        unavailability=[Unavailability("room", "R2", at("11:00"), at("13:00"))],
    )
    run = peer.run_peer(prob, time_limit=60)
    assert run.schedule is not None, run.note
    assert all(a.scheduled for a in run.schedule.assignments)
    assert check_schedule(prob, run.schedule) == []
    assert run.schedule.by_event["C"].start == at("09:00")


def test_generated_meeting_is_of_the_peer_kind(peer, tmp_path):
    files = peer.meeting_files(24, seed=3)
    assert files == peer.meeting_files(24, seed=3)
    assert files != peer.meeting_files(24, seed=4)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    prob = load_problem(tmp_path)
    assert len(prob.events) == 24 and len(prob.meeting.days) == 5
    assert sorted(r.kind for r in prob.rooms) == ["physical"] * 6 + ["virtual"] * 2
    assert all(e.duration <= min(s.minutes for s in prob.slots) for e in prob.events)
    assert any(s.remote for s in prob.speakers)
    model = peer.to_peer(prob)  # every event fits some single slot
    assert len(model.events) == 24
