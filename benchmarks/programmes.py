"""Our timetable against the human one on real programmes: score, tracks, nights; and a re-plan.

For each programme (FOSDEM 2026, 38C3 from ``shared/external/schedules``) it imports the schedule.xml
with ``scheduler import frab`` (its defaults: rooms open in their hours of use, roles, day change,
comfort hours, room wishes), solves it from scratch with ``scheduler solve --time-limit T``, and
compares the result with the programme's own timetable: hard-rule violations, total score, each soft
term, and the programme measures of ``compare`` (rooms and days per track, switches, nights,
conflicts). The re-plan imports the programme again with ``--rooms-open all`` (a room closed for a day
must leave its events somewhere to go), closes its busiest room on its busiest day, and re-plans from
the human timetable with ``solve --previous DIR/published``; it reports the moves and, for each track
that was in the closed room, the rooms and days it used before and after.

Every command is a process of its own, run one after the other. Results go to stdout as Markdown.

Usage:  python -m benchmarks.programmes [--only fosdem,38c3] [--time-limit 120] [--no-replan] [--no-solve]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from tabulate import tabulate

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.frab_meeting import PUBLISHED, close_busiest_room  # noqa: E402
from scheduler.check import check_schedule  # noqa: E402
from scheduler.load import load_problem  # noqa: E402
from scheduler.load.schedule import read_schedule  # noqa: E402
from scheduler.measures import measures  # noqa: E402
from scheduler.model import Problem, Schedule  # noqa: E402
from scheduler.score import breakdown  # noqa: E402

SCHEDULES = ROOT.parent / "shared" / "external" / "schedules"
PROGRAMMES = {"fosdem": "fosdem-2026.xml", "38c3": "38c3.xml"}
SCHEDULER = [sys.executable, "-m", "scheduler"]


def run(args: list[str]) -> tuple[int, float, str]:
    """Run one scheduler command; (exit code, wall seconds, stdout)."""
    begin = time.perf_counter()
    done = subprocess.run([*SCHEDULER, *args], capture_output=True, text=True, cwd=ROOT)
    return done.returncode, time.perf_counter() - begin, done.stdout


def side_by_side(problem: Problem, columns: dict[str, Schedule], previous: Schedule | None = None) -> str:
    """Violations, every soft term, the total and the programme measures of each schedule, as Markdown."""
    rows: dict[str, list] = {"hard-rule violations": [len(check_schedule(problem, s)) for s in columns.values()]}
    parts = [breakdown(problem, s, previous) for s in columns.values()]
    for term in parts[0].weighted:
        rows[term] = [part.weighted[term] for part in parts]
    rows["total score"] = [part.total for part in parts]
    found = [measures(problem, s) for s in columns.values()]
    for name in found[0]:
        rows[name] = [figures[name] for figures in found]
    return tabulate([[name, *values] for name, values in rows.items()], headers=["", *columns], tablefmt="github")


def solve_figures(name: str, xml: Path, work: Path, limit: float) -> str:
    """Import, solve from scratch, and compare with the human timetable."""
    folder, out = work / name, work / f"{name}-out"
    run(["import", "frab", str(xml), "--out", str(folder)])
    code, wall, stdout = run(["solve", str(folder), "--out", str(out), "--time-limit", str(limit), "--quiet"])
    problem = load_problem(folder)
    human = read_schedule(folder / PUBLISHED / "schedule.csv", problem)
    ours = read_schedule(out / "schedule.csv", problem)
    return (f"### {name}: solve, {limit:g} s (exit {code}, wall {wall:.1f} s, {len(problem.events)} events, "
            f"{len(problem.rooms)} rooms)\n\n" + side_by_side(problem, {"human": human, "ours": ours}) + "\n")


def replan_figures(name: str, xml: Path, work: Path, limit: float) -> str:
    """Import with every room open, close the busiest room for a day, re-plan from the human timetable."""
    folder, out = work / f"{name}-all", work / f"{name}-replan"
    run(["import", "frab", str(xml), "--out", str(folder), "--rooms-open", "all"])
    closed = close_busiest_room(folder)
    code, wall, stdout = run(["solve", str(folder), "--out", str(out), "--time-limit", str(limit),
                              "--previous", str(folder / PUBLISHED), "--quiet"])
    problem = load_problem(folder)
    human = read_schedule(folder / PUBLISHED / "schedule.csv", problem)
    ours = read_schedule(out / "schedule.csv", problem)
    day = date.fromisoformat(closed["day"])
    tracks = sorted({problem.events_by_id[a.event_id].track for a in human.scheduled
                     if a.room == closed["room"] and problem.meeting.day_of(a.start) == day} - {""})
    rows = []
    for track in tracks:
        used = {}
        for label, schedule in (("before", human), ("after", ours)):
            found = sorted({(problem.meeting.day_of(a.start), a.room) for a in schedule.scheduled
                            if problem.events_by_id[a.event_id].track == track})
            used[label] = "; ".join(f"{room} {on:%a}" for on, room in found)
        moved = sum(1 for a in human.scheduled if problem.events_by_id[a.event_id].track == track
                    and ours.by_event[a.event_id] != a)
        rows.append([track, used["before"], used["after"], moved])
    table = tabulate(rows, headers=["track in the closed room", "its rooms and days before", "after", "events moved"],
                     tablefmt="github")
    return (f"### {name}: re-plan with {closed['room']} closed on {closed['day']}, {limit:g} s (exit {code}, "
            f"wall {wall:.1f} s)\n\n" + side_by_side(problem, {"human": human, "re-plan": ours}, human)
            + "\n\n" + table + "\n")


def main() -> None:
    """Command line: the figures of every programme asked for, as Markdown on stdout."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.programmes", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(PROGRAMMES), help="programmes, comma-separated")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per solve (default 120)")
    parser.add_argument("--no-replan", action="store_true", help="solve from scratch only")
    parser.add_argument("--no-solve", action="store_true", help="the re-plan only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        for name in args.only.split(","):
            xml = SCHEDULES / PROGRAMMES[name]
            if not args.no_solve:
                print(solve_figures(name, xml, work, args.time_limit), flush=True)
            if not args.no_replan:
                print(replan_figures(name, xml, work, args.time_limit), flush=True)


if __name__ == "__main__":
    main()
