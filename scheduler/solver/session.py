"""The state of one solve, and its one owner: problem data, clock, incumbent and bound, progress.

Every search (``plan.py``, ``lns.py``, ``replan.py``) works through a :class:`Session`: it offers
candidate schedules with ``accept``, runs CP-SAT with ``run`` (one model, raced by several seeds)
or ``race`` (several models at once), raises the bound with ``raise_bound``/``add_bound``, and ends
with ``finish``, which turns the best schedule found into a :class:`Schedule` (or says none was).
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from ..errors import InfeasibleError, NoScheduleFound
from ..model import Problem, Schedule
from .bound import combinatorial_bound
from .build import ModelContext
from .constraints import compute_domains
from .objectives import CostData, evaluate, weighted
from .options import ProgressEvent
from .reasons import describe_empty, left_out_reason
from .result import gap, schedule_of
from .variables import Domain, Placement, Timeline, room_groups

if TYPE_CHECKING:  # pragma: no cover
    from .options import SolveOptions

# Up to this many placement literals one CP-SAT model over the whole meeting, searched by one
# LP-driven worker per core, proves optimality fastest; above it the model's LP gets slow and the
# decomposed search (greedy, repair, large neighbourhoods) finds better schedules sooner. The
# figure comes from the measurements in benchmarks/README.md (about 150 generated events).
MONOLITHIC_MAX_PLACEMENTS = 15_000
# Up to this many events the combinatorial bound (bound.py) is computed before the search.
COUPLED_BOUND_MAX_EVENTS = 300
# With one worker the search is counted in CP-SAT's deterministic time so that runs repeat exactly;
# Python's own work (building sub-models, local search) is counted by estimate (lns.overhead). Half
# the limit in those units ends such runs before the wall clock on this machine (benchmarks/README.md).
DETERMINISTIC_SHARE = 0.5
# What a planner can do when the time ends before any schedule was found (NoScheduleFound).
MORE_TIME = "allow more time, or --allow-unscheduled to leave some events out"

Run = tuple[cp_model.CpSolver, cp_model.CpModel, cp_model.CpSolverSolutionCallback | None]


class Session:
    """The state of one solve: problem data, clock, best schedule so far, progress reporting."""

    def __init__(self, problem: Problem, options: SolveOptions, started: float | None = None,
                 stop: threading.Event | None = None) -> None:
        self.problem = problem
        self.options = options
        self.stop = stop or threading.Event()  # set by Ctrl-C (see interrupts_stop): end the search
        self.clock = time.perf_counter() if started is None else started
        self.timeline = Timeline(problem)
        # a re-plan sees every room on its own: a move of room costs, even between twin rooms
        self.groups = room_groups(problem, split=options.previous is not None)
        self.domains: dict[str, Domain] = compute_domains(problem, self.timeline, self.groups)
        self.data = CostData(problem, self.timeline, self.groups, options.previous)
        self.placeable = sorted(e for e, d in self.domains.items() if not d.empty)
        # why each event with no possible placement has none (each is left out, or the solve refused)
        self.empty_reasons = {e: describe_empty(problem, self.groups, self.domains[e])
                              for e in sorted(e for e, d in self.domains.items() if d.empty)}
        self.incumbent: dict[str, Placement | None] | None = None
        self.total: int | None = None
        self.solver_bound = 0
        self.lock = threading.Lock()  # solution callbacks of parallel searches offer at once
        # Events with no possible placement are in no model: their whole cost (left out, and moved
        # when re-planning) is a constant that every objective, bound and progress line includes.
        self.empty_cost = sum(self.data.unscheduled_cost(d.event) + self.data.weights["moved"] *
                              self.data.unplaced_move_raw(d.event) for d in self.domains.values() if d.empty)
        self.moved_floor = 0  # a re-plan's floor on the moved term of the placeable events (add_floor)
        # The combinatorial bound (bound.py) costs ~1 s at 1,000 events and ~3 s on a fine grid of a
        # long meeting (DebConf 23, 1,488 slots): only on small models is it computed before the first
        # schedule; elsewhere after it (lns.tighten_bound), so it never delays it.
        self.lower = self.empty_cost
        self.bounded = False  # the combinatorial bound is in ``lower``
        self.size = sum(self.domains[e].size for e in self.placeable)  # placement literals of the whole model
        self.monolithic = self.size <= MONOLITHIC_MAX_PLACEMENTS  # searched as one CP-SAT model
        if len(self.placeable) <= COUPLED_BOUND_MAX_EVENTS and self.monolithic:
            self.lower += combinatorial_bound(self.data, {e: self.domains[e] for e in self.placeable},
                                              allow_unscheduled=options.allow_unscheduled).value
            self.bounded = True
        self.first_solution: float | None = None
        self.dtime_used = 0.0
        self.reported = math.inf  # the best objective sent to the progress callback

    @classmethod
    def begin(cls, problem: Problem, options: SolveOptions, stop: threading.Event | None = None) -> Session:
        """Start a solve's clock and session; raise InfeasibleError at once for what needs no search.

        That is what the pre-solve checks prove, and events with no possible placement (unless
        ``allow_unscheduled`` lets them stay out).
        """
        started = time.perf_counter() if options.started is None else options.started
        refuse_impossible(problem, options)
        session = cls(problem, options, started, stop)
        if session.empty_reasons and not options.allow_unscheduled:
            raise InfeasibleError(list(session.empty_reasons.values()))
        return session

    @property
    def interrupted(self) -> bool:
        """True once Ctrl-C was pressed: every phase ends and the best schedule so far is kept."""
        return self.stop.is_set()

    @interrupted.setter
    def interrupted(self, value: bool) -> None:
        if value:
            self.stop.set()

    @property
    def elapsed(self) -> float:
        """Seconds since the session started."""
        return time.perf_counter() - self.clock

    @property
    def remaining(self) -> float:
        """Seconds left of the time limit, less a reserve for building the Schedule afterwards."""
        reserve = min(1.0, 0.02 * self.options.time_limit) + len(self.problem.events) / 5000 + self.options.reserve
        return self.options.time_limit - reserve - self.elapsed

    @property
    def budget(self) -> float:
        """Time left to search: with one worker, CP-SAT's deterministic units (reproducible runs), else seconds.

        A deterministic run may spend DETERMINISTIC_SHARE of the limit in deterministic units, so that
        it ends by its own count well before the wall clock; the wall clock still ends it if not.
        """
        if self.options.deterministic:
            return min(DETERMINISTIC_SHARE * self.options.time_limit - self.dtime_used, self.remaining)
        return self.remaining

    @property
    def bound(self) -> int:
        """The best lower bound known (solver's or combinatorial)."""
        return max(self.solver_bound, self.lower)

    @property
    def done(self) -> bool:
        """True when the incumbent is as cheap as a valid lower bound: it is optimal, stop searching."""
        return self.total is not None and (self.total <= self.bound or self.options.first)

    @property
    def out_of_time(self) -> bool:
        """True when the search must end: time is up, Ctrl-C was pressed, or the incumbent is optimal."""
        return self.interrupted or self.done or self.remaining <= 0

    def charge(self, units: float) -> None:
        """Count Python's own work (deterministic estimate, see lns.overhead) against a one-worker budget."""
        self.dtime_used += units

    def score(self, chosen: Mapping[str, Placement | None]) -> int:
        """The full weighted objective of ``chosen`` (every term of every event, as score.py counts it)."""
        return sum(weighted(self.data, evaluate(self.data, chosen)).values())

    def raise_bound(self, value: int) -> None:
        """Record a valid lower bound of the whole problem found by a solver."""
        with self.lock:
            self.solver_bound = max(self.solver_bound, value)

    def add_bound(self, value: int) -> None:
        """Record the combinatorial bound of the placeable events (computed late, lns.tighten_bound)."""
        self.bounded = True
        self.lower = max(self.lower, value + self.empty_cost + self.moved_floor)
        self.report("lns")

    def add_floor(self, value: int) -> None:
        """Add a re-plan's floor on the moved term (which the combinatorial bound leaves out) to the bound."""
        self.moved_floor = value
        self.lower += value

    def complete(self, chosen: Mapping[str, Placement | None]) -> bool:
        """Every placeable event has a placement (or leaving events out is allowed), within ``max_moves``."""
        if not self.options.allow_unscheduled and any(chosen.get(e) is None for e in self.placeable):
            return False
        cap = self.options.max_moves
        return cap is None or self.moves(chosen) <= cap

    def moves(self, chosen: Mapping[str, Placement | None]) -> int:
        """How many events of the previous schedule ``chosen`` moves or leaves out (0 without one)."""
        return sum(1 for e in self.data.previous or {} if self.moved(e, chosen.get(e)))

    def moved(self, event_id: str, placement: Placement | None) -> bool:
        """True when a previously placed event is left out or placed anywhere but its old room and start."""
        event = self.problem.events_by_id[event_id]
        return placement is None or self.data.move_raw(event, placement.group, placement.start) > 0

    def accept(self, chosen: Mapping[str, Placement | None], phase: str) -> bool:
        """Keep ``chosen`` as the incumbent if it is complete and cheaper; report progress. True if kept."""
        if not self.complete(chosen):
            return False
        total = self.score(chosen)
        with self.lock:
            if self.total is not None and total >= self.total:
                return False
            self.incumbent, self.total = dict(chosen), total
            if self.first_solution is None:
                self.first_solution = self.elapsed
            self.report(phase)
        return True

    def report(self, phase: str) -> None:
        """Send a progress event for the incumbent."""
        if self.options.progress is not None and self.total is not None and self.total < self.reported:
            self.reported = self.total
            self.options.progress(ProgressEvent(round(self.elapsed, 3), self.total, min(self.bound, self.total),
                                                gap(self.total, self.bound), phase))

    def run(self, model: cp_model.CpModel, *, time_limit: float, watch: ModelContext | None = None,
            base: Mapping[str, Placement | None] | None = None, whole: bool = False,
            portfolio: int = 1, lp: bool = True, workers: int | None = None) -> tuple[int, cp_model.CpSolver]:
        """Solve ``model`` in worker threads so Ctrl-C stops the search and keeps the best solution.

        With ``watch`` (the model's context) every solution found, completed by ``base``'s other
        placements, is offered to the session as it comes, so the best one is kept whenever the
        search stops; ``whole`` says the model is the whole problem, so its bound is the problem's.
        ``portfolio`` > 1 races that many single-worker LP-driven searches with different seeds
        (measured faster on this problem than one multi-worker CP-SAT; see benchmarks/README.md);
        the first to prove optimality (or reach a valid lower bound) stops the others.
        """
        count = max(1, portfolio)
        callbacks = [_Progress(self, watch, base or {}, whole) if watch is not None else None for _ in range(count)]
        outcomes = self.race([model if index == 0 else model.clone() for index in range(count)],
                             time_limit=time_limit, callbacks=callbacks, lp=lp, stop_on_proof=True,
                             workers=1 if portfolio > 1 else workers or self.options.workers)
        self.dtime_used += max(solver.deterministic_time for _, solver in outcomes)
        status, solver = min(outcomes, key=_rank)
        if whole and status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.raise_bound(math.ceil(solver.best_objective_bound - 1e-6))
        return status, solver

    def race(self, models: Sequence[cp_model.CpModel], *, time_limit: float,
             callbacks: Sequence[cp_model.CpSolverSolutionCallback | None] | None = None, workers: int = 1,
             lp: bool = True, stop_on_proof: bool = False) -> list[tuple[int, cp_model.CpSolver]]:
        """Solve each model in its own thread (the i-th seeded ``seed + i``) and wait for all; (status, solver)s.

        Every search is stopped when time is up or the incumbent is optimal, and with
        ``stop_on_proof`` when one of them proves its model. Ctrl-C, wherever it lands while waiting,
        stops them all and is remembered; this returns only once no thread runs any more, so no
        callback outlives the objects it reads.
        """
        runs: list[Run] = []
        for index, model in enumerate(models):
            solver = cp_model.CpSolver()
            self.configure(solver, time_limit, seed=self.options.seed + index, workers=workers, lp=lp)
            runs.append((solver, model, callbacks[index] if callbacks is not None else None))
        statuses = self._wait(runs, stop_on_proof)
        return [(status, solver) for status, (solver, _, _) in zip(statuses, runs, strict=True)]

    def _wait(self, runs: list[Run], stop_on_proof: bool) -> list[int]:
        """Start each run in a thread and wait for all (see ``race``); their statuses."""
        results: list[list[int]] = [[] for _ in runs]
        failures: list[list[BaseException]] = [[] for _ in runs]
        finished = threading.Semaphore(0)
        started = 0
        while True:
            try:
                while started < len(runs):
                    solver, model, callback = runs[started]
                    threading.Thread(target=_solve_into, daemon=True, args=(
                        solver, model, callback, results[started], failures[started], finished)).start()
                    started += 1
                if all(result or failure for result, failure in zip(results, failures, strict=True)):
                    break
                # a semaphore, not Thread.join: Ctrl-C inside join can mark a running thread as ended
                finished.acquire(timeout=0.05)
                proven = stop_on_proof and any(r and r[0] in (cp_model.OPTIMAL, cp_model.INFEASIBLE) for r in results)
                if proven or self.done or self.remaining <= 0 or self.interrupted:
                    for solver, *_ in runs[:started]:
                        solver.stop_search()
            except KeyboardInterrupt:
                self.interrupted = True
                for solver, *_ in runs[:started]:
                    solver.stop_search()
                if started < len(runs):
                    runs = runs[:started]  # the others never start
                    results, failures = results[:started], failures[:started]
        for failure in failures:
            if failure:
                raise failure[0]
        return [result[0] for result in results]

    def configure(self, solver: cp_model.CpSolver, time_limit: float, *, seed: int, workers: int,
                  lp: bool) -> None:
        """Set a solver's limits (never past the session's time), seed, workers and search strategy."""
        params = solver.parameters
        params.num_workers = workers
        params.random_seed = seed
        params.catch_sigint_signal = False
        if lp and workers == 1:  # the LP-driven search that proves these models (benchmarks/README.md)
            params.linearization_level = 2
            params.cp_model_probing_level = 0
        # the wall clock bounds every search, deterministic ones included: the limit is a promise
        wall = max(0.05, min(time_limit, self.remaining) if not self.options.deterministic else self.remaining)
        params.max_time_in_seconds = wall
        if self.options.deterministic:
            params.max_deterministic_time = max(0.05, min(time_limit, self.budget))

    def finish(self, method: str, build_seconds: float, *, advice: str = MORE_TIME) -> Schedule:
        """The incumbent as a Schedule with its metadata, every left-out event with its reason.

        Raises NoScheduleFound (saying ``advice``) when the search ended before any schedule was found.
        """
        if self.incumbent is None:
            if self.interrupted:
                raise NoScheduleFound(["the search was interrupted before any schedule was found"])
            raise NoScheduleFound([f"no schedule was found within the {self.options.time_limit:g} s time limit "
                                   f"({advice})"])
        chosen = dict(self.incumbent)
        for event_id in self.empty_reasons:
            chosen[event_id] = None
        left_out = sorted(e for e, p in chosen.items() if p is None)
        reasons = {e: self.empty_reasons[e] if e in self.empty_reasons else left_out_reason(self, e)
                   for e in left_out}
        return schedule_of(self, chosen, method, build_seconds, reasons)


def refuse_impossible(problem: Problem, options: SolveOptions) -> None:
    """Raise InfeasibleError at once when a pre-solve check proves that no schedule places every event."""
    from ..presolve import presolve  # loaded only when solving

    if options.allow_unscheduled:
        return
    findings = [f for f in presolve(problem) if f.blocking]
    if findings:
        raise InfeasibleError([f"{f.message} (fix: {f.fix})" for f in findings])


@contextmanager
def interrupts_stop(stop: threading.Event) -> Iterator[None]:
    """While solving in the main thread, Ctrl-C sets ``stop`` instead of raising KeyboardInterrupt, so
    that it can land anywhere (building, greedy, a search) and the best schedule so far is still kept."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _solve_into(solver: cp_model.CpSolver, model: cp_model.CpModel, callback: cp_model.CpSolverSolutionCallback
                | None, result: list[int], failure: list[BaseException], finished: threading.Semaphore) -> None:
    try:
        result.append(solver.solve(model, callback))
    except BaseException as error:  # pragma: no cover - re-raised in the calling thread
        failure.append(error)
    finally:
        finished.release()


def _rank(item: tuple[int, cp_model.CpSolver]) -> tuple:
    """Best result first: proven (optimal/infeasible), then the lowest objective found, then unknown."""
    status, solver = item
    if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
        return (0, 0.0)
    if status == cp_model.FEASIBLE:
        return (1, solver.objective_value)
    return (2, 0.0)


class _Progress(cp_model.CpSolverSolutionCallback):
    """Offers each CP-SAT solution to the session (scored in full); stops at a valid lower bound.

    The model's objective value is only an upper bound of a solution's true cost (slack in the
    excess variables) and leaves out what is not in the model, so the solution itself is decoded
    and scored: progress lines and the incumbent always carry the full score.
    """

    def __init__(self, session: Session, ctx: ModelContext, base: Mapping[str, Placement | None],
                 whole: bool) -> None:
        super().__init__()
        self.session, self.ctx, self.base, self.whole = session, ctx, base, whole

    def on_solution_callback(self) -> None:
        session = self.session
        if self.whole:
            session.raise_bound(math.ceil(self.best_objective_bound - 1e-6))
        chosen = dict(self.base)
        for event in self.ctx.free_events:
            chosen[event.id] = next((p for p, lit in self.ctx.by_event[event.id] if self.boolean_value(lit)), None)
        session.accept(chosen, "cp-sat")
        if session.done or session.remaining <= 0:  # nothing can be cheaper, or time is up
            self.stop_search()
