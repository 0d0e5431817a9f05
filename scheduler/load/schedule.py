"""Reading a schedule.csv back into a Schedule, for ``check``, ``compare`` and the exporters.

Only the file's own shape is judged here (columns, ids, status, datetimes); whether the schedule
obeys the hard rules is the checker's business, so a clash or a missing event loads fine.
"""

from __future__ import annotations

import csv
import json
import re
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import DataErrors, DataWarning, LoadError, SourceLocation
from ..model import Assignment, Problem, Schedule, event_end

COLUMNS: tuple[str, ...] = ("event_id", "status", "room", "start", "end")
STATUSES: tuple[str, ...] = ("scheduled", "unscheduled")
_HAS_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def schedule_csv_path(path: Path | str) -> Path:
    """The schedule.csv meant by ``path``: the file itself, or ``schedule.csv`` inside a folder."""
    path = Path(path)
    return path / "schedule.csv" if path.is_dir() else path


def read_schedule(path: Path | str, problem: Problem, *, ignore_unknown: bool = False) -> Schedule:
    """Read schedule.csv (or a folder holding one) for ``problem``; every fault raised at once as DataErrors.

    Datetimes without an offset are venue-local; all come back in the venue zone. An empty ``end``
    of a scheduled row is derived from the event's duration. With ``ignore_unknown`` (an earlier
    schedule read against a changed meeting) rows of events the problem no longer has are skipped
    and room ids it no longer has are kept as they are, instead of being errors.
    """
    path = schedule_csv_path(path)
    name = path.name
    rows = _read_rows(path)
    if not rows:
        raise DataErrors([LoadError(SourceLocation(name, 1), "the file is empty; expected a header row")])
    header_line, header = rows[0]
    header = [cell.strip() for cell in header]
    errors: list[LoadError] = []
    position: dict[str, int] = {}
    for index, column in enumerate(header):
        if column in position:
            errors.append(LoadError(SourceLocation(name, header_line, index + 1, column), "duplicate column"))
        elif column:
            position[column] = index
    for column in COLUMNS:
        if column not in position:
            errors.append(LoadError(SourceLocation(name, header_line, None, column), f"missing column '{column}'"))
    if errors:
        raise DataErrors(errors)
    for column in sorted(set(position) - set(COLUMNS)):
        warnings.warn(DataWarning(f"{name}: unknown column '{column}' ignored"), stacklevel=2)

    tz = ZoneInfo(problem.meeting.timezone)
    assignments: list[Assignment] = []
    first_row: dict[str, int] = {}
    for line, cells in rows[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            errors.append(
                LoadError(SourceLocation(name, line), f"the row has {len(cells)} cells but the header {len(header)}")
            )
            continue
        values = {column: (cells[i].strip() if i < len(cells) else "") for column, i in position.items()}

        def where(column: str, line: int = line) -> SourceLocation:
            return SourceLocation(name, line, position[column] + 1, column)

        row_errors: list[LoadError] = []
        event_id = values["event_id"]
        event = problem.events_by_id.get(event_id)
        if event is None and event_id and ignore_unknown:
            continue
        if not event_id:
            row_errors.append(LoadError(where("event_id"), "empty event id"))
        elif event is None:
            row_errors.append(LoadError(where("event_id"), f"unknown event '{event_id}'"))
        elif event_id in first_row:
            row_errors.append(
                LoadError(where("event_id"), f"duplicate event '{event_id}' (first in row {first_row[event_id]})")
            )
        else:
            first_row[event_id] = line

        status = values["status"].lower()
        if status not in STATUSES:
            got = values["status"]
            row_errors.append(LoadError(where("status"), f"expected scheduled or unscheduled, got '{got}'"))

        stamps: dict[str, datetime | None] = {}
        for column in ("start", "end"):
            try:
                stamps[column] = _parse_datetime(values[column], tz)
            except ValueError as exc:
                row_errors.append(LoadError(where(column), str(exc)))
                stamps[column] = None

        room = values["room"]
        if status == "scheduled":
            if not room:
                row_errors.append(LoadError(where("room"), "a scheduled row needs a room"))
            elif room not in problem.rooms_by_id and not ignore_unknown:
                row_errors.append(LoadError(where("room"), f"unknown room '{room}'"))
            if not values["start"]:
                row_errors.append(LoadError(where("start"), "a scheduled row needs a start"))
        elif status == "unscheduled":
            for column in ("room", "start", "end"):
                if values[column]:
                    row_errors.append(LoadError(where(column), f"an unscheduled row must leave {column} empty"))

        if row_errors:
            errors.extend(row_errors)
            continue
        assert event is not None
        if status == "unscheduled":
            assignments.append(Assignment(event_id))
            continue
        start, end = stamps["start"], stamps["end"]
        assert start is not None
        if end is None:
            end = event_end(start, event.duration)
        assignments.append(Assignment(event_id, room, start, end))
    if errors:
        raise DataErrors(errors)
    return Schedule(tuple(assignments)).sorted()


def read_schedule_metadata(path: Path | str) -> dict[str, Any]:
    """The metadata of the schedule.json beside a schedule.csv (same stem), without its assignments; {} if none.

    Exporters take ``published_at`` and the solver's figures from it.
    """
    csv_path = schedule_csv_path(path)
    json_path = csv_path.with_suffix(".json")
    if not json_path.is_file():
        return {}
    try:
        data = json.loads(json_path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(SourceLocation(json_path.name), f"cannot read the file: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise LoadError(SourceLocation(json_path.name, exc.lineno, exc.colno), f"not valid JSON: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise LoadError(SourceLocation(json_path.name), "expected a JSON object at the top level")
    return {key: value for key, value in data.items() if key != "assignments"}


def _read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Every record with the file line it starts on (the header is line 1); raises LoadError if unreadable."""
    name = path.name
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            rows: list[tuple[int, list[str]]] = []
            line = 1
            try:
                for cells in reader:
                    rows.append((line, cells))
                    line = reader.line_num + 1
            except csv.Error as exc:
                raise LoadError(SourceLocation(name, reader.line_num), f"malformed CSV: {exc}") from exc
    except FileNotFoundError as exc:
        raise LoadError(SourceLocation(str(path)), "no such file") from exc
    except UnicodeDecodeError as exc:
        raise LoadError(SourceLocation(name), f"not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    except OSError as exc:
        raise LoadError(SourceLocation(str(path)), f"cannot read the file: {exc.strerror or exc}") from exc
    return rows


def _parse_datetime(text: str, tz: ZoneInfo) -> datetime | None:
    """An ISO 8601 date and time in the venue zone (no offset means venue-local); None for an empty cell."""
    if not text:
        return None
    if not _HAS_TIME.match(text):
        raise ValueError(f"expected an ISO 8601 date and time like 2022-05-16T13:10:00+02:00, got '{text}'")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"expected an ISO 8601 date and time like 2022-05-16T13:10:00+02:00, got '{text}'"
        ) from None
    if value.tzinfo is None:
        # via UTC, so a wall time that does not exist (skipped at a DST change) comes out normalised
        return value.replace(tzinfo=tz).astimezone(timezone.utc).astimezone(tz)
    return value.astimezone(tz)
