"""Commands on a finished schedule: check, compare, timetable, and the export commands from the registry."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from ..export.registry import OUTPUTS, Output
from ..load.inputs import load_meeting, load_schedule
from ..load.schedule import schedule_csv_path
from ..model import Problem
from ..output import write_atomic, write_tree_atomic
from ..report import written
from ..scenario import SCENARIO_FILE, Scenario
from . import options as opt
from .base import cli, handle_errors


def schedule_meeting(data: Path, scenario_path: Path | None, schedule_csv: Path) -> tuple[Problem, Scenario | None]:
    """The meeting a schedule was made for: DATA with --scenario applied, else with the scenario.toml
    beside the schedule (as sweep and solve --scenario write it), else DATA as it is."""
    if scenario_path is None:
        beside = schedule_csv_path(schedule_csv).parent / SCENARIO_FILE
        if beside.is_file():
            click.echo(f"note: {schedule_csv} is read with the scenario beside it, {beside}", err=True)
            scenario_path = beside
    return load_meeting(data, scenario_path)


@cli.command()
@opt.meeting_argument
@opt.schedule_argument
@click.option("--allow-unscheduled", is_flag=True, help="Accept events left unscheduled (rule 1).")
@opt.scenario_option
@handle_errors
def check(data: Path, schedule_csv: Path, allow_unscheduled: bool, scenario_path: Path | None) -> None:
    """Check a schedule against every hard rule, independently of the solver.

    Exits 0 when it breaks none, 1 with one line per violation naming the rule and the ids. With
    --scenario (or a scenario.toml beside the schedule, as sweep writes it) the schedule is checked
    against the meeting with that scenario applied.

    Example: scheduler check data/ccpcj31 out/schedule.csv

    A scenario's schedule: scheduler check data/ccpcj31 sweep/late-requests/schedule.csv --scenario
    examples/scenarios/late-requests.toml
    """
    from ..check import check_schedule

    problem, _ = schedule_meeting(data, scenario_path, schedule_csv)
    violations = check_schedule(problem, load_schedule(problem, schedule_csv), allow_unscheduled=allow_unscheduled)
    for violation in violations:
        click.echo(str(violation))
    if violations:
        click.echo(f"{len(violations)} violation{'s' if len(violations) != 1 else ''}", err=True)
        sys.exit(1)
    click.echo("no violations")


@cli.command()
@opt.meeting_argument
@opt.schedule_argument
@click.option("--previous", type=opt.previous_folder,
              help="An earlier output folder: also count the moved term against its schedule, as a re-plan does.")
@opt.table_format_option()
@opt.scenario_option
@handle_errors
def score(data: Path, schedule_csv: Path, previous: Path | None, fmt: str, scenario_path: Path | None) -> None:
    """Score any schedule term by term: each soft term's count (what it counts, in words) and cost, and the total.

    The total is what the solver minimises (docs/objective.md): for a schedule the solver wrote it
    equals schedule.json's objective, with --previous for a re-plan. Hard-rule violations are
    counted on the last line (see check).

    Example: scheduler score data/ccpcj31 out2/schedule.csv --previous out
    """
    from ..check import check_schedule
    from ..load.previous import previous_schedule
    from ..report import score_table

    problem, _ = schedule_meeting(data, scenario_path, schedule_csv)
    schedule = load_schedule(problem, schedule_csv)
    earlier = previous_schedule(previous, problem) if previous is not None else None
    click.echo(score_table(problem, schedule, earlier, fmt))
    broken = len(check_schedule(problem, schedule, allow_unscheduled=True))
    click.echo(f"hard-rule violations: {broken}" + (" (scheduler check lists them)" if broken else ""))


@cli.command()
@opt.meeting_argument
@click.argument("schedules", nargs=-1, required=True, type=click.Path(path_type=Path))
@opt.table_format_option()
@click.option("--html", "html_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the comparison as a page.")
@click.option("--previous", type=opt.previous_folder,
              help="The output folder re-plans started from: every total then includes the moved term.")
@opt.scenario_option
@handle_errors
def compare(data: Path, schedules: tuple[Path, ...], fmt: str, html_path: Path | None, previous: Path | None,
            scenario_path: Path | None) -> None:
    """Compare schedules side by side: violations, placed events, every soft term, what moved.

    Any schedule.csv can be compared, also one edited by hand; the first is the reference. A
    schedule with a scenario.toml beside it (as sweep writes them) is read against the meeting with
    that scenario applied; --scenario applies one to the meeting of all the others.

    Example: scheduler compare data/ccpcj31 out/schedule.csv edited.csv --html compare.html
    """
    from ..compare import build_comparison, format_comparison, read_schedules
    from ..export.comparison import comparison_html
    from ..load.previous import previous_schedule

    meeting, _ = load_meeting(data)
    problem, _ = load_meeting(data, scenario_path) if scenario_path is not None else (meeting, None)
    loaded, problems = read_schedules(problem, list(schedules), meeting=meeting)
    earlier = previous_schedule(previous, problem) if previous is not None else None
    comparison = build_comparison(problem, loaded, problems=problems, previous=earlier)
    click.echo(format_comparison(comparison, fmt), nl=False)
    if html_path is not None:
        write_atomic(html_path, comparison_html(comparison, title=f"{problem.meeting.name}: schedule comparison"))


@cli.command()
@opt.meeting_argument
@opt.schedule_argument
@click.option("--day", help="Only this day (ISO date, or 1 for the first day).")
@click.option("--room", help="Only this room or channel (id or name).")
@click.option("--organizer", help="Only this organizer's events.")
@click.option("--list", "as_list", is_flag=True, help="A list of events instead of a grid.")
@opt.table_format_option()
@opt.scenario_option
@click.option("--width", type=click.IntRange(0), help="Columns to fit into (default: the terminal's; 0: no limit, "
              "titles cut as in timetable.md).")
@handle_errors
def timetable(data: Path, schedule_csv: Path, day: str | None, room: str | None, organizer: str | None,
              as_list: bool, fmt: str, scenario_path: Path | None, width: int | None) -> None:
    """Print the timetable in the terminal: a grid per day (rows slots, columns rooms), or a list.

    No line is wider than the terminal (or --width): a day's rooms are split over several grids, titles
    and names wrap over a few lines (or are cut with "…" in one-line formats such as github). The
    markup formats (html, latex, mediawiki, tsv) are never fitted. With --scenario (or a scenario.toml
    beside the schedule) the meeting has that scenario applied.

    Example: scheduler timetable data/ccpcj31 out/schedule.csv --day 2 --width 100
    """
    import shutil

    from ..export.terminal import grid_text, list_text
    from ..export.view import build_view

    problem, _ = schedule_meeting(data, scenario_path, schedule_csv)
    view = build_view(problem, load_schedule(problem, schedule_csv))
    render = list_text if as_list else grid_text
    columns = shutil.get_terminal_size().columns if width is None else width or None
    click.echo(render(view, day=day, room=room, organizer=organizer, fmt=fmt, width=columns), nl=False)


@cli.group()
def export() -> None:
    """Write feeds or timetables for an existing schedule (solve writes them all already).

    Example: scheduler export ics data/ccpcj31 out/schedule.csv --out out
    """


def export_command(output: Output) -> click.Command:
    """The ``export <name>`` command of one registry family: load, publish that family alone, write."""

    @handle_errors
    def command(data: Path, schedule_csv: Path, out: Path, scenario_path: Path | None = None,
                previous: Path | None = None, published_at: datetime | None = None,
                base_url: str | None = None) -> None:
        from ..load.previous import load_previous, publication_in, read_feeds_index
        from ..publication import publish

        problem, scenario = schedule_meeting(data, scenario_path, schedule_csv)
        schedule = load_schedule(problem, schedule_csv)
        if previous is not None:
            earlier = load_previous(previous, problem)
        else:  # feeds already published in OUT are continued, so their subscribers are never stranded
            earlier = publication_in(out, problem) if "previous" in output.options else None
        files = publish(problem, schedule, only=(output.name,), previous=earlier, published_at=published_at,
                        base_url=base_url, feeds_index=read_feeds_index(out), scenario=scenario)
        write_tree_atomic(out, files)
        click.echo(written(out, files))

    add_options, example = opt.context_options(output.options)
    command = opt.meeting_argument(opt.schedule_argument(opt.out_option(opt.scenario_option(add_options(command)))))
    help_text = (f"{output.description} With --scenario (or a scenario.toml beside the schedule) the meeting "
                 f"has that scenario applied, and OUT gets a copy of it.\n\nExample: scheduler export "
                 f"{output.name} data/ccpcj31 out/schedule.csv --out out{example}")
    return export.command(output.name, help=help_text)(command)


for _output in OUTPUTS.values():
    export_command(_output)
