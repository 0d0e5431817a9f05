"""The command line's shared options, declared once: arguments, the solver's options, the table format,
and the options an ``export`` command takes from the exporters' registry."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from ..errors import UsageError

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

data_argument = click.argument("data", required=False, type=click.Path(path_type=Path))
meeting_argument = click.argument("data", type=click.Path(path_type=Path))
schedule_argument = click.argument("schedule_csv", type=click.Path(path_type=Path))
out_option = click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
                          help="Output folder.")
scenario_option = click.option(
    "--scenario", "scenario_path", type=click.Path(path_type=Path),
    help="A scenario TOML applied on top of the meeting (see docs/scenarios.md).",
)
previous_folder = click.Path(path_type=Path, file_okay=False)


def instant(_context: click.Context, _parameter: click.Parameter, value: str | None) -> datetime | None:
    """``--published-at``: an ISO datetime as UTC (naive means UTC)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise UsageError(f"--published-at: expected an ISO datetime (2022-05-10T09:00Z), got {value!r}") from error
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


# The registry's context options (scheduler.export.registry.CONTEXT_OPTIONS), each with its part of an Example.
CONTEXT_OPTIONS: dict[str, tuple[Decorator, str]] = {
    "previous": (click.option("--previous", type=previous_folder, help="An earlier output folder: changed "
                              "events get SEQUENCE+1, dropped ones CANCELLED."), " --previous old-out"),
    "published_at": (click.option("--published-at", callback=instant,
                                  help="Publication time of this version (ISO); default: schedule.json's."), ""),
    "base_url": (click.option("--base-url", help="Where the output is served (https://...): absolute feed links, "
                                                 "webcal:// subscriptions, event links."),
                 " --base-url https://example.org/"),
}
SOLVER_OPTIONS: dict[str, Decorator] = {
    "seed": click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the search."),
    "workers": click.option("--workers", type=click.IntRange(1), default=2, show_default=True,
                            help="CP-SAT workers; 1 makes the result byte-identical run to run."),
    "allow_unscheduled": click.option("--allow-unscheduled", is_flag=True,
                                      help="Leave out low-priority events rather than fail."),
}


def solver_options(time_limit: float, *names: str) -> Decorator:
    """The solver's options: ``--time-limit`` (default ``time_limit``) and those ``names`` picks from SOLVER_OPTIONS.

    The command receives them as one ``solver`` dict of SolveOptions fields.
    """

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return command(*args, solver={key: kwargs.pop(key) for key in ("time_limit", *names)}, **kwargs)

        options = [click.option("--time-limit", type=click.FloatRange(0.1), default=time_limit, show_default=True,
                                help="Seconds to search."), *(SOLVER_OPTIONS[name] for name in names)]
        return functools.reduce(lambda wrapped, option: option(wrapped), reversed(options), wrapper)

    return decorate


def context_options(names: tuple[str, ...]) -> tuple[Decorator, str]:
    """The decorator adding an export command's context options, and their part of its Example."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        return functools.reduce(lambda wrapped, name: CONTEXT_OPTIONS[name][0](wrapped), reversed(names), command)

    return decorate, "".join(CONTEXT_OPTIONS[name][1] for name in names)


def table_format_option(default: str = "simple") -> Decorator:
    """``--fmt``: any of tabulate's table formats."""
    from tabulate import tabulate_formats

    formats = sorted(tabulate_formats)
    return click.option("--fmt", type=click.Choice(formats), default=default, show_default=True, metavar="FORMAT",
                        help=f"Table format, one of tabulate's: {', '.join(formats)}.")
