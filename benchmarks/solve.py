"""Solver benchmark: the shipped meeting and generated meetings of 80 to 3,000 events.

For each size it generates a meeting (``scheduler.generate.generate_meeting``), writes its files to
a temporary folder, loads them with ``scheduler.load.load_problem``, solves, checks the schedule
with ``scheduler.check.check`` and writes schedule.csv, each run in a fresh process so that peak
memory is that run's own. Printed per size (median of the repeats): build time, time to the first
complete schedule, the objective and gap at 5 s (the best schedule reported by then, against the
final bound), time until schedule.csv was written, final objective, bound, gap, status, peak memory.

Usage:  python benchmarks/solve.py [--sizes shipped,80,300,1000,3000] [--repeat 3] [--time-limit 60] [--runs-out F]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "ccpcj31"


def one_run(size: str, seed: int, time_limit: float, workers: int) -> dict:
    """Generate (or take the shipped meeting), load, solve, check and write; return the figures."""
    from scheduler.check import check_schedule
    from scheduler.export.schedule import schedule_csv
    from scheduler.generate import generate_meeting
    from scheduler.load import load_problem
    from scheduler.solver import SolveOptions, solve

    with tempfile.TemporaryDirectory() as folder:
        if size == "shipped":
            source = SHIPPED
        else:
            source = Path(folder) / "meeting"
            source.mkdir()
            for name, text in generate_meeting(int(size), 1).files.items():
                (source / name).write_text(text, encoding="utf-8")
        problem = load_problem(source)
        trace: list = []
        started = time.perf_counter()
        schedule = solve(problem, SolveOptions(time_limit=time_limit, seed=seed, workers=workers,
                                               progress=trace.append))
        (Path(folder) / "schedule.csv").write_text(schedule_csv(schedule), encoding="utf-8")
        written = time.perf_counter() - started
    meta = schedule.metadata
    # The incumbent's objective at 5 s (the last progress report by then), against the final bound.
    early = [p.objective for p in trace if p.elapsed <= 5.0]
    at5 = min(early) if early else None
    gap5 = None if at5 is None else round(max(0.0, (at5 - meta["bound"]) / at5) if at5 > 0 else 0.0, 6)
    return {
        "size": size, "events": len(problem.events), "seed": seed, "method": meta["method"],
        "build": meta["build_seconds"], "first": meta["first_solution_seconds"], "written": round(written, 2),
        "objective": meta["objective"], "bound": meta["bound"], "gap": meta["gap"], "status": meta["status"],
        "objective_5s": at5, "gap_5s": gap5,
        "violations": len(check_schedule(problem, schedule)),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def main() -> None:
    """Run every size ``--repeat`` times in fresh processes and print a table of medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="shipped,80,300,1000,3000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs-out", type=Path, help="also append every run's figures (JSON lines) to this file")
    parser.add_argument("--one", nargs=2, metavar=("SIZE", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one[0], int(args.one[1]), args.time_limit, args.workers)))
        return
    header = ("size", "events", "method", "build s", "first s", "objective 5 s", "gap 5 s", "written s", "objective",
              "bound", "gap", "status", "violations", "peak MB")
    print(" | ".join(header))
    for size in args.sizes.split(","):
        runs = []
        for seed in range(args.repeat):
            command = [sys.executable, __file__, "--one", size, str(seed), "--time-limit", str(args.time_limit),
                       "--workers", str(args.workers)]
            output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
            runs.append(json.loads(output.strip().splitlines()[-1]))
            if args.runs_out:
                with args.runs_out.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(runs[-1]) + "\n")
        statuses = "/".join(sorted({run["status"] for run in runs}))
        early = [run for run in runs if run["gap_5s"] is not None]
        at5 = (_median(early, "objective_5s"), f"{_median(early, 'gap_5s'):.3f}") if len(early) == len(runs) \
            else ("-", "-")  # no schedule by 5 s in some run
        row = (size, runs[0]["events"], runs[0]["method"], _median(runs, "build"), _median(runs, "first"), *at5,
               _median(runs, "written"), _median(runs, "objective"), _median(runs, "bound"),
               f"{_median(runs, 'gap'):.3f}", statuses, max(run["violations"] for run in runs),
               _median(runs, "peak_mb"))
        print(" | ".join(str(value) for value in row), flush=True)


if __name__ == "__main__":
    main()
