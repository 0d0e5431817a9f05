"""What-if scenarios: a TOML file of changes applied on top of a meeting without editing its files.

A scenario closes or adds rooms, adds, withdraws, changes or pins events, adds or changes speakers,
adds unavailability and overrides weights. ``load_scenario`` reads and type-checks the file;
``apply_scenario`` returns a new Problem and re-validates whatever the changes can break, reporting
every mistake as a DataErrors that names the scenario file, the key (``events.add[2].duration``,
entries counted from 0) and, where it can be found, the line. docs/scenarios.md shows every action.

The work is split by job: ``fields`` (actions, their fields and value parsers), ``parse`` (TOML ->
Scenario), ``state`` and ``apply`` (Scenario + Problem -> Problem), ``validate`` (what the changes
broke) and ``wording`` (``describe``).
"""

from __future__ import annotations

from .apply import apply_scenario
from .fields import ACTIONS, EVENT_FIELDS, PERIOD_FIELDS, ROOM_FIELDS, SPEAKER_FIELDS, TOP_KEYS
from .parse import SCENARIO_FILE, Action, Scenario, load_scenario, parse_scenario
from .state import UTC
from .validate import Busy
from .wording import describe

__all__ = [
    "ACTIONS",
    "EVENT_FIELDS",
    "PERIOD_FIELDS",
    "ROOM_FIELDS",
    "SCENARIO_FILE",
    "SPEAKER_FIELDS",
    "TOP_KEYS",
    "UTC",
    "Action",
    "Busy",
    "Scenario",
    "apply_scenario",
    "describe",
    "load_scenario",
    "parse_scenario",
]
