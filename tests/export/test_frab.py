"""frab/schedule.xml and frab/schedule.json: valid against the c3voc schemas, stable ids, public only."""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduler.errors import UsageError
from scheduler.export.frab import (
    EXPORTERS,
    acronym,
    event_guid,
    frab_document,
    frab_ids,
    frab_json,
    frab_xml,
    room_labels,
)
from scheduler.export.view import ProgrammeView, build_view
from scheduler.grid import SlotSpec
from scheduler.model import Assignment, Room, Schedule
from tests.export.programme import (
    IMG_TITLE,
    PRIVATE_ORGANIZER,
    PRIVATE_TITLE,
    PUBLIC_SCHEDULED,
    SCRIPT_TITLE,
    SECRET_EMAIL,
    generated,
    sample_schedule,
    sample_view,
    shipped,
)
from tests.factory import event, meeting, problem

xmlschema = pytest.importorskip("xmlschema")
jsonschema = pytest.importorskip("jsonschema")


@cache
def _xml_schema(path: Path):  # noqa: ANN202 - xmlschema.XMLSchema
    return xmlschema.XMLSchema(str(path))


@pytest.fixture
def schemas(shared_dir: Path):  # noqa: ANN201 - (validate_xml, validate_json)
    """Validators for the two c3voc schemas in ../shared/external/frab (skipped when absent)."""
    folder = shared_dir / "external" / "frab"
    if not (folder / "schedule.xml.xsd").exists():
        pytest.skip("../shared/external/frab/schedule.xml.xsd is not there")
    xsd = _xml_schema(folder / "schedule.xml.xsd")
    json_schema = json.loads((folder / "schedule.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft6Validator(json_schema, format_checker=jsonschema.FormatChecker())

    def validate_xml(text: str) -> None:
        errors = list(xsd.iter_errors(text))
        assert not errors, errors[0]

    def validate_json(text: str) -> None:
        errors = sorted(validator.iter_errors(json.loads(text)), key=lambda e: list(e.absolute_path))
        assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:3]]

    return validate_xml, validate_json


def _events(xml_text: str) -> dict[str, ET.Element]:
    return {element.get("guid"): element for element in ET.fromstring(xml_text).iter("event")}


def test_sample_validates_against_both_schemas(schemas) -> None:  # noqa: ANN001
    validate_xml, validate_json = schemas
    view = sample_view()
    validate_xml(frab_xml(view))
    validate_json(frab_json(view))
    validate_xml(frab_xml(view, base_url="https://side-events.example.org/ccpcj/"))
    validate_json(frab_json(view, base_url="https://side-events.example.org/ccpcj/"))


def test_generated_thousand_event_meeting_validates(schemas) -> None:  # noqa: ANN001
    validate_xml, validate_json = schemas
    prob, schedule = generated()
    view = build_view(prob, schedule)
    xml_text, json_text = frab_xml(view), frab_json(view)
    validate_xml(xml_text)
    validate_json(json_text)
    public = [a for a in schedule.assignments if a.scheduled and prob.event(a.event_id).is_public]
    assert len(_events(xml_text)) == len(public) > 900
    assert {e.get("guid") for e in _events(xml_text).values()} == {event_guid(prob.meeting, a.event_id)
                                                                   for a in public}


def test_shipped_meeting_validates(schemas, shipped_dir: Path) -> None:  # noqa: ANN001
    validate_xml, validate_json = schemas
    prob, schedule = shipped(shipped_dir)
    view = build_view(prob, schedule)
    xml_text = frab_xml(view)
    validate_xml(xml_text)
    validate_json(frab_json(view))
    assert len(_events(xml_text)) == len(view.events) == sum(
        1 for a in schedule.assignments if a.scheduled and prob.event(a.event_id).is_public)
    for speaker in prob.speakers:
        if speaker.email:
            assert speaker.email not in xml_text


def test_events_carry_the_public_fields() -> None:
    view = sample_view()
    meeting_ = view.meeting
    events = _events(frab_xml(view))
    assert len(events) == len(PUBLIC_SCHEDULED)
    e02 = events[event_guid(meeting_, "E02")]
    assert e02.findtext("date") == "2022-03-25T09:00:00+01:00"
    assert e02.findtext("start") == "09:00" and e02.findtext("duration") == "01:50"
    assert e02.findtext("room") == "Boardroom B" and e02.findtext("type") == "Hybrid"
    assert e02.findtext("subtitle") == "UNODC" and e02.findtext("track") == "cybercrime"
    assert e02.findtext("abstract") == "First line.\nSecond line with <b>tags</b>."
    assert [p.text for p in e02.find("persons")] == ["Kwame Mensah"]
    assert [(link.get("href"), link.text) for link in e02.find("links")] == [
        ("https://meet.example.org/e02", "Join online")]
    e04 = events[event_guid(meeting_, "E04")]
    assert e04.findtext("date") == "2022-03-28T11:00:00+02:00"  # after the DST change
    e07 = events[event_guid(meeting_, "E07")]
    assert list(e07.find("links")) == []  # a javascript: link is not published as a link


def test_hostile_text_round_trips_as_text() -> None:
    view = sample_view()
    xml_text = frab_xml(view)
    titles = {e.findtext("title") for e in _events(xml_text).values()}
    assert SCRIPT_TITLE in titles and f"Line one\nline two {IMG_TITLE}" in titles
    assert "<script>" not in xml_text
    document = json.loads(frab_json(view))
    json_titles = {e["title"] for day in document["schedule"]["conference"]["days"]
                   for events in day["rooms"].values() for e in events}
    assert json_titles == titles


def test_private_events_and_emails_are_absent() -> None:
    view = sample_view()
    for text in (frab_xml(view), frab_json(view)):
        for secret in (PRIVATE_TITLE, PRIVATE_ORGANIZER, SECRET_EMAIL, "secret-topic", "Waiting for a room"):
            assert secret not in text


def test_xml_and_json_describe_the_same_events() -> None:
    view = sample_view()
    xml_events = _events(frab_xml(view))
    document = frab_document(view)
    json_events = {e["guid"]: e for day in document["schedule"]["conference"]["days"]
                   for events in day["rooms"].values() for e in events}
    assert set(xml_events) == set(json_events)
    for guid, element in xml_events.items():
        record = json_events[guid]
        assert element.get("id") == str(record["id"])
        for tag in ("date", "start", "duration", "room", "slug", "title", "type"):
            assert element.findtext(tag) == record[tag], tag


def test_guids_ids_and_slugs_are_stable_and_unique() -> None:
    view = sample_view()
    document = frab_document(view)
    events = [e for day in document["schedule"]["conference"]["days"] for es in day["rooms"].values() for e in es]
    assert len({e["guid"] for e in events}) == len({e["id"] for e in events}) == len({e["slug"] for e in events})
    e01 = next(e for e in events if e["title"].startswith("Opening"))
    assert e01["guid"] == str(uuid.uuid5(uuid.NAMESPACE_URL, "E01@test.example.org"))
    assert e01["slug"] == f"ccpcj_test-{e01['id']}-opening-with-commas-and-quotes"
    # An event's id does not depend on which other events exist.
    assert frab_ids(view.meeting, ["E01", "E02"])["E01"] == frab_ids(view.meeting, ["E01"])["E01"] == e01["id"]


def test_id_collisions_take_the_next_free_number() -> None:
    ids = frab_ids(meeting(), [f"E{i}" for i in range(5000)])
    assert len(set(ids.values())) == 5000
    assert all(1_000_000 <= number <= 9_999_999 for number in ids.values())


def test_days_rooms_and_conference_header() -> None:
    view = sample_view()
    root = ET.fromstring(frab_xml(view))
    assert root.findtext("conference/acronym") == "ccpcj_test"
    assert root.findtext("conference/days") == "2" and root.findtext("conference/time_zone_name") == "Europe/Vienna"
    assert root.findtext("conference/timeslot_duration") == "00:10"
    assert sorted(t.get("name") for t in root.findall("conference/track")) == ["crime", "cybercrime", "drugs"]
    days = root.findall("day")
    assert [(d.get("index"), d.get("date")) for d in days] == [("1", "2022-03-25"), ("2", "2022-03-28")]
    assert days[0].get("start") == "2022-03-25T09:00:00+01:00" and days[1].get("end") == "2022-03-28T12:50:00+02:00"
    assert [r.get("name") for r in days[1].findall("room")] == ["Room M1", "Boardroom B", "Online 1"]
    assert root.findtext("version") == "2022-03-20T08:00:00Z"


def test_base_url_links_events_to_the_html_timetable() -> None:
    view = sample_view()
    root = ET.fromstring(frab_xml(view, base_url="https://side-events.example.org/"))
    urls = [e.findtext("url") for e in root.iter("event")]
    assert all(url.startswith("https://side-events.example.org/timetable.html#event-") for url in urls)
    assert root.findtext("conference/base_url") == "https://side-events.example.org/"
    document = frab_document(view)  # without a base URL the event url is the guid as a URN
    first = next(iter(document["schedule"]["conference"]["days"][0]["rooms"].values()))[0]
    assert first["url"] == f"urn:uuid:{first['guid']}"
    assert all(e.find("url") is None for e in ET.fromstring(frab_xml(view)).iter("event"))
    with pytest.raises(UsageError, match="base-url"):
        frab_xml(view, base_url="javascript:alert(1)//")


def test_odd_meeting_ids_zones_and_room_names_still_validate(schemas) -> None:  # noqa: ANN001
    validate_xml, validate_json = schemas
    zone = ZoneInfo("Etc/GMT-3")
    the_meeting = meeting(id="M1", timezone="Etc/GMT-3", days=(date(2024, 1, 8),))
    rooms = (Room("A", "Hall", "physical", 50), Room("B", "Hall", "physical", 50), Room("V", "", "virtual"))
    prob = problem([event("X", title="日本語のタイトル"), event("Y", title="\x07Bell", format="virtual")],
                   the_meeting=the_meeting, the_rooms=rooms, specs=[SlotSpec(time(0, 0), time(1, 0))])
    start = datetime(2024, 1, 8, 0, 0, tzinfo=zone)
    end = datetime(2024, 1, 8, 0, 50, tzinfo=zone)
    view = build_view(prob, Schedule((Assignment("X", "B", start, end), Assignment("Y", "V", start, end))))
    assert acronym(the_meeting) == "m1__"
    assert room_labels(rooms) == {"A": "Hall (A)", "B": "Hall (B)", "V": "(V)"}
    xml_text, json_text = frab_xml(view), frab_json(view)
    validate_xml(xml_text)
    validate_json(json_text)
    assert "time_zone_name" not in json.loads(json_text)["schedule"]["conference"]
    titles = {e.findtext("title"): e.findtext("slug") for e in ET.fromstring(xml_text).iter("event")}
    assert set(titles) == {"日本語のタイトル", "Bell"}
    assert titles["日本語のタイトル"].startswith("m1__-") and titles["日本語のタイトル"].count("-") == 1


def test_exporters_are_deterministic_with_metadata() -> None:
    assert [(e.path, e.media_type) for e in EXPORTERS] == [
        ("frab/schedule.xml", "application/vnd.c3voc.schedule+xml"), ("frab/schedule.json", "application/json")]
    for exporter in EXPORTERS:
        assert exporter.render(sample_view()) == exporter.render(sample_view())


def test_version_is_a_content_digest_without_published_at() -> None:
    view = sample_view()
    bare = ProgrammeView(view.problem, view.days, view.events, view.unscheduled, {})
    version = frab_document(bare)["schedule"]["version"]
    assert version.startswith("sha256:")
    assert frab_document(bare)["schedule"]["version"] == version
    moved = Schedule(tuple(a if a.event_id != "E01" else Assignment("E01") for a in sample_schedule(view.problem)
                           .assignments))
    assert frab_document(build_view(view.problem, moved))["schedule"]["version"] not in (version, None)
