"""The one jinja2 environment over scheduler/export/templates, shared by every HTML page we write.

timetable.html, the feeds' index.html and the comparison page all render through it, so escaping and
whitespace rules are the same everywhere.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader


@cache
def environment() -> Environment:
    """The jinja2 environment over scheduler/export/templates, autoescaping everything."""
    return Environment(
        loader=PackageLoader("scheduler.export", "templates"),
        autoescape=True,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
