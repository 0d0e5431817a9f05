"""``scheduler solve --previous OLD``: a re-plan in a subprocess moves only the events it must, says why,
and re-publishes the feeds (SEQUENCE + 1 for moved events, unchanged events byte-identical)."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from markupsafe import escape

from scheduler.check import check_schedule
from scheduler.generate import generate_meeting
from scheduler.load import load_problem
from scheduler.load.schedule import read_schedule
from scheduler.scenario import apply_scenario, load_scenario

FIRST, SECOND = "1652000000", "1652100000"  # publication times of the two versions (SOURCE_DATE_EPOCH)


def _run(*args: str | Path, stamp: str = FIRST) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": stamp}
    return subprocess.run([sys.executable, "-m", "scheduler", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=120)


def _events(ics: Path) -> dict[str, str]:
    """UID -> the exact VEVENT text of a feed."""
    text = ics.read_text(encoding="utf-8")
    blocks = re.findall(r"BEGIN:VEVENT\r?\n.*?END:VEVENT\r?\n", text, re.S)
    return {re.search(r"^UID:(.+?)\r?$", b, re.M).group(1): b for b in blocks}  # type: ignore[union-attr]


def _sequence(block: str) -> int:
    return int(re.search(r"^SEQUENCE:(\d+)", block, re.M).group(1))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def replanned(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A generated meeting solved once, then re-planned with its busiest room closed on one day."""
    root = tmp_path_factory.mktemp("replan")
    data = root / "data"
    data.mkdir()
    for name, text in generate_meeting(30, 3).files.items():
        (data / name).write_text(text, encoding="utf-8")
    first = _run("solve", data, "--out", root / "v1", "--workers", "1", "--time-limit", "5", "-q")
    assert first.returncode == 0, first.stderr
    problem = load_problem(data)
    rows = list(csv.DictReader((root / "v1" / "schedule.csv").open(encoding="utf-8")))
    physical = {r.id for r in problem.rooms if not r.is_virtual}
    busy = Counter((r["room"], r["start"][:10]) for r in rows if r["status"] == "scheduled" and r["room"] in physical)

    def replaceable(room_id: str) -> bool:  # each of its events fits another room too
        events = [problem.event(r["event_id"]) for r in rows if r["room"] == room_id]
        return all(any(o.id != room_id and o.accepts_format(e.format) and (o.capacity or 0) >= (e.attendance or 0)
                       for o in problem.rooms) for e in events)

    (room, day), count = max(((k, n) for k, n in busy.items() if replaceable(k[0])), key=lambda kv: (kv[1], kv[0]))
    assert count >= 2
    forced = sorted(r["event_id"] for r in rows if r["room"] == room and r["start"][:10] == day)
    scenario = root / "closed.toml"
    scenario.write_text(f'name = "Room {room} closed"\n[[rooms.close]]\nid = "{room}"\ndays = ["{day}"]\n'
                        'reason = "Informal consultations"\n', encoding="utf-8")
    second = _run("solve", data, "--scenario", scenario, "--previous", root / "v1", "--out", root / "v2",
                  "--workers", "1", "--time-limit", "10", stamp=SECOND)
    assert second.returncode == 0, second.stderr
    # the forced moves, and any other move the objective finds worth its cost (each with its reason)
    moves = json.loads((root / "v2" / "schedule.json").read_text(encoding="utf-8"))["moves"]
    return {"root": root, "data": data, "room": room, "day": day, "forced": forced, "scenario": scenario,
            "moved": sorted(m["event_id"] for m in moves), "moves": moves,
            "output": second.stdout, "problem": apply_scenario(problem, load_scenario(scenario))}


def test_the_summary_lists_exactly_the_moves_with_their_reason(replanned: dict) -> None:
    forced, room, day, moved_ids = replanned["forced"], replanned["room"], replanned["day"], replanned["moved"]
    assert set(forced) <= set(moved_ids)
    lines = replanned["output"].splitlines()
    assert f"moved:    {len(moved_ids)} events" in lines
    moved = [line.strip() for line in lines if re.match(r"^  \S+: ", line)]
    assert sorted(line.split(":")[0] for line in moved) == moved_ids
    weekday = datetime.fromisoformat(day).strftime("%a")
    for line in moved:
        if line.split(":")[0] in forced:
            assert re.fullmatch(rf"\S+: {re.escape(room)} {weekday} .+ -> \S+ \w{{3}} \d+ \w{{3}} \d\d:\d\d "
                                rf"\(its room {re.escape(room)} closed on {day}: Informal consultations\)", line), line
        else:  # a knock-on move names the events it made room for
            assert re.search(r"\(moved to make room for \S+", line), line
    term = re.search(r"^moved\s+(\d+)\s+events moved\s+(\d+)$", replanned["output"], re.M)  # in the score table
    assert term is not None and int(term[1]) == len(moved_ids)  # the count is of events, apart from their cost


def test_the_new_schedule_is_valid_and_compare_lists_exactly_the_moved_events(replanned: dict) -> None:
    root, problem = replanned["root"], replanned["problem"]
    assert check_schedule(problem, read_schedule(root / "v2" / "schedule.csv", problem)) == []
    result = _run("compare", replanned["data"], root / "v1" / "schedule.csv", root / "v2" / "schedule.csv",
                  "--fmt", "plain")
    assert result.returncode == 0, result.stderr
    assert f"Events that differ from v1: {len(replanned['moved'])}" in result.stdout
    section = result.stdout.split("Events that differ from v1:")[1].split("Events changed per")[0]
    listed = sorted(line.split()[0] for line in section.splitlines()[2:] if line.strip())
    assert listed == replanned["moved"]


def test_the_compare_page_shows_each_moved_events_reason(replanned: dict) -> None:
    root = replanned["root"]
    page_path = root / "compare.html"
    result = _run("compare", replanned["data"], root / "v1" / "schedule.csv", root / "v2" / "schedule.csv",
                  "--previous", root / "v1", "--html", page_path)
    assert result.returncode == 0, result.stderr
    page = page_path.read_text(encoding="utf-8")
    assert f"<h3>v2: {len(replanned['moved'])} event{'s' if len(replanned['moved']) != 1 else ''} moved</h3>" in page
    for move in replanned["moves"]:
        reason = escape(move["reason"])
        assert f'<td data-label="why" class="reason-cell">{reason}' in page, move["event_id"]
        assert f'<span class="why">Why:</span> {reason}' in page
        title = escape(replanned["problem"].event(move["event_id"]).title)
        assert f'<span class="id">{move["event_id"]}</span> <span class="title">{title}</span>' in page


def test_feeds_raise_sequence_of_moved_events_only(replanned: dict) -> None:
    root, problem = replanned["root"], replanned["problem"]
    before, after = _events(root / "v1" / "feeds" / "all.ics"), _events(root / "v2" / "feeds" / "all.ics")
    domain = problem.meeting.uid_domain
    moved = {f"{e}@{domain}" for e in replanned["moved"]}
    public = {f"{e.id}@{domain}" for e in problem.events if e.is_public}
    assert set(before) == set(after)
    for uid in sorted(before):
        if uid in moved and uid in public:
            assert _sequence(after[uid]) == _sequence(before[uid]) + 1, uid
        else:
            assert after[uid] == before[uid], uid


def test_max_moves_is_checked(replanned: dict) -> None:
    root, data, forced = replanned["root"], replanned["data"], replanned["forced"]
    alone = _run("solve", data, "--out", root / "x", "--max-moves", "3", "-q")
    assert alone.returncode == 2 and "--max-moves needs --previous" in alone.stderr
    too_few = _run("solve", data, "--scenario", replanned["scenario"], "--previous", root / "v1", "--out", root / "y",
                   "--max-moves", str(len(forced) - 1), "--workers", "1", "--time-limit", "5", "-q")
    assert too_few.returncode == 1
    assert f"--max-moves {len(forced) - 1} is too few" in too_few.stderr
    assert not (root / "y").exists()
