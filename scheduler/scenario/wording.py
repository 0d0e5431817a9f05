"""A scenario in a planner's words: one line per action (what ``validate --scenario`` prints)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from .parse import Scenario


def describe(scenario: Scenario) -> list[str]:
    """One line per action, in a planner's words (what ``validate --scenario`` prints)."""
    lines = [f"{entry.key}: {_describe(entry.action, entry.values)}" + (
        f" ({entry.values['reason']})" if entry.values.get("reason") else "") for entry in scenario.actions]
    if scenario.weights:
        lines.append("weights: " + ", ".join(f"{k} = {w}" for k, w in sorted(scenario.weights.items())))
    return lines


def _describe(action: str, v: Mapping[str, Any]) -> str:
    if action == "rooms.add":
        seats = f" ({v['capacity']} seats{', hybrid' if v.get('hybrid') else ''})" if v.get("capacity") else ""
        days = f", open {', '.join(d.isoformat() for d in v['open_days'])}" if "open_days" in v else ""
        return f"add {v.get('kind', 'physical')} room {v['id']}{seats}{days}"
    if action == "rooms.close":
        return f"close room {v['id']} {_when(v)}"
    if action == "unavailable":
        return f"{v['kind']} {v['id']} unavailable {_when(v)}"
    if action == "speakers.add":
        return f"add speaker {v['id']}" + (" (remote)" if v.get("remote") else "")
    if action == "events.withdraw":
        return f"withdraw event {v['id']}"
    if action == "events.add":
        return f"add event {v['id']} ({v.get('format')}, {v.get('duration')} min, {v.get('organizer')})"
    verb = {"speakers.change": "change speaker", "events.change": "change event", "events.pin": "pin event"}[action]
    return f"{verb} {v['id']}: {_changes(v)}"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, (date, time, datetime)):
        return value.isoformat()
    return '""' if value is None else str(value)


def _changes(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} = {_show(v)}" for k, v in values.items() if k != "id")


def _when(values: Mapping[str, Any]) -> str:
    hours = values.get("hours")
    daily = f" {hours[0].strftime('%H:%M')}-{hours[1].strftime('%H:%M')}" if hours else ""
    if "days" in values:
        return "on " + ", ".join(d.isoformat() for d in values["days"]) + daily
    if "only_days" in values:
        return "except on " + ", ".join(d.isoformat() for d in values["only_days"]) + daily
    if "start" in values:
        return f"from {_show(values['start'])} to {_show(values.get('end'))}"
    return ""
