"""Pinned output: the shipped meeting, one seed, one worker, gives these exact bytes.

The digests in ``pinned/ccpcj31.sha256`` change only when an output is meant to change; a refactor
that alters any byte of any file fails here. Regenerate after an intended change with
``PIN_OUTPUT=1 python -m pytest tests/test_pinned_output.py`` and say in the commit why it changed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import cli

PINNED = Path(__file__).parent / "pinned" / "ccpcj31.sha256"
SOLVE = ["--workers", "1", "--seed", "0", "--time-limit", "20", "--quiet"]


def _digests(folder: Path, prefix: str) -> dict[str, str]:
    return {
        f"{prefix}/{path.relative_to(folder).as_posix()}": hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _run(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def produced(shipped_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A first publication, a re-publication against it, and the stand-alone exports."""
    base = tmp_path_factory.mktemp("pinned")
    first, second, exported = base / "first", base / "second", base / "exported"
    _run("solve", str(shipped_dir), "--out", str(first), *SOLVE, "--published-at", "2026-05-01T09:00:00Z")
    _run("solve", str(shipped_dir), "--out", str(second), *SOLVE, "--previous", str(first),
         "--published-at", "2026-05-08T09:00:00Z")
    schedule = str(first / "schedule.csv")
    _run("export", "ics", str(shipped_dir), schedule, "--out", str(exported / "ics"),
         "--published-at", "2026-05-01T09:00:00Z")
    _run("export", "timetable", str(shipped_dir), schedule, "--out", str(exported / "timetable"))
    _run("export", "html", str(shipped_dir), schedule, "--out", str(exported / "html"))
    return {**_digests(first, "first"), **_digests(second, "second"), **_digests(exported, "exported")}


def test_output_folders_match_the_pinned_digests(produced: dict[str, str]) -> None:
    lines = [f"{digest}  {name}" for name, digest in sorted(produced.items())]
    if os.environ.get("PIN_OUTPUT"):
        PINNED.parent.mkdir(exist_ok=True)
        PINNED.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pinned = dict(
        reversed(line.split("  ", 1)) for line in PINNED.read_text(encoding="utf-8").splitlines() if line
    )
    changed = sorted(name for name in produced.keys() & pinned.keys() if produced[name] != pinned[name])
    assert not changed, f"{len(changed)} files changed bytes, first: {changed[:5]}"
    assert sorted(produced.keys() - pinned.keys()) == [], "new files not in the pin"
    assert sorted(pinned.keys() - produced.keys()) == [], "pinned files no longer written"
