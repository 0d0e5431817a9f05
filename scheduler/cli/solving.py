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

CONFLICT_SHARE = 0.7  # of explain's --time-limit, for finding the conflict; the rest checks repairs


@cli.command()
@opt.data_argument
@opt.scenario_option
@opt.solver_options(10.0)
@click.option("--no-repairs", is_flag=True, help="Only say why; do not try repairs.")
@handle_errors
def explain(data: Path | None, scenario_path: Path | None, solver: dict[str, Any], no_repairs: bool) -> None:
    """Say why a meeting has no schedule, in one sentence of cause, and what would repair it.

    Names the events involved (with titles and organizers) and the conflicting rules, then suggests
    concrete repairs (reopen a closed room on some days, make a person available, unpin an event,
    solve with --allow-unscheduled and which events it leaves out), each checked by solving the
    changed meeting. Ends within --time-limit (about 70 % of it goes to finding the conflict).
    Exits 0 when a schedule exists, 1 with the reasons when none does.

    Example: scheduler explain data/ccpcj31 --scenario examples/scenarios/room-closed-wednesday.toml
    """
    from ..report import explanation_text
    from ..solver.explain import diagnose
    from ..solver.repairs import suggest_repairs

    started = time.perf_counter()
    problem = load_meeting(data, scenario_path)[0]
    limit = solver["time_limit"]
    diagnosis = diagnose(problem, time_limit=limit * (1.0 if no_repairs else CONFLICT_SHARE))
    if not diagnosis.lines:
        click.echo("a schedule exists: every event can be placed under every hard rule")
        return
    left = limit - (time.perf_counter() - started)
    repairs = [] if no_repairs else suggest_repairs(problem, diagnosis.core, time_limit=max(0.0, left))
    click.echo("\n".join(explanation_text(problem, diagnosis, repairs)))
    sys.exit(1)


@cli.command()
@opt.meeting_argument
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder for one result folder each.")
@click.option("--jobs", "-j", type=click.IntRange(1), default=2, show_default=True,
              help="Scenarios solved at once in local processes (with --dask the cluster's workers decide).")
@click.option("--baseline", "baseline_dir", type=opt.previous_folder,
              help="An earlier output folder whose schedule is the baseline (instead of solving the meeting).")
@click.option("--from-scratch", is_flag=True,
              help="Solve every scenario anew instead of re-planning it against the baseline.")
@click.option("--dask", "dask_address", metavar="SCHEDULER_ADDRESS",
              help="Run the solves on this Dask cluster (tcp://host:8786) instead of local processes.")
@opt.table_format_option()
@opt.solver_options(30.0, "seed", "allow_unscheduled")
@handle_errors
def sweep(data: Path, scenarios: tuple[Path, ...], out: Path, jobs: int, baseline_dir: Path | None,
          from_scratch: bool, dask_address: str | None, fmt: str, solver: dict[str, Any]) -> None:
    """Solve several scenarios side by side and print what each changes against the baseline.

    The unchanged meeting is solved first, as the baseline (or --baseline reads an earlier output
    folder's schedule). Each scenario is then re-planned against it as solve --previous does: an
    event moves only where the scenario's changes make it worth the move's cost, so the comparison
    shows the scenario's real consequences; the moved events are listed with their reasons, and
    counted per organizer and speaker. --from-scratch solves every scenario anew. --time-limit is
    per scenario; every solve uses one CP-SAT worker, so results are the same wherever they run.

    Example: scheduler sweep data/ccpcj31 examples/scenarios/*.toml --out sweep --jobs 2

    On a Dask cluster: scheduler sweep data/ccpcj31 examples/scenarios/*.toml --out sweep
    --dask tcp://127.0.0.1:8786
    """
    from ..executors import dask_executor
    from ..report import sweep_progress
    from ..scenario import load_scenario
    from ..solver import SolveOptions
    from ..sweep import format_sweep, prepare, published_baseline, run_sweep, write_sweep

    problem, _ = load_meeting(data)
    variants = prepare(problem, [load_scenario(path) for path in scenarios])
    given = published_baseline(baseline_dir, problem) if baseline_dir is not None else None
    progress = sweep_progress(lambda line: click.echo(line, err=True))
    with dask_executor(dask_address) if dask_address else contextlib.nullcontext() as executor:
        result = run_sweep(variants, SolveOptions(**solver), jobs=jobs, executor=executor, progress=progress,
                           replan=not from_scratch, baseline=given)
    comparison = result.comparison()
    write_sweep(result, out, comparison=comparison)
    click.echo(format_sweep(result, fmt, comparison=comparison, timings=False), nl=False)
    if any(outcome.schedule is None for outcome in result.outcomes):
        sys.exit(1)


@cli.command()
@opt.data_argument
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Output folder (an earlier publication in it is continued: its feeds keep their subscribers).")
@click.option("--publish", "site_path", type=click.Path(path_type=Path, file_okay=False),
              help="Instead of --out: publish the result as the next release of this site (see `scheduler "
                   "publish`); a re-plan keeps the site's current release as far as the rules allow.")
@opt.solver_options(30.0, "seed", "workers", "allow_unscheduled")
@opt.scenario_option
@click.option("--previous", type=opt.previous_folder,
              help="An earlier output folder: keep its schedule as far as the rules allow (each moved event "
                   "costs), and re-publish its feeds (SEQUENCE, CANCELLED).")
@click.option("--max-moves", type=click.IntRange(0), help="With --previous: move at most this many events.")
@click.option("--published-at", callback=opt.instant,
              help="Publication time of this version (ISO); default: the newest input file's time for a first "
                   "publication, else now when anything changed.")
@click.option("--base-url", help="Where the output is served (https://...): absolute feed links, webcal:// "
                                 "subscriptions and copy buttons on the pages.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@handle_errors
def solve(data: Path | None, out: Path | None, site_path: Path | None, solver: dict[str, Any],
          scenario_path: Path | None, previous: Path | None, max_moves: int | None, published_at: datetime | None,
          base_url: str | None, quiet: bool) -> None:
    """Place every side event in a room or channel, then write schedule, feeds and timetables.

    Writes OUT/schedule.csv and OUT/schedule.json, the calendar feeds under OUT/feeds/, timetable.md,
    .csv, .xlsx and .html, and frab/schedule.xml for conference apps. Exits 1 with an explanation
    when no schedule exists (nothing is written then). Ctrl-C stops the search and keeps the best
    schedule found. With --previous it re-plans: events keep their earlier room and time unless the
    hard rules force a move, and the summary lists every moved event with the reason.

    Example: scheduler solve data/ccpcj31 --out out --time-limit 30

    Re-plan: scheduler solve data/ccpcj31 --scenario examples/scenarios/room-closed-wednesday.toml
    --previous out --out out2

    Release: scheduler solve data/ccpcj31 --publish site --base-url https://example.org/ccpcj31/
    """
    started = time.perf_counter()  # --time-limit bounds the whole command: loading and writing too
    if (out is None) == (site_path is None):
        raise UsageError("give either --out OUT (an output folder) or --publish SITE (a release of a site)")
    if site_path is not None and previous is not None:
        raise UsageError("--publish re-plans against the site's current release; leave out --previous")
    if max_moves is not None and previous is None and site_path is None:
        raise UsageError("--max-moves needs --previous: an earlier output folder to stay close to")
    target = out if out is not None else site_path
    assert target is not None
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file; expected a folder")
    if site_path is not None:
        site_path.mkdir(parents=True, exist_ok=True)
    with hold(target, wait=False) if target.is_dir() else contextlib.nullcontext():
        _solve(data, out, site_path, solver, scenario_path, previous, max_moves, published_at, base_url, quiet,
               started)


def _solve(data: Path | None, out: Path | None, site_path: Path | None, solver: dict[str, Any],
           scenario_path: Path | None, previous: Path | None, max_moves: int | None, published_at: datetime | None,
           base_url: str | None, quiet: bool, started: float) -> None:
    from dataclasses import replace

    from ..export.links import base_url_of
    from ..load.previous import load_previous, publication_in
    from ..publication import publication_reserve, solve_and_publish
    from ..report import SolveProgress, solve_summary
    from ..solver import SolveOptions, solve

    base = base_url_of(base_url)
    echo = functools.partial(click.echo, err=True)
    progress = SolveProgress(echo, started=started)  # a line at least every 2 s, loading and writing included
    with progress if not quiet else contextlib.nullcontext():
        problem, scenario = load_meeting(data, scenario_path)
        options = SolveOptions(**solver, progress=None if quiet else progress, max_moves=max_moves, started=started)
        if site_path is not None:
            from ..site import make_release, open_site, write_release
            from .site import release_report

            site = open_site(site_path, problem)
            before = site.current.schedule if site.current is not None else None
            reserve = publication_reserve(problem, continues=before is not None, release=True)
            if not quiet:
                echo(f"solving {len(problem.events)} events (time limit {solver['time_limit']:g} s, "
                     f"{solver['workers']} workers){' as a re-plan of the current release' if before else ''}")
                progress.searching(started + solver["time_limit"] - reserve)
            schedule = solve(problem, replace(options, previous=before, reserve=reserve))
            release = make_release(problem, schedule, site, published_at=published_at, base_url=base,
                                   scenario=scenario)
            if release is not None:
                write_release(site_path, release)
        else:
            assert out is not None
            earlier = load_previous(previous, problem) if previous is not None else None
            # An earlier publication in OUT itself: its feeds continue (SEQUENCE, CANCELLED), so re-solving into a
            # live output folder never strands its subscribers; its schedule is kept only with --previous.
            own = publication_in(out, problem) if earlier is None else None
            if not quiet:
                echo(f"solving {len(problem.events)} events (time limit {solver['time_limit']:g} s, "
                     f"{solver['workers']} workers)")
                if own is not None:
                    echo(f"{out} holds an earlier publication: its feeds are continued (changed events get a higher "
                         f"SEQUENCE, removed ones are cancelled); add --previous {out} to keep its schedule too")
                reserve = publication_reserve(problem, continues=earlier is not None or own is not None)
                progress.searching(started + solver["time_limit"] - reserve)
            inputs = [data if data is not None else shipped_meeting(), *([scenario_path] if scenario_path else [])]
            schedule, files = solve_and_publish(problem, options, previous=earlier, published_at=published_at,
                                                inputs=inputs, scenario=scenario, feeds_from=own, base_url=base)
            write_tree_atomic(out, files)
    if site_path is not None:
        click.echo(solve_summary(problem, schedule, before))
        click.echo(release_report(site_path, site, release))
        return
    click.echo(solve_summary(problem, schedule, earlier.schedule if earlier else None))
    click.echo(written(out, files))
    if "timetable.html" in files:
        click.echo(f"open {out / 'timetable.html'} in a browser to read the timetable")
