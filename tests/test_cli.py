"""The command line: help on every command, README coverage, clean errors and exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from scheduler.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        found.append((full, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, full + " "))
    return found


COMMANDS = _commands(cli)


@pytest.mark.parametrize("name,command", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output, f"`scheduler {name} --help` shows no example"


@pytest.mark.parametrize("name", [n for n, c in COMMANDS if not isinstance(c, click.Group)])
def test_every_command_is_in_the_readme(name: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"scheduler {re.escape(name)}\b", readme), f"README does not document `scheduler {name}`"


def test_validate_shipped_meeting_prints_summary(shipped_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(shipped_dir)])
    assert result.exit_code == 0, result.output
    assert "events:" in result.output and "speakers:" in result.output and "demand:" in result.output


def test_missing_meeting_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
