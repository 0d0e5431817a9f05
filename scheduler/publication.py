"""One publication of a schedule as an output tree: relative path -> content, for ``solve`` and ``export``.

Kept apart from the CLI so the files can be produced (and tested) without touching the disk; the
CLI writes the tree with :func:`scheduler.output.write_tree_atomic`. Every file goes through the
exporters' registry (``scheduler.export.registry``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UsageError
from .export.labels import FEEDS_DIR
from .export.registry import FEEDS_INDEX, OUTPUTS, Files, PublishContext
from .export.view import build_view
from .load.previous import PreviousPublication
from .model import Problem, Schedule
from .scenario import SCENARIO_FILE, Scenario

if TYPE_CHECKING:
    from .solver import SolveOptions

__all__ = ["FEEDS_SHARE", "feeds_unchanged", "now", "publication_reserve", "publication_seconds", "publication_time",
           "publish", "publish_over", "published_at_of", "same_on_disk", "solve_and_publish"]

# Measured on FOSDEM 2026 (883 events, 1,906 feeds): building every output takes about 5.8 ms per
# event and writing the files about 1 ms more (benchmarks/README.md); solve keeps this much of its
# time limit for it, so that the whole command ends within the limit.
PUBLICATION_SECONDS_PER_EVENT = 0.007
# The timetables grow with the grid instead (rows of slots x columns of rooms): DebConf 23 on a
# 5-minute grid (1,488 slots x 5 rooms) takes 2.7 s to publish for only 117 events.
PUBLICATION_SECONDS_PER_CELL = 0.00035
# A publication that continues another first builds its feeds alone, stamped as before, to see whether
# anything changed (benchmarks/export.py: the feeds are about a fifth of a whole publication's time).
FEEDS_SHARE = 0.3


def publish(problem: Problem, schedule: Schedule, *, previous: PreviousPublication | None = None,
            published_at: datetime | None = None, base_url: str | None = None, feeds_index: str | None = None,
            scenario: Scenario | None = None, only: Iterable[str] | None = None, ledger: str | None = None) -> Files:
    """The output tree of one publication: every registry family (or those ``only`` names), plus the scenario.

    The feeds continue ``previous`` and need a publication time: ``published_at``, else the schedule's
    own (from schedule.json); when given or needed, it is stamped into the schedule's metadata.
    timetable.html links the feeds published with it, else those ``feeds_index`` lists, else the
    names a first publication gives them. ``ledger`` adds the feeds' record at that path (a release's).
    """
    names = list(OUTPUTS) if only is None else list(only)
    unknown = [name for name in names if name not in OUTPUTS]
    if unknown:
        raise UsageError(f"unknown output {', '.join(unknown)}; choose from {', '.join(OUTPUTS)}")
    if any(OUTPUTS[name].needs_published_at for name in names):
        published_at = published_at_of(schedule, published_at)
    if published_at is not None:
        schedule = replace(schedule, metadata={**schedule.metadata, "published_at": published_at.isoformat()})
    context = PublishContext(problem, schedule, build_view(problem, schedule), published_at, previous, base_url,
                             feeds_index, ledger)
    files: Files = {}
    for name in names:
        rendered = OUTPUTS[name].render(context)
        if FEEDS_INDEX in rendered:
            context = replace(context, feeds_index=str(rendered[FEEDS_INDEX]))
        files |= rendered
    if scenario is not None:
        files[SCENARIO_FILE] = scenario.text
    return files


def solve_and_publish(problem: Problem, options: SolveOptions, *, previous: PreviousPublication | None = None,
                      published_at: datetime | None = None, inputs: Sequence[Path] = (),
                      scenario: Scenario | None = None, feeds_from: PreviousPublication | None = None,
                      base_url: str | None = None) -> tuple[Schedule, Files]:
    """Solve ``problem`` (a re-plan close to ``previous``'s schedule when given) and publish the result over it.

    ``feeds_from`` is an earlier publication whose feeds continue without its schedule being kept (the
    output folder's own). Keeps time for the outputs within the time limit; see :func:`publish_over`
    for the publication time.
    """
    from .solver import solve

    earlier = previous or feeds_from
    before = previous.schedule if previous is not None else None
    reserve = publication_reserve(problem, continues=earlier is not None)
    schedule = solve(problem, replace(options, previous=before, reserve=reserve))
    return schedule, publish_over(problem, schedule, earlier, published_at=published_at, inputs=inputs,
                                  scenario=scenario, base_url=base_url)


def publish_over(problem: Problem, schedule: Schedule, previous: PreviousPublication | None, *,
                 published_at: datetime | None = None, inputs: Sequence[Path] = (),
                 scenario: Scenario | None = None, base_url: str | None = None) -> Files:
    """Publish ``schedule`` continuing ``previous``'s feeds, stamped ``published_at`` when given.

    Else a first publication takes the newest input file's time (deterministic), and a later one keeps
    the earlier stamp when its feeds come out the same (re-runs stay byte-identical) and is stamped
    now when anything in them changed, so changed events carry a new DTSTAMP.
    """
    def build(stamp: datetime) -> Files:
        return publish(problem, schedule, previous=previous, published_at=stamp, scenario=scenario, base_url=base_url)

    if published_at is not None:
        return build(published_at)
    if previous is None:
        return build(publication_time(inputs))
    if previous.published_at is not None:
        if feeds_unchanged(problem, schedule, previous, base_url):
            return build(previous.published_at)
        return build(now(not_before=previous.published_at))
    return build(now())


def feeds_unchanged(problem: Problem, schedule: Schedule, previous: PreviousPublication,
                    base_url: str | None = None) -> bool:
    """True when the feeds of ``schedule``, stamped as ``previous`` was, are the files ``previous``'s folder holds.

    Only the feeds are built for this (a fraction of a whole publication), so a changed publication costs
    one full build more than that, not two."""
    from .export.ics import build_feeds

    assert previous.published_at is not None
    feeds = {f"{FEEDS_DIR}/{name}": text for name, text in build_feeds(
        problem, schedule, published_at=previous.published_at, previous=previous, base_url=base_url).items()}
    on_disk = {p.relative_to(previous.folder).as_posix() for p in (previous.folder / FEEDS_DIR).rglob("*")
               if p.is_file() and not p.name.startswith(".")}
    return set(feeds) == on_disk and same_on_disk(feeds, previous.folder)


def same_on_disk(files: Files, folder: Path) -> bool:
    """True when every one of ``files`` is in ``folder`` byte for byte."""
    for name, content in files.items():
        path = folder / name
        data = content.encode("utf-8") if isinstance(content, str) else content
        try:
            if path.stat().st_size != len(data) or path.read_bytes() != data:
                return False
        except OSError:
            return False
    return True


def now(not_before: datetime | None = None) -> datetime:
    """The time a changed publication is stamped with: now, or ``SOURCE_DATE_EPOCH`` where it is set; never
    earlier than ``not_before`` (the previous publication's)."""
    moment = _source_date_epoch() or datetime.now(timezone.utc).replace(microsecond=0)
    return max(moment, not_before) if not_before is not None else moment


def _source_date_epoch() -> datetime | None:
    """``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) as a UTC time, when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc) if epoch and epoch.strip().isdigit() else None


def publication_reserve(problem: Problem, *, continues: bool, release: bool = False) -> float:
    """Seconds of a solve's time limit kept for publishing its result: a publication that continues another
    first builds its feeds alone to see whether anything changed; a site's release also writes its record."""
    return publication_seconds(problem) * (1 + FEEDS_SHARE if continues else 1) + (0.5 if release else 0.0)


def published_at_of(schedule: Schedule, override: datetime | None = None) -> datetime:
    """The publication time of this version: ``override`` (--published-at), else schedule metadata.

    Raises UsageError when neither gives an aware datetime; the exporters never use the clock.
    """
    value: Any = override if override is not None else schedule.metadata.get("published_at")
    if value is None:
        raise UsageError("no publication time: schedule.json has no published_at; pass --published-at")
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise UsageError(f"published_at: expected an ISO datetime, got {value!r}") from None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise UsageError(f"published_at must be a datetime with a UTC offset, got {value!r}")
    return value


def publication_seconds(problem: Problem) -> float:
    """An estimate of the seconds that building and writing a meeting's publication takes."""
    cells = len(problem.slots) * len(problem.rooms)
    return 0.2 + max(PUBLICATION_SECONDS_PER_EVENT * len(problem.events), PUBLICATION_SECONDS_PER_CELL * cells)


def publication_time(inputs: Iterable[Path], previous_at: datetime | None = None) -> datetime:
    """The default publication time of a version: as new as its newest input file.

    ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) overrides it. Deterministic for the
    same files, and later whenever an input is edited, so re-published feeds carry a newer stamp;
    never earlier than the previous publication.
    """
    moment = _source_date_epoch()
    if moment is None:
        times = [p.stat().st_mtime for path in inputs for p in ([path] if path.is_file() else path.rglob("*"))
                 if p.is_file()]
        moment = datetime.fromtimestamp(int(max(times)), tz=timezone.utc) if times else datetime(
            2000, 1, 1, tzinfo=timezone.utc)
    if previous_at is not None and moment < previous_at:
        moment = previous_at
    return moment.replace(microsecond=0)
