"""Commands on a meeting's inputs: validate, generate, convert, and import from other tools."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from ..errors import UsageError
from ..load.inputs import load_meeting, shipped_meeting
from ..output import write_atomic, write_tree_atomic
from . import options as opt
from .base import cli, handle_errors


@cli.command()
@opt.data_argument
@opt.scenario_option
@click.option("--allow-unscheduled", is_flag=True,
              help="Report what cannot be placed as warnings (what solve --allow-unscheduled leaves out); exit 0.")
@handle_errors
def validate(data: Path | None, scenario_path: Path | None, allow_unscheduled: bool) -> None:
    """Load a meeting, report every input error at once, print a summary, then what no schedule can satisfy.

    DATA is a meeting folder or .xlsx workbook (default: the shipped CCPCJ 31 meeting). Quick checks
    that need no solver (seats, pins, remote hours, people's time, room demand) name every event that
    cannot be placed, with a fix. Exits 2 on bad input, 1 when a check proves that no schedule places
    every event (0 with --allow-unscheduled, which reports them as warnings), else 0.

    Example: scheduler validate data/ccpcj31 --scenario examples/scenarios/late-requests.toml
    """
    from ..presolve import presolve
    from ..summary import validation_report

    problem, scenario = load_meeting(data, scenario_path)
    findings = presolve(problem, allow_unscheduled=allow_unscheduled)
    click.echo("\n".join(validation_report(problem, scenario, findings)))
    if any(finding.blocking for finding in findings):
        sys.exit(1)


@cli.command()
@click.option("--events", "-n", type=click.IntRange(1), required=True, help="Number of side events.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed; the same seed gives the same bytes.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder to write the meeting into.")
@click.option("--witness", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the hidden valid schedule here.")
@handle_errors
def generate(events: int, seed: int, out: Path, witness: Path | None) -> None:
    """Write a synthetic meeting of any size, feasible by construction, for tests and benchmarks.

    Example: scheduler generate --events 1000 --seed 7 --out /tmp/gen1000
    """
    from ..generate import generate_meeting

    meeting = generate_meeting(events, seed)
    write_tree_atomic(out, meeting.files)
    if witness is not None:
        write_atomic(witness, meeting.witness)
    click.echo(f"wrote a meeting of {events} events to {out}")


@cli.command()
@opt.data_argument
@click.option("--xlsx", "xlsx_path", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Workbook to write.")
@handle_errors
def convert(data: Path | None, xlsx_path: Path) -> None:
    """Convert a meeting folder of CSV files into the one-workbook form planners edit in Excel.

    Example: scheduler convert data/ccpcj31 --xlsx ccpcj31.xlsx
    """
    from ..load.convert import folder_to_workbook

    load_meeting(data)  # refuse to convert a meeting that does not load
    write_atomic(xlsx_path, folder_to_workbook(data if data is not None else shipped_meeting()))
    click.echo(f"wrote {xlsx_path}")



@cli.group("import")
def import_() -> None:
    """Bring in a programme made with another tool as a meeting folder, with its own timetable.

    Example: scheduler import frab schedule.xml --out fosdem
    """


@import_.command("frab")
@click.argument("xml_path", metavar="SCHEDULE.xml", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="The meeting folder to write (new or empty).")
@click.option("--grid", type=click.IntRange(1, 60), help="Slot minutes (default: from the programme's times).")
@click.option("--rooms-open", type=click.Choice(["used", "all"]), default="used", show_default=True,
              help="used: each room open only in its hours of use per day; all: always open.")
@click.option("--capacity", type=click.IntRange(1), default=100, show_default=True, help="Seats of every room.")
@click.option("--breaks", type=click.Choice(["blocked", "events"]), default="blocked", show_default=True,
              help="Breaks (no person; a title like Lunch) as blocked periods, or as events.")
@click.option("--roles", type=click.Choice(["auto", "xml", "speakers"]), default="auto", show_default=True,
              help="Who hosts rather than speaks: auto (the file's roles, self-organized sessions, persons on "
                   "many overlapping events), xml (the file's roles only), speakers (everyone speaks).")
@click.option("--published-at", callback=opt.instant,
              help="Publication time of the imported timetable (ISO); default: the file's time.")
@handle_errors
def import_frab(xml_path: Path, out: Path, grid: int | None, rooms_open: str, capacity: int, breaks: str,
                roles: str, published_at: datetime | None) -> None:
    """Import a frab / c3voc / pretalx schedule.xml: a meeting folder, and its timetable in OUT/published.

    Writes meeting.toml, rooms.csv, speakers.csv, events.csv, unavailability.csv and import-notes.md,
    and the programme's own timetable as an output folder OUT/published (for check, compare and
    solve --previous). Every choice the import had to make is printed as a warning.

    Example: scheduler import frab fosdem-2026.xml --out fosdem && scheduler check fosdem
    fosdem/published/schedule.csv
    """
    from ..frab import PUBLISHED, import_frab
    from ..publication import publication_time

    if out.is_dir() and any(out.iterdir()):
        raise UsageError(f"{out} is not empty; import into a new folder")
    imported = import_frab(xml_path, grid=grid, rooms_open=rooms_open, capacity=capacity, breaks=breaks,
                           roles=roles, source="scheduler import frab")
    files = imported.tree(published_at or publication_time([xml_path]))
    write_tree_atomic(out, files)
    for note in imported.notes:
        click.echo(str(note), err=True)
    problem = imported.problem
    click.echo(f"imported {len(problem.events)} events, {len(problem.rooms)} rooms, {len(problem.speakers)} speakers "
               f"on {len(problem.meeting.days)} days ({imported.grid}-minute grid) into {out}; the programme's "
               f"own timetable is in {out / PUBLISHED}")
