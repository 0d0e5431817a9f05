"""The command line: a click group whose commands are a few lines each over the library API.

Every error the user can cause is a SchedulerError and becomes a clean message and exit code
(0 success, 1 no schedule or a broken rule, 2 bad input or usage); no traceback reaches the user.
Shared options are declared once in ``options.py``; the ``export`` commands come from the
exporters' registry.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from . import options as opt
from .errors import DataWarning, SchedulerError, UsageError
from .export.registry import OUTPUTS, Output
from .load.inputs import load_meeting, load_schedule, shipped_meeting
from .output import hold, write_atomic, write_tree_atomic
from .report import written


def handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn SchedulerErrors into a message on stderr and their exit code; show data warnings."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DataWarning)
            try:
                return command(*args, **kwargs)
            except SchedulerError as error:
                click.echo(f"error: {error}", err=True)
                sys.exit(error.exit_code)
            except KeyboardInterrupt:
                click.echo("interrupted", err=True)
                sys.exit(130)
            finally:
                for message in caught:
                    if issubclass(message.category, DataWarning):
                        click.echo(f"warning: {message.message}", err=True)
                    else:
                        warnings.showwarning(
                            message.message, message.category, message.filename, message.lineno
                        )

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="side-event-scheduler", prog_name="scheduler")
def cli() -> None:
    """Schedule the side events of a hybrid intergovernmental meeting.

    Loads a meeting (rooms, time grid, events, speakers), places every side event in a room or an
    online channel with OR-Tools CP-SAT, checks the result independently, and publishes calendar
    feeds and timetables.

    Example: scheduler solve data/ccpcj31 --out out
    """


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
    from .presolve import presolve
    from .summary import validation_report

    problem, scenario = load_meeting(data, scenario_path)
    findings = presolve(problem, allow_unscheduled=allow_unscheduled)
    click.echo("\n".join(validation_report(problem, scenario, findings)))
    if any(finding.blocking for finding in findings):
        sys.exit(1)


@cli.command()
@click.option("--events", "-n", type=click.IntRange(1), required=True, help="Number of side events.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed; the same seed gives the same bytes.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder to write the meeting into.")
@click.option("--witness", type=click.Path(path_type=Path), help="Also write the hidden valid schedule here.")
@handle_errors
def generate(events: int, seed: int, out: Path, witness: Path | None) -> None:
    """Write a synthetic meeting of any size, feasible by construction, for tests and benchmarks.

    Example: scheduler generate --events 1000 --seed 7 --out /tmp/gen1000
    """
    from .generate import generate_meeting

    meeting = generate_meeting(events, seed)
    write_tree_atomic(out, meeting.files)
    if witness is not None:
        write_atomic(witness, meeting.witness)
    click.echo(f"wrote a meeting of {events} events to {out}")


@cli.command()
@opt.data_argument
@click.option("--xlsx", "xlsx_path", type=click.Path(path_type=Path), required=True, help="Workbook to write.")
@handle_errors
def convert(data: Path | None, xlsx_path: Path) -> None:
    """Convert a meeting folder of CSV files into the one-workbook form planners edit in Excel.

    Example: scheduler convert data/ccpcj31 --xlsx ccpcj31.xlsx
    """
    from .load.convert import folder_to_workbook

    load_meeting(data)  # refuse to convert a meeting that does not load
    write_atomic(xlsx_path, folder_to_workbook(data if data is not None else shipped_meeting()))
    click.echo(f"wrote {xlsx_path}")


@cli.command()
@opt.data_argument
@opt.scenario_option
@opt.solver_options(10.0)
@handle_errors
def explain(data: Path | None, scenario_path: Path | None, solver: dict[str, Any]) -> None:
    """Say why a meeting has no schedule: events with no possible place, then conflicting rules.

    Exits 0 when a schedule exists, 1 with the reasons when none does.

    Example: scheduler explain data/ccpcj31
    """
    from .solver import explain as explain_problem

    reasons = explain_problem(load_meeting(data, scenario_path)[0], **solver)
    if not reasons:
        click.echo("a schedule exists: every event can be placed under every hard rule")
        return
    click.echo("\n".join(["No schedule exists:", *(f"  - {reason}" for reason in reasons)]))
    sys.exit(1)


@cli.command()
@opt.meeting_argument
@opt.schedule_argument
@click.option("--allow-unscheduled", is_flag=True, help="Accept events left unscheduled (rule 1).")
@handle_errors
def check(data: Path, schedule_csv: Path, allow_unscheduled: bool) -> None:
    """Check a schedule against every hard rule, independently of the solver.

    Exits 0 when it breaks none, 1 with one line per violation naming the rule and the ids.

    Example: scheduler check data/ccpcj31 out/schedule.csv
    """
    from .check import check_schedule

    problem, _ = load_meeting(data)
    violations = check_schedule(problem, load_schedule(problem, schedule_csv), allow_unscheduled=allow_unscheduled)
    for violation in violations:
        click.echo(str(violation))
    if violations:
        click.echo(f"{len(violations)} violation{'s' if len(violations) != 1 else ''}", err=True)
        sys.exit(1)
    click.echo("no violations")


@cli.command()
@opt.meeting_argument
@click.argument("schedules", nargs=-1, required=True, type=click.Path(path_type=Path))
@opt.table_format_option()
@click.option("--html", "html_path", type=click.Path(path_type=Path), help="Also write the comparison as a page.")
@handle_errors
def compare(data: Path, schedules: tuple[Path, ...], fmt: str, html_path: Path | None) -> None:
    """Compare schedules side by side: violations, placed events, every soft term, what moved.

    Any schedule.csv can be compared, also one edited by hand; the first is the reference.

    Example: scheduler compare data/ccpcj31 out/schedule.csv edited.csv --html compare.html
    """
    from .compare import build_comparison, comparison_html, format_comparison, read_schedules

    problem, _ = load_meeting(data)
    loaded, problems = read_schedules(problem, list(schedules))
    comparison = build_comparison(problem, loaded, problems=problems)
    click.echo(format_comparison(comparison, fmt), nl=False)
    if html_path is not None:
        write_atomic(html_path, comparison_html(comparison, title=f"{problem.meeting.name}: schedule comparison"))


@cli.command()
@opt.meeting_argument
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for one result folder each.")
@click.option("--jobs", "-j", type=click.IntRange(1), default=2, show_default=True, help="Scenarios solved at once.")
@opt.table_format_option()
@opt.solver_options(30.0, "seed", "allow_unscheduled")
@handle_errors
def sweep(data: Path, scenarios: tuple[Path, ...], out: Path, jobs: int, fmt: str, solver: dict[str, Any]) -> None:
    """Solve several scenarios in parallel processes and print the comparison table.

    The unchanged meeting is solved too, as the baseline every scenario is compared with.
    --time-limit is per scenario.

    Example: scheduler sweep data/ccpcj31 examples/scenarios/*.toml --out sweep --jobs 2
    """
    from .compare import build_comparison
    from .report import sweep_progress
    from .scenario import load_scenario
    from .solver import SolveOptions
    from .sweep import format_sweep, prepare, run_sweep, write_sweep

    problem, _ = load_meeting(data)
    variants = prepare(problem, [load_scenario(path) for path in scenarios])
    progress = sweep_progress(lambda line: click.echo(line, err=True))
    result = run_sweep(variants, SolveOptions(**solver), jobs=jobs, progress=progress)
    problems = {variant.name: variant.problem for variant in variants}
    comparison = build_comparison(problem, result.solved, problems=problems) if result.solved else None
    write_sweep(result, out, comparison=comparison)
    click.echo(format_sweep(result, fmt, comparison=comparison, timings=False), nl=False)
    if any(outcome.schedule is None for outcome in result.outcomes):
        sys.exit(1)


@cli.command()
@opt.data_argument
@opt.out_option
@opt.solver_options(30.0, "seed", "workers", "allow_unscheduled")
@opt.scenario_option
@click.option("--previous", type=opt.previous_folder,
              help="An earlier output folder: keep its schedule as far as the rules allow (each moved event "
                   "costs), and re-publish its feeds (SEQUENCE, CANCELLED).")
@click.option("--max-moves", type=click.IntRange(0), help="With --previous: move at most this many events.")
@click.option("--published-at", callback=opt.instant,
              help="Publication time of this version (ISO); default: newest input file's time.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@handle_errors
def solve(data: Path | None, out: Path, solver: dict[str, Any], scenario_path: Path | None, previous: Path | None,
          max_moves: int | None, published_at: datetime | None, quiet: bool) -> None:
    """Place every side event in a room or channel, then write schedule, feeds and timetables.

    Writes OUT/schedule.csv and OUT/schedule.json, the calendar feeds under OUT/feeds/, timetable.md,
    .csv, .xlsx and .html, and frab/schedule.xml for conference apps. Exits 1 with an explanation
    when no schedule exists (nothing is written then). Ctrl-C stops the search and keeps the best
    schedule found. With --previous it re-plans: events keep their earlier room and time unless the
    hard rules force a move, and the summary lists every moved event with the reason.

    Example: scheduler solve data/ccpcj31 --out out --time-limit 30

    Re-plan: scheduler solve data/ccpcj31 --scenario examples/scenarios/room-closed-wednesday.toml
    --previous out --out out2
    """
    if max_moves is not None and previous is None:
        raise UsageError("--max-moves needs --previous: an earlier output folder to stay close to")
    with hold(out, wait=False) if out.is_dir() else contextlib.nullcontext():
        _solve(data, out, solver, scenario_path, previous, max_moves, published_at, quiet)


def _solve(data: Path | None, out: Path, solver: dict[str, Any], scenario_path: Path | None, previous: Path | None,
           max_moves: int | None, published_at: datetime | None, quiet: bool) -> None:
    from .load.previous import load_previous
    from .publish import solve_and_publish
    from .report import progress_printer, solve_summary
    from .solver import SolveOptions

    problem, scenario = load_meeting(data, scenario_path)
    earlier = load_previous(previous, problem) if previous is not None else None
    echo = functools.partial(click.echo, err=True)
    if not quiet:
        echo(f"solving {len(problem.events)} events (time limit {solver['time_limit']:g} s, "
             f"{solver['workers']} workers)")
    options = SolveOptions(**solver, progress=None if quiet else progress_printer(echo), max_moves=max_moves)
    inputs = [data if data is not None else shipped_meeting(), *([scenario_path] if scenario_path else [])]
    schedule, files = solve_and_publish(problem, options, previous=earlier, published_at=published_at, inputs=inputs,
                                        scenario=scenario)
    write_tree_atomic(out, files)
    click.echo(solve_summary(problem, schedule, earlier.schedule if earlier else None))
    click.echo(written(out, files))


@cli.command()
@opt.meeting_argument
@opt.schedule_argument
@click.option("--day", help="Only this day (ISO date, or 1 for the first day).")
@click.option("--room", help="Only this room or channel (id or name).")
@click.option("--organizer", help="Only this organizer's events.")
@click.option("--list", "as_list", is_flag=True, help="A list of events instead of a grid.")
@opt.table_format_option()
@handle_errors
def timetable(data: Path, schedule_csv: Path, day: str | None, room: str | None, organizer: str | None,
              as_list: bool, fmt: str) -> None:
    """Print the timetable in the terminal: a grid per day (rows slots, columns rooms), or a list.

    Example: scheduler timetable data/ccpcj31 out/schedule.csv --day 2022-05-17 --fmt github
    """
    from .export.timetable import grid_text, list_text
    from .export.view import build_view

    problem, _ = load_meeting(data)
    view = build_view(problem, load_schedule(problem, schedule_csv))
    render = list_text if as_list else grid_text
    click.echo(render(view, day=day, room=room, organizer=organizer, fmt=fmt), nl=False)


@cli.group()
def export() -> None:
    """Write feeds or timetables for an existing schedule (solve writes them all already).

    Example: scheduler export ics data/ccpcj31 out/schedule.csv --out out
    """


def export_command(output: Output) -> click.Command:
    """The ``export <name>`` command of one registry family: load, publish that family alone, write."""

    @handle_errors
    def command(data: Path, schedule_csv: Path, out: Path, previous: Path | None = None,
                published_at: datetime | None = None, base_url: str | None = None) -> None:
        from .load.previous import load_previous, read_feeds_index
        from .publish import publish

        problem, _ = load_meeting(data)
        schedule = load_schedule(problem, schedule_csv)
        earlier = load_previous(previous, problem) if previous is not None else None
        files = publish(problem, schedule, only=(output.name,), previous=earlier, published_at=published_at,
                        base_url=base_url, feeds_index=read_feeds_index(out))
        write_tree_atomic(out, files)
        click.echo(written(out, files))

    add_options, example = opt.context_options(output.options)
    command = opt.meeting_argument(opt.schedule_argument(opt.out_option(add_options(command))))
    help_text = (f"{output.description}\n\nExample: scheduler export {output.name} data/ccpcj31 out/schedule.csv "
                 f"--out out{example}")
    return export.command(output.name, help=help_text)(command)


for _output in OUTPUTS.values():
    export_command(_output)


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
@click.option("--published-at", callback=opt.instant,
              help="Publication time of the imported timetable (ISO); default: the file's time.")
@handle_errors
def import_frab(xml_path: Path, out: Path, grid: int | None, rooms_open: str, capacity: int, breaks: str,
                published_at: datetime | None) -> None:
    """Import a frab / c3voc / pretalx schedule.xml: a meeting folder, and its timetable in OUT/published.

    Writes meeting.toml, rooms.csv, speakers.csv, events.csv, unavailability.csv and import-notes.md,
    and the programme's own timetable as an output folder OUT/published (for check, compare and
    solve --previous). Every choice the import had to make is printed as a warning.

    Example: scheduler import frab fosdem-2026.xml --out fosdem && scheduler check fosdem
    fosdem/published/schedule.csv
    """
    from .frab import PUBLISHED, import_frab
    from .publish import publication_time

    if out.is_dir() and any(out.iterdir()):
        raise UsageError(f"{out} is not empty; import into a new folder")
    imported = import_frab(xml_path, grid=grid, rooms_open=rooms_open, capacity=capacity, breaks=breaks,
                           source="scheduler import frab")
    files = imported.tree(published_at or publication_time([xml_path]))
    write_tree_atomic(out, files)
    for note in imported.notes:
        click.echo(str(note), err=True)
    problem = imported.problem
    click.echo(f"imported {len(problem.events)} events, {len(problem.rooms)} rooms, {len(problem.speakers)} speakers "
               f"on {len(problem.meeting.days)} days ({imported.grid}-minute grid) into {out}; the programme's "
               f"own timetable is in {out / PUBLISHED}")


def main() -> None:
    """Entry point of the ``scheduler`` console script."""
    cli(prog_name="scheduler")
