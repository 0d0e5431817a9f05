"""A publication walked through four re-publications, feed by feed: an event that leaves a feed is
CANCELLED there (and stays so), one that comes back is CONFIRMED with a higher SEQUENCE, a private
event leaves no text in any output file, and hand-added properties never reach a cancelled copy."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import pytest

from scheduler.load.previous import load_previous
from scheduler.output import write_tree_atomic
from scheduler.publication import publish
from tests import factory as f
from tests.export.test_feeds_republish import vevents
from tests.export.test_ics import check_feed_set, ical_events, placed, vobject_events

UTC = timezone.utc
T0 = datetime(2022, 5, 1, 9, 0, tzinfo=UTC)
STAMPS = {f"v{i}": T0 + timedelta(days=i) for i in range(1, 6)}
CANCELLED_FIELDS = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS", "SUMMARY"}
SECRET_TITLE = "Secret Briefing Xyz"
SECRET_SPEAKER = "Zora Hiddenname"
SECRET_LINK = "https://meet.example.org/secret-p"
SECRET_ORGANIZER = "Quiet Org Qz"
PRIVATE_TEXTS = (SECRET_TITLE, SECRET_SPEAKER, SECRET_LINK, SECRET_ORGANIZER)


def uid(event_id: str) -> str:
    return f"{event_id}@test.example.org"


def feeds_in(files: dict) -> dict[str, str]:
    """Feed path (relative to feeds/) -> text, from a publication's output tree."""
    return {path[len("feeds/"):]: text for path, text in files.items()
            if path.startswith("feeds/") and path.endswith(".ics")}


def states(files: dict) -> dict[str, dict[str, tuple[str, int]]]:
    """Feed path -> event id -> (STATUS, SEQUENCE), as icalendar reads each feed (one-event feeds aside)."""
    result = {}
    for path, text in feeds_in(files).items():
        if path.startswith("events/"):
            continue
        result[path] = {str(e["UID"]).split("@")[0]: (str(e["STATUS"]), int(e["SEQUENCE"])) for e in ical_events(text)}
    return result


def texts_of(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` as text (iCalendar lines unfolded; a workbook's XML members joined)."""
    found = {}
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if zipfile.is_zipfile(BytesIO(data)):
            with zipfile.ZipFile(BytesIO(data)) as archive:
                text = "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
        else:
            text = data.decode("utf-8")
        found[path.relative_to(folder).as_posix()] = text.replace("\r\n ", "").replace("\r\n\t", "")
    return found


def release(root: Path, name: str, problem, schedule, previous: str | None) -> dict:
    """One publication of every output into root/name, over root/previous when given."""
    earlier = load_previous(root / previous, problem) if previous else None
    files = publish(problem, schedule, previous=earlier, published_at=STAMPS[name])
    write_tree_atomic(root / name, files)
    return files


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    """v1; v2: B moved out of room R1 and S2 taken off C; v3: D dropped; v4: P made private; v5: P public again."""
    root = tmp_path_factory.mktemp("lifecycle")
    speakers = [f.speaker("S1", name="Ana Perez"), f.speaker("S2", name="Bea Okafor"),
                f.speaker("SP", name=SECRET_SPEAKER)]
    a = f.event("A", speakers=("S1",), topics=("law",))
    b = f.event("B", topics=("law",))
    c = f.event("C", speakers=("S1", "S2"))
    d = f.event("D", format="virtual", attendance=None)
    p = f.event("P", title=SECRET_TITLE, format="hybrid", speakers=("SP",), topics=("quiet",),
                organizer=SECRET_ORGANIZER, link=SECRET_LINK)
    places = {"A": ("R1", "09:00"), "B": ("R1", "10:00"), "C": ("R2", "09:00"), "D": ("V1", "10:00"),
              "P": ("R2", "11:00")}

    def version(name, events, moved=None, previous=None):
        problem = f.problem(events, speakers)
        where = {**places, **(moved or {})}
        schedule = placed(problem, *((e.id, *where[e.id][:1], f.at(where[e.id][1])) for e in events))
        return release(root, name, problem, schedule, previous)

    c2 = replace(c, speakers=("S1",))
    files = {"v1": version("v1", [a, b, c, d, p])}
    moved = {"B": ("R2", "10:00")}
    files["v2"] = version("v2", [a, b, c2, d, p], moved, "v1")
    files["v3"] = version("v3", [a, b, c2, p], moved, "v2")
    files["v4"] = version("v4", [a, b, c2, replace(p, visibility="private")], moved, "v3")
    files["v5"] = version("v5", [a, b, c2, p], moved, "v4")
    return root, files


def test_every_feed_holds_exactly_the_expected_versions(walk):
    _, files = walk
    ok = ("CONFIRMED", 0)
    # v1: every event once, SEQUENCE 0
    v1 = {
        "all.ics": {"A": ok, "B": ok, "C": ok, "D": ok, "P": ok},
        "formats/in-person.ics": {"A": ok, "B": ok, "C": ok}, "formats/hybrid.ics": {"P": ok},
        "formats/online.ics": {"D": ok},
        "rooms/r1.ics": {"A": ok, "B": ok}, "rooms/r2.ics": {"C": ok, "P": ok}, "rooms/v1.ics": {"D": ok},
        "organizers/org-a.ics": {"A": ok}, "organizers/org-b.ics": {"B": ok}, "organizers/org-c.ics": {"C": ok},
        "organizers/org-d.ics": {"D": ok}, "organizers/quiet-org-qz.ics": {"P": ok},
        "speakers/s1.ics": {"A": ok, "C": ok}, "speakers/s2.ics": {"C": ok}, "speakers/sp.ics": {"P": ok},
        "topics/law.ics": {"A": ok, "B": ok}, "topics/quiet.ics": {"P": ok},
    }
    assert states(files["v1"]) == v1
    # v2: B and C changed (SEQUENCE 1); B is CANCELLED in room R1, C in the feed of the speaker taken off
    new, gone = ("CONFIRMED", 1), ("CANCELLED", 1)
    v2 = {path: dict(events) for path, events in v1.items()}
    for path in ("all.ics", "formats/in-person.ics", "organizers/org-b.ics", "topics/law.ics"):
        v2[path]["B"] = new
    for path in ("all.ics", "formats/in-person.ics", "organizers/org-c.ics", "speakers/s1.ics"):
        v2[path]["C"] = new
    v2["rooms/r1.ics"]["B"] = gone
    v2["rooms/r2.ics"] = {"B": new, "C": new, "P": ok}
    v2["speakers/s2.ics"]["C"] = gone
    assert states(files["v2"]) == v2
    # v3: D dropped, CANCELLED in its four feeds; the cancellations of v2 stay
    v3 = {path: dict(events) for path, events in v2.items()}
    for path in ("all.ics", "formats/online.ics", "rooms/v1.ics", "organizers/org-d.ics"):
        v3[path]["D"] = gone
    assert states(files["v3"]) == v3
    # v4: P private, CANCELLED in its six feeds
    v4 = {path: dict(events) for path, events in v3.items()}
    p_feeds = ("all.ics", "formats/hybrid.ics", "rooms/r2.ics", "organizers/quiet-org-qz.ics", "speakers/sp.ics",
               "topics/quiet.ics")
    for path in p_feeds:
        v4[path]["P"] = gone
    assert states(files["v4"]) == v4
    # v5: P public again, CONFIRMED with SEQUENCE 2 in every feed that held it cancelled
    v5 = {path: dict(events) for path, events in v4.items()}
    for path in p_feeds:
        v5[path]["P"] = ("CONFIRMED", 2)
    assert states(files["v5"]) == v5
    for name in ("v1", "v2", "v3", "v4", "v5"):
        check_feed_set({path[len("feeds/"):]: text for path, text in files[name].items() if path.startswith("feeds/")})


def test_a_cancelled_copy_stays_byte_for_byte_in_later_versions(walk):
    _, files = walk
    for event_id, path, since in (("B", "rooms/r1.ics", "v2"), ("C", "speakers/s2.ics", "v2"),
                                  ("D", "all.ics", "v3"), ("P", "speakers/sp.ics", "v4")):
        first = vevents(feeds_in(files[since])[path])[uid(event_id)]
        later = [name for name in ("v3", "v4", "v5") if name > since and not (event_id == "P" and name == "v5")]
        for name in later:
            assert vevents(feeds_in(files[name])[path])[uid(event_id)] == first, (event_id, path, name)


def test_cancelled_copies_carry_known_fields_only(walk):
    _, files = walk
    feeds = feeds_in(files["v4"])
    for path, text in feeds.items():
        for event in ical_events(text):
            if str(event["STATUS"]) == "CANCELLED":
                assert set(event) == CANCELLED_FIELDS, (path, set(event))
    b = next(e for e in ical_events(feeds["rooms/r1.ics"]) if str(e["UID"]) == uid("B"))
    assert b.decoded("DTSTART") == f.at("10:00") and str(b["SUMMARY"]) == "Event B"
    assert b.decoded("DTSTAMP") == STAMPS["v2"]
    (p,) = [e for e in vobject_events(feeds["speakers/sp.ics"])]
    assert (p.summary.value, p.status.value, int(p.sequence.value)) == ("Cancelled", "CANCELLED", 1)


def test_no_text_of_a_private_event_is_published_while_it_is_private(walk):
    root, _ = walk
    for name in ("v1", "v5"):  # the same texts are there while it is public
        everything = "".join(texts_of(root / name).values())
        assert all(secret in everything for secret in PRIVATE_TEXTS), name
    for path, text in texts_of(root / "v4").items():
        for secret in PRIVATE_TEXTS:
            assert secret not in text, (path, secret)


def test_a_feed_only_the_private_event_named_keeps_its_path_under_a_neutral_title(walk):
    _, files = walk
    v4 = {e["path"]: e for e in json.loads(files["v4"]["feeds/index.json"])["feeds"]}
    v5 = {e["path"]: e for e in json.loads(files["v5"]["feeds/index.json"])["feeds"]}
    for path in ("speakers/sp.ics", "organizers/quiet-org-qz.ics", "topics/quiet.ics"):
        assert (v4[path]["title"], v4[path]["id"], v4[path]["cancelled"]) == ("Withdrawn side events", None, 1)
    assert (v5["speakers/sp.ics"]["title"], v5["speakers/sp.ics"]["id"]) == (SECRET_SPEAKER, "SP")


# --- hand-edited feeds ----------------------------------------------------------------------------------


def test_hand_added_properties_never_reach_a_cancelled_copy(tmp_path):
    speakers = [f.speaker("S1")]
    a, b = f.event("A", speakers=("S1",)), f.event("B")
    problem = f.problem([a, b], speakers)
    release(tmp_path, "v1", problem, placed(problem, ("A", "R1", f.at("09:00")), ("B", "R1", f.at("10:00"))), None)
    hand = "X-HAND-NOTE:room booked by phone\r\nATTACH:https://files.example.org/agenda.pdf\r\n"

    def edit(name: str) -> None:
        for path in (tmp_path / name / "feeds").rglob("*.ics"):
            text = path.read_bytes().decode("utf-8")
            path.write_bytes(text.replace("END:VEVENT\r\n", hand + "END:VEVENT\r\n").encode("utf-8"))

    edit("v1")
    # v2: A moves out of room R1 (and changes), B is dropped
    problem2 = f.problem([a], speakers)
    v2 = release(tmp_path, "v2", problem2, placed(problem2, ("A", "R2", f.at("09:00"))), "v1")
    cancelled = [(path, e) for path, text in feeds_in(v2).items() for e in ical_events(text)
                 if str(e["STATUS"]) == "CANCELLED"]
    assert {(path, str(e["UID"])) for path, e in cancelled} >= {("rooms/r1.ics", uid("A")), ("rooms/r1.ics", uid("B")),
                                                              ("all.ics", uid("B"))}
    for path, event in cancelled:
        assert set(event) == CANCELLED_FIELDS, (path, set(event))
    assert not any("X-HAND-NOTE" in text or "agenda.pdf" in text for text in feeds_in(v2).values())
    # a hand edit of a cancelled copy is dropped too: the copy is published again, clean, one SEQUENCE up
    edit("v2")
    v3 = release(tmp_path, "v3", problem2, placed(problem2, ("A", "R2", f.at("09:00"))), "v2")
    assert not any("X-HAND-NOTE" in text or "agenda.pdf" in text for text in feeds_in(v3).values())
    r1 = {str(e["UID"]): e for e in ical_events(feeds_in(v3)["rooms/r1.ics"])}
    assert {u: (str(e["STATUS"]), int(e["SEQUENCE"])) for u, e in r1.items()} == {
        uid("A"): ("CANCELLED", 2), uid("B"): ("CANCELLED", 2)}
    assert all(set(e) == CANCELLED_FIELDS for e in r1.values())
