"""The command line: help on every command, README coverage, clean errors and exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from scheduler.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        found.append((full, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, full + " "))
    return found


COMMANDS = _commands(cli)


@pytest.mark.parametrize("name,command", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output, f"`scheduler {name} --help` shows no example"


def _examples(help_text: str) -> list[str]:
    """The example commands of a help text, each with its continuation lines joined."""
    commands, pending = [], ""
    for line in help_text.splitlines():
        text = line.strip()
        if pending or text.startswith("scheduler "):
            pending += (" " if pending else "") + text.removesuffix("\\").strip()
            if not text.endswith("\\"):
                commands.append(pending)
                pending = ""
    return commands


@pytest.mark.parametrize("name,command", [("", cli), *COMMANDS], ids=["scheduler", *(n for n, _ in COMMANDS)])
def test_help_examples_never_wrap_inside_a_command_in_80_columns(name: str, command: click.Command) -> None:
    narrow = CliRunner().invoke(cli, [*name.split(), "--help"], terminal_width=80).output
    wide = CliRunner().invoke(cli, [*name.split(), "--help"], terminal_width=200).output
    assert max(len(line) for line in narrow.splitlines()) <= 80, narrow
    examples = _examples(narrow)
    assert examples and examples == _examples(wide)  # the same commands whatever the terminal's width
    for example in examples:
        assert re.fullmatch(r"scheduler [a-z].*", example) and not re.search(r"\w- \w", example), example
    example_lines = [line for line in narrow.splitlines() if line.strip().startswith("scheduler ")]
    assert all(line.startswith("    scheduler ") for line in example_lines)  # each on its own line, as a block


@pytest.mark.parametrize("name", [n for n, c in COMMANDS if not isinstance(c, click.Group)])
def test_every_command_is_in_the_readme(name: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"scheduler {re.escape(name)}\b", readme), f"README does not document `scheduler {name}`"


def test_validate_shipped_meeting_prints_summary(shipped_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(shipped_dir)])
    assert result.exit_code == 0, result.output
    assert "events:" in result.output and "speakers:" in result.output and "demand:" in result.output


OUT_COMMANDS = [
    ["solve", "{data}"], ["sweep", "{data}", "{scenario}"], ["generate", "--events", "3"],
    ["import", "frab", "{file}"],
    *(["export", name, "{data}", "{file}"] for name in ("ics", "timetable", "html", "frab")),
]


@pytest.mark.parametrize("args", OUT_COMMANDS, ids=lambda args: " ".join(a for a in args if "{" not in a))
def test_an_out_that_is_a_file_is_a_usage_error(args: list[str], tmp_path: Path, shipped_dir: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("keep me")
    values = {"data": str(shipped_dir), "file": str(taken), "scenario": str(taken)}
    result = CliRunner().invoke(cli, [a.format(**values) for a in args] + ["--out", str(taken)])
    assert result.exit_code == 2, result.output
    assert "is a file" in result.output and "Traceback" not in result.output
    assert taken.read_text() == "keep me"


FILE_COMMANDS = [
    ["convert", "{data}", "--xlsx"], ["compare", "{data}", "{schedule}", "--html"],
    ["generate", "--events", "3", "--out", "{new}", "--witness"],
]


@pytest.mark.parametrize("args", FILE_COMMANDS, ids=lambda args: args[0])
def test_a_file_option_naming_a_folder_is_a_usage_error(args: list[str], tmp_path: Path, shipped_dir: Path) -> None:
    schedule = tmp_path / "schedule.csv"
    schedule.write_text("event_id,status,room,start,end\n")
    values = {"data": str(shipped_dir), "schedule": str(schedule), "new": str(tmp_path / "new")}
    result = CliRunner().invoke(cli, [a.format(**values) for a in args] + [str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "is a directory" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "new").exists()


def test_missing_meeting_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# --- the real command line, in a subprocess: exit codes, stderr, files ---------------------------

import subprocess  # noqa: E402
import sys  # noqa: E402

from tests.load.meeting_files import MeetingFiles  # noqa: E402

BAD_INPUTS = {
    "not a number": ("events.csv", "hybrid,50,80", "hybrid,fifty,80", "events.csv:2:5 (duration)"),
    "unknown zone": ("speakers.csv", "Africa/Nairobi", "Africa/Nairobbi", "speakers.csv:2:3 (timezone)"),
    "unknown format": ("events.csv", "E3,Prison reform,UNODC,in_person", "E3,Prison reform,UNODC,inperson",
                       "events.csv:4:4 (format)"),
    "unknown speaker": ("events.csv", "S1;S2,drugs", "S1;S9,drugs", "events.csv:2:7 (speakers)"),
}


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m scheduler`` as a user would."""
    return subprocess.run([sys.executable, "-m", "scheduler", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exits_2_naming_the_place_without_a_traceback(tmp_path: Path, case: str) -> None:
    name, old, new, place = BAD_INPUTS[case]
    folder = MeetingFiles(tmp_path).replace(name, old, new).write()
    result = run_cli("validate", str(folder))
    assert result.returncode == 2, result.stderr
    assert place in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_broken_toml_exits_2(tmp_path: Path) -> None:
    folder = MeetingFiles(tmp_path).replace("meeting.toml", 'id = "demo31"', 'id = "demo31').write()
    result = run_cli("validate", str(folder))
    assert result.returncode == 2 and "meeting.toml" in result.stderr and "Traceback" not in result.stderr


def test_infeasible_meeting_exits_1_with_explanation_and_writes_nothing(tmp_path: Path) -> None:
    # one speaker pinned into two events at the same start
    files = MeetingFiles(tmp_path)
    files.replace("events.csv", "E4,Youth forum,Brazil,in_person,100,150,,youth,,2022-05-16,,,,,,",
                  "E4,Youth forum,Brazil,in_person,50,30,S2,youth,,,,R1,2022-05-17T10:00,,,")
    folder = files.write()
    out = tmp_path / "out"
    result = run_cli("solve", str(folder), "--out", str(out), "--time-limit", "10", "--quiet")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "S2" in result.stderr and "E1" in result.stderr and "E4" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() or not any(out.rglob("*.*"))


def test_solve_then_check_round_trip(tmp_path: Path) -> None:
    folder = MeetingFiles(tmp_path).write()
    out = tmp_path / "out"
    result = run_cli("solve", str(folder), "--out", str(out), "--time-limit", "10", "--workers", "1", "--quiet")
    assert result.returncode == 0, result.stderr
    for name in ("schedule.csv", "schedule.json", "feeds/all.ics", "feeds/index.json", "timetable.html",
                 "timetable.xlsx", "timetable.md", "timetable.csv", "frab/schedule.xml"):
        assert (out / name).is_file(), name
    checked = run_cli("check", str(folder), str(out / "schedule.csv"))
    assert checked.returncode == 0 and "no violations" in checked.stdout


def test_check_reports_a_double_booking_with_exit_1(tmp_path: Path) -> None:
    folder = MeetingFiles(tmp_path).write()
    out = tmp_path / "out"
    assert run_cli("solve", str(folder), "--out", str(out), "--time-limit", "10", "--quiet").returncode == 0
    rows = (out / "schedule.csv").read_text(encoding="utf-8").splitlines()
    header, body = rows[0], [r.split(",") for r in rows[1:]]
    e3 = next(r for r in body if r[0] == "E3")
    e4 = next(r for r in body if r[0] == "E4")
    e4[2:4] = e3[2:4]  # E4 into E3's room at E3's start
    e4[4] = ""
    edited = tmp_path / "edited.csv"
    edited.write_text("\n".join([header, *(",".join(r) for r in body)]) + "\n", encoding="utf-8")
    result = run_cli("check", str(folder), str(edited))
    assert result.returncode == 1
    assert "room_clash" in result.stdout and "E3" in result.stdout and "E4" in result.stdout


def test_oversubscribed_meeting_places_the_highest_priorities_with_allow_unscheduled(tmp_path: Path) -> None:
    # eight 150-seat events compete for the one large room (about five free slots); priorities 1..5
    extra = "".join(f"B{i},Big event {i},Org B{i},in_person,50,150,,,{1 + i % 5},,,,,,,\n" for i in range(8))
    files = MeetingFiles(tmp_path)
    files.set("events.csv", files.files["events.csv"] + extra)
    folder = files.write()
    out = tmp_path / "out"
    strict = run_cli("solve", str(folder), "--out", str(tmp_path / "strict"), "--time-limit", "10", "--quiet")
    assert strict.returncode == 1 and "Traceback" not in strict.stderr
    result = run_cli("solve", str(folder), "--out", str(out), "--time-limit", "10", "--quiet", "--allow-unscheduled")
    assert result.returncode == 0, result.stderr
    rows = [r.split(",") for r in (out / "schedule.csv").read_text(encoding="utf-8").splitlines()[1:]]
    left_out = {r[0] for r in rows if r[1] == "unscheduled"}
    priority = {f"B{i}": 1 + i % 5 for i in range(8)} | {"E4": 3}  # E4 also needs the large room
    assert left_out and left_out <= set(priority)
    placed = {r[0] for r in rows if r[1] == "scheduled" and r[0] in priority}
    assert max(priority[e] for e in left_out) <= min(priority[e] for e in placed)
    for event_id in left_out:
        assert f"unscheduled {event_id}:" in result.stdout
    assert run_cli("check", str(folder), str(out / "schedule.csv")).returncode == 1
    assert run_cli("check", str(folder), str(out / "schedule.csv"), "--allow-unscheduled").returncode == 0


def test_same_input_seed_and_options_give_byte_identical_outputs(tmp_path: Path) -> None:
    folder = MeetingFiles(tmp_path).write()
    outputs = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = run_cli("solve", str(folder), "--out", str(out), "--workers", "1", "--seed", "3", "--quiet",
                         "--time-limit", "10")
        assert result.returncode == 0, result.stderr
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0].keys() == outputs[1].keys() and len(outputs[0]) > 10
    differing = [name for name in outputs[0] if outputs[0][name] != outputs[1][name]]
    assert differing == []


def test_the_shipped_meeting_is_found_from_any_working_directory(tmp_path: Path) -> None:
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("31st session of the Commission on Crime Prevention and Criminal Justice (ccpcj31)")


def test_the_shipped_meeting_lies_beside_the_package_or_in_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scheduler.load.inputs import shipped_meeting

    monkeypatch.chdir(tmp_path)
    found = shipped_meeting()
    assert found.is_absolute() and (found / "meeting.toml").is_file()
    assert found.resolve() == (ROOT / "data" / "ccpcj31").resolve()
    # the link a wheel copies the meeting through (pyproject's package-data) leads to the same folder
    assert (ROOT / "scheduler" / "shipped").resolve() == found.resolve()


def test_errors_of_the_meeting_and_of_its_scenario_come_in_one_run(tmp_path: Path) -> None:
    folder = MeetingFiles(tmp_path).replace("events.csv", "hybrid,50,80", "hybrid,fifty,80").write()
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "late"\n[[events.withdraw]]\nid = "E1"\nreason = 5\n', encoding="utf-8")
    result = run_cli("validate", str(folder), "--scenario", str(scenario))
    assert result.returncode == 2, result.stderr
    assert "events.csv:2:5 (duration)" in result.stderr and "s.toml" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_convert_writes_its_workbook_with_the_mode_of_solve_outputs(tmp_path: Path) -> None:
    import stat

    folder = MeetingFiles(tmp_path).write()
    out = tmp_path / "out"
    assert run_cli("solve", str(folder), "--out", str(out), "--time-limit", "10", "--quiet").returncode == 0
    converted = run_cli("convert", str(folder), "--xlsx", str(tmp_path / "meeting.xlsx"))
    assert converted.returncode == 0, converted.stderr
    mode = stat.S_IMODE((tmp_path / "meeting.xlsx").stat().st_mode)
    assert mode == stat.S_IMODE((out / "timetable.xlsx").stat().st_mode)  # not the private 0600 of a temp file
