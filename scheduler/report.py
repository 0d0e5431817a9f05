"""What the command line prints about a solve: progress lines and the one-screen summary.

Plain text built from a Schedule and its metadata, kept out of the CLI so the commands stay short.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .model import Problem, Schedule


def progress_printer(echo: Callable[[str], None]) -> Callable[[Any], None]:
    """A solver progress callback that prints one line per improvement through ``echo``."""

    def show(event: Any) -> None:
        echo(
            f"  {event.elapsed:7.1f} s  objective {event.objective:>8}  bound {event.bound:>8}  "
            f"gap {event.gap:6.1%}  ({event.phase})"
        )

    return show


def solve_summary(problem: Problem, schedule: Schedule, previous: Schedule | None = None) -> str:
    """The one-screen summary after a solve: status, placed events, every soft term, moves against ``previous``."""

    from .moves import move_line

    meta = schedule.metadata
    placed = len(schedule.scheduled)
    status = meta.get("status", "feasible")
    if status == "optimal":
        verdict = "optimal (proven)"
    else:
        verdict = (f"feasible, optimality not proven: objective {meta.get('objective')} against a bound of "
                   f"{meta.get('bound')} (gap {float(meta.get('gap') or 0):.1%})")
    if meta.get("interrupted"):
        verdict += "; the search was interrupted"
    lines = [f"status:   {verdict}", f"placed:   {placed} of {len(problem.events)} events",
             score_table(problem, schedule, previous)]
    reasons = meta.get("unscheduled_reasons") or {}
    for assignment in schedule.assignments:
        if not assignment.scheduled:
            lines.append(f"unscheduled {assignment.event_id}: {reasons.get(assignment.event_id, 'not placed')}")
    if previous is not None:
        moves = meta.get("moves") or []
        lines.append(f"moved:    {len(moves)} event{'s' if len(moves) != 1 else ''}")
        lines.extend(f"  {move_line(problem, move)}" for move in moves)
    timing = [f"{key.replace('_', ' ')} {meta[key]:.2f} s" for key in
              ("build_seconds", "first_solution_seconds", "solve_seconds") if isinstance(meta.get(key), (int, float))]
    if timing:
        lines.append("time:     " + ", ".join(timing))
    return "\n".join(lines)


def score_table(problem: Problem, schedule: Schedule, previous: Schedule | None = None, fmt: str = "simple") -> str:
    """Every soft term's count and weighted score, and the total the solver minimises (``moved`` with ``previous``)."""
    from tabulate import tabulate

    from .score import breakdown

    parts = breakdown(problem, schedule, previous)
    rows = [[term, parts.raw[term], parts.weighted[term]] for term in parts.weighted]
    rows.append(["total", "", parts.total])
    return tabulate(rows, headers=["soft term", "count", "score"], tablefmt=fmt)


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
