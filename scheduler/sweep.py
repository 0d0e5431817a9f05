"""Sweep: solve several what-if scenarios of one meeting in parallel and compare the results.

Every scenario is applied and validated first (all errors at once, before any solve starts), then
each variant is solved as one task. By default the baseline comes first and every scenario is then
*re-planned* against it (``solve`` with ``previous``, as ``solve --previous`` does: each moved event
costs the ``moved`` term), so a scenario's changes show only what it really forces; the baseline is
the unchanged meeting's schedule, or an earlier publication given in. ``replan=False`` solves every
variant from scratch.

Tasks go to any executor with ``submit(fn, *args)`` returning a future with ``result()``
(``executors.py``): this process, a ``concurrent.futures`` process pool, a Dask cluster, or another
pool passed in. Tasks and results are plain picklable values and each task solves with one CP-SAT
worker, so results do not depend on the executor; only the calling process writes files.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DataErrors, InfeasibleError, LoadError, NoScheduleFound, SchedulerError, UsageError
from .executors import ExecutorLike, FutureLike, local_executor
from .model import Problem, Schedule
from .output import write_atomic, write_tree_atomic
from .scenario import SCENARIO_FILE, Scenario, apply_scenario
from .solver import SolveOptions, solve

if TYPE_CHECKING:  # compare needs pandas, which sweep workers need not import
    from .compare import Comparison

BASELINE = "baseline"


@dataclass(frozen=True)
class Variant:
    """One problem to solve: the meeting as it is (the baseline) or with one scenario applied."""

    name: str  # folder and column name: the scenario file's stem, or "baseline"
    problem: Problem
    scenario: Scenario | None = None


@dataclass(frozen=True)
class Outcome:
    """What solving one variant gave: a schedule, or the reasons none was found; worker seconds.

    ``source`` names the earlier publication a baseline was read from instead of being solved.
    """

    name: str
    schedule: Schedule | None
    failure: str = ""  # "infeasible" or "error" when there is no schedule
    explanation: tuple[str, ...] = ()  # why there is no schedule
    seconds: float = 0.0
    source: str = ""

    @property
    def status(self) -> str:
        """``published`` (read, not solved), the solver's status (``optimal``/``feasible``) or the failure."""
        if self.schedule is None:
            return self.failure or "error"
        if self.source:
            return "published"
        return str(self.schedule.metadata.get("status", "feasible"))

    @property
    def moves(self) -> list[dict[str, Any]]:
        """The re-plan's moved events with their reasons (schedule metadata ``moves``); [] from scratch."""
        return list(self.schedule.metadata.get("moves") or []) if self.schedule is not None else []


@dataclass(frozen=True)
class SweepResult:
    """Every variant with its outcome, in the order given, the sweep's wall-clock seconds, and the
    schedule the scenarios were re-planned against (None when they were solved from scratch)."""

    variants: tuple[Variant, ...]
    outcomes: tuple[Outcome, ...]
    wall_seconds: float = field(default=0.0, compare=False)
    previous: Schedule | None = None
    note: str = ""  # why scenarios were solved from scratch although a re-plan was asked for

    @property
    def solved(self) -> dict[str, Schedule]:
        """Name -> schedule of the variants that have one."""
        return {o.name: o.schedule for o in self.outcomes if o.schedule is not None}

    def comparison(self) -> Comparison | None:
        """The side-by-side comparison of the solved variants (first solved one as baseline).

        After a re-plan every total includes the ``moved`` term, as each schedule.json objective does.
        """
        from .compare import build_comparison

        solved = self.solved
        if not solved:
            return None
        problems = {v.name: v.problem for v in self.variants if v.name in solved}
        base = next(v.problem for v in self.variants if v.name in solved)
        return build_comparison(base, solved, problems=problems, allow_unscheduled=True, previous=self.previous)


def variant_name(scenario: Scenario) -> str:
    """A scenario's folder and column name: its file's stem."""
    return Path(scenario.path).stem


def prepare(problem: Problem, scenarios: Sequence[Scenario], *, baseline: bool = True) -> list[Variant]:
    """Apply every scenario to ``problem``; all scenario errors are raised together as one DataErrors.

    With ``baseline`` the unchanged meeting comes first, so every scenario is compared against it.
    """
    variants = [Variant(BASELINE, problem)] if baseline else []
    errors: list[LoadError] = []
    for scenario in scenarios:
        name = variant_name(scenario)
        if any(v.name == name for v in variants):
            raise UsageError(f"two scenarios would both be written to {name!r}; rename one file")
        try:
            variants.append(Variant(name, apply_scenario(problem, scenario), scenario))
        except DataErrors as error:
            errors.extend(error.errors)
    if errors:
        raise DataErrors(errors)
    if not variants:
        raise UsageError("nothing to sweep: give at least one scenario")
    return variants


def single_worker(options: SolveOptions) -> SolveOptions:
    """The options one sweep task gets: one CP-SAT worker (tasks run side by side) and no progress callback."""
    return dataclasses.replace(options, workers=1, progress=None)


def restrict(schedule: Schedule, problem: Problem) -> Schedule:
    """``schedule`` without the events ``problem`` does not have: the previous schedule a re-plan of it keeps to.

    Reads an earlier schedule the way ``solve --previous`` does (rows of withdrawn events left out).
    """
    kept = tuple(a for a in schedule.assignments if a.event_id in problem.events_by_id)
    return dataclasses.replace(schedule, assignments=kept)


def solve_variant(name: str, problem: Problem, options: SolveOptions) -> Outcome:
    """Solve one variant (runs inside a worker): a schedule, or the explanation of why there is none."""
    began = time.perf_counter()
    try:
        schedule = solve(problem, options)
    except (InfeasibleError, NoScheduleFound) as error:  # none exists, or none was found in time
        return Outcome(name, None, "infeasible", tuple(error.explanation), time.perf_counter() - began)
    except SchedulerError as error:
        return Outcome(name, None, "error", (str(error),), time.perf_counter() - began)
    schedule = dataclasses.replace(schedule, metadata={**schedule.metadata, "scenario": name})
    return Outcome(name, schedule, seconds=time.perf_counter() - began)


def given_baseline(schedule: Schedule, source: str) -> Outcome:
    """The baseline's outcome when it is an earlier publication read in, not solved."""
    return Outcome(BASELINE, dataclasses.replace(schedule, metadata={**schedule.metadata, "scenario": BASELINE}),
                   source=source)


def published_baseline(folder: Path | str, problem: Problem) -> Outcome:
    """An earlier output folder's schedule as the baseline of a sweep of ``problem`` (``--baseline OUT``).

    Read as ``solve --previous`` reads it; a folder without schedule.csv, or whose schedule holds
    fewer than half of the meeting's events (another meeting's), is a UsageError.
    """
    from .load.previous import previous_schedule

    folder = Path(folder)
    if not (folder / "schedule.csv").is_file():
        raise UsageError(f"--baseline {folder}: no schedule.csv there; expected an output folder of solve")
    schedule = previous_schedule(folder, problem)
    if 2 * len(schedule.assignments) < len(problem.events):
        raise UsageError(f"--baseline {folder}: its schedule holds {len(schedule.assignments)} of the "
                         f"{len(problem.events)} events of {problem.meeting.name}: a schedule of another meeting?")
    return given_baseline(schedule, str(folder))


def run_sweep(variants: Sequence[Variant], options: SolveOptions, *, jobs: int = 1,
              executor: ExecutorLike | None = None, progress: Callable[[Outcome], None] | None = None,
              replan: bool = True, baseline: Outcome | None = None) -> SweepResult:
    """Solve every variant with ``options`` (one CP-SAT worker each) and collect outcomes in order.

    With ``replan`` the scenarios are re-planned against the baseline: ``baseline`` when given (see
    ``given_baseline``; it is then the outcome of the variant named ``baseline``, which is not
    solved), else the variant named ``baseline``, solved first. Without a baseline schedule (none
    given, none in ``variants``, or it has none) every variant is solved from scratch.

    ``executor`` is any object with ``submit``; without one, ``jobs`` > 1 runs a process pool of that
    size and ``jobs`` = 1 solves in this process. ``progress`` is called with each outcome as it is
    collected: the baseline first, then the others in order.
    """
    options = single_worker(options)
    began = time.perf_counter()
    done: dict[str, Outcome] = {}

    def collect(outcome: Outcome) -> None:
        done[outcome.name] = outcome
        if progress is not None:
            progress(outcome)

    first = next((v for v in variants if v.name == BASELINE), None)
    with local_executor(jobs, len(variants)) if executor is None else _given(executor) as pool:
        if first is not None and baseline is not None:
            collect(dataclasses.replace(baseline, name=first.name))
        elif first is not None and replan:
            collect(_result(first, pool.submit(solve_variant, first.name, first.problem, options)))
        previous = done[first.name].schedule if replan and first is not None else None
        previous = baseline.schedule if replan and baseline is not None else previous
        rest = [v for v in variants if v.name not in done]
        futures = [pool.submit(solve_variant, v.name, v.problem, _options_for(v, options, previous)) for v in rest]
        for variant, future in zip(rest, futures, strict=True):
            collect(_result(variant, future))
    note = ""
    if replan and previous is None and first is not None:
        note = "the baseline has no schedule: the scenarios were solved from scratch"
    return SweepResult(tuple(variants), tuple(done[v.name] for v in variants), time.perf_counter() - began,
                       previous, note)


@contextmanager
def _given(executor: ExecutorLike) -> Iterator[ExecutorLike]:
    """An executor the caller owns (and closes): used as it is."""
    yield executor


def _options_for(variant: Variant, options: SolveOptions, previous: Schedule | None) -> SolveOptions:
    """A scenario's options: a re-plan against ``previous`` (its events only) when there is one."""
    if previous is None or variant.name == BASELINE:
        return options
    return dataclasses.replace(options, previous=restrict(previous, variant.problem))


def _result(variant: Variant, future: FutureLike) -> Outcome:
    """The future's outcome; a task that failed where it ran (a lost worker, a missing package) is an error."""
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001 - any failure of a remote task is that variant's error
        return Outcome(variant.name, None, "error", (f"the task failed: {type(error).__name__}: {error}",))


def sweep_scenarios(problem: Problem, scenarios: Sequence[Scenario], options: SolveOptions, *, jobs: int = 1,
                    executor: ExecutorLike | None = None, baseline: bool = True, replan: bool = True,
                    progress: Callable[[Outcome], None] | None = None) -> SweepResult:
    """Apply, then solve, every scenario of ``problem`` (and the unchanged meeting when ``baseline``).

    With ``replan`` and ``baseline`` each scenario is re-planned against the unchanged meeting's schedule.
    """
    return run_sweep(prepare(problem, scenarios, baseline=baseline), options, jobs=jobs, executor=executor,
                     progress=progress, replan=replan)


def result_files(variant: Variant, outcome: Outcome) -> dict[str, str]:
    """The files of one result folder: schedule.csv and schedule.json (no timings), the scenario, or why none."""
    from .export.schedule import schedule_files

    files: dict[str, str] = {}
    if variant.scenario is not None and variant.scenario.text:
        files[SCENARIO_FILE] = variant.scenario.text
    if outcome.schedule is not None:
        files.update(schedule_files(outcome.schedule))
    else:
        files["infeasible.txt"] = "\n".join([f"{outcome.status}:", *outcome.explanation]) + "\n"
    return files


MOVES_COLUMNS = ("scenario", "event_id", "title", "organizer", "before", "after", "kind", "reason")


def moves_table(result: SweepResult) -> list[dict[str, str]]:
    """One row per event a re-planned scenario moved: what, from where to where, and why."""
    from .moves import placement_text

    rows = []
    for variant, outcome in zip(result.variants, result.outcomes, strict=True):
        if variant.name == BASELINE:  # a published baseline may carry the moves of its own re-plan
            continue
        for move in outcome.moves:
            event = variant.problem.events_by_id.get(move["event_id"])
            rows.append({"scenario": variant.name, "event_id": move["event_id"],
                         "title": event.title if event else "", "organizer": event.organizer if event else "",
                         "before": placement_text(variant.problem, move.get("before")),
                         "after": placement_text(variant.problem, move.get("after")),
                         "kind": str(move.get("kind") or ""), "reason": str(move.get("reason") or "")})
    return rows


def moves_csv(result: SweepResult) -> str:
    """``moves_table`` as CSV text (header only when nothing moved)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, MOVES_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(moves_table(result))
    return buffer.getvalue()


def write_sweep(result: SweepResult, out: Path | str, *, comparison: Comparison | None = None) -> None:
    """Write OUT/<name>/ per variant (schedule.csv, schedule.json, scenario.toml), OUT/comparison.csv and,
    after a re-plan, OUT/moves.csv (every moved event with its reason)."""
    out = Path(out)
    for variant, outcome in zip(result.variants, result.outcomes, strict=True):
        folder = out / variant.name
        for stale in ("schedule.csv", "schedule.json", "infeasible.txt", SCENARIO_FILE):
            (folder / stale).unlink(missing_ok=True)
        write_tree_atomic(folder, result_files(variant, outcome))
    comparison = comparison if comparison is not None else result.comparison()
    if comparison is not None:
        write_atomic(out / "comparison.csv", comparison.table.to_csv(lineterminator="\n"))
    (out / "moves.csv").unlink(missing_ok=True)
    if result.previous is not None:
        write_atomic(out / "moves.csv", moves_csv(result))


def format_sweep(result: SweepResult, fmt: str = "simple", *, comparison: Comparison | None = None,
                 max_rows: int | None = 50, timings: bool = True) -> str:
    """What ``scheduler sweep`` prints: one status line per variant, how scenarios were solved, the
    comparison, then each re-planned scenario's moved events with their reasons.

    ``timings`` adds each solve's seconds (leave it out where output must be byte-identical).
    """
    from .compare import format_comparison
    from .moves import move_line

    width = max(len(o.name) for o in result.outcomes) if result.outcomes else 0
    lines = []
    for outcome in result.outcomes:
        seconds = f" {outcome.seconds:6.1f} s" if timings and not outcome.source else ""
        detail = f"; {outcome.explanation[0]}" if outcome.schedule is None and outcome.explanation else ""
        detail = f" ({outcome.source})" if outcome.source else detail
        lines.append(f"{outcome.name:<{width}}  {outcome.status:<10}{seconds}{detail}".rstrip())
    if result.previous is not None:
        lines.append(f"\nScenarios re-planned against {BASELINE}: an event moves only where the scenario's changes "
                     "make it worth its cost (--from-scratch solves each anew).")
    elif result.note:
        lines.append(f"\nNote: {result.note}.")
    comparison = comparison if comparison is not None else result.comparison()
    text = "\n".join(lines) + "\n"
    if comparison is not None:
        text += "\n" + format_comparison(comparison, fmt, max_rows=max_rows)
    if result.previous is None:
        return text
    parts = []
    for variant, outcome in zip(result.variants, result.outcomes, strict=True):
        if outcome.schedule is None or variant.name == BASELINE:
            continue
        moves = outcome.moves
        shown = moves if max_rows is None else moves[:max_rows]
        block = [f"{variant.name}: {len(moves)} event{'s' if len(moves) != 1 else ''} moved",
                 *(f"  {move_line(variant.problem, move)}" for move in shown)]
        if len(shown) < len(moves):
            block.append(f"  ... and {len(moves) - len(shown)} more (moves.csv lists them all)")
        parts.append("\n".join(block))
    if parts:
        text += f"\nMoved against {BASELINE}, with reasons:\n" + "\n".join(parts) + "\n"
    return text
