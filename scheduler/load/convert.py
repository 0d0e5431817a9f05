"""A meeting folder as one .xlsx workbook (the form planners edit in Excel); ``load_problem`` reads both.

Sheets: ``meeting`` (key/value rows), ``slots``, ``blocked``, ``weights``, then ``rooms``, ``speakers``,
``events`` and ``unavailability`` with the CSV columns as they are. Whole numbers in the number
columns become Excel numbers; every other cell is written as text, so ids such as ``007``, the text
``NA`` and a title starting with ``=`` survive. The bytes are the same for the same folder.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DataErrors, LoadError, SourceLocation
from .fields import Report
from .settings import BLOCKED_KEYS, SLOT_KEYS, read_toml, toml_text
from .tables import read_csv

if TYPE_CHECKING:
    from openpyxl import Workbook

NUMBER_COLUMNS: frozenset[str] = frozenset({"capacity", "duration", "attendance", "priority", "weight"})
_CANONICAL_INT = re.compile(r"0|[1-9][0-9]{0,14}")
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIXED_STAMP = "2000-01-01T00:00:00Z"
_CORE_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")
CSV_TABLES: tuple[str, ...] = ("rooms", "speakers", "events", "unavailability")


def folder_to_workbook(folder: Path) -> bytes:
    """The .xlsx form of a meeting folder; raises DataErrors when a file cannot be read at all."""
    from openpyxl import Workbook  # openpyxl is slow to import; only conversions need it

    folder = Path(folder)
    report = Report()
    settings = read_toml(folder / "meeting.toml", "meeting.toml", report)
    tables = {}
    for name in CSV_TABLES:
        file = folder / f"{name}.csv"
        if name == "unavailability" and not file.exists():
            continue
        tables[name] = read_csv(file, file.name, report)
    report.raise_if_any()
    assert settings is not None

    sheets: dict[str, list[list[object]]] = {}
    sheets["meeting"] = [["key", "value"], *(
        [key, _setting(value, SourceLocation("meeting.toml", field=key))]
        for key, value in settings.items()
        if key not in ("slots", "blocked", "weights")
    )]
    sheets["slots"] = _array_sheet(settings.get("slots", []), "slots", SLOT_KEYS)
    if "blocked" in settings:
        sheets["blocked"] = _array_sheet(settings["blocked"], "blocked", BLOCKED_KEYS)
    weights = settings.get("weights")
    if weights is not None:
        if not isinstance(weights, dict):
            raise _error(SourceLocation("meeting.toml", field="weights"), "expected a [weights] table")
        sheets["weights"] = [["name", "weight"], *(
            [name, _setting(value, SourceLocation("meeting.toml", field=f"weights.{name}"))]
            for name, value in weights.items()
        )]
    for name, table in tables.items():
        assert table is not None
        sheets[name] = [list[object](table.header), *(list[object](row.values) for row in table.rows)]

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        _write_sheet(workbook, name, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _stable_zip(buffer.getvalue())


def _setting(value: object, where: SourceLocation) -> object:
    """A meeting.toml value as one cell: text, a number, or a ``;``-joined list."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, list):
        texts = [toml_text(item) for item in value]
        if all(text is not None for text in texts):
            return ";".join(str(text) for text in texts)
    else:
        text = toml_text(value)
        if text is not None:
            return text
    raise _error(where, f"cannot put {value!r} into one cell")


def _array_sheet(items: object, key: str, known: Sequence[str]) -> list[list[object]]:
    """An array of tables (``[[slots]]``) as a header of its keys and one row per table."""
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise _error(SourceLocation("meeting.toml", field=key), f"expected [[{key}]] tables")
    columns = list(known)
    for item in items:
        columns += [sub for sub in item if sub not in columns]
    rows: list[list[object]] = [list(columns)]
    for number, item in enumerate(items, start=1):
        rows.append([
            "" if column not in item else _setting(item[column], SourceLocation("meeting.toml",
                                                                               field=f"{key}[{number}].{column}"))
            for column in columns
        ])
    return rows


def _write_sheet(workbook: Workbook, title: str, rows: list[list[object]]) -> None:
    """One sheet: a bold, frozen header; number columns as numbers, all else as text."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    header = [str(name) for name in rows[0]]
    numeric = [name.lower() in NUMBER_COLUMNS for name in header]
    widths = [len(name) for name in header]
    for row_number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            if value == "":
                continue
            if isinstance(value, str):
                if ILLEGAL_CHARACTERS_RE.search(value):
                    where = SourceLocation(f"{title}.csv", row_number, column, header[column - 1])
                    raise _error(where, "a control character cannot be stored in an .xlsx cell")
                if row_number > 1 and column <= len(numeric) and numeric[column - 1] \
                        and _CANONICAL_INT.fullmatch(value):
                    value = int(value)
            cell = sheet.cell(row=row_number, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, even when the text starts with "="
            if column <= len(widths):
                widths[column - 1] = max(widths[column - 1], min(60, len(str(value).split("\n")[0])))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width + 2


def _stable_zip(data: bytes) -> bytes:
    """The same workbook with fixed timestamps, so the same folder always gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_STAMP.sub(rb"\g<1>" + _FIXED_STAMP.encode() + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content)
    return target_buffer.getvalue()


def _error(where: SourceLocation, message: str) -> DataErrors:
    """A DataErrors with one error, for the few things that stop a conversion."""
    return DataErrors([LoadError(where, message)])

