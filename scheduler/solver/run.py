"""``solve(problem, options) -> Schedule``: greedy start, then CP-SAT (whole model or by neighbourhoods).

Meetings whose model is small enough (measured: see benchmarks/README.md) are solved as one CP-SAT
model with the greedy schedule as hint, which proves optimality on meetings of ~100 events. Larger
ones keep the greedy schedule as incumbent, let CP-SAT place what greedy could not (repair), then
improve it by large-neighbourhood search over day windows and topics (``lns.py``).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from ..errors import InfeasibleError, SchedulerError
from ..model import Assignment, Problem, Schedule, event_end
from .constraints import compute_domains
from .greedy import Occupancy, greedy
from .objectives import CostData, evaluate, lower_bound, weighted
from .variables import Domain, Placement, Timeline, assign_rooms, epoch, room_groups

# Above this many placement literals the whole-model approach spends its time in presolve; the
# decomposed search takes over (see benchmarks/README.md for the measurements behind the figure).
MONOLITHIC_MAX_PLACEMENTS = 60_000


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
    """

    time_limit: float = 30.0
    seed: int = 0
    workers: int = 2
    allow_unscheduled: bool = False
    progress: Callable[[ProgressEvent], None] | None = None
    hint: Schedule | None = None

    def as_dict(self) -> dict[str, Any]:
        """The options as plain values, for the schedule's metadata."""
        return {"time_limit": self.time_limit, "seed": self.seed, "workers": self.workers,
                "allow_unscheduled": self.allow_unscheduled, "hint": self.hint is not None}

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

    def __init__(self, problem: Problem, options: SolveOptions) -> None:
        self.problem = problem
        self.options = options
        self.clock = time.perf_counter()
        self.timeline = Timeline(problem)
        self.groups = room_groups(problem)
        self.domains: dict[str, Domain] = compute_domains(problem, self.timeline, self.groups)
        self.data = CostData(problem, self.timeline, self.groups)
        self.placeable = sorted(e for e, d in self.domains.items() if not d.empty)
        self.incumbent: dict[str, Placement | None] | None = None
        self.total: int | None = None
        self.solver_bound = 0
        self.lower = lower_bound(self.data, {e: self.domains[e] for e in self.placeable},
                                 allow_unscheduled=options.allow_unscheduled)
        self.first_solution: float | None = None
        self.interrupted = False
        self.proven_optimal = False
        self.dtime_used = 0.0

    @property
    def elapsed(self) -> float:
        """Seconds since the session started."""
        return time.perf_counter() - self.clock

    @property
    def remaining(self) -> float:
        """Seconds left of the time limit."""
        return self.options.time_limit - self.elapsed

    @property
    def bound(self) -> int:
        """The best lower bound known (solver's or combinatorial)."""
        return max(self.solver_bound, self.lower)

    def complete(self, chosen: Mapping[str, Placement | None]) -> bool:
        """Every placeable event has a placement (or leaving events out is allowed)."""
        return self.options.allow_unscheduled or all(chosen.get(e) is not None for e in self.placeable)

    def offer(self, chosen: Mapping[str, Placement | None], phase: str) -> bool:
        """Keep ``chosen`` if it is complete and cheaper than the incumbent; report progress."""
        if not self.complete(chosen):
            return False
        total = sum(weighted(self.data, evaluate(self.data, chosen)).values())
        if self.total is not None and total >= self.total:
            return False
        self.incumbent, self.total = dict(chosen), total
        if self.first_solution is None:
            self.first_solution = self.elapsed
        self.report(phase)
        return True

    def report(self, phase: str) -> None:
        """Send a progress event for the incumbent."""
        if self.options.progress is not None and self.total is not None:
            self.options.progress(ProgressEvent(round(self.elapsed, 3), self.total, min(self.bound, self.total),
                                                gap(self.total, self.bound), phase))

    def run(self, model: cp_model.CpModel, *, time_limit: float, callback: cp_model.CpSolverSolutionCallback
            | None = None, workers: int | None = None) -> tuple[int, cp_model.CpSolver]:
        """Solve ``model`` in a worker thread so Ctrl-C stops the search and keeps the best solution."""
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.num_workers = workers or self.options.workers
        params.random_seed = self.options.seed
        params.catch_sigint_signal = False
        if self.options.deterministic:
            params.max_deterministic_time = max(0.05, time_limit)
            params.max_time_in_seconds = max(0.1, 3 * time_limit + 5)
        else:
            params.max_time_in_seconds = max(0.05, time_limit)
        result: list[int] = []
        failure: list[BaseException] = []

        def target() -> None:
            try:
                result.append(solver.solve(model, callback))
            except BaseException as error:  # pragma: no cover - re-raised below
                failure.append(error)

        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        while thread.is_alive():
            try:
                thread.join(0.05)
            except KeyboardInterrupt:
                self.interrupted = True
                solver.stop_search()
        if failure:
            raise failure[0]
        self.dtime_used += solver.deterministic_time
        return result[0], solver


def gap(objective: int, bound: int) -> float:
    """Relative gap between an objective and a lower bound, 0.0 to 1.0."""
    if objective <= 0 or bound >= objective:
        return 0.0
    return round(min(1.0, (objective - max(bound, 0)) / objective), 6)


class _Progress(cp_model.CpSolverSolutionCallback):
    """Reports each improving CP-SAT solution of the whole model."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def on_solution_callback(self) -> None:
        session = self.session
        if session.first_solution is None:
            session.first_solution = session.elapsed
        if session.options.progress is not None:
            objective = round(self.objective_value)
            bound = max(math.ceil(self.best_objective_bound - 1e-6), session.lower)
            session.options.progress(ProgressEvent(round(session.elapsed, 3), objective, min(bound, objective),
                                                   gap(objective, bound), "cp-sat"))


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
        if start is None or group not in domain.groups or (group, start.slot) in domain.forbidden:
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
    from .explain import describe_empty, left_out_reason
    from .lns import improve

    options = options or SolveOptions()
    session = Session(problem, options)
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
        size = sum(session.domains[e].size for e in session.placeable)
        if size <= MONOLITHIC_MAX_PLACEMENTS:
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


def _solve_whole(session: Session, start: dict[str, Placement | None]) -> None:
    """One CP-SAT model over every event, hinted with the greedy start."""
    from .build import build_model
    from .explain import explain

    options = session.options
    optional = session.placeable if options.allow_unscheduled else ()
    ctx = build_model(session.problem, session.data, session.domains, session.placeable, optional=optional)
    ctx.add_hint(start)
    limit = options.time_limit if options.deterministic else session.remaining
    status, solver = session.run(ctx.model, time_limit=limit, callback=_Progress(session))
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = ctx.decode(solver)
        objective = round(solver.objective_value)
        check = sum(weighted(session.data, evaluate(session.data, chosen)).values())
        if check != objective:  # pragma: no cover - would be a modelling bug
            raise RuntimeError(f"objective mismatch: model {objective}, evaluation {check}")
        session.solver_bound = math.ceil(solver.best_objective_bound - 1e-6)
        if session.total is None or objective <= session.total:
            session.incumbent, session.total = chosen, objective
            session.report("cp-sat")
        session.proven_optimal = status == cp_model.OPTIMAL and objective == session.total
    elif status == cp_model.INFEASIBLE:
        raise InfeasibleError(explain(session.problem, time_limit=max(5.0, options.time_limit / 3)))


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
    optimal = session.proven_optimal and not session.interrupted
    bound = objective if optimal else min(session.bound, objective)
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
