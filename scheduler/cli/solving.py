"""Commands that solve: solve (and re-plan, and publish), explain, sweep."""

from __future__ import annotations

import contextlib
import functools
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from ..errors import UsageError
from ..load.inputs import load_meeting, shipped_meeting
from ..output import hold, write_tree_atomic
from ..report import written
from . import options as opt
from .base import cli, handle_errors


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
    from ..solver import explain as explain_problem

    reasons = explain_problem(load_meeting(data, scenario_path)[0], **solver)
    if not reasons:
        click.echo("a schedule exists: every event can be placed under every hard rule")
        return
    click.echo("\n".join(["No schedule exists:", *(f"  - {reason}" for reason in reasons)]))
    sys.exit(1)


@cli.command()
@opt.meeting_argument
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder for one result folder each.")
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
    from ..compare import build_comparison
    from ..report import sweep_progress
    from ..scenario import load_scenario
    from ..solver import SolveOptions
    from ..sweep import format_sweep, prepare, run_sweep, write_sweep

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
    started = time.perf_counter()  # --time-limit bounds the whole command: loading and writing too
    if max_moves is not None and previous is None:
        raise UsageError("--max-moves needs --previous: an earlier output folder to stay close to")
    with hold(out, wait=False) if out.is_dir() else contextlib.nullcontext():
        _solve(data, out, solver, scenario_path, previous, max_moves, published_at, quiet, started)


def _solve(data: Path | None, out: Path, solver: dict[str, Any], scenario_path: Path | None, previous: Path | None,
           max_moves: int | None, published_at: datetime | None, quiet: bool, started: float) -> None:
    from ..load.previous import load_previous
    from ..publication import publication_seconds, solve_and_publish
    from ..report import SolveProgress, solve_summary
    from ..solver import SolveOptions

    echo = functools.partial(click.echo, err=True)
    progress = SolveProgress(echo, started=started)
    with progress if not quiet else contextlib.nullcontext():
        problem, scenario = load_meeting(data, scenario_path)
        earlier = load_previous(previous, problem) if previous is not None else None
        if not quiet:
            echo(f"solving {len(problem.events)} events (time limit {solver['time_limit']:g} s, "
                 f"{solver['workers']} workers)")
            progress.searching(started + solver["time_limit"] - publication_seconds(problem))
        options = SolveOptions(**solver, progress=None if quiet else progress, max_moves=max_moves, started=started)
        inputs = [data if data is not None else shipped_meeting(), *([scenario_path] if scenario_path else [])]
        schedule, files = solve_and_publish(problem, options, previous=earlier, published_at=published_at,
                                            inputs=inputs, scenario=scenario)
        write_tree_atomic(out, files)
    click.echo(solve_summary(problem, schedule, earlier.schedule if earlier else None))
    click.echo(written(out, files))
    if "timetable.html" in files:
        click.echo(f"open {out / 'timetable.html'} in a browser to read the timetable")
