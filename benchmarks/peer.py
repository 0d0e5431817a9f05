"""Benchmark against the Python peer: PyCon UK's ``conference-scheduler`` (PuLP + CBC).

Builds a meeting of the peer's kind (one-slot events, 6 rooms and 2 online channels over 5 days),
converts it to the peer's ``Event``/``Slot`` resources, runs the peer and our solver on it, checks
both schedules with our checker, scores both with our score and prints times and the ratio.

Run from the repository root (needs the ``bench`` extra: ``pip install -e .[bench]``)::

    python benchmarks/peer.py --events 166 --seed 1 --time-limit 600 --repeat 3

The peer is imported here only; the ``scheduler`` package never imports it.
"""

from __future__ import annotations

import argparse
import csv
import io
import resource
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from pathlib import Path
from random import Random
from typing import Any

import pulp
from conference_scheduler import scheduler as peer_scheduler
from conference_scheduler.resources import Event as PeerEvent
from conference_scheduler.resources import Slot as PeerSlot
from tabulate import tabulate

from scheduler.check import check_schedule
from scheduler.errors import SchedulerError
from scheduler.grid import event_speakers_fit, occupied_slots, overlaps
from scheduler.load import load_problem
from scheduler.model import Assignment, Problem, Room, Schedule, SideEvent, Slot, event_end
from scheduler.score import total
from scheduler.solver import ProgressEvent, SolveOptions, solve

# ---------------------------------------------------------------------------------------------
# The meeting: data-format text of a generated meeting of the peer's kind
# ---------------------------------------------------------------------------------------------

UTC = timezone.utc
FIRST_DAY = date(2022, 5, 16)
DAYS = 5
SLOT_TIMES = (
    ("08:10", "09:00", ()),
    ("09:10", "10:00", ()),
    ("12:10", "13:00", ()),
    ("13:10", "14:00", ()),
    ("17:10", "18:00", ()),
    ("18:10", "19:00", ("hybrid", "virtual")),
)
# id, name, capacity, hybrid; then two online channels
PHYSICAL_ROOMS = (
    ("R1", "Room M1", 40, False),
    ("R2", "Room M2", 60, True),
    ("R3", "Room M3", 80, False),
    ("R4", "Room M7", 120, True),
    ("R5", "Boardroom B", 200, True),
    ("R6", "Board Room D", 300, False),
)
CHANNELS = (("V1", "Online channel 1"), ("V2", "Online channel 2"))
TOPICS = (
    "cybercrime", "corruption", "trafficking", "wildlife", "prisons", "children", "gender",
    "terrorism", "drugs", "evidence", "victims", "youth",
)
REMOTE_ZONES = (
    "America/New_York", "America/Los_Angeles", "America/Sao_Paulo", "Africa/Nairobi",
    "Asia/Bangkok", "Asia/Tokyo", "Australia/Sydney", "America/Mexico_City",
)
ORGANIZER_KINDS = ("Delegation of", "Permanent Mission of", "NGO", "UN entity")
FORMAT_SHARES = (("in_person", 0.5), ("hybrid", 0.3), ("virtual", 0.2))


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text with a header row, quoted where needed, ``\\n`` line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _pick_format(rng: Random) -> str:
    """An event format drawn by FORMAT_SHARES."""
    draw = rng.random()
    for fmt, share in FORMAT_SHARES:
        if draw < share:
            return fmt
        draw -= share
    return FORMAT_SHARES[-1][0]


def meeting_files(events: int = 166, seed: int = 1) -> dict[str, str]:
    """The files (name -> text, in our data format) of a peer-shaped meeting of ``events`` events.

    One-slot events (45 or 50 minutes in 50-minute slots), 6 rooms (3 hybrid) and 2 online channels,
    5 days of 6 slots, two plenary blocks, remote speakers in 8 zones, shared speakers and
    organizers, and some room, speaker and organizer unavailability. Deterministic in ``seed``.
    """
    rng = Random(seed)
    days = [FIRST_DAY + timedelta(days=i) for i in range(DAYS)]
    width = max(3, len(str(events)))

    toml = [
        f'id = "peer{events}"',
        f'name = "Generated meeting of {events} one-slot side events (peer benchmark)"',
        'timezone = "Europe/Vienna"',
        "days = [" + ", ".join(f'"{day.isoformat()}"' for day in days) + "]",
        'uid_domain = "peer.example.org"',
        'remote_hours = ["07:00", "22:00"]',
    ]
    for start, end, formats in SLOT_TIMES:
        toml += ["", "[[slots]]", f'start = "{start}"', f'end = "{end}"']
        if formats:
            toml.append("formats = [" + ", ".join(f'"{fmt}"' for fmt in formats) + "]")
    blocks = (
        (days[0], "10:00", "13:00", "Opening of the session"),
        (days[-1], "15:00", "18:00", "Adoption of the report"),
    )
    for day, start, end, reason in blocks:
        toml += [
            "", "[[blocked]]", f'start = "{day.isoformat()}T{start}"', f'end = "{day.isoformat()}T{end}"',
            f'reason = "{reason}"', 'formats = ["in_person", "hybrid"]',
        ]

    rooms = [(rid, name, "physical", cap, "true" if hybrid else "false") for rid, name, cap, hybrid in PHYSICAL_ROOMS]
    rooms += [(rid, name, "virtual", "", "false") for rid, name in CHANNELS]

    # Organizers: a long tail, a few organize several events.
    organizer_count = max(1, events * 11 // 20)
    organizers = [f"{rng.choice(ORGANIZER_KINDS)} {index:0{width}d}" for index in range(1, organizer_count + 1)]
    organizer_weights = [1.0 / (rank ** 0.6) for rank in range(1, organizer_count + 1)]

    # Speakers: three in four are in the room; remote ones speak only at hybrid or virtual events.
    speaker_count = max(2, events * 4 // 5)
    speakers: list[tuple[str, str, str, str, str, str]] = []
    local_ids: list[str] = []
    remote_ids: list[str] = []
    for index in range(1, speaker_count + 1):
        sid = f"S{index:0{width}d}"
        if rng.random() < 0.25:
            zone = rng.choice(REMOTE_ZONES)
            earliest, latest = ("08:00", "20:00") if rng.random() < 0.3 else ("", "")
            speakers.append((sid, f"Speaker {index}", zone, "true", earliest, latest))
            remote_ids.append(sid)
        else:
            speakers.append((sid, f"Speaker {index}", "Europe/Vienna", "false", "", ""))
            local_ids.append(sid)
    remote_load: dict[str, int] = {}

    hybrid_caps = sorted(cap for _, _, cap, hybrid in PHYSICAL_ROOMS if hybrid)
    all_caps = sorted(cap for _, _, cap, _ in PHYSICAL_ROOMS)
    event_rows = []
    for index in range(1, events + 1):
        eid = f"E{index:0{width}d}"
        fmt = _pick_format(rng)
        organizer = rng.choices(organizers, weights=organizer_weights)[0]
        topics = rng.sample(TOPICS, rng.choice((1, 1, 2)))
        if fmt == "virtual":
            attendance = ""
        else:
            caps = hybrid_caps if fmt == "hybrid" else all_caps
            big = rng.random() < 0.12
            attendance = str(rng.randint(caps[-2] // 2, caps[-1]) if big else rng.randint(10, caps[0] + 30))
        chosen = rng.sample(local_ids, rng.choice((1, 2, 2, 3)))
        if fmt != "in_person" and remote_ids and rng.random() < 0.6:
            candidates = [sid for sid in remote_ids if remote_load.get(sid, 0) < 2]
            if candidates:
                remote = rng.choice(candidates)
                remote_load[remote] = remote_load.get(remote, 0) + 1
                chosen = [*chosen[:2], remote]
        preferred_days = ";".join(day.isoformat() for day in sorted(rng.sample(days, 2))) if rng.random() < 0.3 else ""
        preferred_starts = rng.choice(SLOT_TIMES)[0] if rng.random() < 0.2 else ""
        event_rows.append((
            eid, f"Side event {index}: {', '.join(topics)}", organizer, fmt, rng.choice((45, 50)), attendance,
            ";".join(chosen), ";".join(topics), rng.randint(1, 5), preferred_days, preferred_starts,
        ))

    # Unavailability: two room closures, a few speakers away for a day, one organizer busy an afternoon.
    unavailable = [
        ("room", "R3", f"{days[2].isoformat()}T08:00", f"{days[2].isoformat()}T11:00", "Maintenance"),
        ("room", "V2", f"{days[3].isoformat()}T12:00", f"{days[3].isoformat()}T15:00", "Platform upgrade"),
    ]
    for sid in sorted(rng.sample(local_ids, min(5, len(local_ids)))):
        day = rng.choice(days).isoformat()
        unavailable.append(("speaker", sid, f"{day}T08:00", f"{day}T14:00", "Travelling"))
    busy_day = rng.choice(days).isoformat()
    unavailable.append(("organizer", organizers[0], f"{busy_day}T17:00", f"{busy_day}T19:00", "Reception"))

    return {
        "meeting.toml": "\n".join(toml) + "\n",
        "rooms.csv": _csv(("id", "name", "kind", "capacity", "hybrid"), rooms),
        "speakers.csv": _csv(("id", "name", "timezone", "remote", "earliest", "latest"), speakers),
        "events.csv": _csv(
            ("id", "title", "organizer", "format", "duration", "attendance", "speakers", "topics", "priority",
             "preferred_days", "preferred_starts"),
            event_rows,
        ),
        "unavailability.csv": _csv(("kind", "id", "start", "end", "reason"), unavailable),
    }


def load_meeting(events: int, seed: int) -> Problem:
    """Write the generated meeting to a temporary folder and load it with our loader."""
    with tempfile.TemporaryDirectory(prefix="peer-meeting-") as folder:
        for name, text in meeting_files(events, seed).items():
            (Path(folder) / name).write_text(text, encoding="utf-8")
        return load_problem(Path(folder))


# ---------------------------------------------------------------------------------------------
# Conversion: our Problem <-> the peer's Event/Slot resources
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerModel:
    """The peer's input for one Problem, with the way back: peer slot index -> (room id, our slot)."""

    events: tuple[PeerEvent, ...]
    slots: tuple[PeerSlot, ...]
    event_ids: tuple[str, ...]
    places: tuple[tuple[str, Slot], ...]


def _allowed(problem: Problem, event: SideEvent, room: Room, slot: Slot) -> bool:
    """Whether ``event`` may run in ``room`` at ``slot`` as a one-slot event (hard rules 2-4, 7-10)."""
    if not room.accepts_format(event.format):
        return False
    if not room.is_virtual and (room.capacity or 0) < (event.attendance or 0):
        return False
    if event.room is not None and event.room != room.id:
        return False
    if event.start is not None and event.start.astimezone(UTC) != slot.start.astimezone(UTC):
        return False
    run = occupied_slots(problem.slots_by_day[slot.day], slot.index, event.duration, event.format)
    if run is None or len(run) != 1:
        return False
    start, end = slot.start, event_end(slot.start, event.duration)
    for period in problem.blocked:
        if event.format in period.formats and overlaps(start, end, period.start, period.end):
            return False
    if event_speakers_fit(problem, event, start, end) is not None:
        return False
    people = {("room", room.id), ("organizer", event.organizer), *(("speaker", sid) for sid in event.speakers)}
    return not any(
        (item.kind, item.id) in people and overlaps(start, end, item.start, item.end) for item in problem.unavailability
    )


def to_peer(problem: Problem) -> PeerModel:
    """Convert a Problem of one-slot events to the peer's model.

    A peer slot is one (room, grid slot) pair. Everything that rules out a room or a time (room
    kind and format, capacity, slot formats, blocked periods, remote speakers' hours, room, speaker
    and organizer unavailability, pins) becomes slot unavailability of the event; events that
    share a speaker or an organizer become unavailable to each other. Raises ValueError for an
    event that fits no single slot, since the peer places each event in exactly one slot.
    """
    places = tuple((room.id, slot) for room in sorted(problem.rooms, key=lambda r: r.id) for slot in problem.slots)
    peer_slots = tuple(
        PeerSlot(
            venue=room_id,
            starts_at=slot.start,
            duration=slot.minutes,
            capacity=0 if problem.room(room_id).is_virtual else (problem.room(room_id).capacity or 0),
            session=f"{slot.day.isoformat()}/{slot.index}",
        )
        for room_id, slot in places
    )
    ordered = sorted(problem.events, key=lambda e: e.id)
    peer_events: list[PeerEvent] = []
    for event in ordered:
        unavailable = [
            peer_slot
            for peer_slot, (room_id, slot) in zip(peer_slots, places, strict=True)
            if not _allowed(problem, event, problem.room(room_id), slot)
        ]
        if len(unavailable) == len(peer_slots):
            raise ValueError(f"event {event.id} fits no single slot; the peer places one-slot events only")
        demand = 0 if event.format == "virtual" else (event.attendance or 0)
        peer_events.append(PeerEvent(event.id, event.duration, demand, unavailability=unavailable))
    for i, first in enumerate(ordered):
        for j in range(i + 1, len(ordered)):
            second = ordered[j]
            if first.organizer == second.organizer or set(first.speakers) & set(second.speakers):
                peer_events[i].add_unavailability(peer_events[j])
                peer_events[j].add_unavailability(peer_events[i])
    return PeerModel(tuple(peer_events), peer_slots, tuple(e.id for e in ordered), places)


def from_peer(problem: Problem, model: PeerModel, solution: Iterable[tuple[int, int]],
              metadata: dict[str, Any] | None = None) -> Schedule:
    """Turn the peer's solution (event index, slot index) pairs into our Schedule, in contract order."""
    placed: dict[str, Assignment] = {}
    for event_index, slot_index in solution:
        event_id = model.event_ids[int(event_index)]
        room_id, slot = model.places[int(slot_index)]
        start = slot.start
        placed[event_id] = Assignment(event_id, room_id, start, event_end(start, problem.event(event_id).duration))
    assignments = tuple(placed.get(event.id, Assignment(event.id)) for event in problem.events)
    return Schedule(assignments, dict(metadata or {})).sorted()


# ---------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------


PEER = "conference-scheduler"
OURS = "ours (CP-SAT)"


@dataclass(frozen=True)
class Run:
    """One solver's result on the meeting: its schedule (None if it found none) and its times."""

    name: str
    schedule: Schedule | None
    seconds: float  # wall time to the first valid schedule (the peer: its whole solve)
    total_seconds: float  # wall time of the whole run
    cpu_seconds: float  # CPU time to the first schedule, child processes (CBC) included
    first_score: int | None = None  # our score of the first schedule (None: score the final one)
    note: str = ""


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children (CBC runs as a child)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_peer(problem: Problem, time_limit: float) -> Run:
    """Convert ``problem``, solve it with the peer (CBC, time-limited) and map the result back.

    The peer gets no objective here, so it stops at its first valid placement: its solve time
    (building its PuLP model and running CBC) is its time to a first schedule. Conversion is not
    counted. CBC's limit bounds only the CBC run, not the model building before it.
    """
    model = to_peer(problem)
    cpu_began, began = _cpu(), time.perf_counter()
    try:
        with warnings.catch_warnings():  # PuLP 3 warns about its PuLP 4 API on the peer's calls
            warnings.simplefilter("ignore", DeprecationWarning)
            cbc = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)
            solution = peer_scheduler.solution(list(model.events), list(model.slots), solver=cbc)
    except (ValueError, pulp.PulpSolverError) as error:  # the peer's "No valid solution found"
        elapsed = time.perf_counter() - began
        return Run(PEER, None, elapsed, elapsed, _cpu() - cpu_began, note=str(error))
    elapsed, cpu = time.perf_counter() - began, _cpu() - cpu_began
    metadata = {"status": "feasible", "solver": "conference-scheduler (PuLP + CBC)", "seconds": round(elapsed, 3)}
    return Run(PEER, from_peer(problem, model, solution, metadata), elapsed, elapsed, cpu)


def run_ours(problem: Problem, time_limit: float, seed: int, workers: int) -> Run:
    """Solve ``problem`` with our solver; the time that counts is its time to a first schedule.

    That is the solver's own ``first_solution_seconds`` (from the start of ``solve``, model building
    included). The run goes on improving the schedule until optimal or ``time_limit``.
    """
    first: list[tuple[float, int]] = []  # CPU seconds and objective (= our score) of the first schedule
    cpu_began = time.process_time()

    def progress(event: ProgressEvent) -> None:
        if not first:
            first.append((time.process_time() - cpu_began, event.objective))

    began = time.perf_counter()
    try:
        schedule = solve(problem, SolveOptions(time_limit=time_limit, seed=seed, workers=workers, progress=progress))
    except SchedulerError as error:  # no schedule within the limit (or none exists)
        elapsed = time.perf_counter() - began
        return Run(OURS, None, elapsed, elapsed, time.process_time() - cpu_began, note=str(error).splitlines()[0])
    whole = time.perf_counter() - began
    seconds = float(schedule.metadata.get("first_solution_seconds") or whole)
    cpu, first_score = first[0] if first else (time.process_time() - cpu_began, None)
    return Run(OURS, schedule, seconds, whole, cpu, first_score, str(schedule.metadata.get("status", "")))


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A run as the report shows it: times, our checker's verdict and our score."""

    name: str
    seconds: float
    cpu_seconds: float
    total_seconds: float
    violations: int | None  # None: no schedule to check
    score: int | None  # our score of the final schedule
    first_score: int | None  # our score of the first schedule
    note: str


def evaluate(problem: Problem, run: Run) -> Outcome:
    """Check ``run``'s schedule with our checker and score it with our score."""
    violations = score = None
    if run.schedule is not None:
        violations = len(check_schedule(problem, run.schedule))
        score = total(problem, run.schedule)
    first_score = run.first_score if run.first_score is not None else score
    return Outcome(run.name, run.seconds, run.cpu_seconds, run.total_seconds, violations, score, first_score,
                   run.note)


def summary(outcomes: Sequence[Outcome]) -> tuple[str, float | None]:
    """A table of medians per solver, and the ratio peer / ours of the median wall time to a first schedule."""
    rows, firsts = [], {}
    for name in (PEER, OURS):
        mine = [o for o in outcomes if o.name == name]
        if not mine:
            continue
        found = [o for o in mine if o.score is not None]
        firsts[name] = statistics.median(o.seconds for o in mine) if found else None
        rows.append((
            name,
            f"{statistics.median(o.seconds for o in mine):.2f}",
            f"{statistics.median(o.cpu_seconds for o in mine):.2f}",
            f"{statistics.median(o.total_seconds for o in mine):.2f}",
            f"{statistics.median(o.first_score for o in found):.0f}" if found else "-",
            f"{statistics.median(o.score for o in found):.0f}" if found else "-",
            max((o.violations for o in found), default="-"),
            f"{len(found)}/{len(mine)}",
        ))
    table = tabulate(rows, headers=("solver", "first schedule (s)", "CPU to first (s)", "whole run (s)",
                                    "score of first", "final score", "violations", "schedules"),
                     tablefmt="github")
    peer, ours = firsts.get(PEER), firsts.get(OURS)
    return table, (peer / ours if peer and ours else None)


def main(argv: Sequence[str] | None = None) -> int:
    """Run both solvers on one generated meeting ``--repeat`` times and print the medians."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=166, help="number of one-slot side events (default 166)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated meeting and of our solver")
    parser.add_argument("--time-limit", type=float, default=600.0,
                        help="seconds allowed to each solver per run (the peer: its CBC run; default 600)")
    parser.add_argument("--our-limit", type=float, default=None,
                        help="seconds for our solver if not --time-limit (it improves until then or optimal)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each solver; medians are reported")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers for our solver (default 2)")
    args = parser.parse_args(argv)
    if args.events < 1 or args.repeat < 1 or args.time_limit <= 0 or (args.our_limit or 1) <= 0:
        parser.error("--events and --repeat must be at least 1, the time limits positive")

    problem = load_meeting(args.events, args.seed)
    print(f"meeting: {len(problem.events)} one-slot events, {len(problem.rooms)} rooms and channels, "
          f"{len(problem.slots)} slots over {len(problem.meeting.days)} days (seed {args.seed})", flush=True)
    outcomes: list[Outcome] = []
    for round_number in range(1, args.repeat + 1):
        for runner in (lambda: run_peer(problem, args.time_limit),
                       lambda: run_ours(problem, args.our_limit or args.time_limit, args.seed, args.workers)):
            outcome = evaluate(problem, runner())
            outcomes.append(outcome)
            found = "no schedule" if outcome.score is None else (
                f"our score {outcome.first_score} first, {outcome.score} final, "
                f"{outcome.violations} hard-rule violations")
            print(f"  run {round_number}: {outcome.name}: first schedule {outcome.seconds:.2f} s "
                  f"(CPU {outcome.cpu_seconds:.2f} s), whole run {outcome.total_seconds:.2f} s, {found}"
                  f"{' (' + outcome.note + ')' if outcome.note else ''}", flush=True)
    table, ratio = summary(outcomes)
    print(f"\nmedians of {args.repeat} run(s):\n{table}")
    if ratio is not None:
        print(f"\nratio, peer time / our time to a first valid schedule: {ratio:.1f}x")
    return 0 if all(o.violations == 0 for o in outcomes if o.violations is not None) else 1


if __name__ == "__main__":
    sys.exit(main())
