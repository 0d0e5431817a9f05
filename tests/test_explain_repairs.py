"""``scheduler explain`` on the shipped meeting with two rooms closed all week: one sentence of cause with
titles, and repairs each checked by solving; a repair it suggests, made by hand, really gives a schedule."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from scheduler.cli import cli

WEEK = ["2022-05-16", "2022-05-17", "2022-05-18", "2022-05-19", "2022-05-20"]
MONTHS = {"May": 5}


def _closed(rooms: dict[str, list[str]]) -> str:
    """A scenario closing each room on the given days."""
    return 'name = "Two rooms closed"\n' + "".join(
        f'[[rooms.close]]\nid = "{room}"\ndays = {days!r}\nreason = "Renovation"\n'.replace("'", '"')
        for room, days in rooms.items())


def _explain(shipped_dir: Path, root: Path) -> dict:
    """``explain`` of the shipped meeting with M1 and BR-B closed all week."""
    scenario = root / "two-closed.toml"
    scenario.write_text(_closed({"M1": WEEK, "BR-B": WEEK}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["explain", str(shipped_dir), "--scenario", str(scenario), "--time-limit", "20"])
    return {"root": root, "data": shipped_dir, "result": result}


def _cause_is_one_sentence_with_titles_and_names(explained: dict) -> None:
    result = explained["result"]
    assert result.exit_code == 1, result.output
    first = result.stdout.splitlines()[0]
    assert re.fullmatch(r"No schedule exists: \d+ events \(.+\) need (\d+) places, but .+ offer only (\d+) at the "
                        r"times they can take \(.+\), because of room M1 \(Conference Room M1\) being closed on .+\.",
                        first), first
    need, offer = map(int, re.search(r"need (\d+) places, .* offer only (\d+)", first).groups())  # type: ignore
    assert offer < need
    assert re.search(r"^  - SE\d+ “.+” \(.+, priority \d\)$", result.stdout, re.M)  # events with title and organizer


def _a_suggested_repair_made_by_hand_gives_a_schedule(explained: dict) -> None:
    result, root = explained["result"], explained["root"]
    lines = result.stdout.split("Repairs, each checked by solving the changed meeting:\n")[1].splitlines()
    assert any("--allow-unscheduled: " in line and "left out: SE" in line for line in lines)
    reopen = next(re.fullmatch(r"  - reopen room (\S+) on (.+): a schedule exists", line) for line in lines
                  if line.startswith("  - reopen room"))
    assert reopen is not None, lines
    room, days_text = reopen.groups()
    month = MONTHS[days_text.split()[-1]]
    reopened = {date(2022, month, int(day)).isoformat() for day in re.findall(r"\d+", days_text)}
    rooms = {"M1": WEEK, "BR-B": WEEK} | {room: [d for d in WEEK if d not in reopened]}
    repaired = root / "repaired.toml"
    repaired.write_text(_closed({r: days for r, days in rooms.items() if days}), encoding="utf-8")
    out = root / "out"
    solved = CliRunner().invoke(cli, ["solve", str(explained["data"]), "--scenario", str(repaired), "--out", str(out),
                                      "--time-limit", "10", "--workers", "1", "-q"])
    assert solved.exit_code == 0, solved.output
    checked = CliRunner().invoke(cli, ["check", str(explained["data"]), str(out / "schedule.csv")])
    assert checked.exit_code == 0 and checked.stdout == "no violations\n", checked.output


def test_explain_gives_the_cause_and_a_repair_that_works(shipped_dir: Path, tmp_path: Path) -> None:
    """One test (explain runs once even when the tests run in parallel)."""
    explained = _explain(shipped_dir, tmp_path)
    _cause_is_one_sentence_with_titles_and_names(explained)
    _a_suggested_repair_made_by_hand_gives_a_schedule(explained)
