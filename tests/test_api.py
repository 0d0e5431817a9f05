"""The public API: every name in ``scheduler.__all__`` resolves, and the notebook workflow works."""

from __future__ import annotations

import pandas as pd

import scheduler
from tests.factory import event, problem


def test_every_public_name_resolves() -> None:
    for name in scheduler.__all__:
        assert getattr(scheduler, name) is not None, name


def test_solve_check_score_compare_from_the_package() -> None:
    prob = problem([event("E1"), event("E2", organizer="Org E1")])
    schedule = scheduler.solve(prob, scheduler.SolveOptions(time_limit=5, workers=1))
    assert scheduler.check_schedule(prob, schedule) == []
    assert sum(scheduler.score_schedule(prob, schedule).values()) == schedule.metadata["objective"]
    table = scheduler.compare_schedules(prob, {"a": schedule, "b": schedule})
    assert isinstance(table, pd.DataFrame) and list(table.columns) == ["a", "b"]


def test_every_public_function_keeps_its_own_name() -> None:
    """One name per function: scheduler.X is the function its module defines as X.

    Every submodule is imported first: a module named like a public function would replace it as
    the package's attribute on import (``scheduler.publish`` the module hiding ``publish``).
    """
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(scheduler.__path__, "scheduler."):
        if module.name != "scheduler.__main__":
            importlib.import_module(module.name)
    for name in scheduler.__all__:
        value = getattr(scheduler, name)
        assert getattr(value, "__name__", name) == name, f"scheduler.{name} is {value.__name__} under another name"
