"""The command line: a click group whose commands are a few lines each over the library API.

Every error the user can cause is a SchedulerError and becomes a clean message and exit code
(0 success, 1 no schedule or a broken rule, 2 bad input or usage); no traceback reaches the user.
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from .errors import DataWarning, SchedulerError, UsageError
from .model import Problem, Schedule

SHIPPED = "data/ccpcj31"


def default_data() -> Path:
    """The shipped CCPCJ 31 meeting: ./data/ccpcj31, else the copy beside the package's source."""
    here = Path(SHIPPED)
    if here.exists():
        return here
    source = Path(__file__).resolve().parents[1] / SHIPPED
    return source if source.exists() else here


def _report_warning(message: warnings.WarningMessage) -> None:
    click.echo(f"warning: {message.message}", err=True)


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
                        _report_warning(message)
                    else:
                        warnings.showwarning(
                            message.message, message.category, message.filename, message.lineno
                        )

    return wrapper


data_argument = click.argument("data", required=False, type=click.Path(path_type=Path))
schedule_argument = click.argument("schedule_csv", type=click.Path(path_type=Path))


def _data(data: Path | None) -> Path:
    return data if data is not None else default_data()


def load(data: Path | None) -> Problem:
    """Load a meeting folder or workbook (the shipped meeting when ``data`` is None)."""
    from .load import load_problem

    path = _data(data)
    if not path.exists():
        raise UsageError(f"{path}: no such meeting folder or workbook")
    return load_problem(path)


def load_schedule(problem: Problem, path: Path) -> Schedule:
    """Read a schedule.csv against ``problem`` (metadata from schedule.json beside it, if any)."""
    from .load.schedule import read_schedule, read_schedule_metadata

    if not path.exists():
        raise UsageError(f"{path}: no such schedule file")
    schedule = read_schedule(path, problem)
    return Schedule(schedule.assignments, read_schedule_metadata(path))


def parse_instant(value: str | None) -> datetime | None:
    """An ISO datetime given on the command line, as UTC (naive means UTC)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise UsageError(f"--published-at: expected an ISO datetime (2022-05-10T09:00Z), got {value!r}") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="side-event-scheduler", prog_name="scheduler")
def cli() -> None:
    """Schedule the side events of a hybrid intergovernmental meeting.

    Loads a meeting (rooms, time grid, events, speakers), places every side event in a room or an
    online channel with OR-Tools CP-SAT, checks the result independently, and publishes calendar
    feeds and timetables.

    Example: scheduler solve data/ccpcj31 --out out
    """


scenario_option = click.option(
    "--scenario", "scenario_path", type=click.Path(path_type=Path),
    help="A scenario TOML applied on top of the meeting (see docs/scenarios.md).",
)


def load_with_scenario(data: Path | None, scenario_path: Path | None) -> tuple[Problem, Any]:
    """Load the meeting and apply a scenario file to it, if one is given."""
    problem = load(data)
    if scenario_path is None:
        return problem, None
    from .scenario import apply_scenario, load_scenario

    scenario = load_scenario(scenario_path)
    return apply_scenario(problem, scenario), scenario


@cli.command()
@data_argument
@scenario_option
@click.option("--allow-unscheduled", is_flag=True,
              help="Report what cannot be placed as warnings (what solve --allow-unscheduled leaves out); exit 0.")
@handle_errors
def validate(data: Path | None, scenario_path: Path | None, allow_unscheduled: bool) -> None:
    """Load a meeting, report every input error at once, print a summary, then what no schedule can satisfy.

    DATA is a meeting folder or .xlsx workbook (default: the shipped CCPCJ 31 meeting). After the
    summary, quick checks that need no solver (seats, pins, remote speakers' hours, people's time,
    room demand against supply) name every event that cannot be placed, with a fix. Exits 2 on bad
    input, 1 when a check proves that no schedule places every event (0 with --allow-unscheduled,
    which reports the findings as warnings), else 0; only solve can prove that a schedule exists.

    Example: scheduler validate data/ccpcj31 --scenario examples/scenarios/late-requests.toml
    """
    from .presolve import format_findings, presolve
    from .summary import format_summary, summarize

    problem, scenario = load_with_scenario(data, scenario_path)
    click.echo(format_summary(problem, summarize(problem)))
    if scenario is not None:
        from .scenario import describe

        click.echo(f"scenario {scenario.name}:")
        for line in describe(scenario):
            click.echo(f"  {line}")
    findings = presolve(problem, allow_unscheduled=allow_unscheduled)
    if not findings:
        click.echo("checks:   no obstacle found before solving")
        return
    for line in format_findings(findings):
        click.echo(line)
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
    from .output import write_atomic, write_tree_atomic

    meeting = generate_meeting(events, seed)
    write_tree_atomic(out, meeting.files)
    if witness is not None:
        write_atomic(witness, meeting.witness)
    click.echo(f"wrote a meeting of {events} events to {out}")


@cli.command()
@data_argument
@click.option("--xlsx", "xlsx_path", type=click.Path(path_type=Path), required=True, help="Workbook to write.")
@handle_errors
def convert(data: Path | None, xlsx_path: Path) -> None:
    """Convert a meeting folder of CSV files into the one-workbook form planners edit in Excel.

    Example: scheduler convert data/ccpcj31 --xlsx ccpcj31.xlsx
    """
    from .load.convert import folder_to_workbook
    from .output import write_atomic

    folder = _data(data)
    load(folder)  # refuse to convert a meeting that does not load
    write_atomic(xlsx_path, folder_to_workbook(folder))
    click.echo(f"wrote {xlsx_path}")


@cli.command()
@data_argument
@scenario_option
@click.option("--time-limit", type=click.FloatRange(0.1), default=10.0, show_default=True, help="Seconds to search.")
@handle_errors
def explain(data: Path | None, scenario_path: Path | None, time_limit: float) -> None:
    """Say why a meeting has no schedule: events with no possible place, then conflicting rules.

    Exits 0 when a schedule exists, 1 with the reasons when none does.

    Example: scheduler explain data/ccpcj31
    """
    from .solver import explain as explain_problem

    problem, _ = load_with_scenario(data, scenario_path)
    reasons = explain_problem(problem, time_limit=time_limit)
    if not reasons:
        click.echo("a schedule exists: every event can be placed under every hard rule")
        return
    click.echo("No schedule exists:")
    for reason in reasons:
        click.echo(f"  - {reason}")
    sys.exit(1)


@cli.command()
@click.argument("data", type=click.Path(path_type=Path))
@schedule_argument
@click.option("--allow-unscheduled", is_flag=True, help="Accept events left unscheduled (rule 1).")
@handle_errors
def check(data: Path, schedule_csv: Path, allow_unscheduled: bool) -> None:
    """Check a schedule against every hard rule, independently of the solver.

    Exits 0 when it breaks none, 1 with one line per violation naming the rule and the ids.

    Example: scheduler check data/ccpcj31 out/schedule.csv
    """
    from .check import check as check_schedule

    problem = load(data)
    violations = check_schedule(problem, load_schedule(problem, schedule_csv), allow_unscheduled=allow_unscheduled)
    for violation in violations:
        click.echo(str(violation))
    if violations:
        click.echo(f"{len(violations)} violation{'s' if len(violations) != 1 else ''}", err=True)
        sys.exit(1)
    click.echo("no violations")


def table_format_option(default: str = "simple") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--fmt``: any of tabulate's table formats."""
    from tabulate import tabulate_formats

    return click.option(
        "--fmt", type=click.Choice(sorted(tabulate_formats)), default=default, show_default=True,
        help="Table format (tabulate's formats).",
    )


@cli.command()
@click.argument("data", type=click.Path(path_type=Path))
@click.argument("schedules", nargs=-1, required=True, type=click.Path(path_type=Path))
@table_format_option()
@click.option("--html", "html_path", type=click.Path(path_type=Path), help="Also write the comparison as a page.")
@handle_errors
def compare(data: Path, schedules: tuple[Path, ...], fmt: str, html_path: Path | None) -> None:
    """Compare schedules side by side: violations, placed events, every soft term, what moved.

    Any schedule.csv can be compared, also one edited by hand; the first is the reference.

    Example: scheduler compare data/ccpcj31 out/schedule.csv edited.csv --html compare.html
    """
    from .compare import build_comparison, comparison_html, format_comparison, read_schedules
    from .output import write_atomic

    problem = load(data)
    loaded, problems = read_schedules(problem, list(schedules))
    comparison = build_comparison(problem, loaded, problems=problems)
    click.echo(format_comparison(comparison, fmt), nl=False)
    if html_path is not None:
        write_atomic(html_path, comparison_html(comparison, title=f"{problem.meeting.name}: schedule comparison"))


@cli.command()
@click.argument("data", type=click.Path(path_type=Path))
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for one result folder each.")
@click.option("--jobs", "-j", type=click.IntRange(1), default=2, show_default=True, help="Scenarios solved at once.")
@click.option("--time-limit", type=click.FloatRange(0.1), default=30.0, show_default=True,
              help="Seconds per scenario.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the solver.")
@click.option("--allow-unscheduled", is_flag=True, help="Leave out low-priority events rather than fail.")
@table_format_option()
@handle_errors
def sweep(data: Path, scenarios: tuple[Path, ...], out: Path, jobs: int, time_limit: float, seed: int,
          allow_unscheduled: bool, fmt: str) -> None:
    """Solve several scenarios in parallel processes and print the comparison table.

    The unchanged meeting is solved too, as the baseline every scenario is compared with.

    Example: scheduler sweep data/ccpcj31 examples/scenarios/*.toml --out sweep --jobs 2
    """
    from .compare import build_comparison
    from .scenario import load_scenario
    from .solver import SolveOptions
    from .sweep import format_sweep, prepare, run_sweep, write_sweep

    problem = load(data)
    variants = prepare(problem, [load_scenario(path) for path in scenarios])
    options = SolveOptions(time_limit=time_limit, seed=seed, allow_unscheduled=allow_unscheduled)

    def progress(outcome: Any) -> None:
        state = "solved" if outcome.schedule is not None else outcome.failure
        click.echo(f"{outcome.name}: {state} in {outcome.seconds:.1f} s", err=True)

    result = run_sweep(variants, options, jobs=jobs, progress=progress)
    solved = {o.name: o.schedule for o in result.outcomes if o.schedule is not None}
    problems = {v.name: v.problem for v in variants}
    comparison = build_comparison(problem, solved, problems=problems) if solved else None
    write_sweep(result, out, comparison=comparison)
    click.echo(format_sweep(result, fmt, comparison=comparison, timings=False), nl=False)
    if len(solved) < len(result.outcomes):
        sys.exit(1)


@cli.command()
@data_argument
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Output folder.")
@click.option("--time-limit", type=click.FloatRange(0.1), default=30.0, show_default=True, help="Seconds to search.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the search.")
@click.option("--workers", type=click.IntRange(1), default=2, show_default=True,
              help="CP-SAT workers; 1 makes the result byte-identical run to run.")
@click.option("--allow-unscheduled", is_flag=True, help="Leave out low-priority events rather than fail.")
@scenario_option
@click.option("--previous", type=click.Path(path_type=Path, file_okay=False),
              help="An earlier output folder: keep its schedule as far as the rules allow (each moved event "
                   "costs), and re-publish its feeds (SEQUENCE, CANCELLED).")
@click.option("--max-moves", type=click.IntRange(0), help="With --previous: move at most this many events.")
@click.option("--published-at", help="Publication time of this version (ISO); default: newest input file's time.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@handle_errors
def solve(data: Path | None, out: Path, time_limit: float, seed: int, workers: int, allow_unscheduled: bool,
          scenario_path: Path | None, previous: Path | None, max_moves: int | None, published_at: str | None,
          quiet: bool) -> None:
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
    from .export.feeds import load_previous
    from .load.schedule import read_schedule
    from .output import write_tree_atomic
    from .publish import publication_files, publication_seconds, publication_time
    from .report import progress_printer, solve_summary
    from .solver import SolveOptions
    from .solver import solve as solve_problem

    if max_moves is not None and previous is None:
        raise UsageError("--max-moves needs --previous: an earlier output folder to stay close to")
    problem, scenario = load_with_scenario(data, scenario_path)
    earlier = load_previous(previous) if previous is not None else None
    # the earlier schedule against the new meeting: events dropped since are left out, rooms dropped kept
    before = read_schedule(previous / "schedule.csv", problem, ignore_unknown=True) if previous is not None else None
    options = SolveOptions(time_limit=time_limit, seed=seed, workers=workers, allow_unscheduled=allow_unscheduled,
                           progress=None if quiet else progress_printer(lambda line: click.echo(line, err=True)),
                           previous=before, max_moves=max_moves, reserve=publication_seconds(problem))
    if not quiet:
        click.echo(f"solving {len(problem.events)} events (time limit {time_limit:g} s, {workers} workers)", err=True)
    schedule = solve_problem(problem, options)
    inputs = [_data(data)] + ([scenario_path] if scenario_path else [])
    stamp = parse_instant(published_at) or publication_time(
        inputs, getattr(earlier, "published_at", None) if earlier else None)
    files = publication_files(problem, schedule, published_at=stamp, previous=earlier)
    if scenario is not None:
        files["scenario.toml"] = scenario.text
    write_tree_atomic(out, files)
    click.echo(solve_summary(problem, schedule, before))
    click.echo(f"wrote {out}/schedule.csv, schedule.json, {sum(1 for f in files if f.endswith('.ics'))} feeds "
               f"in {out}/feeds, timetables and frab/schedule.xml")


@cli.command()
@click.argument("data", type=click.Path(path_type=Path))
@schedule_argument
@click.option("--day", help="Only this day (ISO date, or 1 for the first day).")
@click.option("--room", help="Only this room or channel (id or name).")
@click.option("--organizer", help="Only this organizer's events.")
@click.option("--list", "as_list", is_flag=True, help="A list of events instead of a grid.")
@table_format_option()
@handle_errors
def timetable(data: Path, schedule_csv: Path, day: str | None, room: str | None, organizer: str | None,
              as_list: bool, fmt: str) -> None:
    """Print the timetable in the terminal: a grid per day (rows slots, columns rooms), or a list.

    Example: scheduler timetable data/ccpcj31 out/schedule.csv --day 2022-05-17 --fmt github
    """
    from .export.timetable import grid_text, list_text
    from .export.view import build_view

    problem = load(data)
    view = build_view(problem, load_schedule(problem, schedule_csv))
    render = list_text if as_list else grid_text
    click.echo(render(view, day=day, room=room, organizer=organizer, fmt=fmt), nl=False)


@cli.group()
def export() -> None:
    """Write feeds or timetables for an existing schedule (solve writes them all already).

    Example: scheduler export ics data/ccpcj31 out/schedule.csv --out out
    """


export_out = click.option("--out", type=click.Path(path_type=Path), required=True, help="Output folder.")


@export.command("ics")
@click.argument("data", type=click.Path(path_type=Path))
@schedule_argument
@export_out
@click.option("--previous", type=click.Path(path_type=Path, file_okay=False),
              help="An earlier output folder: changed events get SEQUENCE+1, dropped ones CANCELLED.")
@click.option("--published-at", help="Publication time of this version (ISO); default: schedule.json's.")
@handle_errors
def export_ics(data: Path, schedule_csv: Path, out: Path, previous: Path | None, published_at: str | None) -> None:
    """Write the iCalendar feeds (whole programme, per room, organizer, speaker, topic, format) to OUT/feeds.

    Example: scheduler export ics data/ccpcj31 out/schedule.csv --out out --previous old-out
    """
    from .export.feeds import load_previous
    from .export.ics import published_at_of
    from .output import write_tree_atomic
    from .publish import feed_files, schedule_files

    problem = load(data)
    schedule = load_schedule(problem, schedule_csv)
    earlier = load_previous(previous) if previous is not None else None
    stamp = published_at_of(schedule, parse_instant(published_at))
    files: dict[str, str] = feed_files(problem, schedule, published_at=stamp, previous=earlier)
    # the schedule beside the feeds makes OUT usable as --previous for the next version
    files |= schedule_files(replace(schedule, metadata={**schedule.metadata, "published_at": stamp.isoformat()}))
    write_tree_atomic(out, files)
    click.echo(f"wrote {sum(1 for f in files if f.endswith('.ics'))} feeds to {out}/feeds, with schedule.csv "
               "and schedule.json beside them")


def _export_timetables(data: Path, schedule_csv: Path, out: Path, which: str, base_url: str | None = None) -> None:
    from .output import write_tree_atomic
    from .publish import FEEDS_DIR, timetable_files

    problem = load(data)
    schedule = load_schedule(problem, schedule_csv)
    index = out / FEEDS_DIR / "index.json"
    files = timetable_files(problem, schedule, feeds_index=index.read_text(encoding="utf-8") if index.is_file()
                            else None, base_url=base_url, which=(which,))
    write_tree_atomic(out, files)
    click.echo("wrote " + ", ".join(f"{out}/{name}" for name in files))


@export.command("timetable")
@click.argument("data", type=click.Path(path_type=Path))
@schedule_argument
@export_out
@handle_errors
def export_timetable(data: Path, schedule_csv: Path, out: Path) -> None:
    """Write timetable.md, timetable.csv and timetable.xlsx.

    Example: scheduler export timetable data/ccpcj31 out/schedule.csv --out out
    """
    _export_timetables(data, schedule_csv, out, "timetable")


@export.command("html")
@click.argument("data", type=click.Path(path_type=Path))
@schedule_argument
@export_out
@handle_errors
def export_html(data: Path, schedule_csv: Path, out: Path) -> None:
    """Write timetable.html: one self-contained, filterable, printable page (links OUT/feeds if present).

    Example: scheduler export html data/ccpcj31 out/schedule.csv --out out
    """
    _export_timetables(data, schedule_csv, out, "html")


@export.command("frab")
@click.argument("data", type=click.Path(path_type=Path))
@schedule_argument
@export_out
@click.option("--base-url", help="Where timetable.html is published, for event links.")
@handle_errors
def export_frab(data: Path, schedule_csv: Path, out: Path, base_url: str | None) -> None:
    """Write frab/schedule.xml and frab/schedule.json for conference apps (Giggity, EventFahrplan...).

    Example: scheduler export frab data/ccpcj31 out/schedule.csv --out out --base-url https://example.org/
    """
    _export_timetables(data, schedule_csv, out, "frab", base_url)


def main() -> None:
    """Entry point of the ``scheduler`` console script."""
    cli(prog_name="scheduler")
