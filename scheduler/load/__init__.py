"""Files -> Problem: a meeting folder (meeting.toml + CSV files) or one .xlsx workbook with the same tables.

``load_problem`` reads every source, checks every cell and every cross-reference, and raises
:class:`DataErrors` once with all the problems found; oddities that do no harm (an unknown column)
are reported with ``warnings.warn(DataWarning(...))``. The format is described in docs/data-format.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceLocation
from ..model import Problem
from .fields import Report
from .meeting import MeetingSetup, build_meeting
from .references import check_references
from .rows import read_events, read_rooms, read_speakers, read_unavailability
from .settings import MEETING_SHEETS, MeetingInput, read_toml, sheets_input, toml_input
from .tables import Table, read_csv, read_workbook

__all__ = ["TABLES", "load_problem"]

TABLES: tuple[str, ...] = ("rooms", "speakers", "events", "unavailability")  # in reading order
OPTIONAL_TABLES: frozenset[str] = frozenset({"unavailability"})
DATETIME_COLUMNS: dict[str, tuple[str, ...]] = {
    "events": ("start",),
    "unavailability": ("start", "end"),
    "blocked": ("start", "end"),
}


@dataclass
class _Sources:
    """What was read, before any checking: the meeting settings and the tables (None = absent/unreadable)."""

    meeting: MeetingInput | None
    tables: dict[str, Table | None]


def load_problem(path: str | Path) -> Problem:
    """Load a meeting folder or .xlsx workbook into a Problem; raises DataErrors listing every error."""
    path = Path(path)
    report = Report()
    sources: _Sources | None
    if path.is_dir():
        sources = _read_folder(path, report)
    elif path.suffix.lower() == ".xlsx":
        sources = _read_workbook(path, report)
    elif path.exists():
        report.error(SourceLocation(path.name), "expected a meeting folder or an .xlsx workbook")
        sources = None
    else:
        report.error(SourceLocation(str(path)), "no such meeting folder or workbook")
        sources = None
    if sources is None:
        report.raise_if_any()
        raise AssertionError("unreachable: an unreadable input always records an error")
    return _build(sources, report)


def _read_folder(folder: Path, report: Report) -> _Sources:
    """meeting.toml and the CSV files of a meeting folder."""
    data = read_toml(folder / "meeting.toml", "meeting.toml", report)
    meeting = toml_input(data, "meeting.toml", report) if data is not None else None
    tables: dict[str, Table | None] = {}
    for name in TABLES:
        file = folder / f"{name}.csv"
        if name in OPTIONAL_TABLES and not file.exists():
            tables[name] = None
            continue
        tables[name] = read_csv(file, file.name, report)
    return _Sources(meeting, tables)


def _read_workbook(path: Path, report: Report) -> _Sources | None:
    """The sheets of an .xlsx workbook; unknown sheets are warned about."""
    name = path.name
    sheets = read_workbook(path, name, report, DATETIME_COLUMNS)
    if sheets is None:
        return None
    for key, table in sheets.items():
        if key not in TABLES and key not in MEETING_SHEETS:
            report.warn(table.place(), "unknown sheet ignored")
    meeting = sheets_input(sheets, name, report)
    tables: dict[str, Table | None] = {}
    for table_name in TABLES:
        tables[table_name] = sheets.get(table_name)
        if tables[table_name] is None and table_name not in OPTIONAL_TABLES:
            report.error(SourceLocation(name, sheet=table_name), "missing sheet")
    return _Sources(meeting, tables)


def _build(sources: _Sources, report: Report) -> Problem:
    """Check everything that was read and assemble the Problem (or raise DataErrors)."""
    setup = build_meeting(sources.meeting, report) if sources.meeting else MeetingSetup.unknown()
    rooms = read_rooms(sources.tables["rooms"], setup, report)
    speakers = read_speakers(sources.tables["speakers"], setup, report)
    events = read_events(sources.tables["events"], setup, report)
    unavailability = read_unavailability(sources.tables["unavailability"], setup, report)
    check_references(setup, rooms, speakers, events, unavailability, report)
    report.raise_if_any()
    assert setup.meeting is not None
    return Problem(
        meeting=setup.meeting,
        rooms=tuple(parsed.value for parsed in rooms.items),
        slots=setup.slots,
        speakers=tuple(parsed.value for parsed in speakers.items),
        events=tuple(parsed.value for parsed in events.items),
        blocked=setup.blocked,
        unavailability=tuple(parsed.value for parsed in unavailability.items),
    )
