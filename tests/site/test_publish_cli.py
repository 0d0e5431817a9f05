"""The publishing commands as a user runs them: ``publish`` and ``solve --publish`` make releases (none
for an unchanged programme), a folder without history is refused, one writer at a time, and ``solve
--out`` into a live output folder continues its feeds instead of stranding subscribers."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from scheduler.output import hold
from tests.export.test_ics import ical_events

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "ccpcj31"
SCENARIO = ROOT / "examples" / "scenarios" / "room-closed-wednesday.toml"
FAST = ("--time-limit", "8", "--workers", "1", "-q")


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scheduler", *map(str, args)], capture_output=True, text=True,
                          timeout=180, env={**os.environ, **(env or {})})


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def feed_states(folder: Path) -> dict[str, dict[str, tuple[str, int]]]:
    return {p.relative_to(folder / "feeds").as_posix(): {
        str(e["UID"]).split("@")[0]: (str(e["STATUS"]), int(e["SEQUENCE"]))
        for e in ical_events(p.read_bytes().decode("utf-8"))} for p in sorted((folder / "feeds").rglob("*.ics"))}


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    """The shipped meeting solved once into an output folder."""
    out = tmp_path_factory.mktemp("solved") / "out"
    result = run("solve", DATA, "--out", out, *FAST)
    assert result.returncode == 0, result.stderr
    return out


def test_publish_makes_a_release_then_none_for_the_same_schedule(solved, tmp_path):
    site = tmp_path / "site"
    first = run("publish", DATA, solved / "schedule.csv", "--site", site, "--published-at", "2022-05-01T08:00Z",
                "--base-url", "https://example.org/ccpcj31")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("release 1 published 2022-05-01 08:00 UTC (97 added)")
    before = digest(site)
    again = run("publish", DATA, solved / "schedule.csv", "--site", site, "--base-url", "https://example.org/ccpcj31")
    assert again.returncode == 0 and again.stdout.startswith("no change since release 1"), again.stdout
    assert digest(site) == before
    index = json.loads((site / "feeds/index.json").read_text())
    assert index["feeds"][0]["url"] == "https://example.org/ccpcj31/feeds/all.ics"
    assert index["feeds"][0]["webcal"] == "webcal://example.org/ccpcj31/feeds/all.ics"
    assert "webcal://example.org/ccpcj31/feeds/all.ics" in (site / "timetable.html").read_text()


def test_solve_publish_re_plans_against_the_current_release_and_stamps_it_now(solved, tmp_path):
    site = tmp_path / "site"
    assert run("publish", DATA, solved / "schedule.csv", "--site", site,
               "--published-at", "2022-05-01T08:00Z").returncode == 0
    started = datetime.now(timezone.utc).replace(microsecond=0)
    result = run("solve", DATA, "--scenario", SCENARIO, "--publish", site, *FAST)
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("release 2 published"), line
    release = json.loads((site / "releases/2/release.json").read_text())
    assert datetime.fromisoformat(release["published_at"]) >= started - timedelta(seconds=1)  # now, not old mtimes
    changes = json.loads((site / "releases/2/changes.json").read_text())
    moved = {c["id"] for c in changes["moved"]}
    plan = json.loads((site / "schedule.json").read_text())
    assert moved == {m["event_id"] for m in plan["moves"]} and 0 < len(moved) <= 6
    states = feed_states(site)
    for event_id in moved:
        assert states["all.ics"][event_id] == ("CONFIRMED", 1)
    closed = [p for p, events in states.items() if p.startswith("rooms/")
              and any(status == "CANCELLED" for status, _ in events.values())]
    assert closed  # the events moved out of the closed room are cancelled in its feed
    assert (site / "scenario.toml").is_file()
    # the scenario dropped in release 3: its file leaves the stable paths with it
    third = run("publish", DATA, solved / "schedule.csv", "--site", site)
    assert third.returncode == 0 and third.stdout.startswith("release 3"), third.stdout
    assert not (site / "scenario.toml").exists() and (site / "releases/2/schedule.csv").is_file()


def test_a_folder_without_history_is_refused_with_what_to_do(solved):
    result = run("publish", DATA, solved / "schedule.csv", "--site", solved)
    assert result.returncode == 2
    assert "no release history" in result.stderr and "--adopt" in result.stderr and "Traceback" not in result.stderr


def test_a_second_writer_stops_with_a_message(solved, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    with hold(site):
        result = run("publish", DATA, solved / "schedule.csv", "--site", site)
        solving = run("solve", DATA, "--publish", site, *FAST)
    assert result.returncode == 2 and "being written by another run" in result.stderr
    assert solving.returncode == 2 and "being written by another run" in solving.stderr
    assert list(site.iterdir()) == []


def test_a_schedule_that_breaks_a_rule_is_not_published(solved, tmp_path):
    lines = (solved / "schedule.csv").read_text().splitlines()
    a, b = lines[1].split(","), lines[2].split(",")
    b[2:5] = a[2:5]  # the second event in the first one's room at its time
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], ",".join(a), ",".join(b), *lines[3:]]) + "\n")
    result = run("publish", DATA, bad, "--site", tmp_path / "site")
    assert result.returncode == 1 and "hard rule" in result.stderr
    assert not (tmp_path / "site" / "feeds").exists()


def test_solving_again_into_a_live_output_folder_continues_its_feeds(tmp_path):
    out = tmp_path / "out"
    assert run("solve", DATA, "--out", out, *FAST).returncode == 0
    first = feed_states(out)
    again = run("solve", DATA, "--scenario", SCENARIO, "--out", out, "--time-limit", "8", "--workers", "1")
    assert again.returncode == 0, again.stderr
    assert "holds an earlier publication: its feeds are continued" in again.stderr
    second = feed_states(out)
    assert set(second) >= set(first)  # every feed a subscriber may hold is still there
    index = {e["path"] for e in json.loads((out / "feeds/index.json").read_text())["feeds"]}
    assert index == set(second)  # and nothing is left behind unlisted
    rows = {r.split(",")[0]: r for r in (out / "schedule.csv").read_text().splitlines()[1:]}
    changed = [e for e, (status, sequence) in second["all.ics"].items() if sequence > 0]
    assert changed, "a room closed on Wednesday moves the events it held"
    for path, events in first.items():
        for event_id, (status, _) in events.items():
            if status == "CONFIRMED" and event_id not in second[path]:
                pytest.fail(f"{event_id} vanished from {path}")
            if status == "CONFIRMED" and second[path][event_id][0] == "CANCELLED":
                assert second[path][event_id][1] >= 1 and re.match(r"SE\d+", event_id) and event_id in rows


def test_export_ics_into_a_live_output_folder_continues_its_feeds(solved, tmp_path):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(solved, out)
    before = digest(out / "feeds")
    same = run("export", "ics", DATA, out / "schedule.csv", "--out", out)
    assert same.returncode == 0, same.stderr
    assert digest(out / "feeds") == before  # the same schedule again: every feed byte for byte
    lines = (out / "schedule.csv").read_text().splitlines()
    first = lines[1].split(",")
    other = next(row.split(",")[2] for row in lines[2:] if row.split(",")[2] not in ("", first[2]))
    moved = tmp_path / "moved.csv"
    moved.write_text("\n".join([lines[0], ",".join([*first[:2], other, *first[3:]]), *lines[2:]]) + "\n")
    result = run("export", "ics", DATA, moved, "--out", out, "--published-at", "2030-01-01T00:00Z")
    assert result.returncode == 0, result.stderr
    states = feed_states(out)
    room_feeds = {e["id"]: e["path"] for e in json.loads((out / "feeds/index.json").read_text())["feeds"]
                  if e["kind"] == "room"}
    assert states[room_feeds[first[2]]][first[0]] == ("CANCELLED", 1)  # it left its room: cancelled there
    assert states[room_feeds[other]][first[0]] == ("CONFIRMED", 1)
