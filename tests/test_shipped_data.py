"""The shipped meeting data/ccpcj31: its stated properties, its README, and its feasibility.

The folder is read with the plain helpers of tests/test_generate.py (and with the project's loader);
feasibility is shown by the hidden placement that examples/build_ccpcj31.py makes, checked against
the files on disk, not against the script's own objects.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest

from tests.test_generate import (
    ALL_FORMATS,
    FILES,
    PHYSICAL,
    hard_rule_violations,
    project_check,
    read_folder,
    read_plain,
    tightness,
    truthy,
)

BUILD_SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "build_ccpcj31.py"


@pytest.fixture(scope="module")
def files(shipped_dir: Path) -> dict[str, str]:
    """The shipped meeting's files as texts."""
    return read_folder(shipped_dir)


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    """examples/build_ccpcj31.py loaded as a module."""
    spec = importlib.util.spec_from_file_location("build_ccpcj31", BUILD_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_all_files_present(shipped_dir):
    for name in (*FILES, "README.md"):
        assert (shipped_dir / name).is_file(), name
    assert not list(shipped_dir.glob("*.py")), "scripts live in examples/, not in the data folder"


def test_meeting_frame(files):
    m = read_plain(files)
    assert m.toml["id"] == "ccpcj31"
    assert str(m.tz) == "Europe/Vienna"
    assert m.days == [date(2022, 5, d) for d in range(16, 21)]
    assert m.remote_hours == (time(7, 0), time(22, 0))
    physical_starts = sorted({s.start.strftime("%H:%M") for d in m.slots.values() for s in d
                              if set(s.formats) & set(PHYSICAL)})
    assert physical_starts[:2] == ["08:10", "13:10"]
    assert any(set(s.formats) == {"virtual"} for d in m.slots.values() for s in d)
    reasons = " ".join(b["reason"] for b in m.toml["blocked"]).lower()
    assert "opening" in reasons and "thematic" in reasons
    opening = next(b for b in m.blocked if b[0].date() == date(2022, 5, 16))
    assert opening[0].hour < 12 and set(opening[2]) == set(PHYSICAL)


def test_rooms_and_channels(files):
    m = read_plain(files)
    physical = [r for r in m.rooms.values() if r["kind"] == "physical"]
    virtual = [r for r in m.rooms.values() if r["kind"] == "virtual"]
    assert 8 <= len(physical) <= 12
    assert 3 <= len(virtual) <= 4
    seats = [int(r["capacity"]) for r in physical]
    assert min(seats) >= 20 and max(seats) <= 400 and min(seats) < 50 and max(seats) > 250
    assert any(truthy(r["hybrid"]) for r in physical) and not all(truthy(r["hybrid"]) for r in physical)
    assert {"Boardroom B", "Conference Room M3", "Conference Room M7"} <= {r["name"] for r in physical}
    assert {r["building"] for r in physical} >= {"M", "C"}


def test_events(files):
    m = read_plain(files)
    events = list(m.events.values())
    assert len(events) >= 84
    formats = Counter(e["format"] for e in events)
    assert set(formats) == set(ALL_FORMATS)
    durations = Counter(int(e["duration"]) for e in events)
    assert durations[50] > len(events) / 2 and durations[110] >= 5
    organizers = {e["organizer"] for e in events}
    assert any(o.startswith("Permanent Mission of ") for o in organizers)
    assert {"UNODC", "UN Women", "UNICRI"} <= organizers
    titles = [e["title"] for e in events]
    assert any("," in t for t in titles) and any('"' in t for t in titles) and any("&" in t for t in titles)
    assert any("Côte d'Ivoire" in t or "México" in t for t in titles + sorted(organizers))
    topics = Counter(t for e in events for t in m.split(e["topics"]))
    for theme in ("cybercrime", "digital-evidence", "child-protection", "wildlife", "reoffending",
                  "kyoto-declaration", "women-in-justice", "corruption", "trafficking-in-persons",
                  "smuggling-of-migrants", "firearms", "prisons", "youth", "restorative-justice",
                  "environmental-crime", "money-laundering"):
        assert topics[theme] >= 1, theme
    assert all(" " not in t for t in topics)
    assert any(e["link"].startswith("https://") and ".example." in e["link"] for e in events)
    assert not any(e["link"] and ".example." not in e["link"] for e in events)
    assert sum(bool(e["description"]) for e in events) >= 10
    assert 1 <= sum(e["visibility"] == "private" for e in events) <= 5
    assert any(e["room"] for e in events) and any(e["start"] for e in events)
    assert any(e["preferred_days"] for e in events) and any(e["preferred_starts"] for e in events)
    assert len({e["priority"] for e in events}) >= 3
    assert all(e["attendance"] for e in events if e["format"] in PHYSICAL)


def test_speakers(files):
    m = read_plain(files)
    speakers = list(m.speakers.values())
    assert len(speakers) >= 150
    remote = [s for s in speakers if truthy(s["remote"])]
    assert len(remote) / len(speakers) >= 0.30
    zones = {s["timezone"] for s in remote}
    assert len(zones) >= 12
    standard = []
    for zone in zones:
        tz = ZoneInfo(zone)
        offsets = [datetime(2022, month, 1, 12, tzinfo=tz).utcoffset().total_seconds() / 3600 for month in (1, 7)]
        standard.append(min(offsets))
    assert min(standard) <= -8 and max(standard) >= 12
    assert {"America/Los_Angeles", "Pacific/Auckland"} <= zones
    assert any(s["earliest"] or s["latest"] for s in remote)
    assert 1 <= sum(bool(s["email"]) for s in speakers) < len(speakers) / 5
    assert all(not s["email"] or s["email"].split("@")[1].startswith("example.") for s in speakers)


def test_in_person_events_have_no_remote_speakers(files):
    m = read_plain(files)
    for e in m.events.values():
        if e["format"] == "in_person":
            assert not any(truthy(m.speakers[s]["remote"]) for s in m.split(e["speakers"])), e["id"]


def test_unavailability(files):
    m = read_plain(files)
    kinds = Counter(u["kind"] for u in m.unavailability)
    assert kinds["room"] >= 1 and kinds["speaker"] >= 1 and kinds["organizer"] >= 1
    organizers = {e["organizer"] for e in m.events.values()}
    for u in m.unavailability:
        known = {"room": m.rooms, "speaker": m.speakers, "organizer": organizers}[u["kind"]]
        assert u["id"] in known
        assert m.local(u["start"]) < m.local(u["end"])


def test_tight_enough(files):
    demand, supply = tightness(files)
    assert demand <= supply
    assert demand / supply >= 0.70, f"{demand}/{supply}"


def test_readme_says_illustrative_and_counts_match(files, shipped_dir):
    text = (shipped_dir / "README.md").read_text(encoding="utf-8")
    assert "not the official programme" in text.lower()
    assert "illustrative" in text.lower() and "fictitious" in text.lower()
    assert "examples/build_ccpcj31.py" in text
    m = read_plain(files)
    assert f"{len(m.events)} side events" in text
    assert f"{len(m.speakers)} speakers" in text
    demand, supply = tightness(files)
    assert f"need {demand} of the {supply}" in text


def test_hidden_placement_obeys_every_hard_rule(files, builder):
    built = builder.build()
    assert hard_rule_violations(files, built.witness) == []


def test_project_loader_and_checker_accept_it(files, builder, tmp_path):
    caught, violations = project_check(files, builder.build().witness, tmp_path)
    assert caught == []
    assert violations == []


def test_build_script_reproduces_the_folder(files, builder, shipped_dir):
    wanted = builder.files()
    assert sorted(wanted) == sorted((*FILES, "README.md"))
    for name in FILES:
        assert wanted[name] == files[name], f"{name} differs from what examples/build_ccpcj31.py builds"
    assert wanted["README.md"] == (shipped_dir / "README.md").read_text(encoding="utf-8")
    assert builder.main(["--check", "--out", str(shipped_dir)]) == 0

