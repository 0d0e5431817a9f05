"""Sweep: solve several what-if scenarios of one meeting in parallel and compare the results.

Every scenario is applied and validated first (all errors at once, before any solve starts), then
each variant is solved as one task. Tasks go to any executor with ``submit(fn, *args)`` returning a
future with ``result()``: a ``concurrent.futures`` process pool by default, or a Dask ``Client`` or
another pool passed in, so a cluster can be plugged in without touching the solver. Tasks and
results are plain picklable values; only the calling process writes files.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import DataErrors, InfeasibleError, LoadError, NoScheduleFound, SchedulerError, UsageError
from .model import Problem, Schedule
from .output import write_atomic, write_tree_atomic
from .scenario import SCENARIO_FILE, Scenario, apply_scenario
from .solver import SolveOptions, solve

if TYPE_CHECKING:  # compare needs pandas, which sweep workers need not import
    from .compare import Comparison

BASELINE = "baseline"


class FutureLike(Protocol):
    """What a submitted task returns: something with ``result()`` (concurrent.futures, Dask, ...)."""

    def result(self) -> Any: ...


class ExecutorLike(Protocol):
    """Anything that runs ``fn(*args)`` somewhere and hands back a future."""

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> FutureLike: ...


@dataclass(frozen=True)
class Variant:
    """One problem to solve: the meeting as it is (the baseline) or with one scenario applied."""

    name: str  # folder and column name: the scenario file's stem, or "baseline"
    problem: Problem
    scenario: Scenario | None = None


@dataclass(frozen=True)
class Outcome:
    """What solving one variant gave: a schedule, or the reasons none was found; worker seconds."""

    name: str
    schedule: Schedule | None
    failure: str = ""  # "infeasible" or "error" when there is no schedule
    explanation: tuple[str, ...] = ()  # why there is no schedule
    seconds: float = 0.0

    @property
    def status(self) -> str:
        """The solver's status (``optimal``/``feasible``) or the failure (``infeasible``/``error``)."""
        if self.schedule is None:
            return self.failure or "error"
        return str(self.schedule.metadata.get("status", "feasible"))


@dataclass(frozen=True)
class SweepResult:
    """Every variant with its outcome, in the order given, and the sweep's wall-clock seconds."""

    variants: tuple[Variant, ...]
    outcomes: tuple[Outcome, ...]
    wall_seconds: float = field(default=0.0, compare=False)

    @property
    def solved(self) -> dict[str, Schedule]:
        """Name -> schedule of the variants that have one."""
        return {o.name: o.schedule for o in self.outcomes if o.schedule is not None}

    def comparison(self) -> Comparison | None:
        """The side-by-side comparison of the solved variants (first solved one as baseline)."""
        from .compare import build_comparison

        solved = self.solved
        if not solved:
            return None
        problems = {v.name: v.problem for v in self.variants if v.name in solved}
        base = next(v.problem for v in self.variants if v.name in solved)
        return build_comparison(base, solved, problems=problems, allow_unscheduled=True)


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


def run_sweep(variants: Sequence[Variant], options: SolveOptions, *, jobs: int = 1,
              executor: ExecutorLike | None = None, progress: Callable[[Outcome], None] | None = None) -> SweepResult:
    """Solve every variant with ``options`` (one CP-SAT worker each) and collect outcomes in order.

    ``executor`` is any object with ``submit``; without one, ``jobs`` > 1 runs a process pool of that
    size and ``jobs`` = 1 solves in this process. ``progress`` is called with each outcome in order.
    """
    if jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, got {jobs}")
    options = single_worker(options)
    began = time.perf_counter()
    outcomes: list[Outcome] = []

    def collect(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)

    if executor is None and jobs == 1:
        for variant in variants:
            collect(solve_variant(variant.name, variant.problem, options))
    elif executor is None:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, len(variants)), mp_context=context) as pool:
            _submit_all(pool, variants, options, collect)
    else:
        _submit_all(executor, variants, options, collect)
    return SweepResult(tuple(variants), tuple(outcomes), time.perf_counter() - began)


def _submit_all(executor: ExecutorLike | Executor, variants: Sequence[Variant], options: SolveOptions,
                collect: Callable[[Outcome], None]) -> None:
    futures = [executor.submit(solve_variant, v.name, v.problem, options) for v in variants]
    for future in futures:
        collect(future.result())


def sweep_scenarios(problem: Problem, scenarios: Sequence[Scenario], options: SolveOptions, *, jobs: int = 1,
          executor: ExecutorLike | None = None, baseline: bool = True,
          progress: Callable[[Outcome], None] | None = None) -> SweepResult:
    """Apply, then solve, every scenario of ``problem`` (and the unchanged meeting when ``baseline``)."""
    return run_sweep(prepare(problem, scenarios, baseline=baseline), options, jobs=jobs, executor=executor,
                     progress=progress)


def result_files(variant: Variant, outcome: Outcome) -> dict[str, str]:
    """The files of one result folder: schedule.csv and schedule.json, the scenario, or why none."""
    from .export.schedule import schedule_csv, schedule_json

    files: dict[str, str] = {}
    if variant.scenario is not None and variant.scenario.text:
        files[SCENARIO_FILE] = variant.scenario.text
    if outcome.schedule is not None:
        files["schedule.csv"] = schedule_csv(outcome.schedule)
        files["schedule.json"] = schedule_json(outcome.schedule)
    else:
        files["infeasible.txt"] = "\n".join([f"{outcome.status}:", *outcome.explanation]) + "\n"
    return files


def write_sweep(result: SweepResult, out: Path | str, *, comparison: Comparison | None = None) -> None:
    """Write OUT/<name>/ per variant (schedule.csv, schedule.json, scenario.toml) and OUT/comparison.csv."""
    out = Path(out)
    for variant, outcome in zip(result.variants, result.outcomes, strict=True):
        folder = out / variant.name
        for stale in ("schedule.csv", "schedule.json", "infeasible.txt"):
            (folder / stale).unlink(missing_ok=True)
        write_tree_atomic(folder, result_files(variant, outcome))
    comparison = comparison if comparison is not None else result.comparison()
    if comparison is not None:
        write_atomic(out / "comparison.csv", comparison.table.to_csv(lineterminator="\n"))


def format_sweep(result: SweepResult, fmt: str = "simple", *, comparison: Comparison | None = None,
                 max_rows: int | None = 50, timings: bool = True) -> str:
    """What ``scheduler sweep`` prints: one status line per variant, then the comparison.

    ``timings`` adds each solve's seconds (leave it out where output must be byte-identical).
    """
    from .compare import format_comparison

    width = max(len(o.name) for o in result.outcomes) if result.outcomes else 0
    lines = []
    for outcome in result.outcomes:
        seconds = f" {outcome.seconds:6.1f} s" if timings else ""
        detail = f"; {outcome.explanation[0]}" if outcome.schedule is None and outcome.explanation else ""
        lines.append(f"{outcome.name:<{width}}  {outcome.status:<10}{seconds}{detail}".rstrip())
    comparison = comparison if comparison is not None else result.comparison()
    text = "\n".join(lines) + "\n"
    if comparison is not None:
        text += "\n" + format_comparison(comparison, fmt, max_rows=max_rows)
    return text

