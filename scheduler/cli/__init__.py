"""The command line: a click group whose commands are a few lines each over the library API.

Every error the user can cause is a SchedulerError and becomes a clean message and exit code
(0 success, 1 no schedule or a broken rule, 2 bad input or usage); no traceback reaches the user.
Shared options are declared once in ``options.py``; the ``export`` commands come from the
exporters' registry.
"""

from __future__ import annotations

from . import meeting, schedules, site, solving
from .base import cli, handle_errors

__all__ = ["cli", "handle_errors", "main", "meeting", "schedules", "site", "solving"]


def main() -> None:
    """Entry point of the ``scheduler`` console script."""
    cli(prog_name="scheduler")
