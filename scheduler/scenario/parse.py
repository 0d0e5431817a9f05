"""Reading a scenario file: TOML text -> a type-checked Scenario, with the line of every key for messages."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import DataErrors, LoadError, SourceLocation, suggest
from ..weights import DEFAULT_WEIGHTS
from .fields import ACTIONS, TOP_KEYS, ValueProblem

SCENARIO_FILE = "scenario.toml"  # the name a scenario gets beside a result schedule (sweep writes it)


@dataclass(frozen=True)
class Action:
    """One entry of a scenario, e.g. the third ``[[events.add]]``: its parsed values and where it is."""

    action: str  # a key of ACTIONS
    index: int  # position among the entries of the same action, from 0
    values: Mapping[str, Any]
    source: str  # the scenario file, for messages
    lines: Mapping[str, int] = field(default_factory=dict)  # key -> line in the file
    line: int | None = None  # line of the entry's header

    @property
    def key(self) -> str:
        """The entry's key as messages print it: ``events.add[2]``."""
        return f"{self.action}[{self.index}]"

    def at(self, name: str | None = None) -> SourceLocation:
        """The place of this entry, or of one of its keys."""
        row = self.lines.get(name, self.line) if name else self.line
        return SourceLocation(self.source, row=row, field=f"{self.key}.{name}" if name else self.key)


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario file: its actions in application order and its weight overrides."""

    path: str
    name: str
    description: str = ""
    actions: tuple[Action, ...] = ()
    weights: Mapping[str, int] = field(default_factory=dict)
    weight_lines: Mapping[str, int] = field(default_factory=dict)
    text: str = field(default="", repr=False)  # the TOML source, which sweep copies beside each result

    def of(self, action: str) -> tuple[Action, ...]:
        """The entries of one action, in file order."""
        return tuple(a for a in self.actions if a.action == action)


# --- reading the file --------------------------------------------------------------------------------

_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\[\]]+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=")
_DECODE_PLACE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _dotted(name: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in name.split("."))


class _Lines:
    """Line numbers of table headers and keys, found by a light scan of the TOML text."""

    def __init__(self, text: str) -> None:
        self.sections: list[tuple[str, int, int | None, dict[str, int]]] = [("", 0, None, {})]
        seen: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            header = _ARRAY_HEADER.match(line) or _TABLE_HEADER.match(line)
            if header:
                name = _dotted(header.group(1))
                occurrence = seen.get(name, 0)
                seen[name] = occurrence + 1
                self.sections.append((name, occurrence, number, {}))
            elif key := _KEY.match(line):
                self.sections[-1][3].setdefault(_dotted(key.group(1)), number)

    def entry(self, table: str, index: int) -> tuple[int | None, dict[str, int]]:
        """Header line and key lines of the ``index``-th ``[[table]]``."""
        for name, occurrence, line, keys in self.sections:
            if name == table and occurrence == index:
                return line, keys
        return self.key(table), {}

    def key(self, path: str) -> int | None:
        """The line of a dotted key such as ``events.withdraw`` or ``weights.topic_clash``."""
        for name, _occurrence, line, keys in self.sections:
            if name == path:
                return line
            prefix = f"{name}." if name else ""
            if path.startswith(prefix) and path[len(prefix) :] in keys:
                return keys[path[len(prefix) :]]
        return None


def parse_scenario(text: str, source: str = "scenario.toml") -> Scenario:
    """Parse scenario TOML ``text``; ``source`` names the file in messages. Raises DataErrors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        place = _DECODE_PLACE.search(message)
        row, column = (int(place.group(1)), int(place.group(2))) if place else (None, None)
        raise DataErrors([LoadError(SourceLocation(source, row, column), _DECODE_PLACE.sub("", message))]) from None
    lines = _Lines(text)
    errors: list[LoadError] = []

    def error(path: str, message: str) -> None:
        errors.append(LoadError(SourceLocation(source, row=lines.key(path), field=path), message))

    for key in sorted(set(data) - set(TOP_KEYS)):
        error(key, f"unknown key{suggest(key, TOP_KEYS)}; a scenario knows {', '.join(TOP_KEYS)}")
    name = data.get("name", Path(source).stem)
    description = data.get("description", "")
    for key, value in (("name", name), ("description", description)):
        if not isinstance(value, str):
            error(key, f"expected text, got {value!r}")
    for group in ("rooms", "events", "speakers"):
        known = [a.partition(".")[2] for a in ACTIONS if a.startswith(group + ".")]
        container = data.get(group, {})
        if not isinstance(container, dict):
            error(group, f"expected a table of actions ({', '.join(known)})")
            continue
        for key in sorted(set(container) - set(known)):
            error(f"{group}.{key}", f"unknown action{suggest(key, known)}; {group} knows {', '.join(known)}")
    actions: list[Action] = []
    for action in ACTIONS:
        for index, values, line, key_lines in _entries(data, action, lines, error):
            actions.append(_parse_entry(action, index, values, source, line, key_lines, errors))
    weights, weight_lines = _parse_weights(data.get("weights", {}), lines, error)
    if errors:
        raise DataErrors(errors)
    return Scenario(source, str(name), str(description), tuple(actions), weights, weight_lines, text)


def _entries(data: Mapping[str, Any], action: str, lines: _Lines, error: Callable[[str, str], None]) -> list:
    """The raw entries of one action: (index, table, header line, key lines)."""
    group, _, verb = action.partition(".")
    container = data.get(group) if verb else data
    if container is None:
        return []
    if not isinstance(container, dict):
        return []  # reported by parse_scenario
    raw = container.get(verb or action)
    if raw is None:
        return []
    if action == "events.withdraw":
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            error(action, "expected a list of event ids, e.g. withdraw = [\"SE014\"]")
            return []
        line = lines.key(action)
        return [(index, {"id": item}, line, {}) for index, item in enumerate(raw)]
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        error(action, f"expected an array of tables: write each entry under [[{action}]]")
        return []
    result = []
    for index, values in enumerate(raw):
        line, key_lines = lines.entry(action, index)
        result.append((index, values, line, key_lines))
    return result


def _parse_entry(action: str, index: int, raw: Mapping[str, Any], source: str, line: int | None,
                 key_lines: Mapping[str, int], errors: list[LoadError]) -> Action:
    """Type-check one entry against its action's fields."""
    spec = ACTIONS[action]
    entry = Action(action, index, {}, source, dict(key_lines), line)
    values: dict[str, Any] = {}
    for key in sorted(raw):
        parse = spec.fields.get(key)
        if parse is None:
            errors.append(LoadError(entry.at(key), f"unknown field{suggest(key, spec.fields)}; "
                                                   f"{action} knows {', '.join(spec.fields)}"))
            continue
        try:
            values[key] = parse(raw[key])
        except ValueProblem as problem:
            errors.append(LoadError(entry.at(key), str(problem)))
    for key in spec.required:
        if key not in raw:
            errors.append(LoadError(entry.at(), f"missing required field {key!r}"))
    if action in ("rooms.close", "unavailable"):
        _check_period_shape(entry, raw, errors)
    if action == "events.pin" and not ({"room", "start"} & set(raw)):
        errors.append(LoadError(entry.at(), "a pin needs a room, a start or both"))
    return replace(entry, values=values)


def _check_period_shape(entry: Action, raw: Mapping[str, Any], errors: list[LoadError]) -> None:
    """Exactly one of days, only_days or start+end; hours only with days or only_days."""
    shapes = [name for name in ("days", "only_days") if name in raw]
    if "start" in raw or "end" in raw:
        shapes.append("start/end")
        if not ("start" in raw and "end" in raw):
            errors.append(LoadError(entry.at(), "give both start and end"))
        if "hours" in raw:
            errors.append(LoadError(entry.at("hours"), "hours go with days or only_days, not with start/end"))
    if len(shapes) != 1:
        errors.append(LoadError(entry.at(), "give exactly one of days, only_days or start/end"
                                            + (f" (found {', '.join(shapes)})" if shapes else "")))


def _parse_weights(raw: Any, lines: _Lines, error: Callable[[str, str], None]) -> tuple[dict, dict]:
    if not isinstance(raw, dict):
        error("weights", "expected a table of term = weight")
        return {}, {}
    weights: dict[str, int] = {}
    where: dict[str, int] = {}
    for name in sorted(raw):
        path = f"weights.{name}"
        if name not in DEFAULT_WEIGHTS:
            error(path, f"unknown soft term{suggest(name, DEFAULT_WEIGHTS)}; terms: {', '.join(DEFAULT_WEIGHTS)}")
            continue
        value = raw[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            error(path, f"expected a whole number of 0 or more, got {value!r}")
            continue
        weights[name] = value
        line = lines.key(path)
        if line is not None:
            where[name] = line
    return weights, where


def load_scenario(path: Path | str) -> Scenario:
    """Read and type-check a scenario file (TOML). Raises DataErrors naming the file, key and line."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise DataErrors([LoadError(source, f"cannot read the scenario: {error.strerror or error}")]) from None
    except UnicodeDecodeError:
        raise DataErrors([LoadError(source, "the scenario is not UTF-8 text")]) from None
    return parse_scenario(text, source)
