"""The terminal timetable fits the terminal: no line wider than the width, titles wrapped or cut, nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import cli
from scheduler.export.schedule import schedule_csv
from scheduler.export.terminal import MIN_WIDTH, UNFITTED_FORMATS, grid_text, list_text, wrap_text
from scheduler.export.view import build_view
from tests.export.programme import sample_view, shipped


@pytest.fixture(scope="module")
def shipped_schedule(shipped_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped meeting's schedule as a schedule.csv file."""
    _, schedule = shipped(shipped_dir)
    path = tmp_path_factory.mktemp("terminal") / "schedule.csv"
    path.write_text(schedule_csv(schedule), encoding="utf-8")
    return path


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("fmt", ["simple", "grid", "github", "fancy_grid", "plain", "psql"])
@pytest.mark.parametrize("as_list", [False, True], ids=["grid", "list"])
def test_scheduler_timetable_fits_the_width(shipped_dir: Path, shipped_schedule: Path, width: int, fmt: str,
                                            as_list: bool) -> None:
    args = ["timetable", str(shipped_dir), str(shipped_schedule), "--fmt", fmt, *(["--list"] if as_list else [])]
    by_option = CliRunner().invoke(cli, [*args, "--width", str(width)])
    by_terminal = CliRunner(env={"COLUMNS": str(width)}).invoke(cli, args)  # shutil.get_terminal_size reads it
    assert by_option.exit_code == 0, by_option.output
    assert by_terminal.output == by_option.output
    assert _widest(by_option.output) <= width
    unfitted = CliRunner().invoke(cli, [*args, "--width", "0"])
    assert _widest(unfitted.output) > 120  # what the terminal got before: far wider than either


def test_nothing_is_lost_in_a_narrow_list(shipped_dir: Path) -> None:
    prob, schedule = shipped(shipped_dir)
    view = build_view(prob, schedule)
    text = list_text(view, width=80)
    for event in view.events:
        assert event.event.title.split()[0][:10] in text, event.id  # every event is there, its title begins it
    assert {event.day for event in view.events} and all(f"{event.start:%H:%M}–" in text for event in view.events)


def test_a_narrow_grid_splits_the_rooms_and_keeps_every_one(shipped_dir: Path) -> None:
    prob, schedule = shipped(shipped_dir)
    view = build_view(prob, schedule)
    one_day = grid_text(view, day="2", width=80)
    assert one_day.count("\nTime ") >= 2  # the day's rooms in more than one grid
    for room in {event.room for event in view.days[1].events}:
        assert room.name.split()[-1] in one_day.split(), room.id  # every room of the day heads a column
    assert _widest(grid_text(view, day="2", width=200)) <= 200 and grid_text(view, day="2", width=200).count(
        "\nTime ") == 1


def test_markup_formats_and_no_width_are_never_fitted() -> None:
    view = sample_view()
    assert "html" in UNFITTED_FORMATS and "tsv" in UNFITTED_FORMATS and "simple" not in UNFITTED_FORMATS
    assert grid_text(view, fmt="html", width=80) == grid_text(view, fmt="html")
    assert list_text(view, fmt="tsv", width=80) == list_text(view, fmt="tsv")
    assert _widest(list_text(view, width=20)) <= MIN_WIDTH  # a tiny width is taken as the narrowest fitted


def test_wrap_text_wraps_at_words_and_cuts_the_last_line() -> None:
    title = "Cybercrime and hybrid justice: a long title that needs cutting in a grid cell"
    assert wrap_text(title, 20, 3) == "Cybercrime and\nhybrid justice: a\nlong title that…"
    assert wrap_text("Line one\nline two", 40, 2) == "Line one line two"
    assert all(len(line) <= 6 for line in wrap_text("Supercalifragilistic words", 6, 3).splitlines())
