"""Shared fixtures: paths to the shipped meeting and to ../shared (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "ccpcj31"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shipped_dir() -> Path:
    """The shipped CCPCJ 31 meeting folder."""
    if not (SHIPPED / "meeting.toml").exists():
        pytest.skip("the shipped meeting data/ccpcj31 is not there yet")
    return SHIPPED


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ../shared folder beside the checkout (absent in a user's clone)."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside this checkout (it exists only on the team's machines and CI)")
    return SHARED
