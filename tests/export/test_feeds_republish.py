"""Re-publishing the feeds over an earlier output folder: unchanged events byte-identical, changed ones
SEQUENCE + 1, dropped ones CANCELLED (from known fields only) in the feeds they were in; stable names;
clear errors."""

from __future__ import annotations

import json
import warnings
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from scheduler.errors import DataErrors, DataWarning, UsageError
from scheduler.export.ics import build_feeds
from scheduler.export.schedule import schedule_csv, schedule_json
from scheduler.load.previous import load_previous
from scheduler.model import Room, Schedule
from scheduler.output import write_tree_atomic
from tests import factory as f
from tests.export.test_ics import check_feed_set, ical_events, placed, vobject_events

UTC = timezone.utc
T1 = datetime(2022, 5, 1, 9, 0, tzinfo=UTC)
T2 = T1 + timedelta(days=3)
T3 = T2 + timedelta(days=2)
LIFECYCLE = ("DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "STATUS")
CANCELLED_FIELDS = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS", "SUMMARY"}


def publish(folder: Path, problem, schedule: Schedule, at: datetime, previous_folder: Path | None = None):
    """Build the feeds (over the previous folder, if any) and write them as ``scheduler solve --out`` would."""
    previous = load_previous(previous_folder, problem) if previous_folder is not None else None
    files = build_feeds(problem, schedule, published_at=at, previous=previous)
    write_tree_atomic(folder / "feeds", files)
    stamped = Schedule(schedule.assignments, {"published_at": at.isoformat()})
    (folder / "schedule.csv").write_text(schedule_csv(stamped), encoding="utf-8")
    (folder / "schedule.json").write_text(schedule_json(stamped), encoding="utf-8")
    return files


def vevents(text: str) -> dict[str, str]:
    """UID -> the exact text of its VEVENT (CRLF lines), read line by line."""
    found, current = {}, None
    for line in text.split("\r\n"):
        if line == "BEGIN:VEVENT":
            current = [line]
        elif current is not None:
            current.append(line)
            if line == "END:VEVENT":
                block = "\r\n".join(current) + "\r\n"
                unfolded = block.replace("\r\n ", "")
                uid = next(x[4:] for x in unfolded.split("\r\n") if x.startswith("UID:"))
                found[uid] = block
                current = None
    return found


def feeds_of(files: dict[str, str], uid: str) -> set[str]:
    return {path for path, text in files.items() if path.endswith(".ics") and uid in vevents(text)}


def uid(event_id: str) -> str:
    return f"{event_id}@test.example.org"


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """v1; v2 with B moved, C retitled, D dropped, E unscheduled, F made private; v3 = v2 again; v4 with D back."""
    root = tmp_path_factory.mktemp("republish")
    speakers = [f.speaker("S1"), f.speaker("SD", name="Only D")]
    events = [
        f.event("A", topics=("shared",), speakers=("S1",)),
        f.event("B", topics=("shared",)),
        f.event("C", format="hybrid", link="https://meet.example.org/c"),
        f.event("D", format="virtual", attendance=None, topics=("only-d",), speakers=("SD",)),
        f.event("E", organizer="Org A"),
        f.event("F", title="Soon private"),
        f.event("G", organizer="Org A", speakers=("S1",)),
    ]
    v1_problem = f.problem(events, speakers)
    v1_places = {"A": ("R1", "09:00"), "B": ("R1", "10:00"), "C": ("R2", "09:00"), "D": ("V1", "10:00"),
                 "E": ("R2", "11:00"), "F": ("R1", "11:00"), "G": ("R2", "10:00")}
    v1_schedule = placed(v1_problem, *((e, r, f.at(t)) for e, (r, t) in v1_places.items()))
    v1 = publish(root / "v1", v1_problem, v1_schedule, T1)

    by_id = {e.id: e for e in events}
    v2_events = [by_id["A"], by_id["B"], replace(by_id["C"], title="C, now retitled; with \\ and 中文"),
                 by_id["E"], replace(by_id["F"], visibility="private"), by_id["G"]]
    v2_problem = f.problem(v2_events, speakers)
    v2_places = {**v1_places, "B": ("R1", "12:00")}
    del v2_places["D"], v2_places["E"]
    v2_schedule = placed(v2_problem, *((e, r, f.at(t)) for e, (r, t) in v2_places.items()))
    v2 = publish(root / "v2", v2_problem, v2_schedule, T2, root / "v1")
    v3 = publish(root / "v3", v2_problem, v2_schedule, T3, root / "v2")

    v4_problem = f.problem([*v2_events, by_id["D"]], speakers)
    v4_schedule = placed(v4_problem, *((e, r, f.at(t)) for e, (r, t) in {**v2_places, "D": ("V1", "09:00")}.items()))
    v4 = publish(root / "v4", v4_problem, v4_schedule, T3 + timedelta(days=1), root / "v3")
    return {"root": root, "v1": v1, "v2": v2, "v3": v3, "v4": v4, "problems": {"v1": v1_problem, "v2": v2_problem}}


def test_every_version_lints_clean_and_parses_back(versions):
    for name in ("v1", "v2", "v3", "v4"):
        check_feed_set(versions[name])


def test_unchanged_events_are_byte_identical_in_every_feed(versions):
    v1, v2 = versions["v1"], versions["v2"]
    for event_id in ("A", "G"):
        paths = feeds_of(v1, uid(event_id))
        assert paths and paths == feeds_of(v2, uid(event_id))
        for path in paths:
            assert vevents(v2[path])[uid(event_id)] == vevents(v1[path])[uid(event_id)], path


def test_changed_events_get_sequence_plus_one_and_the_new_stamp(versions):
    v2 = {str(e["UID"]): e for e in ical_events(versions["v2"]["all.ics"])}
    for event_id in ("B", "C"):
        event = v2[uid(event_id)]
        assert int(event["SEQUENCE"]) == 1
        assert str(event["STATUS"]) == "CONFIRMED"
        assert event.decoded("DTSTAMP") == event.decoded("LAST-MODIFIED") == T2
    assert v2[uid("B")].decoded("DTSTART").astimezone(UTC) == f.at("12:00").astimezone(UTC)
    assert str(v2[uid("C")]["SUMMARY"]) == "C, now retitled; with \\ and 中文"
    for event_id in ("A", "G"):
        assert int(v2[uid(event_id)]["SEQUENCE"]) == 0
        assert v2[uid(event_id)].decoded("DTSTAMP") == T1


def test_dropped_unscheduled_and_privatized_events_are_cancelled_in_the_feeds_they_were_in(versions):
    v1, v2 = versions["v1"], versions["v2"]
    for event_id in ("D", "E", "F"):
        paths = feeds_of(v1, uid(event_id))
        assert feeds_of(v2, uid(event_id)) == paths
        for path in paths:
            block = vevents(v2[path])[uid(event_id)]
            (event,) = [e for e in ical_events(v2[path]) if str(e["UID"]) == uid(event_id)]
            assert str(event["STATUS"]) == "CANCELLED"
            assert int(event["SEQUENCE"]) == 1
            assert event.decoded("DTSTAMP") == T2
            assert set(event) == CANCELLED_FIELDS, path
            (was,) = [e for e in ical_events(v1[path]) if str(e["UID"]) == uid(event_id)]
            assert event.decoded("DTSTART") == was.decoded("DTSTART"), path
            assert str(event["SUMMARY"]) == ("Cancelled" if event_id == "F" else str(was["SUMMARY"]))
            assert "DESCRIPTION" not in block and "LOCATION" not in block
    # F is private now: nothing of it is published, not even the name of its organizer's feed
    assert not any("Soon private" in text or "Org F" in text for text in v2.values())
    # D's topic and speaker exist no more, yet their feeds carry the cancellation to their subscribers
    assert {"topics/only-d.ics", "speakers/sd.ics", "rooms/v1.ics", "formats/online.ics"} <= feeds_of(v2, uid("D"))
    (cancelled,) = vobject_events(v2["topics/only-d.ics"])
    assert cancelled.status.value == "CANCELLED"
    index = {entry["path"]: entry for entry in json.loads(v2["index.json"])["feeds"]}
    assert (index["all.ics"]["events"], index["all.ics"]["cancelled"]) == (4, 3)  # A, B, C, G; D, E, F
    assert index["topics/only-d.ics"]["title"] == "only-d"


def test_republishing_the_same_schedule_changes_no_event(versions):
    v2, v3 = versions["v2"], versions["v3"]
    for path, text in v2.items():
        if path.endswith(".ics"):
            assert v3[path] == text, path
    assert json.loads(v3["index.json"])["feeds"] == json.loads(v2["index.json"])["feeds"]


def test_an_event_that_comes_back_is_confirmed_with_a_higher_sequence(versions):
    (event,) = [e for e in ical_events(versions["v4"]["all.ics"]) if str(e["UID"]) == uid("D")]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert int(event["SEQUENCE"]) == 2
    assert event.decoded("DTSTART").astimezone(UTC) == f.at("09:00").astimezone(UTC)


def test_load_previous_reads_sequences_stamps_feeds_and_the_publication_time(versions):
    previous = load_previous(versions["root"] / "v2", versions["problems"]["v1"])
    assert previous.published_at == T2
    d = previous.events[uid("D")]
    assert (d.sequence, d.status, d.dtstamp) == (1, "CANCELLED", T2)
    assert set(d.feeds) == feeds_of(versions["v2"], uid("D"))
    assert previous.events[uid("A")].text == vevents(versions["v2"]["all.ics"])[uid("A")]
    assert previous.feeds["rooms/r1.ics"].kind == "room" and previous.feeds["rooms/r1.ics"].id == "R1"
    assert previous.schedule.by_event["B"].start == f.at("12:00")
    assert not previous.schedule.by_event["E"].scheduled
    assert previous.metadata["published_at"] == T2.isoformat()
    # read against the meeting as it is now: events it no longer has are left out
    assert "D" not in load_previous(versions["root"] / "v2", versions["problems"]["v2"]).schedule.by_event


def test_a_publication_time_before_the_previous_one_is_refused(versions):
    problem = f.problem([f.event("A")])
    previous = load_previous(versions["root"] / "v1", problem)
    with pytest.raises(UsageError, match="earlier than the previous publication"):
        build_feeds(problem, placed(problem, ("A", "R1", f.at("09:00"))), published_at=T1 - timedelta(hours=1),
                    previous=previous)


def test_feed_names_stay_with_their_ids_across_versions(tmp_path):
    first = f.problem([f.event("A", topics=("Room A",))])
    publish(tmp_path / "v1", first, placed(first, ("A", "R1", f.at("09:00"))), T1)
    second = f.problem([f.event("A", topics=("Room A",)), f.event("B", topics=("room-a",))])
    files = publish(tmp_path / "v2", second, placed(second, ("A", "R1", f.at("09:00")), ("B", "R1", f.at("10:00"))),
                    T2, tmp_path / "v1")
    assert list(vevents(files["topics/room-a.ics"])) == [uid("A")]
    (other,) = [p for p in files if p.startswith("topics/") and p != "topics/room-a.ics"]
    assert other.startswith("topics/room-a-") and list(vevents(files[other])) == [uid("B")]


def test_a_feed_of_an_earlier_version_stays_published_and_cancels_what_left_it(tmp_path):
    extra = (*f.rooms(), Room("RX", "Temporary room", "physical", 50))
    first = f.problem([f.event("A")], the_rooms=extra)
    publish(tmp_path / "v1", first, placed(first, ("A", "RX", f.at("09:00"))), T1)
    second = f.problem([f.event("A")])
    files = publish(tmp_path / "v2", second, placed(second, ("A", "R1", f.at("09:00"))), T2, tmp_path / "v1")
    (cancelled,) = ical_events(files["rooms/rx.ics"])
    assert (str(cancelled["UID"]), str(cancelled["STATUS"]), int(cancelled["SEQUENCE"])) == (uid("A"), "CANCELLED", 1)
    assert list(vevents(files["rooms/r1.ics"])) == [uid("A")]
    entry = next(e for e in json.loads(files["index.json"])["feeds"] if e["path"] == "rooms/rx.ics")
    assert (entry["kind"], entry["id"], entry["title"], entry["events"], entry["cancelled"]) == (
        "room", "RX", "Temporary room", 0, 1)
    check_feed_set(files)


# --- errors ------------------------------------------------------------------------------------------


def test_an_empty_folder_names_every_missing_file(tmp_path):
    with pytest.raises(DataErrors) as raised:
        load_previous(tmp_path, f.problem([f.event("A")]))
    message = str(raised.value)
    for name in ("schedule.csv", "schedule.json", "feeds"):
        assert name in message
    assert load_previous(tmp_path / "not-yet", f.problem([f.event("A")]), missing_ok=True) is None
    assert load_previous(tmp_path, f.problem([f.event("A")]), missing_ok=True) is None


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("feeds/rooms/r1.ics", "this is not a calendar\r\n", "r1.ics:1: not an iCalendar file"),
    ("feeds/all.ics", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VCALENDAR\r\n", "all.ics"),
    ("feeds/all.ics", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTAMP:20220101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
     "without UID"),
    ("feeds/topics/x.ics", b"\xff\xfe broken", "not UTF-8"),
    ("schedule.json", "{not json", "schedule.json:1:2: not valid JSON"),
    ("schedule.json", '{"published_at": "yesterday"}', "published_at"),
    ("schedule.csv", "event_id,status,room,start,end\nA,maybe,,,\n", "schedule.csv:2"),
    ("schedule.csv", "event,status\n", "missing required column"),
    ("feeds/index.json", '{"feeds": 3}', "index.json"),
])
def test_an_unreadable_file_is_reported_by_name(versions, tmp_path, name, content, expected):
    folder = tmp_path / "out"
    for path in (versions["root"] / "v1").rglob("*"):
        if path.is_file():
            target = folder / path.relative_to(versions["root"] / "v1")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(DataErrors) as raised, warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # a header of unknown columns also warns; the error is the point
        load_previous(folder, versions["problems"]["v1"])
    assert expected in str(raised.value)
