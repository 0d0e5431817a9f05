"""``solve(problem, options) -> Schedule``: greedy start, then CP-SAT (whole model or by neighbourhoods).

Meetings whose model is small enough (measured: see benchmarks/README.md) are solved as one CP-SAT
model with the greedy schedule as hint, which proves optimality on meetings of ~100 events. Larger
ones keep the greedy schedule as incumbent, let CP-SAT place what greedy could not (repair), then
improve it by large-neighbourhood search over day windows and topics (``lns.py``).
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from ..errors import InfeasibleError, SchedulerError
from ..model import Assignment, Problem, Schedule, event_end
from .bound import combinatorial_bound
from .build import ModelContext, build_model
from .constraints import compute_domains
from .greedy import Occupancy, greedy
from .objectives import CostData, evaluate, weighted
from .variables import Domain, Placement, Timeline, assign_rooms, epoch, room_groups

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


@dataclass(frozen=True)
class ProgressEvent:
    """One progress report: seconds since the start, best objective so far, best bound, relative gap."""

    elapsed: float
    objective: int
    bound: int
    gap: float
    phase: str  # "greedy", "cp-sat", "repair" or "lns"


@dataclass(frozen=True)
class SolveOptions:
    """How to solve: time limit (s), seed, CP-SAT workers, whether events may stay out, progress, hint.

    ``workers`` defaults to 2, the best figure measured on 2 cores. With ``workers=1`` the search is
    bounded by CP-SAT's deterministic time (``time_limit`` units) instead of the wall clock, so the
    same input and seed give a byte-identical schedule (a wall-clock safety limit of three times
    ``time_limit`` still applies).

    ``previous`` (an earlier schedule) makes the solve a minimal-change re-plan (``replan.py``): each
    moved event costs the ``moved`` term, and ``max_moves`` caps how many events may move.
    """

    time_limit: float = 30.0
    seed: int = 0
    workers: int = 2
    allow_unscheduled: bool = False
    progress: Callable[[ProgressEvent], None] | None = None
    hint: Schedule | None = None
    previous: Schedule | None = None
    max_moves: int | None = None
    reserve: float = 0.0  # seconds of the time limit kept for the caller's work after solving (outputs)
    explain: bool = True  # when the model proves that no schedule exists, search for the conflicting rules
    first: bool = False  # stop at the first complete schedule (explain only asks whether one exists)

    def as_dict(self) -> dict[str, Any]:
        """The options as plain values, for the schedule's metadata (re-plan options only when re-planning)."""
        values = {"time_limit": self.time_limit, "seed": self.seed, "workers": self.workers,
                  "allow_unscheduled": self.allow_unscheduled, "hint": self.hint is not None}
        if self.previous is not None or self.max_moves is not None:
            values |= {"previous": self.previous is not None, "max_moves": self.max_moves}
        return values

    @property
    def deterministic(self) -> bool:
        """True when the run must be reproducible (one worker)."""
        return self.workers == 1


class NoScheduleFound(InfeasibleError):
    """The time limit ended before any schedule was found; feasibility is not decided."""

    def __init__(self, explanation: list[str]) -> None:
        self.explanation = list(explanation)
        SchedulerError.__init__(self, "\n".join(["No schedule found within the time limit:",
                                                 *(f"  - {line}" for line in self.explanation)]))


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
        self.incumbent: dict[str, Placement | None] | None = None
        self.total: int | None = None
        self.solver_bound = 0
        self.lock = threading.Lock()  # solution callbacks of parallel searches offer at once
        # Events with no possible placement are in no model: their whole cost (left out, and moved
        # when re-planning) is a constant that every objective, bound and progress line includes.
        self.empty_cost = sum(self.data.unscheduled_cost(d.event) + self.data.weights["moved"] *
                              self.data.unplaced_move_raw(d.event) for d in self.domains.values() if d.empty)
        self.moved_floor = 0  # a re-plan's floor on the moved term of the placeable events (replan.py)
        # The combinatorial bound (bound.py) costs ~1 s at 1,000 events and ~3 s on a fine grid of a
        # long meeting (DebConf 23, 1,488 slots): only on small models is it computed before the first
        # schedule; elsewhere after it (lns.tighten_bound), so it never delays it.
        self.lower = self.empty_cost
        self.bounded = False  # the combinatorial bound is in ``lower``
        self.size = sum(self.domains[e].size for e in self.placeable)  # placement literals of the whole model
        if len(self.placeable) <= COUPLED_BOUND_MAX_EVENTS and self.size <= MONOLITHIC_MAX_PLACEMENTS:
            self.lower += combinatorial_bound(self.data, {e: self.domains[e] for e in self.placeable},
                                              allow_unscheduled=options.allow_unscheduled).value
            self.bounded = True
        self.first_solution: float | None = None
        self.dtime_used = 0.0
        self.reported = math.inf  # the best objective sent to the progress callback

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

    def score(self, chosen: Mapping[str, Placement | None]) -> int:
        """The full weighted objective of ``chosen`` (every term of every event, as score.py counts it)."""
        return sum(weighted(self.data, evaluate(self.data, chosen)).values())

    def raise_bound(self, value: int) -> None:
        """Record a valid lower bound of the whole problem found by a solver."""
        with self.lock:
            self.solver_bound = max(self.solver_bound, value)

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

    def offer(self, chosen: Mapping[str, Placement | None], phase: str) -> bool:
        """Keep ``chosen`` if it is complete and cheaper than the incumbent; report progress."""
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
        runs = []
        for index in range(max(1, portfolio)):
            solver = cp_model.CpSolver()
            self.configure(solver, time_limit, seed=self.options.seed + index,
                            workers=1 if portfolio > 1 else workers or self.options.workers, lp=lp)
            callback = _Progress(self, watch, base or {}, whole) if watch is not None else None
            runs.append((solver, model if index == 0 else model.clone(), callback, [], []))
        statuses = self.race([(solver, copy, callback) for solver, copy, callback, _, _ in runs],
                             stop_on_proof=True)
        outcomes = [(status, solver) for status, (solver, *_) in zip(statuses, runs, strict=True)]
        self.dtime_used += max(solver.deterministic_time for _, solver in outcomes)
        status, solver = min(outcomes, key=_rank)
        if whole and status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.raise_bound(math.ceil(solver.best_objective_bound - 1e-6))
        return status, solver

    def race(self, runs: list[tuple[cp_model.CpSolver, cp_model.CpModel, cp_model.CpSolverSolutionCallback | None]],
             *, stop_on_proof: bool = False) -> list[int]:
        """Solve each (solver, model, callback) in its own thread and wait for all; their statuses.

        Every search is stopped when time is up or the incumbent is optimal, and with
        ``stop_on_proof`` when one of them proves its model. Ctrl-C, wherever it lands while waiting,
        stops them all and is remembered; this returns only once no thread runs any more, so no
        callback outlives the objects it reads.
        """
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


def gap(objective: int, bound: int) -> float:
    """Relative gap between an objective and a lower bound, 0.0 to 1.0."""
    if objective <= 0 or bound >= objective:
        return 0.0
    return round(min(1.0, (objective - max(bound, 0)) / objective), 6)


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
        session.offer(chosen, "cp-sat")
        if session.done or session.remaining <= 0:  # nothing can be cheaper, or time is up
            self.stop_search()


def hint_placements(session: Session, hint: Schedule | None) -> dict[str, Placement]:
    """The hint's assignments that are valid placements and fit together, as placements."""
    if hint is None:
        return {}
    group_of = {room.id: g.index for g in session.groups for room in g.rooms}
    occupancy = Occupancy(session.data)
    kept: dict[str, Placement] = {}
    for event_id in session.placeable:
        assignment = hint.by_event.get(event_id)
        if assignment is None or not assignment.scheduled or assignment.room not in group_of:
            continue
        assert assignment.start is not None
        domain, group, begin = session.domains[event_id], group_of[assignment.room], epoch(assignment.start)
        start = next((s for s in domain.starts if s.begin == begin), None)
        if start is None or group not in domain.groups or not domain.allowed(group, start.slot):
            continue
        if not occupancy.room_free(group, start) or not occupancy.person_free(domain.event, start):
            continue
        kept[event_id] = Placement(event_id, group, start)
        occupancy.add(domain.event, kept[event_id])
    return kept


def solve(problem: Problem, options: SolveOptions | None = None) -> Schedule:
    """Place every side event (rules 1-10) at the least weighted cost found within the time limit.

    Raises InfeasibleError (with the reasons) when no schedule exists, and NoScheduleFound (also
    exit code 1) when the time limit ends before any schedule was found.
    """
    options = options or SolveOptions()
    stop = threading.Event()
    with interrupts_stop(stop):
        if options.previous is not None or options.max_moves is not None:
            from .replan import replan

            return replan(problem, options, stop)
        return _solve(problem, options, stop)


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


def _solve(problem: Problem, options: SolveOptions, stop: threading.Event) -> Schedule:
    """``solve`` without re-planning, Ctrl-C setting ``stop``."""
    from .explain import describe_empty, left_out_reason
    from .lns import improve, tighten_bound

    started = time.perf_counter()
    refuse_impossible(problem, options)
    session = Session(problem, options, started, stop)
    empty = [e for e, d in session.domains.items() if d.empty]
    reasons = {e: describe_empty(problem, session.groups, session.domains[e]) for e in sorted(empty)}
    if empty and not options.allow_unscheduled:
        raise InfeasibleError([reasons[e] for e in sorted(empty)])
    build_seconds = session.elapsed
    method = "monolithic"
    try:
        hinted = hint_placements(session, options.hint)
        start = greedy(session.data, session.domains, [e for e in session.placeable if e not in hinted],
                       fixed=hinted, by_priority=options.allow_unscheduled)
        start.update(hinted)
        session.offer(start, "greedy")
        if session.size <= MONOLITHIC_MAX_PLACEMENTS:
            if session.incumbent is not None and not session.out_of_time:
                tighten_bound(session)
            _solve_whole(session, start)
        else:
            method = "decomposed"
            improve(session, start)
    except KeyboardInterrupt:
        session.interrupted = True
    if session.incumbent is None:
        if session.interrupted:
            raise NoScheduleFound(["the search was interrupted before any schedule was found"])
        raise NoScheduleFound([f"no schedule was found within the {options.time_limit:g} s time limit "
                               "(feasibility is not proven either way; allow more time, or "
                               "--allow-unscheduled to leave some events out)"])
    chosen = session.incumbent
    for event_id in empty:
        chosen[event_id] = None
    left_out = sorted(e for e, p in chosen.items() if p is None)
    for event_id in left_out:
        if event_id not in reasons:
            reasons[event_id] = left_out_reason(session, event_id)
    return _schedule(session, chosen, method, build_seconds, {e: reasons[e] for e in left_out})


def refuse_impossible(problem: Problem, options: SolveOptions) -> None:
    """Raise InfeasibleError at once when a pre-solve check proves that no schedule places every event."""
    from ..presolve import presolve

    if options.allow_unscheduled:
        return
    findings = [f for f in presolve(problem) if f.blocking]
    if findings:
        raise InfeasibleError([f"{f.message} (fix: {f.fix})" for f in findings])


def _solve_whole(session: Session, start: dict[str, Placement | None]) -> None:
    """One CP-SAT model over every event, hinted with the greedy start; every solution is offered."""
    from .explain import explain

    options = session.options
    if session.out_of_time:
        return
    optional = session.placeable if options.allow_unscheduled else ()
    ctx = build_model(session.problem, session.data, session.domains, session.placeable, optional=optional,
                      offset=session.empty_cost)
    ctx.add_hint(start)
    limit = session.budget
    portfolio = 1 if options.deterministic else max(1, options.workers)
    status, solver = session.run(ctx.model, time_limit=limit, watch=ctx, whole=True, portfolio=portfolio)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        session.offer(ctx.decode(solver), "cp-sat")
    elif status == cp_model.INFEASIBLE:
        if not options.explain:
            raise InfeasibleError(["CP-SAT proved that the hard rules leave no way to place every event"])
        raise InfeasibleError(explain(session.problem, time_limit=max(0.5, session.remaining)))


def _schedule(session: Session, chosen: dict[str, Placement | None], method: str, build_seconds: float,
              reasons: dict[str, str]) -> Schedule:
    problem, options = session.problem, session.options
    preferred = {a.event_id: a.room for a in options.hint.assignments if a.room} if options.hint else {}
    rooms = assign_rooms(session.groups, chosen, preferred)
    assignments = []
    for event in problem.events:
        placement = chosen.get(event.id)
        if placement is None:
            assignments.append(Assignment(event.id))
        else:
            start = placement.start.at
            assignments.append(Assignment(event.id, rooms[event.id], start, event_end(start, event.duration)))
    raw = evaluate(session.data, chosen)
    scores = weighted(session.data, raw)
    objective = sum(scores.values())
    optimal = objective <= session.bound  # proven: as cheap as a valid lower bound
    bound = objective if optimal else session.bound
    metadata: dict[str, Any] = {
        "status": "optimal" if optimal else "feasible",
        "objective": objective,
        "bound": bound,
        "gap": 0.0 if optimal else gap(objective, bound),
        "seed": options.seed,
        "options": options.as_dict(),
        "input_digest": problem.digest(),
        "scores": scores,
        "method": method,
        "build_seconds": round(build_seconds, 3),
        "solve_seconds": round(session.elapsed - build_seconds, 3),
        "first_solution_seconds": round(session.first_solution or 0.0, 3),
    }
    if session.interrupted:
        metadata["interrupted"] = True
    if reasons:
        metadata["unscheduled_reasons"] = reasons
    return Schedule(tuple(assignments), metadata).sorted()
