"""Why no schedule exists, in words a planner understands.

First, fast pre-checks name every event with no possible placement at all and the rule that
removed its last option. If every event has options but together they cannot fit, the model is
solved with one assumption literal per rule instance (each event placed, each person's no-overlap,
each room-slot, each pin, each remote window, each unavailability, each blocked period); CP-SAT's
sufficient assumptions give a conflicting set, shrunk to a minimal one by deletion while time
allows, and each member is rendered as a sentence. Meetings too large for that search are tried by
solving (``plan.py``): a schedule found means there is nothing to explain.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from ..errors import InfeasibleError, NoScheduleFound
from ..model import Problem, SideEvent
from .build import build_model, people
from .constraints import GUARDABLE, Instance, compute_domains
from .objectives import CostData
from .options import SolveOptions
from .plan import plan
from .reasons import describe_empty, instance_text, moment_text, span_text, speaker_text
from .session import interrupts_stop
from .variables import Domain, RoomGroup, Timeline, room_groups

# Above this many (event, room group, start) combinations before the guardable rules prune them, the
# model with one assumption literal per rule instance gets too big to build and solve within seconds
# (FOSDEM 2026: 7 GB and two minutes): such meetings are explained by the pre-solve checks and a solve.
EXPLAIN_MAX_PLACEMENTS = 60_000


@dataclass(frozen=True)
class Diagnosis:
    """Why no schedule exists: the reasons in words, and the conflicting rule instances behind them
    (empty when the reasons come from the pre-checks or a solve), with what renders them."""

    lines: tuple[str, ...]
    core: tuple[Instance, ...] = ()
    timeline: Timeline | None = None
    groups: tuple[RoomGroup, ...] = ()
    domains: Mapping[str, Domain] = field(default_factory=dict)  # each event's placements under every rule


def explain(problem: Problem, *, time_limit: float = 10.0) -> list[str]:
    """Reasons why no schedule exists, in planner words; [] when a schedule does exist.

    Ends within ``time_limit`` seconds: what is not decided by then is said so, with what was found.
    """
    return list(diagnose(problem, time_limit=time_limit).lines)


def diagnose(problem: Problem, *, time_limit: float = 10.0) -> Diagnosis:
    """``explain``'s reasons together with the minimal set of conflicting rule instances they render."""
    from ..presolve import presolve

    clock = time.perf_counter()
    timeline = Timeline(problem)
    groups = room_groups(problem, split=True)
    domains = compute_domains(problem, timeline, groups)
    lines = [describe_empty(problem, groups, d) for _, d in sorted(domains.items()) if d.empty]
    if lines:
        return Diagnosis(tuple(lines))
    # the pre-solve checks' findings come first: each is a proof in one sentence, with its fix
    found = [f"{f.message} (fix: {f.fix})" for f in presolve(problem) if f.blocking]
    combinations = sum(len(d.all_starts) * len(d.groups) for d in domains.values())
    if combinations > EXPLAIN_MAX_PLACEMENTS:
        return Diagnosis(tuple(found or _explain_by_solving(problem, time_limit - (time.perf_counter() - clock))))
    guarded = compute_domains(problem, timeline, groups, guardable=GUARDABLE)
    ctx = build_model(problem, CostData(problem, timeline, groups), guarded, [e.id for e in problem.events],
                      explain=True, objective=False)
    keys = sorted(ctx.assumptions, key=repr)
    core = _conflict(ctx.model, ctx.assumptions, keys, max(0.1, time_limit - (time.perf_counter() - clock)))
    if core is None:
        return Diagnosis(tuple(found))  # empty unless a check's condition holds although CP-SAT places every event
    if not core:
        return Diagnosis(tuple(found or [
            "the search for the conflicting rules ran out of time; the meeting is too tight to place every event "
            "(try --allow-unscheduled to see which events are left out)"]))
    remaining = time_limit - (time.perf_counter() - clock)
    shrunk = _shrink(ctx.model, ctx.assumptions, core, deadline=time.perf_counter() + max(0.1, remaining))
    lines = [*found, *render(problem, timeline, groups, domains, shrunk)]
    if time.perf_counter() - clock >= time_limit:
        lines.append("(time ran out before this set was shown to be minimal: some of these may not be needed)")
    return Diagnosis(tuple(lines), tuple(shrunk), timeline, tuple(groups), domains)


def _explain_by_solving(problem: Problem, time_limit: float) -> list[str]:
    """A meeting too big for the rule-by-rule search: try to place every event within the time left."""
    stop = threading.Event()
    try:
        with interrupts_stop(stop):  # as in solve(): Ctrl-C ends the search, keeping what was found
            plan(problem, SolveOptions(time_limit=max(0.5, time_limit), explain=False, first=True), stop)
    except NoScheduleFound:
        return [f"no schedule was found within the {max(0.5, time_limit):.0f} s left and no rule was shown to "
                "conflict (the meeting is too large for a rule-by-rule search); allow more time with "
                "--time-limit, or run solve --allow-unscheduled to see which events are left out"]
    except InfeasibleError as error:
        return [*error.explanation, "(the meeting is too large to name the conflicting rules one by one; "
                "solve --allow-unscheduled shows which events are left out)"]
    return []


def _solve_with(model: cp_model.CpModel, literals: Sequence[cp_model.IntVar], limit: float
                ) -> tuple[int, cp_model.CpSolver]:
    model.clear_assumptions()
    model.add_assumptions(literals)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.05, limit)
    solver.parameters.catch_sigint_signal = False
    solver.parameters.cp_model_probing_level = 0  # each check is a quick feasibility question
    solver.parameters.symmetry_level = 0
    return solver.solve(model), solver


def _conflict(model: cp_model.CpModel, assumptions: dict[Instance, cp_model.IntVar], keys: list[Instance],
              limit: float) -> list[Instance] | None:
    """None if feasible; [] if undecided in time; else a sufficient set of conflicting instances."""
    status, solver = _solve_with(model, [assumptions[k] for k in keys], limit)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    if status != cp_model.INFEASIBLE:
        return []
    by_index = {assumptions[k].index: k for k in keys}
    found = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
    return sorted(found, key=repr) or keys


def _shrink(model: cp_model.CpModel, assumptions: dict[Instance, cp_model.IntVar], core: list[Instance], *,
            deadline: float) -> list[Instance]:
    """Drop every instance whose removal keeps the set infeasible (deletion filter), while time allows."""
    current = list(core)
    for key in list(core):
        left = deadline - time.perf_counter()
        if left <= 0.05:
            break
        if key not in current:
            continue
        trial = [k for k in current if k != key]
        status, solver = _solve_with(model, [assumptions[k] for k in trial], min(left, 2.0))
        if status == cp_model.INFEASIBLE:
            needed = set(solver.sufficient_assumptions_for_infeasibility())
            smaller = [k for k in trial if assumptions[k].index in needed]
            current = sorted(smaller or trial, key=repr)
    return current


def _placements_text(problem: Problem, groups: Sequence[RoomGroup], domain: Domain) -> str:
    options = list(domain.pairs())
    if len(options) > 4:
        rooms = sorted({groups[g].label for g, _ in options})
        starts = sorted({s.slot for _, s in options})
        return f"{len(options)} possible placements in {', '.join(rooms[:6])}{'...' if len(rooms) > 6 else ''} " \
               f"at {len(starts)} start times"
    parts = [f"{groups[g].label} at {moment_text(s.at)}" for g, s in options]
    return "it can only go in " + " or ".join(parts)


def render(problem: Problem, timeline: Timeline, groups: Sequence[RoomGroup], domains: dict[str, Domain],
           core: Sequence[Instance]) -> list[str]:
    """Turn a set of conflicting rule instances into sentences, most specific first."""
    lines: list[str] = []
    core = list(core)
    covered: set[Instance] = set()
    pins = {str(i) for r, i in core if r == "pins"}
    for rule, person in [k for k in core if k[0] in ("speaker_clash", "organizer_clash")]:
        kind = "speaker" if rule == "speaker_clash" else "organizer"
        pinned = sorted(e for e in pins if (kind, person) in people(problem.events_by_id[e])
                        and problem.events_by_id[e].start is not None)
        if len(pinned) >= 2:
            events = [problem.events_by_id[e] for e in pinned]
            starts = {e.start.astimezone(problem.meeting.tz) for e in events if e.start}
            when = f"both at {moment_text(starts.pop())}" if len(starts) == 1 else "at overlapping times"
            names = " and ".join(pinned) if len(pinned) == 2 else ", ".join(pinned)
            lines.append(f"{kind} {person} is pinned into {names}, {when}")
            covered.update({(rule, person), *(("pins", e) for e in pinned), *(("one_placement", e) for e in pinned)})
    involved = sorted({str(i) for r, i in core if r == "one_placement"})
    room_slots: dict[str, list[int]] = {}
    for rule, instance in core:
        if (rule, instance) in covered:
            continue
        if rule == "one_placement":
            domain = domains[str(instance)]
            lines.append(f"{instance} must be placed ({_placements_text(problem, groups, domain)})")
        elif rule == "room_clash":
            label, slot = instance  # type: ignore[misc]
            room_slots.setdefault(label, []).append(slot)
        elif rule in ("speaker_clash", "organizer_clash"):
            kind = "speaker" if rule == "speaker_clash" else "organizer"
            mine = [e for e in involved if (kind, str(instance)) in people(problem.events_by_id[e])]
            lines.append(f"{kind} {instance} cannot be in two events at once ({', '.join(mine) or 'their events'})")
        elif rule == "pins":
            event = problem.events_by_id[str(instance)]
            lines.append(_pin_text(problem, event))
        elif rule == "remote_hours":
            lines.append(f"{speaker_text(problem, str(instance))} takes part only within those local hours")
        elif rule == "unavailability":
            item = problem.unavailability[int(instance)]  # type: ignore[call-overload]
            why = f" ({item.reason})" if item.reason else ""
            lines.append(f"{item.kind} {item.id} is unavailable {span_text(problem, item.start, item.end)}{why}")
        else:
            period = problem.blocked[int(instance)]  # type: ignore[call-overload]
            formats = "/".join(f for f in ("in_person", "hybrid", "virtual") if f in period.formats)
            lines.append(f"no {formats} event may overlap {instance_text(problem, rule, instance)}")
    for label, slots in sorted(room_slots.items()):
        times = ", ".join(moment_text(timeline.slots[s].start) for s in sorted(slots))
        lines.append(f"room {label} holds one event at a time (slot{'s' if len(slots) > 1 else ''} {times})")
    return lines


def _pin_text(problem: Problem, event: SideEvent) -> str:
    where = f" to room {event.room}" if event.room else ""
    when = f" at {moment_text(event.start.astimezone(problem.meeting.tz))}" if event.start else ""
    return f"{event.id} is pinned{where}{when}"

