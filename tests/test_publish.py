"""publish(): one output tree for solve and for every export command, through the exporters' registry."""

from __future__ import annotations

from datetime import datetime, timezone

import click
import pytest

from scheduler.cli import cli
from scheduler.errors import UsageError
from scheduler.export.registry import CONTEXT_OPTIONS, OUTPUTS
from scheduler.model import Schedule
from scheduler.publication import publish
from tests.export.programme import sample_problem, sample_schedule

AT = datetime(2022, 3, 20, 8, tzinfo=timezone.utc)


def test_the_whole_tree_is_the_union_of_every_family_published_alone() -> None:
    prob = sample_problem()
    schedule = sample_schedule(prob)
    whole = publish(prob, schedule, published_at=AT)
    feeds = publish(prob, schedule, published_at=AT, only=("ics",))
    alone = {name: publish(prob, schedule, published_at=AT, only=(name,), feeds_index=feeds["feeds/index.json"])
             for name in OUTPUTS}
    assert {path for files in alone.values() for path in files} == set(whole)
    for files in alone.values():
        assert all(whole[path] == content for path, content in files.items())
    assert {"schedule.csv", "schedule.json", "feeds/all.ics", "timetable.html", "frab/schedule.xml"} <= set(whole)


def test_feeds_need_a_publication_time_and_unknown_families_are_refused() -> None:
    prob = sample_problem()
    unstamped = Schedule(sample_schedule(prob).assignments)
    with pytest.raises(UsageError, match="no publication time"):
        publish(prob, unstamped, only=("ics",))
    assert "timetable.md" in publish(prob, sample_schedule(prob), only=("timetable",))
    with pytest.raises(UsageError, match="unknown output"):
        publish(prob, sample_schedule(prob), only=("pdf",))


def test_every_registry_family_has_an_export_command_with_its_options() -> None:
    group = cli.commands["export"]
    assert isinstance(group, click.Group)
    assert set(group.commands) == set(OUTPUTS)
    for name, output in OUTPUTS.items():
        params = {p.name for p in group.commands[name].params}
        assert {"data", "schedule_csv", "out"} <= params
        assert params & set(CONTEXT_OPTIONS) == set(output.options), name
        for exporter in output.exporters:
            assert exporter.media_type and exporter.path


@pytest.mark.parametrize("command", ["solve", "sweep", "explain"])
def test_the_solver_options_are_shared(command: str) -> None:
    params = {p.name for p in cli.commands[command].params}
    assert "time_limit" in params
    if command != "explain":
        assert {"seed", "allow_unscheduled"} <= params
