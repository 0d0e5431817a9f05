"""Reading a schedule.csv back into a Schedule, for ``check``, ``compare``, re-plans and the exporters.

Only the file's own shape is judged here (columns, ids, status, datetimes); whether the schedule
obeys the hard rules is the checker's business, so a clash or a missing event loads fine. The file
is read by the same table and cell helpers as the meeting's own tables, with every fault collected
and raised at once; rows are numbered by the file line they start on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import LoadError, SourceLocation, suggest
from ..model import Assignment, Problem, Schedule, event_end
from .fields import Report, parse_datetime
from .tables import Row, check_columns, read_csv, read_json

COLUMNS: tuple[str, ...] = ("event_id", "status", "room", "start", "end")
STATUSES: tuple[str, ...] = ("scheduled", "unscheduled")
ANOTHER_MEETING_MIN = 5  # fewer unknown ids are reported one by one, at their rows
ISO_DATETIME = "an ISO 8601 date and time like 2022-05-16T13:10:00+02:00"


def schedule_csv_path(path: Path | str) -> Path:
    """The schedule.csv meant by ``path``: the file itself, or ``schedule.csv`` inside a folder."""
    path = Path(path)
    return path / "schedule.csv" if path.is_dir() else path


def read_schedule(path: Path | str, problem: Problem, *, ignore_unknown: bool = False,
                  name: str | None = None) -> Schedule:
    """Read schedule.csv (or a folder holding one) for ``problem``, with the metadata of the schedule.json
    beside it; every fault raised at once as DataErrors, each at its ``file:row:column (field)``.

    Datetimes without an offset are venue-local; all come back in the venue zone. An empty ``end``
    of a scheduled row is derived from the event's duration. With ``ignore_unknown`` (an earlier
    schedule read against a changed meeting) rows of events the problem no longer has are skipped
    and room ids it no longer has are kept as they are, instead of being errors. ``name`` is how
    messages call the file (default: its file name).
    """
    path = schedule_csv_path(path)
    name = name or path.name
    report = Report()
    table = read_csv(path, name, report, count_lines=True, exact_width=True)
    if table is None or check_columns(table, COLUMNS, COLUMNS, report):
        report.raise_if_any()
    assert table is not None
    if not ignore_unknown:
        _refuse_another_meetings(table.rows, problem, name)
    tz = ZoneInfo(problem.meeting.timezone)
    first_row: dict[str, int] = {}
    assignments = [assignment for row in table.rows
                   if (assignment := _assignment(row, problem, tz, first_row, report, ignore_unknown)) is not None]
    report.raise_if_any()
    metadata = read_schedule_metadata(path, name=str(Path(name).with_suffix(".json")))
    return Schedule(tuple(assignments), metadata).sorted()


def _refuse_another_meetings(rows: Sequence[Row], problem: Problem, name: str) -> None:
    """One line, instead of an error per row, for a file whose event ids are mostly not this meeting's."""
    ids = [row.get("event_id") for row in rows if row.get("event_id")]
    unknown = [event_id for event_id in ids if event_id not in problem.events_by_id]
    if len(unknown) > ANOTHER_MEETING_MIN and 2 * len(unknown) > len(ids):
        shown = ", ".join(repr(event_id) for event_id in unknown[:3])
        raise LoadError(SourceLocation(name), f"{len(unknown)} of its {len(ids)} event ids are not events of "
                                              f"{problem.meeting.name} (for example {shown}): a schedule of "
                                              "another meeting?")


def _assignment(row: Row, problem: Problem, tz: ZoneInfo, first_row: dict[str, int], report: Report,
                ignore_unknown: bool) -> Assignment | None:
    """One row's assignment, or None after reporting its faults (or for an event to ignore)."""
    event_id = row.get("event_id")
    event = problem.events_by_id.get(event_id)
    if event is None and event_id and ignore_unknown:
        return None
    faults = len(report.errors)
    if not event_id:
        report.error(row.at("event_id"), "empty event id")
    elif event is None:
        report.error(row.at("event_id"), f"unknown event '{event_id}'{suggest(event_id, problem.events_by_id)}")
    elif event_id in first_row:
        report.error(row.at("event_id"), f"duplicate event '{event_id}' (first in row {first_row[event_id]})")
    else:
        first_row[event_id] = row.number
    status = row.get("status").lower()
    if status not in STATUSES:
        report.error(row.at("status"), f"expected scheduled or unscheduled, got '{row.get('status')}'")
    start, end = (report.parse(_datetime, row.get(column), row.at(column), tz) for column in ("start", "end"))
    room = row.get("room")
    if status == "scheduled":
        if not room:
            report.error(row.at("room"), "a scheduled row needs a room")
        elif room not in problem.rooms_by_id and not ignore_unknown:
            report.error(row.at("room"), f"unknown room '{room}'{suggest(room, problem.rooms_by_id)}")
        if not row.get("start"):
            report.error(row.at("start"), "a scheduled row needs a start")
    elif status == "unscheduled":
        for column in ("room", "start", "end"):
            if row.get(column):
                report.error(row.at(column), f"an unscheduled row must leave {column} empty")
    if len(report.errors) > faults or event is None:
        return None
    if status == "unscheduled":
        return Assignment(event_id)
    assert start is not None
    return Assignment(event_id, room, start, end if end is not None else event_end(start, event.duration))


def _datetime(text: str, where: SourceLocation, tz: ZoneInfo) -> datetime | None:
    """An ISO 8601 date and time in the venue zone (no offset means venue-local); None for an empty cell."""
    if not text:
        return None
    return parse_datetime(text, where, tz, shape=ISO_DATETIME, skipped_forward=True)


def read_schedule_metadata(path: Path | str, *, name: str | None = None) -> dict[str, Any]:
    """The metadata of the schedule.json beside a schedule.csv (same stem), without its assignments; {} if none.

    Exporters take ``published_at`` and the solver's figures from it.
    """
    json_path = schedule_csv_path(path).with_suffix(".json")
    if not json_path.is_file():
        return {}
    name = name or json_path.name
    data = read_json(json_path, name)
    if not isinstance(data, dict):
        raise LoadError(SourceLocation(name), "expected a JSON object at the top level")
    return {key: value for key, value in data.items() if key != "assignments"}
