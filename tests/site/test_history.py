"""A site walked through five releases (an event moved out of a room, a speaker taken off, one dropped,
one made private, then restored), feed by feed; a release of an unchanged programme; the feed record's
round trip; hand edits of published files; a folder without history refused."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from scheduler.errors import UsageError
from scheduler.export.ics import build_feed_state
from scheduler.export.ledger import ledger_json, read_ledger
from scheduler.output import write_tree_atomic
from scheduler.publication import publish
from scheduler.site import make_release, open_site, write_release
from tests import factory as f
from tests.export.test_feeds_lifecycle import CANCELLED_FIELDS, texts_of
from tests.export.test_ics import check_feed_set, ical_events, placed

UTC = timezone.utc
T0 = datetime(2022, 5, 1, 9, 0, tzinfo=UTC)
STAMPS = {n: T0 + timedelta(days=n) for n in range(1, 7)}
PUBLIC_P = {"title": "Briefing on witness protection", "organizer": "Org Pee", "link": "https://meet.example.org/p"}
# What P says only while it is private: no file of the site may ever hold these.
PRIVATE_P = {"title": "Closed Briefing Xyzzy", "organizer": "Quiet Org Qz", "link": "https://meet.example.org/secret"}
PRIVATE_SPEAKER = "Zora Hiddenname"
OK, NEW, GONE = ("CONFIRMED", 0), ("CONFIRMED", 1), ("CANCELLED", 1)


def states(site: Path) -> dict[str, dict[str, tuple[str, int]]]:
    """Feed path -> event id -> (STATUS, SEQUENCE), as icalendar reads each feed of the site."""
    result = {}
    for path in sorted((site / "feeds").rglob("*.ics")):
        events = ical_events(path.read_bytes().decode("utf-8"))
        result[path.relative_to(site / "feeds").as_posix()] = {
            str(e["UID"]).split("@")[0]: (str(e["STATUS"]), int(e["SEQUENCE"])) for e in events}
    return result


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def programme(number: int):
    """The meeting and schedule of release ``number`` of the walk."""
    speakers = [f.speaker("S1", name="Ana Perez"), f.speaker("S2", name="Bea Okafor"),
                f.speaker("SP", name="Paul Public"), f.speaker("SX", name=PRIVATE_SPEAKER)]
    a = f.event("A", speakers=("S1",), topics=("law",))
    b = f.event("B", topics=("law",))
    c = f.event("C", speakers=("S1", "S2"))
    d = f.event("D", format="virtual", attendance=None)
    p = f.event("P", format="hybrid", speakers=("SP",), topics=("quiet",), **PUBLIC_P)
    where = {"A": ("R1", "09:00"), "B": ("R1", "10:00"), "C": ("R2", "09:00"), "D": ("V1", "10:00"),
             "P": ("R2", "11:00")}
    events = [a, b, c, d, p]
    if number >= 2:  # B moves out of room R1; S2 is taken off C
        where["B"] = ("R2", "10:00")
        events[2] = replace(c, speakers=("S1",))
    if number >= 3:  # D is dropped
        events.remove(d)
    if number == 4:  # P becomes private, and is changed while private
        events[-1] = replace(p, visibility="private", speakers=("SX",), **PRIVATE_P)
    problem = f.problem(events, speakers)
    schedule = placed(problem, *((e.id, where[e.id][0], f.at(where[e.id][1])) for e in events))
    return problem, schedule


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    """The site after each release: root/site is the live site, root/after-<n> a copy of it after release n."""
    import shutil

    root = tmp_path_factory.mktemp("site")
    site = root / "site"
    releases = {}
    for number in range(1, 6):
        problem, schedule = programme(number)
        release = make_release(problem, schedule, open_site(site, problem), published_at=STAMPS[number])
        assert release is not None and release.number == number
        write_release(site, release)
        releases[number] = release
        shutil.copytree(site, root / f"after-{number}")
    return root, releases


def test_every_feed_holds_exactly_the_expected_versions_release_by_release(walk):
    root, _ = walk
    r1 = {
        "all.ics": {"A": OK, "B": OK, "C": OK, "D": OK, "P": OK},
        "formats/in-person.ics": {"A": OK, "B": OK, "C": OK}, "formats/hybrid.ics": {"P": OK},
        "formats/online.ics": {"D": OK},
        "rooms/r1.ics": {"A": OK, "B": OK}, "rooms/r2.ics": {"C": OK, "P": OK}, "rooms/v1.ics": {"D": OK},
        "organizers/org-a.ics": {"A": OK}, "organizers/org-b.ics": {"B": OK}, "organizers/org-c.ics": {"C": OK},
        "organizers/org-d.ics": {"D": OK}, "organizers/org-pee.ics": {"P": OK},
        "speakers/s1.ics": {"A": OK, "C": OK}, "speakers/s2.ics": {"C": OK}, "speakers/sp.ics": {"P": OK},
        "topics/law.ics": {"A": OK, "B": OK}, "topics/quiet.ics": {"P": OK},
        **{f"events/{e.lower()}.ics": {e: OK} for e in "ABCDP"},
    }
    assert states(root / "after-1") == r1
    r2 = {path: dict(events) for path, events in r1.items()}
    for path in ("all.ics", "formats/in-person.ics", "organizers/org-b.ics", "topics/law.ics", "events/b.ics"):
        r2[path]["B"] = NEW
    for path in ("all.ics", "formats/in-person.ics", "organizers/org-c.ics", "speakers/s1.ics", "events/c.ics"):
        r2[path]["C"] = NEW
    r2["rooms/r1.ics"]["B"] = GONE  # moved out of the room: cancelled there
    r2["rooms/r2.ics"] = {"B": NEW, "C": NEW, "P": OK}
    r2["speakers/s2.ics"]["C"] = GONE  # the speaker taken off: cancelled in their feed
    assert states(root / "after-2") == r2
    r3 = {path: dict(events) for path, events in r2.items()}
    for path in ("all.ics", "formats/online.ics", "rooms/v1.ics", "organizers/org-d.ics", "events/d.ics"):
        r3[path]["D"] = GONE
    assert states(root / "after-3") == r3
    r4 = {path: dict(events) for path, events in r3.items()}
    p_feeds = ("all.ics", "formats/hybrid.ics", "rooms/r2.ics", "organizers/org-pee.ics", "speakers/sp.ics",
               "topics/quiet.ics", "events/p.ics")
    for path in p_feeds:
        r4[path]["P"] = GONE
    assert states(root / "after-4") == r4
    r5 = {path: dict(events) for path, events in r4.items()}
    for path in p_feeds:
        r5[path]["P"] = ("CONFIRMED", 2)
    assert states(root / "after-5") == r5
    for number in range(1, 6):
        feeds = root / f"after-{number}" / "feeds"
        check_feed_set({p.relative_to(feeds).as_posix(): p.read_bytes().decode("utf-8")
                        for p in feeds.rglob("*") if p.is_file()})


def test_a_private_event_leaves_only_a_neutral_cancelled_copy_and_its_private_text_is_nowhere(walk):
    root, _ = walk
    site = root / "after-4"
    for path, text in texts_of(site).items():
        for secret in (*PRIVATE_P.values(), PRIVATE_SPEAKER):
            assert secret not in text, (path, secret)
    # the current release and its own record no longer name P's public text either
    current = {path: text for path, text in texts_of(site).items()
               if not path.startswith("releases/") or path.startswith("releases/4/")}
    for path, text in current.items():
        assert PUBLIC_P["title"] not in text and PUBLIC_P["link"] not in text, path
    for text in (site / "feeds").rglob("*.ics"):
        for event in ical_events(text.read_text(encoding="utf-8")):
            if str(event["UID"]).startswith("P@"):
                assert set(event) == CANCELLED_FIELDS and str(event["SUMMARY"]) == "Cancelled"
    # and no later release's text mentions it: the restored P is public again with its public text
    assert PUBLIC_P["title"] in (root / "after-5" / "feeds" / "all.ics").read_text(encoding="utf-8")


def test_each_release_records_what_changed(walk):
    root, releases = walk
    site = root / "after-5"
    changes = {n: json.loads((site / "releases" / str(n) / "changes.json").read_text()) for n in range(1, 6)}
    assert [c["id"] for c in changes[1]["added"]] == ["A", "C", "B", "D", "P"]
    (moved,) = changes[2]["moved"]
    assert (moved["id"], moved["from"]["room"], moved["to"]["room"]) == ("B", "Room M1", "Boardroom B")
    assert changes[3]["cancelled"] == [{"id": "D", "title": "Event D"}]
    assert (changes[4]["withdrawn"], changes[4]["cancelled"], changes[4]["added"]) == (1, [], [])
    assert "P" not in (site / "releases/4/changes.md").read_text() and "1 event(s)" in (
        site / "releases/4/changes.md").read_text()
    assert [c["id"] for c in changes[5]["added"]] == ["P"]
    index = json.loads((site / "releases/index.json").read_text())
    assert [(r["number"], r["published_at"]) for r in index["releases"]] == [
        (n, STAMPS[n].strftime("%Y-%m-%dT%H:%M:%SZ")) for n in range(1, 6)]
    changelog = (site / "changelog.md").read_text()
    assert changelog.index("## Release 5") < changelog.index("## Release 1")
    landing = (site / "index.html").read_text()
    assert "Release 5" in landing and 'href="releases/2/changes.md"' in landing
    # every release is kept as it was written: release 1's files in the final site are those of after-1
    assert {k: v for k, v in digest(site).items() if k.startswith("releases/1/")} == {
        k: v for k, v in digest(root / "after-1").items() if k.startswith("releases/1/")}


def test_an_unchanged_programme_makes_no_new_release_and_touches_nothing(walk, tmp_path):
    root, _ = walk
    import shutil

    site = tmp_path / "site"
    shutil.copytree(root / "after-5", site)
    before = digest(site)
    problem, schedule = programme(5)
    assert make_release(problem, schedule, open_site(site, problem), published_at=STAMPS[6]) is None
    assert make_release(problem, schedule, open_site(site, problem)) is None  # "now" changes nothing either
    assert digest(site) == before
    # a real change does make release 6, stamped now (no --published-at)
    moved = placed(problem, ("A", "R1", f.at("12:00")), ("B", "R2", f.at("10:00")), ("C", "R2", f.at("09:00")),
                   ("P", "R2", f.at("11:00")))
    release = make_release(problem, moved, open_site(site, problem))
    assert release is not None and release.number == 6
    assert release.published_at > STAMPS[5] and release.published_at.tzinfo is not None


def test_hand_edits_of_published_feeds_never_reach_the_next_release(walk, tmp_path):
    root, _ = walk
    import shutil

    site = tmp_path / "site"
    shutil.copytree(root / "after-2", site)
    for path in (site / "feeds").rglob("*.ics"):
        text = path.read_bytes().decode("utf-8")
        path.write_bytes(text.replace("END:VEVENT\r\n", "X-HAND-NOTE:booked by phone\r\nEND:VEVENT\r\n").encode())
    problem, schedule = programme(3)
    release = make_release(problem, schedule, open_site(site, problem), published_at=STAMPS[3])
    write_release(site, release)
    assert not any("X-HAND-NOTE" in p.read_text(encoding="utf-8") for p in (site / "feeds").rglob("*.ics"))
    assert digest(site / "feeds") == digest(root / "after-3" / "feeds")


def test_the_feed_record_reads_back_as_written():
    problem, schedule = programme(1)
    state = build_feed_state(problem, schedule, published_at=STAMPS[1])

    def write_and_read(tmp: Path):
        path = tmp / "feeds.json"
        path.write_text(ledger_json(state), encoding="utf-8")
        return read_ledger(path, schedule)

    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        record = write_and_read(Path(folder))
    assert record.published_at == STAMPS[1]
    assert {uid: set(held) for uid, held in record.held.items()} == {uid: set(h) for uid, h in state.held.items()}
    for uid, held in state.held.items():
        for path, version in held.items():
            back = record.held[uid][path]
            assert (back.text, back.sequence, back.status, back.dtstart, back.dtend) == (
                version.text, version.sequence, version.status, version.dtstart, version.dtend)
            assert back.dtstart.tzinfo == version.dtstart.tzinfo  # the zone itself, so TZID is written again


def test_a_folder_with_files_but_no_history_is_refused_unless_adopted(tmp_path):
    problem, schedule = programme(1)
    out = tmp_path / "out"
    write_tree_atomic(out, publish(problem, schedule, published_at=STAMPS[1]))
    with pytest.raises(UsageError, match="no release history.*--adopt"):
        open_site(out, problem)
    problem2, schedule2 = programme(2)
    site = open_site(out, problem2, adopt=True)
    release = make_release(problem2, schedule2, site, published_at=STAMPS[2])
    write_release(out, release)
    assert release.number == 1
    assert states(out)["rooms/r1.ics"]["B"] == GONE  # the adopted folder's subscribers see B leave R1


def test_a_release_stamped_before_the_previous_one_is_refused(walk, tmp_path):
    root, _ = walk
    import shutil

    site = tmp_path / "site"
    shutil.copytree(root / "after-2", site)
    problem, schedule = programme(3)
    with pytest.raises(UsageError, match="earlier than the previous publication"):
        make_release(problem, schedule, open_site(site, problem), published_at=STAMPS[1])
