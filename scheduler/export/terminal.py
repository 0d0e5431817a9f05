"""Timetables in the terminal: a grid per day (rows slots, columns rooms) or a list, in any tabulate format.

Both are pure over the shared ``ProgrammeView``. Given a ``width`` (the command line passes the
terminal's, ``shutil.get_terminal_size``, or ``--width``), no line is wider: a day whose rooms do not fit
side by side is shown as several grids of fewer rooms, a list too wide for one table is shown day by
day without its Day column, and titles, names and room headers wrap over a few lines in the formats
whose rows can span lines (``simple``, ``grid``, ``psql``...) or are cut with an ellipsis in the others
(``pipe``, ``github``, ``orgtbl``). Markup for other tools (html, latex, mediawiki, jira, tsv...) has no
width on screen and is never fitted. Without a width every title is cut at a fixed length, as before.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache

from tabulate import multiline_formats, tabulate_formats

from ..model import Room
from .timetable import (
    CONTINUED,
    LIST_HEADERS,
    check_table_format,
    day_heading,
    grid_columns,
    grid_rows,
    list_cells,
    list_rows,
    markdown_cell,
    one_line,
    short_title,
    table_text,
)
from .view import DayView, EventView, ProgrammeView, filter_view

MIN_WIDTH = 80  # the narrowest width fitted to (a list's narrowest columns need it); a narrower terminal gets 80
# markup for other tools (web pages, LaTeX, wikis, tab-separated data): no width on screen, never fitted
UNFITTED_FORMATS = frozenset(tabulate_formats) - frozenset(multiline_formats) | {"jira"}
# formats whose rows must stay on one line although tabulate can break them (Markdown, Org)
ONE_LINE_FORMATS = frozenset({"pipe", "github", "orgtbl"})
GRID_TITLE = 28  # a grid cell's width without a width to fit (the terminal's default before fitting)
GRID_CELL = (10, 28)  # the narrowest and widest a fitted grid's room column gets
GRID_LINES = 3  # lines a title may take in a grid cell
ROOM_LINES = 2  # lines a room's name may take in a grid's header
LIST_LINES = 3  # lines a cell may take in the list
# the list's columns: (widest, narrowest, share of the room when shrinking); no widest: as wide as its cells,
# no share: never shrinks. The narrowest keeps every heading whole.
LIST_COLUMNS: dict[str, tuple[int | None, int, int]] = {
    "Day": (None, 10, 0), "Time": (None, 11, 0), "Room": (24, 8, 2), "Format": (None, 6, 1),
    "Title": (60, 12, 4), "Organizer": (40, 9, 2), "Speakers": (40, 8, 2),
}


def wraps(fmt: str) -> bool:
    """Whether a row of ``fmt`` can span several lines, so long texts wrap instead of being cut."""
    return fmt in multiline_formats and fmt not in ONE_LINE_FORMATS


def fitted(fmt: str, width: int | None) -> int | None:
    """The width to fit ``fmt`` to: None without one, or for a markup format; else at least ``MIN_WIDTH``."""
    if width is None or fmt in UNFITTED_FORMATS:
        return None
    return max(width, MIN_WIDTH)


def wrap_text(text: str, width: int, lines: int) -> str:
    """``text`` on one line, wrapped at words to ``width`` over at most ``lines`` lines, the last cut with "…"."""
    width = max(width, 2)
    wrapped = textwrap.wrap(one_line(text), width, break_on_hyphens=False) or [""]
    if len(wrapped) <= lines:
        return "\n".join(wrapped)
    last = wrapped[lines - 1]
    while len(last) >= width and " " in last:  # room for the ellipsis: drop whole words first
        last = last.rsplit(" ", 1)[0]
    return "\n".join([*wrapped[: lines - 1], last[: width - 1].rstrip(" ,;:-") + "…"])


def _fitter(fmt: str, lines: int) -> Callable[[str, int], str]:
    """How a cell's text is made ``width`` wide in ``fmt``: wrapped over ``lines`` lines, or cut."""
    if wraps(fmt):
        return lambda text, width: wrap_text(text, width, lines)
    return short_title


def widest(text: str) -> int:
    """The length of the longest line of ``text``."""
    return max((len(line) for line in text.splitlines()), default=0)


@lru_cache(maxsize=256)
def _frame(fmt: str, columns: int) -> int:
    """Characters a table of ``columns`` columns in ``fmt`` adds to its cells' widths on a line (borders, padding)."""
    cell = "x" * 8
    return widest(table_text([[cell] * columns], [cell] * columns, fmt)) - 8 * columns


def _table(rows: list[list[str]], headers: Sequence[str], fmt: str) -> str:
    """A table; Markdown formats get their cells escaped."""
    if fmt in ("pipe", "github"):
        rows = [[markdown_cell(cell) for cell in row] for row in rows]
        headers = [markdown_cell(header) for header in headers]
    return table_text(rows, headers, fmt)


def _heading(view: ProgrammeView, width: int | None) -> str:
    """The first line: the meeting and the zone of every time shown, wrapped to ``width``."""
    text = f"{one_line(view.meeting.name)}: times in {view.meeting.timezone}"
    return text if width is None else "\n".join(textwrap.wrap(text, width, break_on_hyphens=False))


# ---------------------------------------------------------------------------------------------- the grid


def grid_text(view: ProgrammeView, *, day: str | date | None = None, room: str | None = None,
              organizer: str | None = None, fmt: str = "simple", width: int | None = None) -> str:
    """A grid per day for the terminal (rows slots, columns rooms, cells titles) in tabulate's ``fmt``.

    With ``width`` no line is wider (see the module's docstring); without, every title is cut at 28.
    """
    check_table_format(fmt)
    width = fitted(fmt, width)
    shown = filter_view(view, day=day, room=room, organizer=organizer)
    rooms = grid_columns(shown)
    parts = [_heading(view, width)]
    for day_view in shown.days:
        parts.append(day_heading(day_view.day))
        if not day_view.events or not rooms:
            parts.append("(no side events)")
        elif width is None:
            parts.append(_grid(day_view, rooms, fmt, GRID_TITLE))
        else:
            parts.extend(_fitted_grids(day_view, rooms, fmt, width))
    return "\n\n".join(parts) + "\n"


def _grid(day: DayView, rooms: Sequence[Room], fmt: str, cell: int) -> str:
    """One grid of ``rooms``, not fitted: titles cut to ``cell`` on one line, room names whole."""
    return _table(grid_rows(day, rooms, width=cell), ["Time", *(one_line(room.name) for room in rooms)], fmt)


def _fitted_grids(day: DayView, rooms: Sequence[Room], fmt: str, width: int) -> list[str]:
    """The day's grid within ``width``: its rooms split evenly over as few grids as fit, titles fitted to cells."""
    label = max([len("Time"), *(len(row[0]) for row in grid_rows(day, rooms))])
    narrowest = GRID_CELL[0]
    per_grid = max((count for count in range(1, len(rooms) + 1)
                    if label + count * narrowest + _frame(fmt, count + 1) <= width), default=1)
    grids = math.ceil(len(rooms) / per_grid)
    per_grid = math.ceil(len(rooms) / grids)
    parts = []
    for first in range(0, len(rooms), per_grid):
        group = rooms[first : first + per_grid]
        cell = min(GRID_CELL[1], (width - label - _frame(fmt, per_grid + 1)) // per_grid)  # alike in every grid
        while True:
            text = _fitted_grid(day, group, fmt, max(cell, 1))
            if widest(text) <= width or cell <= 1:
                break
            cell -= 1  # escaped Markdown, or a room name wider than its column
        parts.append(text)
    return parts


def _fitted_grid(day: DayView, rooms: Sequence[Room], fmt: str, cell: int) -> str:
    """One grid whose room columns are at most ``cell`` wide, headers included."""
    fit, joiner = (_fitter(fmt, GRID_LINES), "\n") if wraps(fmt) else (short_title, " / ")
    rows = grid_rows(day, rooms, width=cell, fit=fit, joiner=joiner)
    if not wraps(fmt):  # several titles in one cell: cut the whole line
        rows = [[row[0], *(short_title(text, cell) for text in row[1:])] for row in rows]
    elif cell < len(CONTINUED):
        rows = [[row[0], *(text.replace(CONTINUED, "…") for text in row[1:])] for row in rows]
    names = _fitter(fmt, ROOM_LINES)
    return _table(rows, ["Time", *(names(room.name, cell) for room in rooms)], fmt)


# ---------------------------------------------------------------------------------------------- the list


def list_text(view: ProgrammeView, *, day: str | date | None = None, room: str | None = None,
              organizer: str | None = None, fmt: str = "simple", width: int | None = None) -> str:
    """Every shown event as one table row in time order (times local to the venue), in tabulate's ``fmt``.

    With ``width`` no line is wider: long cells wrap (or are cut), and a list that does not fit as one
    table comes day by day under the day's heading, without the Day column.
    """
    check_table_format(fmt)
    width = fitted(fmt, width)
    shown = filter_view(view, day=day, room=room, organizer=organizer)
    header = _heading(view, width)
    if not shown.events:
        return f"{header}\n\n(no side events)\n"
    if width is None:
        return f"{header}\n\n{_table(list_rows(shown.events), LIST_HEADERS, fmt)}\n"
    whole = _fitted_list(shown.events, LIST_HEADERS, fmt, width)
    if whole is not None:
        return f"{header}\n\n{whole}\n"
    parts = [header]
    for day_view in shown.days:
        if day_view.events:
            by_day = _fitted_list(day_view.events, LIST_HEADERS[1:], fmt, width, squeeze=True)
            parts += [day_heading(day_view.day), by_day or ""]
    return "\n\n".join(parts) + "\n"


def _fitted_list(events: Sequence[EventView], headers: Sequence[str], fmt: str, width: int, *,
                 squeeze: bool = False) -> str | None:
    """The list's ``headers`` columns within ``width``; None when only shrunk columns would fit, unless ``squeeze``.

    Every column starts as wide as its widest cell (at most its widest in LIST_COLUMNS); while the table is too
    wide, the column widest for its share loses a character, down to its narrowest.
    """
    skip = len(LIST_HEADERS) - len(headers)
    cells = [list_cells(event)[skip:] for event in events]
    limits = [LIST_COLUMNS[name] for name in headers]
    widths = [max(len(name), *(len(row[index]) for row in cells)) for index, name in enumerate(headers)]
    widths = [min(wide, most) if most else wide for wide, (most, _, _) in zip(widths, limits, strict=True)]
    natural = list(widths)
    fit = _fitter(fmt, LIST_LINES)
    frame = _frame(fmt, len(headers))
    while True:
        if sum(widths) + frame <= width or not squeeze:  # render only what could fit
            text = _list_at(cells, headers, widths, fmt, fit)
            if widest(text) <= width:
                return text if squeeze or widths == natural else None
            if not squeeze:
                return None
        shrinkable = [index for index, (_, least, share) in enumerate(limits) if share and widths[index] > least]
        if not shrinkable:
            return _list_at(cells, headers, widths, fmt, fit)
        widths[max(shrinkable, key=lambda index: (widths[index] / limits[index][2], -index))] -= 1


def _list_at(cells: list[list[str]], headers: Sequence[str], widths: list[int], fmt: str,
             fit: Callable[[str, int], str]) -> str:
    """The list with its columns at ``widths``, however wide that is (the narrowest a list gets)."""
    rows = [[text if len(text) <= wide else fit(text, wide) for text, wide in zip(row, widths, strict=True)]
            for row in cells]
    return _table(rows, [fit(name, wide) for name, wide in zip(headers, widths, strict=True)], fmt)
