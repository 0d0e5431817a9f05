"""The command group and the error handling every command shares: a SchedulerError becomes a clean
message and its exit code (0 success, 1 no schedule or a broken rule, 2 bad input or usage), never a traceback."""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable
from typing import Any

import click

from ..errors import DataWarning, SchedulerError


def handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn SchedulerErrors into a message on stderr and their exit code; show data warnings."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DataWarning)
            try:
                return command(*args, **kwargs)
            except SchedulerError as error:
                click.echo(f"error: {error}", err=True)
                sys.exit(error.exit_code)
            except KeyboardInterrupt:
                click.echo("interrupted", err=True)
                sys.exit(130)
            finally:
                for message in caught:
                    if issubclass(message.category, DataWarning):
                        click.echo(f"warning: {message.message}", err=True)
                    else:
                        warnings.showwarning(
                            message.message, message.category, message.filename, message.lineno
                        )

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="side-event-scheduler", prog_name="scheduler")
def cli() -> None:
    """Schedule the side events of a hybrid intergovernmental meeting.

    Loads a meeting (rooms, time grid, events, speakers), places every side event in a room or an
    online channel with OR-Tools CP-SAT, checks the result independently, and publishes calendar
    feeds and timetables.

    Example: scheduler solve data/ccpcj31 --out out
    """
