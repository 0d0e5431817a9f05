"""Benchmark of ``sweep``: the example scenarios on the shipped meeting, with one job and with two.

Loads data/ccpcj31, applies every examples/scenarios/*.toml, and runs the sweep (baseline plus the
scenarios, one CP-SAT worker per task, ``--time-limit`` per solve) with ``--jobs 1`` and then with
``--jobs 2``, ``--repeat`` times each. Prints the wall time of each run, the median speed-up and
the comparison table of the last run; checks that both job counts found a schedule for the same
scenarios. With one CP-SAT worker the solver is deterministic, so both give the same schedules.

Run from the repository root::

    python benchmarks/sweep.py --time-limit 10 --repeat 1
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from scheduler.load import load_problem
from scheduler.scenario import load_scenario
from scheduler.solver import SolveOptions
from scheduler.sweep import format_sweep, prepare, run_sweep, write_sweep

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    """Time the sweep with one and two jobs and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "ccpcj31")
    parser.add_argument("--scenarios", type=Path, nargs="*",
                        default=sorted((ROOT / "examples" / "scenarios").glob("*.toml")))
    parser.add_argument("--time-limit", type=float, default=10.0, help="per solve (seconds; default 10)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    problem = load_problem(args.data)
    variants = prepare(problem, [load_scenario(path) for path in args.scenarios])
    options = SolveOptions(time_limit=args.time_limit, seed=args.seed, allow_unscheduled=True)
    print(f"meeting {problem.meeting.id}: {len(problem.events)} events; {len(variants)} variants "
          f"({', '.join(v.name for v in variants)}); time limit {args.time_limit:g} s per solve; "
          f"{os.cpu_count()} CPUs")
    walls: dict[int, list[float]] = {1: [], 2: []}
    results = {}
    for _ in range(args.repeat):
        for jobs in (1, 2):
            result = run_sweep(variants, options, jobs=jobs)
            walls[jobs].append(result.wall_seconds)
            results[jobs] = result
            solves = sum(o.seconds for o in result.outcomes)
            print(f"jobs {jobs}: wall {result.wall_seconds:6.1f} s   (sum of solve times {solves:6.1f} s)")
    one, two = statistics.median(walls[1]), statistics.median(walls[2])
    print(f"\nmedian wall time: jobs 1 {one:.1f} s, jobs 2 {two:.1f} s; speed-up x{one / two:.2f}")
    statuses = {jobs: [o.status for o in r.outcomes] for jobs, r in results.items()}
    same = [o.schedule.assignments if o.schedule else None for o in results[1].outcomes] == [
        o.schedule.assignments if o.schedule else None for o in results[2].outcomes]
    print(f"statuses: {statuses[1]}; same schedules with 1 and 2 jobs: {same}\n")
    with tempfile.TemporaryDirectory() as out:
        write_sweep(results[2], out)
        print(f"result folders: {', '.join(sorted(p.name for p in Path(out).iterdir()))}\n")
    print(format_sweep(results[2], max_rows=10))
    return 0 if statuses[1] == statuses[2] else 1


if __name__ == "__main__":
    sys.exit(main())
