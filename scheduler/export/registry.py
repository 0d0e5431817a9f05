"""The exporters' registry: every family of output files, how it is rendered and what it may take.

``scheduler.publication.publish`` renders the families through it (all of them for ``solve``), and the
command line makes one ``export <name>`` command of each. A family renders from a
:class:`PublishContext`; the single-file exporters inside it keep their own path and media type.
The exporters are imported only when a family renders, so the command line starts quickly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import TYPE_CHECKING

from .labels import FEEDS_DIR

if TYPE_CHECKING:
    from ..load.previous import PreviousPublication
    from ..model import Problem, Schedule
    from .view import Exporter, ProgrammeView

Files = dict[str, str | bytes]
FEEDS_INDEX = f"{FEEDS_DIR}/index.json"
# What a family may take besides the schedule; the command line offers each as an option.
CONTEXT_OPTIONS: tuple[str, ...] = ("previous", "published_at", "base_url")


@dataclass(frozen=True)
class PublishContext:
    """Everything an exporter may use: the programme, and when, where and over what it is published."""

    problem: Problem
    schedule: Schedule
    view: ProgrammeView
    published_at: datetime | None = None  # the version's publication time (feeds need one)
    previous: PreviousPublication | None = None  # the earlier publication the feeds continue
    base_url: str | None = None  # where the publication's root is served (feed subscriptions, frab's event links)
    feeds_index: str | None = None  # feeds/index.json that timetable.html links (None: first names)
    ledger: str | None = None  # where the feeds' record goes (a release history's releases/<n>/feeds.json)


@dataclass(frozen=True)
class Output:
    """One family of output files under OUT, and the ``export`` command that writes it alone."""

    name: str
    description: str
    render: Callable[[PublishContext], Files]
    module: str  # the exporter module, whose EXPORTERS (if any) list its single files
    options: tuple[str, ...] = ()  # which of CONTEXT_OPTIONS its command takes
    needs_published_at: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.options) - set(CONTEXT_OPTIONS)
        assert not unknown, f"{self.name}: unknown options {sorted(unknown)}"

    @property
    def exporters(self) -> tuple[Exporter, ...]:
        """Its single-file exporters, each with path and media type (none for the many feed files)."""
        return tuple(getattr(import_module(self.module), "EXPORTERS", ()))


def _feeds(context: PublishContext) -> Files:
    """The calendar feeds under feeds/, with schedule.csv and schedule.json beside them."""
    from .ics import build_feed_state
    from .schedule import schedule_files

    assert context.published_at is not None
    state = build_feed_state(context.problem, context.schedule, published_at=context.published_at,
                             previous=context.previous, base_url=context.base_url)
    files: Files = {**schedule_files(context.schedule),
                    **{f"{FEEDS_DIR}/{name}": text for name, text in state.files.items()}}
    if context.ledger is not None:
        from .ledger import ledger_json

        files[context.ledger] = ledger_json(state)
    return files


def _timetables(context: PublishContext) -> Files:
    from .timetable import EXPORTERS
    from .view import render_files

    return render_files(context.view, EXPORTERS)


def _html(context: PublishContext) -> Files:
    from .html import feed_links_from_index, timetable_html

    links = feed_links_from_index(context.feeds_index, base_url=context.base_url) if context.feeds_index else None
    return {"timetable.html": timetable_html(context.view, feeds=links, base_url=context.base_url)}


def _frab(context: PublishContext) -> Files:
    from .frab import EXPORTERS

    return {exporter.path: exporter.render(context.view, base_url=context.base_url) for exporter in EXPORTERS}


OUTPUTS: dict[str, Output] = {output.name: output for output in (
    Output("ics", "Write the iCalendar feeds (whole programme, per room, organizer, speaker, topic, format) to "
           "OUT/feeds, with schedule.csv and schedule.json beside them (so OUT can be the next --previous).",
           _feeds, "scheduler.export.ics", ("previous", "published_at", "base_url"), needs_published_at=True),
    Output("timetable", "Write timetable.md, timetable.csv and timetable.xlsx.", _timetables,
           "scheduler.export.timetable"),
    Output("html", "Write timetable.html: one self-contained, filterable, printable page (links OUT/feeds if "
           "present).", _html, "scheduler.export.html", ("base_url",)),
    Output("frab", "Write frab/schedule.xml and frab/schedule.json for conference apps (Giggity, EventFahrplan...).",
           _frab, "scheduler.export.frab", ("base_url",)),
)}
