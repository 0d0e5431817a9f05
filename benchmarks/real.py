"""Benchmark on real programmes: FOSDEM 2026, 38C3 and DebConf23, converted from their frab schedule.xml.

Each programme is converted (``benchmarks/frab_meeting.py``) into a temporary folder, and three
commands run on it, each as a separate process of the ``scheduler`` command line: ``solve``, a
re-plan (``solve --previous DIR/published`` with the busiest room closed for its busiest day) and
``explain``. For every run it records the exit code, wall time and its ratio to the time limit
(and whether it stayed within 1.1 x limit + 2 s), the process's peak memory (``/usr/bin/time -v``,
else the highest RSS polled), time to the first valid schedule, status, objective, bound and gap.
A run is killed (its whole process group) when it passes 3 x limit + 60 s or ``--max-rss-gb``, and
the benchmark goes on. Results go to stdout, progress to stderr.

Usage:  python benchmarks/real.py [--only fosdem,38c3,debconf23] [--no-variants] [--time-limit 30]
        [--repeat 1] [--max-rss-gb 8]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tabulate import tabulate

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.frab_meeting import PUBLISHED, close_busiest_room, convert  # noqa: E402

SCHEDULES = Path("/work/shared/external/schedules")
TIME = Path("/usr/bin/time")
POLL_SECONDS = 0.5
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
GB = 1024**3


@dataclass(frozen=True)
class Programme:
    """One meeting to benchmark: a schedule.xml and the converter's options."""

    name: str
    xml: str
    options: dict[str, Any] = field(default_factory=dict)
    variant: bool = False  # an extra conversion of a programme, left out with --no-variants


PROGRAMMES: tuple[Programme, ...] = (
    Programme("fosdem", "fosdem-2026.xml"),
    Programme("38c3", "38c3.xml"),
    Programme("38c3-speakers", "38c3.xml", {"roles": "speakers"}, variant=True),
    Programme("38c3-fullday", "38c3.xml", {"full_day": True, "rooms_open": "used"}, variant=True),
    Programme("debconf23", "debconf23.xml"),
)


@dataclass
class Run:
    """What one command did: exit code, times, memory and the solver's figures."""

    meeting: str
    kind: str
    rc: int | None
    wall: float
    limit: float
    peak_bytes: int
    note: str = ""
    first: float | None = None
    status: str | None = None
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    moved: int | None = None

    @property
    def within(self) -> bool:
        """Whether the run ended by 1.1 x limit + 2 s (model building and writing included)."""
        return self.wall <= 1.1 * self.limit + 2


def group_rss(pgid: int) -> int:
    """Resident bytes of every process in process group ``pgid`` (read from /proc)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state, ppid, pgrp, ...
            if int(fields[2]) == pgid:
                total += int((entry / "statm").read_text().split()[1]) * PAGE_BYTES
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
    return total


def run_command(args: list[str], *, timeout: float, max_rss: int, cwd: Path) -> tuple[int | None, float, int, str,
                                                                                         str]:
    """Run ``args`` in its own process group, polling its memory; kill the group past ``timeout`` or ``max_rss``.

    Returns exit code (None when killed), wall seconds, peak resident bytes, stdout and a note.
    """
    time_file = cwd / f".time-{os.getpid()}-{time.monotonic_ns()}"
    command = [str(TIME), "-v", "-o", str(time_file), *args] if TIME.exists() else args
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=cwd, start_new_session=True)
        peak, note = 0, ""
        while True:
            try:
                process.wait(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                pass
            peak = max(peak, group_rss(process.pid))
            elapsed = time.perf_counter() - started
            if peak > max_rss:
                note = f"killed at {peak / GB:.1f} GB"
            elif elapsed > timeout:
                note = f"killed after {elapsed:.0f} s (timeout)"
            if note:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                break
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    measured = _time_peak(time_file)
    time_file.unlink(missing_ok=True)
    peak = max(peak, measured or 0)
    if not note and process.returncode != 0:
        last = [line for line in stderr.splitlines() if line.strip() and not line.startswith(("\t", "Command"))]
        note = last[-1][:120] if last else ""
    return (None if note.startswith("killed") else process.returncode), wall, peak, stdout, note


def _time_peak(path: Path) -> int | None:
    """Peak resident bytes from ``/usr/bin/time -v`` output, if it wrote any."""
    if not path.exists():
        return None
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", path.read_text())
    return int(match[1]) * 1024 if match else None


def solver_figures(out: Path, stdout: str) -> dict[str, Any]:
    """Status, objective, bound, gap, first solution time and moves, from schedule.json (else the summary)."""
    figures: dict[str, Any] = {}
    path = out / "schedule.json"
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        figures = {key: data.get(key) for key in ("status", "objective", "bound", "gap")}
        figures["first"] = data.get("first_solution_seconds")
        if isinstance(data.get("moves"), list):
            figures["moved"] = len(data["moves"])
    if figures.get("first") is None:  # schedule.json leaves run-to-run timings out; the summary prints them
        match = re.search(r"first solution seconds ([0-9.]+) s", stdout)
        figures["first"] = float(match[1]) if match else None
    if figures.get("moved") is None:
        match = re.search(r"^moved:\s+(\d+)", stdout, re.MULTILINE)
        figures["moved"] = int(match[1]) if match else None
    return figures


def explain_verdict(rc: int, stdout: str) -> str:
    """What ``explain`` concluded: a schedule exists, no schedule (with reasons), or it gave up in time."""
    if rc == 0:
        return "schedule exists"
    if rc != 1:
        return "error"
    gave_up = re.search(r"ran out of time|no schedule was found within", stdout)
    return "says none: gave up in time" if gave_up else "infeasible"


def bench_programme(programme: Programme, work: Path, limit: float, max_rss: int,
                    repeat: int) -> tuple[dict, list[Run]]:
    """Convert one programme, check its published timetable, and run solve, re-plan and explain ``repeat`` times."""
    folder = work / programme.name
    notes = convert(SCHEDULES / programme.xml, folder, **programme.options)
    replan = work / f"{programme.name}-closed"
    shutil.copytree(folder, replan)
    notes["closed"] = close_busiest_room(replan)
    scheduler = [sys.executable, "-m", "scheduler"]
    checked = subprocess.run([*scheduler, "check", str(folder), str(folder / PUBLISHED / "schedule.csv")],
                             capture_output=True, text=True, cwd=ROOT)
    rules = Counter(line.split(":", 1)[0] for line in checked.stdout.splitlines() if ": " in line)
    notes["published_violations"] = ", ".join(f"{count} {rule}" for rule, count in sorted(rules.items())) or "0"
    timeout = 3 * limit + 60
    runs: list[Run] = []
    for number in range(repeat):
        out = work / f"{programme.name}-out-{number}"
        commands = {
            "solve": ([*scheduler, "solve", str(folder), "--out", str(out), "--time-limit", f"{limit:g}"], out),
            "replan": ([*scheduler, "solve", str(replan), "--previous", str(folder / PUBLISHED), "--out",
                        str(out) + "-replan", "--time-limit", f"{limit:g}"], Path(str(out) + "-replan")),
            "explain": ([*scheduler, "explain", str(folder), "--time-limit", f"{limit:g}"], None),
        }
        for kind, (args, result) in commands.items():
            print(f"{programme.name} {kind} (run {number + 1} of {repeat})...", file=sys.stderr, flush=True)
            rc, wall, peak, stdout, note = run_command(args, timeout=timeout, max_rss=max_rss, cwd=work)
            run = Run(programme.name, kind, rc, wall, limit, peak, note)
            if result is not None and rc == 0:
                for key, value in solver_figures(result, stdout).items():
                    setattr(run, key, value)
            if kind == "explain" and rc is not None:
                run.status = explain_verdict(rc, stdout)
            print(f"  rc {rc}, {wall:.1f} s, {peak / GB:.2f} GB {note}", file=sys.stderr, flush=True)
            runs.append(run)
            if result is not None:
                shutil.rmtree(result, ignore_errors=True)
    return notes, runs


def _median(values: list[Any]) -> Any:
    """The median of the values that are numbers, or None."""
    numbers = [value for value in values if isinstance(value, (int, float))]
    return statistics.median(numbers) if numbers else None


def _number(value: Any, digits: int = 2) -> str:
    """A figure for the table; ``-`` when missing."""
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def runs_table(runs: list[Run]) -> str:
    """One row per meeting and command: medians over the repeats, every exit code, notes joined."""
    groups: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        groups.setdefault((run.meeting, run.kind), []).append(run)
    rows = []
    for (meeting, kind), group in groups.items():
        wall = _median([r.wall for r in group])
        rows.append([
            meeting, kind, "/".join("killed" if r.rc is None else str(r.rc) for r in group),
            _number(wall, 1), _number(wall / group[0].limit), f"{sum(r.within for r in group)}/{len(group)}",
            _number(_median([r.peak_bytes for r in group]) / GB), _number(_median([r.first for r in group])),
            "/".join(sorted({r.status for r in group if r.status})) or "-",
            _number(_median([r.objective for r in group])), _number(_median([r.bound for r in group])),
            _number(_median([r.gap for r in group]), 3), _number(_median([r.moved for r in group])),
            "; ".join(sorted({r.note for r in group if r.note})),
        ])
    headers = ["meeting", "run", "exit", "wall s", "wall/limit", "within 1.1L+2", "peak GB", "first valid s",
               "status", "objective", "bound", "gap", "moved", "note"]
    return tabulate(rows, headers=headers, tablefmt="github")


def _busiest(speaker: dict | None) -> str:
    """``name (N h)``: the speaker with the most event hours (more than the grid's hours: infeasible)."""
    return "-" if speaker is None else f"{speaker['name']} ({speaker['hours']:g} h)"


def notes_table(notes: dict[str, dict]) -> str:
    """The converted meetings: size, what was left out, and the published timetable's violations."""
    rows = [[name, n["events"], n["events_in_xml"] - n["events"], n["rooms"], n["speakers"], n["host_links"],
             len(n["days"]), n["slots"], n["grid_hours"], _busiest(n["busiest_speaker"]), n["unavailability_rows"],
             n["off_grid_starts"], n["published_violations"], f"{n['closed']['room']} on {n['closed']['day']}"]
            for name, n in notes.items()]
    headers = ["meeting", "events", "left out (day change)", "rooms", "speakers", "host links", "days", "slots",
               "grid h", "busiest speaker", "closed-room rows", "off-grid starts", "published violations",
               "re-plan closes"]
    return tabulate(rows, headers=headers, tablefmt="github")


def code_version() -> str:
    """The commit measured, and how many files differ from it (others may be editing the tree)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, cwd=ROOT, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return f"{head}" + (f" with {len(dirty)} modified files" if dirty else "")


def main() -> None:
    """Convert the chosen programmes, run every command on each, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="fosdem,38c3,debconf23",
                        help="programmes, comma-separated; 38c3 also selects its variants (38c3-speakers, -fullday)")
    parser.add_argument("--no-variants", action="store_true", help="leave out 38c3-speakers and 38c3-fullday")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per command (default 30)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each command; medians are printed")
    parser.add_argument("--max-rss-gb", type=float, default=8.0, help="kill a run above this resident memory")
    args = parser.parse_args()
    wanted = [item.strip() for item in args.only.split(",") if item.strip()]
    chosen = [p for p in PROGRAMMES
              if any(p.name == item or p.name.startswith(f"{item}-") for item in wanted)
              and not (args.no_variants and p.variant)]
    if not chosen:
        parser.error(f"--only {args.only}: no such programme; expected some of {', '.join(p.name for p in PROGRAMMES)}")
    notes: dict[str, dict] = {}
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="real-bench-") as work:
        for programme in chosen:
            notes[programme.name], done = bench_programme(programme, Path(work), args.time_limit,
                                                          int(args.max_rss_gb * GB), args.repeat)
            runs.extend(done)
    print(f"time limit {args.time_limit:g} s, {args.repeat} run(s) each, timeout {3 * args.time_limit + 60:g} s, "
          f"memory cap {args.max_rss_gb:g} GB; code: {code_version()}\n")
    print(notes_table(notes))
    print()
    print(runs_table(runs))


if __name__ == "__main__":
    main()
