"""Errors that carry their place, so a planner can fix the input without reading code.

Every error the user can cause derives from :class:`SchedulerError`; the CLI turns one into a clean
message and the exit code it carries (2 bad input, 1 no schedule or a broken rule).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceLocation:
    """Where a value came from: ``events.csv:7:4 (duration)``; row counts the header as row 1.

    In a workbook (``sheet`` given) the place is named as Excel names it: ``meeting.xlsx events!E7
    (duration)``, ``meeting.xlsx events!1:1`` for a whole row.
    """

    path: str
    row: int | None = None
    column: int | None = None
    field: str | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        if self.sheet is not None:
            text = f"{self.path} {sheet_reference(self.sheet)}"
            if self.row is not None:
                text += f"!{column_letters(self.column)}{self.row}" if self.column else f"!{self.row}:{self.row}"
        else:
            text = self.path
            if self.row is not None:
                text += f":{self.row}"
                if self.column is not None:
                    text += f":{self.column}"
        if self.field:
            text += f" ({self.field})"
        return text


_PLAIN_SHEET = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_CELL_LIKE = re.compile(r"[A-Za-z]{1,3}[0-9]+|[RrCc]([0-9]+)?")


def sheet_reference(sheet: str) -> str:
    """A sheet's name as an Excel reference writes it: ``events``, or quoted ``'All events'``, ``'A1'``."""
    if _PLAIN_SHEET.fullmatch(sheet) and not _CELL_LIKE.fullmatch(sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def column_letters(column: int) -> str:
    """Excel's letters for a 1-based column number: 1 is ``A``, 27 is ``AA``."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def suggest(name: str, known: Iterable[str]) -> str:
    """A " (did you mean ...?)" hint for a misspelt name, or "" when nothing is close.

    The closest known name as spelt, else the closest in any case (``s2`` for ``S2``).
    """
    options = list(known)
    close = difflib.get_close_matches(name, options, n=1)
    if not close:
        folded = {option.casefold(): option for option in reversed(options)}  # the first spelling of each
        close = [folded[match] for match in difflib.get_close_matches(name.casefold(), list(folded), n=1)]
    return f" (did you mean {close[0]!r}?)" if close else ""


class SchedulerError(Exception):
    """Base of every error the user can cause; ``exit_code`` is what the CLI exits with."""

    exit_code = 2


class LoadError(SchedulerError):
    """One problem in the input, at one place."""

    def __init__(self, location: SourceLocation | str, message: str) -> None:
        self.location = location if isinstance(location, SourceLocation) else SourceLocation(location)
        self.message = message
        super().__init__(f"{self.location}: {message}")


class DataErrors(SchedulerError):
    """Every problem found in one input, raised once so the user can fix them all in one pass."""

    def __init__(self, errors: Sequence[LoadError]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        head = f"{count} error{'s' if count != 1 else ''} in the input:"
        super().__init__("\n".join([head, *(f"  {error}" for error in self.errors)]))


class DataWarning(UserWarning):
    """Something odd but harmless in the input (an unknown column); reported, never fatal."""


class InfeasibleError(SchedulerError):
    """No schedule exists; ``explanation`` holds the reasons in a planner's words."""

    exit_code = 1

    def __init__(self, explanation: Sequence[str]) -> None:
        self.explanation = list(explanation)
        super().__init__("\n".join(["No schedule exists:", *(f"  - {line}" for line in self.explanation)]))


class NoScheduleFound(SchedulerError):
    """The time limit (or Ctrl-C) ended the search before any schedule was found: feasibility is not decided.

    Not an InfeasibleError, as nothing was proven; it exits with code 1 all the same.
    """

    exit_code = 1

    def __init__(self, explanation: Sequence[str]) -> None:
        self.explanation = list(explanation)
        super().__init__("\n".join(["No schedule found within the time limit:",
                                    *(f"  - {line}" for line in self.explanation)]))


class UsageError(SchedulerError):
    """A bad option or argument combination that click itself cannot see."""


class BrokenSchedule(SchedulerError):
    """A schedule given to publish breaks hard rules; nothing is published (exit 1, as ``check``)."""

    exit_code = 1
