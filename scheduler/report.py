"""What the command line prints about a solve: progress lines and the one-screen summary.

Plain text built from a Schedule and its metadata, kept out of the CLI so the commands stay short.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .model import Problem, Schedule

LEGEND = ("objective: the cost of the best schedule so far, its soft terms weighted and summed (lower is better)",
          "bound: no schedule can cost less; gap: the share of the objective that a better schedule could still save")
# what each phase of the search is, in a planner's words (ProgressEvent.phase)
PHASES = {"greedy": "quick first placement", "cp-sat": "exact search", "lns": "improving a part at a time",
          "repair": "repairing a placement"}
HEARTBEAT_SECONDS = 1.5  # silence before a heartbeat: a line at least every 2 s, even when the machine is busy
# what each soft term's count counts (score.ScoreBreakdown.counts)
COUNTED = {
    "preferred_day": "events on a day they did not ask for",
    "preferred_start": "events at a start they did not ask for",
    "topic_clash": "extra events on one topic at once",
    "room_fit": "empty-seat units of half-empty rooms",
    "hybrid_kit_unused": "in-person events in hybrid rooms",
    "room_wish": "events not in the room kind or size they wish",
    "remote_off_hours": "remote speakers outside 09:00-18:00",
    "venue_off_hours": "event slots outside the venue's comfort hours",
    "crowding": "events beyond the even spread",
    "track_rooms": "rooms a track uses beyond one a day",
    "track_days": "days a track runs beyond one",
    "track_gaps": "empty slots inside a track's day in a room",
    "unscheduled": "events left out",
    "moved": "events moved",
}


class SolveProgress:
    """The progress lines of a solve: the legend, one line per better schedule, and a heartbeat line whenever the
    command has said nothing for ``every`` seconds (from a thread, while the ``with`` block runs).

    ``started`` is the ``time.perf_counter()`` the solver's clock counts from. Until ``searching`` is called the
    command is loading its inputs; ``search_ends`` is the clock's reading by which the search gives way to
    writing the outputs (the time limit less the time kept for them).
    """

    def __init__(self, echo: Callable[[str], None], *, started: float, every: float = HEARTBEAT_SECONDS) -> None:
        self.echo = echo
        self.started = started
        self.search_ends: float | None = None
        self.every = every
        self.best: Any = None  # the last ProgressEvent
        self.said = started  # when the last timed line was printed: silence counts from the start
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.beats = threading.Thread(target=self._beat, name="heartbeat", daemon=True)

    def __enter__(self) -> SolveProgress:
        self.beats.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.beats.join()

    def searching(self, search_ends: float) -> None:
        """The inputs are loaded and the search starts: print the legend of the lines to come."""
        with self.lock:
            self.search_ends = search_ends
            for line in LEGEND:
                self.echo(f"  {line}")

    def __call__(self, event: Any) -> None:
        """The solver's progress callback: one line for a better schedule."""
        with self.lock:
            self.best = event
            self._say(f"  {event.elapsed:7.1f} s  objective {event.objective:>8}  bound {event.bound:>8}  "
                      f"gap {event.gap:6.1%}  better schedule ({PHASES.get(event.phase, event.phase)})")

    def _say(self, line: str) -> None:
        """Print a timed line (a better schedule, a heartbeat)."""
        self.echo(line)
        self.said = time.perf_counter()

    def _beat(self) -> None:
        while not self.done.wait(max(0.05, self.said + self.every - time.perf_counter())):
            with self.lock:
                if time.perf_counter() - self.said >= self.every - 0.01:
                    self._say(self.heartbeat(time.perf_counter()))

    def heartbeat(self, now: float) -> str:
        """The line that says the solve is alive at ``now``, and what it is doing."""
        best, elapsed = self.best, now - self.started
        if self.search_ends is None:
            doing = "loading the meeting"
        elif best is None:
            doing = "searching for a first schedule"
        elif best.objective <= best.bound:
            doing = f"best possible schedule found (objective {best.objective}); writing the outputs"
        elif now >= self.search_ends:
            doing = f"time is up, keeping objective {best.objective}; writing the outputs"
        else:
            doing = f"still searching; best so far: objective {best.objective}, gap {best.gap:.1%}"
        return f"  {elapsed:7.1f} s  {doing}"


def solve_summary(problem: Problem, schedule: Schedule, previous: Schedule | None = None) -> str:
    """The one-screen summary after a solve: the verdict, placed events, every soft term, moves, time."""

    from .moves import move_line

    meta = schedule.metadata
    placed = len(schedule.scheduled)
    lines = [f"result:   {verdict(meta)}", f"placed:   {placed} of {len(problem.events)} events",
             score_table(problem, schedule, previous)]
    reasons = meta.get("unscheduled_reasons") or {}
    for assignment in schedule.assignments:
        if not assignment.scheduled:
            lines.append(f"unscheduled {assignment.event_id}: {reasons.get(assignment.event_id, 'not placed')}")
    if previous is not None:
        moves = meta.get("moves") or []
        lines.append(f"moved:    {len(moves)} event{'s' if len(moves) != 1 else ''}")
        lines.extend(f"  {move_line(problem, move)}" for move in moves)
    timing = time_line(meta)
    if timing:
        lines.append(f"time:     {timing}")
    return "\n".join(lines)


def verdict(meta: Mapping[str, Any]) -> str:
    """Whether the schedule is the best possible, in one line: proven, or how far from it at most, and what to do."""
    objective, bound = meta.get("objective"), meta.get("bound")
    interrupted = "; the search was interrupted (Ctrl-C)" if meta.get("interrupted") else ""
    if meta.get("status") == "optimal":
        return f"proven best: no schedule costs less than this one (objective {objective}){interrupted}"
    if not isinstance(objective, int) or not isinstance(bound, int):
        return f"a valid schedule, not proven best{interrupted}"
    if bound <= 0:
        head = f"not proven best: it costs {objective}, and the best possible could cost as little as 0"
    else:
        head = (f"within {float(meta.get('gap') or 0):.1%} of the best possible: it costs {objective}, no schedule "
                f"can cost less than {bound}")
    return f"{head}{interrupted}; a longer --time-limit may improve it"


def time_line(meta: Mapping[str, Any]) -> str:
    """When the search was ready, found its first schedule and ended, in seconds since its clock started."""
    build, first, search = (meta.get(key) for key in ("build_seconds", "first_solution_seconds", "solve_seconds"))
    parts = []
    if isinstance(build, (int, float)):
        parts.append(f"ready to search after {build:.2f} s")
    if isinstance(first, (int, float)) and first:
        parts.append(f"first schedule after {first:.2f} s")
    if isinstance(build, (int, float)) and isinstance(search, (int, float)):
        parts.append(f"search ended after {build + search:.2f} s")
    return ", ".join(parts)


def score_table(problem: Problem, schedule: Schedule, previous: Schedule | None = None, fmt: str = "simple") -> str:
    """Every soft term's count (what it counts, in words) and cost, and the total the solver minimises.

    The cost is the term's weighted value: count x weight, except for ``unscheduled`` (per event, by its
    priority) and ``moved`` (per event, by how far it moved); ``moved`` only with ``previous``.
    """
    from tabulate import tabulate

    from .score import breakdown

    parts = breakdown(problem, schedule, previous)
    rows = [[term, parts.counts[term], COUNTED.get(term, ""), parts.weighted[term]] for term in parts.weighted]
    rows.append(["total", "", "", parts.total])
    return tabulate(rows, headers=["soft term", "count", "counted", "cost"], tablefmt=fmt)


def written(out: Path, files: Mapping[str, object]) -> str:
    """``wrote N feeds in OUT/feeds, OUT/schedule.csv, ...``: what a command wrote."""
    feeds = sum(1 for name in files if name.endswith(".ics"))
    others = [f"{out}/{name}" for name in files if not name.startswith("feeds/")]
    return "wrote " + ", ".join(([f"{feeds} feeds in {out}/feeds"] if feeds else []) + others)


def sweep_progress(echo: Callable[[str], None]) -> Callable[[Any], None]:
    """A sweep progress callback printing ``name: solved in 1.2 s`` (or why not) through ``echo``."""

    def progress(outcome: Any) -> None:
        if getattr(outcome, "source", ""):
            echo(f"{outcome.name}: read from {outcome.source}")
            return
        state = "solved" if outcome.schedule is not None else outcome.failure
        moves = getattr(outcome, "moves", [])
        moved = f", {len(moves)} event{'s' if len(moves) != 1 else ''} moved" if moves else ""
        echo(f"{outcome.name}: {state} in {outcome.seconds:.1f} s{moved}")

    return progress


def explanation_text(problem: Problem, diagnosis: Any, repairs: Sequence[Any]) -> list[str]:
    """What ``explain`` prints: the cause in one sentence, the events involved, the conflicting rules, the repairs."""
    from .solver.cause import cause, involved

    sentence = cause(problem, diagnosis)
    lines = [f"No schedule exists: {sentence}" if sentence else "No schedule exists:"]
    if sentence:
        lines += ["Events involved:", *(f"  - {line}" for line in involved(problem, diagnosis.core)),
                  "The rules in conflict:"]
    lines += [f"  - {reason}" for reason in diagnosis.lines]
    if repairs:
        lines.append("Repairs, each checked by solving the changed meeting:")
        lines += [f"  - {repair.text}: {repair.result}" for repair in repairs]
    return lines
