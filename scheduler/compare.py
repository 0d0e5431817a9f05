"""Side-by-side comparison of two or more schedules, and the diff of the events that moved.

Any schedule can take part, a solver's or one edited by hand: the checker counts its hard-rule
violations and ``score.py`` its soft terms, so a hand-made clash shows up as a violation and a score
difference. The first schedule is the baseline the others are diffed against. Schedules of different
scenarios of one meeting compare too (``problems=``): each is checked and scored against its own
problem, and an event that exists in only one of them shows as added or withdrawn.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
from tabulate import tabulate

from .check import HARD_RULE_NAMES, Violation, check_schedule
from .errors import UsageError
from .measures import applies, measures
from .model import Assignment, Problem, Schedule
from .moves import describe_moves
from .score import score_schedule
from .weights import DEFAULT_WEIGHTS

UTC = timezone.utc
CHANGES: tuple[str, ...] = ("room", "day", "time", "placed", "unplaced", "added", "withdrawn")
VIOLATIONS_ROW = "hard-rule violations"
PLACED_ROW = "events placed"
UNSCHEDULED_ROW = "events unscheduled"
TOTAL_ROW = "total score"
MOVED_ROW = "events changed vs first"
ABSENT = "(absent)"


@dataclass(frozen=True)
class Move:
    """One event placed differently in two schedules; ``before``/``after`` None when absent from one."""

    event_id: str
    before: Assignment | None
    after: Assignment | None
    changes: tuple[str, ...]  # a subset of CHANGES, in that order


def _local(assignment: Assignment, problem: Problem) -> datetime:
    assert assignment.start is not None
    return assignment.start.astimezone(problem.meeting.tz)


def diff(problem: Problem, before: Schedule, after: Schedule) -> list[Move]:
    """The events whose room, meeting day or start time differ between two schedules, by event id.

    An event placed in one and unscheduled in the other is ``placed``/``unplaced``; one that only one
    schedule lists is ``added``/``withdrawn``.
    """
    moves: list[Move] = []
    old, new = before.by_event, after.by_event
    for event_id in sorted(set(old) | set(new)):
        a, b = old.get(event_id), new.get(event_id)
        changes: tuple[str, ...]
        if a is None or b is None:
            changes = ("added",) if a is None else ("withdrawn",)
        elif a.scheduled != b.scheduled:
            changes = ("placed",) if b.scheduled else ("unplaced",)
        elif not a.scheduled:
            continue
        else:
            sa, sb = _local(a, problem), _local(b, problem)
            found = [a.room != b.room, problem.meeting.day_of(sa) != problem.meeting.day_of(sb), sa.time() != sb.time()]
            changes = tuple(name for name, changed in zip(("room", "day", "time"), found, strict=True) if changed)
            if not changes:
                continue
        moves.append(Move(event_id, a, b, changes))
    return moves


def changes_by(moves: Iterable[Move], problems: Sequence[Problem], who: str) -> Counter:
    """How many of ``moves`` touch each organizer (``who="organizer"``) or speaker (``who="speaker"``).

    Event details come from the first of ``problems`` that knows the event.
    """
    counts: Counter = Counter()
    for move in moves:
        event = next((p.events_by_id[move.event_id] for p in problems if move.event_id in p.events_by_id), None)
        if event is None:
            continue
        if who == "organizer":
            counts[event.organizer] += 1
        else:
            counts.update(dict.fromkeys(event.speakers, 1))
    return counts


@dataclass(frozen=True)
class Comparison:
    """Everything ``compare`` prints: the side-by-side table, the differing events and who they touch."""

    names: tuple[str, ...]
    table: pd.DataFrame  # rows: measures; columns: schedule names
    differences: pd.DataFrame  # one row per event that differs from the first schedule in any other
    by_organizer: pd.DataFrame  # organizer x other schedule: events changed against the first
    by_speaker: pd.DataFrame  # speaker x other schedule: events changed against the first
    violations: Mapping[str, tuple[Violation, ...]]
    moves: Mapping[str, tuple[Move, ...]]  # other schedule name -> moves against the first
    schedules: Mapping[str, Schedule] = field(default_factory=dict)  # name -> the schedule compared
    problems: Mapping[str, Problem] = field(default_factory=dict)  # name -> the problem it was read against
    # name -> its re-plan's moved events (moves.describe_moves records, each with its reason): against
    # ``previous`` when given, else as the schedule's own schedule.json recorded them; only re-plans
    replans: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    with_previous: bool = False  # every total includes the moved term against a previous schedule
    # rows: programme measures (tracks, comfort hours, conflicts; ``measures.py``); empty when none apply
    programme: pd.DataFrame = field(default_factory=pd.DataFrame)


def build_comparison(problem: Problem, schedules: Mapping[str, Schedule], *,
                     problems: Mapping[str, Problem] | None = None, allow_unscheduled: bool = True,
                     previous: Schedule | None = None) -> Comparison:
    """Check, score and diff ``schedules`` (name -> schedule; the first is the baseline).

    ``problems`` gives a schedule its own problem (a scenario's); the others use ``problem``.
    Unscheduled events have their own row, so by default they are not also counted as violations.
    With ``previous`` (the schedule re-plans started from) every score includes the ``moved`` term,
    so a re-plan's total equals its schedule.json objective.
    """
    if not schedules:
        raise UsageError("nothing to compare: give at least one schedule")
    names = tuple(schedules)
    own = {name: (problems or {}).get(name, problem) for name in names}
    violations = {name: tuple(check_schedule(own[name], schedules[name], allow_unscheduled=allow_unscheduled))
                  for name in names}
    first = names[0]
    moves = {name: tuple(diff(problem, schedules[first], schedules[name])) for name in names[1:]}
    scores = {name: score_schedule(own[name], schedules[name], previous) for name in names}
    terms = [t for t in DEFAULT_WEIGHTS if any(t in s for s in scores.values())]
    terms += sorted({t for s in scores.values() for t in s} - set(terms))
    rules = [r for r in HARD_RULE_NAMES if any(v.rule == r for vs in violations.values() for v in vs)]
    rows: dict[str, dict[str, int]] = {}
    for name in names:
        schedule, found = schedules[name], violations[name]
        column = {VIOLATIONS_ROW: len(found)}
        column.update({f"violated: {rule}": sum(1 for v in found if v.rule == rule) for rule in rules})
        placed = {a.event_id for a in schedule.scheduled}
        column[PLACED_ROW] = sum(1 for e in own[name].events if e.id in placed)
        column[UNSCHEDULED_ROW] = sum(1 for e in own[name].events if e.id not in placed)
        column.update({term: int(scores[name].get(term, 0)) for term in terms})
        column[TOTAL_ROW] = int(sum(scores[name].values()))
        column[MOVED_ROW] = len(moves.get(name, ()))
        rows[name] = column
    table = pd.DataFrame(rows, columns=list(names)).astype("int64")
    table.index.name = "measure"
    ordered = [own[first], *(own[n] for n in names[1:])]
    return Comparison(
        names=names,
        table=table,
        differences=_differences(problem, schedules, own, moves),
        by_organizer=_counts(moves, ordered, "organizer"),
        by_speaker=_counts(moves, ordered, "speaker"),
        violations=violations,
        moves=moves,
        schedules=dict(schedules),
        problems=own,
        replans=_replans(own, schedules, previous),
        with_previous=previous is not None,
        programme=_programme(own, schedules),
    )


def _replans(problems: Mapping[str, Problem], schedules: Mapping[str, Schedule],
             previous: Schedule | None) -> dict[str, tuple[Mapping[str, Any], ...]]:
    """Each re-plan's moved events with their reasons: against ``previous``, else as its metadata says."""
    found: dict[str, tuple[Mapping[str, Any], ...]] = {}
    for name, schedule in schedules.items():
        if previous is not None:
            left_out = schedule.metadata.get("unscheduled_reasons") or {}
            moved = tuple(describe_moves(problems[name], previous, schedule, left_out=left_out))
        else:
            moved = tuple(schedule.metadata.get("moves") or ())
        if moved:
            found[name] = moved
    return found


def _programme(own: Mapping[str, Problem], schedules: Mapping[str, Schedule]) -> pd.DataFrame:
    """The programme measures of every schedule side by side (none when no meeting has anything to measure)."""
    if not any(applies(problem) for problem in own.values()):
        return pd.DataFrame()
    columns = {name: measures(own[name], schedules[name]) for name in schedules}
    rows = list(dict.fromkeys(row for column in columns.values() for row in column))
    table = pd.DataFrame({name: [column.get(row, float("nan")) for row in rows] for name, column in columns.items()},
                         index=pd.Index(rows, name="measure"))
    return table


def compare_schedules(problem: Problem, schedules: Mapping[str, Schedule], *,
                      problems: Mapping[str, Problem] | None = None, allow_unscheduled: bool = True,
                      previous: Schedule | None = None) -> pd.DataFrame:
    """The side-by-side table: violations per rule, placed and unscheduled, every soft term, total, changes."""
    return build_comparison(problem, schedules, problems=problems, allow_unscheduled=allow_unscheduled,
                            previous=previous).table


def placement_text(assignment: Assignment | None, problem: Problem) -> str:
    """``R1 2022-05-17 09:00-09:50`` in venue time, ``unscheduled``, or ``(absent)``."""
    if assignment is None:
        return ABSENT
    if not assignment.scheduled:
        return "unscheduled"
    start = _local(assignment, problem)
    end = assignment.end.astimezone(problem.meeting.tz).strftime("-%H:%M") if assignment.end else ""
    return f"{assignment.room} {start:%Y-%m-%d %H:%M}{end}"


def _differences(problem: Problem, schedules: Mapping[str, Schedule], own: Mapping[str, Problem],
                 moves: Mapping[str, tuple[Move, ...]]) -> pd.DataFrame:
    names = list(schedules)
    changed: dict[str, set[str]] = {}
    for name_moves in moves.values():
        for move in name_moves:
            changed.setdefault(move.event_id, set()).update(move.changes)
    records = []
    for event_id in sorted(changed):
        event = next((own[n].events_by_id[event_id] for n in names if event_id in own[n].events_by_id), None)
        record = {"event": event_id, "organizer": event.organizer if event else ""}
        record.update({n: placement_text(schedules[n].by_event.get(event_id), problem) for n in names})
        record["changes"] = ", ".join(c for c in CHANGES if c in changed[event_id])
        records.append(record)
    return pd.DataFrame(records, columns=["event", "organizer", *names, "changes"])


def _counts(moves: Mapping[str, tuple[Move, ...]], problems: Sequence[Problem], who: str) -> pd.DataFrame:
    label = "organizer" if who == "organizer" else "speaker"
    counts = {name: changes_by(name_moves, problems, who) for name, name_moves in moves.items()}
    keys = sorted({k for c in counts.values() for k in c}, key=lambda k: (-sum(c[k] for c in counts.values()), k))
    frame = pd.DataFrame({name: [c[k] for k in keys] for name, c in counts.items()}, index=pd.Index(keys, name=label),
                         columns=list(moves), dtype="int64")
    return frame


# --- text -------------------------------------------------------------------------------------------


def format_comparison(comparison: Comparison, fmt: str = "simple", *, max_rows: int | None = 50) -> str:
    """The comparison as text: the table, violations, differing events and changes per organizer/speaker.

    ``fmt`` is any tabulate format; ``max_rows`` caps the long lists (None: everything).
    """
    first = comparison.names[0]
    parts = [tabulate(comparison.table, headers="keys", tablefmt=fmt)]
    if len(comparison.programme):
        parts.append("Programme:\n" + tabulate(comparison.programme, headers="keys", tablefmt=fmt))
    broken = {name: found for name, found in comparison.violations.items() if found}
    if broken:
        lines = ["Hard-rule violations:"]
        for name, found in broken.items():
            lines.append(f"  {name}:")
            lines.extend(f"    {v}" for v in _cap(list(found), max_rows))
            if max_rows is not None and len(found) > max_rows:
                lines.append(f"    ... and {len(found) - max_rows} more")
        parts.append("\n".join(lines))
    if len(comparison.names) > 1:
        count = len(comparison.differences)
        title = f"Events that differ from {first}: {count}"
        if count:
            shown = comparison.differences.head(max_rows) if max_rows is not None else comparison.differences
            more = f"\n... and {count - len(shown)} more" if len(shown) < count else ""
            parts.append(f"{title}\n{tabulate(shown, headers='keys', tablefmt=fmt, showindex=False)}{more}")
            for label, frame in (("organizer", comparison.by_organizer), ("speaker", _named(comparison))):
                if len(frame):
                    shown = frame.head(max_rows) if max_rows is not None else frame
                    parts.append(f"Events changed per {label} (against {first}):\n"
                                 + tabulate(shown, headers="keys", tablefmt=fmt))
        else:
            parts.append(title)
    return "\n\n".join(parts) + "\n"


def _named(comparison: Comparison) -> pd.DataFrame:
    """The per-speaker counts with each speaker's name beside the id (``Ana Pérez (S1)``)."""
    frame = comparison.by_speaker
    people = {sid: speaker.name for problem in reversed(list(comparison.problems.values()))
              for sid, speaker in problem.speakers_by_id.items()}
    labels = [f"{people[key]} ({key})" if key in people else str(key) for key in frame.index]
    return frame.set_axis(pd.Index(labels, name=frame.index.name), axis=0)


def _cap(items: list, limit: int | None) -> list:
    return items if limit is None else items[:limit]


def schedule_names(paths: Sequence[Path | str]) -> list[str]:
    """Short unique column names for schedule files: the file name (a ``schedule.csv`` is named by its
    folder, as a result folder of ``sweep`` is), with parent folders where needed to tell them apart."""
    parts = [Path(p).parts[:-1] if Path(p).name == "schedule.csv" and len(Path(p).parts) > 1 else Path(p).parts
             for p in paths]
    for depth in range(1, max((len(p) for p in parts), default=1) + 1):
        names = ["/".join(p[-depth:]) for p in parts]
        if len(set(names)) == len(names):
            return names
    return [str(p) for p in paths]


def read_schedules(problem: Problem, paths: Sequence[Path | str], *,
                   meeting: Problem | None = None) -> tuple[dict[str, Schedule], dict[str, Problem]]:
    """Read schedule files (or folders) for ``compare``, named by ``schedule_names``.

    A schedule whose folder also holds ``scenario.toml`` (as ``sweep`` writes it) is read against
    ``meeting`` (default ``problem``) with that scenario applied, so its added events load; the
    others against ``problem``. Returns the schedules and the problems of those with their own scenario.
    """
    from .load.schedule import read_schedule, schedule_csv_path
    from .scenario import SCENARIO_FILE, apply_scenario, load_scenario

    schedules: dict[str, Schedule] = {}
    problems: dict[str, Problem] = {}
    for name, path in zip(schedule_names(paths), paths, strict=True):
        csv_path = schedule_csv_path(path)
        if not csv_path.exists():
            raise UsageError(f"{path}: no such schedule file")
        own = problem
        beside = csv_path.parent / SCENARIO_FILE
        if beside.is_file():
            own = problems[name] = apply_scenario(meeting or problem, load_scenario(beside))
        schedules[name] = read_schedule(csv_path, own)
    return schedules, problems
