"""schedule.csv and schedule.json: the solver's output in the contract's exact form.

Both are pure functions of a Schedule, so the same schedule always gives byte-identical files.
schedule.csv: header ``event_id,status,room,start,end``; rows by start instant, room, event id,
unscheduled rows last; times as ``2022-05-16T13:10:00+02:00`` in the zone the assignment carries (the
venue's, as the loader and the solver produce them); empty cells when unscheduled; ``\\n`` line ends;
UTF-8 without BOM.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ..model import Assignment, Schedule

COLUMNS: tuple[str, ...] = ("event_id", "status", "room", "start", "end")
METADATA_KEYS: tuple[str, ...] = (
    "status",
    "objective",
    "bound",
    "gap",
    "seed",
    "options",
    "input_digest",
    "published_at",
    "scores",
)

# Exporter metadata, as the other exporters carry it.
CSV_EXTENSION, CSV_MEDIA_TYPE = ".csv", "text/csv"
JSON_EXTENSION, JSON_MEDIA_TYPE = ".json", "application/json"
# Figures that differ run to run; printed in the summary, kept out of a published schedule.json so
# that the same input, seed and options give byte-identical files.
VOLATILE_METADATA = frozenset({"build_seconds", "solve_seconds", "first_solution_seconds", "seconds", "timing"})


def schedule_csv(schedule: Schedule) -> str:
    """The schedule as schedule.csv text, in the contract's row order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for assignment in schedule.sorted().assignments:
        row = _row(assignment)
        writer.writerow([row[column] or "" for column in COLUMNS])
    return buffer.getvalue()


def schedule_json(schedule: Schedule) -> str:
    """The schedule as schedule.json text: its metadata (every contract key, null when unknown) plus assignments."""
    document: dict[str, Any] = {key: None for key in METADATA_KEYS}
    document.update({str(key): value for key, value in schedule.metadata.items()})
    document["assignments"] = [_row(assignment) for assignment in schedule.sorted().assignments]
    return json.dumps(_plain(document), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def stable_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The schedule metadata without run-to-run timings."""
    return {key: value for key, value in metadata.items() if key not in VOLATILE_METADATA}


def schedule_files(schedule: Schedule) -> dict[str, str]:
    """schedule.csv and schedule.json of a publication, as the data-format contract says (no timings)."""
    stable = dataclasses.replace(schedule, metadata=stable_metadata(schedule.metadata))
    return {"schedule.csv": schedule_csv(stable), "schedule.json": schedule_json(stable)}


def _row(assignment: Assignment) -> dict[str, str | None]:
    """One assignment's cells; None where the contract leaves a cell empty."""
    scheduled = assignment.scheduled
    return {
        "event_id": assignment.event_id,
        "status": assignment.status,
        "room": assignment.room if scheduled else None,
        "start": _stamp(assignment.start) if scheduled else None,
        "end": _stamp(assignment.end) if scheduled else None,
    }


def _stamp(value: datetime | None) -> str | None:
    """``2022-05-16T13:10:00+02:00``: ISO 8601 with seconds and the offset the datetime carries."""
    return value.isoformat(timespec="seconds") if value is not None else None


def _plain(value: Any) -> Any:
    """Metadata turned into JSON values: datetimes as ISO text, sets sorted, dataclasses as dicts."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN or infinity
    return value
