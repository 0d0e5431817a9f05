"""Everything ``solve`` and ``export`` publish for one schedule, as relative path -> content.

Kept apart from the CLI so the files can be produced (and tested) without touching the disk; the
CLI writes them with :func:`scheduler.output.write_tree_atomic`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .export import frab, html, timetable
from .export.ics import build_feeds
from .export.schedule import schedule_csv, schedule_json
from .export.view import build_view, render_files
from .model import Problem, Schedule

FEEDS_DIR = "feeds"
# Figures that differ run to run; printed in the summary, kept out of schedule.json so that the same
# input, seed and options give byte-identical files.
VOLATILE_METADATA = frozenset({"build_seconds", "solve_seconds", "first_solution_seconds", "seconds", "timing"})


# Measured on FOSDEM 2026 (883 events, 1,906 feeds): building every output takes about 5.8 ms per
# event and writing the files about 1 ms more (benchmarks/README.md); solve keeps this much of its
# time limit for it, so that the whole command ends within the limit.
PUBLICATION_SECONDS_PER_EVENT = 0.007


def publication_seconds(problem: Problem) -> float:
    """An estimate of the seconds that building and writing a meeting's publication takes."""
    return 0.2 + PUBLICATION_SECONDS_PER_EVENT * len(problem.events)


def publication_time(inputs: Iterable[Path], previous_at: datetime | None = None) -> datetime:
    """The default publication time of a version: as new as its newest input file.

    ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) overrides it. Deterministic for the
    same files, and later whenever an input is edited, so re-published feeds carry a newer stamp;
    never earlier than the previous publication.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        moment = datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    else:
        times = [p.stat().st_mtime for path in inputs for p in ([path] if path.is_file() else path.rglob("*"))
                 if p.is_file()]
        moment = datetime.fromtimestamp(int(max(times)), tz=timezone.utc) if times else datetime(
            2000, 1, 1, tzinfo=timezone.utc)
    if previous_at is not None and moment < previous_at:
        moment = previous_at
    return moment.replace(microsecond=0)


def stable_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """The schedule metadata without run-to-run timings."""
    return {key: value for key, value in metadata.items() if key not in VOLATILE_METADATA}


def schedule_files(schedule: Schedule) -> dict[str, str]:
    """schedule.csv and schedule.json, as the data-format contract says."""
    stable = replace(schedule, metadata=stable_metadata(dict(schedule.metadata)))
    return {"schedule.csv": schedule_csv(stable), "schedule.json": schedule_json(stable)}


def feed_files(problem: Problem, schedule: Schedule, *, published_at: datetime, previous: Any = None) -> dict[str, str]:
    """Every calendar feed plus its index, under ``feeds/``."""
    feeds = build_feeds(problem, schedule, published_at=published_at, previous=previous)
    return {f"{FEEDS_DIR}/{name}": text for name, text in feeds.items()}


def timetable_files(problem: Problem, schedule: Schedule, *, feeds_index: str | None = None,
                    base_url: str | None = None, which: Iterable[str] = ("timetable", "html", "frab")
                    ) -> dict[str, str | bytes]:
    """The readable timetables: md/csv/xlsx, the HTML page (linking the feeds) and frab XML/JSON."""
    view = build_view(problem, schedule)
    wanted = set(which)
    files: dict[str, str | bytes] = {}
    if "timetable" in wanted:
        files |= render_files(view, timetable.EXPORTERS)
    if "html" in wanted:
        links = html.feed_links_from_index(feeds_index) if feeds_index else None
        files["timetable.html"] = html.timetable_html(view, feeds=links)
    if "frab" in wanted:
        files["frab/schedule.xml"] = frab.frab_xml(view, base_url=base_url)
        files["frab/schedule.json"] = frab.frab_json(view, base_url=base_url)
    return files


def publication_files(problem: Problem, schedule: Schedule, *, published_at: datetime,
                      previous: Any = None) -> dict[str, str | bytes]:
    """Every file ``solve --out`` writes: schedule, feeds, timetables, frab."""
    schedule = replace(schedule, metadata={**schedule.metadata, "published_at": published_at.isoformat()})
    files: dict[str, str | bytes] = dict(schedule_files(schedule))
    feeds = feed_files(problem, schedule, published_at=published_at, previous=previous)
    files |= feeds
    files |= timetable_files(problem, schedule, feeds_index=feeds.get(f"{FEEDS_DIR}/index.json"))
    return files
