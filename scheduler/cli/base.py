"""The command group and the error handling every command shares: a SchedulerError becomes a clean
message and its exit code (0 success, 1 no schedule or a broken rule, 2 bad input or usage), never a traceback."""

from __future__ import annotations

import functools
import inspect
import re
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


HELP_WIDTH = 76  # an example's lines, indented by 2 under a command's help, stay within an 80-column terminal
_EXAMPLE = re.compile(r"(?P<label>[A-Z][\w -]*): (?P<command>scheduler .+)")


def example_paragraphs(text: str, width: int = HELP_WIDTH) -> str:
    """``text`` with every ``Label: scheduler ...`` paragraph as a block click does not rewrap (``\\b``).

    The command goes on its own lines under the label, broken only between words with a shell continuation
    (``\\``), no line wider than ``width``: a terminal never breaks a command in the middle of a word.
    """
    paragraphs = []
    for paragraph in text.split("\n\n"):
        lines = paragraph.removeprefix("\b\n").splitlines()
        starts = [number for number, line in enumerate(lines) if _EXAMPLE.match(line.strip())]
        if not starts or starts[0] != 0:
            paragraphs.append(paragraph)
            continue
        block = ["\b"]  # one or more examples, each from its "Label: scheduler" line to the next
        for first, after in zip(starts, [*starts[1:], len(lines)], strict=True):
            match = _EXAMPLE.fullmatch(" ".join(" ".join(lines[first:after]).split()))
            assert match is not None
            block += [f"{match['label']}:", *command_lines(match["command"], width)]
        paragraphs.append("\n".join(block))
    return "\n\n".join(paragraphs)


def command_lines(command: str, width: int = HELP_WIDTH) -> list[str]:
    """A shell command as lines of at most ``width``: indented by 2, continued lines by 6, each ending ``\\``.

    An option stays on one line with its value (``--out out2``).
    """
    words = command.split()
    units: list[str] = []
    for word in words:
        if units and units[-1].startswith("-") and " " not in units[-1] and not word.startswith("-"):
            units[-1] += f" {word}"
        else:
            units.append(word)
    first, *rest = units
    lines, line = [], f"  {first}"
    for unit in rest:
        if len(line) + 1 + len(unit) + 2 <= width:  # room for the unit, and for " \\" after it
            line += f" {unit}"
        else:
            lines.append(f"{line} \\")
            line = f"      {unit}"
    return [*lines, line]


class HelpCommand(click.Command):
    """A command whose help shows its examples unwrapped (``example_paragraphs``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.help:
            self.help = example_paragraphs(inspect.cleandoc(self.help))


class HelpGroup(click.Group):
    """A group whose help, and whose commands' and subgroups' help, show their examples unwrapped."""

    command_class = HelpCommand
    group_class = type  # subgroups are HelpGroups too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.help:
            self.help = example_paragraphs(inspect.cleandoc(self.help))


@click.group(cls=HelpGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="side-event-scheduler", prog_name="scheduler")
def cli() -> None:
    """Schedule the side events of a hybrid intergovernmental meeting.

    Loads a meeting (rooms, time grid, events, speakers), places every side event in a room or an
    online channel with OR-Tools CP-SAT, checks the result independently, and publishes calendar
    feeds and timetables.

    Example: scheduler solve data/ccpcj31 --out out
    """
